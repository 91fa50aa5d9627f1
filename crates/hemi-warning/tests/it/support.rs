//! Fixture loading and the single numeric tolerance used against R.

use std::path::PathBuf;

/// Series names present in `test_data/series/`.
pub const SERIES: &[&str] = &[
    "panama_hti",
    "panama_ven",
    "honduras_hti",
    "honduras_cub",
    "honduras_npl",
    "mexico_hti",
    "mexico_ven",
    "usa_hti",
    "honduras_total",
];

/// Relative tolerance against R.
pub const REL_TOL: f64 = 1e-6;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data")
}

/// The input counts of a series.
pub fn series(name: &str) -> Vec<f64> {
    let text =
        std::fs::read_to_string(data_dir().join("series").join(format!("{name}.csv"))).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

/// One row of an R fixture.
#[derive(Debug)]
pub struct Row {
    pub t: usize,
    pub observed: f64,
    pub expected: Option<f64>,
    pub upper: Option<f64>,
    pub score: Option<f64>,
    /// `None` where R's alarm is `NA` (EARS C3 with a 0/0 statistic).
    pub alarm: Option<bool>,
}

fn opt(s: &str) -> Option<f64> {
    if s == "NA" {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

/// Rows of `test_data/<method>/<series>.csv`.
pub fn fixture(method: &str, name: &str) -> Vec<Row> {
    let path = data_dir().join(method).join(format!("{name}.csv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Row {
                t: f[0].parse().unwrap(),
                observed: f[1].parse().unwrap(),
                expected: opt(f[2]),
                upper: opt(f[3]),
                score: opt(f[4]),
                alarm: (f[5] != "NA").then(|| f[5] == "1"),
            }
        })
        .collect()
}

/// Relative difference `|a − b| / max(|a|, |b|)`, 0 when both are 0 (or both are
/// below 1e-12 in absolute value: R's GLR statistic of an in-control run can be
/// ±1e-14 of 0, which R floors to 0 exactly as we do).
pub fn rel_diff(a: f64, b: f64) -> f64 {
    let scale = a.abs().max(b.abs());
    if scale < 1e-12 {
        0.0
    } else {
        (a - b).abs() / scale
    }
}

/// Compares an optional value with R's, returns the relative difference.
pub fn check(what: &str, ctx: &str, ours: Option<f64>, r: Option<f64>) -> f64 {
    match (ours, r) {
        (Some(a), Some(b)) => {
            let d = rel_diff(a, b);
            assert!(d <= REL_TOL, "{ctx}: {what} ours {a} vs R {b} (rel {d:e})");
            d
        }
        (None, None) => 0.0,
        _ => panic!("{ctx}: {what} ours {ours:?} vs R {r:?}"),
    }
}
