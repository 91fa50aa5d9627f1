//! Workflows over files only: solve a placement instance given as three CSV files, make
//! a synthetic one, plan a week of screening interviews, simulate the fairness month.
//! Nothing is stored (no `App` needed), so plans can be compared with other tools' and
//! the CLI runs them without opening a database.

use std::io::Read;
use std::sync::Arc;

use hemi_allocation::fairness::{simulate, FairnessReport, SimulationOptions};
use hemi_allocation::placement::{self, Instance, SolveOptions, SolveReport, SynthOptions};
use hemi_allocation::schedule::{schedule, Schedule, ScheduleInput, ScheduleOptions};
use hemi_allocation::schedule_files;

use super::{allocation_error, blocking, PlacementFileNames};
use crate::progress::Progress;
use crate::{AppError, Problems, Result};

/// One input file: its name (as shown in problems) and its bytes.
pub struct NamedReader {
    /// File name.
    pub name: String,
    /// Its content.
    pub reader: Box<dyn Read + Send>,
}

/// The three files of a placement instance.
pub struct PlacementFiles {
    /// `household_id,size[,tie_site][,tie_household][,tie]`.
    pub households: NamedReader,
    /// `site_id,capacity_people`.
    pub sites: NamedReader,
    /// `household_id,site_id,score`.
    pub arcs: NamedReader,
}

/// A solved instance: the instance (for writing the plan) and what the solver proved.
pub struct SolvedPlacement {
    /// The instance as read.
    pub instance: Instance,
    /// Plan, objective, bound and gap.
    pub report: SolveReport,
}

/// One input file given as text.
#[derive(Debug, Clone)]
pub struct NamedText {
    /// File name.
    pub name: String,
    /// Content.
    pub text: String,
}

/// The files of a scheduling run.
#[derive(Debug, Clone)]
pub struct ScheduleFiles {
    /// `officer_id,languages`.
    pub officers: NamedText,
    /// `officer_id,day,start,end,location`.
    pub shifts: NamedText,
    /// `person_id,language,priority,earliest,location`.
    pub people: NamedText,
    /// `day,location,language,sessions`, if interpreters are booked.
    pub interpreters: Option<NamedText>,
    /// `officer_id,day`: officers away, for a re-plan.
    pub absences: Option<NamedText>,
    /// The schedule people were told, for a re-plan that changes as little as possible.
    pub previous: Option<NamedText>,
}

/// A scheduling run's outcome.
#[derive(Debug, Clone)]
pub struct PlannedSchedule {
    /// The schedule.
    pub schedule: Schedule,
    /// True when it re-plans a previous schedule.
    pub replanned: bool,
}

/// Report the domain's `(done, total)` callbacks as increments.
fn stage_progress(progress: Arc<dyn Progress>) -> impl Fn(u64, u64) {
    let last = std::sync::atomic::AtomicU64::new(0);
    move |done, total| {
        progress.set_total(total);
        let before = last.swap(done, std::sync::atomic::Ordering::Relaxed);
        progress.advance(done.saturating_sub(before));
    }
}

fn check_range(field: &str, value: f64, min: f64, max: f64, hint: &str) -> Result<()> {
    if !(min..=max).contains(&value) {
        return Err(AppError::invalid(
            field,
            format!("{value} is outside {min}..={max}"),
            hint,
        ));
    }
    Ok(())
}

fn parsed<T>(result: std::result::Result<T, hemi_core::Diagnostics>) -> Result<T> {
    result.map_err(|d| AppError::Invalid(Problems::from_diagnostics(&d)))
}

/// Solve a placement instance read from three files. Bad rows, an arc to an unknown
/// site or a negative capacity are refused with file, line and field; more people
/// than places is refused unless `options.allow_partial`.
pub async fn solve_placement_files(
    files: PlacementFiles,
    options: SolveOptions,
    progress: Arc<dyn Progress>,
) -> Result<SolvedPlacement> {
    let names = PlacementFileNames {
        households: files.households.name.clone(),
        sites: files.sites.name.clone(),
        arcs: files.arcs.name.clone(),
    };
    blocking("placement", move || {
        progress.message("reading the instance");
        let instance = placement::read_instance(
            (files.households.reader, &names.households),
            (files.sites.reader, &names.sites),
            (files.arcs.reader, &names.arcs),
        )
        .map_err(|e| allocation_error(e, &names))?;
        progress.message("solving");
        let report = placement::solve(&instance, &options, &stage_progress(progress))
            .map_err(|e| allocation_error(e, &names))?;
        Ok(SolvedPlacement { instance, report })
    })
    .await
}

