//! The public portal: monthly flows per reporting country and nationality for anyone,
//! with small counts suppressed ([`crate::disclosure`]) so no person can be singled out.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::routing::get;
use axum::Extension;
use maud::html;
use serde::Deserialize;

use crate::access::{Access, Viewer};
use crate::chart::format_count;
use crate::disclosure::protect;
use crate::error::WebResult;
use crate::format::{code, text};
use crate::layout::{country_name, page};
use crate::menus::choices;
use crate::routing::Area;
use crate::AppState;

/// The public portal.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/portal", Access::Public, get(show))
        .nav("/portal", "Public portal", Access::Public, 10)
}

/// The portal's form fields.
#[derive(Debug, Default, Deserialize)]
pub struct PortalQuery {
    reporting: Option<String>,
    measure: Option<String>,
    year: Option<String>,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `GET /portal`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<PortalQuery>,
) -> WebResult {
    let menus = choices(&state).await?;
    // Only countries with monthly data belong on a monthly portal.
    let countries: Vec<&String> = menus
        .reporting
        .iter()
        .filter(|(_, c)| !c.monthly_years.is_empty())
        .map(|(k, _)| k)
        .collect();
    let reporting = code(&q.reporting)
        .filter(|r| countries.contains(&r))
        .or_else(|| {
            countries
                .iter()
                .find(|c| c.as_str() == "PAN")
                .or(countries.first())
                .map(|c| (*c).clone())
        });
    let available = reporting.as_ref().and_then(|r| menus.reporting.get(r));
    let measure = text(&q.measure)
        .filter(|m| available.is_some_and(|a| a.measures.contains(m)))
        .or_else(|| available.and_then(|a| a.measures.iter().next().cloned()));
    let year = text(&q.year)
        .filter(|y| available.is_some_and(|a| a.monthly_years.contains(y)))
        .or_else(|| available.and_then(|a| a.monthly_years.iter().next_back().cloned()));
    let threshold = state.config().suppression_threshold;

    let mut table = None;
    if let (Some(r), Some(m), Some(y)) = (&reporting, &measure, &year) {
        let filter = hemi_store::SeriesFilter {
            reporting: Some(r.clone()),
            measure: Some(m.clone()),
            breakdown: Some("nationality".into()),
            from: Some(format!("{y}-01")),
            to: Some(format!("{y}-12")),
            ..Default::default()
        };
        let rows = state.app.store().sums(&filter, true).await?;
        // Months with any published value become columns; a nationality missing in a
        // published month had no one counted (publishers list only non-zero rows).
        let months: Vec<String> = rows
            .iter()
            .filter(|r| r.period.len() == 7)
            .map(|r| r.period.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for row in rows.iter().filter(|r| r.period.len() == 7) {
            let column = months
                .binary_search(&row.period)
                .expect("month collected above");
            let nationality = row.nationality.clone().unwrap_or_else(|| "?".into());
            values
                .entry(nationality)
                .or_insert_with(|| vec![0.0; months.len()])[column] += row.value;
        }
        let mut nationalities: Vec<(String, Vec<f64>)> = values.into_iter().collect();
        nationalities.sort_by(|a, b| {
            b.1.iter()
                .sum::<f64>()
                .total_cmp(&a.1.iter().sum::<f64>())
                .then(a.0.cmp(&b.0))
        });
        let cells: Vec<Vec<f64>> = nationalities.iter().map(|(_, v)| v.clone()).collect();
        let protected = protect(&cells, f64::from(threshold));
        table = Some((
            months,
            nationalities
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>(),
            protected,
        ));
    }
    let shown = |v: Option<f64>| match v {
        Some(v) => html! { td.num { (format_count(v)) } },
        None => html! { td.suppressed title="Suppressed" { "[c]" } },
    };

    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/portal",
        "Public portal",
        html! {
            h1 { "Public portal: monthly flows by nationality" }
            p.lead { "People counted by each reporting country's authority, by nationality and month, at the latest published figures." }
            form.filters method="get" action="/portal" {
                label { "Reporting country"
                    select name="reporting" {
                        @for c in &countries {
                            option value=(c) selected[Some(*c) == reporting.as_ref()] { (country_name(c)) " (" (c) ")" }
                        }
                    }
                }
                label { "Measure"
                    select name="measure" {
                        @if let Some(a) = available {
                            @for m in &a.measures { option value=(m) selected[Some(m) == measure.as_ref()] { (m.replace('_', " ")) } }
                        }
                    }
                }
                label { "Year"
                    select name="year" {
                        @if let Some(a) = available {
                            @for y in a.monthly_years.iter().rev() { option value=(y) selected[Some(y) == year.as_ref()] { (y) } }
                        }
                    }
                }
                button.primary type="submit" { "Show" }
            }
            @match &table {
                None => { p.notice { "No monthly data published yet." } }
                Some((months, nationalities, t)) => {
                    h2 { (reporting.as_deref().map(country_name).unwrap_or_default()) ", " (measure.clone().unwrap_or_default().replace('_', " ")) ", " (year.clone().unwrap_or_default()) }
                    p.notice {
                        strong { "[c]" } " = confidential: fewer than " (threshold) " people, or hidden so that totals cannot reveal such a cell. "
                        (t.primary) " small " (if t.primary == 1 { "value" } else { "values" }) " and " (t.secondary) " further " (if t.secondary == 1 { "value are" } else { "values are" }) " suppressed in this table."
                    }
                    @if months.is_empty() {
                        p { "No monthly values for this year." }
                    } @else {
                        div.table-wrap {
                            table.data {
                                thead {
                                    tr {
                                        th { "Nationality" }
                                        @for m in months { th.num { (MONTHS[m[5..7].parse::<usize>().unwrap_or(1).clamp(1, 12) - 1]) } }
                                        th.num { "Total" }
                                    }
                                }
                                tbody {
                                    @for (i, n) in nationalities.iter().enumerate() {
                                        tr {
                                            td.name { (country_name(n)) " " span.muted { "(" (n) ")" } }
                                            @for v in &t.cells[i] { (shown(*v)) }
                                            (shown(t.row_totals[i]))
                                        }
                                    }
                                    tr.total {
                                        td { "Total" }
                                        @for v in &t.column_totals { (shown(*v)) }
                                        (shown(t.grand_total))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.muted { "Sources: national migration authorities, compiled by the open-source R package gdidata. Suppression threshold: " (threshold) "." }
        },
    ))
}
