//! The secretariat's pages: sessions with their agenda and decisions, commitments with
//! progress and assessments, funding pledges and disbursements, and the Task Force's
//! recommendations. Each form goes through the same `hemi-app` workflow as the
//! `hemi process` command, is audited, and when refused is shown again with the field
//! errors and what was typed.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use hemi_governance::{
    Assessment, ContinueDecision, Date, DecisionRequest, FundingEntry, NewCommitment, NewSession,
    ProgressReport, Quarter,
};
use maud::{html, Markup};

use crate::access::{ClientIp, CurrentUser, Viewer};
use crate::chart::format_count;
use crate::error::{ApiPath, WebError, WebForm, WebResult};
use crate::layout::{country_name, form_notice, page, FormState};
use crate::AppState;

/// Form fields as typed, by name.
pub type Typed = BTreeMap<String, String>;

fn get<'a>(t: &'a Typed, name: &str) -> &'a str {
    t.get(name).map(|s| s.trim()).unwrap_or("")
}

fn lines(t: &Typed, name: &str) -> Vec<String> {
    get(t, name)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn opt(t: &Typed, name: &str) -> Option<String> {
    Some(get(t, name))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn number(t: &Typed, name: &str) -> hemi_app::Result<f64> {
    let text = get(t, name).replace(',', "");
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            hemi_app::AppError::invalid(
                name,
                format!("{:?} is not a number", get(t, name)),
                "write digits, e.g. 1350000",
            )
        })
}

fn date(t: &Typed, name: &str) -> hemi_app::Result<Date> {
    Date::parse(get(t, name)).map_err(|_| {
        hemi_app::AppError::invalid(
            name,
            format!("{:?} is not a date", get(t, name)),
            "write YYYY-MM-DD",
        )
    })
}

fn id(t: &Typed, name: &str) -> hemi_app::Result<i64> {
    get(t, name).parse().map_err(|_| {
        hemi_app::AppError::invalid(
            name,
            format!("{:?} is not an id", get(t, name)),
            "choose one from the list",
        )
    })
}

/// Which form a submission came from, so its errors show beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormId {
    Session,
    Commitment,
    Progress,
    Funding,
    Recommendation,
    Decision,
    Assessment,
}

struct Shown {
    form: Option<FormId>,
    state: FormState,
    typed: Typed,
    message: Option<String>,
}

impl Shown {
    fn fresh() -> Shown {
        Shown {
            form: None,
            state: FormState::default(),
            typed: Typed::new(),
            message: None,
        }
    }
    fn state_for(&self, form: FormId) -> FormState {
        if self.form == Some(form) {
            self.state.clone()
        } else {
            FormState::default()
        }
    }
    fn typed_for(&self, form: FormId) -> Typed {
        if self.form == Some(form) {
            self.typed.clone()
        } else {
            Typed::new()
        }
    }
}

/// A text field that keeps what was typed and shows its error.
fn input(
    form: &FormState,
    typed: &Typed,
    name: &str,
    label: &str,
    kind: &str,
    required: bool,
    placeholder: &str,
) -> Markup {
    let error = form.error(name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(get(typed, name)) required[required] placeholder=(placeholder)
                aria-invalid=[error.map(|_| "true")];
            @if let Some(e) = error { p.field-error { (e) } }
        }
    }
}

fn textarea(form: &FormState, typed: &Typed, name: &str, label: &str, rows: u32) -> Markup {
    let error = form.error(name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            textarea id=(id) name=(name) rows=(rows) { (get(typed, name)) }
            @if let Some(e) = error { p.field-error { (e) } }
        }
    }
}

fn select(
    form: &FormState,
    typed: &Typed,
    name: &str,
    label: &str,
    options: &[(String, String)],
) -> Markup {
    let error = form.error(name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[get(typed, name) == value] { (text) }
                }
            }
            @if let Some(e) = error { p.field-error { (e) } }
        }
    }
}

