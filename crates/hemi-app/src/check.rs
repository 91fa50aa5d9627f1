//! Checking what a user typed against what exists: country codes against the code
//! list, periods in order, with "did you mean" where a known value is close. Every
//! adapter (CLI flags, web forms, API parameters) goes through these, so they refuse
//! the same things with the same words.

use hemi_core::{CountryCodes, Granularity, Period};

use crate::{AppError, Result};

/// An ISO 3166 alpha-3 code (any case) that the bundled code list knows, upper-cased.
/// Publisher codes beyond ISO (`OOO`, `STL`, ...) are accepted where the profiles
/// declare them, through [`country_or_publisher_code`].
pub fn country(typed: &str, field: &str) -> Result<String> {
    let code = typed.trim().to_uppercase();
    let codes = CountryCodes::bundled();
    if code.len() == 3 && codes.contains(&code) {
        return Ok(code);
    }
    let all: Vec<String> = codes
        .all()
        .into_iter()
        .map(|c| c.iso3.to_string())
        .collect();
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    Err(AppError::invalid(
        field,
        format!("{typed:?} is not an ISO 3166 alpha-3 country code"),
        hemi_core::suggest::did_you_mean(
            &code,
            &refs,
            "codes are three letters, e.g. PAN, HTI, VEN",
        ),
    ))
}

/// A country code, or one of the extra codes publishers use (given by the caller).
pub fn country_or_publisher_code(typed: &str, field: &str, extra: &[&str]) -> Result<String> {
    let code = typed.trim().to_uppercase();
    if extra.iter().any(|e| e.eq_ignore_ascii_case(&code)) || code == "ALL" {
        return Ok(code);
    }
    country(typed, field)
}

/// A period `YYYY` or `YYYY-MM`.
pub fn period(typed: &str, field: &str) -> Result<Period> {
    typed.trim().parse::<Period>().map_err(|e| {
        AppError::invalid(
            field,
            e.to_string(),
            "periods are YYYY-MM or YYYY, e.g. 2021-09 or 2021",
        )
    })
}

/// A month `YYYY-MM`.
pub fn month(typed: &str, field: &str) -> Result<Period> {
    Period::parse_as(typed.trim(), Granularity::Month)
        .map_err(|e| AppError::invalid(field, e.to_string(), "months are YYYY-MM, e.g. 2021-09"))
}

/// Refuse a range whose end comes before its start.
pub fn ordered(
    from: Option<&Period>,
    to: Option<&Period>,
    from_field: &str,
    to_field: &str,
) -> Result<()> {
    if let (Some(f), Some(t)) = (from, to) {
        // A year sorts before its months, so compare the first months.
        let first = |p: &Period| match p {
            Period::Year(y) => Period::Month(*y, 1),
            m => *m,
        };
        let last = |p: &Period| match p {
            Period::Year(y) => Period::Month(*y, 12),
            m => *m,
        };
        if last(t) < first(f) {
            return Err(AppError::invalid(
                to_field,
                format!("{t} is before {from_field} {f}"),
                format!("give {to_field} on or after {from_field}"),
            ));
        }
    }
    Ok(())
}

/// Refuse text longer than `max` characters.
pub fn bounded(text: &str, field: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        return Err(AppError::invalid(
            field,
            format!("is {n} characters long"),
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_checked_with_a_suggestion() {
        assert_eq!(country("pan", "--reporting").unwrap(), "PAN");
        let e = country("PNA", "--reporting").unwrap_err();
        assert!(e.to_string().contains("did you mean PAN"), "{e}");
        assert!(country("XYZ", "--reporting").is_err());
        assert_eq!(
            country_or_publisher_code("ooo", "n", &["OOO"]).unwrap(),
            "OOO"
        );
    }

    #[test]
    fn ranges_must_be_in_order() {
        let a = period("2022-01", "--from").unwrap();
        let b = period("2021-01", "--to").unwrap();
        assert!(ordered(Some(&a), Some(&b), "--from", "--to").is_err());
        assert!(ordered(Some(&b), Some(&a), "--from", "--to").is_ok());
        let y = period("2022", "--to").unwrap();
        assert!(ordered(Some(&a), Some(&y), "--from", "--to").is_ok());
    }
}
