//! The registry in the JSON API, `/api/registry/...`: search, register, read a record,
//! permits and their transitions, the review queue, and the public statistics. Each
//! handler calls one `hemi_app::registry` workflow; role and office scope are checked
//! there. A browser session posting JSON sends its CSRF token in `X-CSRF-Token`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use hemi_app::registry::persons::PersonInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{ClientIp, CurrentUser, Viewer};
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, WebError};
use crate::AppState;

fn json_value(v: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Session callers prove the request came from this site; bearer-token callers have no
/// session to ride on.
fn writer(viewer: &Viewer, headers: &HeaderMap) -> Result<CurrentUser, WebError> {
    let user = viewer.user()?.clone();
    if user.csrf.is_some() {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        user.check_csrf(sent)?;
    }
    Ok(user)
}

/// Parameters of `GET /api/registry/persons`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Name or part of it; fuzzy (sound-alike parts, then closeness).
    #[param(min_length = 2, max_length = 200)]
    pub q: String,
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitItem {
    /// Record id.
    pub person_id: String,
    /// The person (cluster) the record belongs to.
    pub cluster_id: String,
    /// Name.
    pub display_name: String,
    /// Date of birth as recorded (possibly partial).
    pub date_of_birth: String,
    /// First nationality (ISO3).
    pub nationality: String,
    /// Registering office.
    pub office: String,
    /// Closeness of the name to the query, 0 to 1.
    pub score: f64,
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    /// Hits, closest first (at most 50).
    pub items: Vec<SearchHitItem>,
}

/// Search person records by name (every record shown is audited as read).
#[utoipa::path(get, path = "/api/registry/persons", params(SearchQuery),
    responses(
        (status = 200, description = "Records", body = SearchPage),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a registry role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registry key is missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Query too short", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let length = q.q.chars().count();
    if !(2..=200).contains(&length) {
        return Err(WebError::BadRequest(format!(
            "q has {length} characters; a search needs 2 to 200"
        )));
    }
    let hits = state.app.search_persons(&q.q, &actor).await?;
    let items = hits
        .into_iter()
        .map(|h| SearchHitItem {
            person_id: h.person_id,
            cluster_id: h.cluster_id,
            display_name: h.display_name,
            date_of_birth: h.date_of_birth,
            nationality: h.nationality,
            office: h.office,
            score: h.score,
        })
        .collect();
    Ok(Json(SearchPage { items }).into_response())
}

/// A person to register (any field may be empty but a name).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RegisterBody {
    /// First given name.
    pub given_name: String,
    /// Other given names.
    pub second_given_name: String,
    /// First surname.
    pub first_surname: String,
    /// Second surname.
    pub second_surname: String,
    /// F, M or X.
    pub sex: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub date_of_birth: String,
    /// ISO3.
    pub nationality: String,
    /// passport, cedula, ...
    pub document_type: String,
    /// Number (check digits verified where the issuer defines them).
    pub document_number: String,
    /// Issuing country (ISO3).
    pub document_issuer: String,
    /// Phone.
    pub phone: String,
    /// Municipality.
    pub municipality: String,
    /// Household id shared by one family's members.
    pub household_id: String,
    /// Relationship to the head of household.
    pub relationship: String,
}

impl From<RegisterBody> for PersonInput {
    fn from(b: RegisterBody) -> PersonInput {
        PersonInput {
            given_name: b.given_name,
            second_given_name: b.second_given_name,
            first_surname: b.first_surname,
            second_surname: b.second_surname,
            sex: b.sex,
            date_of_birth: b.date_of_birth,
            nationality: b.nationality,
            document_type: b.document_type,
            document_number: b.document_number,
            document_issuer: b.document_issuer,
            phone: b.phone,
            municipality: b.municipality,
            household_id: b.household_id,
            relationship: b.relationship,
            office: String::new(),
        }
    }
}

/// A registration's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredItem {
    /// New record id.
    pub person_id: String,
    /// Its person: an existing one when it is a sure match.
    pub cluster_id: String,
    /// True when the record joined an existing person.
    pub matched_existing: bool,
    /// Records it was compared with.
    pub candidates: usize,
    /// Records it was queued for review with.
    pub queued_for_review: Vec<String>,
}

