//! Maps of the Americas as inline SVG: country shapes from Natural Earth (public domain,
//! `assets/americas.json`, made by `scripts/make-map.mjs`) compiled into the binary and
//! filled per country, with a legend and a `<title>` tooltip on every country.
//!
//! Colours are never the only carrier: every tooltip names the country and its class,
//! and the pages print the same facts in a table.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use hemi_core::Iso3;
use maud::{html, Markup};

const AMERICAS_JSON: &str = include_str!("../assets/americas.json");

/// The bundled shapes: ISO3 → SVG path in a `width` × `height` box.
#[derive(Debug, serde::Deserialize)]
pub struct Shapes {
    /// Where the shapes come from.
    pub source: String,
    /// Width of the drawing box.
    pub width: f64,
    /// Height of the drawing box.
    pub height: f64,
    /// ISO3 → path data (`M`, `L` and `Z` commands only).
    pub countries: BTreeMap<String, String>,
}

/// The shapes, parsed once.
pub fn shapes() -> &'static Shapes {
    static SHAPES: OnceLock<Shapes> = OnceLock::new();
    SHAPES.get_or_init(|| {
        serde_json::from_str(AMERICAS_JSON).expect("assets/americas.json is valid (unit-tested)")
    })
}

/// How alarmed the watch is about a country: the highest level among open events there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum AlertLevel {
    /// No open event involves the country.
    #[default]
    None,
    /// Alerted in an open, unconfirmed event, but quiet in the latest months.
    Watch,
    /// Alerting in the latest months in an event nobody has confirmed yet (detected).
    Alert,
    /// Alerting in a confirmed event or one with a response under way.
    Event,
}

impl AlertLevel {
    /// Every level, lowest first (legend order).
    pub const ALL: [AlertLevel; 4] = [
        AlertLevel::None,
        AlertLevel::Watch,
        AlertLevel::Alert,
        AlertLevel::Event,
    ];

    /// Legend text.
    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::None => "no open event (or no watched table)",
            AlertLevel::Watch => "watch: alerted earlier, quiet since",
            AlertLevel::Alert => "alert: alerting now, not confirmed",
            AlertLevel::Event => "event: confirmed or response",
        }
    }

    /// Fill colour. Okabe-Ito sky blue, orange and vermillion: told apart with every
    /// common colour-vision deficiency, and ordered light to dark.
    pub fn colour(self) -> &'static str {
        match self {
            AlertLevel::None => "#e4e8ed",
            AlertLevel::Watch => "#56b4e9",
            AlertLevel::Alert => "#e69f00",
            AlertLevel::Event => "#b5400a",
        }
    }
}

/// What one country is filled with and says when hovered.
#[derive(Debug, Clone)]
pub struct Fill {
    /// Colour.
    pub colour: String,
    /// Tooltip after the country's name, e.g. "alert: detected, not confirmed".
    pub note: String,
}

/// A map of the Americas: countries in `fills` get their colour, others `rest`.
pub fn choropleth(
    fills: &HashMap<String, Fill>,
    rest: &Fill,
    legend: &[(String, String)],
    title: &str,
) -> Markup {
    let shapes = shapes();
    html! {
        figure.map {
            svg viewBox=(format!("0 0 {} {}", shapes.width, shapes.height)) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                rect width=(shapes.width) height=(shapes.height) fill="#f7fafc" {}
                @for (iso3, path) in &shapes.countries {
                    @let fill = fills.get(iso3).unwrap_or(rest);
                    path data-iso3=(iso3) fill=(fill.colour) stroke="#ffffff" stroke-width="0.6" d=(path) {
                        title { (crate::layout::country_name(iso3)) ": " (fill.note) }
                    }
                }
            }
            figcaption.legend {
                @for (colour, label) in legend {
                    span {
                        svg.swatch width="14" height="14" aria-hidden="true" { rect width="14" height="14" fill=(colour) stroke="#8a94a3" stroke-width="0.5" {} }
                        (label)
                    }
                }
            }
        }
    }
}

/// The Americas coloured by alert level; countries without a level have none.
pub fn americas_map(levels: &HashMap<Iso3, AlertLevel>) -> Markup {
    let fills: HashMap<String, Fill> = levels
        .iter()
        .map(|(iso3, level)| {
            (
                iso3.as_str().to_owned(),
                Fill {
                    colour: level.colour().into(),
                    note: level.label().into(),
                },
            )
        })
        .collect();
    let rest = Fill {
        colour: AlertLevel::None.colour().into(),
        note: AlertLevel::None.label().into(),
    };
    let legend: Vec<(String, String)> = AlertLevel::ALL
        .iter()
        .map(|l| (l.colour().to_owned(), l.label().to_owned()))
        .collect();
    choropleth(
        &fills,
        &rest,
        &legend,
        "Map of the Americas by early-warning level",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_shape_parses_and_fits_the_box() {
        let shapes = shapes();
        assert!(shapes.countries.len() >= 50, "{}", shapes.countries.len());
        for code in [
            "USA", "MEX", "PAN", "COL", "VEN", "HTI", "CHL", "ABW", "CUW",
        ] {
            assert!(shapes.countries.contains_key(code), "{code} missing");
        }
        for (iso3, path) in &shapes.countries {
            assert!(Iso3::parse(iso3).is_ok(), "{iso3}");
            assert!(
                hemi_core::CountryCodes::bundled()
                    .get(iso3)
                    .is_some_and(|c| c.region == "Americas"),
                "{iso3} is not in the Americas"
            );
            assert!(path.starts_with('M') && path.ends_with('Z'), "{iso3}");
            for command in path.split(['M', 'L', 'Z']).filter(|c| !c.is_empty()) {
                let numbers: Vec<f64> = command
                    .split(' ')
                    .map(|n| n.parse().unwrap_or_else(|_| panic!("{iso3}: {n:?}")))
                    .collect();
                assert_eq!(numbers.len(), 2, "{iso3}: {command:?}");
                assert!((0.0..=shapes.width).contains(&numbers[0]), "{iso3}");
                assert!((0.0..=shapes.height).contains(&numbers[1]), "{iso3}");
            }
        }
    }

    #[test]
    fn a_level_colours_its_country_and_says_so() {
        let levels = HashMap::from([
            (Iso3::parse("COL").unwrap(), AlertLevel::Alert),
            (Iso3::parse("PAN").unwrap(), AlertLevel::Event),
        ]);
        let svg = americas_map(&levels).into_string();
        let fill_of = |iso3: &str| {
            let start = svg.find(&format!("data-iso3=\"{iso3}\"")).unwrap();
            let rest = &svg[start..];
            let fill = rest.find("fill=\"").unwrap() + 6;
            rest[fill..fill + 7].to_owned()
        };
        assert_eq!(fill_of("COL"), AlertLevel::Alert.colour());
        assert_eq!(fill_of("PAN"), AlertLevel::Event.colour());
        assert_eq!(fill_of("VEN"), AlertLevel::None.colour());
        assert!(svg.contains("<title>Colombia: alert: alerting now, not confirmed</title>"));
        assert!(svg.contains("<title>Panama: event: confirmed or response</title>"));
        // The legend names every level.
        for level in AlertLevel::ALL {
            assert!(svg.contains(level.label()), "{level:?}");
        }
    }

    #[test]
    fn colours_are_distinct() {
        let mut colours: Vec<&str> = AlertLevel::ALL.iter().map(|l| l.colour()).collect();
        colours.dedup();
        assert_eq!(colours.len(), 4);
    }
}