fn csrf_field(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default()); }
}

fn check_csrf(viewer: &Viewer, typed: &Typed) -> WebResult<CurrentUser> {
    let user = viewer.user()?.clone();
    user.check_csrf(get(typed, "csrf"))?;
    Ok(user)
}

async fn overview(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    shown: &Shown,
) -> WebResult {
    let user = viewer.user()?;
    let app = &state.app;
    let store = app.store();
    let declaration = store.declaration(None, None).await?;
    let sessions = store.sessions().await?;
    let commitments = app.commitments(None).await?;
    let funding = store.funding().await?;
    let pillars: Vec<(String, String)> = declaration
        .as_ref()
        .map(|(_, d)| {
            d.pillars
                .iter()
                .map(|p| (p.key.clone(), format!("{} — {}", p.key, p.title)))
                .collect()
        })
        .unwrap_or_default();
    let commitment_options: Vec<(String, String)> =
        std::iter::once((String::new(), "none".to_owned()))
            .chain(commitments.iter().map(|c| {
                (
                    c.id.to_string(),
                    format!("{} — {}: {}", c.id, c.owner, c.title),
                )
            }))
            .collect();
    let (sf, st) = (
        shown.state_for(FormId::Session),
        shown.typed_for(FormId::Session),
    );
    let (cf, ct) = (
        shown.state_for(FormId::Commitment),
        shown.typed_for(FormId::Commitment),
    );
    let (pf, pt) = (
        shown.state_for(FormId::Progress),
        shown.typed_for(FormId::Progress),
    );
    let (ff, ft) = (
        shown.state_for(FormId::Funding),
        shown.typed_for(FormId::Funding),
    );
    let (rf, rt) = (
        shown.state_for(FormId::Recommendation),
        shown.typed_for(FormId::Recommendation),
    );
    let body = html! {
        h1 { "Secretariat" }
        p.lead { "Run the L.A. Process: open ministerials and emergency sessions, record their decisions, commitments and their progress, funding and the Task Force's recommendations. Every change is a new version of the declaration or an audited record; the public sees the result on " a href="/governance" { "the L.A. Process page" } "." }
        @if let Some(m) = &shown.message { p.notice.good role="status" { (m) } }
        @if declaration.is_none() { p.notice.bad { "The declaration is not recorded yet: run " code { "hemi process seed" } "." } }

        section id="sessions" {
            h2 { "Sessions" }
            @if sessions.is_empty() { p { "No session yet." } } @else {
                div.table-wrap { table.data {
                    thead { tr { th { "Date" } th { "Kind" } th { "Host" } th { "Title" } th { "Event" } th { "" } } }
                    tbody { @for s in &sessions { tr {
                        td { (s.held_on) } td { (s.kind) } td { (country_name(&s.host)) } td.wrap { (s.title) } td { (s.event_id.clone().unwrap_or_default()) }
                        td { a href=(format!("/secretariat/sessions/{}", s.id)) { "Agenda and decisions" } }
                    } } }
                } }
            }
            h3 { "Open a session" }
            (form_notice(&sf, &["kind", "date", "host", "title", "participants", "agenda", "minutes", "event", "goals"]))
            form method="post" action="/secretariat/sessions" {
                (csrf_field(user))
                (select(&sf, &st, "kind", "Kind", &[("ministerial".into(), "Ministerial".into()), ("emergency".into(), "Emergency session (on an early-warning event)".into())]))
                (input(&sf, &st, "date", "Date held", "date", true, "YYYY-MM-DD"))
                (input(&sf, &st, "host", "Host (ISO3 or signatory code)", "text", true, "PER"))
                (input(&sf, &st, "title", "Title", "text", false, ""))
                (input(&sf, &st, "participants", "Participants (codes, separated by commas)", "text", false, "COL, PAN, USA"))
                (textarea(&sf, &st, "agenda", "Agenda (one item per line)", 3))
                (textarea(&sf, &st, "minutes", "Minutes", 3))
                (input(&sf, &st, "event", "Event id (emergency sessions: opens pillar E-<event>)", "text", false, "HTI-2021-01"))
                (textarea(&sf, &st, "goals", "Goals of the emergency pillar (one per line)", 3))
                button.primary type="submit" { "Open session" }
            }
        }

        section id="commitments" {
            h2 { "Commitments" }
            div.table-wrap { table.data {
                thead { tr { th.num { "Id" } th { "Owner" } th { "Commitment" } th.num { "Target" } th.num { "Latest" } th { "Assessment" } th { "Status" } } }
                tbody { @for c in &commitments { tr {
                    td.num { (c.id) } td { (c.owner) } td.wrap { (c.title) }
                    td.num { (format_count(c.target_value)) " " (c.unit) " by " (c.target_date) }
                    td.num { (c.latest_value.map_or("–".into(), format_count)) @if let Some(on) = &c.latest_on { br; span.muted { (on) } } }
                    td { (c.assessment.clone().unwrap_or_default()) } td { (c.status) }
                } } }
            } }
            h3 { "Report progress" }
            (form_notice(&pf, &["commitment", "value", "reported_on", "source", "evidence"]))
            form method="post" action="/secretariat/progress" {
                (csrf_field(user))
                (select(&pf, &pt, "commitment", "Commitment", &commitment_options[1..]))
                (input(&pf, &pt, "value", "Value reached (in the commitment's unit)", "text", true, "1350000"))
                (input(&pf, &pt, "reported_on", "Date the value refers to", "date", true, "YYYY-MM-DD"))
                (input(&pf, &pt, "source", "Source (agency, publication)", "text", true, "Migración Colombia"))
                (input(&pf, &pt, "evidence", "Link to the evidence", "url", false, "https://"))
                button.primary type="submit" { "Record progress" }
            }
            h3 { "Record a commitment" }
            (form_notice(&cf, &["owner", "pillar", "title", "unit", "baseline", "baseline_date", "target", "target_date", "depends_on", "session"]))
            form method="post" action="/secretariat/commitments" {
                (csrf_field(user))
                (input(&cf, &ct, "owner", "Owner (a signatory's code)", "text", true, "ECU"))
                (select(&cf, &ct, "pillar", "Pillar", &pillars))
                (input(&cf, &ct, "title", "What is committed", "text", true, ""))
                (input(&cf, &ct, "unit", "Unit (permits, visas, USD)", "text", true, ""))
                (input(&cf, &ct, "baseline", "Baseline value", "text", false, "0"))
                (input(&cf, &ct, "baseline_date", "Baseline date", "date", true, "YYYY-MM-DD"))
                (input(&cf, &ct, "target", "Target value", "text", true, ""))
                (input(&cf, &ct, "target_date", "Target date", "date", true, "YYYY-MM-DD"))
                (input(&cf, &ct, "depends_on", "Depends on commitments (ids, comma separated)", "text", false, ""))
                (input(&cf, &ct, "session", "Announced at session (id)", "text", false, ""))
                button.primary type="submit" { "Record commitment" }
            }
        }

        section id="funding" {
            h2 { "Funding" }
            @if funding.is_empty() { p { "No pledge or disbursement yet." } } @else {
                div.table-wrap { table.data {
                    thead { tr { th { "Date" } th { "Kind" } th { "Donor" } th { "Recipient" } th { "Pillar" } th.num { "Amount" } } }
                    tbody { @for f in &funding { tr {
                        td { (f.dated_on) } td { (f.kind) } td { (f.donor) } td { (f.recipient) } td { (f.pillar) } td.num { (format_count(f.amount)) " " (f.currency) }
                    } } }
                } }
            }
            (form_notice(&ff, &["kind", "donor", "recipient", "pillar", "commitment", "amount", "currency", "date", "note"]))
            form method="post" action="/secretariat/funding" {
                (csrf_field(user))
                (select(&ff, &ft, "kind", "Kind", &[("pledge".into(), "Pledge".into()), ("disbursement".into(), "Disbursement".into())]))
                (input(&ff, &ft, "donor", "Donor", "text", true, "USA"))
                (input(&ff, &ft, "recipient", "Recipient", "text", true, "World Bank GCFF"))
                (select(&ff, &ft, "pillar", "Pillar", &pillars))
                (select(&ff, &ft, "commitment", "Commitment funded", &commitment_options))
                (input(&ff, &ft, "amount", "Amount", "text", true, "25000000"))
                (input(&ff, &ft, "currency", "Currency (ISO 4217)", "text", true, "USD"))
                (input(&ff, &ft, "date", "Date", "date", true, "YYYY-MM-DD"))
                (input(&ff, &ft, "note", "Note", "text", false, ""))
                button.primary type="submit" { "Record" }
            }
        }

        section id="recommendations" {
            h2 { "Recommendations of the Task Force" }
            (form_notice(&rf, &["quarter", "text", "to"]))
            form method="post" action="/secretariat/recommendations" {
                (csrf_field(user))
                (input(&rf, &rt, "quarter", "Quarter", "text", true, "2023Q3"))
                (textarea(&rf, &rt, "text", "Recommendation", 3))
                (input(&rf, &rt, "to", "To whom", "text", false, "L.A. Process ministerial"))
                button.primary type="submit" { "Add to the quarter's report" }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/secretariat",
        "Secretariat",
        body,
    ))
}

fn status_of(e: &hemi_app::AppError) -> StatusCode {
    match e {
        hemi_app::AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        hemi_app::AppError::Refused(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn answer(
    state: &AppState,
    viewer: &Viewer,
    form: FormId,
    typed: Typed,
    outcome: hemi_app::Result<String>,
    back: &str,
) -> WebResult {
    match outcome {
        Ok(message) => {
            // After a change, back to the page (so a reload does not post again).
            let target = format!("{back}?done={}", crate::layout::encode_component(&message));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response())
        }
        Err(e) if e.is_callers() => {
            let shown = Shown {
                form: Some(form),
                state: FormState::from_error(&e),
                typed,
                message: None,
            };
            if back.starts_with("/secretariat/sessions/") {
                let id = back
                    .rsplit('/')
                    .next()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
                session_page(state, viewer, id, status_of(&e), &shown).await
            } else {
                overview(state, viewer, status_of(&e), &shown).await
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /secretariat` (with `?done=...`, the message of the change just made).
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>,
) -> WebResult {
    let mut shown = Shown::fresh();
    shown.message = q.get("done").map(|m| m.chars().take(300).collect());
    overview(&state, &viewer, StatusCode::OK, &shown).await
}

/// `POST /secretariat/sessions`.
pub async fn open_session(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let new = NewSession {
            kind: get(&t, "kind").parse()?,
            held_on: date(&t, "date")?,
            host: get(&t, "host").to_owned(),
            title: get(&t, "title").to_owned(),
            participants: get(&t, "participants")
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_uppercase)
                .collect(),
            agenda: lines(&t, "agenda"),
            minutes: get(&t, "minutes").to_owned(),
            event_id: opt(&t, "event"),
            emergency_goals: lines(&t, "goals"),
        };
        let (id, version) = state
            .app
            .open_session(&new, &user.actor(&ip.text()))
            .await?;
        Ok(match version {
            Some(v) => format!("Session {id} opened; version {v} adds the emergency pillar."),
            None => format!("Session {id} opened."),
        })
    }
    .await;
    answer(&state, &viewer, FormId::Session, t, outcome, "/secretariat").await
}

/// `POST /secretariat/commitments`.
pub async fn add_commitment(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let depends_on = get(&t, "depends_on")
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                d.parse::<i64>().map_err(|_| {
                    hemi_app::AppError::invalid(
                        "depends_on",
                        format!("{d:?} is not a commitment id"),
                        "give ids separated by commas",
                    )
                })
            })
            .collect::<hemi_app::Result<Vec<i64>>>()?;
        let new = NewCommitment {
            owner: get(&t, "owner").to_uppercase(),
            pillar: get(&t, "pillar").to_owned(),
            title: get(&t, "title").to_owned(),
            unit: get(&t, "unit").to_owned(),
            baseline_value: if get(&t, "baseline").is_empty() {
                0.0
            } else {
                number(&t, "baseline")?
            },
            baseline_date: get(&t, "baseline_date").to_owned(),
            target_value: number(&t, "target")?,
            target_date: get(&t, "target_date").to_owned(),
            depends_on,
        };
        let session = if get(&t, "session").is_empty() {
            None
        } else {
            Some(id(&t, "session")?)
        };
        let on = Date::parse(get(&t, "baseline_date")).unwrap_or_else(|_| hemi_app::time::today());
        let id = state
            .app
            .add_commitment(&new, session, &on, &user.actor(&ip.text()))
            .await?;
        Ok(format!("Commitment {id} recorded."))
    }
    .await;
    answer(
        &state,
        &viewer,
        FormId::Commitment,
        t,
        outcome,
        "/secretariat",
    )
    .await
}

/// `POST /secretariat/progress`.
pub async fn report_progress(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let report = ProgressReport {
            commitment_id: id(&t, "commitment")?,
            reported_on: date(&t, "reported_on")?,
            value: number(&t, "value")?,
            source: get(&t, "source").to_owned(),
            evidence_url: get(&t, "evidence").to_owned(),
        };
        state
            .app
            .report_progress(&report, &user.actor(&ip.text()))
            .await?;
        Ok(format!(
            "Progress of commitment {} recorded.",
            report.commitment_id
        ))
    }
    .await;
    answer(
        &state,
        &viewer,
        FormId::Progress,
        t,
        outcome,
        "/secretariat",
    )
    .await
}

/// `POST /secretariat/funding`.
pub async fn record_funding(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let entry = FundingEntry {
            kind: get(&t, "kind").parse()?,
            donor: get(&t, "donor").to_owned(),
            recipient: get(&t, "recipient").to_owned(),
            pillar: get(&t, "pillar").to_owned(),
            commitment_id: if get(&t, "commitment").is_empty() {
                None
            } else {
                Some(id(&t, "commitment")?)
            },
            amount: number(&t, "amount")?,
            currency: hemi_governance::currency_code(get(&t, "currency"))?,
            dated_on: date(&t, "date")?,
            note: get(&t, "note").to_owned(),
        };
        state
            .app
            .record_funding(&entry, &user.actor(&ip.text()))
            .await?;
        Ok(format!(
            "{} of {} {} recorded.",
            entry.kind,
            format_count(entry.amount),
            entry.currency
        ))
    }
    .await;
    answer(&state, &viewer, FormId::Funding, t, outcome, "/secretariat").await
}

/// `POST /secretariat/recommendations`.
pub async fn add_recommendation(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let quarter = Quarter::parse(get(&t, "quarter"))?;
        state
            .app
            .add_recommendation(
                &quarter,
                get(&t, "text"),
                get(&t, "to"),
                &user.actor(&ip.text()),
            )
            .await?;
        Ok(format!("Recommendation added to the {quarter} report."))
    }
    .await;
    answer(
        &state,
        &viewer,
        FormId::Recommendation,
        t,
        outcome,
        "/secretariat",
    )
    .await
}

async fn session_page(
    state: &AppState,
    viewer: &Viewer,
    session_id: i64,
    status: StatusCode,
    shown: &Shown,
) -> WebResult {
    let user = viewer.user()?;
    let app = &state.app;
    let session = app
        .sessions()
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or_else(|| WebError::NotFound(Some(format!("there is no session {session_id}"))))?;
    let versions: Vec<_> = app
        .declaration_versions()
        .await?
        .into_iter()
        .filter(|v| v.session_id == Some(session_id))
        .collect();
    let commitments = app.commitments(None).await?;
    let assessments: Vec<_> = app
        .assessments()
        .await?
        .into_iter()
        .filter(|a| a.session_id == session_id)
        .collect();
    let (df, dt) = (
        shown.state_for(FormId::Decision),
        shown.typed_for(FormId::Decision),
    );
    let (af, at) = (
        shown.state_for(FormId::Assessment),
        shown.typed_for(FormId::Assessment),
    );
    let levels: Vec<(String, String)> = [
        "not_started",
        "limited",
        "substantial",
        "complete",
        "withdrawn",
    ]
    .iter()
    .map(|l| ((*l).to_owned(), l.replace('_', " ")))
    .collect();
    let body = html! {
        p.muted { a href="/secretariat" { "← Secretariat" } }
        h1 { (session.title) }
        p.lead { (session.kind) " session held on " (session.held_on) " in " (country_name(&session.host))
            @if let Some(e) = &session.event_id { ", on event " a href=(format!("/events/{e}")) { (e) } } "." }
        @if let Some(m) = &shown.message { p.notice.good role="status" { (m) } }
        @if !session.participants.is_empty() { p { "Participants: " (session.participants.join(", ")) } }
        h2 { "Agenda" }
        @if session.agenda.is_empty() { p.muted { "No agenda recorded." } } @else { ol { @for a in &session.agenda { li { (a) } } } }
        @if !session.minutes.is_empty() { h2 { "Minutes" } p { (session.minutes) } }
        h2 { "Decisions" }
        @if versions.is_empty() { p.muted { "No decision recorded yet." } } @else {
            ul { @for v in &versions { li { "Version " (v.version) ": " (v.changes.join("; ")) " — " (v.reason) } } }
        }
        h3 { "Record a decision" }
        p.muted { "Fill the parts the session decided; they become one new version of the declaration dated on the session, or nothing if any part is refused." }
        (form_notice(&df, &["reason", "add_pillar", "kind", "goals", "continue_pillar", "review_by", "narrow_pillar", "close_pillar", "add_signatory", "withdraw", "alternate", "deliverable_status", "date", "decision"]))
        form method="post" action=(format!("/secretariat/sessions/{session_id}/decisions")) {
            (csrf_field(user))
            (input(&df, &dt, "reason", "Why (recorded with the version)", "text", true, ""))
            (input(&df, &dt, "add_pillar", "Add a pillar: KEY=TITLE", "text", false, "P5=Labour mobility"))
            (select(&df, &dt, "kind", "Kind of the added pillar", &[("temporary".into(), "temporary".into()), ("permanent".into(), "permanent".into()), ("emergency".into(), "emergency".into())]))
            (textarea(&df, &dt, "goals", "Goals (added pillar; or the goals kept when narrowing)", 3))
            (input(&df, &dt, "continue_pillar", "Keep a pillar in force (key)", "text", false, "E-HTI-2021-01"))
            (input(&df, &dt, "review_by", "… review by", "date", false, "YYYY-MM-DD"))
            (input(&df, &dt, "narrow_pillar", "Narrow a pillar to the goals above (key)", "text", false, ""))
            (input(&df, &dt, "close_pillar", "Close a pillar (key)", "text", false, ""))
            (input(&df, &dt, "deliverable_status", "Deliverable status: KEY=STATUS", "text", false, "P1-D1=done"))
            (input(&df, &dt, "add_signatory", "A signatory joins: CODE=NAME", "text", false, "CHL=Chile"))
            (input(&df, &dt, "withdraw", "A signatory withdraws (code)", "text", false, ""))
            (textarea(&df, &dt, "alternate", "Alternate arrangements (one per line: COMMITMENT_ID=ARRANGEMENT[@NEW_OWNER])", 2))
            button.primary type="submit" { "Record decision" }
        }
        @if session.kind == "ministerial" {
            h2 { "Assessments" }
            @if assessments.is_empty() { p.muted { "No commitment assessed at this session yet." } } @else {
                ul { @for a in &assessments { li { "Commitment " (a.commitment_id) ": " (a.level.replace('_', " ")) ", " (a.decision) @if !a.note.is_empty() { " — " (a.note) } } } }
            }
            (form_notice(&af, &["commitment", "level", "decision", "note"]))
            form method="post" action=(format!("/secretariat/sessions/{session_id}/assessments")) {
                (csrf_field(user))
                (select(&af, &at, "commitment", "Commitment", &commitments.iter().map(|c| (c.id.to_string(), format!("{} — {}: {}", c.id, c.owner, c.title))).collect::<Vec<_>>()))
                (select(&af, &at, "level", "Level", &levels))
                (select(&af, &at, "decision", "Decision", &[("continue".into(), "continue".into()), ("stop".into(), "stop".into())]))
                (input(&af, &at, "note", "Note", "text", false, ""))
                button.primary type="submit" { "Record assessment" }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/secretariat",
        &session.title,
        body,
    ))
}

/// `GET /secretariat/sessions/{id}`.
pub async fn session(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiPath(session_id): ApiPath<i64>,
    axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>,
) -> WebResult {
    let mut shown = Shown::fresh();
    shown.message = q.get("done").map(|m| m.chars().take(300).collect());
    session_page(&state, &viewer, session_id, StatusCode::OK, &shown).await
}

/// `POST /secretariat/sessions/{id}/decisions`.
pub async fn decide(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(session_id): ApiPath<i64>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let request = DecisionRequest {
        add_pillar: opt(&t, "add_pillar"),
        kind: opt(&t, "kind"),
        event: None,
        goals: lines(&t, "goals"),
        modify_pillar: None,
        continue_pillar: opt(&t, "continue_pillar"),
        review_by: opt(&t, "review_by"),
        narrow_pillar: opt(&t, "narrow_pillar"),
        close_pillar: opt(&t, "close_pillar"),
        remove_pillar: None,
        add_signatory: opt(&t, "add_signatory"),
        organisation: false,
        withdraw: opt(&t, "withdraw"),
        alternates: lines(&t, "alternate"),
        deliverable_status: opt(&t, "deliverable_status"),
    };
    // The kind field always has a value; it only matters with a pillar added.
    let request = DecisionRequest {
        kind: request.add_pillar.as_ref().and(request.kind.clone()),
        ..request
    };
    let outcome = state
        .app
        .decide_request(
            session_id,
            &request,
            get(&t, "reason"),
            &user.actor(&ip.text()),
        )
        .await
        .map(|v| format!("Decision recorded as version {v}."));
    answer(
        &state,
        &viewer,
        FormId::Decision,
        t,
        outcome,
        &format!("/secretariat/sessions/{session_id}"),
    )
    .await
}

/// `POST /secretariat/sessions/{id}/assessments`.
pub async fn assess(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(session_id): ApiPath<i64>,
    WebForm(t): WebForm<Typed>,
) -> WebResult {
    let user = check_csrf(&viewer, &t)?;
    let outcome = async {
        let commitment = id(&t, "commitment")?;
        let level = Assessment::parse(get(&t, "level"))?;
        let decision = ContinueDecision::parse(get(&t, "decision"))?;
        let version = state
            .app
            .assess_commitment(
                commitment,
                session_id,
                level,
                decision,
                get(&t, "note"),
                &user.actor(&ip.text()),
            )
            .await?;
        Ok(match version {
            Some(v) => {
                format!("Commitment {commitment} assessed; version {v} records its new status.")
            }
            None => format!("Commitment {commitment} assessed."),
        })
    }
    .await;
    answer(
        &state,
        &viewer,
        FormId::Assessment,
        t,
        outcome,
        &format!("/secretariat/sessions/{session_id}"),
    )
    .await
}
