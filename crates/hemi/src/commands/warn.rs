//! `hemi warn replay|evaluate|run|subscribe|unsubscribe|subscribers|notifications`.

use hemi_app::check;
use hemi_app::evaluation::{CandidateFile, LabelFiles};
use hemi_app::notify::DeliveryReport;
use hemi_app::AppError;
use hemi_core::Period;
use hemi_warning::evaluate::Evaluation;
use hemi_warning::protocol::TARGETS;
use hemi_warning::replay::ReplayRow;

use super::{rounded, Context};
use crate::cli::{EvaluateArgs, OutputArgs, ReplayArgs, WarnCommand, WatchArgs};
use crate::output::{print_table, Cell, Table};
use crate::progress::Bar;

pub async fn run(cx: &Context, command: &WarnCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        WarnCommand::Replay(args) => replay(cx, args).await,
        WarnCommand::Evaluate(args) => evaluate_labels(cx, args).await,
        WarnCommand::Run(args) => {
            let as_of = args
                .as_of
                .as_deref()
                .map(|m| check::month(m, "as_of"))
                .transpose()?;
            let run = app.run_warning(as_of).await?;
            let delivered = app.deliver_due().await?;
            let mut table = Table::new(&[
                "id",
                "month",
                "reporting_country",
                "nationality",
                "value",
                "expected",
                "upper",
                "event_id",
                "detectors",
            ]);
            for a in &run.recorded {
                table.push(vec![
                    a.id.into(),
                    a.alert.month.clone().into(),
                    a.alert.reporting.clone().into(),
                    if a.alert.nationality.is_empty() {
                        "ALL".into()
                    } else {
                        a.alert.nationality.clone().into()
                    },
                    Cell::value(a.alert.value, "count"),
                    rounded(a.alert.expected, 3),
                    rounded(a.alert.upper_bound, 3),
                    a.alert.event_id.clone().into(),
                    a.alert.detectors.clone().into(),
                ]);
            }
            print_table(&table, args.output.format)?;
            eprintln!(
                "early warning for {}: {} new alerts ({} alarms in that month), {} notifications queued",
                run.month,
                run.recorded.len(),
                run.alarms,
                run.queued
            );
            print_delivery(&delivered);
            Ok(())
        }
        WarnCommand::Subscribe(args) => {
            app.subscribe(&args.name, &args.url, &cx.actor).await?;
            eprintln!(
                "subscriber {} will receive alerts at {}",
                args.name.trim(),
                args.url.trim()
            );
            Ok(())
        }
        WarnCommand::Unsubscribe { name } => {
            app.unsubscribe(name, &cx.actor).await?;
            eprintln!("subscriber {} will receive no more alerts", name.trim());
            Ok(())
        }
        WarnCommand::Subscribers(output) => {
            let mut table = Table::new(&["name", "webhook_url", "active"]);
            for s in app.store().all_subscribers().await? {
                table.push(vec![
                    s.name.into(),
                    s.webhook_url.into(),
                    if s.active { "yes" } else { "no" }.into(),
                ]);
            }
            print_table(&table, output.format)
        }
        WarnCommand::Notifications(output) => notifications(cx, *output).await,
    }
}

/// What a delivery round did, on stderr, when it tried anything.
pub fn print_delivery(report: &DeliveryReport) {
    if report.attempted > 0 {
        eprintln!(
            "notifications: {} delivered, {} still pending, {} failed",
            report.delivered, report.pending, report.failed
        );
    }
}

/// The replay table; its first nine columns are a fixed contract.
fn replay_table(rows: &[ReplayRow]) -> Table {
    let mut table = Table::new(&[
        "month",
        "reporting_country",
        "nationality",
        "value",
        "expected",
        "upper",
        "score",
        "alarm",
        "event_id",
        "reported_by",
        "detectors_alarming",
    ]);
    for r in rows {
        let alarming: Vec<&str> = r
            .detectors
            .iter()
            .filter(|(_, a)| a.alarm)
            .map(|(n, _)| *n)
            .collect();
        table.push(vec![
            r.month.to_string().into(),
            r.reporting.clone().into(),
            r.nationality.clone().unwrap_or_else(|| "ALL".into()).into(),
            Cell::value(r.value, "count"),
            rounded(r.expected, 3),
            rounded(r.upper, 3),
            rounded(r.score, 3),
            Cell::Int(i64::from(r.alarm)),
            Cell::opt(r.event_id.clone()),
            Cell::opt(r.reported_by.map(str::to_owned)),
            alarming.join(";").into(),
        ]);
    }
    table
}

/// Reporting country and nationality as typed, checked: a code that is not ISO 3166
/// is refused with a close match; `ALL` stands for the totals.
pub fn watch_selectors(watch: &WatchArgs) -> hemi_app::Result<(Option<String>, Option<String>)> {
    let reporting = watch
        .reporting
        .as_deref()
        .map(|r| check::country(r, "reporting"))
        .transpose()?;
    let nationality = watch
        .nationality
        .as_deref()
        .map(|n| check::country_or_publisher_code(n, "nationality", &[]))
        .transpose()?;
    Ok((reporting, nationality))
}

/// A filter that matched no watched series: the caller's mistake, not an empty answer.
pub fn no_watched_series(reporting: Option<&str>, nationality: Option<&str>) -> AppError {
    AppError::not_found(
        "watched series",
        format!("{}/{}", reporting.unwrap_or("*"), nationality.unwrap_or("*")),
        "`hemi series list --breakdown nationality` lists the series; watched tables are in rules/roster.toml",
    )
}

