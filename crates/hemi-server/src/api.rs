//! The JSON API under `/api`, described by an OpenAPI 3.1 document generated from
//! these handlers ([`ApiDoc`]). Every table is also CSV (`?format=csv` or
//! `Accept: text/csv`). API types are defined here, apart from the store's.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::access::Viewer;
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Largest page of series one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 100;

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hemisphere API",
        description = "Migration-flow series of the Americas: series, values per period, totals, burden-sharing indicators. \
            Authenticate with a session cookie (browser) or `Authorization: Bearer TOKEN` \
            (issued with `hemi users token`). Errors are RFC 9457 problem details."
    ),
    paths(list_series, series_values, totals, crate::indicators::list_indicators, crate::governance::list_commitments, crate::watch::list_events, crate::watch::event_detail, healthz, readyz),
    components(schemas(SeriesItem, SeriesPage, ValueRow, ValuesPage, TotalRow, TotalsPage, Problem,
        crate::indicators::IndicatorsPage, crate::indicators::IndicatorItem,
        crate::governance::CommitmentsPage, crate::governance::CommitmentItem,
        crate::watch::EventItem, crate::watch::EventsPage, crate::watch::EventDetail, crate::watch::AlertItem,
        crate::watch::RoleItem, crate::watch::HistoryItem, crate::watch::MonthValue)),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::access::SESSION_COOKIE,
            ))),
        );
    }
}

/// Query extraction whose failures are problem details (400), not plain text.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// One series with the span of its observations.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesItem {
    /// Series id.
    pub id: i64,
    /// Source (profile) name.
    pub source: String,
    /// Reporting country, ISO3.
    pub reporting: String,
    /// What is counted.
    pub measure: String,
    /// Additive group the series belongs to.
    pub breakdown: String,
    /// Nationality, ISO3, when the series has one.
    pub nationality: Option<String>,
    /// Every dimension, `name=value;...`.
    pub dimensions: String,
    /// `count` or `number`.
    pub value_kind: String,
    /// First period observed.
    pub first_period: String,
    /// Last period observed.
    pub last_period: String,
    /// Periods observed.
    pub periods: i64,
    /// Latest vintage among its values.
    pub vintage: i64,
}

/// A page of series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPage {
    /// Series matching the filters, before paging.
    pub total: usize,
    /// Page size used.
    pub limit: usize,
    /// Offset used.
    pub offset: usize,
    /// This page.
    pub items: Vec<SeriesItem>,
}

/// A value summed over the matching series of one breakdown, per period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueRow {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Breakdown.
    pub breakdown: String,
    /// Nationality, when the series have one.
    pub nationality: Option<String>,
    /// Sum of the series' values.
    pub value: f64,
    /// Series summed.
    pub series: i64,
    /// Highest vintage among the values summed.
    pub vintage: i64,
}

/// Values per period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValuesPage {
    /// Rows in period order within each group.
    pub items: Vec<ValueRow>,
}

/// A total across nationalities per period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalRow {
    /// Period.
    pub period: String,
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Breakdown summed (`nationality` unless asked otherwise).
    pub breakdown: String,
    /// Total.
    pub value: f64,
    /// Series summed.
    pub series: i64,
    /// Highest vintage among the values summed.
    pub vintage: i64,
}

/// Totals per period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsPage {
    /// Rows.
    pub items: Vec<TotalRow>,
}

