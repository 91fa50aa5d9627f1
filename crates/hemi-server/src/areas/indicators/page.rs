//! `/indicators`: burden-sharing indicators for everyone (seed 000: responsibility
//! "relative to population"). A ranked table and bar chart of people hosted per 1,000
//! inhabitants and per USD 1 million of GDP, a map, and the source of every number.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Extension;
use hemi_indicators::{Measure, RankBy};
use maud::{html, Markup};

use super::api::{indicators_page, resolve, IndicatorItem, IndicatorsQuery};
use crate::access::Viewer;
use crate::chart::{bar_chart, format_count, Bar};
use crate::error::{WebError, WebResult};
use crate::layout::{country_name, encode_component, page};
use crate::map::{choropleth, Fill};
use crate::AppState;

/// Bars in the chart: the top of the ranking; the table lists every country.
const CHART_BARS: usize = 20;

/// Per-1,000 classes of the map, on a sequential blue scale (ColorBrewer "Blues" without
/// its near-white step, safe for colour-blind readers because lightness carries the
/// order); countries without a figure are neutral grey, not the lightest blue.
const MAP_CLASSES: [(f64, &str, &str); 5] = [
    (0.0, "#c6dbef", "under 1"),
    (1.0, "#9ecae1", "1 to 10"),
    (10.0, "#6baed6", "10 to 50"),
    (50.0, "#3182bd", "50 to 100"),
    (100.0, "#08519c", "100 or more"),
];
const NO_FIGURE: &str = "#d4d4d4";

