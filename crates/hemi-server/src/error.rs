//! One error type for every handler, pages and API alike. [`WebError`] answers as RFC
//! 9457 problem details (`application/problem+json`); on a page route the access guard
//! re-renders it as an HTML page inside the site's layout (it knows the viewer, the
//! handler need not). A refusal of the application layer is a 4xx naming the field;
//! a fault on our side is a 500 with a generic body, its cause logged with the request
//! id the response also carries.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hemi_app::AppError;
use serde::de::DeserializeOwned;
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
    /// For validation problems: the parameter or form field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Everything a handler can fail with.
#[derive(Debug)]
pub enum WebError {
    /// The request is malformed (a number that is not one, a form that does not parse).
    BadRequest(String),
    /// No valid session or bearer token.
    Unauthorized,
    /// Authenticated, but not allowed.
    Forbidden(String),
    /// The form was not sent from this site (CSRF token missing or wrong).
    ExpiredForm,
    /// Nothing here.
    NotFound(Option<String>),
    /// The path exists, the method does not: (method asked, methods allowed).
    MethodNotAllowed(String, String),
    /// Well-formed but invalid: (parameter, what is wrong, what to do).
    Unprocessable(String, String, String),
    /// A rule refused it as things stand: (field, what, what to do).
    Conflict(String, String, String),
    /// A body over the limit.
    TooLarge(String),
    /// Too many requests from this client.
    TooManyRequests(String),
    /// Busy; try again shortly.
    Unavailable(String),
    /// A fault on our side; logged, never shown.
    Internal(anyhow::Error),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        match e {
            AppError::Invalid(p) => {
                let d = p.diagnostics.first();
                WebError::Unprocessable(
                    d.map(|d| d.field.clone()).unwrap_or_default(),
                    problems_text(&p),
                    d.map(|d| d.hint.clone()).unwrap_or_default(),
                )
            }
            AppError::Refused(p) => {
                let d = p.diagnostics.first();
                WebError::Conflict(
                    d.map(|d| d.field.clone()).unwrap_or_default(),
                    problems_text(&p),
                    d.map(|d| d.hint.clone()).unwrap_or_default(),
                )
            }
            AppError::NotFound { what, id, hint } => {
                WebError::NotFound(Some(format!("{what} {id:?} does not exist; {hint}")))
            }
            AppError::Forbidden(why) => WebError::Forbidden(why),
            AppError::Busy(why) => WebError::Unavailable(why),
            AppError::Store(e) => WebError::Internal(e.into()),
            AppError::Internal(e) => WebError::Internal(e),
        }
    }
}

impl From<hemi_store::StoreError> for WebError {
    fn from(e: hemi_store::StoreError) -> WebError {
        WebError::Internal(e.into())
    }
}

/// Problems as one sentence per problem, without the hint (given apart).
fn problems_text(p: &hemi_app::Problems) -> String {
    let mut parts: Vec<String> = p
        .diagnostics
        .iter()
        .map(|d| {
            let place = match (d.file.is_empty(), d.line) {
                (true, _) => String::new(),
                (false, 0) => format!("{}: ", d.file),
                (false, line) => format!("{}:{line}: ", d.file),
            };
            if d.file.is_empty() {
                format!("{}{}", place, d.message)
            } else {
                format!("{place}{}: {}", d.field, d.message)
            }
        })
        .collect();
    if p.more > 0 {
        parts.push(format!("and {} more problems", p.more));
    }
    parts.join("; ")
}

/// What a page shows for an error, put in the response's extensions so the access
/// guard can render it in the site's layout for the viewer.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// Heading.
    pub title: String,
    /// What went wrong.
    pub detail: String,
    /// What to do.
    pub hint: String,
}

