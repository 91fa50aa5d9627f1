//! The pathways JSON API: the public catalogue with the places left
//! (`/api/pathways/programs`), and for pathways officers their office's queue and one
//! application with eligibility and reasons. The same `hemi_app` workflows as the CLI
//! and the pages, so scope (an officer's office) is checked in one place.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hemi_app::pathways::{date_or_today, verdict_label};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{ClientIp, Viewer};
use crate::error::{ApiPath, ApiQuery, Problem, WebError};
use crate::AppState;

/// Parameters of `GET /api/pathways/programs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramsQuery {
    /// Day the caps and opening are read for, YYYY-MM-DD (default today).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub on: Option<String>,
}

/// A cap as it stands on the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CapItem {
    /// Cap key.
    pub pool: String,
    /// What is counted.
    pub unit: String,
    /// Period on the day (`FY2024`, `2024-01`, `total`); empty when not in force.
    pub period: String,
    /// Programs sharing the cap.
    pub programs: Vec<String>,
    /// Only these nationalities count against it (empty: all).
    pub nationalities: Vec<String>,
    /// Places in the period, raises included.
    pub capacity_places: i64,
    /// Places left.
    pub remaining_places: i64,
}

/// Where to apply.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceItem {
    /// ISO3, or `*` for anywhere.
    pub country: String,
    /// How.
    pub how: String,
}

/// A program of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramItem {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Operating state, ISO3.
    pub operating_state: String,
    /// Kind: labour, sponsorship_parole, family_reunification, refugee_resettlement,
    /// humanitarian, border_worker, referral.
    pub kind: String,
    /// What it is, for the public.
    pub summary: String,
    /// Takes applications on the day.
    pub open: bool,
    /// Closed from this day.
    pub closed_on: Option<String>,
    /// Nationalities it is for (the eligibility rules decide).
    pub eligible_nationalities: Vec<String>,
    /// Where and how to apply.
    pub places_of_application: Vec<PlaceItem>,
    /// Typical days from application to decision (estimates unless cited).
    pub typical_days: u32,
    /// The L.A. Process commitment it serves.
    pub serves: Option<String>,
    /// Its legal basis (first citation).
    pub legal_basis: String,
    /// Caps.
    pub caps: Vec<CapItem>,
}

/// The catalogue on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramsPage {
    /// The day.
    pub on: String,
    /// Catalogue version.
    pub version: u32,
    /// Programs.
    pub items: Vec<ProgramItem>,
}

/// `GET /api/pathways/programs`: every program with who may apply where and the
/// places left in each cap.
#[utoipa::path(get, path = "/api/pathways/programs", params(ProgramsQuery), security(()),
    responses(
        (status = 200, description = "The catalogue", body = ProgramsPage),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_programs(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProgramsQuery>,
) -> Result<Response, WebError> {
    let on = date_or_today("on", q.on.as_deref())?;
    let version = state.app.pathways()?.catalogue().version;
    let items = programs(&state, on).await?;
    Ok(Json(ProgramsPage {
        on: on.to_string(),
        version,
        items,
    })
    .into_response())
}

/// The catalogue on `on` as API items (the page shows the same).
pub async fn programs(
    state: &AppState,
    on: hemi_pathways::Date,
) -> Result<Vec<ProgramItem>, WebError> {
    Ok(state
        .app
        .pathways_programs(on)
        .await?
        .into_iter()
        .map(|p| ProgramItem {
            key: p.key,
            name: p.name,
            operating_state: p.operating_state,
            kind: p.kind,
            summary: p.summary,
            open: p.open,
            closed_on: p.closed_on,
            eligible_nationalities: p.eligible_nationalities,
            places_of_application: p
                .places_of_application
                .into_iter()
                .map(|(country, how)| PlaceItem { country, how })
                .collect(),
            typical_days: p.typical_days,
            serves: p.serves,
            legal_basis: p.legal_basis,
            caps: p
                .caps
                .into_iter()
                .map(|c| CapItem {
                    pool: c.pool,
                    unit: c.unit,
                    period: c.period,
                    programs: c.programs,
                    nationalities: c.nationalities,
                    capacity_places: c.capacity_places,
                    remaining_places: c.remaining_places,
                })
                .collect(),
        })
        .collect())
}

/// Parameters of `GET /api/pathways/queue`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this office (an officer sees their own office only).
    #[param(pattern = r"^[A-Za-z0-9-]{0,40}$")]
    pub office: Option<String>,
    /// Day the waiting times are counted to, YYYY-MM-DD (default today).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub as_of: Option<String>,
}

/// One application in a queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    /// Office.
    pub office: String,
    /// Application.
    pub application_id: String,
    /// awaiting_screening, awaiting_referral, awaiting_decision, awaiting_travel, closed.
    pub stage: String,
    /// Days since received.
    pub waiting_days: i64,
    /// Days in the current stage.
    pub days_in_stage: i64,
    /// Household size.
    pub members: usize,
}