/// Register a person: linked against existing records; sure matches join that person,
/// doubtful pairs go to the review queue.
#[utoipa::path(post, path = "/api/registry/persons", request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered", body = RegisteredItem),
        (status = 403, description = "Not a registry role, or a bad CSRF token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registry key is missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, WebError> {
    let actor = writer(&viewer, &headers)?.actor(&ip.text());
    let r = state.app.register_person(&body.into(), &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredItem {
            person_id: r.person_id,
            cluster_id: r.cluster_id,
            matched_existing: r.matched_existing,
            candidates: r.candidates,
            queued_for_review: r
                .queued_for_review
                .into_iter()
                .map(|(id, _, _)| id)
                .collect(),
        }),
    )
        .into_response())
}

/// A record with its person's other records and permits.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonItem {
    /// Record id.
    pub person_id: String,
    /// Its person.
    pub cluster_id: String,
    /// Office.
    pub office: String,
    /// Name.
    pub display_name: String,
    /// The personal fields (name parts, sex, date of birth, nationalities, documents,
    /// household, contact).
    #[schema(value_type = Object)]
    pub person: serde_json::Value,
    /// Other records of the same person.
    pub same_person: Vec<String>,
    /// Permits of every record of the person.
    pub permits: Vec<PermitItem>,
}

/// A permit.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitItem {
    /// Permit id.
    pub permit_id: String,
    /// Holder's record.
    pub person_id: String,
    /// Program.
    pub program_id: String,
    /// State.
    pub state: String,
    /// States it may move to.
    pub next_states: Vec<String>,
    /// End of validity, YYYY-MM-DD.
    pub valid_until: Option<String>,
    /// Transitions with actor, time and reason.
    #[schema(value_type = Vec<Object>)]
    pub history: serde_json::Value,
}

fn permit_item(p: hemi_app::registry::permits::PermitView) -> PermitItem {
    PermitItem {
        history: json_value(&p.history),
        permit_id: p.permit_id,
        person_id: p.person_id,
        program_id: p.program_id,
        state: p.state,
        next_states: p.next_states,
        valid_until: p.valid_until,
    }
}

/// Read a record (audited).
#[utoipa::path(get, path = "/api/registry/persons/{id}", params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = PersonItem),
        (status = 403, description = "Another office's record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registry key is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn person(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let r = state.app.show_person(&id, &actor).await?;
    Ok(Json(PersonItem {
        person: json_value(&r.record.person),
        person_id: r.record.person_id,
        cluster_id: r.record.cluster_id,
        office: r.record.office,
        display_name: r.record.display_name,
        same_person: r.same_person,
        permits: r.permits.into_iter().map(permit_item).collect(),
    })
    .into_response())
}

/// A permit to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPermitBody {
    /// Program id, e.g. col-etpv.
    pub program_id: String,
}

/// Pre-register a permit for a record under a program.
#[utoipa::path(post, path = "/api/registry/persons/{id}/permits", params(("id" = String, Path, description = "Record id")), request_body = NewPermitBody,
    responses(
        (status = 201, description = "Created", body = PermitItem),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record or program", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registry key is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_permit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewPermitBody>,
) -> Result<Response, WebError> {
    let actor = writer(&viewer, &headers)?.actor(&ip.text());
    let p = state
        .app
        .create_permit(&id, &body.program_id, &actor)
        .await?;
    Ok((StatusCode::CREATED, Json(permit_item(p))).into_response())
}

/// A transition to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// New state.
    pub to: String,
    /// Why (required for denied, revoked, cancelled).
    #[serde(default)]
    pub reason: String,
}

/// Move a permit along its lifecycle; an illegal move is refused (409) and nothing changes.
#[utoipa::path(post, path = "/api/registry/permits/{id}/transitions", params(("id" = String, Path, description = "Permit id")), request_body = TransitionBody,
    responses(
        (status = 200, description = "Moved", body = PermitItem),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such permit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a state", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn transition(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> Result<Response, WebError> {
    let actor = writer(&viewer, &headers)?.actor(&ip.text());
    let p = state
        .app
        .transition_permit(&id, &body.to, &body.reason, &actor)
        .await?;
    Ok(Json(permit_item(p)).into_response())
}

/// Parameters of `GET /api/registry/review`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Decided items too.
    pub all: Option<bool>,
}

