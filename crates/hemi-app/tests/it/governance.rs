//! L.A. Process scenarios on both backends: the Declaration's first two years replayed
//! (signing, Colombia's permits, an emergency session on a Venezuelan surge, a
//! signatory withdrawing with an alternate arrangement), funding, the council's parity
//! rule, and response tasks from the bundled playbook.
//!
//! The signatory "XDN" (Example Donor Network) and all progress figures are test data,
//! not claims about real states or organisations.

use hemi_app::{Actor, AppError};
use hemi_governance::{
    Alternate, Assessment, Change, ContinueDecision, CouncilSeat, Date, FundingEntry, FundingKind,
    NewCommitment, NewSession, ProgressReport, Quarter, Signatory, SignatoryKind, TaskStatus,
    TaskUpdate,
};
use hemi_store::AuditFilter;
use hemi_testing::{store_test, TestDb};

use super::{app, import_flows};

fn actor(on: &str) -> Actor {
    let on = Date::parse(on).unwrap();
    Actor::cli("secretariat", None).at(on.unix_start() + 12 * 3600)
}

fn date(on: &str) -> Date {
    Date::parse(on).unwrap()
}

fn session(kind: &str, held_on: &str, host: &str, title: &str, event: Option<&str>) -> NewSession {
    NewSession {
        kind: kind.parse().unwrap(),
        held_on: date(held_on),
        host: host.into(),
        title: title.into(),
        participants: vec!["COL".into(), "PAN".into(), "USA".into()],
        agenda: vec!["assessments".into(), "decisions".into()],
        minutes: "adopted".into(),
        event_id: event.map(Into::into),
        emergency_goals: vec![
            "Processing capacity in Panama and Costa Rica".into(),
            "Shelter along the route".into(),
            "Consular assistance".into(),
        ],
    }
}

fn commitment(
    owner: &str,
    title: &str,
    unit: &str,
    target: f64,
    from: &str,
    to: &str,
    depends_on: Vec<i64>,
) -> NewCommitment {
    NewCommitment {
        owner: owner.into(),
        pillar: "P1".into(),
        title: title.into(),
        unit: unit.into(),
        baseline_value: 0.0,
        baseline_date: from.into(),
        target_value: target,
        target_date: to.into(),
        depends_on,
    }
}

