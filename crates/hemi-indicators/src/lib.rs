//! Burden-sharing indicators (seed 000: responsibility "relative to population"): people
//! hosted by a country per 1,000 inhabitants and per USD 1 million of GDP, by year, ranked.
//!
//! "Hosted" has two measures here, because the bundled tables disagree badly for the
//! largest group in the region, displaced Venezuelans:
//!
//! - [`Measure::Unhcr`]: refugees, asylum seekers and "others of concern" from another
//!   country, from UNHCR's Refugee Data Finder. Internally displaced people (IDPs) are
//!   nationals displaced inside their own country, so they are not "hosted from
//!   abroad": they are reported beside the ratio ([`IndicatorRow::idps`]), never in it.
//!   Returnees (nationals coming home) and stateless people (UNHCR counts them where
//!   they live, mostly where they were born) are left out too. The bundled table lacks
//!   UNHCR's category "other people in need of international protection" (since 2022),
//!   under which most displaced Venezuelans are counted: from it Colombia seems to host
//!   about 30,000 Venezuelans, where UNHCR's Global Trends reports about 2.9 million.
//! - [`Measure::Undesa`]: the UN DESA international migrant stock, people living in a
//!   country other than the one they were born in (female plus male), which does count
//!   those Venezuelans (2.9 million in Colombia in 2024) but also long-settled migrants.
//!
//! Missing data is never a zero: a host and year without population (or GDP) gets no
//! ratio (`None`). Denominators may come from an earlier year, at most
//! [`Options::max_denominator_lag_years`] before, when the publisher has not reached the
//! count's year yet; the year used is returned with every ratio so it can be shown.
//!
//! Architecture invariant: no I/O. Callers read counts and denominators from storage
//! and pass them in; this crate returns plain rows.
#![deny(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// Which count of people "hosted" the ratios are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// UNHCR forcibly displaced people from abroad: refugees, asylum seekers, others of concern.
    Unhcr,
    /// UN DESA international migrant stock: foreign-born people.
    Undesa,
}

impl Measure {
    /// Both measures, in the order menus show them.
    pub const ALL: [Measure; 2] = [Measure::Unhcr, Measure::Undesa];

    /// Short name used on the command line and in URLs (`unhcr`, `undesa`).
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Unhcr => "unhcr",
            Measure::Undesa => "undesa",
        }
    }

    /// What the count is, for headings and column labels.
    pub fn label(self) -> &'static str {
        match self {
            Measure::Unhcr => "refugees, asylum seekers and others of concern from abroad (UNHCR)",
            Measure::Undesa => "foreign-born people (UN DESA international migrant stock)",
        }
    }

    /// The source (profile) whose stored observations hold the counts.
    pub fn source(self) -> &'static str {
        match self {
            Measure::Unhcr => "unhcr_displaced_stocks",
            Measure::Undesa => "undesa_migrant_stocks",
        }
    }

    /// Publisher and table, for citations beside every number.
    pub fn citation(self) -> &'static str {
        match self {
            Measure::Unhcr => "UNHCR Refugee Data Finder (end-year stocks)",
            Measure::Undesa => "UN DESA International Migrant Stock 2024 (mid-year stocks)",
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Measure {
    type Err = IndicatorError;

    fn from_str(text: &str) -> Result<Measure, IndicatorError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "unhcr" => Ok(Measure::Unhcr),
            "undesa" => Ok(Measure::Undesa),
            _ => Err(IndicatorError::UnknownMeasure(text.to_owned())),
        }
    }
}

/// What the ranking orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// People hosted per 1,000 inhabitants (the default).
    #[default]
    Per1000,
    /// People hosted per USD 1 million of GDP.
    PerUsdMillion,
    /// People hosted.
    Hosted,
}

impl RankBy {
    /// Short name used on the command line and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::Per1000 => "per_1000",
            RankBy::PerUsdMillion => "per_usd_million",
            RankBy::Hosted => "hosted",
        }
    }
}

impl FromStr for RankBy {
    type Err = IndicatorError;

