//! `hemi events list|show|set`: events and their pages from `hemi_app`'s watch service,
//! and the lifecycle decision (confirming starts the response) made by `App::set_event_status`.

use std::fmt::Write;

use hemi_app::board::EventView;
use hemi_app::check;
use hemi_core::Period;

use super::Context;
use crate::cli::{EventsCommand, Format};
use crate::output::{print_table, write_stdout, Cell, Table};

/// `--as-of` checked against the data, or the newest month.
pub async fn as_of_or_newest(cx: &Context, as_of: Option<&str>) -> anyhow::Result<Period> {
    Ok(match as_of {
        Some(m) => {
            cx.app
                .check_month(check::month(m, "as_of")?, "as_of")
                .await?
        }
        None => cx.app.newest_month_or_refuse().await?,
    })
}

pub async fn run(cx: &Context, command: &EventsCommand) -> anyhow::Result<()> {
    match command {
        EventsCommand::List(args) => {
            let as_of = as_of_or_newest(cx, args.as_of.as_deref()).await?;
            let (_, events) = cx.app.events(as_of).await?;
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
            let as_of = as_of_or_newest(cx, args.as_of.as_deref()).await?;
            let view = cx.app.event_view(&args.id, as_of).await?;
            show(&view, args.output.format)
        }
        EventsCommand::Set(args) => {
            let (row, tasks) = cx
                .app
                .set_event_status(&args.id, &args.status, &args.reason, &cx.actor)
                .await?;
            let mut table = Table::new(&[
                "event",
                "from",
                "to",
                "changed_by",
                "changed_at",
                "tasks_created",
            ]);
            table.push(vec![
                row.event_id.clone().into(),
                row.from_status.into(),
                row.to_status.into(),
                row.changed_by.into(),
                row.changed_at.into(),
                Cell::Int(tasks.len() as i64),
            ]);
            print_table(&table, args.output.format)?;
            if !tasks.is_empty() {
                eprintln!(
                    "{} response tasks from the playbooks: `hemi process tasks list --event {}`",
                    tasks.len(),
                    row.event_id
                );
            }
            Ok(())
        }
    }
}

fn show(view: &EventView, format: Format) -> anyhow::Result<()> {
    let event = &view.event;
    let roles = view.roles.as_deref();
    if format == Format::Json {
        let json = serde_json::json!({
            "id": event.id,
            "nationality": event.nationality,
            "as_of": view.as_of.to_string(),
            "first_alert": event.first_alert.to_string(),
            "last_alert": event.last_alert.to_string(),
            "countries": event.countries,
            "status": event.status.to_string(),
            "alerts": event.alerts.iter().map(|a| serde_json::json!({
                "reporting_country": a.reporting, "month": a.month.to_string(), "value": a.value,
            })).collect::<Vec<_>>(),
            "roles": roles.map(|r| r.roles.iter().map(|c| serde_json::json!({
                "country": c.country, "role": c.role.as_str(), "evidence": c.evidence,
                "figures": c.figures.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>()),
            "corridor": roles.map(|r| r.corridor.clone()),
            "projections": view.projections.iter().map(|p| serde_json::json!({
                "upstream": p.upstream, "downstream": p.downstream, "lead_months": p.lead_months,
                "months": p.months.iter().map(|m| serde_json::json!({
                    "month": m.month.to_string(), "point": m.point, "lower80": m.lower80, "upper80": m.upper80,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "tasks": view.tasks,
            "history": view.history,
        });
        return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    let mut out = String::new();
    writeln!(
        out,
        "event {}  nationality {}  status {}  (as of {})",
        event.id, event.nationality, event.status, view.as_of
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
    match roles {
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
    for p in &view.projections {
        writeln!(
            out,
            "\nexpected arrivals in {} (from {}, lead {} months):",
            p.downstream, p.upstream, p.lead_months
        )?;
        for m in &p.months {
            writeln!(
                out,
                "  {}  {:>8.0}  (80%: {:.0} to {:.0})",
                m.month, m.point, m.lower80, m.upper80
            )?;
        }
    }
    if !view.tasks.is_empty() {
        writeln!(out, "\nresponse tasks:")?;
        for t in &view.tasks {
            writeln!(
                out,
                "  {:>4}  {:<12} {:<11} due {}  {}",
                t.id,
                t.assignee,
                t.status,
                hemi_app::time::rfc3339_seconds(t.due_at),
                t.what
            )?;
        }
    }
    if !view.history.is_empty() {
        writeln!(out, "\nhistory:")?;
        for t in &view.history {
            writeln!(
                out,
                "  {}  {} -> {}  by {}: {}",
                t.changed_at, t.from_status, t.to_status, t.changed_by, t.reason
            )?;
        }
    }
    write_stdout(&out)
}