async fn months(cx: &Context, from: &str, to: &str) -> anyhow::Result<(Period, Period)> {
    let from = check::month(from, "--from")?;
    let to = check::month(to, "--to")?;
    check::ordered(Some(&from), Some(&to), "--from", "--to")?;
    let to = cx.app.check_month(to, "--to").await?;
    Ok((from, to))
}

async fn replay(cx: &Context, args: &ReplayArgs) -> anyhow::Result<()> {
    let (reporting, nationality) = watch_selectors(&args.watch)?;
    let (from, to) = months(cx, &args.from, &args.to).await?;
    let rows = cx
        .app
        .replay_rows(from, to, reporting.as_deref(), nationality.as_deref())
        .await?;
    if rows.is_empty() && (reporting.is_some() || nationality.is_some()) {
        return Err(no_watched_series(reporting.as_deref(), nationality.as_deref()).into());
    }
    print_table(&replay_table(&rows), args.output.format)
}

fn scores_row(split: &str, period: &Evaluation, sample: &str, what: &str) -> Vec<Cell> {
    let s = &period.overall;
    let months = hemi_warning::protocol::months_in(period.from, period.to);
    vec![
        split.into(),
        format!("{}..{}", period.from, period.to).into(),
        sample.into(),
        what.into(),
        Cell::Int(s.surges as i64),
        Cell::Int(s.detected as i64),
        rounded(Some(s.pod), 3),
        Cell::Int(s.episodes as i64),
        Cell::Int(s.false_episodes as i64),
        rounded(Some(s.far), 3),
        s.median_lead.map(Cell::Float).unwrap_or(Cell::Empty),
        Cell::Int(s.unlabelled_episodes as i64),
        Cell::Int(TARGETS.met(s, months) as i64),
    ]
}

/// `hemi warn evaluate`: the protocol of `data/labels/README.md` on the stored series;
/// the rule chosen on each tuning period, its in-sample and out-of-sample scores, and
/// the untuned references under the same scoring.
async fn evaluate_labels(cx: &Context, args: &EvaluateArgs) -> anyhow::Result<()> {
    let read = |name: &str| -> Result<(String, String), AppError> {
        let path = args.labels.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            AppError::invalid(
                "labels",
                format!("cannot read {}: {e}", path.display()),
                "give the directory holding surges.csv and complete.csv with --labels",
            )
        })?;
        Ok((path.display().to_string(), text))
    };
    let labels = LabelFiles {
        surges: read("surges.csv")?,
        complete: read("complete.csv")?,
    };
    let candidates = match &args.candidates {
        Some(path) => Some(CandidateFile {
            name: path.display().to_string(),
            text: std::fs::read_to_string(path).map_err(|e| {
                AppError::invalid(
                    "candidates",
                    format!("cannot read {}: {e}", path.display()),
                    "give a rule candidates file like rules/candidates.toml",
                )
            })?,
        }),
        None => None,
    };
    let bar = std::sync::Arc::new(Bar::count());
    let report = cx
        .app
        .evaluate_warning(&labels, candidates.as_ref(), bar.clone())
        .await;
    bar.finish();
    let report = report?;
    let mut table = Table::new(&[
        "split",
        "months",
        "sample",
        "rules",
        "surges",
        "detected",
        "pod",
        "episodes",
        "false_episodes",
        "far",
        "median_lead_months",
        "unlabelled_episodes",
        "targets_met",
    ]);
    for split in &report.splits {
        let chosen = &split.tuned[split.chosen].0;
        let name = split.split.name;
        table.push(scores_row(
            name,
            &split.in_sample,
            "in-sample (tuned here)",
            chosen,
        ));
        table.push(scores_row(
            name,
            &split.out_of_sample,
            "out-of-sample",
            chosen,
        ));
        for reference in report.references.iter().filter(|r| r.split == name) {
            table.push(scores_row(
                name,
                &reference.tuning_period,
                "tuning period, untuned",
                &reference.name,
            ));
            table.push(scores_row(
                name,
                &reference.test_period,
                "test period, untuned",
                &reference.name,
            ));
        }
    }
    print_table(&table, args.output.format)?;
    let t = report.targets;
    eprintln!(
        "{} watched series assessed to {}; targets out of sample: detection >= {}, false episodes <= {}, median lead >= {} months, at most {:.0} episodes in series without a labelled surge per 64 months (targets_met counts the four)",
        report.series,
        report.newest,
        t.min_pod,
        t.max_far,
        t.min_median_lead,
        t.max_unlabelled_episodes_per_month * 64.0
    );
    Ok(())
}

async fn notifications(cx: &Context, output: OutputArgs) -> anyhow::Result<()> {
    let mut table = Table::new(&[
        "alert_id",
        "subscriber",
        "status",
        "attempts",
        "data_arrived_at",
        "delivered_at",
        "delay_s",
        "within_time_frame",
    ]);
    for t in cx.app.notification_timeliness().await? {
        let n = t.notification;
        table.push(vec![
            n.alert_id.into(),
            n.subscriber.into(),
            n.status.into(),
            n.attempts.into(),
            n.data_arrived_at.into(),
            Cell::opt(n.delivered_at),
            t.delay_seconds.map(Cell::Int).unwrap_or(Cell::Empty),
            t.within_time_frame
                .map(|w| Cell::Text(if w { "yes" } else { "no" }.into()))
                .unwrap_or(Cell::Empty),
        ]);
    }
    print_table(&table, output.format)
}
