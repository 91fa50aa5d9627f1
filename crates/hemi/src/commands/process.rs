//! `hemi process ...`: the L.A. Process secretariat's and the Task Force's commands.
//! Each calls one `hemi_store` governance function; a refusal is bad input (exit 2)
//! and changes nothing.

use std::fmt::Write;
use std::path::Path;

use hemi_governance::{
    Alternate, Assessment, Change, ContinueDecision, CouncilSeat, Date, NewCommitment, PillarKind,
    Quarter, Signatory, SignatoryKind, TaskStatus,
};
use hemi_store::governance::{quarterly, Actor, FundingEntry, NewSession, ProgressReport};
use hemi_store::Store;

use crate::cli::{
    CommitmentsCommand, CouncilCommand, DecideArgs, Format, FundingCommand, ProcessArgs,
    ProcessCommand, SessionsCommand, TasksCommand,
};
use crate::governance::{actor, date_arg, playbooks, refusal, rfc3339, seed, store_error};
use crate::output::{print_table, write_stdout, Cell, Table};

fn invalid(field: &str, message: String) -> anyhow::Error {
    refusal(hemi_governance::GovernanceError::Invalid {
        field: field.into(),
        message,
    })
}

fn float(v: f64) -> Cell {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Cell::Int(v as i64)
    } else {
        Cell::Float(v)
    }
}

