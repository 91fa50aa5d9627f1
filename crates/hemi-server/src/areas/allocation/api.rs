//! Allocation in the JSON API: `/api/appointments/...` (public reads of a draw and its
//! verification; schedulers open and run draws) and `/api/placement/...` (placement
//! coordinators solve stored instances, read plans, explanations, occupancy, and
//! override one household with a reason). Everything goes through
//! `hemi_app::allocation`, the workflows `hemi appointments` and `hemi placement` use.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hemi_app::allocation::draws::{DrawVerification, DrawView};
use hemi_app::allocation::plans::OverrideRequest;
use hemi_app::progress::NoProgress;
use hemi_store::allocation::{DrawRow, InstanceRow, PlanRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{ClientIp, Viewer};
use crate::error::{ApiJson, ApiPath, Problem, WebError};
use crate::AppState;

/// A draw as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawItem {
    /// Id.
    pub id: i64,
    /// Day of the appointments, `YYYY-MM-DD`.
    pub draw_date: String,
    /// Last registration day counted.
    pub registration_closed_on: String,
    /// Households in the list.
    pub households: i64,
    /// People in the list.
    pub people: i64,
    /// SHA-256 of policy.txt followed by registrations.csv, published when the draw opened.
    pub commitment: String,
    /// Where the public value comes from (declared when the draw opened).
    pub public_value_source: String,
    /// The public value, once drawn.
    pub public_value: Option<String>,
    /// The seed derived from commitment and public value, once drawn.
    pub seed: Option<String>,
    /// True once drawn.
    pub drawn: bool,
}

impl From<&DrawRow> for DrawItem {
    fn from(d: &DrawRow) -> DrawItem {
        DrawItem {
            id: d.id,
            draw_date: d.draw_date.clone(),
            registration_closed_on: d.registration_closed_on.clone(),
            households: d.households,
            people: d.people,
            commitment: d.commitment.clone(),
            public_value_source: d.public_value_source.clone(),
            public_value: d.public_value.clone(),
            seed: d.seed.clone(),
            drawn: d.drawn_at.is_some(),
        }
    }
}

/// Draws.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawsPage {
    /// Newest first.
    pub items: Vec<DrawItem>,
}

/// One published file.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedFile {
    /// File name (policy.txt, commitment.txt, registrations.csv, public_value.txt, result.csv).
    pub name: String,
    /// Its exact bytes (UTF-8).
    pub content: String,
}

/// Counts for one group of a draw (a wait band or a nationality).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupItem {
    /// The band (`0-6` days, ...) or ISO3 nationality.
    pub group: String,
    /// Households registered.
    pub households_registered: u64,
    /// People registered.
    pub people_registered: u64,
    /// Households selected.
    pub households_selected: u64,
    /// People selected.
    pub people_selected: u64,
    /// Households selected over households registered.
    pub selection_rate: f64,
    /// Estimated probability of selection (from re-runs with derived seeds).
    pub selection_probability: Option<f64>,
}

/// A draw with its published files and statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawDetail {
    /// The draw.
    pub draw: DrawItem,
    /// The published files.
    pub files: Vec<PublishedFile>,
    /// By days waited at the draw.
    pub by_wait_band: Vec<GroupItem>,
    /// By nationality.
    pub by_nationality: Vec<GroupItem>,
}

/// Turn a draw view into its API form.
pub fn draw_detail(view: DrawView) -> DrawDetail {
    let groups = |rows: &[hemi_allocation::lottery::GroupCount]| -> Vec<GroupItem> {
        rows.iter()
            .map(|g| GroupItem {
                group: g.group.clone(),
                households_registered: g.households_registered,
                people_registered: g.people_registered,
                households_selected: g.households_selected,
                people_selected: g.people_selected,
                selection_rate: g.selection_rate,
                selection_probability: g.selection_probability,
            })
            .collect()
    };
    let (by_wait_band, by_nationality) = match &view.statistics {
        Some(s) => (groups(&s.by_wait_band), groups(&s.by_nationality)),
        None => (Vec::new(), Vec::new()),
    };
    DrawDetail {
        draw: DrawItem::from(&view.draw),
        files: view
            .files
            .into_iter()
            .map(|(name, content)| PublishedFile { name, content })
            .collect(),
        by_wait_band,
        by_nationality,
    }
}

