//! Legal pathways on both backends: a Safe Mobility Office case from intake to travel,
//! the caps ledger under 50 simultaneous referrals for the last 5 places, one active
//! referral per person and program, duplicates flagged, office scope, commitment
//! progress from the ledger, and every decision in the audit log.
//!
//! The program `test-last-places` and every person here are test data.

use hemi_app::pathways::cases::{NewApplication, NewMember};
use hemi_app::{Actor, App, AppError, Config, ConfigDirs};
use hemi_core::Role;
use hemi_pathways::cases::OutcomeKind;
use hemi_pathways::{Date, FactValue, Facts, Verdict};
use hemi_store::{AuditFilter, Store};
use hemi_testing::{store_test, TestDb};

use super::app;

const HEAD: &str = r#"
version = 1
effective_from = "2024-01-01"

[[fact]]
name = "nationality"
kind = "text"
description = "ISO3"

[[fact]]
name = "age_years"
kind = "int"
description = "Completed years"

[[fact]]
name = "sex"
kind = "text"
description = "female or male"

[[fact]]
name = "documents"
kind = "list"
description = "Documents held"
"#;

const PROGRAM: &str = r#"
key = "test-last-places"
name = "Test pathway with a small cap"
operating_state = "USA"
kind = "humanitarian"
summary = "Test data."
eligible_nationalities = ["HTI", "VEN"]
legal_basis = [{ citation = "test", confirmed = false }]
places_of_application = [{ country = "*", how = "online" }]
serves = { commitment = { owner = "USA", title = "Test commitment" } }

[[caps]]
key = "test-last-places-total"
period = "total"
places = 5
unit = "people"
source = { citation = "test", confirmed = false }

[[steps]]
name = "Decision"
typical_days = 30
source = { citation = "estimate", confirmed = false }

[[rules]]
key = "nationality"
expression = 'nationality in ["HTI", "VEN"]'
pass = "Nationality is Haitian or Venezuelan"
fail = "Nationality must be Haitian or Venezuelan"
source = "test"

[[rules]]
key = "adult"
expression = 'age_years >= 18'
pass = "Is an adult"
fail = "Must be 18 or older"
source = "test"

[[rules]]
key = "passport"
expression = '"passport" in documents'
pass = "Holds a passport"
fail = "Needs a valid passport"
source = "test"
"#;

