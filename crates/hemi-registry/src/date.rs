//! Calendar dates, partial dates of birth and UTC timestamps, checked against the
//! Gregorian calendar, with no clock: callers pass every date and time.

use crate::RegistryError;
use std::fmt;

/// Whether a Gregorian year is a leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month of a year (1-based month); 0 for a month outside 1..=12.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant, "chrono-Compatible
/// Low-Level Date Algorithms", `days_from_civil`).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// A full calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
}

impl Date {
    /// A date, refused when it is not on the calendar (2023-02-29, 2021-04-31).
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, RegistryError> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        check_ymd(&text, year, Some(month), Some(day))?;
        Ok(Date { year, month, day })
    }

    /// Parse `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, RegistryError> {
        match PartialDate::parse(text)? {
            PartialDate {
                year,
                month: Some(month),
                day: Some(day),
            } => Ok(Date { year, month, day }),
            _ => Err(invalid(text, "a full date YYYY-MM-DD is needed here")),
        }
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(&self, days: i64) -> Date {
        let (year, month, day) = civil_from_days(self.days_since_epoch() + days);
        Date { year, month, day }
    }

    /// The same day `years` later; 29 February becomes 28 February in a common year.
    pub fn add_years(&self, years: i32) -> Date {
        let year = self.year + years;
        let day = self.day.min(days_in_month(year, self.month));
        Date {
            year,
            month: self.month,
            day,
        }
    }

    /// `YYYY-MM` of the date.
    pub fn month_text(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A date of birth that may be known only to the year or the month, as registration
/// documents often give it ("1987", "1987-03", "1987-03-14").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// Year.
    pub year: i32,
    /// Month, when known.
    pub month: Option<u8>,
    /// Day, when known (only with a month).
    pub day: Option<u8>,
}

fn invalid(text: &str, reason: &str) -> RegistryError {
    RegistryError::InvalidDate {
        text: text.to_owned(),
        reason: reason.to_owned(),
    }
}

fn check_ymd(
    text: &str,
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
) -> Result<(), RegistryError> {
    if !(1800..=2200).contains(&year) {
        return Err(invalid(text, "the year must be between 1800 and 2200"));
    }
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return Err(invalid(text, &format!("month {m} is not 1 to 12")));
        }
        if let Some(d) = day {
            let last = days_in_month(year, m);
            if d == 0 || d > last {
                return Err(invalid(
                    text,
                    &format!("day {d} does not exist in {year:04}-{m:02}, which has {last} days"),
                ));
            }
        }
    } else if day.is_some() {
        return Err(invalid(text, "a day without a month"));
    }
    Ok(())
}

