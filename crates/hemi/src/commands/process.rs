//! `hemi process ...`: the L.A. Process secretariat's and the Task Force's commands.
//! Each change is one `hemi_app` governance workflow (checked by `hemi-governance`,
//! written with its audit entry in one transaction); a refusal exits 2 and changes
//! nothing. What a change created (ids, versions) is printed on stdout.

use hemi_app::governance::CommitmentRow;
use hemi_app::{AppError, Result as AppResult};
use hemi_governance::{
    Assessment, ContinueDecision, CouncilSeat, Date, DecisionRequest, FundingEntry, FundingKind,
    NewCommitment, NewSession, ProgressReport, Quarter, TaskStatus, TaskUpdate,
};
use hemi_store::governance::TaskRow;

use super::{number, Context};
use crate::cli::{
    CommitmentsCommand, CouncilCommand, DecideArgs, Format, FundingArgs, FundingCommand,
    OutputArgs, ProcessArgs, ProcessCommand, SessionsCommand, TasksCommand,
};
use crate::output::{print_table, write_stdout, Cell, Table};

fn date(text: &str) -> AppResult<Date> {
    Ok(Date::parse(text.trim())?)
}

pub async fn run(cx: &Context, args: &ProcessArgs) -> anyhow::Result<()> {
    let app = &cx.app;
    // The date a change takes effect: --on, else today.
    let on = match &args.on {
        Some(d) => date(d)?,
        None => hemi_app::time::today(),
    };
    match &args.command {
        ProcessCommand::Seed => {
            if app.seed_declaration(&cx.actor).await? {
                let versions = app.declaration_versions().await?;
                let on = versions
                    .first()
                    .map(|v| v.effective_on.clone())
                    .unwrap_or_default();
                eprintln!(
                    "recorded the declaration as signed on {on} (version 1), its first commitments (versions 2 to {}) and the Task Force agencies",
                    versions.len()
                );
            } else {
                eprintln!("the declaration was seeded before: nothing changed");
            }
            Ok(())
        }
        ProcessCommand::Declaration(a) => {
            let as_of = a.as_of.as_deref().map(date).transpose()?;
            let (version, decl) = app.declaration(a.number, as_of.as_ref()).await?;
            if a.output.format == Format::Json {
                let json = serde_json::json!({ "version": version, "declaration": decl });
                return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&json)?));
            }
            if a.output.format == Format::Table {
                eprintln!(
                    "{} — version {} in effect from {} ({} by {})",
                    decl.title,
                    version.version,
                    version.effective_on,
                    version.reason,
                    version.changed_by
                );
            }
            let mut t = Table::new(&[
                "item", "key", "pillar", "owner", "kind", "status", "date", "text",
            ]);
            for p in &decl.pillars {
                let date = p
                    .closed_on
                    .as_ref()
                    .or(p.review_by.as_ref())
                    .map(|d| d.to_string());
                t.push(vec![
                    "pillar".into(),
                    p.key.clone().into(),
                    p.key.clone().into(),
                    Cell::opt(p.event_id.clone()),
                    p.kind.as_str().into(),
                    format!("{:?}", p.status).to_lowercase().into(),
                    Cell::opt(date),
                    format!("{} — goals: {}", p.title, p.goals.join(" | ")).into(),
                ]);
            }
            for d in &decl.deliverables {
                t.push(vec![
                    "deliverable".into(),
                    d.key.clone().into(),
                    d.pillar.clone().into(),
                    d.owner.clone().into(),
                    Cell::Empty,
                    d.status.clone().into(),
                    Cell::Empty,
                    d.text.clone().into(),
                ]);
            }
            for s in &decl.signatories {
                t.push(vec![
                    "signatory".into(),
                    s.code.clone().into(),
                    Cell::Empty,
                    s.code.clone().into(),
                    format!("{:?}", s.kind).to_lowercase().into(),
                    if s.withdrew_on.is_some() {
                        "withdrawn"
                    } else {
                        "signed"
                    }
                    .into(),
                    s.withdrew_on
                        .as_ref()
                        .unwrap_or(&s.joined_on)
                        .to_string()
                        .into(),
                    s.name.clone().into(),
                ]);
            }
            for c in &decl.commitments {
                t.push(vec![
                    "commitment".into(),
                    c.id.to_string().into(),
                    c.pillar.clone().into(),
                    c.owner.clone().into(),
                    Cell::Empty,
                    c.status.clone().into(),
                    c.target_date.to_string().into(),
                    format!("{}: {} {}", c.title, c.target_value, c.unit).into(),
                ]);
            }
            print_table(&t, a.output.format)
        }
        ProcessCommand::Versions(output) => {
            let mut t = Table::new(&[
                "version",
                "effective_on",
                "changed_by",
                "session",
                "reason",
                "changes",
            ]);
            for v in app.declaration_versions().await? {
                t.push(vec![
                    Cell::Int(v.version),
                    v.effective_on.into(),
                    v.changed_by.into(),
                    v.session_id.map(Cell::Int).unwrap_or(Cell::Empty),
                    v.reason.into(),
                    v.changes.join("; ").into(),
                ]);
            }
            print_table(&t, output.format)
        }
        ProcessCommand::Diff(a) => {
            let mut t = Table::new(&["item", "key", "change", "field", "before", "after"]);
            for e in app.declaration_diff(a.from, a.to).await? {
                t.push(vec![
                    e.item.into(),
                    e.key.into(),
                    e.change.into(),
                    e.field.into(),
                    e.before.into(),
                    e.after.into(),
                ]);
            }
            print_table(&t, a.output.format)
        }
        ProcessCommand::Commitments(c) => commitments(cx, c, &on).await,
        ProcessCommand::Sessions(c) => sessions(cx, c).await,
        ProcessCommand::Funding(c) => funding(cx, c).await,
        ProcessCommand::Council(c) => council(cx, c, &on).await,
        ProcessCommand::Agencies(output) => {
            let mut t = Table::new(&["agency", "status"]);
            for (name, status) in app.store().taskforce_agencies().await? {
                t.push(vec![name.into(), status.into()]);
            }
            print_table(&t, output.format)
        }
        ProcessCommand::Tasks(c) => tasks(cx, c).await,
        ProcessCommand::Playbooks(output) => {
            let mut t = Table::new(&[
                "playbook",
                "nationalities",
                "trigger",
                "assignee",
                "what",
                "due_within_hours",
                "escalate_to",
            ]);
            for p in &app.config().playbooks.playbooks {
                for r in &p.rules {
                    for task in &r.tasks {
                        t.push(vec![
                            p.name.clone().into(),
                            p.nationalities.join(",").into(),
                            r.trigger.to_string().into(),
                            task.assignee.clone().into(),
                            task.what.clone().into(),
                            Cell::Int(task.due_within_seconds / 3600),
                            task.escalate_to.clone().into(),
                        ]);
                    }
                }
            }
            print_table(&t, output.format)
        }
        ProcessCommand::Quarterly(a) => {
            let quarter = Quarter::parse(&a.quarter).map_err(AppError::from)?;
            quarterly(cx, &quarter, a.output).await
        }
        ProcessCommand::Recommend(a) => {
            let quarter = Quarter::parse(&a.quarter).map_err(AppError::from)?;
            app.add_recommendation(&quarter, &a.text, &a.to, &cx.actor)
                .await?;
            eprintln!("recommendation added to {quarter}");
            Ok(())
        }
    }
}