/// A synthetic placement instance (the generator of `hemi placement synth`).
pub async fn synth_placement(options: SynthOptions) -> Result<Instance> {
    check_range(
        "households",
        options.households as f64,
        1.0,
        2_000_000.0,
        "give 1 to 2,000,000 households",
    )?;
    check_range(
        "sites",
        options.sites as f64,
        1.0,
        100_000.0,
        "give 1 to 100,000 sites",
    )?;
    if let Some(k) = options.arcs_per_household {
        check_range(
            "arcs_per_household",
            k as f64,
            1.0,
            options.sites as f64,
            "at least 1 and at most the number of sites",
        )?;
    }
    check_range(
        "capacity_slack",
        options.capacity_slack,
        -0.9,
        10.0,
        "e.g. 0.1 for 10% more places than people",
    )?;
    check_range(
        "size_shift",
        options.size_shift,
        0.0,
        1.0,
        "0 for the usual sizes, 1 for large families",
    )?;
    blocking("placement synth", move || Ok(placement::synth(&options))).await
}

/// The fairness month: the same simulated caseload drawn under each policy.
pub async fn fairness_report(
    options: SimulationOptions,
    progress: Arc<dyn Progress>,
) -> Result<FairnessReport> {
    check_range("days", options.days as f64, 1.0, 366.0, "1 to 366 days")?;
    check_range(
        "initial_pool",
        options.initial_pool_households as f64,
        0.0,
        1_000_000.0,
        "0 to 1,000,000 households",
    )?;
    check_range(
        "arrivals_per_day",
        options.arrivals_per_day,
        0.0,
        200_000.0,
        "0 to 200,000",
    )?;
    check_range(
        "places_per_day",
        options.places_per_day_people as f64,
        1.0,
        100_000.0,
        "1 to 100,000 people",
    )?;
    check_range(
        "abandonment_per_day",
        options.abandonment_per_day,
        0.0,
        1.0,
        "a daily probability, e.g. 0.0167",
    )?;
    blocking("fairness simulation", move || {
        progress.message("simulating the month");
        Ok(simulate(&options, &stage_progress(progress)))
    })
    .await
}

