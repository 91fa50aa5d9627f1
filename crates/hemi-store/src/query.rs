//! Reading series and observations, at the latest vintage or as they stood at an earlier one.

use sqlx::any::AnyArguments;
use sqlx::{Any, Row};

use crate::{Result, Store};

/// Which series to read. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    /// Reporting country (ISO3).
    pub reporting: Option<String>,
    /// Nationality or origin (ISO3).
    pub nationality: Option<String>,
    /// Source (profile) name.
    pub source: Option<String>,
    /// Measure.
    pub measure: Option<String>,
    /// Breakdown.
    pub breakdown: Option<String>,
    /// First period, inclusive, as stored text (`YYYY` or `YYYY-MM`).
    pub from: Option<String>,
    /// Last period, inclusive, as stored text.
    pub to: Option<String>,
    /// Read each source as it stood at this vintage; `None` for the latest.
    pub vintage: Option<i64>,
}

/// A window into a long list: at most `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// Newest import batch and number of batches: any import changes it, so caches of
/// anything computed from stored observations are keyed by it.
pub type DataVersion = (i64, i64);

/// One series with the span of its observations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeriesSummary {
    /// Series id.
    pub id: i64,
    /// Source name.
    pub source: String,
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Breakdown.
    pub breakdown: String,
    /// Nationality, when the series has one.
    pub nationality: Option<String>,
    /// All dimension values.
    pub dims: String,
    /// `count` or `number`.
    pub value_kind: String,
    /// First period observed.
    pub first_period: String,
    /// Last period observed.
    pub last_period: String,
    /// Number of periods observed.
    pub periods: i64,
    /// Latest vintage of any of its observations.
    pub vintage: i64,
}

/// A value summed over the series of one group and period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SumRow {
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Breakdown the series belong to.
    pub breakdown: String,
    /// Nationality, or `None` for a total across nationalities.
    pub nationality: Option<String>,
    /// Period.
    pub period: String,
    /// Sum of the series' values.
    pub value: f64,
    /// Number of series summed.
    pub series: i64,
    /// Highest vintage among the values summed.
    pub vintage: i64,
}

/// One stored observation with its series' identity: the row exports are written from,
/// so the store returns the flows crate's type rather than a copy of it.
pub use hemi_flows::ExportRow as ObservationRow;