    fn from_str(text: &str) -> Result<RankBy, IndicatorError> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "per_1000" => Ok(RankBy::Per1000),
            "per_usd_million" => Ok(RankBy::PerUsdMillion),
            "hosted" => Ok(RankBy::Hosted),
            _ => Err(IndicatorError::UnknownRankBy(text.to_owned())),
        }
    }
}

/// Text that names no measure or ranking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    /// Not `unhcr` or `undesa`.
    #[error("{0:?} is not a measure: use unhcr or undesa")]
    UnknownMeasure(String),
    /// Not `per_1000`, `per_usd_million` or `hosted`.
    #[error("{0:?} is not a ranking: use per_1000, per_usd_million or hosted")]
    UnknownRankBy(String),
}

/// UNHCR population types as the bundled table spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnhcrCategory {
    /// Refugees under UNHCR's mandate.
    Refugee,
    /// Asylum seekers with a pending claim.
    AsylumSeeker,
    /// Others of concern to UNHCR.
    OtherOfConcern,
    /// Stateless people.
    Stateless,
    /// Internally displaced people.
    Idp,
    /// Refugees who returned home in the year.
    RefugeeReturn,
    /// IDPs who returned home in the year.
    IdpReturn,
}

impl UnhcrCategory {
    /// The category of a `population_type` value, `None` when unknown.
    pub fn parse(text: &str) -> Option<UnhcrCategory> {
        Some(match text {
            "refugee" => UnhcrCategory::Refugee,
            "asylum" => UnhcrCategory::AsylumSeeker,
            "other" => UnhcrCategory::OtherOfConcern,
            "stateless" => UnhcrCategory::Stateless,
            "idp" => UnhcrCategory::Idp,
            "refugee return" => UnhcrCategory::RefugeeReturn,
            "idp return" => UnhcrCategory::IdpReturn,
            _ => return None,
        })
    }

    /// True for people hosted from abroad (when their origin is not the host country).
    pub fn is_hosted(self) -> bool {
        matches!(
            self,
            UnhcrCategory::Refugee | UnhcrCategory::AsylumSeeker | UnhcrCategory::OtherOfConcern
        )
    }
}

/// One stored count of people in a host country.
#[derive(Debug, Clone, PartialEq)]
pub struct HostedCount {
    /// Host country (ISO3): country of asylum or of destination.
    pub host: String,
    /// Year of the stock.
    pub year: i32,
    /// Origin (nationality or country of birth), when given.
    pub origin: Option<String>,
    /// UNHCR population type (`refugee`, `asylum`, `idp`, ...) or UN DESA sex.
    pub category: String,
    /// People.
    pub count: f64,
}

/// A denominator for one country and year: population (people) or GDP (current USD).
#[derive(Debug, Clone, PartialEq)]
pub struct Denominator {
    /// Country (ISO3).
    pub country: String,
    /// Year.
    pub year: i32,
    /// Value.
    pub value: f64,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Which count of hosted people.
    pub measure: Measure,
    /// Year of the counts.
    pub year: i32,
    /// Only people of this origin (ISO3); `None` for all.
    pub origin: Option<String>,
    /// Only hosts in this M49 region (e.g. `Americas`); `None` for all.
    pub region: Option<String>,
    /// How many years a denominator may lag the count (0: same year only).
    pub max_denominator_lag_years: i32,
    /// What the ranking orders by.
    pub rank_by: RankBy,
}

/// One host country in one year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorRow {
    /// Position in the ranking, from 1; `None` when the ranking value is missing.
    pub rank: Option<u32>,
    /// Host country (ISO3).
    pub host: String,
    /// Year of the count.
    pub year: i32,
    /// People hosted (the measure's count).
    pub hosted: f64,
    /// UNHCR only: internally displaced nationals, reported beside, never in, `hosted`.
    pub idps: Option<f64>,
    /// Population used, when there is one.
    pub population: Option<f64>,
    /// Year of that population.
    pub population_year: Option<i32>,
    /// GDP used, current USD, when there is one.
    pub gdp_usd: Option<f64>,
    /// Year of that GDP.
    pub gdp_year: Option<i32>,
    /// People hosted per 1,000 inhabitants.
    pub per_1000: Option<f64>,
    /// People hosted per USD 1 million of GDP.
    pub per_usd_million: Option<f64>,
}

