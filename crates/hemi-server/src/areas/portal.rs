//! The public portal: monthly flows per reporting country and nationality for anyone.
//! Every cell is perturbed by the cell-key method and every total is the sum of the
//! published cells (`hemi_app::public`), so no combination of tables, years or totals
//! narrows a small count; the rule is printed under the table and in `/api/portal`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use maud::html;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::access::{Access, Viewer};
use crate::chart::format_count;
use crate::error::{ApiQuery, Problem, WebError, WebResult};
use crate::format::{code, csv_response, text, wants_csv};
use crate::layout::{country_name, page};
use crate::menus::choices;
use crate::routing::Area;
use crate::AppState;

/// The public portal and its API.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/portal", Access::Public, get(show))
        .api(Access::Public, routes!(portal_api))
        .nav("/portal", "Public portal", Access::Public, 10)
}

/// The portal's form fields (and the API's parameters).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortalQuery {
    /// Reporting country (ISO3), e.g. PAN (default: Panama, else the first with monthly data).
    #[param(pattern = r"^([A-Za-z]{3})?$")]
    pub reporting: Option<String>,
    /// Measure, e.g. darien_transits (default: the country's first).
    #[param(pattern = r"^([a-z_]{1,64})?$")]
    pub measure: Option<String>,
    /// Year (default: the newest with monthly data).
    #[param(pattern = r"^((19|20)[0-9]{2})?$")]
    pub year: Option<String>,
    /// `json` (default) or `csv` (API only).
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// What was asked, resolved against the menus: (reporting, measure, year, the choices).
async fn resolve(
    state: &AppState,
    q: &PortalQuery,
) -> Result<
    (
        Option<(String, String, i32)>,
        std::sync::Arc<crate::menus::Choices>,
    ),
    WebError,