pub async fn run(
    store: &Store,
    args: &ProcessArgs,
    rules_dir: Option<&Path>,
    playbooks_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let who = actor(&args.by, args.on.as_deref())?;
    // The declaration is seeded on first use, so every command sees version 1.
    let seeded = store
        .governance_seed(&seed()?, &who)
        .await
        .map_err(store_error)?;
    if seeded {
        eprintln!("recorded the declaration as signed on 2022-06-10 (version 1) and its first commitments");
    }
    match &args.command {
        ProcessCommand::Seed => {
            if !seeded {
                eprintln!("the declaration was seeded before: nothing changed");
            }
            Ok(())
        }
        ProcessCommand::Declaration(a) => {
            let as_of = a.as_of.as_deref().map(date_arg).transpose()?;
            let Some((version, decl)) = store
                .declaration(a.number, as_of.as_ref())
                .await
                .map_err(store_error)?
            else {
                return Err(invalid(
                    "version",
                    match (a.number, &as_of) {
                        (Some(v), _) => format!("version {v} does not exist"),
                        (None, Some(d)) => format!("no version was in effect on {d}"),
                        _ => "no version".into(),
                    },
                ));
            };
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
            for v in store.declaration_versions().await.map_err(store_error)? {
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
            for e in store
                .declaration_diff(a.from, a.to)
                .await
                .map_err(store_error)?
            {
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
        ProcessCommand::Commitments(c) => commitments(store, c, &who).await,
        ProcessCommand::Sessions(c) => sessions(store, c, &who).await,
        ProcessCommand::Funding(c) => funding(store, c, &who).await,
        ProcessCommand::Council(c) => council(store, c, &who).await,
        ProcessCommand::Agencies(output) => {
            let mut t = Table::new(&["agency", "status"]);
            for (name, status) in store.taskforce_agencies().await.map_err(store_error)? {
                t.push(vec![name.into(), status.into()]);
            }
            print_table(&t, output.format)
        }
        ProcessCommand::Tasks(c) => tasks(store, c, &who).await,
        ProcessCommand::Playbooks(output) => {
            let set = playbooks(playbooks_dir)?;
            let mut t = Table::new(&[
                "playbook",
                "nationalities",
                "trigger",
                "assignee",
                "what",
                "due_within_hours",
                "escalate_to",
            ]);
            for p in &set.playbooks {
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
            let quarter = Quarter::parse(&a.quarter).map_err(refusal)?;
            let rules = crate::watch::load_rules(rules_dir)?;
            let report = quarterly(store, &rules, &quarter)
                .await
                .map_err(store_error)?;
            match a.output.format {
                Format::Json => {
                    write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))
                }
                format => {
                    let mut t = Table::new(&["section", "count", "detail"]);
                    t.push(vec![
                        "events".into(),
                        Cell::Int(report.events.len() as i64),
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
                        Cell::Int(report.alerts.len() as i64),
                        Cell::Empty,
                    ]);
                    t.push(vec![
                        "notifications".into(),
                        Cell::Int(report.notifications.len() as i64),
                        format!(
                            "{} within {} hours",
                            report.notifications_on_time, report.notify_within_hours
                        )
                        .into(),
                    ]);
                    t.push(vec![
                        "progress_reports".into(),
                        Cell::Int(report.progress_reports.len() as i64),
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
                    t.push(vec![
                        "tasks".into(),
                        Cell::Int(report.tasks.len() as i64),
                        Cell::Empty,
                    ]);
                    for r in &report.recommendations {
                        t.push(vec![
                            "recommendation".into(),
                            Cell::Empty,
                            format!("{} (to {})", r.text, r.addressed_to).into(),
                        ]);
                    }
                    if format == Format::Table {
                        eprintln!(
                            "quarter {} ({} to {})",
                            report.quarter, report.from, report.to
                        );
                    }
                    print_table(&t, format)
                }
            }
        }
        ProcessCommand::Recommend(a) => {
            let quarter = Quarter::parse(&a.quarter).map_err(refusal)?;
            store
                .add_recommendation(&quarter, &a.text, &a.to, &who)
                .await
                .map_err(store_error)?;
            eprintln!("recommendation added to {quarter}");
            Ok(())
        }
    }
}

async fn commitments(
    store: &Store,
    command: &CommitmentsCommand,
    who: &Actor,
) -> anyhow::Result<()> {
    match command {
        CommitmentsCommand::List(a) => {
            let as_of = a.as_of.as_deref().map(date_arg).transpose()?;
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
            for c in store
                .commitments(as_of.as_ref())
                .await
                .map_err(store_error)?
            {
                t.push(vec![
                    Cell::Int(c.id),
                    c.owner.into(),
                    c.pillar.into(),
                    c.title.into(),
                    c.unit.into(),
                    float(c.baseline_value),
                    c.baseline_date.into(),
                    float(c.target_value),
                    c.target_date.into(),
                    c.latest_value.map(float).unwrap_or(Cell::Empty),
                    Cell::opt(c.latest_on),
                    c.progress_share
                        .map(|s| Cell::Float((s * 1000.0).round() / 10.0))
                        .unwrap_or(Cell::Empty),
                    Cell::opt(c.assessment),
                    c.status.into(),
                    c.depends_on
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                        .into(),
                    Cell::opt(c.arrangement),
                ]);
            }
            print_table(&t, a.output.format)
        }
        CommitmentsCommand::Add(a) => {
            let new = NewCommitment {
                owner: a.owner.trim().to_uppercase(),
                pillar: a.pillar.clone(),
                title: a.title.clone(),
                unit: a.unit.clone(),
                baseline_value: a.baseline,
                baseline_date: a.baseline_date.clone(),
                target_value: a.target,
                target_date: a.target_date.clone(),
                depends_on: a.depends_on.clone(),
            };
            let id = store
                .add_commitment(&new, a.session, who)
                .await
                .map_err(store_error)?;
            eprintln!(
                "commitment {id} recorded: {} — {} {} by {}",
                new.owner, new.target_value, new.unit, new.target_date
            );
            Ok(())
        }
        CommitmentsCommand::Progress(a) => {
            let report = ProgressReport {
                commitment_id: a.id,
                reported_on: a.reported_on.clone(),
                value: a.value,
                source: a.source.clone(),
                evidence_url: a.evidence.clone(),
            };
            store
                .report_progress(&report, who)
                .await
                .map_err(store_error)?;
            eprintln!("commitment {}: {} on {}", a.id, a.value, a.reported_on);
            Ok(())
        }
        CommitmentsCommand::Assess(a) => {
            let level = Assessment::parse(&a.level).map_err(refusal)?;
            let decision = ContinueDecision::parse(&a.decision).map_err(refusal)?;
            let version = store
                .assess_commitment(a.id, a.session, level, decision, &a.note, who)
                .await
                .map_err(store_error)?;
            match version {
                Some(v) => eprintln!(
                    "commitment {}: {level}, {} (declaration version {v})",
                    a.id,
                    decision.as_str()
                ),
                None => eprintln!("commitment {}: {level}, {}", a.id, decision.as_str()),
            }
            Ok(())
        }
    }
}

fn key_value<'a>(text: &'a str, flag: &str) -> anyhow::Result<(&'a str, &'a str)> {
    text.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .ok_or_else(|| invalid(flag, format!("{text:?} is not KEY=VALUE")))
}

/// The typed changes a `sessions decide` command line asks for, in a fixed order.
fn changes(a: &DecideArgs) -> anyhow::Result<Vec<Change>> {
    let mut out = Vec::new();
    if let Some(spec) = &a.add_pillar {
        let (key, title) = key_value(spec, "--add-pillar")?;
        out.push(Change::AddPillar {
            key: key.to_owned(),
            title: title.to_owned(),
            kind: PillarKind::parse(&a.kind).map_err(refusal)?,
            goals: a.goal.clone(),
            event_id: a.event.clone(),
        });
    }
    if let Some(spec) = &a.modify_pillar {
        let (key, title) = match spec.split_once('=') {
            Some((k, t)) => (k.trim(), Some(t.trim().to_owned())),
            None => (spec.trim(), None),
        };
        out.push(Change::ModifyPillar {
            key: key.to_owned(),
            title,
            goals: (!a.goal.is_empty()).then(|| a.goal.clone()),
        });
    }
    if let Some(key) = &a.narrow_pillar {
        out.push(Change::NarrowPillar {
            key: key.clone(),
            keep_goals: a.goal.clone(),
        });
    }
    if let Some(key) = &a.continue_pillar {
        out.push(Change::ContinuePillar {
            key: key.clone(),
            review_by: a.review_by.as_deref().map(date_arg).transpose()?,
        });
    }
    if let Some(key) = &a.close_pillar {
        out.push(Change::ClosePillar { key: key.clone() });
    }
    if let Some(key) = &a.remove_pillar {
        out.push(Change::RemovePillar { key: key.clone() });
    }
    if let Some(spec) = &a.deliverable_status {
        let (key, status) = key_value(spec, "--deliverable-status")?;
        out.push(Change::SetDeliverableStatus {
            key: key.to_owned(),
            status: status.to_owned(),
        });
    }
    if let Some(spec) = &a.add_signatory {
        let (code, name) = key_value(spec, "--add-signatory")?;
        out.push(Change::AddSignatory {
            signatory: Signatory {
                code: code.to_uppercase(),
                name: name.to_owned(),
                kind: if a.organisation {
                    SignatoryKind::Organisation
                } else {
                    SignatoryKind::State
                },
                // Replaced by the session's date below.
                joined_on: Date::parse("1970-01-01").map_err(refusal)?,
                withdrew_on: None,
            },
        });
    }
    if let Some(code) = &a.withdraw {
        let mut alternates = Vec::new();
        for spec in &a.alternate {
            let (id, rest) = key_value(spec, "--alternate")?;
            let commitment_id: i64 = id
                .parse()
                .map_err(|_| invalid("--alternate", format!("{id:?} is not a commitment id")))?;
            let (arrangement, new_owner) = match rest.rsplit_once('@') {
                Some((text, owner)) => (text.trim().to_owned(), Some(owner.trim().to_uppercase())),
                None => (rest.to_owned(), None),
            };
            alternates.push(Alternate {
                commitment_id,
                arrangement,
                new_owner,
            });
        }
        out.push(Change::WithdrawSignatory {
            code: code.to_uppercase(),
            alternates,
        });
    } else if !a.alternate.is_empty() {
        return Err(invalid(
            "--alternate",
            "--alternate needs --withdraw".into(),
        ));
    }
    if out.is_empty() {
        return Err(invalid(
            "decision",
            "no change given: use --add-pillar, --continue-pillar, --withdraw ...".into(),
        ));
    }
    Ok(out)
}

async fn sessions(store: &Store, command: &SessionsCommand, who: &Actor) -> anyhow::Result<()> {
    match command {
        SessionsCommand::List(output) => {
            let versions = store.declaration_versions().await.map_err(store_error)?;
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
            for s in store.sessions().await.map_err(store_error)? {
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
                kind: a.kind.clone(),
                held_on: a.date.clone(),
                host: a.host.clone(),
                title: a.title.clone(),
                participants: a.participant.clone(),
                agenda: a.agenda.clone(),
                minutes: a.minutes.clone(),
                event_id: a.event.clone(),
                emergency_goals: a.goal.clone(),
            };
            let (id, version) = store.open_session(&new, who).await.map_err(store_error)?;
            let mut msg = format!(
                "session {id} opened: {} on {} hosted by {}",
                a.kind, a.date, a.host
            );
            if let (Some(v), Some(e)) = (version, &a.event) {
                let _ = write!(
                    msg,
                    "; emergency pillar {} (declaration version {v})",
                    hemi_store::governance::emergency_pillar_key(&e.to_uppercase())
                );
            }
            eprintln!("{msg}");
            if a.kind == "ministerial" {
                // Seed 001: at the next ministerial the emergency pillars are continued,
                // changed, narrowed or closed; say which are waiting.
                let held_on = date_arg(&a.date)?;
                if let Some((_, decl)) = store.declaration(None, None).await.map_err(store_error)? {
                    for p in decl.emergency_pillars_due(&held_on) {
                        eprintln!(
                            "emergency pillar {} ({}) awaits a decision: continue, change, narrow or close it with `hemi process sessions decide {id} ...`",
                            p.key,
                            p.event_id.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            Ok(())
        }
        SessionsCommand::Decide(a) => {
            let mut changes = changes(a)?;
            let held_on = store
                .sessions()
                .await
                .map_err(store_error)?
                .into_iter()
                .find(|s| s.id == a.session)
                .map(|s| s.held_on)
                .ok_or_else(|| {
                    invalid(
                        "session",
                        format!(
                            "session {} does not exist; see `hemi process sessions list`",
                            a.session
                        ),
                    )
                })?;
            for c in &mut changes {
                if let Change::AddSignatory { signatory } = c {
                    signatory.joined_on = date_arg(&held_on)?;
                }
            }
            let version = store
                .decide(a.session, &changes, &a.reason, who)
                .await
                .map_err(store_error)?;
            eprintln!(
                "session {}: declaration version {version} ({})",
                a.session,
                changes
                    .iter()
                    .map(Change::summary)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            Ok(())
        }
    }
}

async fn funding(store: &Store, command: &FundingCommand, who: &Actor) -> anyhow::Result<()> {
    let record = |kind: &str, a: &crate::cli::FundingArgs| FundingEntry {
        kind: kind.into(),
        donor: a.donor.clone(),
        recipient: a.recipient.clone(),
        pillar: a.pillar.clone(),
        commitment_id: a.commitment,
        amount: a.amount,
        currency: a.currency.clone(),
        dated_on: a.date.clone(),
        note: a.note.clone(),
    };
    match command {
        FundingCommand::Pledge(a) | FundingCommand::Disburse(a) => {
            let kind = if matches!(command, FundingCommand::Pledge(_)) {
                "pledge"
            } else {
                "disbursement"
            };
            let entry = record(kind, a);
            let id = store
                .record_funding(&entry, who)
                .await
                .map_err(store_error)?;
            eprintln!(
                "{kind} {id}: {} {} from {} to {} ({})",
                a.amount, a.currency, a.donor, a.recipient, a.pillar
            );
            Ok(())
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
            for f in store.funding().await.map_err(store_error)? {
                t.push(vec![
                    f.dated_on.into(),
                    f.kind.into(),
                    f.donor.into(),
                    f.recipient.into(),
                    f.pillar.into(),
                    f.commitment_id.map(Cell::Int).unwrap_or(Cell::Empty),
                    float(f.amount),
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
            for r in store.funding_summary().await.map_err(store_error)? {
                t.push(vec![
                    r.pillar.into(),
                    r.currency.into(),
                    float(r.pledged),
                    float(r.disbursed),
                    if r.pledged > 0.0 {
                        Cell::Float((r.disbursed / r.pledged * 1000.0).round() / 10.0)
                    } else {
                        Cell::Empty
                    },
                ]);
            }
            print_table(&t, output.format)
        }
    }
}

async fn council(store: &Store, command: &CouncilCommand, who: &Actor) -> anyhow::Result<()> {
    match command {
        CouncilCommand::List(output) => {
            let mut t = Table::new(&[
                "seat",
                "holder",
                "us_expert",
                "appointed_by",
                "appointed_on",
            ]);
            for s in store.council().await.map_err(store_error)? {
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
            if a.us == a.non_us {
                return Err(invalid(
                    "--us",
                    "say whether the expert is a US expert: --us or --non-us".into(),
                ));
            }
            let seat = CouncilSeat {
                seat: a.seat.clone(),
                holder: a.holder.clone(),
                us_expert: a.us,
                appointed_by: a.appointed_by.clone(),
            };
            store
                .appoint_council_seat(&seat, who)
                .await
                .map_err(store_error)?;
            eprintln!(
                "seat {}: {} appointed by {}",
                a.seat, a.holder, a.appointed_by
            );
            Ok(())
        }
        CouncilCommand::Remove { seat } => {
            store
                .remove_council_seat(seat, who)
                .await
                .map_err(store_error)?;
            eprintln!("seat {seat} emptied");
            Ok(())
        }
    }
}

async fn tasks(store: &Store, command: &TasksCommand, who: &Actor) -> anyhow::Result<()> {
    match command {
        TasksCommand::List(a) => {
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
            for task in store.tasks(a.event.as_deref()).await.map_err(store_error)? {
                t.push(vec![
                    Cell::Int(task.id),
                    task.event_id.into(),
                    task.playbook.into(),
                    task.trigger.into(),
                    task.assignee.into(),
                    task.what.into(),
                    rfc3339(task.due_at).into(),
                    task.status.into(),
                    task.escalate_to.into(),
                    task.evidence.into(),
                ]);
            }
            print_table(&t, a.output.format)
        }
        TasksCommand::Update(a) => {
            let status = a
                .status
                .as_deref()
                .map(TaskStatus::parse)
                .transpose()
                .map_err(refusal)?;
            let task = store
                .update_task(
                    a.id,
                    status,
                    a.assignee.as_deref(),
                    a.evidence.as_deref(),
                    who,
                )
                .await
                .map_err(store_error)?;
            eprintln!("task {}: {} ({})", task.id, task.status, task.assignee);
            Ok(())
        }
        TasksCommand::Overdue(a) => {
            let now = match &a.now {
                None => crate::governance::now(),
                Some(text) => match hemi_governance::date::unix_from_rfc3339(text) {
                    Some(t) => t,
                    None => date_arg(text)?.unix_start(),
                },
            };
            let mut t = Table::new(&["task", "assignee", "escalate_to", "overdue_hours"]);
            for e in store.escalations(now).await.map_err(store_error)? {
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
