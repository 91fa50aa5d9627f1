//! `hemi forecast` and `hemi forecast backtest`: `App::forecasts` and `App::backtest`
//! on the watched series, estimated from data up to the origin only.

use hemi_app::check;

use super::{rounded, Context};
use crate::cli::{ForecastArgs, ForecastCommand};
use crate::output::{print_table, Cell, Table};

pub async fn run(cx: &Context, args: &ForecastArgs) -> anyhow::Result<()> {
    if let Some(ForecastCommand::Backtest(b)) = &args.command {
        let (reporting, nationality) = super::warn::watch_selectors(&b.watch)?;
        let from = check::month(&b.from, "from")?;
        let to = check::month(&b.to, "to")?;
        let to = cx.app.check_month(to, "to").await?;
        let bar = std::sync::Arc::new(crate::progress::Bar::count());
        let rows = cx
            .app
            .backtest(
                from,
                to,
                b.horizon,
                b.min_mean_level,
                reporting.as_deref(),
                nationality.as_deref(),
                bar.clone(),
            )
            .await;
        bar.finish();
        let rows = rows?;
        let naive = |horizon: usize| {
            rows.iter()
                .find(|r| r.method == "naive")
                .and_then(|r| {
                    if horizon == 0 {
                        Some(&r.pooled)
                    } else {
                        r.by_horizon.get(horizon - 1)
                    }
                })
                .map(|s| s.mase)
        };
        let mut table = Table::new(&[
            "method",
            "horizon",
            "series",
            "forecasts",
            "mase",
            "mase_vs_naive",
            "coverage80",
            "interval_score80",
        ]);
        for r in &rows {
            for s in std::iter::once(&r.pooled).chain(&r.by_horizon) {
                table.push(vec![
                    r.method.into(),
                    if s.horizon == 0 {
                        "all".into()
                    } else {
                        Cell::Int(s.horizon as i64)
                    },
                    Cell::Int(r.series_count as i64),
                    Cell::Int(s.forecasts as i64),
                    rounded(Some(s.mase), 3),
                    rounded(naive(s.horizon).filter(|n| *n > 0.0).map(|n| s.mase / n), 3),
                    rounded(Some(s.coverage80), 3),
                    rounded(Some(s.interval_score80), 3),
                ]);
            }
        }
        return print_table(&table, b.output.format);
    }
    let (reporting, nationality) = super::warn::watch_selectors(&args.watch)?;
    let as_of = super::events::as_of_or_newest(cx, args.as_of.as_deref()).await?;
    let forecasts = cx
        .app
        .forecasts(
            as_of,
            args.horizon,
            reporting.as_deref(),
            nationality.as_deref(),
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
    for s in &forecasts {
        for row in &s.rows {
            table.push(vec![
                row.month.to_string().into(),
                s.reporting.clone().into(),
                s.nationality.clone().into(),
                rounded(Some(row.point), 1),
                rounded(Some(row.lower80), 1),
                rounded(Some(row.upper80), 1),
                row.method.into(),
            ]);
        }
    }
    print_table(&table, args.output.format)
}