/// An application over a fresh database with the small test catalogue.
async fn small_cap_app(db: &TestDb) -> App {
    let dir = db.dir.path().join("catalogue");
    std::fs::create_dir_all(dir.join("programs")).unwrap();
    std::fs::write(dir.join("catalogue.toml"), HEAD).unwrap();
    std::fs::write(dir.join("programs/test-last-places.toml"), PROGRAM).unwrap();
    let config = Config::load(&ConfigDirs {
        pathways: Some(dir),
        ..ConfigDirs::default()
    })
    .unwrap();
    App::new(Store::open(&db.url).await.unwrap(), config)
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn operator() -> Actor {
    Actor::cli("tester", None).at(1_718_000_000)
}

fn officer(office: &str) -> Actor {
    Actor::web(
        7,
        "olga",
        Role::PathwaysOfficer,
        None,
        Some(office.into()),
        "127.0.0.1",
    )
}

fn person(given: &str, family: &str, dob: &str, nationality: &str, age: i64) -> NewMember {
    NewMember {
        person_id: None,
        given_names: given.into(),
        family_names: family.into(),
        date_of_birth: Some(date(dob)),
        relationship: String::new(),
        facts: Facts::new()
            .with("nationality", FactValue::Text(nationality.into()))
            .with("age_years", FactValue::Int(age))
            .with("sex", FactValue::Text("female".into())),
    }
}

fn household(id: &str, office: &str, members: Vec<NewMember>) -> NewApplication {
    NewApplication {
        application_id: Some(id.into()),
        office: office.into(),
        received_on: date("2024-06-01"),
        members,
    }
}

fn passport() -> Facts {
    Facts::new().with("documents", FactValue::List(vec!["passport".into()]))
}

store_test!(
    pathways_case_from_intake_to_travel,
    |db: TestDb| async move {
        let app = small_cap_app(&db).await;
        let op = operator();
        let report = app
            .pathways_apply(
                &[household(
                    "A1",
                    "SMO-COL-BOG",
                    vec![
                        person("Marie", "Joseph", "1990-03-04", "HTI", 34),
                        person("Jean", "Joseph", "2015-07-08", "HTI", 8),
                    ],
                )],
                &op,
            )
            .await
            .unwrap();
        assert_eq!(report.applications, ["A1"]);
        assert_eq!(report.people, 2);

        // Before the interview the passport is unknown: needs information, and no referral.
        let case = app
            .pathways_case("A1", date("2024-06-02"), &op)
            .await
            .unwrap();
        let first = &case.members[0].eligibility[0];
        assert_eq!(first.verdict, Verdict::NeedsInformation);
        let refused = app
            .pathways_refer("A1", "A1-0", "test-last-places", date("2024-06-02"), &op)
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::Refused(_)), "{refused}");
        assert!(refused.to_string().contains("documents"), "{refused}");

        // The interview establishes the passport; the child is refused with the reason.
        let eligibility = app
            .pathways_screen_case("A1", "A1-0", &passport(), date("2024-06-03"), "ok", &op)
            .await
            .unwrap();
        assert_eq!(eligibility[0].verdict, Verdict::Eligible);
        let child = app
            .pathways_screen_case("A1", "A1-1", &passport(), date("2024-06-03"), "", &op)
            .await
            .unwrap();
        assert_eq!(child[0].verdict, Verdict::NotEligible);
        assert!(child[0].reasons.iter().any(|r| r.contains("18 or older")));
        let refused = app
            .pathways_refer("A1", "A1-1", "test-last-places", date("2024-06-04"), &op)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("18 or older"), "{refused}");

        // Unknown program: not found with the closest key.
        let unknown = app
            .pathways_refer("A1", "A1-0", "test-last-place", date("2024-06-04"), &op)
            .await
            .unwrap_err();
        assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown}");
        assert!(
            unknown.to_string().contains("test-last-places"),
            "{unknown}"
        );

        let referral = app
            .pathways_refer("A1", "A1-0", "test-last-places", date("2024-06-04"), &op)
            .await
            .unwrap();
        assert_eq!(referral.state, "pending");
        // A second active referral to the same program is refused.
        let second = app
            .pathways_refer("A1", "A1-0", "test-last-places", date("2024-06-05"), &op)
            .await
            .unwrap_err();
        assert!(second.to_string().contains("active referral"), "{second}");

        let programs = app.pathways_programs(date("2024-06-05")).await.unwrap();
        let cap = &programs[0].caps[0];
        assert_eq!((cap.reserved_places, cap.remaining_places), (1, 4));

        // Approved keeps the place; travelled uses it.
        app.pathways_outcome(
            referral.id,
            OutcomeKind::Approved,
            date("2024-07-01"),
            "",
            &op,
        )
        .await
        .unwrap();
        let bad = app
            .pathways_outcome(
                referral.id,
                OutcomeKind::Denied,
                date("2024-07-02"),
                "late",
                &op,
            )
            .await
            .unwrap_err();
        assert!(matches!(bad, AppError::Refused(_)), "{bad}");
        app.pathways_outcome(
            referral.id,
            OutcomeKind::Travelled,
            date("2024-08-01"),
            "",
            &op,
        )
        .await
        .unwrap();
        let programs = app.pathways_programs(date("2024-08-02")).await.unwrap();
        let cap = &programs[0].caps[0];
        assert_eq!(
            (cap.reserved_places, cap.used_places, cap.remaining_places),
            (0, 1, 4)
        );
        let progress = app.pathways_commitment_progress().await.unwrap();
        assert_eq!(progress[0].title, "Test commitment");
        assert_eq!(
            (progress[0].used_places, progress[0].reserved_places),
            (1, 0)
        );

        // The queue shows the household closed once its only referral travelled.
        let queue = app
            .pathways_queue(None, date("2024-08-02"), &op)
            .await
            .unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].office, "SMO-COL-BOG");

        // Every decision on a person is in the audit log.
        let entries = app
            .store()
            .audit_entries(&AuditFilter {
                limit: 100,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.event.action.as_str()).collect();
        for action in [
            "pathways_apply",
            "pathways_screening",
            "pathways_referral",
            "pathways_outcome",
        ] {
            assert!(
                actions.contains(&action),
                "{action} missing from {actions:?}"
            );
        }
        assert_eq!(
            actions.iter().filter(|a| **a == "pathways_outcome").count(),
            2
        );
        assert!(app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .is_none());
    }
);

