//! `hemi series list|show|totals`.

use hemi_store::Store;

use super::filter;
use crate::cli::SeriesCommand;
use crate::output::{print_table, Cell, Table};

pub async fn run(store: &Store, command: &SeriesCommand) -> anyhow::Result<()> {
    match command {
        SeriesCommand::List(args) => {
            let mut f = filter(&args.select, args.nationality.as_ref(), None)?;
            f.vintage = args.vintage;
            let series = store.list_series(&f).await?;
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
            for s in series {
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
            let f = filter(&args.select, args.nationality.as_ref(), Some(&args.periods))?;
            let rows = store.sums(&f, true).await?;
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
            for r in rows {
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
            let mut f = filter(&args.select, None, Some(&args.periods))?;
            // Only the nationality breakdown is summed across nationalities; other
            // breakdowns describe the same people again.
            f.breakdown = Some(f.breakdown.unwrap_or_else(|| "nationality".into()));
            let rows = store.sums(&f, false).await?;
            let mut table = Table::new(&[
                "period",
                "reporting",
                "measure",
                "breakdown",
                "value",
                "series",
                "vintage",
            ]);
            for r in rows {
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
