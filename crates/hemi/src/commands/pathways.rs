//! `hemi pathways`: the program catalogue, synthetic applicants, screening, labour
//! matching and the Safe Mobility Office workflow, each one call into
//! `hemi_app::pathways`.

use std::path::Path;

use hemi_app::pathways::cases::{self, NewApplication};
use hemi_app::pathways::{date_or_today, verdict_label};
use hemi_app::AppError;
use hemi_pathways::eligibility::Eligibility;

use super::Context;
use crate::cli::{Format, PathwaysCommand};
use crate::output::{print_table, Cell, Table};

/// Read a file the user named; a file that cannot be read is their problem on `field`.
fn read(path: &Path, field: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok((name, bytes)),
        Err(e) => Err(AppError::invalid(field, format!("{name}: cannot be read: {e}"), "").into()),
    }
}

fn eligibility_table(person: &str, rows: &[Eligibility]) -> Table {
    let mut t = Table::new(&[
        "person_id",
        "program",
        "verdict",
        "open",
        "reasons",
        "needs_information",
    ]);
    for e in rows {
        t.push(vec![
            person.into(),
            e.program.clone().into(),
            verdict_label(e.verdict).into(),
            if e.open { "yes" } else { "no" }.into(),
            e.reasons.join("; ").into(),
            e.needs_information.join(", ").into(),
        ]);
    }
    t
}

fn referral_table(rows: &[hemi_store::pathways::ReferralRow]) -> Table {
    let mut t = Table::new(&[
        "referral",
        "application_id",
        "person_id",
        "program",
        "referred_on",
        "state",
    ]);
    for r in rows {
        t.push(vec![
            Cell::Int(r.id),
            r.application_id.clone().into(),
            r.person_id.clone().into(),
            r.program.clone().into(),
            r.referred_on.clone().into(),
            r.state.clone().into(),
        ]);
    }
    t
}

