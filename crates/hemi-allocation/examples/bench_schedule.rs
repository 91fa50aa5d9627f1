//! Scheduling benchmark: a realistic week (officers × 5 days, people arriving over the
//! week), then a re-plan after one officer's absence on Wednesday.
use hemi_allocation::schedule::{schedule, synth_week, ScheduleOptions};
use hemi_allocation::Date;
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (officers, people) = (
        args.first().copied().unwrap_or(60),
        args.get(1).copied().unwrap_or(2200),
    );
    let monday = Date::from_ymd(2024, 6, 3).unwrap();
    let input = synth_week(officers, people, monday, 1);
    let options = ScheduleOptions::default();
    let t = Instant::now();
    let s = schedule(&input, &options, None).unwrap();
    let first = t.elapsed().as_secs_f64();
    println!(
        "{officers} officers, {} shifts, {people} people: {:.3} s",
        input.shifts.len(),
        first
    );
    println!("scheduled {} unscheduled {} utilisation {:.1} % mean wait {:.2} days interpreter interviews {}", s.appointments.len(), s.unscheduled.len(), 100.0 * s.utilisation, s.mean_wait_days, s.interpreter_interviews);
    for p in &s.by_priority {
        println!(
            "  priority {}: {} people, {} scheduled, mean wait {:.2} days",
            p.priority, p.people, p.scheduled, p.mean_wait_days
        );
    }
    let mut absent = input.clone();
    absent.absences.push(("O007".into(), monday.plus_days(2)));
    let affected = s
        .appointments
        .iter()
        .filter(|a| a.officer_id == "O007" && a.day == monday.plus_days(2))
        .count();
    let t = Instant::now();
    let r = schedule(&absent, &options, Some(&s)).unwrap();
    println!("re-plan after O007 absent on Wednesday ({affected} appointments affected): {:.3} s, {} appointments changed, scheduled {}", t.elapsed().as_secs_f64(), r.changed_from_previous, r.appointments.len());
    let careless = schedule(
        &absent,
        &ScheduleOptions {
            change_cost: 0,
            ..options
        },
        Some(&s),
    )
    .unwrap();
    println!(
        "same re-plan without a change cost: {} appointments changed",
        careless.changed_from_previous
    );
}
