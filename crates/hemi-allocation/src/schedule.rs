//! Screening-interview scheduling (issue 15, deliverable 3): asylum officers' shifts,
//! languages and locations; people to interview with a language, a priority and an
//! earliest day; a schedule that fills officers' time, matches languages (interpreters
//! as a costed fallback), puts higher priority earlier and, when re-planned after an
//! absence, changes as few appointments as possible.
//!
//! Model: a minimum-cost flow (people → officer shifts → sink). People with the same
//! location, language, priority, earliest day and previous appointment are identical, so
//! they form one supply node (a week of 2,000 people is a few hundred classes). Costs:
//! - waiting: `(priority + 1) × days after the earliest day × wait_cost_per_day`, so a
//!   higher priority is worth an earlier day;
//! - an interpreter: `interpreter_cost` per interview through a (day, location, language)
//!   pool with a number of sessions; direct language matches need none;
//! - a change: `change_cost` when a re-plan moves someone off their previous officer
//!   and day (so the re-plan keeps every appointment it can);
//! - not scheduled: `(priority + 1) × (horizon + 2) × wait_cost_per_day × 10`, more than
//!   any wait, so the flow schedules as many as capacity allows.
//!
//! Within a shift, people are given times in priority order (a re-planned person keeps
//! the same time when it is free).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::mcmf::MinCostFlow;
use crate::AllocationError;

/// An asylum officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Identifier.
    pub officer_id: String,
    /// Languages the officer interviews in (ISO 639-1/3 codes as the caller uses them).
    pub languages: Vec<String>,
}

/// One shift of an officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// The officer.
    pub officer_id: String,
    /// Day.
    pub day: Date,
    /// Start, minutes after midnight.
    pub start_minute: u32,
    /// End, minutes after midnight.
    pub end_minute: u32,
    /// Location (port or office).
    pub location: String,
}

/// A person to interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interviewee {
    /// Identifier.
    pub person_id: String,
    /// Language of the interview.
    pub language: String,
    /// Priority, higher is more urgent (0–9).
    pub priority: u8,
    /// First day the person can be interviewed.
    pub earliest: Date,
    /// Where the person is.
    pub location: String,
}

/// Interpreter sessions available for a language at a location on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterPool {
    /// Day.
    pub day: Date,
    /// Location.
    pub location: String,
    /// Language interpreted (to the officers' languages).
    pub language: String,
    /// Interviews the interpreters can cover that day.
    pub sessions: u32,
}

/// Costs and interview length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleOptions {
    /// Length of one interview in minutes.
    pub interview_minutes: u32,
    /// Cost per day of waiting per priority step.
    pub wait_cost_per_day: i64,
    /// Cost of an interview through an interpreter.
    pub interpreter_cost: i64,
    /// Cost of moving a person off their previous officer and day in a re-plan.
    pub change_cost: i64,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        ScheduleOptions {
            interview_minutes: 60,
            wait_cost_per_day: 10,
            interpreter_cost: 15,
            change_cost: 200,
        }
    }
}

/// One interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The person.
    pub person_id: String,
    /// The officer.
    pub officer_id: String,
    /// Day.
    pub day: Date,
    /// Start, minutes after midnight.
    pub start_minute: u32,
    /// Location.
    pub location: String,
    /// Through an interpreter.
    pub interpreter: bool,
}

/// Waiting by priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityWait {
    /// Priority.
    pub priority: u8,
    /// People with that priority.
    pub people: usize,
    /// Of them scheduled.
    pub scheduled: usize,
    /// Mean days from earliest day to interview, over those scheduled.
    pub mean_wait_days: f64,
}