/// The same `QuarterlyReport` the HTML report renders, as JSON or a summary table.
async fn quarterly(cx: &Context, quarter: &Quarter, output: OutputArgs) -> anyhow::Result<()> {
    let report = cx.app.quarterly_report(quarter).await?;
    if output.format == Format::Json {
        return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?));
    }
    let mut t = Table::new(&["section", "count", "detail"]);
    let count = |n: usize| Cell::Int(n as i64);
    t.push(vec![
        "events".into(),
        count(report.events.len()),
        report
            .events
            .iter()
            .map(|e| format!("{} ({})", e.id, e.status))
            .collect::<Vec<_>>()
            .join(", ")
            .into(),
    ]);
    t.push(vec![
        "alerts".into(),
        count(report.alerts.len()),
        Cell::Empty,
    ]);
    t.push(vec![
        "notifications".into(),
        count(report.notifications.len()),
        format!(
            "{} within {} hours",
            report.notifications_on_time, report.notify_within_hours
        )
        .into(),
    ]);
    t.push(vec![
        "progress_reports".into(),
        count(report.progress_reports.len()),
        Cell::Empty,
    ]);
    for c in &report.commitments {
        t.push(vec![
            "commitment".into(),
            Cell::Int(c.id),
            format!(
                "{}: {} — {} of {} {} ({})",
                c.owner,
                c.title,
                c.latest_value
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "no report".into()),
                c.target_value,
                c.unit,
                c.status
            )
            .into(),
        ]);
    }
    t.push(vec!["tasks".into(), count(report.tasks.len()), Cell::Empty]);
    for r in &report.recommendations {
        t.push(vec![
            "recommendation".into(),
            Cell::Empty,
            format!("{} (to {})", r.text, r.addressed_to).into(),
        ]);
    }
    if output.format == Format::Table {
        eprintln!(
            "quarter {} ({} to {})",
            report.quarter, report.from, report.to
        );
    }
    print_table(&t, output.format)
}