/// The ranked table and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    /// Ranked rows first (best first), then rows without the ranking value, by count.
    pub rows: Vec<IndicatorRow>,
    /// Categories in the counts this crate does not know (not counted).
    pub unrecognised: BTreeSet<String>,
}

/// People per 1,000 inhabitants; `None` without a usable population.
pub fn per_1000(hosted: f64, population: Option<f64>) -> Option<f64> {
    population
        .filter(|p| p.is_finite() && *p > 0.0)
        .map(|p| hosted / p * 1000.0)
}

/// People per USD 1 million of GDP; `None` without a usable GDP.
pub fn per_usd_million(hosted: f64, gdp_usd: Option<f64>) -> Option<f64> {
    gdp_usd
        .filter(|g| g.is_finite() && *g > 0.0)
        .map(|g| hosted / (g / 1_000_000.0))
}

/// The value for `country` in `year`, else the nearest earlier year within `max_lag`.
fn lookup(
    table: &BTreeMap<(&str, i32), f64>,
    country: &str,
    year: i32,
    max_lag: i32,
) -> Option<(f64, i32)> {
    (0..=max_lag.max(0)).map(|lag| year - lag).find_map(|y| {
        table
            .get(&(country, y))
            .filter(|v| v.is_finite() && **v > 0.0)
            .map(|v| (*v, y))
    })
}

fn index(denominators: &[Denominator]) -> BTreeMap<(&str, i32), f64> {
    denominators
        .iter()
        .map(|d| ((d.country.as_str(), d.year), d.value))
        .collect()
}

/// What a base cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum CellKind {
    /// People hosted from abroad (the measure's count).
    Hosted,
    /// UNHCR only: internally displaced nationals, reported beside the hosted count.
    Idp,
}

/// The finest count every public number of a measure and year is built from: people of
/// one origin in one host (or the host's IDPs). Disclosure control perturbs these, and
/// host totals, ratios and ranks are then computed from the perturbed cells only.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BaseCell {
    /// Host country (ISO3).
    pub host: String,
    /// Origin (ISO3), `None` for a row without one (IDPs, or a table without origins).
    pub origin: Option<String>,
    /// What it counts.
    pub kind: CellKind,
    /// People.
    pub count: f64,
}

/// The measure's category rules applied to stored counts: UN DESA female plus male per
/// host and origin; UNHCR refugees, asylum seekers and others of concern from another
/// country per host and origin, and IDPs per host. Cells of other years are left out;
/// categories the crate does not know are returned apart.
pub fn base_cells(
    counts: &[HostedCount],
    measure: Measure,
    year: i32,
) -> (Vec<BaseCell>, BTreeSet<String>) {
    let mut cells: BTreeMap<(String, Option<String>, CellKind), f64> = BTreeMap::new();
    let mut unrecognised = BTreeSet::new();
    for c in counts.iter().filter(|c| c.year == year) {
        let key = |kind: CellKind, origin: Option<String>| (c.host.clone(), origin, kind);
        match measure {
            Measure::Undesa => match c.category.as_str() {
                // Totals are female plus male; a row "total" would count people twice.
                "female" | "male" => {
                    *cells
                        .entry(key(CellKind::Hosted, c.origin.clone()))
                        .or_default() += c.count
                }
                other => {
                    unrecognised.insert(other.to_owned());
                }
            },
            Measure::Unhcr => match UnhcrCategory::parse(&c.category) {
                Some(UnhcrCategory::Idp) => {
                    *cells.entry(key(CellKind::Idp, None)).or_default() += c.count
                }
                Some(category) if category.is_hosted() => {
                    // Nationals counted as "others of concern" in their own country are
                    // not hosted from abroad.
                    if c.origin.as_deref() != Some(c.host.as_str()) {
                        *cells
                            .entry(key(CellKind::Hosted, c.origin.clone()))
                            .or_default() += c.count;
                    }
                }
                Some(_) => {}
                None => {
                    unrecognised.insert(c.category.clone());
                }
            },
        }
    }
    let cells = cells
        .into_iter()
        .map(|((host, origin, kind), count)| BaseCell {
            host,
            origin,
            kind,
            count,
        })
        .collect();
    (cells, unrecognised)
}

