//! Calendar periods: a year (`YYYY`) or a month (`YYYY-MM`), never mixed up.
//!
//! Panama publishes 2010-2019 only as annual totals, so an annual period is a value of
//! its own and is never spread over months.

use std::fmt;
use std::str::FromStr;

/// Earliest year accepted in any table; older figures are almost surely typos.
pub const MIN_YEAR: i32 = 1900;
/// Latest year accepted in any table.
pub const MAX_YEAR: i32 = 2100;

/// Whether a period is a whole year or one month.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// `YYYY`
    Year,
    /// `YYYY-MM`
    Month,
}

/// A calendar period. Ordering puts a year before the months of that year, which is
/// also the order of the text forms, so storage can sort periods as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A whole calendar year.
    Year(i32),
    /// A calendar month (1-12) of a year.
    Month(i32, u8),
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not `YYYY` or `YYYY-MM`.
    #[error("{0:?} is not a period; write YYYY-MM (e.g. 2021-09) or YYYY")]
    Format(String),
    /// The month is not 01-12.
    #[error("{0:?} has month {1}, which is not 01-12")]
    Month(String, u32),
    /// The year is implausible.
    #[error("{0:?} has year {1}, outside {MIN_YEAR}-{MAX_YEAR}")]
    Year(String, i32),
    /// A monthly period was required.
    #[error("{0:?} is a year, but this table is monthly; write YYYY-MM")]
    NotMonthly(String),
    /// An annual period was required.
    #[error("{0:?} is a month, but this table is annual; write YYYY")]
    NotAnnual(String),
}

impl Period {
    /// Granularity of this period.
    pub fn granularity(self) -> Granularity {
        match self {
            Period::Year(_) => Granularity::Year,
            Period::Month(..) => Granularity::Month,
        }
    }

    /// The calendar year the period falls in.
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Month(y, _) => y,
        }
    }

    /// The month `n` months after this one (negative goes back). Years move by `n` years.
    pub fn offset(self, n: i32) -> Period {
        match self {
            Period::Year(y) => Period::Year(y + n),
            Period::Month(y, m) => {
                let index = y * 12 + i32::from(m) - 1 + n;
                Period::Month(index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
            }
        }
    }

    /// Number of periods from `self` to `later` (months for monthly, years for annual);
    /// `None` when the granularities differ.
    pub fn distance_to(self, later: Period) -> Option<i32> {
        match (self, later) {
            (Period::Year(a), Period::Year(b)) => Some(b - a),
            (Period::Month(y1, m1), Period::Month(y2, m2)) => {
                Some((y2 * 12 + i32::from(m2)) - (y1 * 12 + i32::from(m1)))
            }
            _ => None,
        }
    }

    /// Parse a period, requiring a given granularity.
    pub fn parse_as(text: &str, granularity: Granularity) -> Result<Period, PeriodError> {
        let period: Period = text.parse()?;
        match (granularity, period) {
            (Granularity::Month, Period::Year(_)) => Err(PeriodError::NotMonthly(text.to_owned())),
            (Granularity::Year, Period::Month(..)) => Err(PeriodError::NotAnnual(text.to_owned())),
            _ => Ok(period),
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Period) -> std::cmp::Ordering {
        let key = |p: &Period| match *p {
            Period::Year(y) => (y, 0),
            Period::Month(y, m) => (y, m),
        };
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Period) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let format = || PeriodError::Format(text.to_owned());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (year_text, month_text) = match text.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (text, None),
        };
        if year_text.len() != 4 || !digits(year_text) {
            return Err(format());
        }
        let year: i32 = year_text.parse().map_err(|_| format())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(PeriodError::Year(text.to_owned(), year));
        }
        match month_text {
            None => Ok(Period::Year(year)),
            Some(m) if m.len() == 2 && digits(m) => {
                let month: u32 = m.parse().map_err(|_| format())?;
                if !(1..=12).contains(&month) {
                    return Err(PeriodError::Month(text.to_owned(), month));
                }
                Ok(Period::Month(year, month as u8))
            }
            Some(_) => Err(format()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_months_and_years() {
        assert_eq!("2021-09".parse(), Ok(Period::Month(2021, 9)));
        assert_eq!("2015".parse(), Ok(Period::Year(2015)));
        assert_eq!(Period::Month(2021, 9).to_string(), "2021-09");
    }

    #[test]
    fn refuses_bad_periods() {
        assert!(matches!(
            "2021-13".parse::<Period>(),
            Err(PeriodError::Month(_, 13))
        ));
        assert!(matches!(
            "21-01".parse::<Period>(),
            Err(PeriodError::Format(_))
        ));
        assert!(matches!(
            "2021-1".parse::<Period>(),
            Err(PeriodError::Format(_))
        ));
        assert!(matches!(
            "2021-00".parse::<Period>(),
            Err(PeriodError::Month(_, 0))
        ));
        assert!(matches!(
            "1800".parse::<Period>(),
            Err(PeriodError::Year(_, 1800))
        ));
        assert!(matches!(
            Period::parse_as("2021", Granularity::Month),
            Err(PeriodError::NotMonthly(_))
        ));
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        assert_eq!(Period::Month(2021, 1).offset(-1), Period::Month(2020, 12));
        assert_eq!(Period::Month(2021, 11).offset(3), Period::Month(2022, 2));
        assert_eq!(
            Period::Month(2020, 1).distance_to(Period::Month(2021, 3)),
            Some(14)
        );
        assert_eq!(Period::Year(2020).distance_to(Period::Month(2021, 3)), None);
    }

    #[test]
    fn a_year_sorts_before_its_months_and_text_order_agrees() {
        let mut periods = vec![
            Period::Month(2020, 2),
            Period::Year(2020),
            Period::Month(2019, 12),
        ];
        periods.sort();
        let text: Vec<String> = periods.iter().map(ToString::to_string).collect();
        let mut sorted_text = text.clone();
        sorted_text.sort();
        assert_eq!(text, sorted_text, "storage sorts periods as text");
        assert_eq!(text, ["2019-12", "2020", "2020-02"]);
    }
}
