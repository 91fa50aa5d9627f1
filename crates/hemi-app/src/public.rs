//! What the public sees: every number on the portal, the burden-sharing page and API
//! (and later registry statistics and federation aggregates) is computed from base
//! counts perturbed by the cell-key method (`hemi-disclosure`), never from true counts,
//! so totals, ratios and ranks tell an attacker nothing the perturbed counts do not.
//!
//! The secret key is made once per deployment and kept in the database like the other
//! server secrets; the noise parameters are published with every answer. Answers are
//! cached per data version, so a client asking the same question again costs a lookup.

use std::sync::Arc;

use hemi_core::Period;
use hemi_disclosure::{
    CellIdentity, NoiseParameters, ProtectedTable, Protector, Rule, TableCounts,
};
use hemi_indicators::{
    base_cells, compute_from_cells, BaseCell, CellKind, Denominator, Measure, Options,
};
use hemi_store::{DataVersion, SeriesFilter};

use crate::indicators::{IndicatorQuery, IndicatorTable};
use crate::{App, AppError, Result};

/// The protection width the method must guarantee: the attacker's interval for every
/// published count is at least this wide (4: five integers, the old "fewer than 5").
pub const PROTECTION_WIDTH_PEOPLE: f64 = hemi_disclosure::DEFAULT_PROTECTION_WIDTH_PEOPLE;

/// A portal table as published.
#[derive(Debug, Clone)]
pub struct PortalTable {
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Year.
    pub year: i32,
    /// The protected table: rows by nationality, columns by month.
    pub table: ProtectedTable,
}

/// The perturbed cells of a measure and year, with the denominators ratios use.
#[derive(Debug, Clone)]
pub struct PublicStockCells {
    /// Perturbed (host, origin) and IDP cells; none published as 0.
    pub cells: Vec<BaseCell>,
    /// Population per country and year.
    pub population: Vec<Denominator>,
    /// GDP (current USD) per country and year.
    pub gdp_usd: Vec<Denominator>,
}

/// Caches of public answers per data version.
pub(crate) struct PublicCache {
    protector: tokio::sync::OnceCell<Arc<Protector>>,
    indicators: moka::future::Cache<(DataVersion, String), Option<Arc<IndicatorTable>>>,
    portal: moka::future::Cache<(DataVersion, String, String, i32), Arc<PortalTable>>,
    stock_cells: moka::future::Cache<(DataVersion, Measure, i32, i32), Arc<PublicStockCells>>,
}

impl Default for PublicCache {
    fn default() -> Self {
        PublicCache {
            protector: tokio::sync::OnceCell::new(),
            indicators: moka::future::Cache::new(512),
            portal: moka::future::Cache::new(512),
            stock_cells: moka::future::Cache::new(16),
        }
    }
}

fn shared(e: Arc<AppError>) -> AppError {
    AppError::from_shared(e)
}

fn disclosure_error(e: hemi_disclosure::DisclosureError) -> AppError {
    AppError::Internal(anyhow::anyhow!("disclosure control: {e}"))
}

