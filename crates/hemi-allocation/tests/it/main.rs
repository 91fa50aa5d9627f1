//! Integration tests of hemi-allocation (one binary): lottery against the Python
//! verifier's stored output, placement against HiGHS, scheduling, fairness, the model
//! against R.

mod fairness;
mod lottery;
mod model;
mod placement;
mod schedule;

/// The one tolerance helper: `|a − b| ≤ abs + rel × max(|a|, |b|)`.
pub fn close(a: f64, b: f64, abs: f64, rel: f64) -> bool {
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

/// Path of a fixture under `test_data/`.
pub fn fixture(path: &str) -> String {
    format!("{}/test_data/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Text of a fixture.
pub fn read_fixture(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