/// A schedule and how good it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Interviews, by day, officer and time.
    pub appointments: Vec<Appointment>,
    /// People not scheduled (capacity, language or location did not allow).
    pub unscheduled: Vec<String>,
    /// Interview minutes over shift minutes.
    pub utilisation: f64,
    /// Mean days from earliest day to interview.
    pub mean_wait_days: f64,
    /// Waiting by priority, highest first.
    pub by_priority: Vec<PriorityWait>,
    /// Interviews through an interpreter.
    pub interpreter_interviews: usize,
    /// Appointments changed relative to the previous schedule (re-plans only): moved to
    /// another officer, day or time, or dropped.
    pub changed_from_previous: usize,
    /// Total cost of the flow (for comparisons between runs).
    pub cost: i64,
}

/// Input of one scheduling run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleInput {
    /// Officers.
    pub officers: Vec<Officer>,
    /// Shifts (absences are shifts removed by the caller or listed in `absences`).
    pub shifts: Vec<Shift>,
    /// People to interview.
    pub people: Vec<Interviewee>,
    /// Interpreter sessions.
    pub interpreters: Vec<InterpreterPool>,
    /// Officer-days off (an officer absent on a day loses that day's shifts).
    pub absences: Vec<(String, Date)>,
}

/// People with equal location, language, priority, earliest day and previous
/// (officer, day) are interchangeable.
type ClassKey<'a> = (&'a str, &'a str, u8, Date, Option<(&'a str, Date)>);

