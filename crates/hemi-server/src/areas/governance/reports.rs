//! `/reports/{quarter}`: the quarterly report, the same document `hemi report
//! quarterly` writes, computed by `hemi_app::report`. It carries its own styles (it is
//! also saved as a file), so it is served with a policy that allows inline styles and
//! nothing else.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hemi_governance::Quarter;

use crate::error::{WebError, WebResult};
use crate::AppState;

/// `GET /reports/{quarter}`.
pub async fn quarterly(
    State(state): State<AppState>,
    Path(quarter): Path<String>,
) -> WebResult<Response> {
    let quarter = Quarter::parse(&quarter).map_err(|_| {
        WebError::NotFound(Some(format!(
            "{quarter:?} is not a quarter; reports are named like 2023Q3"
        )))
    })?;
    let report = state.app.quarterly_report(&quarter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
            ),
        ],
        crate::report::render(&report).into_string(),
    )
        .into_response())
}