> {
    let menus = choices(state).await?;
    // Only countries with monthly data belong on a monthly portal.
    let countries: Vec<&String> = menus
        .reporting
        .iter()
        .filter(|(_, c)| !c.monthly_years.is_empty())
        .map(|(k, _)| k)
        .collect();
    let reporting = match code(&q.reporting) {
        Some(r) if countries.contains(&&r) => Some(r),
        Some(r) => {
            return Err(WebError::Unprocessable(
                "reporting".into(),
                format!("{r:?} has no monthly table on the portal"),
                format!(
                    "choose one of {}",
                    countries
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        None => countries
            .iter()
            .find(|c| c.as_str() == "PAN")
            .or(countries.first())
            .map(|c| (*c).clone()),
    };
    let Some(reporting) = reporting else {
        return Ok((None, menus));
    };
    let available = &menus.reporting[&reporting];
    let measure = match text(&q.measure) {
        Some(m) if available.measures.contains(&m) => m,
        Some(m) => {
            return Err(WebError::Unprocessable(
                "measure".into(),
                format!("{reporting} publishes no {m:?}"),
                format!(
                    "choose one of {}",
                    available
                        .measures
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        None => available
            .measures
            .iter()
            .next()
            .cloned()
            .unwrap_or_default(),
    };
    let year = match text(&q.year) {
        Some(y) if available.monthly_years.contains(&y) => y,
        Some(y) => {
            return Err(WebError::Unprocessable(
                "year".into(),
                format!("{reporting} has no monthly figures for {y:?}"),
                format!(
                    "years with monthly figures: {}",
                    available
                        .monthly_years
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        None => available
            .monthly_years
            .iter()
            .next_back()
            .cloned()
            .unwrap_or_default(),
    };
    Ok((Some((reporting, measure, year.parse().unwrap_or(0))), menus))
}

/// One row of the portal table.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalRow {
    /// Nationality, ISO3.
    pub nationality: String,
    /// Per month, in the order of `months` (perturbed counts).
    pub months: Vec<u64>,
    /// Sum of the row.
    pub total: u64,
}

/// A portal table.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalPage {
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Year.
    pub year: i32,
    /// Months shown (those the publisher covers that year).
    pub months: Vec<String>,
    /// Rows, by total (largest first); nationalities with nothing published are left out.
    pub rows: Vec<PortalRow>,
    /// Column totals (sums of the published cells).
    pub month_totals: Vec<u64>,
    /// Grand total.
    pub total: u64,
    /// How the counts are protected.
    pub disclosure: crate::disclosure::Disclosure,
}

async fn portal_page(
    state: &AppState,
    reporting: &str,
    measure: &str,
    year: i32,
) -> Result<PortalPage, WebError> {
    let t = state.app.portal_table(reporting, measure, year).await?;
    let table = &t.table;
    Ok(PortalPage {
        reporting: t.reporting.clone(),
        measure: t.measure.clone(),
        year: t.year,
        months: table.column_keys.clone(),
        rows: table
            .row_keys
            .iter()
            .zip(&table.cells_people)
            .zip(&table.row_totals_people)
            .map(|((n, cells), total)| PortalRow {
                nationality: n.clone(),
                months: cells.clone(),
                total: *total,
            })
            .collect(),
        month_totals: table.column_totals_people.clone(),
        total: table.grand_total_people,
        disclosure: table.rule.clone().into(),
    })
}

/// The portal's monthly table as JSON or CSV: a reporting country's counts by
/// nationality and month, perturbed for disclosure control. Public.
#[utoipa::path(get, path = "/api/portal", params(PortalQuery), security(()),
    responses(
        (status = 200, description = "The table", content((PortalPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No monthly data yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reporting country, measure or year", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn portal_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PortalQuery>,
) -> WebResult<Response> {
    let csv = wants_csv(&q.format, &headers)?;
    let (asked, _) = resolve(&state, &q).await?;
    let Some((reporting, measure, year)) = asked else {
        return Err(WebError::NotFound(Some(
            "no monthly table is imported yet".into(),
        )));
    };
    let page = portal_page(&state, &reporting, &measure, year).await?;
    if csv {
        #[derive(Serialize)]
        struct Cell<'a> {
            nationality: &'a str,
            month: &'a str,
            count: u64,
        }
        let cells: Vec<Cell> = page
            .rows
            .iter()
            .flat_map(|r| {
                page.months.iter().zip(&r.months).map(|(m, c)| Cell {
                    nationality: &r.nationality,
                    month: m,
                    count: *c,
                })
            })
            .collect();
        return csv_response(&cells, &["nationality", "month", "count"]);
    }
    Ok(Json(page).into_response())
}

/// `GET /portal`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<PortalQuery>,
) -> WebResult {
    let (asked, problem, menus) = match resolve(&state, &q).await {
        Ok((a, m)) => (a, None, m),
        // A visitor who changed only the country keeps it: the measure and year become
        // that country's own (the form sends the previous country's).
        Err(WebError::Unprocessable(field, ..)) if field == "measure" || field == "year" => {
            let own_measure = PortalQuery {
                reporting: q.reporting.clone(),
                measure: if field == "year" {
                    q.measure.clone()
                } else {
                    None
                },
                year: if field == "year" {
                    None
                } else {
                    q.year.clone()
                },
                ..PortalQuery::default()
            };
            let newest_year = PortalQuery {
                year: None,
                ..own_measure.clone()
            };
            let (a, m) = match resolve(&state, &own_measure).await {
                Ok(found) => found,
                Err(_) => match resolve(&state, &newest_year).await {
                    Ok(found) => found,
                    Err(_) => resolve(&state, &PortalQuery::default()).await?,
                },
            };
            (a, None, m)
        }
        Err(e @ WebError::Unprocessable(..)) => {
            let p = e.problem();
            let (a, m) = resolve(&state, &PortalQuery::default()).await?;
            (
                a,
                Some(format!(
                    "{} — {}",
                    p.detail.unwrap_or_default(),
                    p.hint.unwrap_or_default()
                )),
                m,
            )
        }
        Err(e) => return Err(e),
    };
    let table = match &asked {
        Some((r, m, y)) => Some(portal_page(&state, r, m, *y).await?),
        None => None,
    };
    let countries: Vec<&String> = menus
        .reporting
        .iter()
        .filter(|(_, c)| !c.monthly_years.is_empty())
        .map(|(k, _)| k)
        .collect();
    let reporting = asked.as_ref().map(|a| a.0.clone());
    let available = reporting.as_ref().and_then(|r| menus.reporting.get(r));
    let measure = asked.as_ref().map(|a| a.1.clone());
    let year = asked.as_ref().map(|a| a.2.to_string());
    let api = asked
        .as_ref()
        .map(|(r, m, y)| format!("/api/portal?reporting={r}&measure={m}&year={y}"))
        .unwrap_or_else(|| "/api/portal".into());
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
            @if let Some(p) = &problem { div.notice.bad role="alert" { p { (p) " Showing the default table instead." } } }
            @match &table {
                None => { p.notice { "No monthly data published yet." } }
                Some(t) => {
                    h2 { (country_name(&t.reporting)) ", " (t.measure.replace('_', " ")) ", " (t.year) }
                    p.notice { (t.disclosure.text) }
                    div.table-wrap {
                        table.data {
                            thead {
                                tr {
                                    th { "Nationality" }
                                    @for m in &t.months { th.num { (MONTHS[m[5..7].parse::<usize>().unwrap_or(1).clamp(1, 12) - 1]) } }
                                    th.num { "Total" }
                                }
                            }
                            tbody {
                                @for r in &t.rows {
                                    tr {
                                        td.name { (country_name(&r.nationality)) " " span.muted { "(" (r.nationality) ")" } }
                                        @for v in &r.months { td.num { (format_count(*v as f64)) } }
                                        td.num { (format_count(r.total as f64)) }
                                    }
                                }
                                tr.total {
                                    td { "Total" }
                                    @for v in &t.month_totals { td.num { (format_count(*v as f64)) } }
                                    td.num { (format_count(t.total as f64)) }
                                }
                            }
                        }
                    }
                    p { a href=(api) { "This table as JSON" } " · " a href=(format!("{api}&format=csv")) { "as CSV" } }
                }
            }
            p.muted { "Sources: national migration authorities, compiled by the open-source R package gdidata." }
        },
    ))
}
