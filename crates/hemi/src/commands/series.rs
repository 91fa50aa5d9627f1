//! `hemi series list|show|totals`: selectors checked by `App::series_filter` (unknown
//! codes, ranges out of order and missing vintages are refused with a close match),
//! rows read back from the store.

use hemi_app::flows::SeriesQuery;

use super::Context;
use crate::cli::{PeriodArgs, SelectArgs, SeriesCommand};
use crate::output::{print_table, Cell, Table};

/// The typed selectors as `hemi-app` takes them.
pub fn query(
    select: &SelectArgs,
    nationality: Option<&String>,
    periods: Option<&PeriodArgs>,
) -> SeriesQuery {
    SeriesQuery {
        reporting: select.reporting.clone(),
        nationality: nationality.cloned(),
        source: select.source.clone(),
        measure: select.measure.clone(),
        breakdown: select.breakdown.clone(),
        from: periods.and_then(|p| p.from.clone()),
        to: periods.and_then(|p| p.to.clone()),
        vintage: periods.and_then(|p| p.vintage),
    }
}

/// Check the selectors with `App::series_filter`, the range first with the flags'
/// names (the app names the fields `from` and `to`).
pub async fn filter(cx: &Context, q: &SeriesQuery) -> anyhow::Result<hemi_store::SeriesFilter> {
    let period = |t: &Option<String>, flag: &str| {
        t.as_deref()
            .map(|t| hemi_app::check::period(t, flag))
            .transpose()
    };
    let (from, to) = (period(&q.from, "--from")?, period(&q.to, "--to")?);
    hemi_app::check::ordered(from.as_ref(), to.as_ref(), "--from", "--to")?;
    Ok(cx.app.series_filter(q).await?)
}

pub async fn run(cx: &Context, command: &SeriesCommand) -> anyhow::Result<()> {
    let store = cx.app.store();
    match command {
        SeriesCommand::List(args) => {
            let mut q = query(&args.select, args.nationality.as_ref(), None);
            q.vintage = args.vintage;
            let filter = filter(cx, &q).await?;
            let mut table = Table::new(&[
                "id",
                "source",
                "reporting",
                "measure",
                "breakdown",
                "nationality",
                "dimensions",
                "first",
                "last",
                "periods",
                "vintage",
            ]);
            for s in store.list_series(&filter).await? {
                table.push(vec![
                    s.id.into(),
                    s.source.into(),
                    s.reporting.into(),
                    s.measure.into(),
                    s.breakdown.into(),
                    Cell::opt(s.nationality),
                    s.dims.into(),
                    s.first_period.into(),
                    s.last_period.into(),
                    s.periods.into(),
                    s.vintage.into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
        SeriesCommand::Show(args) => {
            let q = query(&args.select, args.nationality.as_ref(), Some(&args.periods));
            let filter = filter(cx, &q).await?;
            let mut table = Table::new(&[
                "period",
                "reporting",
                "measure",
                "breakdown",
                "nationality",
                "value",
                "series",
                "vintage",
            ]);
            for r in store.sums(&filter, true).await? {
                table.push(vec![
                    r.period.into(),
                    r.reporting.into(),
                    r.measure.into(),
                    r.breakdown.into(),
                    Cell::opt(r.nationality),
                    Cell::value(r.value, "count"),
                    r.series.into(),
                    r.vintage.into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
        SeriesCommand::Totals(args) => {
            let q = query(&args.select, None, Some(&args.periods));
            let mut filter = filter(cx, &q).await?;
            // Only the nationality breakdown is summed across nationalities; other
            // breakdowns describe the same people again.
            filter.breakdown = Some(filter.breakdown.unwrap_or_else(|| "nationality".into()));
            let mut table = Table::new(&[
                "period",
                "reporting",
                "measure",
                "breakdown",
                "value",
                "series",
                "vintage",
            ]);
            for r in store.sums(&filter, false).await? {
                table.push(vec![
                    r.period.into(),
                    r.reporting.into(),
                    r.measure.into(),
                    r.breakdown.into(),
                    Cell::value(r.value, "count"),
                    r.series.into(),
                    r.vintage.into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
    }
}
