//! Safe Mobility cases: one active referral per person and program, outcomes in order,
//! queues with waiting times, duplicates.

use hemi_pathways::cases::{
    check_new_referral, find_duplicates, fold_name, queue, record_outcome, Application, Interview,
    Likeness, Member, Outcome, OutcomeKind, Referral, Stage,
};
use hemi_pathways::{Facts, PathwaysError};

use crate::support::date;

fn member(id: &str, given: &str, family: &str, dob: &str) -> Member {
    Member {
        person_id: id.into(),
        given_names: given.into(),
        family_names: family.into(),
        date_of_birth: Some(date(dob)),
        sex: "female".into(),
        nationality: "VEN".into(),
        relationship: "principal".into(),
    }
}

fn application(id: &str, received: &str, members: Vec<Member>) -> Application {
    Application {
        application_id: id.into(),
        office: "SMO-COL-BOG".into(),
        received_on: date(received),
        members,
        withdrawn_on: None,
    }
}

fn referral(id: &str, app: &str, person: &str, program: &str, on: &str) -> Referral {
    Referral {
        referral_id: id.into(),
        application_id: app.into(),
        person_id: person.into(),
        program: program.into(),
        referred_on: date(on),
        outcomes: vec![],
    }
}

fn outcome(kind: OutcomeKind, on: &str) -> Outcome {
    Outcome {
        kind,
        on: date(on),
        reason: "stated".into(),
    }
}

#[test]
fn one_active_referral_per_person_and_program() {
    let mut r = referral(
        "R1",
        "A1",
        "P1",
        "us-usrap-latin-america-caribbean",
        "2024-01-10",
    );
    assert!(check_new_referral(&[r.clone()], "P1", "ca-urgent-protection").is_ok());
    assert!(check_new_referral(&[r.clone()], "P2", "us-usrap-latin-america-caribbean").is_ok());
    match check_new_referral(&[r.clone()], "P1", "us-usrap-latin-america-caribbean") {
        Err(PathwaysError::SecondActiveReferral {
            existing_referral_id,
            ..
        }) => assert_eq!(existing_referral_id, "R1"),
        other => panic!("{other:?}"),
    }
    record_outcome(&mut r, outcome(OutcomeKind::Denied, "2024-02-01")).unwrap();
    assert!(
        check_new_referral(&[r], "P1", "us-usrap-latin-america-caribbean").is_ok(),
        "a denied referral is closed"
    );
}

#[test]
fn outcomes_follow_the_lifecycle_and_move_the_place() {
    use OutcomeKind::*;
    type Case = (
        &'static [OutcomeKind],
        OutcomeKind,
        Result<Option<bool>, ()>,
    );
    let cases: &[Case] = &[
        (&[], Approved, Ok(None)),
        (&[], Denied, Ok(Some(false))),
        (&[], Withdrawn, Ok(Some(false))),
        (&[], Travelled, Err(())),
        (&[Approved], Travelled, Ok(Some(true))),
        (&[Approved], Withdrawn, Ok(Some(false))),
        (&[Approved], Approved, Err(())),
        (&[Denied], Approved, Err(())),
        (&[Approved, Travelled], Withdrawn, Err(())),
    ];
    for (history, next, want) in cases {
        let mut r = referral("R", "A", "P", "x", "2024-01-01");
        for k in *history {
            record_outcome(&mut r, outcome(*k, "2024-01-05")).unwrap();
        }
        let got = record_outcome(&mut r, outcome(*next, "2024-01-09")).map_err(|_| ());
        assert_eq!(&got, want, "{history:?} then {next:?}");
    }
    let mut r = referral("R", "A", "P", "x", "2024-01-10");
    assert!(matches!(
        record_outcome(&mut r, outcome(Approved, "2024-01-09")),
        Err(PathwaysError::DateOrder { .. })
    ));
    let mut r = referral("R", "A", "P", "x", "2024-01-10");
    let silent = Outcome {
        kind: Denied,
        on: date("2024-01-11"),
        reason: " ".into(),
    };
    assert!(
        record_outcome(&mut r, silent).is_err(),
        "a denial needs a reason"
    );
}