fn commitment_table(rows: &[CommitmentRow]) -> Table {
    let mut t = Table::new(&[
        "id",
        "owner",
        "pillar",
        "title",
        "unit",
        "baseline",
        "baseline_date",
        "target",
        "target_date",
        "latest",
        "latest_on",
        "progress_pct",
        "assessment",
        "status",
        "depends_on",
        "arrangement",
    ]);
    for c in rows {
        t.push(vec![
            Cell::Int(c.id),
            c.owner.clone().into(),
            c.pillar.clone().into(),
            c.title.clone().into(),
            c.unit.clone().into(),
            number(c.baseline_value),
            c.baseline_date.clone().into(),
            number(c.target_value),
            c.target_date.clone().into(),
            c.latest_value.map(number).unwrap_or(Cell::Empty),
            Cell::opt(c.latest_on.clone()),
            super::rounded(c.progress_share.map(|s| s * 100.0), 1),
            Cell::opt(c.assessment.clone()),
            c.status.clone().into(),
            c.depends_on
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
                .into(),
            Cell::opt(c.arrangement.clone()),
        ]);
    }
    t
}

async fn commitments(cx: &Context, command: &CommitmentsCommand, on: &Date) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        CommitmentsCommand::List(a) => {
            let as_of = a.as_of.as_deref().map(date).transpose()?;
            let rows = app.commitments(as_of.as_ref()).await?;
            print_table(&commitment_table(&rows), a.output.format)
        }
        CommitmentsCommand::Add(a) => {
            let new = NewCommitment {
                owner: a.owner.trim().to_uppercase(),
                pillar: a.pillar.trim().to_owned(),
                title: a.title.clone(),
                unit: a.unit.clone(),
                baseline_value: a.baseline,
                baseline_date: a.baseline_date.trim().to_owned(),
                target_value: a.target,
                target_date: a.target_date.trim().to_owned(),
                depends_on: a.depends_on.clone(),
            };
            let id = app.add_commitment(&new, a.session, on, &cx.actor).await?;
            let row = app.commitment(id).await?;
            print_table(&commitment_table(&[row]), a.output.format)
        }
        CommitmentsCommand::Progress(a) => {
            let report = ProgressReport {
                commitment_id: a.id,
                reported_on: date(&a.reported_on)?,
                value: a.value,
                source: a.source.clone(),
                evidence_url: a.evidence.clone(),
            };
            app.report_progress(&report, &cx.actor).await?;
            eprintln!("commitment {}: {} on {}", a.id, a.value, report.reported_on);
            Ok(())
        }
        CommitmentsCommand::Assess(a) => {
            let level = Assessment::parse(&a.level).map_err(AppError::from)?;
            let decision = ContinueDecision::parse(&a.decision).map_err(AppError::from)?;
            let version = app
                .assess_commitment(a.id, a.session, level, decision, &a.note, &cx.actor)
                .await?;
            let mut t = Table::new(&["commitment", "session", "level", "decision", "version"]);
            t.push(vec![
                Cell::Int(a.id),
                Cell::Int(a.session),
                level.as_str().into(),
                decision.as_str().into(),
                version.map(Cell::Int).unwrap_or(Cell::Empty),
            ]);
            print_table(&t, a.output.format)
        }
    }
}

