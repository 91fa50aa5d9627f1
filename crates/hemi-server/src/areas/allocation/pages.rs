//! Allocation pages: the public draws (`/draws`, `/draws/{id}`: commitment, where the
//! seed comes from, results by wait band and nationality, and how anyone can verify the
//! draw with the exact commands), the scheduler's week (`/schedule`) and the placement
//! coordinator's page (`/placement`: plan summary, every site's occupancy, a household's
//! explanation with its next-best alternatives, an override form with a reason).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use maud::{html, Markup};

use hemi_app::allocation::plans::OverrideRequest;

use crate::access::{ClientIp, Viewer};
use crate::error::{ApiPath, ApiQuery, WebForm, WebResult};
use crate::layout::{field, form_notice, format_time, page, FormState};
use crate::AppState;

fn percent(share: f64) -> String {
    format!("{:.1} %", 100.0 * share)
}

/// `GET /draws`: every draw with its commitment.
pub async fn draws(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    let draws = state.app.draws().await?;
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/draws",
        "Appointment draws",
        html! {
            h1 { "Appointment draws" }
            p.lead { "Appointments at the ports of entry are drawn by a lottery anyone can check. Before a draw, its commitment (a SHA-256 hash of the list of registered households and the rules) is published here; the seed comes from a public value fixed after registration closes, never from our servers; after the draw, the list, the value and the winners are published so that anyone can re-run it and get the same winners bit for bit." }
            @if draws.is_empty() {
                p.notice { "No draw yet." }
            } @else {
                div.table-wrap { table.data {
                    thead { tr { th.num { "Draw" } th { "Appointments on" } th { "Registration closed" } th.num { "Households" } th.num { "People" } th { "Commitment" } th { "Status" } } }
                    tbody { @for d in &draws { tr {
                        td.num { a href=(format!("/draws/{}", d.id)) { (d.id) } }
                        td { (d.draw_date) } td { (d.registration_closed_on) }
                        td.num { (d.households) } td.num { (d.people) }
                        td { code.hash { (&d.commitment[..16]) "…" } }
                        td { @if d.drawn_at.is_some() { "drawn" } @else { "open: waiting for the public value" } }
                    } } }
                } }
            }
        },
    ))
}

/// `GET /draws/{id}`: one draw and how to verify it.
pub async fn draw(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiPath(id): ApiPath<i64>,
) -> WebResult {
    let view = state.app.public_draw_view(id).await?;
    let d = &view.draw;
    let file = |name: &str| {
        view.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str())
    };
    let winners = file("result.csv")
        .map(|r| r.lines().count().saturating_sub(1))
        .unwrap_or(0);
    let title = format!("Draw {id}");
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/draws",
        &title,
        html! {
            h1 { "Draw " (id) ": appointments on " (d.draw_date) }
            p.lead { (d.households) " households (" (d.people) " people) registered up to " (d.registration_closed_on) " are in the list. "
                @if d.drawn_at.is_some() { (winners) " households were drawn." } @else { "The draw has not run yet." } }
            h2 { "Commitment" }
            p { "Published when the draw opened, " (format_time(d.opened_at)) ", before the seed could be known:" }
            p { code.hash id="commitment" { (d.commitment) } }
            h2 { "Seed" }
            p { "The seed comes from a public value declared in advance: " strong { (d.public_value_source) } "." }
            @match (&d.public_value, &d.seed) {
                (Some(value), Some(seed)) => {
                    p { "Public value: " code { (value) } }
                    p { "Seed = SHA-256(\"hemi-lottery-seed\" LF commitment LF public value) = " code.hash id="seed" { (seed) } }
                }
                _ => p.notice { "The public value is not known yet; the draw runs once it is." },
            }
            @if let Some(stats) = &view.statistics {
                h2 { "Results by days waited" }
                (group_table(&stats.by_wait_band, "Days waited"))
                h2 { "Results by nationality" }
                (group_table(&stats.by_nationality, "Nationality"))
                p.muted { "Counts by nationality are perturbed slightly (cell-key method) so that no household can be picked out; counts by days waited are exact, as registrations.csv publishes every household's registration day and size." }
                p.muted { "Probability of selection: the share of re-runs with derived seeds (SHA-256 of the seed, \":sim:\" and a counter) that select a household of the group; anyone can re-make these figures." }
            }
            h2 { "Published files" }
            ul.files { @for (name, content) in &view.files {
                li { a href=(format!("/api/appointments/draws/{id}")) { code { (name) } } " — " (content.len()) " bytes" }
            } }
            h2 id="verify" { "Verify this draw yourself" }
            p { "Download the files (the JSON at " a href=(format!("/api/appointments/draws/{id}")) { code { "/api/appointments/draws/" (id) } } " holds each one's exact bytes), then either:" }
            ol {
                li { "with the independent Python re-implementation (standard library only):" pre { code { "python3 crates/hemi-allocation/verify/verify_draw.py DRAW_DIR" } } }
                li { "or with Hemisphere on a node that holds the draw:" pre { code { "hemi appointments publish " (id) " --out-dir DRAW_DIR\nhemi appointments verify " (id) } } }
                li { "or by hand, following " code { "crates/hemi-allocation/VERIFY.md" } ": " code { "sha256sum" } " of policy.txt followed by registrations.csv must equal the commitment above." }
            }
            @if d.drawn_at.is_some() {
                p { a id="verify-link" href=(format!("/draws/{id}/verification")) { "Re-run it here now" } " (the server re-runs the published files and says whether they match, or where they differ)." }
            }
        },
    ))
}