/// Filters for `GET /api/series`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Reporting country (ISO3), e.g. PAN.
    pub reporting: Option<String>,
    /// Nationality (ISO3), e.g. HTI.
    pub nationality: Option<String>,
    /// Source (profile) name.
    pub source: Option<String>,
    /// Measure, e.g. darien_transits.
    pub measure: Option<String>,
    /// Breakdown, e.g. nationality.
    pub breakdown: Option<String>,
    /// Read as at this vintage (default: latest).
    #[param(minimum = 1)]
    pub vintage: Option<i64>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Series to skip (default 0).
    pub offset: Option<usize>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// Filters for `GET /api/series/values`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// Reporting country (ISO3).
    pub reporting: Option<String>,
    /// Nationality (ISO3).
    pub nationality: Option<String>,
    /// Source (profile) name.
    pub source: Option<String>,
    /// Measure.
    pub measure: Option<String>,
    /// Breakdown.
    pub breakdown: Option<String>,
    /// First period, `YYYY-MM` or `YYYY`, inclusive.
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2]))?)?$")]
    pub from: Option<String>,
    /// Last period, `YYYY-MM` or `YYYY` (a year includes its months), inclusive.
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2]))?)?$")]
    pub to: Option<String>,
    /// Read as at this vintage (default: latest).
    #[param(minimum = 1)]
    pub vintage: Option<i64>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// Filters for `GET /api/totals`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TotalsQuery {
    /// Reporting country (ISO3).
    pub reporting: Option<String>,
    /// Source (profile) name.
    pub source: Option<String>,
    /// Measure.
    pub measure: Option<String>,
    /// Breakdown to total (default `nationality`: other breakdowns count the same people again).
    pub breakdown: Option<String>,
    /// First period, inclusive.
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2]))?)?$")]
    pub from: Option<String>,
    /// Last period, inclusive.
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)(-(0[1-9]|1[0-2]))?)?$")]
    pub to: Option<String>,
    /// Read as at this vintage (default: latest).
    #[param(minimum = 1)]
    pub vintage: Option<i64>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// An ISO3-like code as stored: trimmed, upper case; empty means "no filter".
pub(crate) fn code(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_uppercase)
}

/// A free-text filter: trimmed; empty means "no filter".
pub(crate) fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A period bound as stored text; a year as upper bound includes its months.
pub(crate) fn period_bound(
    value: &Option<String>,
    upper: bool,
    parameter: &str,
) -> Result<Option<String>, ApiError> {
    let Some(raw) = text(value) else {
        return Ok(None);
    };
    let period: hemi_core::Period = raw.parse().map_err(|e| {
        ApiError::Unprocessable(
            parameter.into(),
            format!("{e}; periods are YYYY-MM or YYYY"),
        )
    })?;
    Ok(Some(match period {
        hemi_core::Period::Year(y) if upper => format!("{y:04}-12"),
        p => p.to_string(),
    }))
}

/// A vintage parameter: vintages are numbered from 1.
fn vintage(value: Option<i64>) -> Result<Option<i64>, ApiError> {
    match value {
        Some(v) if v < 1 => Err(ApiError::Unprocessable(
            "vintage".into(),
            format!("{v}: vintages are numbered from 1"),
        )),
        v => Ok(v),
    }
}

fn viewer_user(viewer: &Viewer) -> Result<&crate::access::CurrentUser, ApiError> {
    viewer.0.as_ref().ok_or(ApiError::Unauthorized)
}

fn scoped(viewer: &Viewer, asked: Option<String>) -> Result<Option<String>, ApiError> {
    viewer_user(viewer)?
        .scope_reporting(asked)
        .map_err(ApiError::Forbidden)
}