/// The error of a refused or invalid call (anything but a fault of ours).
fn refusal<T: std::fmt::Debug>(r: Result<T, AppError>) -> AppError {
    match r {
        Err(e) if e.is_callers() => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn version_count(store: &hemi_app::App) -> usize {
    store.declaration_versions().await.unwrap().len()
}

async fn audit_count(store: &hemi_app::App, prefix: &str) -> usize {
    store
        .audit_log(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|a| a.event.action.starts_with(prefix))
        .count()
}

store_test!(declaration_first_two_years, |db: TestDb| async move {
    let store = app(&db).await;

    // June 2022: signed by 20 states; the seed records it once.
    assert!(store.seed_declaration(&actor("2022-06-10")).await.unwrap());
    assert!(!store.seed_declaration(&actor("2022-06-11")).await.unwrap());
    let versions = store.declaration_versions().await.unwrap();
    assert_eq!(versions.len(), 4, "the signed text plus three commitments");
    assert_eq!(versions[0].changes.len(), 0);
    assert_eq!(
        versions[1].changes,
        vec!["commitment 1 by COL: Regularisation permits to Venezuelan migrants and refugees"]
    );
    let (v, signed) = store.declaration(Some(1), None).await.unwrap();
    assert_eq!((v.version, v.effective_on.as_str()), (1, "2022-06-10"));
    assert_eq!(signed.pillars.len(), 4);
    let per_pillar: Vec<usize> = signed
        .pillars
        .iter()
        .map(|p| {
            signed
                .deliverables
                .iter()
                .filter(|d| d.pillar == p.key)
                .count()
        })
        .collect();
    assert_eq!(per_pillar, vec![6, 11, 2, 0]);
    assert_eq!(
        signed
            .signatories_on(&Date::parse("2022-06-10").unwrap())
            .len(),
        20
    );
    assert!(signed
        .signatories_on(&Date::parse("2022-06-09").unwrap())
        .is_empty());
    assert_eq!(store.store().taskforce_agencies().await.unwrap().len(), 8);
    assert!(matches!(
        store
            .declaration(None, Some(&Date::parse("2022-06-09").unwrap()))
            .await,
        Err(AppError::NotFound { .. })
    ));

    // Colombia's permits, reported over the summer.
    let col = 1;
    for (on, value) in [("2022-07-31", 1_000_000.0), ("2022-08-31", 1_350_000.0)] {
        store
            .report_progress(
                &ProgressReport {
                    commitment_id: col,
                    reported_on: date(on),
                    value,
                    source: "Migración Colombia".into(),
                    evidence_url: "https://example.org/col".into(),
                },
                &actor(on),
            )
            .await
            .unwrap();
    }
    let c = &store.commitments(None).await.unwrap()[0];
    assert_eq!(
        (c.owner.as_str(), c.latest_value, c.latest_on.as_deref()),
        ("COL", Some(1_350_000.0), Some("2022-08-31"))
    );
    assert_eq!(c.progress_share, Some(0.9));
    let july = &store
        .commitments(Some(&Date::parse("2022-08-15").unwrap()))
        .await
        .unwrap()[0];
    assert_eq!(july.latest_value, Some(1_000_000.0));

    // October 2022: the first ministerial, in Lima.
    let (lima, none) = store
        .open_session(
            &session(
                "ministerial",
                "2022-10-06",
                "PER",
                "First ministerial",
                None,
            ),
            &actor("2022-10-06"),
        )
        .await
        .unwrap();
    assert!(none.is_none());
    assert_eq!(
        store
            .assess_commitment(
                col,
                lima,
                Assessment::Substantial,
                ContinueDecision::Continue,
                "90% issued",
                &actor("2022-10-06")
            )
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .assess_commitment(
                2,
                lima,
                Assessment::Complete,
                ContinueDecision::Continue,
                "visas issued",
                &actor("2022-10-06")
            )
            .await
            .unwrap(),
        Some(5)
    );
    let joined = Change::AddSignatory {
        signatory: Signatory {
            code: "XDN".into(),
            name: "Example Donor Network".into(),
            kind: SignatoryKind::Organisation,
            joined_on: Date::parse("2022-10-06").unwrap(),
            withdrew_on: None,
        },
    };
    assert_eq!(
        store
            .decide(
                lima,
                &[joined],
                "joins at the first ministerial",
                &actor("2022-10-06")
            )
            .await
            .unwrap(),
        6
    );
    let xdn = store
        .add_commitment(
            &commitment(
                "XDN",
                "Fund Ecuador's registration",
                "USD",
                5_000_000.0,
                "2022-10-06",
                "2023-12-31",
                vec![],
            ),
            Some(lima),
            &date("2022-10-06"),
            &actor("2022-10-06"),
        )
        .await
        .unwrap();
    let ecu = store
        .add_commitment(
            &commitment(
                "ECU",
                "Register Venezuelans for regular status",
                "registrations",
                300_000.0,
                "2022-10-06",
                "2023-12-31",
                vec![xdn],
            ),
            Some(lima),
            &date("2022-10-06"),
            &actor("2022-10-06"),
        )
        .await
        .unwrap();
    assert_eq!((xdn, ecu, version_count(&store).await), (4, 5, 8));

    // Bad commitments change nothing.
    let mut bad = commitment("", "x", "permits", 1.0, "2022-10-06", "2023-01-01", vec![]);
    assert_eq!(
        refusal(
            store
                .add_commitment(&bad, None, &date("2022-10-07"), &actor("2022-10-07"))
                .await
        )
        .field(),
        Some("owner")
    );
    bad.owner = "COL".into();
    bad.unit = " ".into();
    assert_eq!(
        refusal(
            store
                .add_commitment(&bad, None, &date("2022-10-07"), &actor("2022-10-07"))
                .await
        )
        .field(),
        Some("unit")
    );
    bad.unit = "permits".into();
    bad.target_date = "2022-01-01".into();
    assert_eq!(
        refusal(
            store
                .add_commitment(&bad, None, &date("2022-10-07"), &actor("2022-10-07"))
                .await
        )
        .field(),
        Some("target_date")
    );
    bad.target_date = "2023-01-01".into();
    bad.pillar = "P9".into();
    let unknown = refusal(
        store
            .add_commitment(&bad, None, &date("2022-10-07"), &actor("2022-10-07"))
            .await,
    );
    assert!(
        unknown.to_string().contains("pillar \"P9\" does not exist"),
        "{unknown}"
    );
    assert_eq!(
        store.commitments(None).await.unwrap().len(),
        5,
        "a refused commitment leaves no row"
    );
    assert_eq!(version_count(&store).await, 8);

    // An emergency session must name an event the early warning knows: before any
    // flow table is imported there is none, and nothing is written.
    let refused = refusal(
        store
            .open_session(
                &session(
                    "emergency",
                    "2022-11-15",
                    "PAN",
                    "Surge",
                    Some("ZZZ-2099-01"),
                ),
                &actor("2022-11-15"),
            )
            .await,
    );
    assert!(refused.to_string().contains("import"), "{refused}");
    import_flows(&store).await;
    let unknown = refusal(
        store
            .open_session(
                &session(
                    "emergency",
                    "2022-11-15",
                    "PAN",
                    "Surge",
                    Some("ZZZ-2099-01"),
                ),
                &actor("2022-11-15"),
            )
            .await,
    );
    assert!(matches!(unknown, AppError::NotFound { .. }), "{unknown}");
    let bad_host = refusal(
        store
            .open_session(
                &session("ministerial", "2022-11-15", "XYZ", "x", None),
                &actor("2022-11-15"),
            )
            .await,
    );
    assert_eq!(bad_host.field(), Some("host"));
    assert_eq!(
        store.sessions().await.unwrap().len(),
        1,
        "refused sessions leave no row"
    );

    // Late 2022: an emergency session on the Venezuelan surge opens a short-term pillar.
    let (emergency, v9) = store
        .open_session(
            &session(
                "emergency",
                "2022-11-15",
                "PAN",
                "Venezuelan surge through the Darién",
                Some("VEN-2021-02"),
            ),
            &actor("2022-11-15"),
        )
        .await
        .unwrap();
    assert_eq!(v9, Some(9));
    let (_, d9) = store.declaration(None, None).await.unwrap();
    let pillar = d9.pillar("E-VEN-2021-02").unwrap();
    assert_eq!(
        (
            pillar.kind.as_str(),
            pillar.event_id.as_deref(),
            pillar.goals.len()
        ),
        ("emergency", Some("VEN-2021-02"), 3)
    );
    let e = refusal(
        store
            .decide(
                emergency,
                &[Change::ClosePillar { key: "P9".into() }],
                "typo",
                &actor("2022-11-15"),
            )
            .await,
    );
    assert!(
        e.to_string()
            .contains("pillar \"P9\" does not exist in the declaration"),
        "{e}"
    );
    assert_eq!(
        version_count(&store).await,
        9,
        "a refused decision writes no version"
    );

    // June 2023: the second ministerial narrows and continues the emergency pillar ...
    let (washington, _) = store
        .open_session(
            &session(
                "ministerial",
                "2023-06-23",
                "USA",
                "Second ministerial",
                None,
            ),
            &actor("2023-06-23"),
        )
        .await
        .unwrap();
    let v10 = store
        .decide(
            washington,
            &[
                Change::NarrowPillar {
                    key: "E-VEN-2021-02".into(),
                    keep_goals: vec!["Processing capacity in Panama and Costa Rica".into()],
                },
                Change::ContinuePillar {
                    key: "E-VEN-2021-02".into(),
                    review_by: Some(Date::parse("2024-06-30").unwrap()),
                },
            ],
            "flows continue at a lower level",
            &actor("2023-06-23"),
        )
        .await
        .unwrap();
    assert_eq!(v10, 10);

    // ... and the donor withdraws: refused until Ecuador's dependency has an arrangement.
    let withdraw = |alternates: Vec<Alternate>| Change::WithdrawSignatory {
        code: "XDN".into(),
        alternates,
    };
    let e = refusal(
        store
            .decide(
                washington,
                &[withdraw(vec![])],
                "budget cut",
                &actor("2023-06-23"),
            )
            .await,
    );
    assert!(
        e.to_string().contains("XDN cannot withdraw: commitment 4 (XDN: Fund Ecuador's registration), which ECU (commitment 5) depends on without an alternate arrangement"),
        "{e}"
    );
    assert_eq!(version_count(&store).await, 10);
    let arrangement = Alternate {
        commitment_id: xdn,
        arrangement: "World Bank GCFF grant covers registration".into(),
        new_owner: None,
    };
    assert_eq!(
        store
            .decide(
                washington,
                &[withdraw(vec![arrangement])],
                "budget cut",
                &actor("2023-06-23")
            )
            .await
            .unwrap(),
        11
    );
    // A decision dated before the latest version would rewrite history: refused.
    let late = refusal(
        store
            .decide(
                lima,
                &[Change::ClosePillar { key: "P3".into() }],
                "late minutes",
                &actor("2023-06-24"),
            )
            .await,
    );
    assert!(
        late.to_string()
            .contains("date: 2022-10-06 is before version 11, in effect from 2023-06-23")
            && late
                .to_string()
                .contains("changes are recorded in date order"),
        "{late}"
    );
    assert_eq!(version_count(&store).await, 11);
    let rows = store.commitments(None).await.unwrap();
    assert_eq!(
        (rows[3].status.as_str(), rows[3].arrangement.as_deref()),
        (
            "withdrawn",
            Some("World Bank GCFF grant covers registration")
        )
    );
    assert_eq!(
        (rows[4].status.as_str(), rows[4].depends_on.clone()),
        ("active", vec![4])
    );
    assert_eq!(rows[1].status, "complete");

    // Versions: as of any date, and compared.
    let on = |d: &str| Date::parse(d).unwrap();
    let version_on = |d: &'static str| {
        let store = store.clone();
        async move {
            store
                .declaration(None, Some(&on(d)))
                .await
                .unwrap()
                .0
                .version
        }
    };
    assert_eq!(version_on("2022-06-10").await, 4);
    assert_eq!(version_on("2022-10-31").await, 8);
    assert_eq!(version_on("2022-12-31").await, 9);
    assert_eq!(version_on("2023-07-01").await, 11);
    let (v, now) = store
        .declaration(None, Some(&on("2023-07-01")))
        .await
        .unwrap();
    assert_eq!(
        (v.session_id, v.reason.as_str()),
        (Some(washington), "budget cut")
    );
    assert_eq!(now.signatories_on(&on("2023-07-01")).len(), 20);
    assert_eq!(now.signatories_on(&on("2023-01-01")).len(), 21);
    let diff: Vec<String> = store
        .declaration_diff(9, 11)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}: {} -> {}",
                e.item, e.key, e.change, e.field, e.before, e.after
            )
        })
        .collect();
    assert_eq!(
        diff,
        vec![
            "pillar E-VEN-2021-02 changed goals: Processing capacity in Panama and Costa Rica | Shelter along the route | Consular assistance -> Processing capacity in Panama and Costa Rica",
            "pillar E-VEN-2021-02 changed review_by:  -> 2024-06-30",
            "signatory XDN changed withdrew_on:  -> 2023-06-23",
            "commitment 4 changed arrangement:  -> World Bank GCFF grant covers registration",
            "commitment 4 changed status: active -> withdrawn",
        ]
    );
    let from_signing = store.declaration_diff(1, 11).await.unwrap();
    let added: Vec<String> = from_signing
        .iter()
        .filter(|e| e.change == "added")
        .map(|e| format!("{} {}", e.item, e.key))
        .collect();
    assert_eq!(
        added,
        vec![
            "pillar E-VEN-2021-02",
            "signatory XDN",
            "commitment 1",
            "commitment 2",
            "commitment 3",
            "commitment 4",
            "commitment 5"
        ]
    );

    // Every change is in the audit log, and the chain is intact.
    assert_eq!(audit_count(&store, "declaration_changed").await, 11);
    assert_eq!(audit_count(&store, "commitment_progress").await, 2);
    assert_eq!(
        store.verify_audit_chain(None).await.unwrap().first_broken,
        None
    );

    // Quarterly report data for 2022Q3: no watched data here, so no events or alerts.
    store
        .add_recommendation(
            &Quarter::parse("2022Q3").unwrap(),
            "Fund registration in Ecuador",
            "L.A. Process ministerial",
            &actor("2022-10-01"),
        )
        .await
        .unwrap();
    let q = store
        .quarterly_report(&Quarter::parse("2022Q3").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (q.from.as_str(), q.to.as_str()),
        ("2022-07-01", "2022-09-30")
    );
    // The flow tables are imported now: the quarter's alerts come from the replay, and
    // no notification was sent (no `hemi warn run`).
    assert!(!q.events.is_empty() && !q.alerts.is_empty() && q.notifications.is_empty());
    assert!(q
        .alerts
        .iter()
        .all(|a| a.month.as_str() >= "2022-07" && a.month.as_str() <= "2022-09"));
    assert_eq!(q.progress_reports.len(), 2);
    assert_eq!(q.commitments[0].progress_share, Some(0.9));
    assert_eq!(
        q.commitments[1].assessment, None,
        "Lima's assessment came after the quarter"
    );
    assert_eq!(q.recommendations.len(), 1);
});

