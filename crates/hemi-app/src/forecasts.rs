//! Forecasts of the watched series and the corridor projection of an event's arrivals
//! downstream, for the CLI (`hemi forecast`, `hemi events show`) and the web (event
//! pages, `/api/events/{id}`). Estimated from data up to the origin only.

use hemi_core::Period;
use hemi_warning::corridor::{fit_corridor, project, CorridorParams, Projection};
use hemi_warning::events::Event;
use hemi_warning::forecast::{
    backtest, corridor_qualification, forecast, BacktestRow, BacktestSeries, BacktestSpec,
    CorridorBacktest, ForecastRow, Method,
};
use hemi_warning::series::MonthlySeries;

use crate::series::{watched_series, WatchFilter};
use crate::{App, AppError, Result};

/// Projected arrivals at one downstream country.
#[derive(Debug, Clone, PartialEq)]
pub struct CorridorProjection {
    /// Where the people are seen now.
    pub upstream: String,
    /// Where they are expected.
    pub downstream: String,
    /// Months between the two.
    pub lead_months: usize,
    /// Projected months with 80% intervals.
    pub months: Vec<Projection>,
    /// The corridor's own backtest against naive, before `as_of`: the projection is
    /// offered only when it beats naive there.
    pub backtest: CorridorBacktest,
}

/// Origins of the corridor backtest that decides whether a projection is offered:
/// the two years before the month it is shown for.
pub const CORRIDOR_BACKTEST_MONTHS: i32 = 24;
/// Horizon of the corridor projection and of its backtest.
pub const CORRIDOR_HORIZON_MONTHS: usize = 3;

/// Forecasts of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesForecast {
    /// Reporting country.
    pub reporting: String,
    /// Nationality code (`ALL` for a total).
    pub nationality: String,
    /// Rows by month and method.
    pub rows: Vec<ForecastRow>,
}

fn selected(s: &MonthlySeries, reporting: Option<&str>, nationality: Option<&str>) -> bool {
    reporting.is_none_or(|r| s.reporting.eq_ignore_ascii_case(r))
        && nationality.is_none_or(|n| s.nationality_code().eq_ignore_ascii_case(n))
}

