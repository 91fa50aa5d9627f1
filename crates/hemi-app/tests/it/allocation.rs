//! Allocation workflows on both backends: registrations, a draw opened with its
//! commitment and run with a public value (the fixture's winners bit for bit),
//! verification from the published files (and its loud failure when a stored copy is
//! changed), placement plans and an override with a reason, all in the audit log.

use std::sync::Arc;

use hemi_app::allocation::draws::DrawVerification;
use hemi_app::allocation::plans::OverrideRequest;
use hemi_app::allocation::PlacementFileNames;
use hemi_app::progress::NoProgress;
use hemi_app::AppError;
use hemi_store::allocation::InstanceFiles;
use hemi_store::AuditFilter;
use hemi_testing::{repo_root, store_test, TestBackend, TestDb};

use super::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        repo_root()
            .join("crates/hemi-allocation/test_data/lottery")
            .join(name),
    )
    .unwrap()
}

async fn actions(app: &App) -> Vec<String> {
    let mut entries = app
        .store()
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    entries.reverse();
    entries
        .into_iter()
        .map(|e| format!("{} {}", e.event.action, e.event.subject))
        .collect()
}

/// Change a published file behind the application's back, as an attacker with the
/// database would.
async fn tamper(db: &TestDb, draw_id: i64, file: &str, from: &str, to: &str) {
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        TestBackend::Sqlite => format!("sqlite://{}", db.url),
        TestBackend::Postgres => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let row: (String,) =
        sqlx::query_as("SELECT content FROM lottery_publication WHERE draw_id = $1 AND file = $2")
            .bind(draw_id)
            .bind(file)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(row.0.contains(from), "{from:?} not in {file}");
    sqlx::query("UPDATE lottery_publication SET content = $1 WHERE draw_id = $2 AND file = $3")
        .bind(row.0.replacen(from, to, 1))
        .bind(draw_id)
        .bind(file)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

store_test!(
    a_draw_reproduces_the_fixture_and_fails_verification_when_changed,
    |db: TestDb| async move {
        let app = app(&db).await;
        let registered = app
            .register_households(
                fixture("registrations_private.csv"),
                "registrations_private.csv",
                &operator(10),
            )
            .await
            .unwrap();
        assert_eq!(registered.households, 600);
        // Registering the same households again is refused and changes nothing.
        let again = app
            .register_households(
                fixture("registrations_private.csv"),
                "registrations_private.csv",
                &operator(11),
            )
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Refused(_)), "{again}");
        assert!(again.to_string().contains("registered already"), "{again}");

        let draw = app
            .open_draw(
                &fixture("policy.txt"),
                "policy.txt",
                "the fixture's declared value",
                &operator(20),
            )
            .await
            .unwrap();
        // The same list and rules as the fixture, so the same commitment.
        assert_eq!(draw.commitment, fixture("commitment.txt").trim());
        assert_eq!(draw.households, 600);
        let public_value = fixture("public_value.txt");
        let view = app
            .run_draw(draw.id, public_value.trim_end_matches('\n'), &operator(30))
            .await
            .unwrap();
        let result = view.files.iter().find(|(n, _)| n == "result.csv").unwrap();
        assert_eq!(
            result.1,
            fixture("result.csv"),
            "the winners differ from the fixture"
        );
        let statistics = view.statistics.expect("statistics published");
        assert!(!statistics.by_wait_band.is_empty() && !statistics.by_nationality.is_empty());
        assert!(statistics
            .by_wait_band
            .iter()
            .all(|b| b.selection_probability.is_some()));
        let names: Vec<&str> = view.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "policy.txt",
                "commitment.txt",
                "registrations.csv",
                "public_value.txt",
                "result.csv"
            ]
        );

        // A draw runs once.
        let twice = app
            .run_draw(draw.id, "another value", &operator(31))
            .await
            .unwrap_err();
        assert!(matches!(twice, AppError::Refused(_)), "{twice}");
        let missing = app.run_draw(99, "x", &operator(31)).await.unwrap_err();
        assert!(matches!(missing, AppError::NotFound { .. }), "{missing}");

        match app.verify_draw(draw.id).await.unwrap() {
            DrawVerification::Verified(v) => {
                assert_eq!(v.selections, fixture("result.csv").lines().count() - 1)
            }
            DrawVerification::Failed { difference } => panic!("{difference}"),
        }
        // A changed published list fails, naming the first changed household.
        let first_row = fixture("registrations.csv")
            .lines()
            .nth(1)
            .unwrap()
            .to_owned();
        let household = first_row.split(',').next().unwrap().to_owned();
        let changed_row = first_row.replacen(",4,", ",5,", 1);
        tamper(&db, draw.id, "registrations.csv", &first_row, &changed_row).await;
        match app.verify_draw(draw.id).await.unwrap() {
            DrawVerification::Failed { difference } => {
                assert!(
                    difference.contains(&format!("household {household}")),
                    "{difference}"
                );
                assert!(
                    difference.contains("changed after the commitment"),
                    "{difference}"
                );
            }
            other => panic!("a changed list verified: {other:?}"),
        }
        tamper(&db, draw.id, "registrations.csv", &changed_row, &first_row).await;
        // A changed winner fails at its position.
        let second = fixture("result.csv").lines().nth(2).unwrap().to_owned();
        tamper(
            &db,
            draw.id,
            "result.csv",
            &second,
            &second.replacen("2,", "2,X", 1),
        )
        .await;
        match app.verify_draw(draw.id).await.unwrap() {
            DrawVerification::Failed { difference } => {
                assert!(difference.contains("selection 2"), "{difference}")
            }
            other => panic!("a changed result verified: {other:?}"),
        }

        let log = actions(&app).await;
        assert_eq!(
            log,
            [
                "households_registered lottery",
                "draw_opened draw 1",
                "draw_run draw 1"
            ],
            "every draw is in the audit log"
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
    bad_registrations_and_policies_are_refused,
    |db: TestDb| async move {
        let app = app(&db).await;
        let no_members =
            "household_id,registered_on,members,preferred_ports,flags\nR1,2024-06-01,,SYS,\n";
        let err = app
            .register_households(no_members.into(), "regs.csv", &operator(1))
            .await
            .unwrap_err();
        let AppError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        let d = &problems.diagnostics[0];
        assert_eq!(
            (d.file.as_str(), d.line, d.field.as_str()),
            ("regs.csv", 2, "members"),
            "{err}"
        );
        // No draw without registrations.
        let err = app
            .open_draw(&fixture("policy.txt"), "policy.txt", "source", &operator(2))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Refused(_)), "{err}");
        // A capacity below zero cannot be written.
        let negative = fixture("policy.txt").replace("capacity=BRO:18", "capacity=BRO:-18");
        let err = app
            .open_draw(&negative, "policy.txt", "source", &operator(3))
            .await
            .unwrap_err();
        let AppError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        assert_eq!(problems.diagnostics[0].file, "policy.txt", "{err}");
        assert!(
            actions(&app).await.is_empty(),
            "a refusal wrote to the audit log"
        );
    }
);

