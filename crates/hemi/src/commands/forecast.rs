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
        let mut table = Table::new(&["method", "series", "forecasts", "mase", "coverage80"]);
        for r in cx
            .app
            .backtest(
                from,
                to,
                b.horizon,
                reporting.as_deref(),
                nationality.as_deref(),
            )
            .await?
        {
            table.push(vec![
                r.method.into(),
                Cell::Int(r.series_count as i64),
                Cell::Int(r.forecasts as i64),
                rounded(Some(r.mase), 3),
                rounded(Some(r.coverage80), 3),
            ]);
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
