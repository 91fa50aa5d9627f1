//! Burden-sharing indicators as the CLI, the public page, the API and the report show
//! them: stored counts and World Bank denominators handed to `hemi-indicators`.

use hemi_indicators::{compute, Indicators, Measure, Options, RankBy};

use crate::{App, AppError, Result};

/// What a caller asks for; the year defaults to the newest one the measure's table has.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorQuery {
    /// Which count of hosted people.
    pub measure: Measure,
    /// Year of the counts; `None` for the newest stored.
    pub year: Option<i32>,
    /// Only people of this origin (ISO3).
    pub origin: Option<String>,
    /// Only hosts in this M49 region (`Americas`); `None` for every country.
    pub region: Option<String>,
    /// Years a population or GDP figure may lag the count.
    pub max_lag_years: i32,
    /// What the ranking orders by.
    pub rank_by: RankBy,
}

/// The ranked indicators for one measure and year, with the years that could be asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTable {
    /// What was computed (the year resolved).
    pub options: Options,
    /// Years with stored counts of the measure, oldest first.
    pub years: Vec<i32>,
    /// Rows, ranked.
    pub indicators: Indicators,
}

/// Lags beyond this say more about a missing table than about burden sharing.
pub const MAX_LAG_YEARS: i32 = 10;

impl App {
    /// Burden-sharing indicators; `None` when the measure's table has not been
    /// imported. An unknown origin, a year without counts or a lag out of range is
    /// bad input.
    pub async fn burden_sharing(&self, query: &IndicatorQuery) -> Result<Option<IndicatorTable>> {
        if !(0..=MAX_LAG_YEARS).contains(&query.max_lag_years) {
            return Err(AppError::invalid(
                "max_lag_years",
                format!("{} is outside 0 to {MAX_LAG_YEARS}", query.max_lag_years),
                "give how many years a population or GDP figure may lag the count",
            ));
        }
        if let Some(origin) = &query.origin {
            crate::check::country(origin, "origin")?;
        }
        let store = self.store();
        let years = store.indicator_years(query.measure).await?;
        if years.is_empty() {
            return Ok(None);
        }
        let year = match query.year {
            Some(y) if years.contains(&y) => y,
            Some(y) => {
                return Err(AppError::invalid(
                    "year",
                    format!("the {} table has no counts for {y}", query.measure.as_str()),
                    format!(
                        "years with counts: {}",
                        years
                            .iter()
                            .map(i32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
            None => *years.last().expect("not empty"),
        };
        let inputs = store
            .indicator_inputs(
                query.measure,
                year,
                query.origin.as_deref(),
                query.max_lag_years,
            )
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
            compute(
                &inputs.counts,
                &inputs.population,
                &inputs.gdp_usd,
                &computed_with,
            )
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("indicators failed: {e}")))?;
        Ok(Some(IndicatorTable {
            options,
            years,
            indicators,
        }))
    }
}
