//! Scheduling: languages matched, priority earlier, interpreters as fallback, a re-plan
//! after an absence keeps every appointment it can.

use hemi_allocation::schedule::{
    schedule, synth_week, InterpreterPool, Interviewee, Officer, ScheduleInput, ScheduleOptions,
    Shift,
};
use hemi_allocation::Date;

fn day(d: i32) -> Date {
    Date::parse("2024-06-03").unwrap().plus_days(d)
}

fn person(id: &str, language: &str, priority: u8, earliest: i32) -> Interviewee {
    Interviewee {
        person_id: id.into(),
        language: language.into(),
        priority,
        earliest: day(earliest),
        location: "SYS".into(),
    }
}

fn small_input() -> ScheduleInput {
    ScheduleInput {
        officers: vec![
            Officer {
                officer_id: "O1".into(),
                languages: vec!["es".into()],
            },
            Officer {
                officer_id: "O2".into(),
                languages: vec!["es".into(), "fr".into()],
            },
        ],
        shifts: (0..2)
            .flat_map(|d| {
                ["O1", "O2"].map(|o| Shift {
                    officer_id: o.into(),
                    day: day(d),
                    start_minute: 480,
                    end_minute: 600,
                    location: "SYS".into(),
                })
            })
            .collect(),
        people: vec![
            person("P1", "es", 0, 0),
            person("P2", "es", 2, 0),
            person("P3", "fr", 0, 0),
            person("P4", "es", 0, 0),
            person("P5", "es", 1, 0),
            person("P6", "ht", 0, 0),
        ],
        interpreters: vec![InterpreterPool {
            day: day(1),
            location: "SYS".into(),
            language: "ht".into(),
            sessions: 1,
        }],
        absences: vec![],
    }
}

#[test]
fn languages_priorities_and_interpreters() {
    let input = small_input();
    let options = ScheduleOptions::default();
    let s = schedule(&input, &options, None).unwrap();
    assert!(s.unscheduled.is_empty(), "{:?}", s.unscheduled);
    let of = |id: &str| {
        s.appointments
            .iter()
            .find(|a| a.person_id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(of("P3").officer_id, "O2", "French needs O2");
    assert!(
        of("P6").interpreter && of("P6").day == day(1),
        "Haitian Creole only through the interpreter on day 1"
    );
    // Four places on day 0 (2 officers × 2 hours); the highest priorities take them first.
    assert_eq!(of("P2").day, day(0));
    assert_eq!(of("P2").start_minute, 480);
    assert_eq!(of("P5").day, day(0));
    assert!((s.utilisation - 6.0 / 8.0).abs() < 1e-12);
    assert_eq!(s.by_priority[0].priority, 2);
    assert_eq!(s.by_priority[0].mean_wait_days, 0.0);
}

#[test]
fn replan_after_absence_changes_few_appointments() {
    let options = ScheduleOptions::default();
    let input = synth_week(12, 380, Date::parse("2024-06-03").unwrap(), 5);
    let before = schedule(&input, &options, None).unwrap();
    let absent = ("O004".to_string(), Date::parse("2024-06-05").unwrap());
    let affected = before
        .appointments
        .iter()
        .filter(|a| a.officer_id == absent.0 && a.day == absent.1)
        .count();
    assert!(affected > 0);
    let mut after_input = input.clone();
    after_input.absences.push(absent.clone());
    let after = schedule(&after_input, &options, Some(&before)).unwrap();
    assert!(after
        .appointments
        .iter()
        .all(|a| !(a.officer_id == absent.0 && a.day == absent.1)));
    // Without a change cost the re-plan moves many more people.
    let careless = schedule(
        &after_input,
        &ScheduleOptions {
            change_cost: 0,
            ..options.clone()
        },
        Some(&before),
    )
    .unwrap();
    assert!(after.changed_from_previous <= careless.changed_from_previous);
    assert!(
        after.changed_from_previous <= 3 * affected,
        "{} changes for {affected} affected",
        after.changed_from_previous
    );
    assert!(
        after.appointments.len() + 8 >= before.appointments.len(),
        "lost one officer-day of 8 places at most"
    );
}

#[test]
fn bad_shifts_are_refused_and_reports_serialise() {
    let mut input = small_input();
    input.shifts[0].officer_id = "O9".into();
    let err = schedule(&input, &ScheduleOptions::default(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("O9") && err.contains("unknown officer"),
        "{err}"
    );
    let mut input = small_input();
    input.shifts[0].end_minute = input.shifts[0].start_minute;
    assert!(schedule(&input, &ScheduleOptions::default(), None).is_err());
    // The web stores and sends schedules as JSON.
    let s = schedule(&small_input(), &ScheduleOptions::default(), None).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    let back: hemi_allocation::schedule::Schedule = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}