fn ratio_text(value: Option<f64>) -> String {
    match value {
        None => "–".into(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn count_text(value: Option<f64>) -> String {
    value
        .map(|v| format_count(v.round()))
        .unwrap_or_else(|| "–".into())
}

/// A denominator's year, marked when it is not the count's year.
fn year_note(used: Option<i32>, year: i32) -> Markup {
    match used {
        Some(y) if y != year => {
            html! { " " span.muted title=(format!("{y} figure: the World Bank table has no {year} value yet")) { "(" (y) ")" } }
        }
        _ => html! {},
    }
}

fn indicator_map(items: &[IndicatorItem]) -> Markup {
    let fills: HashMap<String, Fill> = items
        .iter()
        .map(|i| {
            let fill = match i.per_1000 {
                Some(v) => Fill {
                    colour: MAP_CLASSES
                        .iter()
                        .rev()
                        .find(|(from, _, _)| v >= *from)
                        .map_or(MAP_CLASSES[0].1, |c| c.1)
                        .into(),
                    note: format!("{} per 1,000 inhabitants", ratio_text(Some(v))),
                },
                None => Fill {
                    colour: NO_FIGURE.into(),
                    note: "no population figure".into(),
                },
            };
            (i.host.clone(), fill)
        })
        .collect();
    let rest = Fill {
        colour: NO_FIGURE.into(),
        note: "no count in this table".into(),
    };
    let mut legend: Vec<(String, String)> = MAP_CLASSES
        .iter()
        .map(|(_, colour, label)| ((*colour).to_owned(), format!("{label} per 1,000")))
        .collect();
    legend.push((NO_FIGURE.into(), "no figure".into()));
    choropleth(
        &fills,
        &rest,
        &legend,
        "Map of the Americas: people hosted per 1,000 inhabitants",
    )
}

/// `GET /indicators`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<IndicatorsQuery>,
) -> WebResult {
    // A bad parameter is said on the page and the defaults are shown.
    let said = |e: WebError| {
        let p = e.problem();
        format!(
            "{}: {}{}",
            p.parameter.unwrap_or_default(),
            p.detail.unwrap_or_default(),
            p.hint.map(|h| format!(" — {h}")).unwrap_or_default()
        )
    };
    let (resolved, mut problem) = match resolve(&q) {
        Ok(r) => (r, None),
        Err(e) => (
            resolve(&IndicatorsQuery::default()).expect("defaults are valid"),
            Some(said(e)),
        ),
    };
    let (mut query, world) = resolved;
    let data = match indicators_page(&state, &query, world).await {
        Ok(d) => d,
        Err(e @ WebError::Unprocessable(..)) => {
            problem = Some(said(e));
            query = resolve(&IndicatorsQuery::default())
                .expect("defaults are valid")
                .0;
            indicators_page(&state, &query, world).await?
        }
        Err(e) => return Err(e),
    };
    let measure = query.measure;
    let origin_name = query.origin.as_deref().map(country_name);
    let who = match (&origin_name, measure) {
        (Some(o), Measure::Undesa) => format!("People born in {o}"),
        (None, Measure::Undesa) => "Foreign-born people".to_owned(),
        (Some(o), Measure::Unhcr) => {
            format!("Refugees, asylum seekers and others of concern from {o}")
        }
        (None, Measure::Unhcr) => {
            "Refugees, asylum seekers and others of concern from abroad".to_owned()
        }
    };
    let unit = match query.rank_by {
        RankBy::Per1000 => "per 1,000 inhabitants",
        RankBy::PerUsdMillion => "per USD 1 million of GDP",
        RankBy::Hosted => "people",
    };
    let ranked: Vec<&IndicatorItem> = data.items.iter().filter(|i| i.rank.is_some()).collect();
    let bars: Vec<Bar> = ranked
        .iter()
        .take(CHART_BARS)
        .filter_map(|i| {
            let value = match query.rank_by {
                RankBy::Per1000 => i.per_1000,
                RankBy::PerUsdMillion => i.per_usd_million,
                RankBy::Hosted => Some(i.hosted),
            }?;
            Some(Bar {
                label: i.name.clone(),
                value,
                value_text: if query.rank_by == RankBy::Hosted {
                    format_count(value.round())
                } else {
                    ratio_text(Some(value))
                },
            })
        })
        .collect();
    let unranked = data.items.len() - ranked.len();
    let lagged = data
        .items
        .iter()
        .any(|i| i.population_year.is_some_and(|y| Some(y) != data.year));
    let csv_link = {
        let mut params = vec![
            format!("measure={}", measure.as_str()),
            format!("rank_by={}", query.rank_by.as_str()),
            format!("max_lag_years={}", query.max_lag_years),
        ];
        if let Some(y) = data.year {
            params.push(format!("year={y}"));
        }
        if let Some(o) = &query.origin {
            params.push(format!("origin={}", encode_component(o)));
        }
        if world {
            params.push("scope=world".into());
        }
        format!("/api/indicators?{}", params.join("&"))
    };

    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/indicators",
        "Burden sharing",
        html! {
            h1 { "Burden sharing: who hosts, relative to population and income" }
            p.lead {
                "People hosted by each country per 1,000 inhabitants and per USD 1 million of GDP, ranked. "
                "Two counts are offered, labelled for what they are; every number says where it comes from."
            }
            form.filters method="get" action="/indicators" {
                label { "Count"
                    select name="measure" {
                        option value="undesa" selected[measure == Measure::Undesa] { "Foreign-born people (UN DESA)" }
                        option value="unhcr" selected[measure == Measure::Unhcr] { "Refugees and asylum seekers (UNHCR)" }
                    }
                }
                label { "Year"
                    select name="year" {
                        @for y in data.years.iter().rev() { option value=(y) selected[Some(*y) == data.year] { (y) } }
                    }
                }
                label { "Origin (ISO3, optional)"
                    input type="text" name="origin" value=(query.origin.clone().unwrap_or_default()) placeholder="e.g. VEN" size="5" maxlength="3";
                }
                label { "Rank by"
                    select name="rank_by" {
                        option value="per_1000" selected[query.rank_by == RankBy::Per1000] { "per 1,000 inhabitants" }
                        option value="per_usd_million" selected[query.rank_by == RankBy::PerUsdMillion] { "per USD 1 million of GDP" }
                        option value="hosted" selected[query.rank_by == RankBy::Hosted] { "people hosted" }
                    }
                }
                label { "Countries"
                    select name="scope" {
                        option value="americas" selected[!world] { "the Americas" }
                        option value="world" selected[world] { "the world" }
                    }
                }
                button.primary type="submit" { "Show" }
            }
            @if let Some(p) = &problem {
                div.notice.bad role="alert" { p { (p) " — showing the defaults instead." } }
            }
            div.notice {
                @match measure {
                    Measure::Undesa => { p {
                        strong { "Foreign-born people" } " are the UN DESA International Migrant Stock (mid-year, female plus male): "
                        "everyone living in a country other than the one they were born in, displaced or not. "
                        "It is the count that includes displaced Venezuelans (about 2.9 million in Colombia in 2024)."
                    } }
                    Measure::Unhcr => { p {
                        strong { "Refugees, asylum seekers and others of concern from abroad" } " are UNHCR's end-year stocks (Refugee Data Finder). "
                        "Internally displaced people are nationals, so they are not counted as hosted; they are listed in their own column. "
                        "Returnees and stateless people are left out. "
                        strong { "This table lacks UNHCR's category \"other people in need of international protection\"" }
                        ", under which most displaced Venezuelans are counted since 2022: from it Colombia seems to host about 30,000 Venezuelans, "
                        "where UNHCR's Global Trends 2023 reports 2.9 million. For Venezuelans, use the foreign-born count."
                    } }
                }
                p {
                    "Population and GDP (current US dollars) come from the World Bank table bundled with Hemisphere. "
                    "A country without a population or GDP figure gets no ratio (shown as –), never a zero"
                    @if query.max_lag_years > 0 {
                        "; when the table has not reached the count's year, the figure of up to " (query.max_lag_years) " year" @if query.max_lag_years > 1 { "s" } " before is used and its year shown in brackets"
                    }
                    "."
                }
                p.muted { "Disclosure control: " (data.disclosure.text) }
            }
            @match data.year {
                None => { p.notice { "The " (measure.citation()) " table has not been imported yet: run " code { "hemi import data/context/" } "." } }
                Some(year) => {
                    h2 { (who) " " (unit) ", " (year) @if !world { ", the Americas" } }
                    (bar_chart(&bars, &format!("{who} {unit}"), &format!("{who} {unit}, {year}: top {}", bars.len())))
                    @if lagged {
                        p.muted { "Population and GDP of " (year - 1) ": the World Bank table ends before " (year) "." }
                    }
                    div.table-wrap {
                        table.data {
                            caption { (who) ", " (year) ": " (ranked.len()) " countries ranked" @if unranked > 0 { ", " (unranked) " without the ranking figure listed after them" } "." }
                            thead { tr {
                                th.num { "Rank" } th { "Host country" } th.num { "Hosted" }
                                @if measure == Measure::Unhcr { th.num title="Internally displaced nationals: not counted as hosted" { "IDPs (apart)" } }
                                th.num { "Population" } th.num { "GDP, USD million" }
                                th.num { "Per 1,000 inhabitants" } th.num { "Per USD 1 million GDP" }
                            } }
                            tbody {
                                @for i in &data.items {
                                    tr {
                                        td.num { (i.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                                        td.name { (i.name) " " span.muted { "(" (i.host) ")" } }
                                        td.num { (count_text(Some(i.hosted))) }
                                        @if measure == Measure::Unhcr { td.num { (count_text(i.idps)) } }
                                        td.num { (count_text(i.population)) (year_note(i.population_year, year)) }
                                        td.num { (count_text(i.gdp_usd.map(|g| g / 1e6))) (year_note(i.gdp_year, year)) }
                                        td.num { (ratio_text(i.per_1000)) }
                                        td.num { (ratio_text(i.per_usd_million)) }
                                    }
                                }
                            }
                        }
                    }
                    @if !world {
                        h2 { "Map: hosted per 1,000 inhabitants, " (year) }
                        (indicator_map(&data.items))
                    }
                    p.muted {
                        "Sources: hosted, " (data.source) "; population and GDP, " (data.denominators_source) ". "
                        "Country shapes: Natural Earth (public domain). "
                        a href=(csv_link.clone()) { "This table as JSON" } " · " a href=(format!("{csv_link}&format=csv")) { "as CSV" }
                    }
                }
            }
        },
    ))
}