#[test]
fn queue_stages_and_waiting_times() {
    let apps = vec![
        application(
            "A1",
            "2024-01-01",
            vec![member("P1", "Ana", "Ruiz", "1990-01-01")],
        ),
        application(
            "A2",
            "2024-01-20",
            vec![member("P2", "Rosa", "Lima", "1985-05-05")],
        ),
        application(
            "A3",
            "2024-02-01",
            vec![member("P3", "Luz", "Mar", "1999-09-09")],
        ),
        application(
            "A4",
            "2024-02-10",
            vec![member("P4", "Ines", "Sol", "2000-02-02")],
        ),
        application(
            "A5",
            "2024-03-10",
            vec![member("P5", "Sara", "Paz", "2001-03-03")],
        ),
    ];
    let interviews = vec![
        Interview {
            application_id: "A2".into(),
            person_id: "P2".into(),
            held_on: date("2024-02-01"),
            interviewer: "cw1".into(),
            facts: Facts::new(),
            notes: String::new(),
        },
        Interview {
            application_id: "A3".into(),
            person_id: "P3".into(),
            held_on: date("2024-02-05"),
            interviewer: "cw1".into(),
            facts: Facts::new(),
            notes: String::new(),
        },
    ];
    let mut approved = referral("R4", "A4", "P4", "x", "2024-02-15");
    record_outcome(&mut approved, outcome(OutcomeKind::Approved, "2024-02-20")).unwrap();
    let referrals = vec![referral("R3", "A3", "P3", "x", "2024-02-10"), approved];
    let view = queue(
        "SMO-COL-BOG",
        &apps,
        &interviews,
        &referrals,
        date("2024-03-01"),
    );
    let stages: Vec<(&str, Stage, i64, i64)> = view
        .rows
        .iter()
        .map(|r| {
            (
                r.application_id.as_str(),
                r.stage,
                r.waiting_days,
                r.days_in_stage,
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("A1", Stage::AwaitingScreening, 60, 60),
            ("A2", Stage::AwaitingReferral, 41, 29),
            ("A3", Stage::AwaitingDecision, 29, 20),
            ("A4", Stage::AwaitingTravel, 20, 10),
        ],
        "A5 arrives after as_of"
    );
    assert_eq!(view.by_stage[&Stage::AwaitingScreening], (1, 60, 60));
    assert!(queue(
        "SMO-CRI-SJO",
        &apps,
        &interviews,
        &referrals,
        date("2024-03-01")
    )
    .rows
    .is_empty());
}

#[test]
fn duplicates_exact_and_fuzzy() {
    let apps = vec![
        application(
            "A1",
            "2024-01-01",
            vec![member("P1", "María José", "Pérez Gómez", "1990-03-04")],
        ),
        application(
            "A2",
            "2024-02-01",
            vec![member("P2", "MARIA JOSE", "PEREZ GOMEZ", "1990-03-04")],
        ),
        application(
            "A3",
            "2024-02-02",
            vec![member("P3", "Maria Jose", "Perez Gomes", "1990-04-03")],
        ),
        application(
            "A4",
            "2024-02-03",
            vec![member("P4", "Rosa", "Lima", "1990-03-04")],
        ),
        application(
            "A5",
            "2024-02-03",
            vec![Member {
                date_of_birth: None,
                ..member("P5", "Maria Jose", "Perez Gomez", "1990-03-04")
            }],
        ),
    ];
    assert_eq!(
        fold_name("María José", "Pérez"),
        fold_name("perez", "MARIA JOSE")
    );
    let flags = find_duplicates(&apps, 0.92);
    let pairs: Vec<(&str, &str, bool)> = flags
        .iter()
        .map(|f| {
            (
                f.first.1.as_str(),
                f.second.1.as_str(),
                f.likeness == Likeness::Exact,
            )
        })
        .collect();
    assert!(pairs.contains(&("P1", "P2", true)), "{pairs:?}");
    assert!(
        pairs.iter().any(|p| p.0 == "P1" && p.1 == "P3" && !p.2),
        "swapped day and month, one letter off: {pairs:?}"
    );
    assert!(
        !pairs.iter().any(|p| p.0 == "P4" || p.1 == "P4"),
        "different name, same birthday: {pairs:?}"
    );
    assert!(
        !pairs.iter().any(|p| p.1 == "P5"),
        "no date of birth, not compared"
    );
}