/// The outcome of re-running a draw from its published files.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationItem {
    /// True when the commitment matches and the winners are the same bit for bit.
    pub verified: bool,
    /// The commitment checked.
    pub commitment: Option<String>,
    /// The seed re-derived.
    pub seed: Option<String>,
    /// Selections re-run.
    pub selections: Option<u64>,
    /// The first difference, when not verified.
    pub difference: Option<String>,
}

/// Open a draw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenDrawBody {
    /// The policy, canonical text (VERIFY.md).
    pub policy: String,
    /// Where the public value will come from.
    pub public_value_source: String,
}

/// Run a draw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RunDrawBody {
    /// The public value, exactly as published by the declared source.
    pub public_value: String,
}

/// Every draw, newest first.
#[utoipa::path(get, path = "/api/appointments/draws", security(()),
    responses((status = 200, description = "Draws", body = DrawsPage)))]
pub async fn list_draws(State(state): State<AppState>) -> Result<Response, WebError> {
    let items = state
        .app
        .draws()
        .await?
        .iter()
        .map(DrawItem::from)
        .collect();
    Ok(Json(DrawsPage { items }).into_response())
}

/// A draw: commitment, seed, published files, counts and probabilities by band and nationality.
#[utoipa::path(get, path = "/api/appointments/draws/{id}", security(()),
    params(("id" = i64, Path, description = "Draw id")),
    responses(
        (status = 200, description = "The draw", body = DrawDetail),
        (status = 404, description = "No such draw", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_draw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    Ok(Json(draw_detail(state.app.public_draw_view(id).await?)).into_response())
}

/// Re-run a drawn draw from its published files (like `hemi appointments verify`).
#[utoipa::path(get, path = "/api/appointments/draws/{id}/verification", security(()),
    params(("id" = i64, Path, description = "Draw id")),
    responses(
        (status = 200, description = "Verified, or the first difference", body = VerificationItem),
        (status = 404, description = "No such draw", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not drawn yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn verify_draw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let item = match state.app.verify_draw(id).await? {
        DrawVerification::Verified(v) => VerificationItem {
            verified: true,
            commitment: Some(v.commitment),
            seed: Some(v.seed),
            selections: Some(v.selections as u64),
            difference: None,
        },
        DrawVerification::Failed { difference } => VerificationItem {
            verified: false,
            commitment: None,
            seed: None,
            selections: None,
            difference: Some(difference),
        },
    };
    Ok(Json(item).into_response())
}

/// Open a draw over the households registered up to the policy's closing day; the
/// commitment is published at once.
#[utoipa::path(post, path = "/api/appointments/draws", request_body = OpenDrawBody,
    responses(
        (status = 201, description = "Opened", body = DrawItem),
        (status = 409, description = "No registrations", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid policy", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_draw(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiJson(body): ApiJson<OpenDrawBody>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let draw = state
        .app
        .open_draw(&body.policy, "policy", &body.public_value_source, &actor)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(DrawItem::from(&draw))).into_response())
}

/// Run an open draw with the public value.
#[utoipa::path(post, path = "/api/appointments/draws/{id}/run", request_body = RunDrawBody,
    params(("id" = i64, Path, description = "Draw id")),
    responses(
        (status = 200, description = "Drawn", body = DrawDetail),
        (status = 404, description = "No such draw", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Drawn already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_draw(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RunDrawBody>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let view = state.app.run_draw(id, &body.public_value, &actor).await?;
    Ok(Json(draw_detail(view)).into_response())
}

/// A stored plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItem {
    /// Id.
    pub id: i64,
    /// The instance it places.
    pub instance_id: i64,
    /// Sum of scores (plus soft-tie bonuses).
    pub objective: f64,
    /// The upper bound the solver proved.
    pub upper_bound: Option<f64>,
    /// (bound − objective) / bound.
    pub relative_gap: Option<f64>,
    /// Households placed.
    pub households_placed: i64,
    /// Households not placed.
    pub households_unplaced: i64,
    /// For an override: the plan it changed.
    pub based_on: Option<i64>,
    /// For an override: the household moved.
    pub household_id: Option<String>,
    /// For an override: why.
    pub reason: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl From<&PlanRow> for PlanItem {
    fn from(p: &PlanRow) -> PlanItem {
        PlanItem {
            id: p.id,
            instance_id: p.instance_id,
            objective: p.objective,
            upper_bound: p.upper_bound,
            relative_gap: p.relative_gap,
            households_placed: p.households_placed,
            households_unplaced: p.households_unplaced,
            based_on: p.based_on,
            household_id: p.household_id.clone(),
            reason: p.reason.clone(),
            created_by: p.created_by.clone(),
            created_at: p.created_at,
        }
    }
}

/// A stored instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceItem {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Households.
    pub households: i64,
    /// People in them.
    pub people: i64,
    /// Sites.
    pub sites: i64,
    /// Places in all sites.
    pub capacity_people: i64,
    /// Candidate pairs.
    pub arcs: i64,
}

impl From<&InstanceRow> for InstanceItem {
    fn from(i: &InstanceRow) -> InstanceItem {
        InstanceItem {
            id: i.id,
            name: i.name.clone(),
            households: i.households,
            people: i.people,
            sites: i.sites,
            capacity_people: i.capacity_people,
            arcs: i.arcs,
        }
    }
}

/// Instances and plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlansPage {
    /// Instances, newest first.
    pub instances: Vec<InstanceItem>,
    /// Plans, newest first.
    pub plans: Vec<PlanItem>,
}

/// A site under a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccupancyItem {
    /// Site.
    pub site_id: String,
    /// Places.
    pub capacity_people: u32,
    /// People placed.
    pub people: u64,
    /// Households placed.
    pub households: u64,
    /// Sum of their scores.
    pub score_total: f64,
}