fn decision_request(a: &DecideArgs) -> DecisionRequest {
    DecisionRequest {
        add_pillar: a.add_pillar.clone(),
        // The kind has a default; it only matters with a pillar added.
        kind: a.add_pillar.as_ref().map(|_| a.kind.clone()),
        event: a.event.clone(),
        goals: a.goal.clone(),
        modify_pillar: a.modify_pillar.clone(),
        continue_pillar: a.continue_pillar.clone(),
        review_by: a.review_by.clone(),
        narrow_pillar: a.narrow_pillar.clone(),
        close_pillar: a.close_pillar.clone(),
        remove_pillar: a.remove_pillar.clone(),
        add_signatory: a.add_signatory.clone(),
        organisation: a.organisation,
        withdraw: a.withdraw.clone(),
        alternates: a.alternate.clone(),
        deliverable_status: a.deliverable_status.clone(),
    }
}

async fn sessions(cx: &Context, command: &SessionsCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        SessionsCommand::List(output) => {
            let versions = app.declaration_versions().await?;
            let mut t = Table::new(&[
                "id",
                "kind",
                "held_on",
                "host",
                "title",
                "event",
                "participants",
                "agenda",
                "decisions",
            ]);
            for s in app.sessions().await? {
                let decisions: Vec<String> = versions
                    .iter()
                    .filter(|v| v.session_id == Some(s.id))
                    .map(|v| format!("v{}: {}", v.version, v.changes.join("; ")))
                    .collect();
                t.push(vec![
                    Cell::Int(s.id),
                    s.kind.into(),
                    s.held_on.into(),
                    s.host.into(),
                    s.title.into(),
                    Cell::opt(s.event_id),
                    s.participants.join(",").into(),
                    s.agenda.join(" | ").into(),
                    decisions.join(" / ").into(),
                ]);
            }
            print_table(&t, output.format)
        }
        SessionsCommand::Open(a) => {
            let new = NewSession {
                kind: a.kind.parse().map_err(AppError::from)?,
                held_on: date(&a.date)?,
                host: a.host.clone(),
                title: a.title.clone(),
                participants: a
                    .participant
                    .iter()
                    .map(|p| p.trim().to_uppercase())
                    .filter(|p| !p.is_empty())
                    .collect(),
                agenda: a.agenda.clone(),
                minutes: a.minutes.clone(),
                event_id: a.event.clone(),
                emergency_goals: a.goal.clone(),
            };
            let (id, version) = app.open_session(&new, &cx.actor).await?;
            let session = app.sessions().await?.into_iter().find(|s| s.id == id);
            let event_id = session.as_ref().and_then(|s| s.event_id.clone());
            let mut t = Table::new(&[
                "session",
                "kind",
                "held_on",
                "host",
                "event",
                "emergency_pillar",
                "version",
            ]);
            t.push(vec![
                Cell::Int(id),
                new.kind.to_string().into(),
                new.held_on.to_string().into(),
                session
                    .as_ref()
                    .map(|s| s.host.clone())
                    .unwrap_or_default()
                    .into(),
                Cell::opt(event_id.clone()),
                Cell::opt(
                    event_id
                        .filter(|_| version.is_some())
                        .map(|e| hemi_governance::emergency_pillar_key(&e)),
                ),
                version.map(Cell::Int).unwrap_or(Cell::Empty),
            ]);
            print_table(&t, a.output.format)?;
            if new.kind == hemi_governance::SessionKind::Ministerial {
                // Seed 001: at the next ministerial the emergency pillars are continued,
                // changed, narrowed or closed; say which are waiting.
                let (_, decl) = app.declaration(None, None).await?;
                for p in decl.emergency_pillars_due(&new.held_on) {
                    eprintln!(
                        "emergency pillar {} ({}) awaits a decision: continue, change, narrow or close it with `hemi process sessions decide {id} ...`",
                        p.key,
                        p.event_id.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        SessionsCommand::Decide(a) => {
            let version = app
                .decide_request(a.session, &decision_request(a), &a.reason, &cx.actor)
                .await?;
            let changes = app
                .declaration_versions()
                .await?
                .into_iter()
                .find(|v| v.version == version)
                .map(|v| v.changes.join("; "))
                .unwrap_or_default();
            let mut t = Table::new(&["session", "version", "changes"]);
            t.push(vec![
                Cell::Int(a.session),
                Cell::Int(version),
                changes.into(),
            ]);
            print_table(&t, a.output.format)
        }
    }
}

fn funding_entry(kind: FundingKind, a: &FundingArgs) -> AppResult<FundingEntry> {
    Ok(FundingEntry {
        kind,
        donor: a.donor.clone(),
        recipient: a.recipient.clone(),
        pillar: a.pillar.trim().to_owned(),
        commitment_id: a.commitment,
        amount: a.amount,
        currency: hemi_governance::currency_code(&a.currency)?,
        dated_on: date(&a.date)?,
        note: a.note.clone(),
    })
}

async fn funding(cx: &Context, command: &FundingCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        FundingCommand::Pledge(a) | FundingCommand::Disburse(a) => {
            let kind = if matches!(command, FundingCommand::Pledge(_)) {
                FundingKind::Pledge
            } else {
                FundingKind::Disbursement
            };
            let entry = funding_entry(kind, a)?;
            let id = app.record_funding(&entry, &cx.actor).await?;
            let mut t = Table::new(&[
                "id",
                "kind",
                "date",
                "donor",
                "recipient",
                "pillar",
                "amount",
                "currency",
            ]);
            t.push(vec![
                Cell::Int(id),
                entry.kind.as_str().into(),
                entry.dated_on.to_string().into(),
                entry.donor.into(),
                entry.recipient.into(),
                entry.pillar.into(),
                number(entry.amount),
                entry.currency.into(),
            ]);
            print_table(&t, a.output.format)
        }
        FundingCommand::List(output) => {
            let mut t = Table::new(&[
                "date",
                "kind",
                "donor",
                "recipient",
                "pillar",
                "commitment",
                "amount",
                "currency",
                "note",
            ]);
            for f in app.store().funding().await? {
                t.push(vec![
                    f.dated_on.to_string().into(),
                    f.kind.as_str().into(),
                    f.donor.into(),
                    f.recipient.into(),
                    f.pillar.into(),
                    f.commitment_id.map(Cell::Int).unwrap_or(Cell::Empty),
                    number(f.amount),
                    f.currency.into(),
                    f.note.into(),
                ]);
            }
            print_table(&t, output.format)
        }
        FundingCommand::Summary(output) => {
            let mut t = Table::new(&[
                "pillar",
                "currency",
                "pledged",
                "disbursed",
                "disbursed_pct",
            ]);
            for r in app.store().funding_summary().await? {
                t.push(vec![
                    r.pillar.into(),
                    r.currency.into(),
                    number(r.pledged),
                    number(r.disbursed),
                    if r.pledged > 0.0 {
                        super::rounded(Some(r.disbursed / r.pledged * 100.0), 1)
                    } else {
                        Cell::Empty
                    },
                ]);
            }
            print_table(&t, output.format)
        }
    }
}

async fn council(cx: &Context, command: &CouncilCommand, on: &Date) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        CouncilCommand::List(output) => {
            let mut t = Table::new(&[
                "seat",
                "holder",
                "us_expert",
                "appointed_by",
                "appointed_on",
            ]);
            for s in app.store().council().await? {
                t.push(vec![
                    s.seat.seat.into(),
                    s.seat.holder.into(),
                    if s.seat.us_expert { "yes" } else { "no" }.into(),
                    s.seat.appointed_by.into(),
                    s.appointed_on.into(),
                ]);
            }
            print_table(&t, output.format)
        }
        CouncilCommand::Appoint(a) => {
            let seat = CouncilSeat {
                seat: a.seat.trim().to_owned(),
                holder: a.holder.clone(),
                us_expert: a.us,
                appointed_by: a.appointed_by.clone(),
            };
            app.appoint_council_seat(&seat, on, &cx.actor).await?;
            eprintln!(
                "seat {}: {} appointed by {} on {on}",
                seat.seat, a.holder, a.appointed_by
            );
            Ok(())
        }
        CouncilCommand::Remove { seat } => {
            app.remove_council_seat(seat.trim(), on, &cx.actor).await?;
            eprintln!("seat {} emptied on {on}", seat.trim());
            Ok(())
        }
    }
}

