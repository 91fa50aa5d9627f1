//! The identity of a series: who reports it, what it measures and its dimension values.

use std::fmt;

/// Identifies one series within a source. Two rows with equal keys and periods are the
/// same observation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SeriesKey {
    /// Reporting country (ISO3), the country whose authority counted.
    pub reporting: String,
    /// What is counted, e.g. `darien_transits`, `encounters`, `migrant_stock`.
    pub measure: String,
    /// Which additive breakdown the series belongs to (`nationality`, `sex_age`,
    /// `total`, ...). Series of one breakdown may be summed; across breakdowns never.
    pub breakdown: String,
    /// Nationality (or country of origin) when the series has one.
    pub nationality: Option<String>,
    /// Every dimension value, canonical `name=value` pairs joined by `;` in name order.
    /// This string, with the fields above, is the identity stored in the database.
    pub dims: String,
}

impl SeriesKey {
    /// Look up one dimension's value in [`SeriesKey::dims`].
    pub fn dim(&self, name: &str) -> Option<&str> {
        self.dims.split(';').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then_some(v)
        })
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} [{}]", self.reporting, self.measure, self.dims)
    }
}