/// A review item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    /// Id.
    pub id: i64,
    /// One record.
    pub record_a: String,
    /// Its name.
    pub name_a: String,
    /// The other.
    pub record_b: String,
    /// Its name.
    pub name_b: String,
    /// Why it is queued.
    pub reason: String,
    /// Match probability.
    pub match_probability: f64,
    /// Field-by-field weights (comparison, level, m, u, partial weight).
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    /// same_person | different_people, null while open.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
}

/// Review items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    /// Items, oldest first.
    pub items: Vec<ReviewItem>,
}

fn review_item(v: hemi_app::registry::review::ReviewView) -> ReviewItem {
    ReviewItem {
        explanation: json_value(&v.explanation),
        id: v.id,
        record_a: v.record_a,
        name_a: v.name_a,
        record_b: v.record_b,
        name_b: v.name_b,
        reason: v.reason,
        match_probability: v.match_probability,
        decision: v.decision,
        decided_by: v.decided_by,
    }
}

/// The caseworker's review queue.
#[utoipa::path(get, path = "/api/registry/review", params(ReviewQuery),
    responses(
        (status = 200, description = "Items", body = ReviewPage),
        (status = 403, description = "Not a caseworker", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registry key is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn review(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> Result<Response, WebError> {
    let actor = viewer.user()?.actor(&ip.text());
    let items = state
        .app
        .review_queue(!q.all.unwrap_or(false), &actor)
        .await?;
    Ok(Json(ReviewPage {
        items: items.into_iter().map(review_item).collect(),
    })
    .into_response())
}

/// A decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResolveBody {
    /// True: the same person (merged); false: different people (kept apart for good).
    pub same_person: bool,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Decide a review item; decisions are kept and respected by every later linkage.
#[utoipa::path(post, path = "/api/registry/review/{id}", params(("id" = i64, Path, description = "Item id")), request_body = ResolveBody,
    responses(
        (status = 200, description = "Decided", body = ReviewItem),
        (status = 403, description = "Not a caseworker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resolve(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Response, WebError> {
    let actor = writer(&viewer, &headers)?.actor(&ip.text());
    let v = state
        .app
        .resolve_review(id, body.same_person, &body.reason, &actor)
        .await?;
    Ok(Json(review_item(v)).into_response())
}

/// One published cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsCell {
    /// Row value (nationality or state).
    pub row: String,
    /// Column value (state or month).
    pub column: String,
    /// Published (perturbed) count of permits.
    pub permits: u64,
}

/// A published table.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsTable {
    /// Row dimension.
    pub row_dimension: String,
    /// Column dimension.
    pub column_dimension: String,
    /// Cells.
    pub cells: Vec<StatisticsCell>,
    /// Sum of the published cells.
    pub total: u64,
}

/// Registry statistics as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsPage {
    /// Permits by nationality and state, now.
    pub by_state: StatisticsTable,
    /// Transitions into each state by month.
    pub by_month: StatisticsTable,
    /// The disclosure-control rule the counts went through.
    pub rule: String,
}

fn table(t: &hemi_disclosure::ProtectedTable, rows: &str, columns: &str) -> StatisticsTable {
    let mut cells = Vec::new();
    for (r, row) in t.row_keys.iter().enumerate() {
        for (c, column) in t.column_keys.iter().enumerate() {
            cells.push(StatisticsCell {
                row: row.clone(),
                column: column.clone(),
                permits: t.cells_people[r][c],
            });
        }
    }
    StatisticsTable {
        row_dimension: rows.into(),
        column_dimension: columns.into(),
        cells,
        total: t.grand_total_people,
    }
}

/// Permits by state, nationality and month, each count perturbed by the deployment's
/// disclosure control (public).
#[utoipa::path(get, path = "/api/registry/statistics", security(()),
    responses((status = 200, description = "Published tables", body = StatisticsPage)))]
pub async fn statistics(State(state): State<AppState>) -> Result<Response, WebError> {
    let s = state.app.registry_statistics().await?;
    Ok(Json(StatisticsPage {
        by_state: table(&s.by_state, "nationality", "state"),
        by_month: table(&s.by_month, "state", "month"),
        rule: s.rule.text,
    })
    .into_response())
}
