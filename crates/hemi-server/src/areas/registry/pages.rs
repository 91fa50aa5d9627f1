//! The registry's pages: `/registry` (search by name, register a person),
//! `/registry/persons/{id}` (a record, its person's other records, permits and their
//! transitions) and `/registry/review` (the caseworker's queue with each pair's
//! field-by-field weights). Forms carry the session's CSRF token; a refusal shows the
//! form again with what was typed and the message beside the field.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use hemi_app::registry::persons::PersonInput;
use maud::{html, Markup};

use crate::access::{ClientIp, CurrentUser, Viewer};
use crate::error::{ApiPath, WebForm, WebResult};
use crate::layout::{encode_component, field, form_notice, format_time, page, FormState};
use crate::AppState;

type Typed = BTreeMap<String, String>;

fn get<'a>(typed: &'a Typed, name: &str) -> &'a str {
    typed.get(name).map(String::as_str).unwrap_or("")
}

fn csrf_field(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default()); }
}

fn status_of(e: &hemi_app::AppError) -> StatusCode {
    match e {
        hemi_app::AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        hemi_app::AppError::Refused(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn redirect(to: String) -> WebResult {
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

const PERSON_FIELDS: [(&str, &str, &str); 13] = [
    ("given_name", "Given name", "text"),
    ("second_given_name", "Other given names", "text"),
    ("first_surname", "First surname", "text"),
    ("second_surname", "Second surname", "text"),
    ("sex", "Sex (F, M or X)", "text"),
    (
        "date_of_birth",
        "Date of birth (YYYY, YYYY-MM or YYYY-MM-DD)",
        "text",
    ),
    ("nationality", "Nationality (ISO3, e.g. VEN)", "text"),
    (
        "document_type",
        "Document type (passport, cedula, ppt)",
        "text",
    ),
    ("document_number", "Document number", "text"),
    (
        "document_issuer",
        "Issuing country (ISO3; the nationality if empty)",
        "text",
    ),
    ("phone", "Phone", "tel"),
    ("municipality", "Municipality", "text"),
    (
        "household_id",
        "Household id (shared by one family)",
        "text",
    ),
];

async fn registry_page(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    status: StatusCode,
    query: &str,
    form: &FormState,
    typed: &Typed,
    message: Option<String>,
) -> WebResult {
    let user = viewer.user()?;
    let actor = user.actor(ip);
    let (hits, search_error) = if query.trim().is_empty() {
        (Vec::new(), None)
    } else {
        match state.app.search_persons(query, &actor).await {
            Ok(h) => (h, None),
            Err(e) if e.is_callers() => (Vec::new(), Some(FormState::from_error(&e))),
            Err(e) => return Err(e.into()),
        }
    };
    let search_form = search_error.unwrap_or_default();
    let names: Vec<&str> = PERSON_FIELDS.iter().map(|f| f.0).collect();
    let body = html! {
        h1 { "Registry" }
        p.lead { "Search the registry by name (misspellings and sound-alike spellings are found), or register a person. A new record is compared with the records that share a name sound, date of birth, document or phone: a sure match joins that person, a doubtful one goes to the caseworkers' " a href="/registry/review" { "review queue" } "." }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        section id="search" {
            h2 { "Search" }
            (form_notice(&search_form, &["query"]))
            form.inline method="get" action="/registry" role="search" {
                (field(&search_form, "query", "Name", query, "search", true))
                button.primary type="submit" { "Search" }
            }
            @if !query.trim().is_empty() && search_form.is_ok() {
                @if hits.is_empty() { p { "No record matches " q { (query) } "." } } @else {
                    div.table-wrap { table.data {
                        caption { (hits.len()) " records for " q { (query) } ", closest first" }
                        thead { tr { th { "Record" } th { "Name" } th { "Date of birth" } th { "Nationality" } th { "Office" } th { "Person" } th.num { "Closeness" } } }
                        tbody { @for h in &hits { tr {
                            td { a href=(format!("/registry/persons/{}", encode_component(&h.person_id))) { (h.person_id) } }
                            td { (h.display_name) } td { (h.date_of_birth) } td { (h.nationality) } td { (h.office) }
                            td { (h.cluster_id) } td.num { (format!("{:.2}", h.score)) }
                        } } }
                    } }
                }
            }
        }
        section id="register" {
            h2 { "Register a person" }
            (form_notice(form, &names))
            form method="post" action="/registry/persons" {
                (csrf_field(user))
                div.grid {
                    @for (name, label, kind) in PERSON_FIELDS {
                        (field(form, name, label, get(typed, name), kind, false))
                    }
                }
                button.primary type="submit" { "Register" }
            }
        }
    };
    Ok(page(state, status, viewer, "/registry", "Registry", body))
}

/// `GET /registry?query=NAME`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Query(q): Query<Typed>,
) -> WebResult {
    let query: String = get(&q, "query").chars().take(200).collect();
    let message = q.get("done").map(|m| m.chars().take(300).collect());
    registry_page(
        &state,
        &viewer,
        &ip.text(),
        StatusCode::OK,
        &query,
        &FormState::default(),
        &Typed::new(),
        message,
    )
    .await
}

/// `POST /registry/persons`: register.
pub async fn register(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let text = |n: &str| get(&typed, n).to_owned();
    let input = PersonInput {
        given_name: text("given_name"),
        second_given_name: text("second_given_name"),
        first_surname: text("first_surname"),
        second_surname: text("second_surname"),
        sex: text("sex"),
        date_of_birth: text("date_of_birth"),
        nationality: text("nationality"),
        document_type: text("document_type"),
        document_number: text("document_number"),
        document_issuer: text("document_issuer"),
        phone: text("phone"),
        municipality: text("municipality"),
        household_id: text("household_id"),
        ..PersonInput::default()
    };
    match state
        .app
        .register_person(&input, &user.actor(&ip.text()))
        .await
    {
        Ok(r) => {
            let message = if r.matched_existing {
                format!(
                    "Registered {}: the same person as record {}.",
                    r.person_id, r.cluster_id
                )
            } else if !r.queued_for_review.is_empty() {
                format!(
                    "Registered {}: a possible duplicate of {} is in the review queue.",
                    r.person_id,
                    r.queued_for_review
                        .iter()
                        .map(|(id, _, _)| id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("Registered {}: a new person.", r.person_id)
            };
            redirect(format!(
                "/registry/persons/{}?done={}",
                encode_component(&r.person_id),
                encode_component(&message)
            ))
        }
        Err(e) if e.is_callers() && !matches!(e, hemi_app::AppError::Forbidden(_)) => {
            registry_page(
                &state,
                &viewer,
                &ip.text(),
                status_of(&e),
                "",
                &FormState::from_error(&e),
                &typed,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn person_page(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: &str,
    status: StatusCode,
    failed: Option<(String, FormState)>,
    message: Option<String>,
) -> WebResult {
    let user = viewer.user()?;
    let record = state.app.show_person(id, &user.actor(ip)).await?;
    let p = &record.record.person;
    let rows: Vec<(&str, String)> = vec![
        ("Name", record.record.display_name.clone()),
        (
            "Sex",
            p.sex.map(|s| s.code().to_owned()).unwrap_or_default(),
        ),
        (
            "Date of birth",
            p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "Nationality",
            p.nationalities
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Documents",
            p.documents
                .iter()
                .map(|d| format!("{} {}", d.document_type.as_str(), d.number))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("Phone", p.contact.phone.clone()),
        ("Municipality", p.contact.municipality.clone()),
        (
            "Household",
            p.household
                .as_ref()
                .map(|h| h.household_id.clone())
                .unwrap_or_default(),
        ),
        ("Office", record.record.office.clone()),
        (
            "Registered",
            format!(
                "{} by {}",
                format_time(record.record.registered_at),
                record.record.registered_by
            ),
        ),
    ];
    let programs = hemi_app::registry::permits::programs();
    let body = html! {
        h1 { "Record " (record.record.person_id) }
        p.lead { (record.record.display_name) ", person " strong { (record.record.cluster_id) } ". Reading this page is recorded in the audit log." }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        div.table-wrap { table.data {
            tbody { @for (k, v) in &rows { tr { th scope="row" { (k) } td { (v) } } } }
        } }
        @if !record.same_person.is_empty() {
            p { "Other records of this person: "
                @for (i, other) in record.same_person.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(format!("/registry/persons/{}", encode_component(other))) { (other) }
                }
            }
        }
        section id="permits" {
            h2 { "Permits" }
            @if record.permits.is_empty() { p { "No permit yet." } }
            @for permit in &record.permits {
                @let errors = failed.as_ref().filter(|(pid, _)| *pid == permit.permit_id).map(|(_, f)| f.clone()).unwrap_or_default();
                article.permit id=(format!("permit-{}", permit.permit_id)) {
                    h3 { (permit.permit_id) " · " (permit.program_id) " · " strong.state { (permit.state.replace('_', " ")) } }
                    @if let Some(until) = &permit.valid_until { p { "Valid until " (until) "." } }
                    div.table-wrap { table.data {
                        thead { tr { th { "When" } th { "From" } th { "To" } th { "By" } th { "Reason" } } }
                        tbody { @for t in &permit.history { tr {
                            td { (t.at.to_string()) } td { (t.from.map(|s| s.as_str().replace('_', " ")).unwrap_or_default()) }
                            td { (t.to.as_str().replace('_', " ")) } td { (t.actor) } td.wrap { (t.reason) }
                        } } }
                    } }
                    @if !permit.next_states.is_empty() {
                        (form_notice(&errors, &["state", "reason"]))
                        form.inline method="post" action=(format!("/registry/permits/{}/transition", encode_component(&permit.permit_id))) {
                            (csrf_field(user))
                            input type="hidden" name="person" value=(record.record.person_id);
                            div.field.invalid[errors.error("state").is_some()] {
                                label for=(format!("to-{}", permit.permit_id)) { "Move to" }
                                select id=(format!("to-{}", permit.permit_id)) name="to" {
                                    @for s in &permit.next_states { option value=(s) { (s.replace('_', " ")) } }
                                }
                                @if let Some(e) = errors.error("state") { p.field-error { (e) } }
                            }
                            (field(&errors, "reason", "Reason (needed to deny, revoke or cancel)", "", "text", false))
                            button.primary type="submit" { "Record transition" }
                        }
                    }
                }
            }
            h3 { "Pre-register a permit" }
            form.inline method="post" action=(format!("/registry/persons/{}/permits", encode_component(&record.record.person_id))) {
                (csrf_field(user))
                div.field {
                    label for="program" { "Program" }
                    select id="program" name="program" { @for p in &programs { option value=(p.program_id) { (p.name) } } }
                }
                button.primary type="submit" { "Pre-register" }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/registry",
        &format!("Record {}", record.record.person_id),
        body,
    ))
}

/// `GET /registry/persons/{id}`.
pub async fn person(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<Typed>,
) -> WebResult {
    let message = q.get("done").map(|m| m.chars().take(300).collect());
    person_page(
        &state,
        &viewer,
        &ip.text(),
        &id,
        StatusCode::OK,
        None,
        message,
    )
    .await
}

/// `POST /registry/persons/{id}/permits`.
pub async fn create_permit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let permit = state
        .app
        .create_permit(&id, get(&typed, "program"), &user.actor(&ip.text()))
        .await?;
    let message = format!("Permit {} pre-registered.", permit.permit_id);
    redirect(format!(
        "/registry/persons/{}?done={}#permits",
        encode_component(&id),
        encode_component(&message)
    ))
}

/// `POST /registry/permits/{id}/transition`.
pub async fn transition(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let person = get(&typed, "person").to_owned();
    match state
        .app
        .transition_permit(
            &id,
            get(&typed, "to"),
            get(&typed, "reason"),
            &user.actor(&ip.text()),
        )
        .await
    {
        Ok(p) => {
            let message = format!("Permit {} is {}.", p.permit_id, p.state.replace('_', " "));
            redirect(format!(
                "/registry/persons/{}?done={}#permit-{}",
                encode_component(&p.person_id),
                encode_component(&message),
                encode_component(&p.permit_id)
            ))
        }
        Err(e)
            if e.is_callers()
                && !matches!(
                    e,
                    hemi_app::AppError::Forbidden(_) | hemi_app::AppError::NotFound { .. }
                )
                && !person.is_empty() =>
        {
            person_page(
                &state,
                &viewer,
                &ip.text(),
                &person,
                status_of(&e),
                Some((id, FormState::from_error(&e))),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn explanation_table(item: &hemi_app::registry::review::ReviewView) -> Markup {
    html! {
        @if let Some(e) = &item.explanation {
            div.table-wrap { table.data.explanation {
                caption { "Why: each field's weight (log2 of m/u); prior " (format!("{:+.1}", e.prior_weight)) ", total " (format!("{:+.1}", e.match_weight)) @if e.names_swapped { ", given names and surnames compared crosswise" } }
                thead { tr { th { "Field" } th { "Agreement" } th.num { "m" } th.num { "u" } th.num { "Weight" } } }
                tbody { @for f in &e.fields { tr.positive[f.partial_weight > 0.0].negative[f.partial_weight < 0.0] {
                    td { (f.comparison.replace('_', " ")) } td { (f.level_name.replace('_', " ")) @if f.term_frequency_adjusted { " (frequency-adjusted)" } }
                    td.num { (format!("{:.3}", f.m)) } td.num { (format!("{:.4}", f.u)) } td.num { (format!("{:+.1}", f.partial_weight)) }
                } } }
            } }
        }
    }
}

async fn review_page(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    status: StatusCode,
    failed: Option<(i64, FormState)>,
    message: Option<String>,
    show_all: bool,
) -> WebResult {
    let user = viewer.user()?;
    let items = state.app.review_queue(!show_all, &user.actor(ip)).await?;
    let body = html! {
        h1 { "Review queue" }
        p.lead { "Pairs of records the linkage could not decide: a match probability in the grey zone, or a high score with a person-level field that disagrees (often two members of one family). Decide each; a decision is kept and every later registration respects it." }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        p { @if show_all { a href="/registry/review" { "Open items only" } } @else { a href="/registry/review?all=1" { "Decided items too" } } }
        @if items.is_empty() { p.notice { "Nothing to review." } }
        @for item in &items {
            @let errors = failed.as_ref().filter(|(id, _)| *id == item.id).map(|(_, f)| f.clone()).unwrap_or_default();
            section.review id=(format!("review-{}", item.id)) {
                h2 { "Item " (item.id) ": "
                    a href=(format!("/registry/persons/{}", encode_component(&item.record_a))) { (item.name_a) } " (" (item.record_a) ") and "
                    a href=(format!("/registry/persons/{}", encode_component(&item.record_b))) { (item.name_b) } " (" (item.record_b) ")" }
                p { "Match probability " strong { (format!("{:.3}", item.match_probability)) } " · " (item.reason.replace('_', " ")) }
                (explanation_table(item))
                @if let Some(d) = &item.decision {
                    p.notice { "Decided: " strong { (d.replace('_', " ")) } " by " (item.decided_by.clone().unwrap_or_default())
                        @if let Some(r) = item.decision_reason.as_ref().filter(|r| !r.is_empty()) { " (" (r) ")" } "." }
                } @else {
                    (form_notice(&errors, &["reason"]))
                    form.inline method="post" action=(format!("/registry/review/{}", item.id)) {
                        (csrf_field(user))
                        (field(&errors, "reason", "Reason", "", "text", false))
                        button.primary type="submit" name="decision" value="same_person" { "Same person" }
                        button type="submit" name="decision" value="different_people" { "Different people" }
                    }
                }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/registry/review",
        "Review queue",
        body,
    ))
}

/// `GET /registry/review`.
pub async fn review(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Query(q): Query<Typed>,
) -> WebResult {
    let message = q.get("done").map(|m| m.chars().take(300).collect());
    review_page(
        &state,
        &viewer,
        &ip.text(),
        StatusCode::OK,
        None,
        message,
        q.contains_key("all"),
    )
    .await
}

/// `POST /registry/review/{id}`.
pub async fn resolve(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let same = match get(&typed, "decision") {
        "same_person" => true,
        "different_people" => false,
        other => {
            let e = hemi_app::AppError::invalid(
                "decision",
                format!("{other:?} is not a decision"),
                "choose same person or different people",
            );
            return review_page(
                &state,
                &viewer,
                &ip.text(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((id, FormState::from_error(&e))),
                None,
                false,
            )
            .await;
        }
    };
    match state
        .app
        .resolve_review(id, same, get(&typed, "reason"), &user.actor(&ip.text()))
        .await
    {
        Ok(v) => {
            let message = format!(
                "Item {}: {}.",
                v.id,
                v.decision.unwrap_or_default().replace('_', " ")
            );
            redirect(format!(
                "/registry/review?done={}",
                encode_component(&message)
            ))
        }
        Err(e)
            if matches!(
                e,
                hemi_app::AppError::Refused(_) | hemi_app::AppError::Invalid(_)
            ) =>
        {
            review_page(
                &state,
                &viewer,
                &ip.text(),
                status_of(&e),
                Some((id, FormState::from_error(&e))),
                None,
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
