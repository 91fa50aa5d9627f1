//! `hemi forecast` and `hemi forecast backtest`.

use hemi_store::{Store, WatchFilter};
use hemi_warning::forecast::{backtest, forecast, BacktestSeries};
use hemi_warning::series::MonthlySeries;

use crate::cli::{ForecastArgs, ForecastCommand};
use crate::output::{print_table, Cell, Table};
use crate::watch::{month_arg, newest_month, Rules};

fn round(x: f64) -> Cell {
    Cell::Float((x * 10.0).round() / 10.0)
}

/// The series upstream of `s` on the watched corridor (same nationality), if any.
fn upstream<'a>(
    rules: &Rules,
    all: &'a [MonthlySeries],
    s: &MonthlySeries,
) -> Option<&'a MonthlySeries> {
    let up = rules.roster.upstream_of(&s.reporting)?;
    all.iter()
        .find(|u| u.reporting == up.reporting && u.nationality == s.nationality)
}

pub async fn run(store: &Store, rules: &Rules, args: &ForecastArgs) -> anyhow::Result<()> {
    if let Some(ForecastCommand::Backtest(b)) = &args.command {
        let from = month_arg(&b.from, "--from")?;
        let to = month_arg(&b.to, "--to")?;
        let all = store
            .watched_series(
                &rules.roster,
                &WatchFilter {
                    to: Some(to),
                    ..Default::default()
                },
            )
            .await?;
        let set: Vec<BacktestSeries> = all
            .iter()
            .filter(|s| {
                selected(
                    s,
                    b.watch.reporting.as_deref(),
                    b.watch.nationality.as_deref(),
                )
            })
            .map(|s| BacktestSeries {
                series: s.clone(),
                upstream: upstream(rules, &all, s).cloned(),
            })
            .collect();
        let mut table = Table::new(&["method", "series", "forecasts", "mase", "coverage80"]);
        for r in backtest(&set, from, to, b.horizon) {
            table.push(vec![
                r.method.into(),
                Cell::Int(r.series_count as i64),
                Cell::Int(r.forecasts as i64),
                Cell::Float((r.mase * 1000.0).round() / 1000.0),
                Cell::Float((r.coverage80 * 1000.0).round() / 1000.0),
            ]);
        }
        return print_table(&table, b.output.format);
    }
    let as_of = match &args.as_of {
        Some(m) => month_arg(m, "--as-of")?,
        None => newest_month(store, rules).await?,
    };
    let all = store
        .watched_series(
            &rules.roster,
            &WatchFilter {
                to: Some(as_of),
                ..Default::default()
            },
        )
        .await?;
    let mut table = Table::new(&[
        "month",
        "reporting_country",
        "nationality",
        "point",
        "lower80",
        "upper80",
        "method",
    ]);
    for s in all.iter().filter(|s| {
        selected(
            s,
            args.watch.reporting.as_deref(),
            args.watch.nationality.as_deref(),
        )
    }) {
        for row in forecast(s, upstream(rules, &all, s), as_of, args.horizon) {
            table.push(vec![
                row.month.to_string().into(),
                s.reporting.clone().into(),
                s.nationality_code().to_owned().into(),
                round(row.point),
                round(row.lower80),
                round(row.upper80),
                row.method.into(),
            ]);
        }
    }
    print_table(&table, args.output.format)
}

fn selected(s: &MonthlySeries, reporting: Option<&str>, nationality: Option<&str>) -> bool {
    reporting.is_none_or(|r| s.reporting.eq_ignore_ascii_case(r))
        && nationality.is_none_or(|n| s.nationality_code().eq_ignore_ascii_case(n))
}