fn group_table(rows: &[hemi_allocation::lottery::GroupCount], label: &str) -> Markup {
    html! {
        div.table-wrap { table.data {
            thead { tr { th { (label) } th.num { "Households registered" } th.num { "People" } th.num { "Households drawn" } th.num { "People drawn" } th.num { "Share drawn" } th.num { "Probability of selection" } } }
            tbody { @for g in rows { tr {
                td { (g.group) } td.num { (g.households_registered) } td.num { (g.people_registered) }
                td.num { (g.households_selected) } td.num { (g.people_selected) }
                td.num { (percent(g.selection_rate)) }
                td.num { (g.selection_probability.map(percent).unwrap_or_else(|| "–".into())) }
            } } }
        } }
    }
}

/// `GET /draws/{id}/verification`: the server re-runs the published files.
pub async fn verification(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiPath(id): ApiPath<i64>,
) -> WebResult {
    let outcome = state.app.verify_draw(id).await?;
    let title = format!("Verification of draw {id}");
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/draws",
        &title,
        html! {
            h1 { "Verification of draw " (id) }
            @match &outcome {
                hemi_app::allocation::draws::DrawVerification::Verified(v) => {
                    p.notice.good id="outcome" role="status" { "Verified: the published files hash to the commitment, and re-running the draw from seed " code { (&v.seed[..16]) "…" } " gives the same " (v.selections) " winners, bit for bit." }
                }
                hemi_app::allocation::draws::DrawVerification::Failed { difference } => {
                    p.notice.bad id="outcome" role="alert" { "Verification FAILED: " (difference) }
                }
            }
            p { a href=(format!("/draws/{id}")) { "Back to the draw" } }
        },
    ))
}

/// `GET /schedule`: the scheduler's week, planned from a synthetic week of officers'
/// shifts and people to interview (the same planner as `hemi schedule plan`).
pub async fn schedule(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiQuery(q): ApiQuery<BTreeMap<String, String>>,
) -> WebResult {
    let absent = q.get("absent").cloned().unwrap_or_default();
    let week = hemi_app::allocation::files::demo_week(&absent).await?;
    let s = &week.schedule;
    let mut days: BTreeMap<String, BTreeMap<String, Vec<&hemi_allocation::schedule::Appointment>>> =
        BTreeMap::new();
    for a in &s.appointments {
        days.entry(a.day.to_string())
            .or_default()
            .entry(a.officer_id.clone())
            .or_default()
            .push(a);
    }
    let officers: Vec<String> = {
        let mut o: Vec<String> = s
            .appointments
            .iter()
            .map(|a| a.officer_id.clone())
            .collect();
        o.sort();
        o.dedup();
        o
    };
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/schedule",
        "Screening interviews",
        html! {
            h1 { "Screening interviews: week of " (week.monday) }
            p.lead { "Asylum officers' shifts filled with screening interviews: languages matched (or an interpreter booked), the highest priorities first, the shortest waits. Mark an officer absent for a day to re-plan, changing as few appointments as possible." }
            p { "Scheduled " strong { (s.appointments.len()) } " of " (s.appointments.len() + s.unscheduled.len()) " people · utilisation " strong { (percent(s.utilisation)) } " of shift time · mean wait " (format!("{:.2}", s.mean_wait_days)) " days · " (s.interpreter_interviews) " through an interpreter"
                @if week.replanned { " · re-planned without " strong { (absent) } ": " (s.changed_from_previous) " appointments changed" } }
            div.table-wrap { table.data {
                thead { tr { th { "Priority" } th.num { "People" } th.num { "Scheduled" } th.num { "Mean wait (days)" } } }
                tbody { @for p in &s.by_priority { tr { td { (p.priority) } td.num { (p.people) } td.num { (p.scheduled) } td.num { (format!("{:.2}", p.mean_wait_days)) } } } }
            } }
            form method="get" action="/schedule" {
                div.field { label for="f-absent" { "Officer absent on Monday" }
                    select id="f-absent" name="absent" { option value="" { "nobody" } @for o in &officers { option value=(o) selected[*o == absent] { (o) } } } }
                button type="submit" { "Re-plan" }
            }
            h2 { "Interviews per officer and day" }
            div.table-wrap.full { table.data {
                thead { tr { th { "Officer" } @for d in days.keys() { th.num { (d) } } } }
                tbody { @for o in &officers { tr {
                    td { (o) }
                    @for d in days.values() { td.num { (d.get(o).map(|v| v.len()).unwrap_or(0)) } }
                } } }
            } }
        },
    ))
}