/// Hosted people per host, ratios and ranking for one measure and year (true counts:
/// for staff and tests; public outputs go through [`compute_from_cells`] with perturbed
/// cells).
pub fn compute(
    counts: &[HostedCount],
    population: &[Denominator],
    gdp_usd: &[Denominator],
    options: &Options,
) -> Indicators {
    let (cells, unrecognised) = base_cells(counts, options.measure, options.year);
    let mut indicators = compute_from_cells(&cells, population, gdp_usd, options);
    indicators.unrecognised = unrecognised;
    indicators
}

/// Hosted people per host, ratios and ranking from base cells (perturbed ones for
/// public outputs): every number is a sum of cells or a ratio of such a sum.
pub fn compute_from_cells(
    cells: &[BaseCell],
    population: &[Denominator],
    gdp_usd: &[Denominator],
    options: &Options,
) -> Indicators {
    let codes = hemi_core::CountryCodes::bundled();
    let in_region = |host: &str| {
        options.region.as_ref().is_none_or(|region| {
            codes
                .get(host)
                .is_some_and(|c| c.region.eq_ignore_ascii_case(region))
        })
    };
    // host -> (hosted, idps)
    let mut by_host: BTreeMap<&str, (f64, Option<f64>)> = BTreeMap::new();
    for c in cells {
        if !in_region(&c.host) {
            continue;
        }
        match c.kind {
            CellKind::Idp => {
                // IDPs are nationals of the host: with an origin asked, only the host of
                // that nationality reports them.
                if options.origin.as_ref().is_some_and(|o| *o != c.host) {
                    continue;
                }
                *by_host
                    .entry(c.host.as_str())
                    .or_default()
                    .1
                    .get_or_insert(0.0) += c.count
            }
            CellKind::Hosted => {
                if let Some(origin) = &options.origin {
                    if c.origin.as_deref() != Some(origin.as_str()) {
                        continue;
                    }
                }
                by_host.entry(c.host.as_str()).or_default().0 += c.count;
            }
        }
    }
    let population = index(population);
    let gdp_usd = index(gdp_usd);
    let lag = options.max_denominator_lag_years;
    let mut rows: Vec<IndicatorRow> = by_host
        .into_iter()
        .filter(|(_, (hosted, idps))| {
            *hosted > 0.0 || idps.is_some_and(|i| i > 0.0) || options.origin.is_none()
        })
        .map(|(host, (hosted, idps))| {
            let pop = lookup(&population, host, options.year, lag);
            let gdp = lookup(&gdp_usd, host, options.year, lag);
            IndicatorRow {
                rank: None,
                host: host.to_owned(),
                year: options.year,
                hosted,
                idps,
                population: pop.map(|p| p.0),
                population_year: pop.map(|p| p.1),
                gdp_usd: gdp.map(|g| g.0),
                gdp_year: gdp.map(|g| g.1),
                per_1000: per_1000(hosted, pop.map(|p| p.0)),
                per_usd_million: per_usd_million(hosted, gdp.map(|g| g.0)),
            }
        })
        .collect();
    rank(&mut rows, options.rank_by);
    Indicators {
        rows,
        unrecognised: BTreeSet::new(),
    }
}

