//! Pathways pages: the public catalogue (`/pathways`), the officer's queue with intake
//! (`/pathways/queue`), and one application (`/pathways/applications/{id}`) with the
//! screening, referral and outcome forms. A refused form is shown again with what was
//! typed and the reason beside the field; a change redirects back with a message.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use hemi_app::pathways::cases::{self, NewApplication, NewMember};
use hemi_app::pathways::{date_or_today, today, verdict_label};
use hemi_app::AppError;
use hemi_pathways::{Date, FactValue, Facts, Verdict};
use maud::{html, Markup};

use crate::access::{ClientIp, CurrentUser, Viewer};
use crate::error::{ApiPath, WebForm, WebResult};
use crate::layout::{country_name, encode_component, form_notice, page, FormState};
use crate::AppState;

/// Form fields as typed.
type Typed = BTreeMap<String, String>;

/// Members an intake form offers.
const INTAKE_MEMBERS: usize = 3;

fn get<'a>(t: &'a Typed, name: &str) -> &'a str {
    t.get(name).map(|s| s.trim()).unwrap_or("")
}

fn countries(codes: &[String]) -> String {
    if codes.iter().any(|c| c == "*") {
        return "anywhere".into();
    }
    codes
        .iter()
        .map(|c| country_name(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn input(form: &FormState, typed: &Typed, name: &str, label: &str, kind: &str) -> Markup {
    let error = form.error(name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(get(typed, name))
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
            @if let Some(e) = error { p.field-error id=(format!("{id}-error")) role="alert" { (e) } }
        }
    }
}

fn csrf_field(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default()); }
}

fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Refused(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn redirect(to: &str, message: &str) -> WebResult {
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("{to}?done={}", encode_component(message)),
        )],
    )
        .into_response())
}

