//! API errors as RFC 9457 problem details (`application/problem+json`).
//!
//! A server fault answers with a generic body; the full error goes to the log, tagged
//! with the request id the response also carries, so an operator can find it.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For validation problems: the parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// Everything an API handler can fail with.
#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed (e.g. a number that is not one).
    BadRequest(String),
    /// No valid session or bearer token.
    Unauthorized,
    /// Authenticated, but not allowed.
    Forbidden(String),
    /// Nothing here.
    NotFound,
    /// The path exists, the method does not: (method asked, methods allowed).
    MethodNotAllowed(String, String),
    /// Well-formed but invalid: (parameter, what is wrong).
    Unprocessable(String, String),
    /// A fault on our side; logged, never shown.
    Internal(anyhow::Error),
}

impl From<hemi_store::StoreError> for ApiError {
    fn from(e: hemi_store::StoreError) -> ApiError {
        ApiError::Internal(e.into())
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        let (status, title, detail, parameter) = match self {
            ApiError::BadRequest(d) => (
                StatusCode::BAD_REQUEST,
                "Bad request",
                Some(d.clone()),
                None,
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Authentication required",
                Some("log in, or send an API token as 'Authorization: Bearer TOKEN'".into()),
                None,
            ),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, "Forbidden", Some(d.clone()), None),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "Not found", None, None),
            ApiError::MethodNotAllowed(method, allow) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                Some(format!("{method} is not served here; use {allow}")),
                None,
            ),
            ApiError::Unprocessable(p, d) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid parameter",
                Some(d.clone()),
                Some(p.clone()),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                Some(
                    "the error has been logged; quote the x-request-id header when reporting it"
                        .into(),
                ),
                None,
            ),
        };
        Problem {
            problem_type: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            parameter,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let ApiError::MethodNotAllowed(_, allow) = &self {
            if let Ok(allow) = header::HeaderValue::from_str(allow) {
                response.headers_mut().insert(header::ALLOW, allow);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let problem =
            ApiError::Internal(anyhow::anyhow!("password=hunter2 in connection string")).problem();
        assert_eq!(problem.status, 500);
        assert!(!serde_json::to_string(&problem).unwrap().contains("hunter2"));
    }
}