/// Plan (or re-plan, given `previous`) the interviews.
pub fn schedule(
    input: &ScheduleInput,
    options: &ScheduleOptions,
    previous: Option<&Schedule>,
) -> Result<Schedule, AllocationError> {
    if options.interview_minutes == 0 {
        return Err(AllocationError::Parameter {
            field: "interview_minutes".into(),
            value: "0".into(),
            message: "an interview lasts at least a minute".into(),
        });
    }
    let officer_languages: BTreeMap<&str, &Vec<String>> = input
        .officers
        .iter()
        .map(|o| (o.officer_id.as_str(), &o.languages))
        .collect();
    for s in &input.shifts {
        if !officer_languages.contains_key(s.officer_id.as_str()) {
            return Err(AllocationError::Parameter {
                field: "shift.officer_id".into(),
                value: s.officer_id.clone(),
                message: "unknown officer".into(),
            });
        }
        if s.end_minute <= s.start_minute || s.end_minute > 24 * 60 {
            return Err(AllocationError::Parameter {
                field: "shift".into(),
                value: format!(
                    "{} {} {}-{}",
                    s.officer_id, s.day, s.start_minute, s.end_minute
                ),
                message: "a shift ends after it starts, within the day".into(),
            });
        }
    }
    let shifts: Vec<&Shift> = input
        .shifts
        .iter()
        .filter(|s| {
            !input
                .absences
                .iter()
                .any(|(o, d)| *o == s.officer_id && *d == s.day)
        })
        .collect();
    let slots: Vec<i64> = shifts
        .iter()
        .map(|s| ((s.end_minute - s.start_minute) / options.interview_minutes) as i64)
        .collect();
    let first_day = shifts.iter().map(|s| s.day).min();
    let last_day = shifts.iter().map(|s| s.day).max();
    let horizon = match (first_day, last_day) {
        (Some(a), Some(b)) => b.days_since(a).max(0) as i64,
        _ => 0,
    };
    let prev: BTreeMap<&str, &Appointment> = previous
        .map(|p| {
            p.appointments
                .iter()
                .map(|a| (a.person_id.as_str(), a))
                .collect()
        })
        .unwrap_or_default();
    // Classes of identical people.
    let mut classes: BTreeMap<ClassKey, Vec<usize>> = BTreeMap::new();
    for (i, p) in input.people.iter().enumerate() {
        let before = prev
            .get(p.person_id.as_str())
            .map(|a| (a.officer_id.as_str(), a.day));
        classes
            .entry((
                p.location.as_str(),
                p.language.as_str(),
                p.priority,
                p.earliest,
                before,
            ))
            .or_default()
            .push(i);
    }
    let class_list: Vec<_> = classes.into_iter().collect();
    // Nodes: source, sink, classes, shifts, interpreter pools (in and out).
    let source = 0;
    let sink = 1;
    let class_base = 2;
    let shift_base = class_base + class_list.len();
    let pool_base = shift_base + shifts.len();
    let mut graph = MinCostFlow::new(pool_base + 2 * input.interpreters.len());
    let wait_cost =
        |priority: u8, days: i64| (priority as i64 + 1) * days * options.wait_cost_per_day;
    let mut direct_arcs: Vec<(usize, usize, usize)> = Vec::new(); // (class, shift, edge)
    let mut pool_arcs: Vec<(usize, usize, usize)> = Vec::new(); // (class, pool, edge)
    let mut pool_shift_arcs: Vec<(usize, usize, usize)> = Vec::new(); // (pool, shift, edge)
    for (c, ((location, language, priority, earliest, before), members)) in
        class_list.iter().enumerate()
    {
        let node = class_base + c;
        graph.add_edge(source, node, members.len() as i64, 0);
        graph.add_edge(
            node,
            sink,
            members.len() as i64,
            (*priority as i64 + 1) * (horizon + 2) * options.wait_cost_per_day * 10
                + options.change_cost,
        );
        let change = |officer: &str, day: Date| match before {
            Some((o, d)) if *o == officer && *d == day => 0,
            Some(_) => options.change_cost,
            None => 0,
        };
        for (k, s) in shifts.iter().enumerate() {
            if s.location != *location || s.day < *earliest || slots[k] == 0 {
                continue;
            }
            if officer_languages[s.officer_id.as_str()]
                .iter()
                .any(|l| l == language)
            {
                let e = graph.add_edge(
                    node,
                    shift_base + k,
                    members.len() as i64,
                    wait_cost(*priority, s.day.days_since(*earliest) as i64)
                        + change(&s.officer_id, s.day),
                );
                direct_arcs.push((c, k, e));
            }
        }
        for (q, pool) in input.interpreters.iter().enumerate() {
            if pool.location != *location || pool.language != *language || pool.day < *earliest {
                continue;
            }
            let moved = match before {
                Some((_, d)) if *d == pool.day => 0,
                Some(_) => options.change_cost,
                None => 0,
            };
            let e = graph.add_edge(
                node,
                pool_base + 2 * q,
                members.len() as i64,
                wait_cost(*priority, pool.day.days_since(*earliest) as i64)
                    + options.interpreter_cost
                    + moved,
            );
            pool_arcs.push((c, q, e));
        }
    }
    for (q, pool) in input.interpreters.iter().enumerate() {
        graph.add_edge(
            pool_base + 2 * q,
            pool_base + 2 * q + 1,
            pool.sessions as i64,
            0,
        );
        for (k, s) in shifts.iter().enumerate() {
            if s.day == pool.day && s.location == pool.location && slots[k] > 0 {
                let e = graph.add_edge(
                    pool_base + 2 * q + 1,
                    shift_base + k,
                    pool.sessions as i64,
                    0,
                );
                pool_shift_arcs.push((q, k, e));
            }
        }
    }
    for (k, &n) in slots.iter().enumerate() {
        graph.add_edge(shift_base + k, sink, n, 0);
    }
    let (_, cost) = graph.run(source, sink, input.people.len() as i64);
    // Turn class flows into people per shift: direct ones first, then interpreter flows
    // split over the shifts the pool fed (first come first served over the pool's arcs).
    let mut remaining: Vec<Vec<usize>> = class_list.iter().map(|(_, m)| m.clone()).collect();
    for r in &mut remaining {
        // Within a class take people in id order so the result is deterministic.
        r.sort_by(|a, b| input.people[*b].person_id.cmp(&input.people[*a].person_id));
    }
    let mut in_shift: Vec<Vec<(usize, bool)>> = vec![Vec::new(); shifts.len()];
    for &(c, k, e) in &direct_arcs {
        for _ in 0..graph.flow(e) {
            if let Some(i) = remaining[c].pop() {
                in_shift[k].push((i, false));
            }
        }
    }
    let mut pool_out: Vec<Vec<(usize, i64)>> = vec![Vec::new(); input.interpreters.len()];
    for &(q, k, e) in &pool_shift_arcs {
        if graph.flow(e) > 0 {
            pool_out[q].push((k, graph.flow(e)));
        }
    }
    for &(c, q, e) in &pool_arcs {
        let mut f = graph.flow(e);
        while f > 0 {
            let Some(slot) = pool_out[q].iter_mut().find(|s| s.1 > 0) else {
                break;
            };
            slot.1 -= 1;
            f -= 1;
            if let Some(i) = remaining[c].pop() {
                in_shift[slot.0].push((i, true));
            }
        }
    }
    let unscheduled: Vec<String> = remaining
        .iter()
        .flatten()
        .map(|&i| input.people[i].person_id.clone())
        .collect();
    // Times within each shift: keep a re-planned person's time when free, then the rest
    // by priority (highest first), earliest day, id.
    let mut appointments = Vec::new();
    for (k, people) in in_shift.iter_mut().enumerate() {
        let s = shifts[k];
        let n = slots[k] as usize;
        let mut taken = vec![None; n];
        people.sort_by(|a, b| {
            let (pa, pb) = (&input.people[a.0], &input.people[b.0]);
            pb.priority
                .cmp(&pa.priority)
                .then(pa.earliest.cmp(&pb.earliest))
                .then(pa.person_id.cmp(&pb.person_id))
        });
        let mut rest = Vec::new();
        for &(i, interp) in people.iter() {
            let kept = prev.get(input.people[i].person_id.as_str()).and_then(|a| {
                (a.officer_id == s.officer_id && a.day == s.day && a.start_minute >= s.start_minute)
                    .then(|| {
                        ((a.start_minute - s.start_minute) / options.interview_minutes) as usize
                    })
                    .filter(|&t| {
                        t < n
                            && (a.start_minute - s.start_minute)
                                .is_multiple_of(options.interview_minutes)
                            && taken[t].is_none()
                    })
            });
            match kept {
                Some(t) => taken[t] = Some((i, interp)),
                None => rest.push((i, interp)),
            }
        }
        let mut free = (0..n)
            .filter(|&t| taken[t].is_none())
            .collect::<Vec<_>>()
            .into_iter();
        for (i, interp) in rest {
            if let Some(t) = free.next() {
                taken[t] = Some((i, interp));
            }
        }
        for (t, who) in taken.into_iter().enumerate() {
            if let Some((i, interp)) = who {
                appointments.push(Appointment {
                    person_id: input.people[i].person_id.clone(),
                    officer_id: s.officer_id.clone(),
                    day: s.day,
                    start_minute: s.start_minute + t as u32 * options.interview_minutes,
                    location: s.location.clone(),
                    interpreter: interp,
                });
            }
        }
    }
    appointments.sort_by(|a, b| {
        (a.day, &a.officer_id, a.start_minute).cmp(&(b.day, &b.officer_id, b.start_minute))
    });
    let shift_minutes: u64 = shifts
        .iter()
        .map(|s| (s.end_minute - s.start_minute) as u64)
        .sum();
    let person_index: BTreeMap<&str, usize> = input
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.person_id.as_str(), i))
        .collect();
    let mut waits: BTreeMap<u8, (usize, usize, i64)> = BTreeMap::new();
    for p in &input.people {
        waits.entry(p.priority).or_default().0 += 1;
    }
    let mut total_wait = 0i64;
    for a in &appointments {
        let p = &input.people[person_index[a.person_id.as_str()]];
        let w = a.day.days_since(p.earliest) as i64;
        total_wait += w;
        let e = waits.entry(p.priority).or_default();
        e.1 += 1;
        e.2 += w;
    }
    let changed_from_previous = previous
        .map(|p| {
            let now: BTreeMap<&str, &Appointment> = appointments
                .iter()
                .map(|a| (a.person_id.as_str(), a))
                .collect();
            p.appointments
                .iter()
                .filter(|a| {
                    now.get(a.person_id.as_str()).is_none_or(|b| {
                        b.officer_id != a.officer_id
                            || b.day != a.day
                            || b.start_minute != a.start_minute
                    })
                })
                .count()
        })
        .unwrap_or(0);
    Ok(Schedule {
        utilisation: (appointments.len() as u64 * options.interview_minutes as u64) as f64
            / shift_minutes.max(1) as f64,
        mean_wait_days: total_wait as f64 / appointments.len().max(1) as f64,
        by_priority: waits
            .into_iter()
            .rev()
            .map(|(priority, (people, scheduled, w))| PriorityWait {
                priority,
                people,
                scheduled,
                mean_wait_days: w as f64 / scheduled.max(1) as f64,
            })
            .collect(),
        interpreter_interviews: appointments.iter().filter(|a| a.interpreter).count(),
        changed_from_previous,
        appointments,
        unscheduled,
        cost,
    })
}