store_test!(funding_per_pillar_and_currency, |db: TestDb| async move {
    let store = app(&db).await;
    store.seed_declaration(&actor("2022-06-10")).await.unwrap();
    let entry = |kind: &str, donor: &str, pillar: &str, amount: f64, currency: &str, on: &str| {
        FundingEntry {
            kind: kind.parse::<FundingKind>().unwrap(),
            donor: donor.into(),
            recipient: "World Bank GCFF".into(),
            pillar: pillar.into(),
            commitment_id: None,
            amount,
            currency: currency.into(),
            dated_on: date(on),
            note: String::new(),
        }
    };
    for e in [
        entry("pledge", "USA", "P1", 25_000_000.0, "USD", "2022-06-10"),
        entry(
            "disbursement",
            "USA",
            "P1",
            10_000_000.0,
            "USD",
            "2023-03-01",
        ),
        entry("pledge", "CAN", "P2", 26_900_000.0, "CAD", "2022-06-10"),
        entry("pledge", "USA", "P2", 65_000_000.0, "USD", "2022-06-10"),
        entry(
            "disbursement",
            "CAN",
            "P2",
            5_000_000.0,
            "CAD",
            "2023-01-15",
        ),
    ] {
        store
            .record_funding(&e, &actor(e.dated_on.as_str()))
            .await
            .unwrap();
    }
    let s: Vec<(String, String, f64, f64)> = store
        .store()
        .funding_summary()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.pillar, r.currency, r.pledged, r.disbursed))
        .collect();
    assert_eq!(
        s,
        vec![
            ("P1".into(), "USD".into(), 25_000_000.0, 10_000_000.0),
            ("P2".into(), "CAD".into(), 26_900_000.0, 5_000_000.0),
            ("P2".into(), "USD".into(), 65_000_000.0, 0.0),
        ]
    );
    assert_eq!(
        refusal(
            store
                .record_funding(
                    &entry("pledge", "USA", "P9", 1.0, "USD", "2022-06-10"),
                    &actor("2022-06-10")
                )
                .await
        )
        .field(),
        Some("pillar")
    );
    assert_eq!(
        refusal(
            store
                .record_funding(
                    &entry("pledge", "USA", "P1", 1.0, "usd", "2022-06-10"),
                    &actor("2022-06-10")
                )
                .await
        )
        .field(),
        Some("currency")
    );
    assert_eq!(store.store().funding().await.unwrap().len(), 5);
});