/// True when the caller asked for CSV by parameter or by `Accept`.
pub(crate) fn wants_csv(format: &Option<String>, headers: &HeaderMap) -> Result<bool, ApiError> {
    match text(format).as_deref() {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(ApiError::Unprocessable(
            "format".into(),
            format!("{other:?}: use json or csv"),
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

pub(crate) fn csv_response<T: Serialize>(
    rows: &[T],
    headers: &[&str],
) -> Result<Response, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        // serde writes the header with the first row; an empty table still gets one.
        writer
            .write_record(headers)
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// List series, paged.
#[utoipa::path(get, path = "/api/series", params(SeriesQuery),
    responses(
        (status = 200, description = "A page of series", content((SeriesPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another country's detail", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter (e.g. limit over 1000)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_series(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> Result<Response, ApiError> {
    let csv = wants_csv(&q.format, &headers)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::Unprocessable(
            "limit".into(),
            format!("{limit}: use 1 to {MAX_LIMIT}"),
        ));
    }
    let offset = q.offset.unwrap_or(0);
    let filter = hemi_store::SeriesFilter {
        reporting: scoped(&viewer, code(&q.reporting))?,
        nationality: code(&q.nationality),
        source: text(&q.source),
        measure: text(&q.measure),
        breakdown: text(&q.breakdown),
        vintage: vintage(q.vintage)?,
        ..Default::default()
    };
    let all = state.store.list_series(&filter).await?;
    let total = all.len();
    let items: Vec<SeriesItem> = all
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|s| SeriesItem {
            id: s.id,
            source: s.source,
            reporting: s.reporting,
            measure: s.measure,
            breakdown: s.breakdown,
            nationality: s.nationality,
            dimensions: s.dims,
            value_kind: s.value_kind,
            first_period: s.first_period,
            last_period: s.last_period,
            periods: s.periods,
            vintage: s.vintage,
        })
        .collect();
    if csv {
        return csv_response(&items, &SERIES_HEADERS);
    }
    Ok(Json(SeriesPage {
        total,
        limit,
        offset,
        items,
    })
    .into_response())
}

const SERIES_HEADERS: [&str; 12] = [
    "id",
    "source",
    "reporting",
    "measure",
    "breakdown",
    "nationality",
    "dimensions",
    "value_kind",
    "first_period",
    "last_period",
    "periods",
    "vintage",
];

/// Values per period, summed over the matching series of each breakdown (like `hemi series show`).
#[utoipa::path(get, path = "/api/series/values", params(ValuesQuery),
    responses(
        (status = 200, description = "Values per period", content((ValuesPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter (e.g. a number out of range)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another country's detail", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn series_values(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ValuesQuery>,
) -> Result<Response, ApiError> {
    let csv = wants_csv(&q.format, &headers)?;
    let filter = hemi_store::SeriesFilter {
        reporting: scoped(&viewer, code(&q.reporting))?,
        nationality: code(&q.nationality),
        source: text(&q.source),
        measure: text(&q.measure),
        breakdown: text(&q.breakdown),
        from: period_bound(&q.from, false, "from")?,
        to: period_bound(&q.to, true, "to")?,
        vintage: vintage(q.vintage)?,
    };
    let items: Vec<ValueRow> = state
        .store
        .sums(&filter, true)
        .await?
        .into_iter()
        .map(|r| ValueRow {
            period: r.period,
            reporting: r.reporting,
            measure: r.measure,
            breakdown: r.breakdown,
            nationality: r.nationality,
            value: r.value,
            series: r.series,
            vintage: r.vintage,
        })
        .collect();
    if csv {
        return csv_response(
            &items,
            &[
                "period",
                "reporting",
                "measure",
                "breakdown",
                "nationality",
                "value",
                "series",
                "vintage",
            ],
        );
    }
    Ok(Json(ValuesPage { items }).into_response())
}

/// Totals across nationalities per reporting country, measure and period (like `hemi series totals`).
#[utoipa::path(get, path = "/api/totals", params(TotalsQuery),
    responses(
        (status = 200, description = "Totals per period", content((TotalsPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter (e.g. a number out of range)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another country's detail", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn totals(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TotalsQuery>,
) -> Result<Response, ApiError> {
    let csv = wants_csv(&q.format, &headers)?;
    let filter = hemi_store::SeriesFilter {
        reporting: scoped(&viewer, code(&q.reporting))?,
        source: text(&q.source),
        measure: text(&q.measure),
        // Only the nationality breakdown is summed across nationalities by default; other
        // breakdowns describe the same people again.
        breakdown: Some(text(&q.breakdown).unwrap_or_else(|| "nationality".into())),
        from: period_bound(&q.from, false, "from")?,
        to: period_bound(&q.to, true, "to")?,
        vintage: vintage(q.vintage)?,
        nationality: None,
    };
    let items: Vec<TotalRow> = state
        .store
        .sums(&filter, false)
        .await?
        .into_iter()
        .map(|r| TotalRow {
            period: r.period,
            reporting: r.reporting,
            measure: r.measure,
            breakdown: r.breakdown,
            value: r.value,
            series: r.series,
            vintage: r.vintage,
        })
        .collect();
    if csv {
        return csv_response(
            &items,
            &[
                "period",
                "reporting",
                "measure",
                "breakdown",
                "value",
                "series",
                "vintage",
            ],
        );
    }
    Ok(Json(TotalsPage { items }).into_response())
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, description = "Process up", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", security(()), responses(
    (status = 200, description = "Database answers", body = String),
    (status = 503, description = "Database unreachable", body = String)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    // A lookup by unique key on an application table: cheap, and it also proves the
    // migrations ran.
    match state.store.user_by_name("").await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// The OpenAPI 3.1 document.
pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_pretty_json().unwrap_or_default(),
    )
        .into_response()
}