/// Plan (or re-plan, given absences and the previous schedule) a week of screening
/// interviews from files.
pub async fn plan_schedule_files(
    files: ScheduleFiles,
    options: ScheduleOptions,
) -> Result<PlannedSchedule> {
    blocking("schedule", move || {
        let officers = schedule_files::parse_officers(&files.officers.text, &files.officers.name);
        let shifts = schedule_files::parse_shifts(&files.shifts.text, &files.shifts.name);
        let people = schedule_files::parse_people(&files.people.text, &files.people.name);
        let mut problems = Problems::default();
        let mut keep = |d: &hemi_core::Diagnostics| problems.extend(Problems::from_diagnostics(d));
        if let Err(d) = &officers {
            keep(d);
        }
        if let Err(d) = &shifts {
            keep(d);
        }
        if let Err(d) = &people {
            keep(d);
        }
        let interpreters = match &files.interpreters {
            Some(f) => parsed(schedule_files::parse_interpreters(&f.text, &f.name))?,
            None => Vec::new(),
        };
        let absences = match &files.absences {
            Some(f) => parsed(schedule_files::parse_absences(&f.text, &f.name))?,
            None => Vec::new(),
        };
        let previous = match &files.previous {
            Some(f) => Some(parsed(schedule_files::parse_schedule(&f.text, &f.name))?),
            None => None,
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let input = ScheduleInput {
            officers: officers.unwrap_or_default(),
            shifts: shifts.unwrap_or_default(),
            people: people.unwrap_or_default(),
            interpreters,
            absences,
        };
        check_officers(&input, &files)?;
        let plan = schedule(&input, &options, previous.as_ref())
            .map_err(|e| allocation_error(e, &PlacementFileNames::default()))?;
        Ok(PlannedSchedule {
            schedule: plan,
            replanned: previous.is_some(),
        })
    })
    .await
}

/// Shifts and absences must name officers of the officers file.
fn check_officers(input: &ScheduleInput, files: &ScheduleFiles) -> Result<()> {
    let known: Vec<&str> = input
        .officers
        .iter()
        .map(|o| o.officer_id.as_str())
        .collect();
    let unknown = |id: &str, file: &str, what: &str| -> AppError {
        AppError::Invalid(Problems::one(hemi_core::Diagnostic {
            file: file.to_owned(),
            line: 0,
            field: "officer_id".into(),
            message: format!("{what} names unknown officer \"{id}\""),
            hint: hemi_core::suggest::did_you_mean(
                id,
                &known,
                "every officer needs a row in the officers file",
            ),
        }))
    };
    if let Some(s) = input
        .shifts
        .iter()
        .find(|s| !known.contains(&s.officer_id.as_str()))
    {
        return Err(unknown(&s.officer_id, &files.shifts.name, "a shift"));
    }
    if let (Some(f), Some((id, _))) = (
        &files.absences,
        input
            .absences
            .iter()
            .find(|(id, _)| !known.contains(&id.as_str())),
    ) {
        return Err(unknown(id, &f.name, "an absence"));
    }
    Ok(())
}

/// The scheduling files of a synthetic week (`hemi schedule synth`).
pub fn synth_schedule_files(
    officers: usize,
    people: usize,
    monday: hemi_allocation::Date,
    seed: u64,
) -> Result<[(&'static str, String); 4]> {
    check_range(
        "officers",
        officers as f64,
        1.0,
        10_000.0,
        "1 to 10,000 officers",
    )?;
    check_range(
        "people",
        people as f64,
        0.0,
        1_000_000.0,
        "0 to 1,000,000 people",
    )?;
    Ok(schedule_files::write_input(
        &hemi_allocation::schedule::synth_week(officers, people, monday, seed),
    ))
}

/// The week the scheduler's page shows: a synthetic week of officers and people.
#[derive(Debug, Clone)]
pub struct DemoWeek {
    /// Monday of the week.
    pub monday: hemi_allocation::Date,
    /// The schedule (re-planned when an officer is absent).
    pub schedule: Schedule,
    /// True when re-planned for an absence.
    pub replanned: bool,
}

/// Plan the synthetic week of the scheduler's page; with `absent_officer`, re-plan it
/// with that officer away on Monday, changing as few appointments as possible.
pub async fn demo_week(absent_officer: &str) -> Result<DemoWeek> {
    let absent = absent_officer.trim().to_owned();
    blocking("schedule", move || {
        let monday = hemi_allocation::Date::from_ymd(2024, 6, 3).expect("a valid date");
        let mut input = hemi_allocation::schedule::synth_week(12, 420, monday, 7);
        let options = ScheduleOptions::default();
        let base = schedule(&input, &options, None)
            .map_err(|e| allocation_error(e, &PlacementFileNames::default()))?;
        if absent.is_empty() {
            return Ok(DemoWeek {
                monday,
                schedule: base,
                replanned: false,
            });
        }
        let known: Vec<&str> = input
            .officers
            .iter()
            .map(|o| o.officer_id.as_str())
            .collect();
        if !known.contains(&absent.as_str()) {
            return Err(AppError::not_found(
                "officer",
                absent.clone(),
                hemi_core::suggest::did_you_mean(&absent, &known, "choose an officer of the week"),
            ));
        }
        input.absences.push((absent, monday));
        let replanned = schedule(&input, &options, Some(&base))
            .map_err(|e| allocation_error(e, &PlacementFileNames::default()))?;
        Ok(DemoWeek {
            monday,
            schedule: replanned,
            replanned: true,
        })
    })
    .await
}