store_test!(council_keeps_parity, |db: TestDb| async move {
    let store = app(&db).await;
    let seat = |n: &str, us: bool, by: &str| CouncilSeat {
        seat: n.into(),
        holder: format!("expert {n}"),
        us_expert: us,
        appointed_by: by.into(),
    };
    let e = refusal(
        store
            .appoint_council_seat(
                &seat("1", true, "PRM"),
                &date("2023-01-10"),
                &actor("2023-01-10"),
            )
            .await,
    );
    assert!(
        e.to_string().contains("0 of 1 held seats would be non-US"),
        "{e}"
    );
    store
        .appoint_council_seat(
            &seat("1", false, "OAS"),
            &date("2023-01-10"),
            &actor("2023-01-10"),
        )
        .await
        .unwrap();
    store
        .appoint_council_seat(
            &seat("2", true, "PRM"),
            &date("2023-01-10"),
            &actor("2023-01-10"),
        )
        .await
        .unwrap();
    assert!(refusal(
        store
            .appoint_council_seat(
                &seat("3", true, "USAID"),
                &date("2023-01-11"),
                &actor("2023-01-11")
            )
            .await
    )
    .to_string()
    .contains("1 of 3 held seats"));
    assert!(refusal(
        store
            .remove_council_seat("1", &date("2023-02-01"), &actor("2023-02-01"))
            .await
    )
    .to_string()
    .contains("parity"));
    store
        .appoint_council_seat(
            &seat("3", false, "IDB"),
            &date("2023-01-11"),
            &actor("2023-01-11"),
        )
        .await
        .unwrap();
    store
        .remove_council_seat("2", &date("2023-02-01"), &actor("2023-02-01"))
        .await
        .unwrap();
    store
        .remove_council_seat("1", &date("2023-02-01"), &actor("2023-02-01"))
        .await
        .unwrap();
    let held: Vec<String> = store
        .store()
        .council()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.seat.holder)
        .collect();
    assert_eq!(held, vec!["expert 3"]);
    assert_eq!(audit_count(&store, "council_").await, 5);
});