/// WHERE clauses with numbered placeholders, built together so numbers never drift.
struct Conditions {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Conditions {
    fn new() -> Conditions {
        Conditions {
            clauses: Vec::new(),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, template: &str, bind: Bind) {
        self.binds.push(bind);
        self.clauses
            .push(template.replace('?', &format!("${}", self.binds.len())));
    }

    fn from_filter(filter: &SeriesFilter, with_periods: bool) -> Conditions {
        let mut c = Conditions::new();
        let text = |v: &Option<String>| v.clone().map(Bind::Text);
        if let Some(b) = text(&filter.reporting) {
            c.push("s.reporting = ?", b);
        }
        if let Some(b) = text(&filter.nationality) {
            c.push("s.nationality = ?", b);
        }
        if let Some(b) = text(&filter.source) {
            c.push("src.name = ?", b);
        }
        if let Some(b) = text(&filter.measure) {
            c.push("s.measure = ?", b);
        }
        if let Some(b) = text(&filter.breakdown) {
            c.push("s.breakdown = ?", b);
        }
        if with_periods {
            if let Some(b) = text(&filter.from) {
                c.push("o.period >= ?", b);
            }
            if let Some(b) = text(&filter.to) {
                c.push("o.period <= ?", b);
            }
        }
        // The value in force at a vintage is the one with the highest vintage not after it.
        c.push(
            "o.vintage = (SELECT MAX(o2.vintage) FROM observation o2 \
             WHERE o2.series_id = o.series_id AND o2.period = o.period AND o2.vintage <= ?)",
            Bind::Int(filter.vintage.unwrap_or(i64::MAX)),
        );
        c
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        for b in &self.binds {
            query = match b {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// A column of the series table that identifiers are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesColumn {
    /// Reporting countries.
    Reporting,
    /// Nationalities or origins.
    Nationality,
    /// Measures.
    Measure,
    /// Breakdowns.
    Breakdown,
    /// Source (profile) names.
    Source,
}

fn summary_from_row(r: &sqlx::any::AnyRow) -> SeriesSummary {
    SeriesSummary {
        id: r.get(0),
        source: r.get(1),
        reporting: r.get(2),
        measure: r.get(3),
        breakdown: r.get(4),
        nationality: r.get(5),
        dims: r.get(6),
        value_kind: r.get(7),
        first_period: r.get(8),
        last_period: r.get(9),
        periods: r.get(10),
        vintage: r.get(11),
    }
}

const FROM_SERIES: &str =
    "FROM observation o JOIN series s ON s.id = o.series_id JOIN source src ON src.id = s.source_id";

impl Store {
    /// Series matching a filter, with the span of their observations.
    pub async fn list_series(&self, filter: &SeriesFilter) -> Result<Vec<SeriesSummary>> {
        let conditions = Conditions::from_filter(filter, false);
        let sql = format!(
            "SELECT s.id, src.name, s.reporting, s.measure, s.breakdown, s.nationality, s.dims, s.value_kind, \
             MIN(o.period), MAX(o.period), COUNT(*), MAX(o.vintage) {FROM_SERIES} WHERE {} \
             GROUP BY s.id, src.name, s.reporting, s.measure, s.breakdown, s.nationality, s.dims, s.value_kind \
             ORDER BY src.name, s.reporting, s.measure, s.breakdown, s.dims",
            conditions.sql()
        );
        let rows = conditions
            .bind(sqlx::query(&sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| summary_from_row(&r)).collect())
    }

    /// Values summed per reporting country, measure, breakdown, period and (when
    /// `by_nationality`) nationality. Series are only ever summed within one breakdown,
    /// which the profiles define to be additive.
    pub async fn sums(&self, filter: &SeriesFilter, by_nationality: bool) -> Result<Vec<SumRow>> {
        let conditions = Conditions::from_filter(filter, true);
        let nationality = if by_nationality {
            "s.nationality"
        } else {
            "NULL"
        };
        let group_nationality = if by_nationality {
            ", s.nationality"
        } else {
            ""
        };
        let sql = format!(
            "SELECT s.reporting, s.measure, s.breakdown, {nationality}, o.period, SUM(o.value), COUNT(*), MAX(o.vintage) \
             {FROM_SERIES} WHERE {} \
             GROUP BY s.reporting, s.measure, s.breakdown{group_nationality}, o.period \
             ORDER BY s.reporting, s.measure, s.breakdown{group_nationality}, o.period",
            conditions.sql()
        );
        let rows = conditions
            .bind(sqlx::query(&sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SumRow {
                reporting: r.get(0),
                measure: r.get(1),
                breakdown: r.get(2),
                nationality: if by_nationality { r.get(3) } else { None },
                period: r.get(4),
                value: r.get(5),
                series: r.get(6),
                vintage: r.get(7),
            })
            .collect())
    }

    /// Every observation of the matching series, in series and period order.
    pub async fn observations(&self, filter: &SeriesFilter) -> Result<Vec<ObservationRow>> {
        let conditions = Conditions::from_filter(filter, true);
        let sql = format!(
            "SELECT src.name, s.reporting, s.measure, s.breakdown, s.nationality, s.dims, s.value_kind, \
             o.period, o.value, o.vintage {FROM_SERIES} WHERE {} \
             ORDER BY src.name, s.reporting, s.measure, s.breakdown, s.dims, o.period",
            conditions.sql()
        );
        let rows = conditions
            .bind(sqlx::query(&sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| ObservationRow {
                source: r.get(0),
                reporting: r.get(1),
                measure: r.get(2),
                breakdown: r.get(3),
                nationality: r.get(4),
                dims: r.get(5),
                value_kind: r.get(6),
                period: r.get(7),
                value: r.get(8),
                vintage: r.get(9),
            })
            .collect())
    }

    /// One page of the series matching a filter, and how many match in all. The page
    /// is cut in SQL, so a request for 50 rows reads 50 rows, not every series.
    pub async fn list_series_page(
        &self,
        filter: &SeriesFilter,
        page: Page,
    ) -> Result<(Vec<SeriesSummary>, i64)> {
        let conditions = Conditions::from_filter(filter, false);
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT s.id {FROM_SERIES} WHERE {} GROUP BY s.id) matching",
            conditions.sql()
        );
        let total: i64 = conditions
            .bind(sqlx::query(&count_sql))
            .fetch_one(&self.pool)
            .await?
            .get(0);
        let sql = format!(
            "SELECT s.id, src.name, s.reporting, s.measure, s.breakdown, s.nationality, s.dims, s.value_kind, \
             MIN(o.period), MAX(o.period), COUNT(*), MAX(o.vintage) {FROM_SERIES} WHERE {} \
             GROUP BY s.id, src.name, s.reporting, s.measure, s.breakdown, s.nationality, s.dims, s.value_kind \
             ORDER BY src.name, s.reporting, s.measure, s.breakdown, s.dims LIMIT {} OFFSET {}",
            conditions.sql(),
            page.limit.clamp(0, 10_000),
            page.offset.max(0)
        );
        let rows = conditions
            .bind(sqlx::query(&sql))
            .fetch_all(&self.pool)
            .await?;
        Ok((
            rows.into_iter().map(|r| summary_from_row(&r)).collect(),
            total,
        ))
    }

    /// The data version: newest import batch id and batch count.
    pub async fn data_version(&self) -> Result<DataVersion> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM import_batch")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?))
    }

    /// Distinct values of one series column (`reporting`, `nationality`, `measure`,
    /// `breakdown`) and source names: what a typed identifier is checked against.
    pub async fn distinct_values(&self, column: SeriesColumn) -> Result<Vec<String>> {
        let sql = match column {
            SeriesColumn::Reporting => {
                "SELECT DISTINCT reporting FROM series WHERE reporting IS NOT NULL ORDER BY 1"
            }
            SeriesColumn::Nationality => {
                "SELECT DISTINCT nationality FROM series WHERE nationality IS NOT NULL ORDER BY 1"
            }
            SeriesColumn::Measure => "SELECT DISTINCT measure FROM series ORDER BY 1",
            SeriesColumn::Breakdown => "SELECT DISTINCT breakdown FROM series ORDER BY 1",
            SeriesColumn::Source => "SELECT name FROM source ORDER BY 1",
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    /// Highest vintage of a source (of any source when `None`); 0 before any import.
    pub async fn max_vintage(&self, source: Option<&str>) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(b.vintage), 0) FROM import_batch b JOIN source s ON s.id = b.source_id WHERE ($1 = '' OR s.name = $1)",
        )
        .bind(source.unwrap_or(""))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    /// Number of stored observation rows (all vintages) and series; for reports and tests.
    pub async fn counts(&self) -> Result<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM observation), (SELECT COUNT(*) FROM series), (SELECT COUNT(*) FROM import_batch)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.get(0), row.get(1), row.get(2)))
    }
}
