//! The identity of a count: which population, which classification values. The cell key is
//! made from it, so the same count gets the same noise in every table that shows it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a count counts, independent of the table it is shown in: a family (the source or
/// statistic, e.g. `undesa_migrant_stocks`) and classification values by dimension name
/// (`year=2024`, `host=LIE`, `origin=ALB`).
///
/// Dimensions are kept sorted by name, so the order in which a caller adds them does not
/// change the identity. Names of the vintage, the page, the query or the ordering must
/// never be part of it: they would give one count several independent noises, which an
/// attacker could average away.
///
/// Leave the period (year, month) out too. The cell key hashes the identity *and the
/// true value*, so without the period a count that keeps its value from one year (or
/// month) to the next keeps its noise, and an attacker who guesses that a small stock
/// did not change (most small UN DESA cells do not) gets one observation, not eight to
/// intersect. The test `stable_stocks_cannot_be_averaged_across_years` shows the
/// difference. A changed value draws a fresh, independent noise either way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellIdentity {
    family: String,
    dimensions: Vec<(String, String)>,
}

impl CellIdentity {
    /// An identity in a family, with no dimensions yet.
    pub fn new(family: impl Into<String>) -> CellIdentity {
        CellIdentity {
            family: family.into(),
            dimensions: Vec::new(),
        }
    }

    /// The identity with one more dimension (a dimension given twice keeps the last value).
    pub fn with(mut self, dimension: impl Into<String>, value: impl Into<String>) -> CellIdentity {
        let dimension = dimension.into();
        let value = value.into();
        match self
            .dimensions
            .binary_search_by(|(name, _)| name.as_str().cmp(&dimension))
        {
            Ok(at) => self.dimensions[at].1 = value,
            Err(at) => self.dimensions.insert(at, (dimension, value)),
        }
        self
    }

    /// A monthly flow count as the portal and the quarterly report show it: people of one
    /// nationality counted by one reporting country under one measure (no period: see
    /// above). Every output that shows this count must use this constructor.
    pub fn flow(reporting: &str, measure: &str, nationality: &str) -> CellIdentity {
        CellIdentity::new("flows")
            .with("reporting", reporting)
            .with("measure", measure)
            .with("nationality", nationality)
    }

    /// A stock of people from `origin` in `host` in a context table (`source` is the
    /// measure's source, e.g. `undesa_migrant_stocks`); no year.
    pub fn stock(source: &str, host: &str, origin: &str) -> CellIdentity {
        CellIdentity::new(source)
            .with("host", host)
            .with("origin", origin)
    }

    /// A registry statistic: people of one nationality in one state (no month).
    pub fn registry(statistic: &str, state: &str, nationality: &str) -> CellIdentity {
        CellIdentity::new("registry")
            .with("statistic", statistic)
            .with("state", state)
            .with("nationality", nationality)
    }

    /// The family.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The dimensions, sorted by name.
    pub fn dimensions(&self) -> &[(String, String)] {
        &self.dimensions
    }

    /// The bytes hashed for the cell key: every part length-prefixed, so no choice of
    /// names can make two identities encode alike.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        let mut part = |text: &str| {
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        };
        part(&self.family);
        for (name, value) in &self.dimensions {
            part(name);
            part(value);
        }
        out
    }
}

impl fmt::Display for CellIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{", self.family)?;
        for (k, (name, value)) in self.dimensions.iter().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            write!(f, "{name}={value}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_of_dimensions_does_not_matter() {
        let a = CellIdentity::new("undesa")
            .with("host", "LIE")
            .with("origin", "ALB");
        let b = CellIdentity::new("undesa")
            .with("origin", "ALB")
            .with("host", "LIE");
        assert_eq!(a, b);
        assert_eq!(a.canonical_bytes(), b.canonical_bytes());
        assert_eq!(a.to_string(), "undesa{host=LIE,origin=ALB}");
    }

    #[test]
    fn encodings_cannot_collide_by_moving_separators() {
        let a = CellIdentity::new("ab").with("c", "d");
        let b = CellIdentity::new("a").with("bc", "d");
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }
}
