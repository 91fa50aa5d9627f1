//! `hemi warn replay|evaluate|run|subscribe|notifications`.

use std::time::{Duration, SystemTime};

use anyhow::Context;
use hemi_store::{NewAlert, Store};
use hemi_warning::evaluate::{evaluate, parse_surges, Scores};
use hemi_warning::replay::ReplayRow;

use crate::cli::{EvaluateArgs, OutputArgs, ReplayArgs, WarnCommand};
use crate::input_error::InputError;
use crate::output::{print_table, Cell, Table};
use crate::watch::{month_arg, newest_month, replay_rows, Rules};

pub async fn run(store: &Store, rules: &Rules, command: &WarnCommand) -> anyhow::Result<()> {
    match command {
        WarnCommand::Replay(args) => replay(store, rules, args).await,
        WarnCommand::Evaluate(args) => evaluate_labels(store, rules, args).await,
        WarnCommand::Run(args) => {
            let as_of = match &args.as_of {
                Some(m) => Some(month_arg(m, "--as-of")?),
                None => None,
            };
            let table = run_warning(store, rules, as_of).await?;
            print_table(&table, args.output.format)
        }
        WarnCommand::Subscribe(args) => {
            if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
                return Err(InputError::one(hemi_core::Diagnostic {
                    file: "command line".into(),
                    line: 0,
                    field: "url".into(),
                    message: format!("{:?} is not an http(s) URL", args.url),
                    hint: "give the webhook's full URL, e.g. https://agency.example/hemi".into(),
                })
                .into());
            }
            store.add_subscriber(&args.name, &args.url).await?;
            eprintln!(
                "subscriber {} will receive alerts at {}",
                args.name, args.url
            );
            Ok(())
        }
        WarnCommand::Notifications(output) => notifications(store, rules, *output).await,
    }
}

fn optional(value: Option<f64>) -> Cell {
    value
        .map(|v| Cell::Float((v * 1000.0).round() / 1000.0))
        .unwrap_or(Cell::Empty)
}

/// The replay table; its first nine columns are a fixed contract.
pub fn replay_table(rows: &[ReplayRow]) -> Table {
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
            optional(r.expected),
            optional(r.upper),
            optional(r.score),
            Cell::Int(i64::from(r.alarm)),
            Cell::opt(r.event_id.clone()),
            Cell::opt(r.reported_by.map(str::to_owned)),
            alarming.join(";").into(),
        ]);
    }
    table
}

async fn replay(store: &Store, rules: &Rules, args: &ReplayArgs) -> anyhow::Result<()> {
    let from = month_arg(&args.from, "--from")?;
    let to = month_arg(&args.to, "--to")?;
    let rows = replay_rows(
        store,
        rules,
        from,
        to,
        args.watch.reporting.as_deref(),
        args.watch.nationality.as_deref(),
    )
    .await?;
    print_table(&replay_table(&rows), args.output.format)
}

fn scores_row(scope: &str, s: &Scores) -> Vec<Cell> {
    vec![
        scope.into(),
        Cell::Int(s.surges as i64),
        Cell::Int(s.detected as i64),
        Cell::Float((s.pod * 1000.0).round() / 1000.0),
        Cell::Int(s.episodes as i64),
        Cell::Int(s.false_episodes as i64),
        Cell::Float((s.far * 1000.0).round() / 1000.0),
        Cell::Float((s.csi * 1000.0).round() / 1000.0),
        s.median_lead.map(Cell::Float).unwrap_or(Cell::Empty),
        s.missed.join("; ").into(),
    ]
}

async fn evaluate_labels(store: &Store, rules: &Rules, args: &EvaluateArgs) -> anyhow::Result<()> {
    let name = args.events.display().to_string();
    let text =
        std::fs::read_to_string(&args.events).with_context(|| format!("cannot read {name}"))?;
    let surges = parse_surges(&name, &text).map_err(|e| {
        anyhow::Error::new(InputError::one(hemi_core::Diagnostic {
            file: e.file.clone(),
            line: e.line as u64,
            field: "labels".into(),
            message: e.message.clone(),
            hint: e.hint.clone(),
        }))
    })?;
    let from = month_arg(args.from.as_deref().unwrap_or("2020-10"), "--from")?;
    let to = match &args.to {
        Some(m) => month_arg(m, "--to")?,
        None => newest_month(store, rules).await?,
    };
    let rows = replay_rows(store, rules, from, to, None, None).await?;
    let evaluation = evaluate(&surges, &rows);
    let mut table = Table::new(&[
        "scope",
        "surges",
        "detected",
        "pod",
        "episodes",
        "false_episodes",
        "far",
        "csi",
        "median_lead_months",
        "missed",
    ]);
    table.push(scores_row("all", &evaluation.overall));
    for (country, scores) in &evaluation.by_country {
        table.push(scores_row(country, scores));
    }
    print_table(&table, args.output.format)
}

