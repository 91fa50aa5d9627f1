//! `hemi events list|show|set`.

use std::fmt::Write;
use std::time::SystemTime;

use hemi_store::{EventTransitionRow, Store};
use hemi_warning::corridor::{fit_corridor, project, CorridorParams};
use hemi_warning::events::{transition, Event, EventStatus};

use crate::cli::{EventsCommand, Format};
use crate::input_error::InputError;
use crate::output::{print_table, write_stdout, Cell, Table};
use crate::watch::{events, month_arg, newest_month, roles, Rules};

pub async fn run(
    store: &Store,
    rules: &Rules,
    playbooks_dir: Option<&std::path::Path>,
    command: &EventsCommand,
) -> anyhow::Result<()> {
    match command {
        EventsCommand::List(args) => {
            let as_of = as_of_or_newest(store, rules, args.as_of.as_deref()).await?;
            let (_, events) = events(store, rules, as_of).await?;
            let mut table = Table::new(&[
                "id",
                "nationality",
                "first_alert",
                "last_alert",
                "countries",
                "alerts",
                "status",
            ]);
            for e in &events {
                table.push(vec![
                    e.id.clone().into(),
                    e.nationality.clone().into(),
                    e.first_alert.to_string().into(),
                    e.last_alert.to_string().into(),
                    e.countries.join(",").into(),
                    Cell::Int(e.alerts.len() as i64),
                    e.status.to_string().into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
        EventsCommand::Show(args) => {
            let as_of = as_of_or_newest(store, rules, args.as_of.as_deref()).await?;
            let event = find(store, rules, &args.id, as_of).await?;
            show(store, rules, &event, as_of, args.output.format).await
        }
        EventsCommand::Set(args) => {
            let as_of = newest_month(store, rules).await?;
            let event = find(store, rules, &args.id, as_of).await?;
            let to: EventStatus = args.status.parse().map_err(|_| {
                bad(
                    "--status",
                    format!("{:?} is not a status", args.status),
                    "use confirmed, response, closed or dismissed",
                )
            })?;
            let change = transition(event.status, to, &args.by, &args.reason).map_err(|e| {
                bad(
                    "--status",
                    e.to_string(),
                    "see `hemi events show` for the current status",
                )
            })?;
            let row = EventTransitionRow {
                event_id: event.id.clone(),
                from_status: change.from.to_string(),
                to_status: change.to.to_string(),
                changed_by: args.by.clone(),
                reason: args.reason.clone(),
                changed_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            };
            if change.to == EventStatus::Confirmed {
                // Confirming starts the response: the playbooks' tasks are created in the
                // same transaction as the status change.
                confirm(store, rules, playbooks_dir, &event, as_of, &row).await?;
            } else {
                store.record_event_transition(&row).await?;
            }
            eprintln!(
                "event {}: {} -> {} by {}",
                event.id, change.from, change.to, args.by
            );
            Ok(())
        }
    }
}

/// Record a confirmation with the response tasks of every applicable playbook.
async fn confirm(
    store: &Store,
    rules: &Rules,
    playbooks_dir: Option<&std::path::Path>,
    event: &Event,
    as_of: hemi_core::Period,
    row: &EventTransitionRow,
) -> anyhow::Result<()> {
    let playbooks = crate::governance::playbooks(playbooks_dir)?;
    let who = crate::governance::actor(&row.changed_by, None)?;
    let created =
        hemi_store::governance::confirm_event(store, rules, &playbooks, event, as_of, row, &who)
            .await
            .map_err(crate::governance::store_error)?;
    if !created.is_empty() {
        eprintln!(
            "{} response task(s) from the playbooks: `hemi process tasks list --event {}`",
            created.len(),
            event.id
        );
    }
    Ok(())
}

fn bad(field: &str, message: String, hint: &str) -> anyhow::Error {
    InputError::one(hemi_core::Diagnostic {
        file: "command line".into(),
        line: 0,
        field: field.into(),
        message,
        hint: hint.into(),
    })
    .into()
}

async fn as_of_or_newest(
    store: &Store,
    rules: &Rules,
    as_of: Option<&str>,
) -> anyhow::Result<hemi_core::Period> {
    match as_of {
        Some(m) => month_arg(m, "--as-of"),
        None => newest_month(store, rules).await,
    }
}

async fn find(
    store: &Store,
    rules: &Rules,
    id: &str,
    as_of: hemi_core::Period,
) -> anyhow::Result<Event> {
    let (_, events) = events(store, rules, as_of).await?;
    events
        .into_iter()
        .find(|e| e.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            bad(
                "id",
                format!("no event {id:?} as of {as_of}"),
                "run `hemi events list` to see event ids",
            )
        })
}

async fn show(
    store: &Store,
    rules: &Rules,
    event: &Event,
    as_of: hemi_core::Period,
    format: Format,
) -> anyhow::Result<()> {
    let roles = roles(store, rules, event, as_of).await?;
    let history = store.event_transitions(Some(&event.id)).await?;
    let projections = downstream_projections(store, rules, event, as_of).await?;
    if format == Format::Json {
        let json = serde_json::json!({
            "id": event.id,
            "nationality": event.nationality,
            "first_alert": event.first_alert.to_string(),
            "last_alert": event.last_alert.to_string(),
            "countries": event.countries,
            "status": event.status.to_string(),
            "alerts": event.alerts.iter().map(|a| serde_json::json!({
                "reporting_country": a.reporting, "month": a.month.to_string(), "value": a.value,
            })).collect::<Vec<_>>(),
            "roles": roles.as_ref().map(|r| r.roles.iter().map(|c| serde_json::json!({
                "country": c.country, "role": c.role.as_str(), "evidence": c.evidence,
                "figures": c.figures.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>()),
            "corridor": roles.as_ref().map(|r| r.corridor.clone()),
            "projections": projections.iter().map(|(up, down, lag, rows)| serde_json::json!({
                "upstream": up, "downstream": down, "lead_months": lag,
                "months": rows.iter().map(|p| serde_json::json!({
                    "month": p.month.to_string(), "point": p.point, "lower80": p.lower80, "upper80": p.upper80,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "history": history,
        });
        return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    let mut out = String::new();
    writeln!(
        out,
        "event {}  nationality {}  status {}",
        event.id, event.nationality, event.status
    )?;
    writeln!(
        out,
        "alerts from {} to {} in {}",
        event.first_alert,
        event.last_alert,
        event.countries.join(", ")
    )?;
    for a in &event.alerts {
        writeln!(out, "  {}  {}  {}", a.month, a.reporting, a.value)?;
    }
    match &roles {
        Some(r) => {
            writeln!(
                out,
                "\ncountry roles (corridor {}, window {} to {}):",
                r.corridor, r.window.0, r.window.1
            )?;
            for c in &r.roles {
                writeln!(
                    out,
                    "  {:<4} {:<18} {}",
                    c.country,
                    c.role.as_str(),
                    c.evidence
                )?;
            }
        }
        None => writeln!(
            out,
            "\ncountry roles: no corridor passes through this event's countries"
        )?,
    }
    for (up, down, lag, rows) in &projections {
        writeln!(
            out,
            "\nexpected arrivals in {down} (from {up}, lead {lag} months):"
        )?;
        for p in rows {
            writeln!(
                out,
                "  {}  {:>8.0}  (80%: {:.0} to {:.0})",
                p.month, p.point, p.lower80, p.upper80
            )?;
        }
    }
    if !history.is_empty() {
        writeln!(out, "\nhistory:")?;
        for t in &history {
            writeln!(
                out,
                "  {}  {} -> {}  by {}: {}",
                t.changed_at, t.from_status, t.to_status, t.changed_by, t.reason
            )?;
        }
    }
    write_stdout(&out)
}

type ProjectionSet = (
    String,
    String,
    usize,
    Vec<hemi_warning::corridor::Projection>,
);

/// From the most downstream alerting country, projected arrivals at each country
/// further down the watched corridor, estimated from data up to `as_of` only.
async fn downstream_projections(
    store: &Store,
    rules: &Rules,
    event: &Event,
    as_of: hemi_core::Period,
) -> anyhow::Result<Vec<ProjectionSet>> {
    let order: Vec<&str> = rules
        .roster
        .watch
        .iter()
        .map(|w| w.reporting.as_str())
        .collect();
    let Some(last) = event
        .countries
        .iter()
        .filter_map(|c| order.iter().position(|o| o == c))
        .max()
    else {
        return Ok(Vec::new());
    };
    let filter = hemi_store::WatchFilter {
        to: Some(as_of),
        nationality: Some(event.nationality.clone()),
        reporting: None,
    };
    let series = store.watched_series(&rules.roster, &filter).await?;
    let Some(upstream) = series.iter().find(|s| s.reporting == order[last]) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for downstream_code in &order[last + 1..] {
        let Some(downstream) = series.iter().find(|s| s.reporting == *downstream_code) else {
            continue;
        };
        if let Some(model) = fit_corridor(upstream, downstream, as_of, &CorridorParams::default()) {
            let rows = project(&model, upstream, as_of, 3);
            out.push((
                upstream.reporting.clone(),
                downstream.reporting.clone(),
                model.lead.lag,
                rows,
            ));
        }
    }
    Ok(out)
}