/// A realistic week for benchmarks and tests: `officers` officers at 3 locations, shifts
/// Monday–Friday 08:00–16:00 (an hour's break is not modelled), languages from the
/// caseload (Spanish for most, also English, French and Haitian Creole, Portuguese),
/// `people` interviewees arriving over the week with priorities 0–2, and interpreter
/// sessions for Haitian Creole and Portuguese.
pub fn synth_week(officers: usize, people: usize, monday: Date, seed: u64) -> ScheduleInput {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let locations = ["SYS", "ELP", "BRO"];
    let officer_list: Vec<Officer> = (0..officers)
        .map(|i| {
            let mut languages = vec!["es".to_string()];
            if rng.gen_bool(0.6) {
                languages.push("en".into());
            }
            if rng.gen_bool(0.15) {
                languages.push("fr".into());
            }
            if rng.gen_bool(0.05) {
                languages.push("ht".into());
            }
            if rng.gen_bool(0.05) {
                languages.push("pt".into());
            }
            Officer {
                officer_id: format!("O{i:03}"),
                languages,
            }
        })
        .collect();
    let mut shifts = Vec::new();
    for (i, o) in officer_list.iter().enumerate() {
        for d in 0..5 {
            shifts.push(Shift {
                officer_id: o.officer_id.clone(),
                day: monday.plus_days(d),
                start_minute: 8 * 60,
                end_minute: 16 * 60,
                location: locations[i % 3].into(),
            });
        }
    }
    let language_mix = [("es", 70), ("ht", 12), ("en", 6), ("fr", 4), ("pt", 8)];
    let total: u32 = language_mix.iter().map(|l| l.1).sum();
    let people_list = (0..people)
        .map(|i| {
            let mut u = rng.gen_range(0..total);
            let mut language = "es";
            for (l, w) in language_mix {
                if u < w {
                    language = l;
                    break;
                }
                u -= w;
            }
            Interviewee {
                person_id: format!("P{i:05}"),
                language: language.into(),
                priority: [0u8, 0, 0, 1, 1, 2][rng.gen_range(0..6)],
                earliest: monday.plus_days(rng.gen_range(0..5)),
                location: locations[rng.gen_range(0..3)].into(),
            }
        })
        .collect();
    let mut interpreters = Vec::new();
    for d in 0..5 {
        for l in locations {
            interpreters.push(InterpreterPool {
                day: monday.plus_days(d),
                location: l.into(),
                language: "ht".into(),
                sessions: 16,
            });
            interpreters.push(InterpreterPool {
                day: monday.plus_days(d),
                location: l.into(),
                language: "pt".into(),
                sessions: 8,
            });
        }
    }
    ScheduleInput {
        officers: officer_list,
        shifts,
        people: people_list,
        interpreters,
        absences: Vec::new(),
    }
}