fn task_table(tasks: &[TaskRow]) -> Table {
    let mut t = Table::new(&[
        "id",
        "event",
        "playbook",
        "trigger",
        "assignee",
        "what",
        "due_at",
        "status",
        "escalate_to",
        "evidence",
    ]);
    for task in tasks {
        t.push(vec![
            Cell::Int(task.id),
            task.event_id.clone().into(),
            task.playbook.clone().into(),
            task.trigger.clone().into(),
            task.assignee.clone().into(),
            task.what.clone().into(),
            hemi_app::time::rfc3339_seconds(task.due_at).into(),
            task.status.clone().into(),
            task.escalate_to.clone().into(),
            task.evidence.clone().into(),
        ]);
    }
    t
}

async fn tasks(cx: &Context, command: &TasksCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        TasksCommand::List(a) => {
            let event = match &a.event {
                // An event id is checked against the events, with a close match.
                Some(id) => {
                    let newest = app.newest_month_or_refuse().await?;
                    Some(app.event(id, newest).await?.1.id)
                }
                None => None,
            };
            let tasks = app.tasks(event.as_deref(), &cx.actor).await?;
            print_table(&task_table(&tasks), a.output.format)
        }
        TasksCommand::Update(a) => {
            let update = TaskUpdate {
                status: a
                    .status
                    .as_deref()
                    .map(TaskStatus::parse)
                    .transpose()
                    .map_err(AppError::from)?,
                assignee: a.assignee.clone(),
                evidence: a.evidence.clone(),
            };
            let task = app.update_task(a.id, &update, &cx.actor).await?;
            print_table(&task_table(&[task]), a.output.format)
        }
        TasksCommand::Overdue(a) => {
            let now = match &a.now {
                None => hemi_app::time::now_unix(),
                Some(text) => match hemi_governance::date::unix_from_rfc3339(text.trim()) {
                    Some(t) => t,
                    None => date(text)
                        .map_err(|_| {
                            AppError::invalid(
                                "now",
                                format!("{text:?} is not a time"),
                                "give RFC 3339 (2024-05-01T12:00:00Z) or a date (2024-05-01)",
                            )
                        })?
                        .unix_start(),
                },
            };
            let mut t = Table::new(&["task", "assignee", "escalate_to", "overdue_hours"]);
            for e in app.escalations(now).await? {
                t.push(vec![
                    Cell::Int(e.task_id),
                    e.assignee.into(),
                    e.escalate_to.into(),
                    Cell::Int(e.overdue_hours),
                ]);
            }
            print_table(&t, a.output.format)
        }
    }
}