/// A plan with every site's occupancy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetailItem {
    /// The plan.
    pub plan: PlanItem,
    /// Its instance.
    pub instance: InstanceItem,
    /// Sites, fullest first.
    pub occupancy: Vec<OccupancyItem>,
}

/// Another site a household could go to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlternativeItem {
    /// Site.
    pub site_id: String,
    /// Score there.
    pub score: f64,
    /// Score there minus score at the planned site.
    pub score_change: f64,
    /// Free places there under the plan.
    pub free_people: i64,
    /// People who would have to move out to make room.
    pub people_to_displace: u64,
    /// Estimated change of the objective, counting the price of the room used.
    pub estimated_objective_change: f64,
}

/// Why a household is where the plan put it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationItem {
    /// Household.
    pub household_id: String,
    /// Members.
    pub size_people: u32,
    /// Site (none: not placed).
    pub site_id: Option<String>,
    /// Score there.
    pub score: Option<f64>,
    /// 1 = its best-scoring candidate.
    pub rank_among_candidates: Option<u64>,
    /// Candidate sites.
    pub candidates: u64,
    /// The solver's price per person at its site.
    pub price_per_person: f64,
    /// The next-best alternatives and what they would cost.
    pub alternatives: Vec<AlternativeItem>,
}

/// Move one household.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OverrideBody {
    /// The household.
    pub household_id: String,
    /// Its new site (empty: not placed).
    pub site_id: String,
    /// Why (kept with the plan and in the audit log).
    pub reason: String,
}

/// What an override made.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideItem {
    /// The new plan.
    pub plan: PlanItem,
    /// Objective of the plan overridden.
    pub previous_objective: f64,
    /// Where the household was.
    pub from_site: Option<String>,
}

/// Solve a stored instance.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SolveBody {
    /// Leave households unplaced when not all fit.
    #[serde(default)]
    pub allow_partial: bool,
}