impl WebError {
    /// The problem details.
    pub fn problem(&self) -> Problem {
        let (status, title, detail, parameter, hint): (
            StatusCode,
            &str,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = match self {
            WebError::BadRequest(d) => (
                StatusCode::BAD_REQUEST,
                "Bad request",
                Some(d.clone()),
                None,
                None,
            ),
            WebError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Authentication required",
                Some("log in, or send an API token as 'Authorization: Bearer TOKEN'".into()),
                None,
                None,
            ),
            WebError::Forbidden(d) => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                Some(d.clone()),
                None,
                None,
            ),
            WebError::ExpiredForm => (
                StatusCode::FORBIDDEN,
                "Form expired",
                Some("the form expired or was not sent from this site".into()),
                None,
                Some("reload the page and send the form again".into()),
            ),
            WebError::NotFound(d) => (StatusCode::NOT_FOUND, "Not found", d.clone(), None, None),
            WebError::MethodNotAllowed(method, allow) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                Some(format!("{method} is not served here; use {allow}")),
                None,
                None,
            ),
            WebError::Unprocessable(p, d, h) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input",
                Some(d.clone()),
                (!p.is_empty()).then(|| p.clone()),
                (!h.is_empty()).then(|| h.clone()),
            ),
            WebError::Conflict(p, d, h) => (
                StatusCode::CONFLICT,
                "Refused",
                Some(d.clone()),
                (!p.is_empty()).then(|| p.clone()),
                (!h.is_empty()).then(|| h.clone()),
            ),
            WebError::TooLarge(d) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                Some(d.clone()),
                None,
                None,
            ),
            WebError::TooManyRequests(d) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                Some(d.clone()),
                None,
                None,
            ),
            WebError::Unavailable(d) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy",
                Some(d.clone()),
                None,
                None,
            ),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                Some(
                    "the error has been logged; quote the x-request-id header when reporting it"
                        .into(),
                ),
                None,
                None,
            ),
        };
        Problem {
            problem_type: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            parameter,
            hint,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self {
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
        // A list of methods becomes the Allow header; the router's fallback leaves the
        // header to axum, which lists the path's methods itself.
        if let WebError::MethodNotAllowed(_, allow) = &self {
            let is_method_list = !allow.is_empty()
                && allow
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b',' || b == b' ');
            if let (true, Ok(allow)) = (is_method_list, header::HeaderValue::from_str(allow)) {
                response.headers_mut().insert(header::ALLOW, allow);
            }
        }
        response.extensions_mut().insert(ErrorPage {
            title: problem.title.clone(),
            detail: problem.detail.clone().unwrap_or_default(),
            hint: problem.hint.clone().unwrap_or_default(),
        });
        response
    }
}

/// Path extraction whose failures are problem details: an id that cannot be one (not a
/// number, out of range) names nothing, so 404 like an id that does not exist.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_: PathRejection| WebError::NotFound(None))
    }
}

/// Query extraction whose failures are problem details (400), not plain text.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| WebError::BadRequest(e.body_text()))
    }
}

/// A JSON body whose failures are problem details (400), not plain text. Requiring
/// `application/json` also keeps cross-site forms out (they cannot send it).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(|e| WebError::BadRequest(e.body_text()))
    }
}

/// Form extraction whose failures are problem details (400) or 413 for a body over
/// the route's limit.
pub struct WebForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for WebForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(v)| WebForm(v))
            .map_err(|e: FormRejection| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::TooLarge("the form is larger than this page accepts".into())
                } else {
                    WebError::BadRequest(e.body_text())
                }
            })
    }
}

/// Handler result.
pub type WebResult<T = Response> = Result<T, WebError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let problem =
            WebError::Internal(anyhow::anyhow!("password=hunter2 in connection string")).problem();
        assert_eq!(problem.status, 500);
        assert!(!serde_json::to_string(&problem).unwrap().contains("hunter2"));
    }

    #[test]
    fn refusals_are_409_and_bad_input_422_with_the_field() {
        let refused: WebError =
            AppError::refused("cap", "the cap is full", "wait for places").into();
        let p = refused.problem();
        assert_eq!(
            (p.status, p.parameter.as_deref(), p.hint.as_deref()),
            (409, Some("cap"), Some("wait for places"))
        );
        let invalid: WebError =
            AppError::invalid("year", "1850 has no counts", "pick a listed year").into();
        assert_eq!(invalid.problem().status, 422);
        let missing: WebError = AppError::not_found("event", "X", "see the board").into();
        assert_eq!(missing.problem().status, 404);
    }
}
