//! A complete monthly count series for one reporting country and one nationality.
//!
//! # Contract
//! `values[i]` is the count for `start.offset(i)`: one value per calendar month, oldest
//! first, **no gaps**. The caller fills a month the publisher has no row for *before*
//! building the series (0 when the table simply lists no cases, e.g. Honduras 2020-04/05
//! when the borders were closed; see `data/PROVENANCE.md`). Nothing in this crate
//! guesses a missing month; a NaN left in the series makes the detectors report
//! [`crate::Status::InvalidInput`].

use hemi_core::Period;

/// Monthly counts of one nationality (or of all nationalities) reported by one country.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlySeries {
    /// ISO 3166-1 alpha-3 code of the reporting country (`"PAN"`, `"USA"`, ...).
    pub reporting: String,
    /// ISO 3166-1 alpha-3 code of the nationality; `None` = total across nationalities.
    pub nationality: Option<String>,
    /// First month of `values`; always a [`Period::Month`].
    pub start: Period,
    /// One count per month from `start`, gaps already filled by the caller.
    pub values: Vec<f64>,
}

/// Why a series cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    /// `start` is a year, not a month.
    #[error("series {0} starts at {1}, a year; monthly series start at a YYYY-MM month")]
    NotMonthly(String, Period),
}

impl MonthlySeries {
    /// A series; refuses an annual `start`.
    pub fn new(
        reporting: impl Into<String>,
        nationality: Option<String>,
        start: Period,
        values: Vec<f64>,
    ) -> Result<Self, SeriesError> {
        let series = MonthlySeries {
            reporting: reporting.into(),
            nationality,
            start,
            values,
        };
        match start {
            Period::Month(..) => Ok(series),
            Period::Year(_) => Err(SeriesError::NotMonthly(series.key(), start)),
        }
    }

    /// `"PAN/HTI"`, or `"PAN/ALL"` for a total.
    pub fn key(&self) -> String {
        format!("{}/{}", self.reporting, self.nationality_code())
    }

    /// The nationality code, `"ALL"` for a total across nationalities.
    pub fn nationality_code(&self) -> &str {
        self.nationality.as_deref().unwrap_or("ALL")
    }

    /// Last month of the series; `None` when it is empty.
    pub fn end(&self) -> Option<Period> {
        (!self.values.is_empty()).then(|| self.period_at(self.values.len() - 1))
    }

    /// Month of index `i` (need not be inside the series).
    pub fn period_at(&self, i: usize) -> Period {
        self.start.offset(i as i32)
    }

    /// Index of month `p`, when the series covers it.
    pub fn index_of(&self, p: Period) -> Option<usize> {
        let d = self.start.distance_to(p)?;
        (d >= 0 && (d as usize) < self.values.len()).then_some(d as usize)
    }

    /// Count for month `p`, when the series covers it.
    pub fn value_at(&self, p: Period) -> Option<f64> {
        self.index_of(p).map(|i| self.values[i])
    }

    /// Number of values up to and including `as_of` (0 when `as_of` is before `start`):
    /// `values[..known_len(as_of)]` is what was known at `as_of`.
    pub fn known_len(&self, as_of: Period) -> usize {
        match self.start.distance_to(as_of) {
            Some(d) if d >= 0 => ((d as usize) + 1).min(self.values.len()),
            _ => 0,
        }
    }

    /// The series cut after `last` (months after it dropped): the data as of `last`.
    pub fn cut_at(&self, last: Period) -> MonthlySeries {
        MonthlySeries {
            values: self.values[..self.known_len(last)].to_vec(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_index_and_cut() {
        let s = MonthlySeries::new(
            "PAN",
            Some("HTI".into()),
            Period::Month(2020, 11),
            vec![1.0, 2.0, 3.0],
        )
        .unwrap();
        assert_eq!(s.end(), Some(Period::Month(2021, 1)));
        assert_eq!(s.value_at(Period::Month(2020, 12)), Some(2.0));
        assert_eq!(s.value_at(Period::Month(2020, 10)), None);
        assert_eq!(s.value_at(Period::Month(2021, 2)), None);
        assert_eq!(s.cut_at(Period::Month(2020, 12)).values, vec![1.0, 2.0]);
        assert_eq!(s.cut_at(Period::Month(2019, 1)).values, Vec::<f64>::new());
        assert_eq!(s.key(), "PAN/HTI");
        assert!(MonthlySeries::new("PAN", None, Period::Year(2019), vec![]).is_err());
    }
}
