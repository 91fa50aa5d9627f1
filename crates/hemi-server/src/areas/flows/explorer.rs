//! The series explorer: pick a reporting country, nationality and measure; see a line
//! chart over time and the table beneath, at the latest or an earlier vintage.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Extension;
use maud::html;
use serde::Deserialize;

use crate::access::Viewer;
use crate::chart::{format_count, line_chart, Line};
use crate::error::WebResult;
use crate::format::{code, text};
use crate::layout::{country_name, encode_component, page};
use crate::menus::choices;
use crate::AppState;

/// The explorer's form fields; all optional, as a browser sends them.
#[derive(Debug, Default, Deserialize)]
pub struct ExplorerQuery {
    reporting: Option<String>,
    nationality: Option<String>,
    measure: Option<String>,
    from: Option<String>,
    to: Option<String>,
    vintage: Option<String>,
}

/// `GET /explorer`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<ExplorerQuery>,
) -> WebResult {
    let user = viewer.user()?.clone();
    let menus = choices(&state).await?;
    let asked = code(&q.reporting);
    let reporting = user.scope_reporting(asked.clone())?.or_else(|| {
        menus
            .reporting
            .keys()
            .find(|k| *k == "PAN")
            .or(menus.reporting.keys().next())
            .cloned()
    });
    let nationality = code(&q.nationality);
    let measure = text(&q.measure);
    let mut problem_texts: Vec<String> = Vec::new();
    let vintage = match text(&q.vintage).filter(|v| v != "latest") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                problem_texts.push(format!("vintage: {v:?} is not a vintage number"));
                None
            }
        },
    };
    let available = reporting.as_ref().and_then(|r| menus.reporting.get(r));
    let asked_filter = hemi_app::flows::SeriesQuery {
        reporting: reporting.clone(),
        nationality: nationality.clone(),
        measure: measure.clone(),
        breakdown: Some("nationality".into()),
        from: text(&q.from),
        to: text(&q.to),
        vintage,
        source: None,
    };
    let filter = match state.app.series_filter(&asked_filter).await {
        Ok(f) => Some(f),
        Err(e) if e.is_callers() => {
            problem_texts.push(e.to_string());
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (from, to) = (
        filter.as_ref().and_then(|f| f.from.clone()),
        filter.as_ref().and_then(|f| f.to.clone()),
    );
    let rows = match (&filter, reporting.is_some()) {
        // Without a nationality, total across nationalities; with one, that nationality.
        (Some(f), true) => state.app.store().sums(f, nationality.is_some()).await?,
        _ => Vec::new(),
    };
    let mut by_measure: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.period.len() == 7) {
        by_measure
            .entry(r.measure.clone())
            .or_default()
            .push((r.period.clone(), r.value));
    }
    let lines: Vec<Line> = by_measure
        .into_iter()
        .map(|(label, points)| Line {
            label: label.replace('_', " "),
            points,
        })
        .collect();
    let annual_rows = rows.iter().filter(|r| r.period.len() == 4).count();
    let who = match &nationality {
        Some(n) => format!("{} nationals", country_name(n)),
        None => "all nationalities".to_owned(),
    };
    let place = reporting.as_deref().map(country_name).unwrap_or_default();
    let title = format!("{place}: {who}");
    let api_query = [
        ("reporting", reporting.clone()),
        ("nationality", nationality.clone()),
        ("measure", measure.clone()),
        ("breakdown", Some("nationality".to_owned())),
        ("from", from.clone()),
        ("to", to.clone()),
        ("vintage", vintage.map(|v| v.to_string())),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode_component(v))))
    .collect::<Vec<_>>()
    .join("&");
    let csv_link = if nationality.is_some() {
        format!("/api/series/values?{api_query}&format=csv")
    } else {
        format!("/api/totals?{api_query}&format=csv")
    };

    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/explorer",
        "Series explorer",
        html! {
            h1 { "Series explorer" }
            p.lead { "Values summed over the series of the nationality breakdown, per period, as published; choose a vintage to see the figures as they stood after an earlier import." }
            form.filters method="get" action="/explorer" {
                label { "Reporting country"
                    select name="reporting" {
                        @for (code, _) in &menus.reporting {
                            @if user.scope_reporting(Some(code.clone())).is_ok() {
                                option value=(code) selected[Some(code) == reporting.as_ref()] { (country_name(code)) " (" (code) ")" }
                            }
                        }
                    }
                }
                label { "Nationality"
                    select name="nationality" {
                        option value="" selected[nationality.is_none()] { "All nationalities (total)" }
                        @if let Some(a) = available {
                            @for n in &a.nationalities {
                                option value=(n) selected[Some(n) == nationality.as_ref()] { (country_name(n)) " (" (n) ")" }
                            }
                        }
                    }
                }
                label { "Measure"
                    select name="measure" {
                        option value="" selected[measure.is_none()] { "Every measure" }
                        @if let Some(a) = available {
                            @for m in &a.measures {
                                option value=(m) selected[Some(m) == measure.as_ref()] { (m.replace('_', " ")) }
                            }
                        }
                    }
                }
                label { "From" input type="text" name="from" value=(q.from.clone().unwrap_or_default()) placeholder="YYYY-MM" size="8"; }
                label { "To" input type="text" name="to" value=(q.to.clone().unwrap_or_default()) placeholder="YYYY-MM" size="8"; }
                label { "Vintage"
                    select name="vintage" {
                        option value="latest" selected[vintage.is_none()] { "Latest" }
                        @if let Some(a) = available {
                            @for v in 1..=a.max_vintage {
                                option value=(v) selected[vintage == Some(v)] { "Vintage " (v) }
                            }
                        }
                    }
                }
                button.primary type="submit" { "Show" }
            }
            @if !problem_texts.is_empty() {
                div.notice.bad role="alert" { @for p in &problem_texts { p { (p) } } }
            }
            h2 { (title) }
            @if rows.is_empty() {
                p.notice { "No values for this selection." }
            } @else {
                (line_chart(&lines, "People counted per month", &title))
                @if annual_rows > 0 {
                    p.muted { (annual_rows) " annual figures (published as yearly totals) are in the table but not on the monthly chart." }
                }
                p { a href=(csv_link) { "Download this table as CSV" } }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Period" } th { "Measure" } th { "Nationality" } th.num { "Value" } th.num { "Series" } th.num { "Vintage" } } }
                        tbody {
                            @for r in &rows {
                                tr {
                                    td { (r.period) }
                                    td { (r.measure.replace('_', " ")) }
                                    td { (r.nationality.clone().unwrap_or_else(|| "all".into())) }
                                    td.num { (format_count(r.value)) }
                                    td.num { (r.series) }
                                    td.num { (r.vintage) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}