/// Sort rows by the ranking value (highest first, ties by host code) and number them;
/// rows without the value follow, unnumbered, by count.
pub fn rank(rows: &mut [IndicatorRow], by: RankBy) {
    let key = |r: &IndicatorRow| match by {
        RankBy::Per1000 => r.per_1000,
        RankBy::PerUsdMillion => r.per_usd_million,
        RankBy::Hosted => Some(r.hosted),
    };
    rows.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.host.cmp(&b.host)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b
            .hosted
            .total_cmp(&a.hosted)
            .then_with(|| a.host.cmp(&b.host)),
    });
    let mut next = 1;
    for row in rows.iter_mut() {
        row.rank = key(row).map(|_| {
            next += 1;
            next - 1
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(host: &str, year: i32, origin: &str, category: &str, n: f64) -> HostedCount {
        HostedCount {
            host: host.into(),
            year,
            origin: Some(origin.into()),
            category: category.into(),
            count: n,
        }
    }

    fn denominator(country: &str, year: i32, value: f64) -> Denominator {
        Denominator {
            country: country.into(),
            year,
            value,
        }
    }

    fn options(measure: Measure, year: i32) -> Options {
        Options {
            measure,
            year,
            origin: None,
            region: None,
            max_denominator_lag_years: 0,
            rank_by: RankBy::Per1000,
        }
    }

    /// The one caller of `compute` in these tests: rows as (host, hosted, per_1000, per_usd_million).
    fn check(
        counts: &[HostedCount],
        population: &[Denominator],
        gdp: &[Denominator],
        options: &Options,
        expected: &[(&str, f64, Option<f64>, Option<f64>)],
    ) -> Indicators {
        let result = compute(counts, population, gdp, options);
        let got: Vec<(&str, f64, Option<f64>, Option<f64>)> = result
            .rows
            .iter()
            .map(|r| {
                (
                    r.host.as_str(),
                    r.hosted,
                    r.per_1000.map(|v| (v * 1000.0).round() / 1000.0),
                    r.per_usd_million.map(|v| (v * 1000.0).round() / 1000.0),
                )
            })
            .collect();
        assert_eq!(got, expected);
        result
    }

    #[test]
    fn ratios_per_1000_and_per_usd_million() {
        assert_eq!(per_1000(2_500.0, Some(1_000_000.0)), Some(2.5));
        assert_eq!(per_usd_million(2_500.0, Some(500_000_000.0)), Some(5.0));
        assert_eq!(per_1000(10.0, None), None);
        assert_eq!(
            per_1000(10.0, Some(0.0)),
            None,
            "zero population is missing, not a ratio"
        );
        assert_eq!(per_usd_million(10.0, Some(f64::NAN)), None);
    }

    #[test]
    fn missing_denominators_give_no_ratio_never_zero() {
        let counts = [
            count("COL", 2023, "VEN", "refugee", 1_000.0),
            count("PER", 2023, "VEN", "asylum", 2_000.0),
        ];
        let result = check(
            &counts,
            &[denominator("COL", 2023, 50_000_000.0)],
            &[denominator("PER", 2023, 200_000_000_000.0)],
            &options(Measure::Unhcr, 2023),
            &[
                ("COL", 1_000.0, Some(0.02), None),
                ("PER", 2_000.0, None, Some(0.01)),
            ],
        );
        assert_eq!(result.rows[0].rank, Some(1));
        assert_eq!(result.rows[1].rank, None, "no population, no rank");
    }

    #[test]
    fn idps_returnees_stateless_and_nationals_are_not_hosted() {
        let counts = [
            count("COL", 2023, "VEN", "refugee", 1_134.0),
            count("COL", 2023, "VEN", "asylum", 23_449.0),
            count("COL", 2023, "COL", "idp", 6_918_373.0),
            count("COL", 2023, "COL", "other", 516_000.0),
            count("COL", 2023, "ECU", "other", 100.0),
            count("COL", 2023, "COL", "refugee return", 50.0),
            count("COL", 2023, "STL", "stateless", 10.0),
        ];
        let result = check(
            &counts,
            &[],
            &[],
            &options(Measure::Unhcr, 2023),
            &[("COL", 24_683.0, None, None)],
        );
        assert_eq!(result.rows[0].idps, Some(6_918_373.0));
        assert!(result.unrecognised.is_empty());
    }

    #[test]
    fn undesa_adds_female_and_male_and_filters_origin() {
        // UN DESA International Migrant Stock 2024, Colombia, born in Venezuela.
        let counts = [
            count("COL", 2024, "VEN", "female", 1_473_294.0),
            count("COL", 2024, "VEN", "male", 1_431_579.0),
            count("COL", 2024, "ECU", "female", 10_000.0),
            count("COL", 2020, "VEN", "female", 1.0),
        ];
        let mut o = options(Measure::Undesa, 2024);
        o.origin = Some("VEN".into());
        let result = check(
            &counts,
            &[denominator("COL", 2024, 52_886_363.0)],
            &[],
            &o,
            &[("COL", 2_904_873.0, Some(54.927), None)],
        );
        assert_eq!(result.rows[0].idps, None);
    }

    #[test]
    fn denominators_lag_only_as_far_as_allowed_and_say_so() {
        let counts = [count("CHL", 2024, "VEN", "male", 1_000.0)];
        let population = [
            denominator("CHL", 2023, 20_000_000.0),
            denominator("CHL", 2022, 10_000_000.0),
        ];
        let o = options(Measure::Undesa, 2024);
        check(
            &counts,
            &population,
            &[],
            &o,
            &[("CHL", 1_000.0, None, None)],
        );
        let lagged = Options {
            max_denominator_lag_years: 1,
            ..o
        };
        let result = check(
            &counts,
            &population,
            &[],
            &lagged,
            &[("CHL", 1_000.0, Some(0.05), None)],
        );
        assert_eq!(result.rows[0].population_year, Some(2023));
        assert_eq!(result.rows[0].gdp_year, None);
    }

    #[test]
    fn ranking_orders_by_the_chosen_ratio_and_puts_missing_last() {
        let counts = [
            count("AAA", 2023, "X", "female", 100.0),
            count("BBB", 2023, "X", "female", 300.0),
            count("CCC", 2023, "X", "female", 50.0),
            count("DDD", 2023, "X", "female", 1_000.0),
        ];
        let population = [
            denominator("AAA", 2023, 1_000.0),
            denominator("BBB", 2023, 100_000.0),
            denominator("CCC", 2023, 1_000.0),
        ];
        let gdp = [
            denominator("AAA", 2023, 1e9),
            denominator("BBB", 2023, 1e6),
            denominator("CCC", 2023, 1e6),
        ];
        let mut o = options(Measure::Undesa, 2023);
        let result = check(
            &counts,
            &population,
            &gdp,
            &o,
            &[
                ("AAA", 100.0, Some(100.0), Some(0.1)),
                ("CCC", 50.0, Some(50.0), Some(50.0)),
                ("BBB", 300.0, Some(3.0), Some(300.0)),
                ("DDD", 1_000.0, None, None),
            ],
        );
        let ranks: Vec<Option<u32>> = result.rows.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(3), None]);
        o.rank_by = RankBy::PerUsdMillion;
        let hosts: Vec<String> = compute(&counts, &population, &gdp, &o)
            .rows
            .into_iter()
            .map(|r| r.host)
            .collect();
        assert_eq!(hosts, ["BBB", "CCC", "AAA", "DDD"]);
        o.rank_by = RankBy::Hosted;
        let first = compute(&counts, &population, &gdp, &o).rows[0].clone();
        assert_eq!((first.host.as_str(), first.rank), ("DDD", Some(1)));
    }

    #[test]
    fn region_filter_keeps_hosts_of_that_region() {
        let counts = [
            count("COL", 2024, "VEN", "female", 1.0),
            count("ESP", 2024, "VEN", "female", 2.0),
        ];
        let mut o = options(Measure::Undesa, 2024);
        o.region = Some("Americas".into());
        check(&counts, &[], &[], &o, &[("COL", 1.0, None, None)]);
    }

    #[test]
    fn unknown_categories_are_reported_not_counted() {
        let counts = [
            count("COL", 2024, "VEN", "total", 5.0),
            count("COL", 2024, "VEN", "female", 1.0),
        ];
        let result = check(
            &counts,
            &[],
            &[],
            &options(Measure::Undesa, 2024),
            &[("COL", 1.0, None, None)],
        );
        assert_eq!(
            result.unrecognised.into_iter().collect::<Vec<_>>(),
            ["total"]
        );
    }

    #[test]
    fn names_parse() {
        assert_eq!("UNDESA".parse::<Measure>(), Ok(Measure::Undesa));
        assert!("iom".parse::<Measure>().is_err());
        assert_eq!(
            "per-usd-million".parse::<RankBy>(),
            Ok(RankBy::PerUsdMillion)
        );
        assert_eq!(Measure::Unhcr.source(), "unhcr_displaced_stocks");
    }
}
