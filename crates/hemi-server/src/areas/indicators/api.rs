//! Burden-sharing indicators in the web app: what `/indicators` shows and the public JSON
//! API over it (`/api/indicators`), read through `hemi_app::App::burden_sharing` (the
//! workflow `hemi indicators` calls), so both show the same ranking.
//!
//! Public: every count is perturbed by the cell-key method before anything is computed
//! from it (`hemi_app::public`): host totals, ratios and ranks are functions of the
//! perturbed (host, origin) cells only, so no combination of answers narrows a small
//! count below the protection width. The rule and its parameters come with every answer.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hemi_app::indicators::IndicatorQuery;
use hemi_indicators::{IndicatorRow, Measure, RankBy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::disclosure::Disclosure;
use crate::error::{ApiQuery, Problem, WebError};
use crate::format::{code, csv_response, text, wants_csv};
use crate::AppState;

/// Where population and GDP come from, said beside every table of ratios.
pub const DENOMINATOR_SOURCE: &str = "World Bank table bundled with Hemisphere (data/context/world_bank_indicators.csv): indicator pop (population) and gdp (GDP, current US dollars)";

/// Largest lag between a count and its denominators one may ask for.
pub const MAX_LAG_YEARS: i32 = 5;

/// Parameters of `GET /api/indicators` (and the page's form).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorsQuery {
    /// `undesa` (default: foreign-born stock, UN DESA) or `unhcr` (refugees, asylum seekers and others of concern from abroad).
    #[param(pattern = r"^(undesa|unhcr)?$")]
    pub measure: Option<String>,
    /// Year of the counts (default: the newest the measure's table has).
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)?$")]
    pub year: Option<String>,
    /// Only people of this origin (ISO3), e.g. VEN.
    #[param(pattern = r"^([A-Za-z]{3})?$")]
    pub origin: Option<String>,
    /// `per_1000` (default), `per_usd_million` or `hosted`.
    #[param(pattern = r"^(per_1000|per_usd_million|hosted)?$")]
    pub rank_by: Option<String>,
    /// `americas` (default) or `world`.
    #[param(pattern = r"^(americas|world)?$")]
    pub scope: Option<String>,
    /// Years population or GDP may lag the count, 0 to 5 (default 1).
    #[param(minimum = 0, maximum = 5)]
    pub max_lag_years: Option<i32>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// One host country.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorItem {
    /// Position in the ranking, from 1 (`null`: the ranking value is missing).
    pub rank: Option<u32>,
    /// Host country, ISO3.
    pub host: String,
    /// Host country name.
    pub name: String,
    /// Year of the count.
    pub year: i32,
    /// People hosted (perturbed: see `disclosure`).
    pub hosted: f64,
    /// UNHCR only: internally displaced nationals, shown apart and never in `hosted`.
    pub idps: Option<f64>,
    /// Population used.
    pub population: Option<f64>,
    /// Year of that population (may be before `year`; see `max_lag_years`).
    pub population_year: Option<i32>,
    /// GDP used, current US dollars.
    pub gdp_usd: Option<f64>,
    /// Year of that GDP.
    pub gdp_year: Option<i32>,
    /// People hosted per 1,000 inhabitants (`null`: no population, never 0 for missing).
    pub per_1000: Option<f64>,
    /// People hosted per USD 1 million of GDP (`null`: no GDP).
    pub per_usd_million: Option<f64>,
}

/// The ranked indicators with their sources.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsPage {
    /// `undesa` or `unhcr`.
    pub measure: String,
    /// What the count is.
    pub measure_label: String,
    /// Publisher and table of the counts.
    pub source: String,
    /// Where population and GDP come from.
    pub denominators_source: String,
    /// Year of the counts (`null` when the measure's table is not imported).
    pub year: Option<i32>,
    /// Years that can be asked for.
    pub years: Vec<i32>,
    /// Origin filter, when one was given.
    pub origin: Option<String>,
    /// `americas` or `world`.
    pub scope: String,
    /// What the ranking orders by.
    pub rank_by: String,
    /// Years population or GDP may lag the count.
    pub max_lag_years: i32,
    /// How the counts are protected (method, published parameters, a sentence for readers).
    pub disclosure: Disclosure,
    /// Rows: ranked first, then those without the ranking value.
    pub items: Vec<IndicatorItem>,
}

#[derive(Serialize)]
struct CsvRow<'a> {
    rank: Option<u32>,
    host: &'a str,
    name: &'a str,
    year: i32,
    measure: &'a str,
    origin: &'a str,
    hosted: f64,
    idps: Option<f64>,
    population: Option<f64>,
    population_year: Option<i32>,
    gdp_usd: Option<f64>,
    gdp_year: Option<i32>,
    per_1000: Option<f64>,
    per_usd_million: Option<f64>,
}

const CSV_HEADERS: [&str; 14] = [
    "rank",
    "host",
    "name",
    "year",
    "measure",
    "origin",
    "hosted",
    "idps",
    "population",
    "population_year",
    "gdp_usd",
    "gdp_year",
    "per_1000",
    "per_usd_million",
];

