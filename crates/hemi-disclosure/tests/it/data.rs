//! Loading the bundled tables the tests are built from (tests may read files).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hemi_indicators::{Denominator, HostedCount};

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn rows(relative: &str) -> Vec<csv::StringRecord> {
    let mut reader =
        csv::Reader::from_path(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    reader.records().map(|r| r.unwrap()).collect()
}

/// Rows of one year of a stock table (host, year, origin, category, count), as the
/// indicators crate takes them.
fn stock_counts(relative: &str, year: i32) -> Vec<HostedCount> {
    rows(relative)
        .into_iter()
        .filter(|r| r[1].parse::<i32>().unwrap() == year)
        .map(|r| HostedCount {
            host: r[0].to_owned(),
            year,
            origin: Some(r[2].to_owned()),
            category: r[3].to_owned(),
            count: r[4].parse().unwrap(),
        })
        .collect()
}

/// UN DESA migrant stock rows of one year.
pub fn undesa_counts(year: i32) -> Vec<HostedCount> {
    stock_counts("data/context/undesa_international_migrant_stocks.csv", year)
}

/// UNHCR rows of one year.
pub fn unhcr_counts(year: i32) -> Vec<HostedCount> {
    stock_counts("data/context/unhcr_forcibly_displaced_stocks.csv", year)
}

/// World Bank population and GDP (current USD).
pub fn denominators() -> (Vec<Denominator>, Vec<Denominator>) {
    let mut population = Vec::new();
    let mut gdp = Vec::new();
    for r in rows("data/context/world_bank_indicators.csv") {
        let d = Denominator {
            country: r[0].to_owned(),
            year: r[2].parse().unwrap(),
            value: match r[3].parse() {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        match &r[1] {
            "pop" => population.push(d),
            "gdp" => gdp.push(d),
            _ => {}
        }
    }
    (population, gdp)
}

/// A monthly flow file by nationality (columns month, nationality, [breakdown...], count),
/// as `year -> nationality -> 12 monthly counts`, summed over any other breakdown, as the
/// portal shows it. Annual rows (`2015`) are skipped: the portal is monthly.
pub fn monthly_by_nationality(relative: &str) -> BTreeMap<i32, BTreeMap<String, [u64; 12]>> {
    let mut out: BTreeMap<i32, BTreeMap<String, [u64; 12]>> = BTreeMap::new();
    for r in rows(relative) {
        let period = &r[0];
        if period.len() != 7 {
            continue;
        }
        let year: i32 = period[..4].parse().unwrap();
        let month: usize = period[5..7].parse().unwrap();
        let count: f64 = r[r.len() - 1].parse().unwrap();
        out.entry(year)
            .or_default()
            .entry(r[1].to_owned())
            .or_insert([0; 12])[month - 1] += count as u64;
    }
    out
}

/// The flow files with a nationality breakdown the portal can show.
pub const FLOW_FILES: [(&str, &str); 4] = [
    (
        "PAN",
        "data/flows/panama_darien_transits_by_nationality.csv",
    ),
    (
        "MEX",
        "data/flows/mexico_irregular_presented_by_nationality.csv",
    ),
    (
        "HND",
        "data/flows/honduras_irregular_entries_by_nationality.csv",
    ),
    (
        "MEX-returns",
        "data/flows/mexico_returns_by_nationality.csv",
    ),
];
