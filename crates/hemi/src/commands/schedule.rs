//! `hemi schedule`: plan a week of screening interviews from files (officers, shifts,
//! people, interpreter sessions), re-plan after an absence changing as few appointments
//! as possible, and write a synthetic week.

use std::path::Path;

use anyhow::Context as _;
use hemi_allocation::schedule::ScheduleOptions;
use hemi_app::allocation::files::{self, NamedText, ScheduleFiles};
use hemi_app::AppError;

use super::{rounded, Context};
use crate::cli::{ScheduleCommand, SchedulePlanArgs, ScheduleSynthArgs};
use crate::output::{print_table, Cell, Table};

/// Every schedule subcommand reads and writes files only.
pub fn without_store(_command: &ScheduleCommand) -> bool {
    true
}

pub async fn run_files(command: &ScheduleCommand) -> anyhow::Result<()> {
    match command {
        ScheduleCommand::Plan(args) => plan(args).await,
        ScheduleCommand::Synth(args) => synth(args),
    }
}

pub async fn run(_cx: &Context, command: &ScheduleCommand) -> anyhow::Result<()> {
    run_files(command).await
}

/// A whole file as text, named as the user typed it.
pub fn read_text(path: &Path) -> anyhow::Result<NamedText> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(NamedText {
        name: path.display().to_string(),
        text,
    })
}

async fn plan(args: &SchedulePlanArgs) -> anyhow::Result<()> {
    let optional = |p: &Option<std::path::PathBuf>| p.as_deref().map(read_text).transpose();
    let input = ScheduleFiles {
        officers: read_text(&args.officers)?,
        shifts: read_text(&args.shifts)?,
        people: read_text(&args.people)?,
        interpreters: optional(&args.interpreters)?,
        absences: optional(&args.absences)?,
        previous: optional(&args.previous)?,
    };
    let options = ScheduleOptions {
        interview_minutes: args.interview_minutes,
        ..ScheduleOptions::default()
    };
    let planned = files::plan_schedule_files(input, options).await?;
    let s = &planned.schedule;
    if let Some(out) = &args.out {
        std::fs::write(out, hemi_allocation::schedule_files::write_schedule(s))
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!(
            "{} appointments written to {}",
            s.appointments.len(),
            out.display()
        );
    }
    let mut table = Table::new(&["priority", "people", "scheduled", "mean_wait_days"]);
    for p in &s.by_priority {
        table.push(vec![
            Cell::Int(p.priority.into()),
            (p.people as u64).into(),
            (p.scheduled as u64).into(),
            rounded(Some(p.mean_wait_days), 2),
        ]);
    }
    print_table(&table, args.output.format)?;
    eprintln!(
        "scheduled {} of {} people; utilisation {:.1} % of shift time; mean wait {:.2} days; {} through an interpreter{}",
        s.appointments.len(),
        s.appointments.len() + s.unscheduled.len(),
        100.0 * s.utilisation,
        s.mean_wait_days,
        s.interpreter_interviews,
        if planned.replanned {
            format!("; {} appointments changed from the previous schedule", s.changed_from_previous)
        } else {
            String::new()
        }
    );
    Ok(())
}

fn synth(args: &ScheduleSynthArgs) -> anyhow::Result<()> {
    let monday = hemi_allocation::Date::parse(&args.monday).ok_or_else(|| {
        AppError::invalid(
            "monday",
            format!("{:?} is not a date", args.monday),
            "write YYYY-MM-DD",
        )
    })?;
    let written = files::synth_schedule_files(args.officers, args.people, monday, args.seed)?;
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    for (name, text) in &written {
        let path = args.out_dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "wrote {} officers, {} people to {}/{{officers,shifts,people,interpreters}}.csv",
        args.officers,
        args.people,
        args.out_dir.display()
    );
    Ok(())
}