/// Timestamps in the outbox are compared as text, so every one has the same shape
/// (RFC 3339 with milliseconds, UTC).
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Assess the newest month (or `as_of`), record new alerts, queue and deliver
/// notifications. Returns the table of alerts raised.
pub async fn run_warning(
    store: &Store,
    rules: &Rules,
    as_of: Option<hemi_core::Period>,
) -> anyhow::Result<Table> {
    let as_of = match as_of {
        Some(m) => m,
        None => newest_month(store, rules).await?,
    };
    let rows = replay_rows(store, rules, as_of, as_of, None, None).await?;
    let arrivals = store.data_arrivals().await?;
    let arrived_at = |reporting: &str| {
        let source = rules
            .roster
            .watch
            .iter()
            .find(|w| w.reporting == reporting)
            .map(|w| w.source.as_str());
        arrivals
            .iter()
            .find(|(s, _)| Some(s.as_str()) == source)
            .map(|(_, at)| at.clone())
            .unwrap_or_else(now_rfc3339)
    };
    let alerts: Vec<NewAlert> = rows
        .iter()
        .filter(|r| r.alarm)
        .map(|r| NewAlert {
            reporting: r.reporting.clone(),
            nationality: r.nationality.clone().unwrap_or_default(),
            measure: rules
                .roster
                .watch
                .iter()
                .find(|w| w.reporting == r.reporting)
                .map(|w| w.measure.clone())
                .unwrap_or_default(),
            month: r.month.to_string(),
            value: r.value,
            expected: r.expected,
            upper_bound: r.upper,
            score: r.score,
            detectors: r
                .detectors
                .iter()
                .filter(|(_, a)| a.alarm)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(";"),
            event_id: r.event_id.clone().unwrap_or_default(),
            data_arrived_at: arrived_at(&r.reporting),
        })
        .collect();
    let recorded = store.record_alerts(&alerts, &now_rfc3339()).await?;
    let payloads: Vec<(i64, String)> = recorded
        .iter()
        .map(|a| {
            (
                a.id,
                serde_json::json!({ "type": "hemisphere.alert", "alert_id": a.id, "alert": a })
                    .to_string(),
            )
        })
        .collect();
    store
        .enqueue_notifications(&payloads, &now_rfc3339())
        .await?;
    let delivered = crate::notify::deliver_due(store).await?;
    if delivered.attempted > 0 {
        eprintln!(
            "notifications: {} delivered, {} still pending, {} failed",
            delivered.delivered, delivered.pending, delivered.failed
        );
    }
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
    for a in &recorded {
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
            optional(a.alert.expected),
            optional(a.alert.upper_bound),
            a.alert.event_id.clone().into(),
            a.alert.detectors.clone().into(),
        ]);
    }
    eprintln!(
        "early warning for {as_of}: {} new alerts ({} alarms in that month)",
        recorded.len(),
        alerts.len()
    );
    Ok(table)
}

async fn notifications(store: &Store, rules: &Rules, output: OutputArgs) -> anyhow::Result<()> {
    let within = Duration::from_secs_f64(rules.roster.notify_within_hours * 3600.0);
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
    for n in store.notifications().await? {
        let delay = n.delivered_at.as_deref().and_then(|d| {
            let arrived = humantime::parse_rfc3339(&n.data_arrived_at).ok()?;
            let delivered = humantime::parse_rfc3339(d).ok()?;
            delivered.duration_since(arrived).ok()
        });
        table.push(vec![
            n.alert_id.into(),
            n.subscriber.into(),
            n.status.into(),
            n.attempts.into(),
            n.data_arrived_at.into(),
            Cell::opt(n.delivered_at),
            delay
                .map(|d| Cell::Int(d.as_secs() as i64))
                .unwrap_or(Cell::Empty),
            delay
                .map(|d| Cell::Text(if d <= within { "yes" } else { "no" }.into()))
                .unwrap_or(Cell::Empty),
        ]);
    }
    print_table(&table, output.format)
}
