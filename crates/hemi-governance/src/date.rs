//! Calendar dates (`YYYY-MM-DD`), quarters (`2023Q3`) and the Unix-seconds arithmetic
//! that task deadlines need, without a clock: callers pass the time. The calendar is
//! `jiff`'s (proleptic Gregorian, as ISO 8601); this module only fixes the text forms
//! the declaration, the store and the CLI use.

use std::fmt;
use std::str::FromStr;

use jiff::civil;
use jiff::Timestamp;

use crate::{GovernanceError, Result};

/// A calendar date; its text form sorts in time order, as stored.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Date(String);

impl Date {
    /// Parse `YYYY-MM-DD`, refusing days that do not exist.
    pub fn parse(text: &str) -> Result<Date> {
        let bad = || GovernanceError::BadDate(text.to_owned());
        // jiff also reads forms such as `20220610`; the stored form is the extended one.
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let date: civil::Date = text.parse().map_err(|_| bad())?;
        Ok(Date(date.to_string()))
    }

    /// The text, `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn civil(&self) -> civil::Date {
        self.0.parse().expect("a Date holds a valid date")
    }

    /// The month, `YYYY-MM`.
    pub fn month(&self) -> &str {
        &self.0[..7]
    }

    /// Unix seconds at 00:00 UTC of this date.
    pub fn unix_start(&self) -> i64 {
        self.civil()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .expect("every date of years 1000-9999 exists in UTC")
    }

    /// The UTC date of a Unix time.
    pub fn from_unix(seconds: i64) -> Date {
        let date = Timestamp::from_second(seconds)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        Date(date.to_string())
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(&self, days: i64) -> Date {
        let date = self
            .civil()
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(self.civil());
        Date(date.to_string())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Date {
    type Err = GovernanceError;
    fn from_str(s: &str) -> Result<Date> {
        Date::parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = GovernanceError;
    fn try_from(s: String) -> Result<Date> {
        Date::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.0
    }
}

/// Unix seconds of an RFC 3339 time as the store writes it (`2021-09-01T12:00:00Z`;
/// an offset or fractional seconds are accepted); `None` when it is not one.
pub fn unix_from_rfc3339(text: &str) -> Option<i64> {
    text.parse::<Timestamp>().ok().map(|t| t.as_second())
}

/// A calendar quarter, e.g. `2023Q3` (July to September 2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Quarter {
    /// Year.
    pub year: i32,
    /// 1 to 4.
    pub quarter: u8,
}

impl Quarter {
    /// Parse `YYYYQn` (also `YYYY-Qn`, any case).
    pub fn parse(text: &str) -> Result<Quarter> {
        let bad = || GovernanceError::BadQuarter(text.to_owned());
        let upper = text.to_ascii_uppercase().replace('-', "");
        let (y, q) = upper.split_once('Q').ok_or_else(bad)?;
        let year: i32 = if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
            y.parse().map_err(|_| bad())?
        } else {
            return Err(bad());
        };
        let quarter: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) {
            return Err(bad());
        }
        Ok(Quarter { year, quarter })
    }

    /// First and last month, `YYYY-MM`.
    pub fn months(&self) -> (String, String) {
        let first = (self.quarter as i32 - 1) * 3 + 1;
        (
            format!("{:04}-{:02}", self.year, first),
            format!("{:04}-{:02}", self.year, first + 2),
        )
    }

    /// First and last day.
    pub fn days(&self) -> (Date, Date) {
        let first_month = (self.quarter as i8 - 1) * 3 + 1;
        let year = self.year as i16;
        let first = civil::date(year, first_month, 1);
        let last = civil::date(year, first_month + 2, 1).last_of_month();
        (Date(first.to_string()), Date(last.to_string()))
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(Date::parse("2022-06-10").is_ok());
        assert!(Date::parse("2022-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2022-6-10").is_err());
        assert!(Date::parse("2022-13-01").is_err());
        let d = Date::parse("2022-06-10").unwrap();
        assert_eq!(d.unix_start(), 1_654_819_200);
        assert_eq!(Date::from_unix(1_654_819_200 + 86_399), d);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            unix_from_rfc3339("2022-06-10T00:00:00Z"),
            Some(1_654_819_200)
        );
        assert_eq!(
            unix_from_rfc3339("2022-06-10T02:00:00+02:00"),
            Some(1_654_819_200)
        );
        assert_eq!(
            unix_from_rfc3339("2022-06-10T00:00:01.5Z"),
            Some(1_654_819_201)
        );
        assert_eq!(unix_from_rfc3339("yesterday"), None);
    }

    #[test]
    fn quarters() {
        let q = Quarter::parse("2023q3").unwrap();
        assert_eq!(q.months(), ("2023-07".into(), "2023-09".into()));
        assert_eq!(q.days().1.as_str(), "2023-09-30");
        assert_eq!(
            Quarter::parse("2024Q1").unwrap().days().1.as_str(),
            "2024-03-31"
        );
        assert!(Quarter::parse("2023Q5").is_err());
        assert!(Quarter::parse("23Q1").is_err());
    }
}