/// `GET /pathways`: the public catalogue.
pub async fn catalogue(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<BTreeMap<String, String>>,
) -> WebResult {
    let on = date_or_today("on", q.get("on").map(String::as_str))?;
    let programs = super::api::programs(&state, on).await?;
    let open = programs.iter().filter(|p| p.open).count();
    let body = html! {
        h1 { "Legal pathways" }
        p.lead {
            "Programs that let people move legally in the Americas, who may apply and where, and how many places are left. "
            "Eligibility is decided by published rules; every value is cited in the program files of the catalogue."
        }
        form.filters method="get" action="/pathways" {
            label { "Places left on " input type="date" name="on" value=(on.to_string()); }
            button.primary type="submit" { "Show" }
        }
        p { (open) " of " (programs.len()) " programs take applications on " (on.to_string()) "." }
        div.table-wrap.full {
            table.data.pathways {
                caption.visually-hidden { "Programs, who may apply, where, and places left" }
                thead { tr {
                    th scope="col" { "Program" }
                    th scope="col" { "Run by" }
                    th scope="col" { "Open" }
                    th scope="col" { "For nationals of" }
                    th scope="col" { "Apply in" }
                    th scope="col" { "Cap" }
                    th.num scope="col" { "Places left" }
                } }
                tbody {
                    @for p in &programs {
                        @let places: Vec<String> = p.places_of_application.iter().map(|a| a.country.clone()).collect();
                        tr id=(format!("program-{}", p.key)) {
                            td.wrap { strong { (p.name) } br; small { (p.summary) } }
                            td { (country_name(&p.operating_state)) }
                            td { @if p.open { "yes" } @else { "no" @if let Some(c) = &p.closed_on { " (closed " (c) ")" } } }
                            td.wrap { (countries(&p.eligible_nationalities)) }
                            td.wrap { (countries(&places)) }
                            td.wrap {
                                @for c in &p.caps {
                                    div { (c.unit) ": " (c.capacity_places) @if !c.period.is_empty() { " (" (c.period) ")" } @else { " (not in force)" } }
                                }
                                @if p.caps.is_empty() { "no published cap" }
                            }
                            td.num {
                                @for c in &p.caps {
                                    div.remaining { @if c.period.is_empty() { "—" } @else { (c.remaining_places) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { small { "The same catalogue as JSON: " a href=(format!("/api/pathways/programs?on={on}")) { "/api/pathways/programs" } "." } }
    };
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/pathways",
        "Legal pathways",
        body,
    ))
}

struct Shown {
    form: FormState,
    typed: Typed,
    which: &'static str,
}

impl Shown {
    fn none() -> Shown {
        Shown {
            form: FormState::default(),
            typed: Typed::new(),
            which: "",
        }
    }
    fn for_form(&self, which: &str) -> (FormState, Typed) {
        if self.which == which {
            (self.form.clone(), self.typed.clone())
        } else {
            (FormState::default(), Typed::new())
        }
    }
}

async fn queue_page(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    status: StatusCode,
    message: Option<String>,
    as_of: Date,
    shown: &Shown,
) -> WebResult {
    let user = viewer.user()?;
    let actor = user.actor(ip);
    let views = state.app.pathways_queue(None, as_of, &actor).await?;
    let (form, typed) = shown.for_form("intake");
    let own_office = user.office.clone().filter(|_| user.role.is_office_scoped());
    let mut typed = typed;
    if get(&typed, "received_on").is_empty() {
        typed.insert("received_on".into(), today().to_string());
    }
    let mut fields = vec!["office", "received_on", "location"];
    let names: Vec<String> = (0..INTAKE_MEMBERS)
        .flat_map(|k| {
            [
                "given_names",
                "family_names",
                "date_of_birth",
                "sex",
                "nationality",
                "relationship",
            ]
            .map(|f| format!("{f}_{k}"))
        })
        .collect();
    fields.extend(names.iter().map(String::as_str));
    let body = html! {
        h1 { "Cases" }
        p.lead {
            @match &own_office { Some(o) => { "Applications at " strong { (o) } ", longest waiting first. " }, None => { "Applications at every office, longest waiting first. " } }
            "Waiting times are counted to " (as_of.to_string()) "."
        }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        @if views.iter().all(|v| v.rows.is_empty()) { p.notice { "No application yet. Record one with the intake form below." } }
        @for v in &views {
            section.office {
                h2 { "Office " (v.office) }
                ul.stages {
                    @for (stage, (n, median, longest)) in &v.by_stage {
                        li { strong { (n) } " " (stage_label(*stage)) ": median " (median) " days waiting, longest " (longest) }
                    }
                }
                div.table-wrap {
                    table.data {
                        thead { tr {
                            th scope="col" { "Application" } th scope="col" { "Stage" }
                            th.num scope="col" { "Days waiting" } th.num scope="col" { "Days in stage" } th.num scope="col" { "People" }
                        } }
                        tbody {
                            @for r in &v.rows {
                                tr {
                                    td { a href=(format!("/pathways/applications/{}", encode_component(&r.application_id))) { (r.application_id) } }
                                    td { (stage_label(r.stage)) }
                                    td.num { (r.waiting_days) } td.num { (r.days_in_stage) } td.num { (r.members) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 id="intake" { "New application" }
        form.decide method="post" action="/pathways/applications" {
            (csrf_field(user))
            (form_notice(&form, &fields))
            fieldset {
                legend { "Household" }
                @match &own_office {
                    Some(o) => { input type="hidden" name="office" value=(o); p { "Office " strong { (o) } } },
                    None => { (input(&form, &typed, "office", "Office (e.g. SMO-COL-BOG)", "text")) },
                }
                (input(&form, &typed, "received_on", "Received on", "date"))
                (input(&form, &typed, "location", "Country where the household is now (ISO3, e.g. COL)", "text"))
            }
            @for k in 0..INTAKE_MEMBERS {
                fieldset.member {
                    legend { @if k == 0 { "Principal applicant" } @else { "Member " (k + 1) " (optional)" } }
                    (input(&form, &typed, &format!("given_names_{k}"), "Given names", "text"))
                    (input(&form, &typed, &format!("family_names_{k}"), "Family names", "text"))
                    (input(&form, &typed, &format!("date_of_birth_{k}"), "Date of birth", "date"))
                    (input(&form, &typed, &format!("sex_{k}"), "Sex (female or male)", "text"))
                    (input(&form, &typed, &format!("nationality_{k}"), "Nationality (ISO3, e.g. HTI)", "text"))
                    @if k > 0 { (input(&form, &typed, &format!("relationship_{k}"), "Relationship to the principal (spouse, child, ...)", "text")) }
                }
            }
            button.primary type="submit" { "Record the application" }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/pathways/queue",
        "Cases",
        body,
    ))
}

/// `GET /pathways/queue`.
pub async fn queue(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Query(q): Query<BTreeMap<String, String>>,
) -> WebResult {
    let as_of = date_or_today("as_of", q.get("as_of").map(String::as_str))?;
    let message = q.get("done").map(|m| m.chars().take(200).collect());
    queue_page(
        &state,
        &viewer,
        &ip.text(),
        StatusCode::OK,
        message,
        as_of,
        &Shown::none(),
    )
    .await
}

fn intake(typed: &Typed) -> hemi_app::Result<NewApplication> {
    let mut problems = hemi_app::Problems::default();
    let received_on = match Date::parse(get(typed, "received_on")) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.extend(hemi_app::Problems::field(
                "received_on",
                e.0,
                "choose a date",
            ));
            None
        }
    };
    let location = get(typed, "location").to_uppercase();
    let mut members = Vec::new();
    for k in 0..INTAKE_MEMBERS {
        let f = |name: &str| get(typed, &format!("{name}_{k}")).to_owned();
        let (given, family) = (f("given_names"), f("family_names"));
        if k > 0 && given.is_empty() && family.is_empty() {
            continue;
        }
        if given.is_empty() {
            problems.extend(hemi_app::Problems::field(
                &format!("given_names_{k}"),
                "is empty",
                "as on the identity document",
            ));
        }
        let dob = match f("date_of_birth").as_str() {
            "" => None,
            text => match Date::parse(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.extend(hemi_app::Problems::field(
                        &format!("date_of_birth_{k}"),
                        e.0,
                        "YYYY-MM-DD, or leave empty",
                    ));
                    None
                }
            },
        };
        let nationality = f("nationality").to_uppercase();
        if nationality.len() != 3 || !nationality.chars().all(|c| c.is_ascii_uppercase()) {
            problems.extend(hemi_app::Problems::field(
                &format!("nationality_{k}"),
                format!("{nationality:?} is not an ISO3 code"),
                "three letters, e.g. HTI",
            ));
        }
        let sex = f("sex").to_lowercase();
        if !sex.is_empty() && sex != "female" && sex != "male" {
            problems.extend(hemi_app::Problems::field(
                &format!("sex_{k}"),
                format!("{sex:?}"),
                "female or male, as on the document",
            ));
        }
        let mut facts = Facts::new().with("nationality", FactValue::Text(nationality));
        if !sex.is_empty() {
            facts.set("sex", FactValue::Text(sex));
        }
        if !location.is_empty() {
            facts.set("location", FactValue::Text(location.clone()));
        }
        if let (Some(d), Some(r)) = (dob, received_on) {
            facts.set("age_years", FactValue::Int(d.age_on(r)));
            if d.age_on(r) < 18 {
                facts.set("travels_with_parent_or_guardian", FactValue::Bool(k > 0));
            }
        }
        members.push(NewMember {
            person_id: None,
            given_names: given,
            family_names: family,
            date_of_birth: dob,
            relationship: if k == 0 {
                "principal".into()
            } else {
                f("relationship")
            },
            facts,
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(NewApplication {
        application_id: None,
        office: get(typed, "office").to_owned(),
        received_on: received_on.expect("checked"),
        members,
    })
}

/// `POST /pathways/applications`: intake.
pub async fn apply(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let actor = user.actor(&ip.text());
    let outcome = match intake(&typed) {
        Ok(new) => state.app.pathways_apply(&[new], &actor).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => {
            let id = &report.applications[0];
            let mut message = format!("Application {id} recorded ({} people).", report.people);
            if !report.duplicates.is_empty() {
                message.push_str(&format!(
                    " {} possible duplicate(s) flagged for a caseworker.",
                    report.duplicates.len()
                ));
            }
            redirect(
                &format!("/pathways/applications/{}", encode_component(id)),
                &message,
            )
        }
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) if e.is_callers() => {
            let shown = Shown {
                form: FormState::from_error(&e),
                typed,
                which: "intake",
            };
            queue_page(
                &state,
                &viewer,
                &ip.text(),
                status_of(&e),
                None,
                today(),
                &shown,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn stage_label(stage: hemi_pathways::cases::Stage) -> &'static str {
    use hemi_pathways::cases::Stage;
    match stage {
        Stage::AwaitingScreening => "awaiting screening",
        Stage::AwaitingReferral => "awaiting referral",
        Stage::AwaitingDecision => "awaiting decision",
        Stage::AwaitingTravel => "awaiting travel",
        Stage::Closed => "closed",
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Eligible => "good",
        Verdict::NotEligible => "bad",
        Verdict::NeedsInformation => "warn",
    }
}

#[allow(clippy::too_many_arguments)]
async fn application_page(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: &str,
    status: StatusCode,
    message: Option<String>,
    as_of: Date,
    shown: &Shown,
) -> WebResult {
    let user = viewer.user()?;
    let actor = user.actor(ip);
    let case = state.app.pathways_case(id, as_of, &actor).await?;
    let pathways = state.app.pathways()?;
    let base = format!("/pathways/applications/{}", encode_component(id));
    let (screen_form, screen_typed) = shown.for_form("screening");
    let (refer_form, refer_typed) = shown.for_form("referral");
    let (outcome_form, outcome_typed) = shown.for_form("outcome");
    let today_text = today().to_string();
    let or_today = |t: &Typed, name: &str| -> String {
        match get(t, name) {
            "" => today_text.clone(),
            v => v.to_owned(),
        }
    };
    let body = html! {
        p { a href="/pathways/queue" { "← Cases" } }
        h1 { "Application " (case.application.application_id) }
        p.lead {
            "Office " strong { (case.application.office) } " · received " (case.application.received_on)
            " · " (case.members.len()) " people · eligibility as of " (case.as_of)
        }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        @if !case.duplicates.is_empty() {
            div.notice.bad role="alert" {
                p { strong { "Possible duplicate applications" } " — for a caseworker to resolve:" }
                ul { @for d in &case.duplicates {
                    li { (d.second_person) " (" (d.second_application) ") and " (d.first_person) " (" (d.first_application) "): " (d.likeness) " match, name similarity " (format!("{:.2}", d.similarity)) }
                } }
            }
        }
        @for m in &case.members {
            section.member id=(format!("person-{}", m.member.person_id)) {
                h2 { (m.member.given_names) " " (m.member.family_names) " " small { "(" (m.member.person_id) ", " (m.member.relationship) ")" } }
                p {
                    "Born " (m.member.date_of_birth.clone().unwrap_or_else(|| "unknown".into()))
                    " · " (country_name(&m.member.nationality))
                }
                details {
                    summary { "Facts recorded (" (m.facts.len()) ")" }
                    dl.facts { @for (k, v) in &m.facts { dt { (k) } dd { (v) } } }
                }
                div.table-wrap.full {
                    table.data.eligibility {
                        thead { tr { th scope="col" { "Program" } th scope="col" { "Decision" } th scope="col" { "Why" } } }
                        tbody {
                            @for e in m.eligibility.iter().filter(|e| e.open || e.verdict == Verdict::Eligible) {
                                tr data-program=(e.program) {
                                    td.wrap { (e.program_name) }
                                    td { span class=(format!("badge {}", verdict_class(e.verdict))) { (verdict_label(e.verdict)) } }
                                    td.wrap {
                                        @if e.verdict == Verdict::NeedsInformation {
                                            "Record: " (e.needs_information.join(", "))
                                        } @else {
                                            (e.reasons.join("; "))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p { small { "Programs closed on this day are left out." } }
            }
        }
        section.referrals {
            h2 { "Referrals" }
            @if case.referrals.is_empty() { p { "No referral yet." } }
            @else {
                table.data {
                    thead { tr { th { "Referral" } th { "Person" } th { "Program" } th { "Referred on" } th { "State" } th { "Outcomes" } } }
                    tbody { @for r in &case.referrals {
                        tr id=(format!("referral-{}", r.referral.id)) {
                            td { (r.referral.id) } td { (r.referral.person_id) } td { (r.referral.program) }
                            td { (r.referral.referred_on) } td.state { (r.referral.state) }
                            td.wrap { @for o in &r.outcomes { div { (o.kind) " on " (o.on_date) @if !o.reason.is_empty() { ": " (o.reason) } } } }
                        }
                    } }
                }
            }
        }
        h2 { "Screening interview" }
        form.decide method="post" action=(format!("{base}/screening")) id="screening-form" {
            (csrf_field(user))
            (form_notice(&screen_form, &["person", "facts", "held_on", "notes"]))
            label.block { "Person"
                select name="person" { @for m in &case.members { option value=(m.member.person_id) selected[get(&screen_typed, "person") == m.member.person_id] { (m.member.given_names) " " (m.member.family_names) } } }
            }
            div.field.invalid[screen_form.error("facts").is_some()] {
                label.block for="f-facts" { "Facts established, one NAME=VALUE a line (lists a;b, maps CAN=sibling|parent)" }
                textarea id="f-facts" name="facts" rows="4" { (get(&screen_typed, "facts")) }
                @if let Some(e) = screen_form.error("facts") { p.field-error role="alert" { (e) } }
            }
            details { summary { "Facts the rules read" }
                ul.facts { @for f in &pathways.catalogue().facts { li { code { (f.name) } " (" (f.kind.to_string()) "): " (f.description) } } }
            }
            (input(&screen_form, &{ let mut t = screen_typed.clone(); t.insert("held_on".into(), or_today(&screen_typed, "held_on")); t }, "held_on", "Held on", "date"))
            label.block { "Notes" textarea name="notes" rows="2" { (get(&screen_typed, "notes")) } }
            button.primary type="submit" { "Record the interview" }
        }
        h2 { "Refer to a program" }
        form.decide method="post" action=(format!("{base}/referrals")) id="referral-form" {
            (csrf_field(user))
            (form_notice(&refer_form, &["person", "program", "on"]))
            label.block { "Person"
                select name="person" { @for m in &case.members { option value=(m.member.person_id) selected[get(&refer_typed, "person") == m.member.person_id] { (m.member.given_names) " " (m.member.family_names) } } }
            }
            div.field.invalid[refer_form.error("program").is_some()] {
                label.block for="f-program" { "Program" }
                select id="f-program" name="program" {
                    @for p in pathways.catalogue().programs.iter().filter(|p| p.is_open_on(as_of)) {
                        @let eligible_count = case.members.iter().filter(|m| m.eligibility.iter().any(|e| e.program == p.key && e.verdict == Verdict::Eligible)).count();
                        option value=(p.key) selected[get(&refer_typed, "program") == p.key] { (p.name) @if eligible_count > 0 { " — " (eligible_count) " eligible" } }
                    }
                }
                @if let Some(e) = refer_form.error("program") { p.field-error role="alert" { (e) } }
            }
            (input(&refer_form, &{ let mut t = refer_typed.clone(); t.insert("on".into(), or_today(&refer_typed, "on")); t }, "on", "Referred on", "date"))
            button.primary type="submit" { "Refer and reserve a place" }
        }
        @let active: Vec<_> = case.referrals.iter().filter(|r| r.referral.state == "pending" || r.referral.state == "approved").collect();
        @if !active.is_empty() {
            h2 { "Record an outcome" }
            form.decide method="post" action=(format!("{base}/outcomes")) id="outcome-form" {
                (csrf_field(user))
                (form_notice(&outcome_form, &["referral", "outcome", "on", "reason"]))
                label.block { "Referral"
                    select name="referral" { @for r in &active { option value=(r.referral.id) selected[get(&outcome_typed, "referral") == r.referral.id.to_string()] { (r.referral.id) ": " (r.referral.person_id) " to " (r.referral.program) " (" (r.referral.state) ")" } } }
                }
                label.block { "Outcome"
                    select name="outcome" { @for o in ["approved", "denied", "withdrawn", "travelled"] { option value=(o) selected[get(&outcome_typed, "outcome") == o] { (o) } } }
                }
                (input(&outcome_form, &{ let mut t = outcome_typed.clone(); t.insert("on".into(), or_today(&outcome_typed, "on")); t }, "on", "On", "date"))
                (input(&outcome_form, &outcome_typed, "reason", "Reason (told to the applicant; required for a denial)", "text"))
                button.primary type="submit" { "Record the outcome" }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/pathways/queue",
        &format!("Application {id}"),
        body,
    ))
}

/// `GET /pathways/applications/{id}`.
pub async fn application(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> WebResult {
    let as_of = date_or_today("as_of", q.get("as_of").map(String::as_str))?;
    let message = q.get("done").map(|m| m.chars().take(300).collect());
    application_page(
        &state,
        &viewer,
        &ip.text(),
        &id,
        StatusCode::OK,
        message,
        as_of,
        &Shown::none(),
    )
    .await
}

async fn answer(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: &str,
    which: &'static str,
    typed: Typed,
    outcome: hemi_app::Result<String>,
) -> WebResult {
    match outcome {
        Ok(message) => redirect(
            &format!("/pathways/applications/{}", encode_component(id)),
            &message,
        ),
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) if e.is_callers() => {
            let shown = Shown {
                form: FormState::from_error(&e),
                typed,
                which,
            };
            application_page(state, viewer, ip, id, status_of(&e), None, today(), &shown).await
        }
        Err(e) => Err(e.into()),
    }
}

fn typed_date(typed: &Typed, name: &str) -> hemi_app::Result<Date> {
    Date::parse(get(typed, name)).map_err(|e| AppError::invalid(name, e.0, "choose a date"))
}

/// `POST /pathways/applications/{id}/screening`.
pub async fn screen(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let actor = user.actor(&ip.text());
    let outcome = async {
        let pathways = state.app.pathways()?;
        let mut pairs = Vec::new();
        for line in get(&typed, "facts")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let Some((name, value)) = line.split_once('=') else {
                return Err(AppError::invalid(
                    "facts",
                    format!("{line:?} is not NAME=VALUE"),
                    "e.g. documents=passport",
                ));
            };
            pairs.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let facts = cases::facts_from_pairs(&pathways, &pairs).map_err(|e| match e {
            // The textarea is the one field these facts came from.
            AppError::Invalid(mut p) => {
                for d in &mut p.diagnostics {
                    d.message = format!("{}: {}", d.field, d.message);
                    d.field = "facts".into();
                }
                AppError::Invalid(p)
            }
            other => other,
        })?;
        let held_on = typed_date(&typed, "held_on")?;
        let person = get(&typed, "person");
        let rows = state
            .app
            .pathways_screen_case(&id, person, &facts, held_on, get(&typed, "notes"), &actor)
            .await?;
        let eligible = rows
            .iter()
            .filter(|e| e.verdict == Verdict::Eligible)
            .count();
        Ok(format!(
            "Interview of {person} recorded: eligible for {eligible} programs."
        ))
    }
    .await;
    answer(
        &state,
        &viewer,
        &ip.text(),
        &id,
        "screening",
        typed,
        outcome,
    )
    .await
}

/// `POST /pathways/applications/{id}/referrals`.
pub async fn refer(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let actor = user.actor(&ip.text());
    let outcome = async {
        let on = typed_date(&typed, "on")?;
        let r = state
            .app
            .pathways_refer(
                &id,
                get(&typed, "person"),
                get(&typed, "program"),
                on,
                &actor,
            )
            .await?;
        Ok(format!(
            "Referral {} of {} to {} recorded; a place is reserved.",
            r.id, r.person_id, r.program
        ))
    }
    .await;
    answer(&state, &viewer, &ip.text(), &id, "referral", typed, outcome).await
}

/// `POST /pathways/applications/{id}/outcomes`.
pub async fn outcome(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<String>,
    WebForm(typed): WebForm<Typed>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(get(&typed, "csrf"))?;
    let actor = user.actor(&ip.text());
    let result = async {
        let referral: i64 = get(&typed, "referral")
            .parse()
            .map_err(|_| AppError::invalid("referral", "choose a referral", ""))?;
        let kind = cases::parse_outcome(get(&typed, "outcome"))?;
        let on = typed_date(&typed, "on")?;
        let r = state
            .app
            .pathways_outcome(referral, kind, on, get(&typed, "reason"), &actor)
            .await?;
        Ok(format!("Referral {} is {}.", r.id, r.state))
    }
    .await;
    answer(&state, &viewer, &ip.text(), &id, "outcome", typed, result).await
}