store_test!(
    pathways_cap_holds_under_concurrent_referrals,
    |db: TestDb| async move {
        let app = small_cap_app(&db).await;
        let op = operator();
        let people: Vec<NewApplication> = (0..50)
            .map(|k| {
                let mut m = person(
                    &format!("Ana{k}"),
                    &format!("Test{k}"),
                    "1980-01-01",
                    "VEN",
                    44,
                );
                m.facts
                    .set("documents", FactValue::List(vec!["passport".into()]));
                // Distinct birth dates keep the duplicate check quiet.
                m.date_of_birth = Some(date("1980-01-01").add_days(k * 400));
                household(&format!("C{k}"), "SMO-CRI-SJO", vec![m])
            })
            .collect();
        app.pathways_apply(&people, &op).await.unwrap();
        let mut tasks = Vec::new();
        for k in 0..50 {
            let app = app.clone();
            let op = op.clone();
            tasks.push(tokio::spawn(async move {
                app.pathways_refer(
                    &format!("C{k}"),
                    &format!("C{k}-0"),
                    "test-last-places",
                    Date::parse("2024-06-10").unwrap(),
                    &op,
                )
                .await
            }));
        }
        let mut granted = 0;
        let mut full = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => granted += 1,
                Err(AppError::Refused(p)) => {
                    assert!(
                        p.to_string().contains("left") || p.to_string().contains("full"),
                        "{p}"
                    );
                    full += 1
                }
                Err(other) => panic!("unexpected error: {other}"),
            }
        }
        assert_eq!((granted, full), (5, 45));
        let programs = app.pathways_programs(date("2024-06-10")).await.unwrap();
        let cap = &programs[0].caps[0];
        assert_eq!((cap.reserved_places, cap.remaining_places), (5, 0));
        let referrals = app.store().pathways_referrals(None).await.unwrap();
        assert_eq!(referrals.len(), 5, "a refused referral leaves no row");
        let ledger = app.store().cap_ledger().await.unwrap();
        assert_eq!(ledger.len(), 5);

        // A withdrawal frees a place; the next referral fits, the one after does not.
        app.pathways_outcome(
            referrals[0].id,
            OutcomeKind::Withdrawn,
            date("2024-06-11"),
            "",
            &op,
        )
        .await
        .unwrap();
        let waiting: Vec<String> = (0..50)
            .map(|k| format!("C{k}"))
            .filter(|a| !referrals.iter().any(|r| &r.application_id == a))
            .collect();
        app.pathways_refer(
            &waiting[0],
            &format!("{}-0", waiting[0]),
            "test-last-places",
            date("2024-06-12"),
            &op,
        )
        .await
        .unwrap();
        let over = app
            .pathways_refer(
                &waiting[1],
                &format!("{}-0", waiting[1]),
                "test-last-places",
                date("2024-06-12"),
                &op,
            )
            .await
            .unwrap_err();
        assert!(matches!(over, AppError::Refused(_)), "{over}");

        // A raise with a reason opens one more place.
        app.pathways_raise_cap(
            "test-last-places-total",
            "total",
            1,
            "emergency capacity for a confirmed event",
            Some("EV-1"),
            None,
            date("2024-06-13"),
            &op,
        )
        .await
        .unwrap();
        app.pathways_refer(
            &waiting[1],
            &format!("{}-0", waiting[1]),
            "test-last-places",
            date("2024-06-13"),
            &op,
        )
        .await
        .unwrap();
        assert!(app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .is_none());
    }
);