/// What `/placement` shows: a plan, a household's explanation, a message after a change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PlacementQuery {
    plan: Option<i64>,
    household: Option<String>,
    done: Option<String>,
}

/// `GET /placement`.
pub async fn placement(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiQuery(q): ApiQuery<PlacementQuery>,
) -> WebResult {
    let typed = OverrideRequest {
        household_id: q.household.clone().unwrap_or_default(),
        ..Default::default()
    };
    placement_page(
        &state,
        &viewer,
        StatusCode::OK,
        q.plan,
        q.household.as_deref(),
        q.done.as_deref(),
        &FormState::default(),
        &typed,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn placement_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    plan_id: Option<i64>,
    household: Option<&str>,
    done: Option<&str>,
    form: &FormState,
    typed: &OverrideRequest,
) -> WebResult {
    let user = viewer.user()?;
    let plans = state.app.placement_plans(None).await?;
    let chosen = plan_id.or(plans.first().map(|p| p.id));
    let detail = match chosen {
        Some(id) => Some(state.app.placement_plan(id).await?),
        None => None,
    };
    let explanation = match (chosen, household.filter(|h| !h.trim().is_empty())) {
        (Some(id), Some(h)) => Some(state.app.explain_placement(id, h.trim()).await),
        _ => None,
    };
    Ok(page(
        state,
        status,
        viewer,
        "/placement",
        "Placement",
        html! {
            h1 { "Placement of arriving households" }
            p.lead { "Households placed in communities with room for all their members, maximising the expected employment score; the solver proves an upper bound, so the gap says how far from the best possible a plan can be. Every override is a new plan with its reason in the audit log." }
            @if let Some(m) = done { p.notice.good role="status" { (m) } }
            @match &detail {
                None => p.notice { "No plan yet: store an instance and solve it (" code { "hemi placement store" } ", " code { "hemi placement plan" } ")." },
                Some(d) => {
                    h2 { "Plan " (d.plan.id) " of " (d.instance.name) }
                    p id="plan-summary" { "Objective " strong { (format!("{:.4}", d.plan.objective)) }
                        @if let Some(b) = d.plan.upper_bound { " · upper bound " (format!("{b:.4}")) }
                        @if let Some(g) = d.plan.relative_gap { " · gap " (format!("{:.3} %", 100.0 * g)) }
                        " · " (d.plan.households_placed) " of " (d.instance.households) " households placed (" (d.instance.people) " people in " (d.instance.sites) " sites with " (d.instance.capacity_people) " places)"
                        @if let (Some(h), Some(r)) = (&d.plan.household_id, &d.plan.reason) { " · override of plan " (d.plan.based_on.unwrap_or(0)) ": " (h) " — " em { (r) } } }
                    @if plans.len() > 1 {
                        form method="get" action="/placement" {
                            div.field { label for="f-plan" { "Plan" }
                                select id="f-plan" name="plan" { @for p in &plans { option value=(p.id) selected[Some(p.id) == chosen] { "Plan " (p.id) @if let Some(r) = &p.reason { " (override: " (r) ")" } } } } }
                            button type="submit" { "Show" }
                        }
                    }
                    h2 { "A household's placement" }
                    form method="get" action="/placement" {
                        input type="hidden" name="plan" value=(d.plan.id);
                        div.field { label for="f-household" { "Household id" } input id="f-household" type="text" name="household" value=(household.unwrap_or("")) placeholder="H000001"; }
                        button type="submit" { "Explain" }
                    }
                    @match &explanation {
                        Some(Ok(e)) => {
                            p id="explanation" { "Household " strong { (e.household_id) } " (" (e.size_people) " people) is at " strong { (e.site_id.clone().unwrap_or_else(|| "no site".into())) }
                                @if let Some(s) = e.score { " with score " (format!("{s:.4}")) }
                                @if let Some(r) = e.rank_among_candidates { ", its " (ordinal(r)) " best of " (e.candidates) " candidate sites" }
                                ". Room there costs " (format!("{:.4}", e.price_per_person)) " per person (the solver's price)." }
                            h3 { "Next-best alternatives" }
                            div.table-wrap { table.data id="alternatives" {
                                thead { tr { th { "Site" } th.num { "Score" } th.num { "Change" } th.num { "Free places" } th.num { "People to move out" } th.num { "Estimated objective change" } } }
                                tbody { @for a in &e.alternatives { tr {
                                    td { (a.site_id) } td.num { (format!("{:.4}", a.score)) } td.num { (format!("{:+.4}", a.score_change)) }
                                    td.num { (a.free_people) } td.num { (a.people_to_displace) } td.num { (format!("{:+.4}", a.estimated_objective_change)) }
                                } } }
                            } }
                            h3 { "Override" }
                            (form_notice(form, &["site_id", "reason"]))
                            form id="override" method="post" action=(format!("/placement/plans/{}/override", d.plan.id)) {
                                input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
                                input type="hidden" name="household_id" value=(e.household_id);
                                (field(form, "site_id", "Move to site", &typed.site_id, "text", false))
                                (field(form, "reason", "Reason (kept with the plan and in the audit log)", &typed.reason, "text", true))
                                button.primary type="submit" { "Override" }
                            }
                        }
                        Some(Err(e)) => p.notice.bad role="alert" { (e.to_string()) },
                        None => {
                            @if !form.is_ok() { (form_notice(form, &[])) }
                        }
                    }
                    h2 { "Sites, fullest first" }
                    div.table-wrap { table.data id="occupancy" {
                        thead { tr { th { "Site" } th.num { "Places" } th.num { "People" } th.num { "Households" } th.num { "Free" } th.num { "Score" } } }
                        tbody { @for o in &d.occupancy { tr {
                            td { (o.site_id) } td.num { (o.capacity_people) } td.num { (o.people) } td.num { (o.households) }
                            td.num { (i64::from(o.capacity_people) - o.people as i64) } td.num { (format!("{:.3}", o.score_total)) }
                        } } }
                    } }
                }
            }
        },
    ))
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `POST /placement/plans/{id}/override`.
pub async fn override_plan(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    WebForm(t): WebForm<BTreeMap<String, String>>,
) -> WebResult {
    let user = viewer.user()?.clone();
    let get = |k: &str| t.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    user.check_csrf(&get("csrf"))?;
    let request = OverrideRequest {
        household_id: get("household_id"),
        site_id: get("site_id"),
        reason: get("reason"),
    };
    match state
        .app
        .override_placement(id, &request, &user.actor(&ip.text()))
        .await
    {
        Ok(done) => {
            let message = format!(
                "Plan {} made: household {} moved from {} to {} (objective {:.4} → {:.4}).",
                done.plan.id,
                request.household_id,
                done.from_site.as_deref().unwrap_or("no site"),
                if request.site_id.is_empty() {
                    "no site"
                } else {
                    &request.site_id
                },
                done.previous_objective,
                done.evaluation.objective
            );
            let target = format!(
                "/placement?plan={}&household={}&done={}",
                done.plan.id,
                crate::layout::encode_component(&request.household_id),
                crate::layout::encode_component(&message)
            );
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response())
        }
        Err(e) if e.is_callers() => {
            let form = FormState::from_error(&e);
            placement_page(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                Some(&request.household_id),
                None,
                &form,
                &request,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