store_test!(
    confirming_an_event_creates_its_tasks_once,
    |db: TestDb| async move {
        let store = app(&db).await;
        import_flows(&store).await;
        let who =
            Actor::cli("watch officer", None).at(Date::parse("2021-09-20").unwrap().unix_start());
        let confirmed_at = who.at;
        let (row, tasks) = store
            .set_event_status("hti-2021-01", "confirmed", "Darién and Del Rio agree", &who)
            .await
            .unwrap();
        assert_eq!(
            (row.from_status.as_str(), row.to_status.as_str()),
            ("detected", "confirmed")
        );
        assert_eq!(row.changed_by, "cli:watch officer");
        // The Haiti 2021 playbook: tasks for the Task Force, sending, transit and
        // receiving states, from the roles the data gives.
        assert!(tasks.len() >= 8, "{} tasks", tasks.len());
        // A second confirmation is refused, and creates nothing.
        let again = refusal(
            store
                .set_event_status("HTI-2021-01", "confirmed", "again", &who)
                .await,
        );
        assert_eq!(again.field(), Some("status"));
        let stored = store.store().tasks(Some("HTI-2021-01")).await.unwrap();
        assert_eq!(stored.len(), tasks.len());
        assert_eq!(
            store
                .store()
                .event_transitions(Some("HTI-2021-01"))
                .await
                .unwrap()
                .len(),
            1
        );
        // Unknown ids get a suggestion; a bad status is bad input.
        let unknown = refusal(
            store
                .set_event_status("HTI-2021-1", "confirmed", "x", &who)
                .await,
        );
        assert!(
            unknown.to_string().contains("did you mean HTI-2021-01"),
            "{unknown}"
        );
        assert_eq!(
            refusal(
                store
                    .set_event_status("HTI-2021-01", "finished", "x", &who)
                    .await
            )
            .field(),
            Some("status")
        );
        let pan = stored
            .iter()
            .find(|t| t.assignee == "PAN" && t.what.starts_with("Raise processing"))
            .unwrap();
        assert_eq!(pan.due_at - confirmed_at, 72 * 3600);

        // Done needs evidence; escalation is computed from the time given.
        let done = TaskUpdate {
            status: Some(TaskStatus::Done),
            ..Default::default()
        };
        assert_eq!(
            refusal(store.update_task(pan.id, &done, &who).await).field(),
            Some("evidence")
        );
        let later = who.clone().at(confirmed_at + 3600);
        store
            .update_task(
                pan.id,
                &TaskUpdate {
                    evidence: Some("https://example.org/pan-posts".into()),
                    ..done
                },
                &later,
            )
            .await
            .unwrap();
        // A national officer works only on their own country's tasks.
        let mex = stored.iter().find(|t| t.assignee == "MEX").unwrap();
        let officer = Actor::web(
            7,
            "pa",
            hemi_core::Role::NationalOfficer,
            Some("PAN".into()),
            None,
            "127.0.0.1",
        );
        assert!(matches!(
            store
                .update_task(
                    mex.id,
                    &TaskUpdate {
                        status: Some(TaskStatus::InProgress),
                        ..Default::default()
                    },
                    &officer
                )
                .await,
            Err(AppError::Forbidden(_))
        ));
        assert!(store
            .tasks(None, &officer)
            .await
            .unwrap()
            .iter()
            .all(|t| t.assignee.starts_with("PAN")));
        let overdue = store.escalations(confirmed_at + 4 * 86_400).await.unwrap();
        assert!(overdue.iter().all(|e| e.overdue_hours > 0));
        assert!(
            !overdue.iter().any(|e| e.task_id == pan.id),
            "the done task does not escalate"
        );
        assert!(overdue
            .iter()
            .any(|e| e.assignee == "Task Force" && e.escalate_to == "National Security Council"));
        assert_eq!(
            store.verify_audit_chain(None).await.unwrap().first_broken,
            None
        );
    }
);