/// Stored instances and plans.
#[utoipa::path(get, path = "/api/placement/plans",
    responses((status = 200, description = "Instances and plans", body = PlansPage)))]
pub async fn list_plans(State(state): State<AppState>) -> Result<Response, WebError> {
    let instances = state
        .app
        .placement_instances()
        .await?
        .iter()
        .map(InstanceItem::from)
        .collect();
    let plans = state
        .app
        .placement_plans(None)
        .await?
        .iter()
        .map(PlanItem::from)
        .collect();
    Ok(Json(PlansPage { instances, plans }).into_response())
}

/// Solve a stored instance and store the plan with its proved bound.
#[utoipa::path(post, path = "/api/placement/instances/{id}/plans", request_body = SolveBody,
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 201, description = "Solved", body = PlanItem),
        (status = 404, description = "No such instance", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Infeasible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn solve_instance(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SolveBody>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let plan = state
        .app
        .solve_stored_instance(
            id,
            body.allow_partial,
            &actor,
            std::sync::Arc::new(NoProgress),
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(PlanItem::from(&plan))).into_response())
}

/// A plan with every site's occupancy.
#[utoipa::path(get, path = "/api/placement/plans/{id}",
    params(("id" = i64, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan", body = PlanDetailItem),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, WebError> {
    let d = state.app.placement_plan(id).await?;
    Ok(Json(PlanDetailItem {
        plan: PlanItem::from(&d.plan),
        instance: InstanceItem::from(&d.instance),
        occupancy: d
            .occupancy
            .iter()
            .map(|o| OccupancyItem {
                site_id: o.site_id.clone(),
                capacity_people: o.capacity_people,
                people: o.people,
                households: o.households as u64,
                score_total: o.score_total,
            })
            .collect(),
    })
    .into_response())
}

/// Why a household is where a plan put it, with the next-best alternatives.
#[utoipa::path(get, path = "/api/placement/plans/{id}/households/{household_id}",
    params(("id" = i64, Path, description = "Plan id"), ("household_id" = String, Path, description = "Household")),
    responses(
        (status = 200, description = "The explanation", body = ExplanationItem),
        (status = 404, description = "No such plan or household", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn explain(
    State(state): State<AppState>,
    ApiPath((id, household)): ApiPath<(i64, String)>,
) -> Result<Response, WebError> {
    let e = state.app.explain_placement(id, &household).await?;
    Ok(Json(explanation_item(&e)).into_response())
}

/// The API form of an explanation.
pub fn explanation_item(e: &hemi_allocation::placement::Explanation) -> ExplanationItem {
    ExplanationItem {
        household_id: e.household_id.clone(),
        size_people: e.size_people,
        site_id: e.site_id.clone(),
        score: e.score,
        rank_among_candidates: e.rank_among_candidates.map(|r| r as u64),
        candidates: e.candidates as u64,
        price_per_person: e.price_per_person,
        alternatives: e
            .alternatives
            .iter()
            .map(|a| AlternativeItem {
                site_id: a.site_id.clone(),
                score: a.score,
                score_change: a.score_change,
                free_people: a.free_people,
                people_to_displace: a.people_to_displace,
                estimated_objective_change: a.estimated_objective_change,
            })
            .collect(),
    }
}

/// Move one household of a plan with a reason: a new plan, evaluated and audited.
#[utoipa::path(post, path = "/api/placement/plans/{id}/overrides", request_body = OverrideBody,
    params(("id" = i64, Path, description = "Plan id")),
    responses(
        (status = 201, description = "The new plan", body = OverrideItem),
        (status = 404, description = "No such plan, household or site", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The move overfills a site or breaks a tie", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn override_plan(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OverrideBody>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let request = OverrideRequest {
        household_id: body.household_id,
        site_id: body.site_id,
        reason: body.reason,
    };
    let done = state.app.override_placement(id, &request, &actor).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(OverrideItem {
            plan: PlanItem::from(&done.plan),
            previous_objective: done.previous_objective,
            from_site: done.from_site,
        }),
    )
        .into_response())
}
