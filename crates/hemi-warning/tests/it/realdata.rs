//! Loads the real tables in `data/` into complete monthly series, the way the importer
//! hands them to this crate: duplicates summed, Honduras TWN recoded to CHN (see
//! `profiles/honduras_entries_nationality.toml`), a month with no row filled with 0
//! between the table's first and last month (Honduras 2020-04/05: borders closed).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use hemi_core::Period;
use hemi_warning::series::MonthlySeries;

/// `(month, nationality) -> count` for one table, plus its first and last month.
pub struct Table {
    pub reporting: &'static str,
    pub counts: HashMap<(Period, String), f64>,
    pub first: Period,
    pub last: Period,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Reads `data/<path>` as CSV records keyed by header.
pub fn records(path: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(repo().join("data").join(path)).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn load(reporting: &'static str, path: &str, period: &str, nationality: &str) -> Table {
    let mut counts = HashMap::new();
    let (mut first, mut last) = (Period::Month(2100, 1), Period::Month(1900, 1));
    for r in records(path) {
        let Ok(month @ Period::Month(..)) = r[period].parse::<Period>() else {
            continue;
        };
        let mut nat = r[nationality].clone();
        if nat.is_empty() {
            continue; // USA: demographic rows, not additive with citizenship rows
        }
        if reporting == "HND" && nat == "TWN" {
            nat = "CHN".into();
        }
        *counts.entry((month, nat)).or_insert(0.0) += r["count"].parse::<f64>().unwrap();
        first = first.min(month);
        last = last.max(month);
    }
    Table {
        reporting,
        counts,
        first,
        last,
    }
}

/// Panama (Darién), Honduras, Mexico (presented), USA (CBP encounters by citizenship).
pub fn presentations() -> &'static [Table] {
    static T: OnceLock<Vec<Table>> = OnceLock::new();
    T.get_or_init(|| {
        vec![
            load(
                "PAN",
                "flows/panama_darien_transits_by_nationality.csv",
                "period",
                "nationality",
            ),
            load(
                "HND",
                "flows/honduras_irregular_entries_by_nationality.csv",
                "month",
                "nationality",
            ),
            load(
                "MEX",
                "flows/mexico_irregular_presented_by_nationality.csv",
                "month",
                "nationality",
            ),
            load(
                "USA",
                "flows/usa_southwest_border_encounters.csv",
                "month",
                "citizenship",
            ),
        ]
    })
}

/// Mexico's returns (deportations and assisted returns summed).
pub fn mexico_returns() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        load(
            "MEX",
            "flows/mexico_returns_by_nationality.csv",
            "month",
            "nationality",
        )
    })
}

impl Table {
    /// The complete series of one nationality (or the total, `None`).
    pub fn series(&self, nationality: Option<&str>) -> MonthlySeries {
        let n = self.first.distance_to(self.last).unwrap() as usize + 1;
        let mut values = vec![0.0; n];
        for ((month, nat), count) in &self.counts {
            if nationality.is_none_or(|x| x == nat) {
                values[self.first.distance_to(*month).unwrap() as usize] += count;
            }
        }
        MonthlySeries::new(
            self.reporting,
            nationality.map(str::to_owned),
            self.first,
            values,
        )
        .unwrap()
    }
}

/// The presentation series of `nationality` reported by `reporting`.
pub fn series(reporting: &str, nationality: &str) -> MonthlySeries {
    presentations()
        .iter()
        .find(|t| t.reporting == reporting)
        .unwrap()
        .series(Some(nationality))
}

/// Nationalities with at least `min_total` people in a table over 2020-2024.
pub fn large_nationalities(table: &Table, min_total: f64) -> Vec<String> {
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for ((month, nat), c) in &table.counts {
        if *month >= Period::Month(2020, 1) {
            *totals.entry(nat.clone()).or_default() += c;
        }
    }
    totals
        .into_iter()
        .filter(|(_, t)| *t >= min_total)
        .map(|(n, _)| n)
        .collect()
}

/// UN DESA stock of people born in `origin`, by destination, latest year <= `year`
/// (female and male summed), destinations in the Americas only.
pub fn desa_stocks(origin: &str, year: i32) -> BTreeMap<String, f64> {
    let americas: Vec<String> = records("reference/countries.csv")
        .into_iter()
        .filter(|r| r["region"] == "Americas")
        .map(|r| r["iso3"].clone())
        .collect();
    let rows: Vec<_> = records("context/undesa_international_migrant_stocks.csv")
        .into_iter()
        .filter(|r| r["country_of_origin"] == origin && r["year"].parse::<i32>().unwrap() <= year)
        .collect();
    let latest = rows
        .iter()
        .map(|r| r["year"].parse::<i32>().unwrap())
        .max()
        .unwrap();
    let mut stocks = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r["year"].parse::<i32>().unwrap() == latest)
    {
        if americas.contains(&r["country_of_destination"])
            && (r["sex"] == "female" || r["sex"] == "male")
        {
            *stocks
                .entry(r["country_of_destination"].clone())
                .or_insert(0.0) += r["count"].parse::<f64>().unwrap();
        }
    }
    stocks
}

/// Reads a file of the repository (rules, labels).
pub fn repo_file(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap()
}

/// Every watched series as the store builds them: each nationality of the four
/// presentation tables, and each table's total.
pub fn all_watched_series() -> Vec<MonthlySeries> {
    let mut out = Vec::new();
    for t in presentations() {
        let mut nats: Vec<&String> = t.counts.keys().map(|(_, n)| n).collect();
        nats.sort();
        nats.dedup();
        out.extend(nats.into_iter().map(|n| t.series(Some(n))));
        out.push(t.series(None));
    }
    out
}