impl App {
    /// The deployment's protector: published parameters and the secret key (made once,
    /// stored in the database, never shown).
    pub async fn protector(&self) -> Result<Arc<Protector>> {
        self.public_cache()
            .protector
            .get_or_try_init(|| async {
                let key_hex = self
                    .store()
                    .secret("disclosure_cell_key", crate::accounts::random_token)
                    .await?;
                let key = hex::decode(key_hex.trim()).map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("the stored disclosure key is not hex: {e}"))
                })?;
                let protector =
                    Protector::new(NoiseParameters::default(), &key).map_err(disclosure_error)?;
                if (protector.guaranteed_width_people() as f64) < PROTECTION_WIDTH_PEOPLE {
                    return Err(AppError::Internal(anyhow::anyhow!(
                        "the noise parameters guarantee only {} people of width",
                        protector.guaranteed_width_people()
                    )));
                }
                Ok(Arc::new(protector))
            })
            .await
            .cloned()
    }

    /// The rule printed beside every public table.
    pub async fn disclosure_rule(&self) -> Result<Rule> {
        Ok(self.protector().await?.rule())
    }

    /// Burden-sharing indicators as the public sees them: each (host, origin) count and
    /// each host's IDPs perturbed, host totals, ratios and ranks computed from those.
    pub async fn public_indicators(
        &self,
        query: &IndicatorQuery,
    ) -> Result<Option<Arc<IndicatorTable>>> {
        let version = self.store().data_version().await?;
        let key = (version, format!("{query:?}"));
        let app = self.clone();
        let query = query.clone();
        self.public_cache()
            .indicators
            .try_get_with(key, async move {
                app.compute_public_indicators(&query)
                    .await
                    .map(|t| t.map(Arc::new))
            })
            .await
            .map_err(shared)
    }

    async fn compute_public_indicators(
        &self,
        query: &IndicatorQuery,
    ) -> Result<Option<IndicatorTable>> {
        // The true table first: it validates the query and resolves the year.
        let Some(exact) = self.burden_sharing(query).await? else {
            return Ok(None);
        };
        let year = exact.options.year;
        let cells = self
            .public_stock_cells(query.measure, year, query.max_lag_years)
            .await?;
        let options = Options {
            measure: query.measure,
            year,
            origin: query.origin.clone(),
            region: query.region.clone(),
            max_denominator_lag_years: query.max_lag_years,
            rank_by: query.rank_by,
        };
        let computed_with = options.clone();
        let indicators = tokio::task::spawn_blocking(move || {
            compute_from_cells(
                &cells.cells,
                &cells.population,
                &cells.gdp_usd,
                &computed_with,
            )
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("indicators failed: {e}")))?;
        Ok(Some(IndicatorTable {
            options,
            years: exact.years,
            indicators,
        }))
    }

    /// The perturbed base cells every public burden-sharing number of a measure and year
    /// is built from (each (host, origin) count and each host's IDPs; cells published as
    /// 0 left out), with the denominators. Every origin is in it, so a host's total is
    /// the sum of the same perturbed cells the per-origin answers publish. Publishing
    /// this table whole tells no more than the answers do.
    pub async fn public_stock_cells(
        &self,
        measure: Measure,
        year: i32,
        max_lag_years: i32,
    ) -> Result<Arc<PublicStockCells>> {
        let version = self.store().data_version().await?;
        let app = self.clone();
        self.public_cache()
            .stock_cells
            .try_get_with((version, measure, year, max_lag_years), async move {
                app.compute_public_stock_cells(measure, year, max_lag_years)
                    .await
                    .map(Arc::new)
            })
            .await
            .map_err(shared)
    }

    async fn compute_public_stock_cells(
        &self,
        measure: Measure,
        year: i32,
        max_lag_years: i32,
    ) -> Result<PublicStockCells> {
        let inputs = self
            .store()
            .indicator_inputs(measure, year, None, max_lag_years)
            .await?;
        let protector = self.protector().await?;
        let source = measure.source();
        let (cells, _) = base_cells(&inputs.counts, measure, year);
        let protected: Vec<BaseCell> = cells
            .into_iter()
            .map(|c| {
                let identity = match (c.kind, &c.origin) {
                    (CellKind::Hosted, Some(o)) => CellIdentity::stock(source, &c.host, o),
                    (CellKind::Hosted, None) => CellIdentity::stock(source, &c.host, "ALL"),
                    (CellKind::Idp, _) => {
                        CellIdentity::stock(source, &c.host, &c.host).with("category", "idp")
                    }
                };
                let count =
                    Protector::count_from_value(&identity, c.count).map_err(disclosure_error)?;
                Ok(BaseCell {
                    count: protector.protect_count(&identity, count) as f64,
                    ..c
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Cells published as 0 are left out: nobody of that origin is shown there.
        Ok(PublicStockCells {
            cells: protected.into_iter().filter(|c| c.count > 0.0).collect(),
            population: inputs.population,
            gdp_usd: inputs.gdp_usd,
        })
    }

    /// One portal table: a reporting country's monthly counts of a measure in a year,
    /// by nationality, perturbed, with totals that are sums of the published cells.
    /// The months are those the source covers, chosen without looking at who was counted.
    pub async fn portal_table(
        &self,
        reporting: &str,
        measure: &str,
        year: i32,
    ) -> Result<Arc<PortalTable>> {
        let version = self.store().data_version().await?;
        let key = (version, reporting.to_owned(), measure.to_owned(), year);
        let app = self.clone();
        let (reporting, measure) = (reporting.to_owned(), measure.to_owned());
        self.public_cache()
            .portal
            .try_get_with(key, async move {
                app.compute_portal_table(&reporting, &measure, year)
                    .await
                    .map(Arc::new)
            })
            .await
            .map_err(shared)
    }

    async fn compute_portal_table(
        &self,
        reporting: &str,
        measure: &str,
        year: i32,
    ) -> Result<PortalTable> {
        let base = SeriesFilter {
            reporting: Some(reporting.to_owned()),
            measure: Some(measure.to_owned()),
            breakdown: Some("nationality".into()),
            ..Default::default()
        };
        // The months the table covers that year: from the source's first to its last
        // published month, whoever was counted.
        let spans = self.store().list_series(&base).await?;
        let first = spans
            .iter()
            .filter(|s| s.first_period.len() == 7)
            .map(|s| s.first_period.clone())
            .min();
        let last = spans
            .iter()
            .filter(|s| s.last_period.len() == 7)
            .map(|s| s.last_period.clone())
            .max();
        let (Some(first), Some(last)) = (first, last) else {
            return Err(AppError::not_found(
                "monthly table",
                format!("{reporting} {measure}"),
                "choose a reporting country and measure with monthly data",
            ));
        };
        let months: Vec<String> = (1..=12)
            .map(|m| format!("{year:04}-{m:02}"))
            .filter(|m| *m >= first && *m <= last)
            .collect();
        if months.is_empty() {
            return Err(AppError::invalid(
                "year",
                format!("{reporting} publishes no monthly {measure} for {year}"),
                format!("monthly data run from {first} to {last}"),
            ));
        }
        let filter = SeriesFilter {
            from: months.first().cloned(),
            to: months.last().cloned(),
            ..base
        };
        let rows = self.store().sums(&filter, true).await?;
        let mut nationalities: Vec<String> =
            rows.iter().filter_map(|r| r.nationality.clone()).collect();
        nationalities.sort();
        nationalities.dedup();
        let protector = self.protector().await?;
        let mut counts = vec![vec![0u64; months.len()]; nationalities.len()];
        for r in &rows {
            let (Some(n), Ok(column)) = (r.nationality.as_ref(), months.binary_search(&r.period))
            else {
                continue;
            };
            let row = nationalities.binary_search(n).expect("collected above");
            let identity = CellIdentity::flow(reporting, measure, n);
            counts[row][column] +=
                Protector::count_from_value(&identity, r.value).map_err(disclosure_error)?;
        }
        let table = protector
            .protect_table(&TableCounts {
                base: CellIdentity::new("flows")
                    .with("reporting", reporting)
                    .with("measure", measure),
                row_dimension: "nationality".into(),
                row_keys: nationalities,
                column_dimension: "month".into(),
                column_keys: months,
                columns_are_periods: true,
                counts_people: counts,
            })
            .map_err(disclosure_error)?;
        Ok(PortalTable {
            reporting: reporting.to_owned(),
            measure: measure.to_owned(),
            year,
            table,
        })
    }
}

/// The first month of a year, for ranges.
pub fn january(year: i32) -> Period {
    Period::Month(year, 1)
}