/// The queues.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    /// Day.
    pub as_of: String,
    /// Applications, longest waiting first within each office.
    pub items: Vec<QueueItem>,
}

fn stage_key(stage: hemi_pathways::cases::Stage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `GET /api/pathways/queue`: applications waiting at the officer's office.
#[utoipa::path(get, path = "/api/pathways/queue", params(QueueQuery),
    responses(
        (status = 200, description = "Queues", body = QueuePage),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another office, or not a pathways officer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let as_of = date_or_today("as_of", q.as_of.as_deref())?;
    let office = q.office.filter(|o| !o.trim().is_empty());
    if let Some(o) = &office {
        if o.len() > 40 || !o.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(WebError::BadRequest(format!(
                "office {o:?} is not an office code (letters, digits and hyphens, e.g. SMO-COL-BOG)"
            )));
        }
    }
    let views = state
        .app
        .pathways_queue(office.as_deref(), as_of, &actor)
        .await?;
    let items = views
        .iter()
        .flat_map(|v| {
            v.rows.iter().map(|r| QueueItem {
                office: v.office.clone(),
                application_id: r.application_id.clone(),
                stage: stage_key(r.stage),
                waiting_days: r.waiting_days,
                days_in_stage: r.days_in_stage,
                members: r.members,
            })
        })
        .collect();
    Ok(Json(QueuePage {
        as_of: as_of.to_string(),
        items,
    })
    .into_response())
}

/// One program's decision for one person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EligibilityItem {
    /// Program key.
    pub program: String,
    /// eligible, not eligible, needs information.
    pub verdict: String,
    /// The reasons that decided it, in plain words.
    pub reasons: Vec<String>,
    /// Facts to record before a decision.
    pub needs_information: Vec<String>,
}

/// A member of a household.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberItem {
    /// Person id.
    pub person_id: String,
    /// Given names.
    pub given_names: String,
    /// Family names.
    pub family_names: String,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Nationality.
    pub nationality: String,
    /// Relationship to the principal.
    pub relationship: String,
    /// Every program's decision.
    pub eligibility: Vec<EligibilityItem>,
}

/// A referral.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralItem {
    /// Id.
    pub id: i64,
    /// Person.
    pub person_id: String,
    /// Program.
    pub program: String,
    /// Day referred.
    pub referred_on: String,
    /// pending, approved, denied, withdrawn, travelled.
    pub state: String,
}

/// An application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationItem {
    /// Id.
    pub application_id: String,
    /// Office.
    pub office: String,
    /// Day received.
    pub received_on: String,
    /// Day eligibility was decided for.
    pub as_of: String,
    /// Members.
    pub members: Vec<MemberItem>,
    /// Referrals.
    pub referrals: Vec<ReferralItem>,
    /// Possible duplicates of its members flagged for a caseworker.
    pub possible_duplicates: usize,
}

/// Parameters of `GET /api/pathways/applications/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Day eligibility is decided for, YYYY-MM-DD (default today).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub as_of: Option<String>,
}

/// `GET /api/pathways/applications/{id}`: members, eligibility with reasons, referrals.
#[utoipa::path(get, path = "/api/pathways/applications/{id}", params(("id" = String, Path, description = "Application id"), ApplicationQuery),
    responses(
        (status = 200, description = "The application", body = ApplicationItem),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another office's case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn application(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let as_of = date_or_today("as_of", q.as_of.as_deref())?;
    let case = state.app.pathways_case(&id, as_of, &actor).await?;
    Ok(Json(ApplicationItem {
        application_id: case.application.application_id,
        office: case.application.office,
        received_on: case.application.received_on,
        as_of: case.as_of,
        members: case
            .members
            .into_iter()
            .map(|m| MemberItem {
                person_id: m.member.person_id,
                given_names: m.member.given_names,
                family_names: m.member.family_names,
                date_of_birth: m.member.date_of_birth,
                nationality: m.member.nationality,
                relationship: m.member.relationship,
                eligibility: m
                    .eligibility
                    .into_iter()
                    .map(|e| EligibilityItem {
                        verdict: verdict_label(e.verdict).to_owned(),
                        program: e.program,
                        reasons: e.reasons,
                        needs_information: e.needs_information,
                    })
                    .collect(),
            })
            .collect(),
        referrals: case
            .referrals
            .into_iter()
            .map(|r| ReferralItem {
                id: r.referral.id,
                person_id: r.referral.person_id,
                program: r.referral.program,
                referred_on: r.referral.referred_on,
                state: r.referral.state,
            })
            .collect(),
        possible_duplicates: case.duplicates.len(),
    })
    .into_response())
}