/// The query validated: the store's query and the parts the page echoes back.
pub(crate) fn resolve(q: &IndicatorsQuery) -> Result<(IndicatorQuery, bool), WebError> {
    let measure = match text(&q.measure) {
        None => Measure::Undesa,
        Some(m) => m.parse().map_err(|e: hemi_indicators::IndicatorError| {
            WebError::Unprocessable(
                "measure".into(),
                e.to_string(),
                "use undesa or unhcr".into(),
            )
        })?,
    };
    let rank_by = match text(&q.rank_by) {
        None => RankBy::Per1000,
        Some(r) => r.parse().map_err(|e: hemi_indicators::IndicatorError| {
            WebError::Unprocessable(
                "rank_by".into(),
                e.to_string(),
                "use per-1000, per-usd-million or hosted".into(),
            )
        })?,
    };
    let year = match text(&q.year) {
        None => None,
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| {
                    WebError::Unprocessable(
                        "year".into(),
                        format!("{y:?} is not a year"),
                        "use a year such as 2024".into(),
                    )
                })?,
        ),
    };
    let origin = code(&q.origin);
    if let Some(o) = &origin {
        if hemi_core::Iso3::parse(o).is_err() {
            return Err(WebError::Unprocessable(
                "origin".into(),
                format!("{o:?} is not a country code"),
                "use an ISO 3166 alpha-3 code such as VEN".into(),
            ));
        }
    }
    let world = match text(&q.scope).as_deref() {
        None | Some("americas") => false,
        Some("world") => true,
        Some(other) => {
            return Err(WebError::Unprocessable(
                "scope".into(),
                format!("{other:?} is not a scope"),
                "use americas or world".into(),
            ))
        }
    };
    let lag = q.max_lag_years.unwrap_or(1);
    if !(0..=MAX_LAG_YEARS).contains(&lag) {
        return Err(WebError::Unprocessable(
            "max_lag_years".into(),
            format!("{lag} is out of range"),
            format!("use 0 to {MAX_LAG_YEARS}"),
        ));
    }
    Ok((
        IndicatorQuery {
            measure,
            year,
            origin,
            region: (!world).then(|| "Americas".to_owned()),
            max_lag_years: lag,
            rank_by,
        },
        world,
    ))
}

/// A row as the public sees it: every number already computed from perturbed counts.
pub(crate) fn public_item(row: &IndicatorRow) -> IndicatorItem {
    IndicatorItem {
        rank: row.rank,
        host: row.host.clone(),
        name: crate::layout::country_name(&row.host),
        year: row.year,
        hosted: row.hosted,
        idps: row.idps,
        population: row.population,
        population_year: row.population_year,
        gdp_usd: row.gdp_usd,
        gdp_year: row.gdp_year,
        per_1000: row.per_1000,
        per_usd_million: row.per_usd_million,
    }
}

/// Compute the page for a validated query (cached per data version in `hemi-app`).
pub(crate) async fn indicators_page(
    state: &AppState,
    query: &IndicatorQuery,
    world: bool,
) -> Result<IndicatorsPage, WebError> {
    let table = state.app.public_indicators(query).await?;
    let disclosure = state.app.disclosure_rule().await?.into();
    let (year, years, items) = match &table {
        None => (None, Vec::new(), Vec::new()),
        Some(t) => (
            Some(t.options.year),
            t.years.clone(),
            t.indicators.rows.iter().map(public_item).collect(),
        ),
    };
    Ok(IndicatorsPage {
        measure: query.measure.as_str().into(),
        measure_label: query.measure.label().into(),
        source: query.measure.citation().into(),
        denominators_source: DENOMINATOR_SOURCE.into(),
        year,
        years,
        origin: query.origin.clone(),
        scope: if world { "world" } else { "americas" }.into(),
        rank_by: query.rank_by.as_str().into(),
        max_lag_years: query.max_lag_years,
        disclosure,
        items,
    })
}

/// Burden-sharing indicators: people hosted per 1,000 inhabitants and per USD 1 million of
/// GDP, by host country, ranked (like `hemi indicators`). Public.
#[utoipa::path(get, path = "/api/indicators", params(IndicatorsQuery), security(()),
    responses(
        (status = 200, description = "Ranked indicators with their sources", content((IndicatorsPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter (unknown measure, year, origin, scope or lag)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<IndicatorsQuery>,
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    let (query, world) = resolve(&q)?;
    let page = indicators_page(&state, &query, world).await?;
    if csv {
        let origin = page.origin.clone().unwrap_or_default();
        let rows: Vec<CsvRow> = page
            .items
            .iter()
            .map(|i| CsvRow {
                rank: i.rank,
                host: &i.host,
                name: &i.name,
                year: i.year,
                measure: &page.measure,
                origin: &origin,
                hosted: i.hosted,
                idps: i.idps,
                population: i.population,
                population_year: i.population_year,
                gdp_usd: i.gdp_usd,
                gdp_year: i.gdp_year,
                per_1000: i.per_1000,
                per_usd_million: i.per_usd_million,
            })
            .collect();
        return csv_response(&rows, &CSV_HEADERS);
    }
    Ok(Json(page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_name_the_field() {
        let q = |f: fn(&mut IndicatorsQuery)| {
            let mut q = IndicatorsQuery::default();
            f(&mut q);
            resolve(&q)
        };
        assert!(
            matches!(q(|q| q.measure = Some("iom".into())), Err(WebError::Unprocessable(f, _, _)) if f == "measure")
        );
        assert!(
            matches!(q(|q| q.year = Some("20x4".into())), Err(WebError::Unprocessable(f, _, _)) if f == "year")
        );
        assert!(
            matches!(q(|q| q.origin = Some("venezuela".into())), Err(WebError::Unprocessable(f, _, _)) if f == "origin")
        );
        assert!(
            matches!(q(|q| q.max_lag_years = Some(9)), Err(WebError::Unprocessable(f, _, _)) if f == "max_lag_years")
        );
        let (ok, world) = q(|q| q.origin = Some(" ven ".into())).unwrap();
        assert_eq!(
            (ok.origin.as_deref(), ok.region.as_deref(), world),
            (Some("VEN"), Some("Americas"), false)
        );
    }
}
