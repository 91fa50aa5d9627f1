//! `hemi import`: `hemi_app` checks every file, then stores them all in one transaction
//! (a problem in the last file, or a process killed mid-write, leaves the database as it
//! was); then the early warning runs when a watched table changed.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hemi_app::flows::{expand_paths, ImportOptions, ImportReport};

use super::Context;
use crate::cli::{Format, ImportArgs};
use crate::output::{print_table, write_stdout, Cell, Table};
use crate::progress::Bar;

/// Environment variable naming a file that the import creates right before committing,
/// then waits 600 s: lets a test kill the process mid-transaction at a known point.
const FAULT_STALL_BEFORE_COMMIT: &str = "HEMI_FAULT_STALL_BEFORE_COMMIT";

pub async fn run(cx: &Context, args: &ImportArgs) -> anyhow::Result<()> {
    let files = expand_paths(&args.paths)?;
    let stall = std::env::var_os(FAULT_STALL_BEFORE_COMMIT);
    let options = ImportOptions {
        forced_profile: args.profile.as_deref(),
        before_commit: Box::new(move || {
            if let Some(path) = stall {
                let _ = std::fs::write(&path, b"stalled before commit");
                std::thread::sleep(Duration::from_secs(600));
            }
        }),
        ..ImportOptions::default()
    };
    let report = import_with_bar(cx, &files, options).await?;
    print_report(&report, args.output.format)?;
    print_notes(&report);
    if !args.no_warn {
        warn_after_import(cx, &report).await?;
    }
    Ok(())
}

/// Import with a progress bar on stderr.
pub async fn import_with_bar(
    cx: &Context,
    files: &[hemi_app::flows::ImportFile],
    options: ImportOptions<'_>,
) -> anyhow::Result<ImportReport> {
    let bar = Arc::new(Bar::bytes());
    let outcome = cx.app.import(files, options, bar.clone(), &cx.actor).await;
    bar.finish();
    Ok(outcome?)
}

/// An import that changed a watched table runs the early warning on the newest month,
/// so alerts go out as soon as the data arrives. Its summary goes to stderr, keeping
/// stdout the import report.
pub async fn warn_after_import(cx: &Context, report: &ImportReport) -> anyhow::Result<()> {
    if !report.changed_watched_flow(&cx.app) {
        return Ok(());
    }
    let run = cx.app.run_warning(None).await?;
    let delivered = cx.app.deliver_due().await?;
    eprintln!(
        "early warning for {}: {} new alerts ({} alarms in that month), {} notifications queued",
        run.month,
        run.recorded.len(),
        run.alarms,
        run.queued
    );
    super::warn::print_delivery(&delivered);
    Ok(())
}

fn base_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_report(report: &ImportReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return write_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report.files)?
        ));
    }
    let mut table = Table::new(&[
        "file",
        "profile",
        "rows",
        "new",
        "changed",
        "unchanged",
        "vintage",
        "seconds",
        "rows_per_s",
    ]);
    for line in &report.files {
        let o = &line.outcome;
        let vintage = match (o.vintage, o.identical) {
            (Some(v), _) => format!("{v} (new)"),
            (None, true) => format!("{} (identical file)", o.latest_vintage),
            (None, false) => format!("{} (no change)", o.latest_vintage),
        };
        table.push(vec![
            base_name(&o.file_name).into(),
            o.source.clone().into(),
            o.rows_read.into(),
            o.new.into(),
            o.changed.into(),
            o.unchanged.into(),
            vintage.into(),
            Cell::Text(format!("{:.3}", line.seconds)),
            Cell::Int((o.rows_read as f64 / line.seconds.max(1e-6)) as i64),
        ]);
    }
    print_table(&table, format)
}

/// Files skipped, codes recoded and duplicate keys summed: what a reader of the import
/// should know, on stderr.
fn print_notes(report: &ImportReport) {
    for name in &report.skipped {
        eprintln!("skipped {name}: no profile recognises it (not a publisher's table)");
    }
    for line in &report.files {
        let o = &line.outcome;
        for r in o.recodes.iter().filter(|r| r.rows > 0) {
            eprintln!(
                "recoded {}: {} {} -> {} on {} rows: {}",
                o.source, r.column, r.from, r.to, r.rows, r.reason
            );
        }
        for c in &o.combined {
            let lines: Vec<String> = c.lines.iter().map(u64::to_string).collect();
            eprintln!(
                "summed {}: {} {} {} = {} (lines {})",
                o.source,
                c.series.reporting,
                c.series.dims,
                c.period,
                hemi_flows::format_value(c.value, "count"),
                lines.join(", ")
            );
        }
    }
}
