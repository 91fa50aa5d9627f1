//! The series API: series (paged in SQL), values per period and totals, as JSON or
//! CSV. Every selector is checked against what is stored (`hemi_app::App::series_filter`):
//! an unknown country or a range out of order is a 422 naming the parameter.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hemi_app::flows::SeriesQuery as Selectors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::Viewer;
use crate::error::{ApiQuery, Problem, WebError};
use crate::format::{code, csv_response, text, wants_csv};
use crate::AppState;

/// Largest page of series one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest offset into the series list (far beyond any node's series count).
pub const MAX_OFFSET: usize = 1_000_000;

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
    #[param(minimum = 1, maximum = 1000000)]
    pub vintage: Option<i64>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// Series to skip, 0 to 1,000,000 (default 0).
    #[param(minimum = 0, maximum = 1000000)]
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
    #[param(minimum = 1, maximum = 1000000)]
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
    #[param(minimum = 1, maximum = 1000000)]
    pub vintage: Option<i64>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

fn selectors(
    viewer: &Viewer,
    reporting: &Option<String>,
    nationality: &Option<String>,
    source: &Option<String>,
    measure: &Option<String>,
    breakdown: &Option<String>,
) -> Result<Selectors, WebError> {
    Ok(Selectors {
        reporting: viewer.user()?.scope_reporting(code(reporting))?,
        nationality: code(nationality),
        source: text(source),
        measure: text(measure),
        breakdown: text(breakdown),
        ..Default::default()
    })
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
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(WebError::Unprocessable(
            "limit".into(),
            format!("{limit} is outside 1 to {MAX_LIMIT}"),
            "ask for a smaller page and follow offset".into(),
        ));
    }
    let offset = q.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(WebError::Unprocessable(
            "offset".into(),
            format!("{offset} is over {MAX_OFFSET}"),
            "follow the next page link instead of guessing offsets".into(),
        ));
    }
    let mut asked = selectors(
        &viewer,
        &q.reporting,
        &q.nationality,
        &q.source,
        &q.measure,
        &q.breakdown,
    )?;
    asked.vintage = q.vintage;
    let filter = state.app.series_filter(&asked).await?;
    let (page, total) = state
        .app
        .store()
        .list_series_page(
            &filter,
            hemi_store::Page {
                offset: offset as i64,
                limit: limit as i64,
            },
        )
        .await?;
    let total = total as usize;
    let items: Vec<SeriesItem> = page
        .into_iter()
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
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    let mut asked = selectors(
        &viewer,
        &q.reporting,
        &q.nationality,
        &q.source,
        &q.measure,
        &q.breakdown,
    )?;
    asked.from = text(&q.from);
    asked.to = text(&q.to);
    asked.vintage = q.vintage;
    let filter = state.app.series_filter(&asked).await?;
    let items: Vec<ValueRow> = state
        .app
        .store()
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
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    // Only the nationality breakdown is summed across nationalities by default; other
    // breakdowns describe the same people again.
    let breakdown = Some(text(&q.breakdown).unwrap_or_else(|| "nationality".into()));
    let mut asked = selectors(
        &viewer,
        &q.reporting,
        &None,
        &q.source,
        &q.measure,
        &breakdown,
    )?;
    asked.from = text(&q.from);
    asked.to = text(&q.to);
    asked.vintage = q.vintage;
    let filter = state.app.series_filter(&asked).await?;
    let items: Vec<TotalRow> = state
        .app
        .store()
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