fn synth_files(households: usize, sites: usize) -> InstanceFiles {
    let instance = hemi_allocation::placement::synth(&hemi_allocation::placement::SynthOptions {
        households,
        sites,
        arcs_per_household: Some(8),
        seed: 5,
        ..Default::default()
    });
    let (mut h, mut s, mut a) = (Vec::new(), Vec::new(), Vec::new());
    instance
        .write_files(hemi_allocation::placement::SynthFiles {
            households: &mut h,
            sites: &mut s,
            arcs: &mut a,
        })
        .unwrap();
    InstanceFiles {
        households_csv: String::from_utf8(h).unwrap(),
        sites_csv: String::from_utf8(s).unwrap(),
        arcs_csv: String::from_utf8(a).unwrap(),
    }
}

store_test!(
    placement_plans_and_an_override_are_stored_and_audited,
    |db: TestDb| async move {
        let app = app(&db).await;
        let names = PlacementFileNames {
            households: "h.csv".into(),
            sites: "s.csv".into(),
            arcs: "a.csv".into(),
        };
        let instance = app
            .store_placement_instance("test", synth_files(120, 10), names.clone(), &operator(1))
            .await
            .unwrap();
        assert_eq!(instance.households, 120);
        let plan = app
            .solve_stored_instance(instance.id, false, &operator(2), Arc::new(NoProgress))
            .await
            .unwrap();
        assert_eq!(plan.households_unplaced, 0);
        assert!(plan.objective <= plan.upper_bound.unwrap() + 1e-9);
        let detail = app.placement_plan(plan.id).await.unwrap();
        assert_eq!(detail.occupancy.len(), 10);
        assert!(detail
            .occupancy
            .iter()
            .all(|o| o.people <= u64::from(o.capacity_people)));

        // Find a household whose next-best alternative has room, and move it there.
        let mut moved = None;
        for h in 0..120 {
            let id = format!("H{h:06}");
            let Ok(e) = app.explain_placement(plan.id, &id).await else {
                continue;
            };
            if let Some(alt) = e.alternatives.iter().find(|a| a.people_to_displace == 0) {
                moved = Some((id, e.site_id.clone().unwrap(), alt.site_id.clone()));
                break;
            }
        }
        let (household, from, to) = moved.expect("some household has an alternative with room");
        let request = OverrideRequest {
            household_id: household.clone(),
            site_id: to.clone(),
            reason: "brother lives there".into(),
        };
        let done = app
            .override_placement(plan.id, &request, &operator(3))
            .await
            .unwrap();
        assert_eq!(done.from_site.as_deref(), Some(from.as_str()));
        assert_eq!(done.plan.based_on, Some(plan.id));
        assert_eq!(done.plan.reason.as_deref(), Some("brother lives there"));
        assert!(
            done.evaluation.objective <= plan.objective + 1e-9,
            "the solver's plan was beaten by a single move"
        );
        let explained = app
            .explain_placement(done.plan.id, &household)
            .await
            .unwrap();
        assert_eq!(explained.site_id.as_deref(), Some(to.as_str()));

        // Without a reason, to an unknown site, or to a full site: refused, nothing written.
        let no_reason = OverrideRequest {
            reason: " ".into(),
            ..request.clone()
        };
        assert!(matches!(
            app.override_placement(plan.id, &no_reason, &operator(4))
                .await,
            Err(AppError::Invalid(_))
        ));
        let unknown = OverrideRequest {
            site_id: "S_NOPE".into(),
            ..request.clone()
        };
        assert!(matches!(
            app.override_placement(plan.id, &unknown, &operator(4))
                .await,
            Err(AppError::NotFound { .. })
        ));
        let full = detail
            .occupancy
            .iter()
            .find(|o| o.capacity_people as u64 == o.people);
        if let Some(full) = full {
            let e = app.explain_placement(plan.id, &household).await.unwrap();
            if e.site_id.as_deref() != Some(full.site_id.as_str()) {
                let into_full = OverrideRequest {
                    site_id: full.site_id.clone(),
                    ..request.clone()
                };
                assert!(app
                    .override_placement(plan.id, &into_full, &operator(4))
                    .await
                    .is_err());
            }
        }
        let missing = app.explain_placement(plan.id, "H999999").await.unwrap_err();
        assert!(matches!(missing, AppError::NotFound { .. }), "{missing}");
        assert_eq!(
            actions(&app).await,
            [
                "placement_instance_stored instance 1",
                "placement_plan_solved plan 1",
                "placement_override plan 2"
            ]
        );

        // An arc to an unknown site is refused with file, line and field.
        let mut bad = synth_files(5, 2);
        bad.arcs_csv.push_str("H000000,S_GHOST,0.5\n");
        let err = app
            .store_placement_instance("bad", bad, names, &operator(5))
            .await
            .unwrap_err();
        let AppError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        assert_eq!(problems.diagnostics[0].file, "a.csv", "{err}");
        assert_eq!(problems.diagnostics[0].field, "site_id", "{err}");
    }
);
