//! Answer formats shared by the API: JSON or CSV (`?format=csv` or `Accept: text/csv`),
//! and the small parsers every query string uses.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::WebError;

/// An ISO3-like code as typed: trimmed, upper case; empty means "no filter".
pub fn code(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_uppercase)
}

/// A free-text filter: trimmed; empty means "no filter".
pub fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// True when the caller asked for CSV by parameter or by `Accept`.
pub fn wants_csv(format: &Option<String>, headers: &HeaderMap) -> Result<bool, WebError> {
    match text(format).as_deref() {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(WebError::Unprocessable(
            "format".into(),
            format!("{other:?} is not a format"),
            "use json or csv".into(),
        )),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| {
                accept
                    .split(',')
                    .any(|part| part.trim().starts_with("text/csv"))
            })),
    }
}

/// Rows as a CSV answer (a header row even when there are no rows).
pub fn csv_response<T: Serialize>(rows: &[T], headers: &[&str]) -> Result<Response, WebError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        // serde writes the header with the first row; an empty table still gets one.
        writer
            .write_record(headers)
            .map_err(|e| WebError::Internal(e.into()))?;
    }
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| WebError::Internal(e.into()))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// A month parameter (`YYYY-MM`), empty meaning "not given".
pub fn month_param(
    raw: &Option<String>,
    name: &str,
) -> Result<Option<hemi_core::Period>, WebError> {
    match text(raw) {
        None => Ok(None),
        Some(t) => hemi_app::check::month(&t, name)
            .map(Some)
            .map_err(WebError::from),
    }
}
