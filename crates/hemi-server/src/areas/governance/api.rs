//! The L.A. Process in the JSON API: `/api/commitments`, every commitment with its
//! latest progress (what `/governance` shows), read through `hemi_app::governance`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiQuery, Problem, WebError};
use crate::format::{csv_response, wants_csv};
use crate::AppState;

/// One commitment with its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentItem {
    /// Id.
    pub id: i64,
    /// State or organisation that owns it (ISO3 or organisation code).
    pub owner: String,
    /// Pillar key.
    pub pillar: String,
    /// What is promised.
    pub title: String,
    /// Unit of baseline, target and progress.
    pub unit: String,
    /// Baseline value and its date.
    pub baseline_value: f64,
    /// Date of the baseline, `YYYY-MM-DD`.
    pub baseline_date: String,
    /// Target value.
    pub target_value: f64,
    /// Due date, `YYYY-MM-DD`.
    pub target_date: String,
    /// active | stopped | complete | withdrawn.
    pub status: String,
    /// Latest reported value.
    pub latest_value: Option<f64>,
    /// Date of the latest report.
    pub latest_on: Option<String>,
    /// Share of the way from baseline to target (1 = met).
    pub progress_share: Option<f64>,
}

/// Commitments.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentsPage {
    /// Every commitment, by id.
    pub items: Vec<CommitmentItem>,
}

/// Parameters of `GET /api/commitments`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentsQuery {
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// Commitments under the L.A. Declaration with their latest progress (like `hemi process commitments list`).
#[utoipa::path(get, path = "/api/commitments", params(CommitmentsQuery), security(()),
    responses(
        (status = 200, description = "Commitments", content((CommitmentsPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid format", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_commitments(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<CommitmentsQuery>,
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    let items: Vec<CommitmentItem> = state
        .app
        .commitments(None)
        .await?
        .into_iter()
        .map(|c| CommitmentItem {
            id: c.id,
            owner: c.owner,
            pillar: c.pillar,
            title: c.title,
            unit: c.unit,
            baseline_value: c.baseline_value,
            baseline_date: c.baseline_date,
            target_value: c.target_value,
            target_date: c.target_date,
            status: c.status,
            latest_value: c.latest_value,
            latest_on: c.latest_on,
            progress_share: c.progress_share,
        })
        .collect();
    if csv {
        return csv_response(
            &items,
            &[
                "id",
                "owner",
                "pillar",
                "title",
                "unit",
                "baseline_value",
                "baseline_date",
                "target_value",
                "target_date",
                "status",
                "latest_value",
                "latest_on",
                "progress_share",
            ],
        );
    }
    Ok(Json(CommitmentsPage { items }).into_response())
}