impl App {
    fn upstream_of<'a>(
        &self,
        all: &'a [MonthlySeries],
        s: &MonthlySeries,
    ) -> Option<&'a MonthlySeries> {
        let up = self.rules().roster.upstream_of(&s.reporting)?;
        all.iter()
            .find(|u| u.reporting == up.reporting && u.nationality == s.nationality)
    }

    async fn series_to(&self, to: Period) -> Result<Vec<MonthlySeries>> {
        Ok(watched_series(
            self.store(),
            &self.rules().roster,
            &WatchFilter {
                to: Some(to),
                ..Default::default()
            },
        )
        .await?)
    }

    /// Forecasts from `as_of`, `horizon` months ahead, of the watched series matching
    /// the filter (which must match at least one).
    pub async fn forecasts(
        &self,
        as_of: Period,
        horizon: usize,
        reporting: Option<&str>,
        nationality: Option<&str>,
    ) -> Result<Vec<SeriesForecast>> {
        check_horizon(horizon)?;
        let all = self.series_to(as_of).await?;
        let chosen: Vec<&MonthlySeries> = all
            .iter()
            .filter(|s| selected(s, reporting, nationality))
            .collect();
        if chosen.is_empty() {
            return Err(AppError::not_found(
                "watched series",
                format!("{}/{}", reporting.unwrap_or("*"), nationality.unwrap_or("*")),
                "`hemi series list --breakdown nationality` lists the series; watched tables are in rules/roster.toml",
            ));
        }
        let jobs: Vec<MonthlySeries> = chosen.iter().map(|s| (*s).clone()).collect();
        tokio::task::spawn_blocking(move || {
            jobs.iter()
                .filter_map(|s| {
                    // A series that ended before the origin has no forecast from it.
                    let rows = forecast(s, as_of, horizon).ok()?;
                    Some(SeriesForecast {
                        reporting: s.reporting.clone(),
                        nationality: s.nationality_code().to_owned(),
                        rows,
                    })
                })
                .collect()
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("forecast failed: {e}")))
    }

    /// Rolling-origin backtest of the forecast methods from `from` to `to` at
    /// horizons 1..=`horizon` on series averaging at least `min_mean_level` a month,
    /// each origin seeing data up to itself only.
    #[allow(clippy::too_many_arguments)]
    pub async fn backtest(
        &self,
        from: Period,
        to: Period,
        horizon: usize,
        min_mean_level: f64,
        reporting: Option<&str>,
        nationality: Option<&str>,
        progress: std::sync::Arc<dyn crate::progress::Progress>,
    ) -> Result<Vec<BacktestRow>> {
        check_horizon(horizon)?;
        if from >= to {
            return Err(AppError::invalid(
                "--from",
                format!("{from} is not before --to {to}"),
                "the first origin must come before the last month forecast",
            ));
        }
        let all = self.series_to(to).await?;
        let set: Vec<BacktestSeries> = all
            .iter()
            .filter(|s| selected(s, reporting, nationality))
            .map(|s| BacktestSeries {
                series: s.clone(),
                upstream: self.upstream_of(&all, s).cloned(),
            })
            .collect();
        if set.is_empty() {
            return Err(AppError::not_found(
                "watched series",
                format!(
                    "{}/{}",
                    reporting.unwrap_or("*"),
                    nationality.unwrap_or("*")
                ),
                "`hemi series list --breakdown nationality` lists the series",
            ));
        }
        let spec = BacktestSpec {
            from,
            to,
            horizon,
            min_mean_level,
            outcomes_until: None,
        };
        tokio::task::spawn_blocking(move || {
            // The engine reports (done, total); the Progress trait takes steps.
            let reported = std::sync::atomic::AtomicU64::new(0);
            let report = |done: u64, total: u64| {
                progress.set_total(total);
                let before = reported.swap(done, std::sync::atomic::Ordering::Relaxed);
                progress.advance(done.saturating_sub(before));
            };
            backtest(&set, &spec, &Method::SINGLE, &report)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("backtest failed: {e}")))
    }

    /// From the most downstream alerting country of an event, projected arrivals at each
    /// country further down the watched corridor, estimated from data up to `as_of`.
    pub async fn projections(
        &self,
        event: &Event,
        as_of: Period,
    ) -> Result<Vec<CorridorProjection>> {
        let roster = &self.rules().roster;
        let order: Vec<&str> = roster.watch.iter().map(|w| w.reporting.as_str()).collect();
        let Some(last) = event
            .countries
            .iter()
            .filter_map(|c| order.iter().position(|o| o == c))
            .max()
        else {
            return Ok(Vec::new());
        };
        let filter = WatchFilter {
            to: Some(as_of),
            nationality: Some(event.nationality.clone()),
            reporting: None,
        };
        let series = watched_series(self.store(), roster, &filter).await?;
        let Some(upstream) = series.iter().find(|s| s.reporting == order[last]) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for downstream_code in &order[last + 1..] {
            let Some(downstream) = series.iter().find(|s| s.reporting == *downstream_code) else {
                continue;
            };
            // Offered only where the corridor beat naive in its own backtest on the two
            // years before `as_of` (origins and outcomes up to `as_of`: nothing later).
            let set = [BacktestSeries {
                series: downstream.clone(),
                upstream: Some(upstream.clone()),
            }];
            let from = as_of.offset(-CORRIDOR_BACKTEST_MONTHS);
            let to = as_of.offset(-(CORRIDOR_HORIZON_MONTHS as i32));
            let qualification =
                corridor_qualification(&set, from, to, as_of, CORRIDOR_HORIZON_MONTHS);
            let Some(backtest) = qualification.into_iter().next().filter(|q| q.qualifies) else {
                continue;
            };
            if let Some(model) =
                fit_corridor(upstream, downstream, as_of, &CorridorParams::default())
            {
                out.push(CorridorProjection {
                    upstream: upstream.reporting.clone(),
                    downstream: downstream.reporting.clone(),
                    lead_months: model.lead.lag,
                    months: project(&model, upstream, as_of, CORRIDOR_HORIZON_MONTHS),
                    backtest,
                });
            }
        }
        Ok(out)
    }
}

/// Horizons beyond two years say nothing for monthly flows and cost a lot.
pub const MAX_HORIZON_MONTHS: usize = 24;

fn check_horizon(horizon: usize) -> Result<()> {
    if horizon == 0 || horizon > MAX_HORIZON_MONTHS {
        return Err(AppError::invalid(
            "--horizon",
            format!("{horizon} months is outside 1 to {MAX_HORIZON_MONTHS}"),
            "forecast 1 to 24 months ahead",
        ));
    }
    Ok(())
}