pub async fn run(cx: &Context, command: &PathwaysCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        PathwaysCommand::Catalogue(args) => {
            let on = date_or_today("on", args.on.as_deref())?;
            if args.facts {
                let pathways = app.pathways()?;
                let mut t = Table::new(&["fact", "kind", "description"]);
                for f in &pathways.catalogue().facts {
                    t.push(vec![
                        f.name.clone().into(),
                        f.kind.to_string().into(),
                        f.description.clone().into(),
                    ]);
                }
                return print_table(&t, args.output.format);
            }
            let programs = app.pathways_programs(on).await?;
            let mut t = Table::new(&[
                "program",
                "state",
                "kind",
                "open",
                "apply_in",
                "cap",
                "period",
                "capacity",
                "reserved",
                "used",
                "remaining",
            ]);
            for p in &programs {
                let apply_in: Vec<&str> = p
                    .places_of_application
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .collect();
                let base = |t: &mut Vec<Cell>| {
                    t.push(p.key.clone().into());
                    t.push(p.operating_state.clone().into());
                    t.push(p.kind.clone().into());
                    t.push(if p.open { "yes" } else { "no" }.into());
                    t.push(apply_in.join(" ").into());
                };
                if p.caps.is_empty() {
                    let mut row = Vec::new();
                    base(&mut row);
                    row.extend([
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                    ]);
                    t.push(row);
                }
                for c in &p.caps {
                    let mut row = Vec::new();
                    base(&mut row);
                    let in_force = !c.period.is_empty();
                    row.push(c.pool.clone().into());
                    row.push(
                        if in_force {
                            c.period.clone()
                        } else {
                            "not in force".into()
                        }
                        .into(),
                    );
                    row.push(Cell::Int(c.capacity_places));
                    row.push(Cell::Int(c.reserved_places));
                    row.push(Cell::Int(c.used_places));
                    row.push(if in_force {
                        Cell::Int(c.remaining_places)
                    } else {
                        Cell::Empty
                    });
                    t.push(row);
                }
            }
            print_table(&t, args.output.format)?;
            let pathways = app.pathways()?;
            eprintln!(
                "catalogue version {} ({} programs, {} caps) on {on}",
                pathways.catalogue().version,
                programs.len(),
                pathways.catalogue().caps.len()
            );
            Ok(())
        }
        PathwaysCommand::Synth(args) => {
            let as_of = date_or_today("as_of", args.as_of.as_deref())?;
            let report = app
                .pathways_synth(args.applicants, args.seed, as_of)
                .await?;
            std::fs::write(&args.out, report.csv.as_bytes()).map_err(|e| {
                AppError::invalid(
                    "out",
                    format!("{}: cannot be written: {e}", args.out.display()),
                    "",
                )
            })?;
            let top: Vec<String> = {
                let mut shares: Vec<(&String, &f64)> = report.nationality_shares.iter().collect();
                shares.sort_by(|a, b| b.1.total_cmp(a.1));
                shares
                    .iter()
                    .take(5)
                    .map(|(n, s)| format!("{n} {:.1}%", *s * 100.0))
                    .collect()
            };
            eprintln!(
                "wrote {} applicants in {} households to {} (seed {}, as of {as_of}); nationality mix of Darién transits {}–{}: {}",
                report.people,
                report.households,
                args.out.display(),
                args.seed,
                report.periods.0,
                report.periods.1,
                top.join(", ")
            );
            Ok(())
        }
        PathwaysCommand::Screen(args) => {
            let as_of = date_or_today("as_of", args.as_of.as_deref())?;
            let (name, bytes) = read(&args.applicants, "applicants")?;
            let started = std::time::Instant::now();
            let (report, explained) = app
                .pathways_screen_file(name, bytes, as_of, args.explain.clone())
                .await?;
            if let (Some(person), Some(rows)) = (&args.explain, explained) {
                return print_table(&eligibility_table(person, &rows), args.output.format);
            }
            let mut t = Table::new(&[
                "program",
                "open",
                "eligible",
                "not_eligible",
                "needs_information",
            ]);
            for p in &report.programs {
                t.push(vec![
                    p.program.clone().into(),
                    if p.open { "yes" } else { "no" }.into(),
                    p.eligible.into(),
                    p.not_eligible.into(),
                    p.needs_information.into(),
                ]);
            }
            print_table(&t, args.output.format)?;
            eprintln!(
                "screened {} people against {} programs as of {} in {:.2} s",
                report.people,
                report.programs.len(),
                report.as_of,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        PathwaysCommand::Match(args) => {
            let workers = read(&args.workers, "workers")?;
            let jobs = read(&args.jobs, "jobs")?;
            let employers = args
                .employers
                .as_deref()
                .map(|p| read(p, "employers"))
                .transpose()?;
            let report = app.pathways_match_files(workers, jobs, employers).await?;
            let mut t = Table::new(&[
                "worker_id",
                "job_order_id",
                "employer_id",
                "isco",
                "score",
                "occupation",
                "experience",
                "language",
                "location",
                "wage",
            ]);
            for p in &report.placements {
                t.push(vec![
                    p.worker_id.clone().into(),
                    p.job_order_id.clone().into(),
                    p.employer_id.clone().into(),
                    p.isco.clone().into(),
                    Cell::Int(p.score),
                    Cell::Int(p.parts.occupation),
                    Cell::Int(p.parts.experience),
                    Cell::Int(p.parts.language),
                    Cell::Int(p.parts.location),
                    Cell::Int(p.parts.wage),
                ]);
            }
            print_table(&t, args.output.format)?;
            eprintln!(
                "{} workers, {} job orders: filled {} of {} places, total score {}; {} candidate pairs, {} blocked by fair-recruitment flags; {}",
                report.workers,
                report.job_orders,
                report.filled_places,
                report.total_places,
                report.total_score,
                report.candidate_pairs,
                report.blocked_by_fair_recruitment,
                if report.optimal { "optimal over every candidate pair" } else { "not proved optimal" }
            );
            Ok(())
        }
        PathwaysCommand::Apply(args) => {
            let (name, bytes) = read(&args.applicants, "applicants")?;
            let pathways = app.pathways()?;
            let rows = pathways.read_applicants(&name, &bytes)?;
            let applications: Vec<NewApplication> = cases::applications_from_rows(&rows);
            let report = app.pathways_apply(&applications, &cx.actor).await?;
            let mut t = Table::new(&["application_id"]);
            for a in &report.applications {
                t.push(vec![a.clone().into()]);
            }
            print_table(&t, args.output.format)?;
            eprintln!(
                "recorded {} applications ({} people); {} possible duplicates flagged",
                report.applications.len(),
                report.people,
                report.duplicates.len()
            );
            for d in &report.duplicates {
                eprintln!(
                    "possible duplicate ({}, {:.3}): {} of {} and {} of {}",
                    d.likeness,
                    d.similarity,
                    d.second_person,
                    d.second_application,
                    d.first_person,
                    d.first_application
                );
            }
            Ok(())
        }
        PathwaysCommand::ScreenCase(args) => {
            let on = date_or_today("on", args.on.as_deref())?;
            let pathways = app.pathways()?;
            let mut pairs = Vec::new();
            for f in &args.facts {
                let Some((name, value)) = f.split_once('=') else {
                    return Err(AppError::invalid(
                        "fact",
                        format!("{f:?} is not NAME=VALUE"),
                        "e.g. --fact documents=passport;national_id",
                    )
                    .into());
                };
                pairs.push((name.trim().to_owned(), value.to_owned()));
            }
            let facts = cases::facts_from_pairs(&pathways, &pairs)?;
            let rows = app
                .pathways_screen_case(
                    &args.application,
                    &args.person,
                    &facts,
                    on,
                    &args.notes,
                    &cx.actor,
                )
                .await?;
            print_table(&eligibility_table(&args.person, &rows), args.output.format)?;
            let eligible = rows
                .iter()
                .filter(|e| e.verdict == hemi_pathways::Verdict::Eligible)
                .count();
            eprintln!("interview recorded on {on}: eligible for {eligible} programs");
            Ok(())
        }
        PathwaysCommand::Refer(args) => {
            let on = date_or_today("on", args.on.as_deref())?;
            let row = app
                .pathways_refer(
                    &args.application,
                    &args.person,
                    &args.program,
                    on,
                    &cx.actor,
                )
                .await?;
            print_table(
                &referral_table(std::slice::from_ref(&row)),
                args.output.format,
            )?;
            eprintln!("referral {} recorded; a place is reserved", row.id);
            Ok(())
        }
        PathwaysCommand::Outcome(args) => {
            let on = date_or_today("on", args.on.as_deref())?;
            let kind = cases::parse_outcome(&args.outcome)?;
            let row = app
                .pathways_outcome(args.referral, kind, on, &args.reason, &cx.actor)
                .await?;
            print_table(
                &referral_table(std::slice::from_ref(&row)),
                args.output.format,
            )?;
            Ok(())
        }
        PathwaysCommand::Queue(args) => {
            let as_of = date_or_today("as_of", args.as_of.as_deref())?;
            let views = app
                .pathways_queue(args.office.as_deref(), as_of, &cx.actor)
                .await?;
            let mut t = Table::new(&[
                "office",
                "application_id",
                "stage",
                "waiting_days",
                "days_in_stage",
                "members",
            ]);
            for v in &views {
                for r in &v.rows {
                    t.push(vec![
                        v.office.clone().into(),
                        r.application_id.clone().into(),
                        stage_label(r.stage).into(),
                        Cell::Int(r.waiting_days),
                        Cell::Int(r.days_in_stage),
                        Cell::Int(r.members as i64),
                    ]);
                }
            }
            print_table(&t, args.output.format)?;
            for v in &views {
                for (stage, (n, median, longest)) in &v.by_stage {
                    eprintln!(
                        "{}: {} {}: median {median} days waiting, longest {longest}",
                        v.office,
                        n,
                        stage_label(*stage)
                    );
                }
            }
            Ok(())
        }
        PathwaysCommand::Show(args) => {
            let as_of = date_or_today("as_of", args.as_of.as_deref())?;
            let case = app
                .pathways_case(&args.application, as_of, &cx.actor)
                .await?;
            if args.output.format == Format::Json {
                return crate::output::write_stdout(&(serde_json::to_string_pretty(&case)? + "\n"));
            }
            let mut t = Table::new(&[
                "person_id",
                "name",
                "date_of_birth",
                "nationality",
                "relationship",
                "eligible_for",
                "needs_information_for",
            ]);
            for m in &case.members {
                let pick = |v: hemi_pathways::Verdict| -> String {
                    m.eligibility
                        .iter()
                        .filter(|e| e.verdict == v)
                        .map(|e| e.program.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                t.push(vec![
                    m.member.person_id.clone().into(),
                    format!("{} {}", m.member.given_names, m.member.family_names).into(),
                    Cell::opt(m.member.date_of_birth.clone()),
                    m.member.nationality.clone().into(),
                    m.member.relationship.clone().into(),
                    pick(hemi_pathways::Verdict::Eligible).into(),
                    pick(hemi_pathways::Verdict::NeedsInformation).into(),
                ]);
            }
            print_table(&t, args.output.format)?;
            let referrals: Vec<_> = case.referrals.iter().map(|r| r.referral.clone()).collect();
            if !referrals.is_empty() {
                print_table(&referral_table(&referrals), args.output.format)?;
            }
            eprintln!(
                "application {} at {} received {}; {} interviews, {} referrals, {} possible duplicates",
                case.application.application_id,
                case.application.office,
                case.application.received_on,
                case.interviews.len(),
                case.referrals.len(),
                case.duplicates.len()
            );
            Ok(())
        }
        PathwaysCommand::Progress(output) => {
            let rows = app.pathways_commitment_progress().await?;
            let mut t = Table::new(&["owner", "commitment", "programs", "used", "reserved"]);
            for r in &rows {
                t.push(vec![
                    r.owner.clone().into(),
                    r.title.clone().into(),
                    r.programs.join(" ").into(),
                    r.used_places.into(),
                    r.reserved_places.into(),
                ]);
            }
            print_table(&t, output.format)
        }
        PathwaysCommand::Duplicates(output) => {
            let rows = app.pathways_duplicates(&cx.actor).await?;
            let mut t = Table::new(&[
                "id",
                "first_application",
                "first_person",
                "second_application",
                "second_person",
                "likeness",
                "similarity",
                "status",
            ]);
            for d in &rows {
                t.push(vec![
                    Cell::Int(d.id),
                    d.first_application.clone().into(),
                    d.first_person.clone().into(),
                    d.second_application.clone().into(),
                    d.second_person.clone().into(),
                    d.likeness.clone().into(),
                    Cell::Float(d.similarity),
                    d.status.clone().into(),
                ]);
            }
            print_table(&t, output.format)
        }
        PathwaysCommand::RaiseCap(args) => {
            let on = date_or_today("on", args.on.as_deref())?;
            app.pathways_raise_cap(
                &args.pool,
                &args.period,
                args.places,
                &args.reason,
                args.event.as_deref(),
                args.task.as_deref(),
                on,
                &cx.actor,
            )
            .await?;
            eprintln!(
                "cap {} for {} raised by {} places",
                args.pool, args.period, args.places
            );
            Ok(())
        }
    }
}

fn stage_label(stage: hemi_pathways::cases::Stage) -> &'static str {
    use hemi_pathways::cases::Stage;
    match stage {
        Stage::AwaitingScreening => "awaiting screening",
        Stage::AwaitingReferral => "awaiting referral",
        Stage::AwaitingDecision => "awaiting decision",
        Stage::AwaitingTravel => "awaiting travel",
        Stage::Closed => "closed",
    }
}

/// The day the demo's caseload is dated: the CHNV processes and the Safe Mobility Offices
/// were open then (both have since closed, and the catalogue says so for later days), so
/// the demo shows referrals as well as refusals whatever day it is run.
const DEMO_CASELOAD_DAY: &str = "2024-01-15";

/// The demo's synthetic pathways caseload (once per database).
pub async fn load_demo_caseload(cx: &Context) -> anyhow::Result<()> {
    let day = hemi_pathways::Date::parse(DEMO_CASELOAD_DAY)?;
    match cx
        .app
        .pathways_demo_caseload(day, &cx.actor)
        .await?
    {
        Some(d) => eprintln!(
            "loaded a synthetic pathways caseload: {} applications, {} people, {} interviews, {} referrals",
            d.applications, d.people, d.interviews, d.referrals
        ),
        None => eprintln!("the pathways caseload is already loaded"),
    }
    Ok(())
}
