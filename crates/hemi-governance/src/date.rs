//! Calendar dates (`YYYY-MM-DD`), quarters (`2023Q3`) and the Unix-seconds arithmetic
//! that task deadlines need, without a clock: callers pass the time.

use std::fmt;
use std::str::FromStr;

use crate::{GovernanceError, Result};

/// A calendar date; its text form sorts in time order, as stored.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Date(String);

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// Parse `YYYY-MM-DD`, refusing days that do not exist.
    pub fn parse(text: &str) -> Result<Date> {
        let bad = || GovernanceError::BadDate(text.to_owned());
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64> {
            let s = &text[r];
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(bad());
        }
        Ok(Date(text.to_owned()))
    }

    /// The text, `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> (i64, i64, i64) {
        (
            self.0[0..4].parse().unwrap_or(1970),
            self.0[5..7].parse().unwrap_or(1),
            self.0[8..10].parse().unwrap_or(1),
        )
    }

    /// The month, `YYYY-MM`.
    pub fn month(&self) -> &str {
        &self.0[..7]
    }

    /// Unix seconds at 00:00 UTC of this date.
    pub fn unix_start(&self) -> i64 {
        let (y, m, d) = self.parts();
        days_from_civil(y, m, d) * 86_400
    }

    /// The UTC date of a Unix time.
    pub fn from_unix(seconds: i64) -> Date {
        let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
        Date(format!("{y:04}-{m:02}-{d:02}"))
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

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Unix seconds of an RFC 3339 UTC time as the store writes it (`2021-09-01T12:00:00Z`,
/// an offset or fractional seconds are accepted); `None` when it is not one.
pub fn unix_from_rfc3339(text: &str) -> Option<i64> {
    let date = Date::parse(text.get(..10)?).ok()?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let hms: Vec<i64> = rest
        .get(..8)?
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 {
        return None;
    }
    let mut tail = &rest[8..];
    if let Some(frac) = tail.strip_prefix('.') {
        tail = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match tail {
        "Z" | "z" | "" | "+00:00" => 0,
        t if t.len() == 6 => {
            let sign = if t.starts_with('-') { -1 } else { 1 };
            let h: i64 = t.get(1..3)?.parse().ok()?;
            let m: i64 = t.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    Some(date.unix_start() + hms[0] * 3600 + hms[1] * 60 + hms[2] - offset)
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
        let year: i32 = if y.len() == 4 {
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
        let (first, last) = self.months();
        let last_day = days_in_month(self.year as i64, last[5..7].parse().unwrap_or(12));
        (
            Date(format!("{first}-01")),
            Date(format!("{last}-{last_day:02}")),
        )
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