store_test!(
    pathways_duplicates_scope_and_bad_input,
    |db: TestDb| async move {
        let app = small_cap_app(&db).await;
        let op = operator();
        app.pathways_apply(
            &[household(
                "D1",
                "SMO-GTM-GUA",
                vec![person("María José", "Pérez", "1992-05-06", "VEN", 32)],
            )],
            &op,
        )
        .await
        .unwrap();
        // The same woman applies again elsewhere, accents dropped and names reordered.
        let report = app
            .pathways_apply(
                &[household(
                    "D2",
                    "SMO-ECU-UIO",
                    vec![person("Maria Jose", "Perez", "1992-05-06", "VEN", 32)],
                )],
                &op,
            )
            .await
            .unwrap();
        assert_eq!(report.duplicates.len(), 1, "{:?}", report.duplicates);
        assert_eq!(report.duplicates[0].likeness, "exact");
        // A reused id is refused and nothing is written.
        let again = app
            .pathways_apply(
                &[household(
                    "D1",
                    "SMO-GTM-GUA",
                    vec![person("X", "Y", "2000-01-01", "HTI", 24)],
                )],
                &op,
            )
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Invalid(_)), "{again}");
        // An unknown fact is refused with the closest name.
        let mut wrong = person("Z", "Q", "2001-01-01", "HTI", 23);
        wrong.facts.set("nationalty", FactValue::Text("HTI".into()));
        let unknown = app
            .pathways_apply(&[household("D3", "SMO-GTM-GUA", vec![wrong])], &op)
            .await
            .unwrap_err();
        assert!(unknown.to_string().contains("nationality"), "{unknown}");
        assert_eq!(
            app.store().pathways_applications(None).await.unwrap().len(),
            2
        );

        // An officer of Guatemala City sees only that office's case.
        let olga = officer("SMO-GTM-GUA");
        let queue = app
            .pathways_queue(None, date("2024-07-01"), &olga)
            .await
            .unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].rows[0].application_id, "D1");
        let other = app
            .pathways_case("D2", date("2024-07-01"), &olga)
            .await
            .unwrap_err();
        assert!(matches!(other, AppError::Forbidden(_)), "{other}");
        let other_queue = app
            .pathways_queue(Some("SMO-ECU-UIO"), date("2024-07-01"), &olga)
            .await
            .unwrap_err();
        assert!(matches!(other_queue, AppError::Forbidden(_)));
        let dups = app.pathways_duplicates(&olga).await.unwrap();
        assert_eq!(dups.len(), 1);
        // A watch officer may not work on cases at all.
        let watch = Actor::web(8, "wes", Role::WatchOfficer, None, None, "127.0.0.1");
        assert!(matches!(
            app.pathways_queue(None, date("2024-07-01"), &watch).await,
            Err(AppError::Forbidden(_))
        ));
    }
);

store_test!(
    pathways_bundled_catalogue_and_synth,
    |db: TestDb| async move {
        let app = app(&db).await;
        let programs = app.pathways_programs(date("2024-01-15")).await.unwrap();
        assert!(programs.len() >= 20);
        let chnv = programs.iter().find(|p| p.key == "us-chnv-haiti").unwrap();
        assert!(chnv.open);
        let monthly = chnv
            .caps
            .iter()
            .find(|c| c.pool == "chnv-travel-authorizations-monthly")
            .unwrap();
        assert_eq!(
            (monthly.period.as_str(), monthly.remaining_places),
            ("2024-01", 30000)
        );
        // A synthetic caseload: same seed, same file; applied and screened.
        let a = app.pathways_synth(40, 3, date("2024-01-15")).await.unwrap();
        let b = app.pathways_synth(40, 3, date("2024-01-15")).await.unwrap();
        assert_eq!(a.csv, b.csv);
        assert_eq!(a.people, 40);
        let (report, explained) = app
            .pathways_screen_file(
                "synth.csv".into(),
                a.csv.clone().into_bytes(),
                date("2024-01-15"),
                Some("P3-0-0".into()),
            )
            .await
            .unwrap();
        assert_eq!(report.people, 40);
        assert_eq!(explained.unwrap().len(), programs.len());
        let pathways = app.pathways().unwrap();
        let rows = pathways
            .read_applicants("synth.csv", a.csv.as_bytes())
            .unwrap();
        let applications = hemi_app::pathways::cases::applications_from_rows(&rows);
        let applied = app
            .pathways_apply(&applications, &operator())
            .await
            .unwrap();
        assert_eq!(applied.people, 40);
    }
);
