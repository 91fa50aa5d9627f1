//! Reading what the burden-sharing indicators (`hemi-indicators`) need: the stored counts
//! of people hosted (UNHCR or UN DESA table) for one year, and population and GDP from
//! the World Bank table for that year and the years a denominator may lag behind.
//!
//! Population is the World Bank table's `pop` indicator and GDP its `gdp` indicator, in
//! current US dollars (United States 2023: 27,720,709,000,000, as World Development
//! Indicators `NY.GDP.MKTP.CD`). The table's `pop` series starts in 1950, before WDI
//! does, and its United States 2023 figure (343,477,333) is UN World Population
//! Prospects 2024's rather than WDI's (about 334.9 million): the compiler (gdidata)
//! seems to take population from the UN. Pages and the CLI call it the World Bank
//! table's population, which is where it is read from.

use hemi_indicators::{Denominator, HostedCount, Measure};
use sqlx::Row;

use crate::{Result, SeriesFilter, Store};

/// The source holding population and GDP.
pub const DENOMINATOR_SOURCE: &str = "world_bank_indicators";
/// Series dimensions of the population indicator in that source.
pub const POPULATION_DIMS: &str = "indicator=pop";
/// Series dimensions of the GDP indicator (current USD) in that source.
pub const GDP_DIMS: &str = "indicator=gdp";

/// Everything [`hemi_indicators::compute`] needs for one measure and year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorInputs {
    /// Counts of the measure's source in the year (of the origin, when one was asked for).
    pub counts: Vec<HostedCount>,
    /// Population, people, for the year and up to the allowed lag before it.
    pub population: Vec<Denominator>,
    /// GDP, current USD, for the same years.
    pub gdp_usd: Vec<Denominator>,
}

/// The value of dimension `name` in a stored `name=value;...` text.
fn dim<'a>(dims: &'a str, name: &str) -> Option<&'a str> {
    dims.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then_some(v)
    })
}

impl Store {
    /// Years with stored counts of a measure, oldest first.
    pub async fn indicator_years(&self, measure: Measure) -> Result<Vec<i32>> {
        let rows = sqlx::query(
            "SELECT DISTINCT o.period FROM observation o JOIN series s ON s.id = o.series_id \
             JOIN source src ON src.id = s.source_id WHERE src.name = $1 ORDER BY o.period",
        )
        .bind(measure.source())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| r.get::<String, _>(0).parse().ok())
            .collect())
    }

    /// Counts and denominators for `measure` in `year`, at the latest vintage. Counts are
    /// of `origin` only when given; denominators cover `year - max_lag_years ..= year`.
    pub async fn indicator_inputs(
        &self,
        measure: Measure,
        year: i32,
        origin: Option<&str>,
        max_lag_years: i32,
    ) -> Result<IndicatorInputs> {
        let category = match measure {
            Measure::Unhcr => "population_type",
            Measure::Undesa => "sex",
        };
        let filter = SeriesFilter {
            source: Some(measure.source().into()),
            nationality: origin.map(str::to_owned),
            from: Some(format!("{year:04}")),
            to: Some(format!("{year:04}")),
            ..Default::default()
        };
        let counts = self
            .observations(&filter)
            .await?
            .into_iter()
            .filter_map(|o| {
                Some(HostedCount {
                    year: o.period.parse().ok()?,
                    category: dim(&o.dims, category)?.to_owned(),
                    host: o.reporting,
                    origin: o.nationality,
                    count: o.value,
                })
            })
            .collect();

        // One query for both denominators; the latest vintage of each value.
        let rows = sqlx::query(
            "SELECT s.reporting, s.dims, o.period, o.value FROM observation o \
             JOIN series s ON s.id = o.series_id JOIN source src ON src.id = s.source_id \
             WHERE src.name = $1 AND (s.dims = $2 OR s.dims = $3) \
             AND o.period >= $4 AND o.period <= $5 \
             AND o.vintage = (SELECT MAX(o2.vintage) FROM observation o2 \
                 WHERE o2.series_id = o.series_id AND o2.period = o.period)",
        )
        .bind(DENOMINATOR_SOURCE)
        .bind(POPULATION_DIMS)
        .bind(GDP_DIMS)
        .bind(format!("{:04}", year - max_lag_years.max(0)))
        .bind(format!("{year:04}"))
        .fetch_all(&self.pool)
        .await?;
        let mut inputs = IndicatorInputs {
            counts,
            ..Default::default()
        };
        for r in rows {
            let dims: String = r.get(1);
            let period: String = r.get(2);
            let Ok(year) = period.parse() else { continue };
            let d = Denominator {
                country: r.get(0),
                year,
                value: r.get(3),
            };
            if dims == POPULATION_DIMS {
                inputs.population.push(d);
            } else {
                inputs.gdp_usd.push(d);
            }
        }
        Ok(inputs)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dims_are_looked_up_by_name() {
        assert_eq!(
            super::dim("origin=VEN;population_type=asylum", "population_type"),
            Some("asylum")
        );
        assert_eq!(super::dim("origin=VEN;sex=male", "population_type"), None);
    }
}