impl PartialDate {
    /// A partial date, refused when it is not on the calendar.
    pub fn new(
        year: i32,
        month: Option<u8>,
        day: Option<u8>,
    ) -> Result<PartialDate, RegistryError> {
        let text = match (month, day) {
            (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{year:04}-{m:02}"),
            _ => format!("{year:04}"),
        };
        check_ymd(&text, year, month, day)?;
        Ok(PartialDate { year, month, day })
    }

    /// Parse `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYYMMDD` (FEBRL) or `DD/MM/YYYY` (the
    /// order Latin American forms print). Impossible dates are refused with the reason.
    pub fn parse(text: &str) -> Result<PartialDate, RegistryError> {
        let t = text.trim();
        let num = |s: &str| -> Result<i64, RegistryError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
                Err(invalid(
                    text,
                    "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
                ))
            } else {
                Ok(s.parse::<i64>().unwrap_or(0))
            }
        };
        let (year, month, day) = if t.contains('/') {
            let parts: Vec<&str> = t.split('/').collect();
            if parts.len() != 3 || parts[2].len() != 4 {
                return Err(invalid(text, "expected DD/MM/YYYY"));
            }
            (num(parts[2])?, Some(num(parts[1])?), Some(num(parts[0])?))
        } else if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            (num(&t[0..4])?, Some(num(&t[4..6])?), Some(num(&t[6..8])?))
        } else {
            let parts: Vec<&str> = t.split('-').collect();
            if parts[0].len() != 4 || parts.len() > 3 || parts.iter().skip(1).any(|p| p.len() != 2)
            {
                return Err(invalid(
                    text,
                    "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY",
                ));
            }
            let month = parts.get(1).map(|p| num(p)).transpose()?;
            let day = parts.get(2).map(|p| num(p)).transpose()?;
            (num(parts[0])?, month, day)
        };
        let month = month.map(|m| m.min(255) as u8);
        let day = day.map(|d| d.min(255) as u8);
        check_ymd(text, year as i32, month, day)?;
        Ok(PartialDate {
            year: year as i32,
            month,
            day,
        })
    }

    /// Whether every part is known.
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// The full date, when every part is known.
    pub fn to_date(&self) -> Option<Date> {
        match (self.month, self.day) {
            (Some(month), Some(day)) => Some(Date {
                year: self.year,
                month,
                day,
            }),
            _ => None,
        }
    }

    /// Whether `date` falls inside this partial date (1987-03 contains 1987-03-14).
    pub fn contains(&self, date: Date) -> bool {
        self.year == date.year
            && self.month.is_none_or(|m| m == date.month)
            && self.day.is_none_or(|d| d == date.day)
    }

    /// Whether the earliest day this partial date could be is after `date`.
    pub fn is_after(&self, date: Date) -> bool {
        let earliest = Date {
            year: self.year,
            month: self.month.unwrap_or(1),
            day: self.day.unwrap_or(1),
        };
        earliest > date
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

impl serde::Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A UTC instant in whole seconds since 1970-01-01T00:00:00Z, written `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parse `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC) or a bare `YYYY-MM-DD` (midnight).
    pub fn parse(text: &str) -> Result<Timestamp, RegistryError> {
        let t = text.trim();
        let (date_part, time_part) = match t.split_once('T') {
            Some((d, rest)) => (d, Some(rest)),
            None => (t, None),
        };
        let date =
            Date::parse(date_part).map_err(|_| invalid(text, "expected YYYY-MM-DDTHH:MM:SSZ"))?;
        let mut seconds = 0i64;
        if let Some(time) = time_part {
            let time = time
                .strip_suffix('Z')
                .ok_or_else(|| invalid(text, "times must be UTC, ending in Z"))?;
            let parts: Vec<&str> = time.split(':').collect();
            let ok = parts.len() == 3
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(invalid(text, "expected HH:MM:SS after T"));
            }
            let h: i64 = parts[0].parse().unwrap_or(99);
            let m: i64 = parts[1].parse().unwrap_or(99);
            let s: i64 = parts[2].parse().unwrap_or(99);
            if h > 23 || m > 59 || s > 59 {
                return Err(invalid(text, "hour, minute or second out of range"));
            }
            seconds = h * 3600 + m * 60 + s;
        }
        Ok(Timestamp(date.days_since_epoch() * 86_400 + seconds))
    }

    /// The UTC date of the instant.
    pub fn date(&self) -> Date {
        let (year, month, day) = civil_from_days(self.0.div_euclid(86_400));
        Date { year, month, day }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&str, &str>) {
        match (PartialDate::parse(text), expected) {
            (Ok(d), Ok(shown)) => assert_eq!(d.to_string(), shown, "{text}"),
            (Err(e), Err(reason)) => assert!(e.to_string().contains(reason), "{text}: {e}"),
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn partial_dates_parse_and_impossible_ones_are_refused() {
        check("1987", Ok("1987"));
        check("1987-03", Ok("1987-03"));
        check("1987-03-14", Ok("1987-03-14"));
        check("19870314", Ok("1987-03-14"));
        check("14/03/1987", Ok("1987-03-14"));
        check("2000-02-29", Ok("2000-02-29"));
        check(
            "1900-02-29",
            Err("does not exist in 1900-02, which has 28 days"),
        );
        check("2021-04-31", Err("does not exist"));
        check("2021-13", Err("month 13 is not 1 to 12"));
        check("2021-00-10", Err("month 0"));
        check("87-03-14", Err("expected"));
        check("1987-3-14", Err("expected"));
        check("abcd", Err("expected"));
        check("1700", Err("between 1800 and 2200"));
        check("", Err("expected"));
    }

    #[test]
    fn civil_days_round_trip_and_timestamps() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 19_000, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        let t = Timestamp::parse("2021-03-01T12:30:05Z").unwrap();
        assert_eq!(t.to_string(), "2021-03-01T12:30:05Z");
        assert_eq!(
            Timestamp::parse("2021-03-01").unwrap().to_string(),
            "2021-03-01T00:00:00Z"
        );
        assert!(Timestamp::parse("2021-03-01T12:30:05").is_err());
        assert!(Timestamp::parse("2021-03-01T24:00:00Z").is_err());
        assert_eq!(
            Date::parse("2024-02-29").unwrap().add_years(1).to_string(),
            "2025-02-28"
        );
        assert_eq!(
            Date::parse("2021-12-31").unwrap().add_days(1).to_string(),
            "2022-01-01"
        );
    }

    #[test]
    fn partial_date_containment() {
        let d = Date::parse("1987-03-14").unwrap();
        assert!(PartialDate::parse("1987").unwrap().contains(d));
        assert!(PartialDate::parse("1987-03").unwrap().contains(d));
        assert!(!PartialDate::parse("1987-04").unwrap().contains(d));
        assert!(PartialDate::parse("1988").unwrap().is_after(d));
    }
}
