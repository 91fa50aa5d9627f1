//! L.A. Process scenarios on both backends: the Declaration's first two years replayed
//! (signing, Colombia's permits, an emergency session on a Venezuelan surge, a
//! signatory withdrawing with an alternate arrangement), funding, the council's parity
//! rule, and response tasks from the bundled playbook.
//!
//! The signatory "XDN" (Example Donor Network) and all progress figures are test data,
//! not claims about real states or organisations.

use hemi_governance::{
    instantiate, Alternate, Assessment, Change, ContinueDecision, CouncilSeat, Date, EventFacts,
    GovernanceError, NewCommitment, PlaybookSet, Quarter, Seed, Signatory, SignatoryKind,
    TaskStatus,
};
use hemi_store::governance::{quarterly, Actor, FundingEntry, NewSession, ProgressReport};
use hemi_store::watch::WatchRules;
use hemi_store::{EventTransitionRow, Store, StoreError};
use hemi_testing::{repo_root, store_test, TestDb};

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_root().join(relative)).unwrap()
}

fn seed() -> Seed {
    let (d, t) = (
        read("governance/declaration.toml"),
        read("governance/taskforce.toml"),
    );
    Seed::parse(
        ("governance/declaration.toml", &d),
        ("governance/taskforce.toml", &t),
    )
    .unwrap()
}

fn rules() -> WatchRules {
    WatchRules {
        triggers: hemi_warning::rules::TriggerRules::parse("t", &read("rules/triggers.toml"))
            .unwrap(),
        routes: hemi_warning::roles::Routes::parse("r", &read("rules/routes.toml")).unwrap(),
        roster: hemi_warning::roster::Roster::parse("r", &read("rules/roster.toml")).unwrap(),
    }
}

fn actor(on: &str) -> Actor {
    let on = Date::parse(on).unwrap();
    Actor {
        name: "secretariat".into(),
        at: on.unix_start() + 12 * 3600,
        on,
    }
}

fn session(kind: &str, held_on: &str, host: &str, title: &str, event: Option<&str>) -> NewSession {
    NewSession {
        kind: kind.into(),
        held_on: held_on.into(),
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

fn refusal<T: std::fmt::Debug>(r: Result<T, StoreError>) -> GovernanceError {
    match r {
        Err(StoreError::Refused(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn version_count(store: &Store) -> usize {
    store.declaration_versions().await.unwrap().len()
}

store_test!(declaration_first_two_years, |db: TestDb| async move {
    let store = Store::open(&db.url).await.unwrap();

    // June 2022: signed by 20 states; the seed records it once.
    assert!(store
        .governance_seed(&seed(), &actor("2022-06-10"))
        .await
        .unwrap());
    assert!(!store
        .governance_seed(&seed(), &actor("2022-06-11"))
        .await
        .unwrap());
    let versions = store.declaration_versions().await.unwrap();
    assert_eq!(versions.len(), 4, "the signed text plus three commitments");
    assert_eq!(versions[0].changes.len(), 0);
    assert_eq!(
        versions[1].changes,
        vec!["commitment 1 by COL: Regularisation permits to Venezuelan migrants and refugees"]
    );
    let (v, signed) = store.declaration(Some(1), None).await.unwrap().unwrap();
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
    assert_eq!(store.taskforce_agencies().await.unwrap().len(), 8);
    assert!(store
        .declaration(None, Some(&Date::parse("2022-06-09").unwrap()))
        .await
        .unwrap()
        .is_none());

    // Colombia's permits, reported over the summer.
    let col = 1;
    for (on, value) in [("2022-07-31", 1_000_000.0), ("2022-08-31", 1_350_000.0)] {
        store
            .report_progress(
                &ProgressReport {
                    commitment_id: col,
                    reported_on: on.into(),
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
            &actor("2022-10-06"),
        )
        .await
        .unwrap();
    assert_eq!((xdn, ecu, version_count(&store).await), (4, 5, 8));

    // Bad commitments change nothing.
    let mut bad = commitment("", "x", "permits", 1.0, "2022-10-06", "2023-01-01", vec![]);
    assert_eq!(
        refusal(store.add_commitment(&bad, None, &actor("2022-10-07")).await),
        GovernanceError::MissingOwner
    );
    bad.owner = "COL".into();
    bad.unit = " ".into();
    assert_eq!(
        refusal(store.add_commitment(&bad, None, &actor("2022-10-07")).await),
        GovernanceError::MissingUnit
    );
    bad.unit = "permits".into();
    bad.target_date = "2022-01-01".into();
    assert_eq!(
        refusal(store.add_commitment(&bad, None, &actor("2022-10-07")).await).field(),
        "target_date"
    );
    bad.target_date = "2023-01-01".into();
    bad.pillar = "P9".into();
    assert_eq!(
        refusal(store.add_commitment(&bad, None, &actor("2022-10-07")).await),
        GovernanceError::UnknownPillar("P9".into())
    );
    assert_eq!(
        store.commitments(None).await.unwrap().len(),
        5,
        "a refused commitment leaves no row"
    );
    assert_eq!(version_count(&store).await, 8);

    // Late 2022: an emergency session on the Venezuelan surge opens a short-term pillar.
    let (emergency, v9) = store
        .open_session(
            &session(
                "emergency",
                "2022-11-15",
                "PAN",
                "Venezuelan surge through the Darién",
                Some("VEN-2022-09"),
            ),
            &actor("2022-11-15"),
        )
        .await
        .unwrap();
    assert_eq!(v9, Some(9));
    let (_, d9) = store.declaration(None, None).await.unwrap().unwrap();
    let pillar = d9.pillar("E-VEN-2022-09").unwrap();
    assert_eq!(
        (
            pillar.kind.as_str(),
            pillar.event_id.as_deref(),
            pillar.goals.len()
        ),
        ("emergency", Some("VEN-2022-09"), 3)
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
    assert_eq!(
        e.to_string(),
        "pillar \"P9\" does not exist in the declaration"
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
                    key: "E-VEN-2022-09".into(),
                    keep_goals: vec!["Processing capacity in Panama and Costa Rica".into()],
                },
                Change::ContinuePillar {
                    key: "E-VEN-2022-09".into(),
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
    assert_eq!(
        e.to_string(),
        "XDN cannot withdraw: commitment 4 (XDN: Fund Ecuador's registration), which ECU (commitment 5) depends on without an alternate arrangement"
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
    assert_eq!(late.to_string(), "date: 2022-10-06 is before version 11, in effect from 2023-06-23; changes are recorded in date order");
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
        .unwrap()
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
            "pillar E-VEN-2022-09 changed goals: Processing capacity in Panama and Costa Rica | Shelter along the route | Consular assistance -> Processing capacity in Panama and Costa Rica",
            "pillar E-VEN-2022-09 changed review_by:  -> 2024-06-30",
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
            "pillar E-VEN-2022-09",
            "signatory XDN",
            "commitment 1",
            "commitment 2",
            "commitment 3",
            "commitment 4",
            "commitment 5"
        ]
    );

    // Every change is in the audit log.
    let audit = store.recent_audit(100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "declaration_changed")
            .count(),
        11
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "commitment_progress")
            .count(),
        2
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
    let q = quarterly(&store, &rules(), &Quarter::parse("2022Q3").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (q.from.as_str(), q.to.as_str()),
        ("2022-07-01", "2022-09-30")
    );
    assert!(q.events.is_empty() && q.alerts.is_empty() && q.notifications.is_empty());
    assert_eq!(q.progress_reports.len(), 2);
    assert_eq!(q.commitments[0].progress_share, Some(0.9));
    assert_eq!(
        q.commitments[1].assessment, None,
        "Lima's assessment came after the quarter"
    );
    assert_eq!(q.recommendations.len(), 1);
});

store_test!(funding_per_pillar_and_currency, |db: TestDb| async move {
    let store = Store::open(&db.url).await.unwrap();
    store
        .governance_seed(&seed(), &actor("2022-06-10"))
        .await
        .unwrap();
    let entry = |kind: &str, donor: &str, pillar: &str, amount: f64, currency: &str, on: &str| {
        FundingEntry {
            kind: kind.into(),
            donor: donor.into(),
            recipient: "World Bank GCFF".into(),
            pillar: pillar.into(),
            commitment_id: None,
            amount,
            currency: currency.into(),
            dated_on: on.into(),
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
            .record_funding(&e, &actor(&e.dated_on.clone()))
            .await
            .unwrap();
    }
    let s: Vec<(String, String, f64, f64)> = store
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
        ),
        GovernanceError::UnknownPillar("P9".into())
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
        "currency"
    );
    assert_eq!(store.funding().await.unwrap().len(), 5);
});

store_test!(council_keeps_parity, |db: TestDb| async move {
    let store = Store::open(&db.url).await.unwrap();
    let seat = |n: &str, us: bool, by: &str| CouncilSeat {
        seat: n.into(),
        holder: format!("expert {n}"),
        us_expert: us,
        appointed_by: by.into(),
    };
    let e = refusal(
        store
            .appoint_council_seat(&seat("1", true, "PRM"), &actor("2023-01-10"))
            .await,
    );
    assert_eq!(e, GovernanceError::Parity { held: 1, non_us: 0 });
    store
        .appoint_council_seat(&seat("1", false, "OAS"), &actor("2023-01-10"))
        .await
        .unwrap();
    store
        .appoint_council_seat(&seat("2", true, "PRM"), &actor("2023-01-10"))
        .await
        .unwrap();
    assert!(matches!(
        refusal(
            store
                .appoint_council_seat(&seat("3", true, "USAID"), &actor("2023-01-11"))
                .await
        ),
        GovernanceError::Parity { held: 3, non_us: 1 }
    ));
    assert!(
        refusal(store.remove_council_seat("1", &actor("2023-02-01")).await)
            .to_string()
            .contains("parity")
    );
    store
        .appoint_council_seat(&seat("3", false, "IDB"), &actor("2023-01-11"))
        .await
        .unwrap();
    store
        .remove_council_seat("2", &actor("2023-02-01"))
        .await
        .unwrap();
    store
        .remove_council_seat("1", &actor("2023-02-01"))
        .await
        .unwrap();
    let held: Vec<String> = store
        .council()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.seat.holder)
        .collect();
    assert_eq!(held, vec!["expert 3"]);
    let audit = store.recent_audit(20).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action.starts_with("council_"))
            .count(),
        5
    );
});

store_test!(
    confirming_an_event_creates_its_tasks_once,
    |db: TestDb| async move {
        let store = Store::open(&db.url).await.unwrap();
        let set = PlaybookSet::from_files([(
            "playbooks/haiti_2021.toml",
            read("playbooks/haiti_2021.toml").as_str(),
        )])
        .unwrap();
        let confirmed_at = Date::parse("2021-09-20").unwrap().unix_start();
        let facts = EventFacts {
            event_id: "HTI-2021-05".into(),
            nationality: "HTI".into(),
            roles: vec![
                ("BRA".into(), "sending".into()),
                ("PAN".into(), "transit".into()),
                ("HND".into(), "transit".into()),
                ("MEX".into(), "transit_receiving".into()),
                ("USA".into(), "receiving".into()),
            ],
            size: 17_638.0,
            confirmed_at,
        };
        let tasks = instantiate(&set, &facts);
        assert_eq!(tasks.len(), 2 + 4 + 2 + 1 + 1);
        let transition = EventTransitionRow {
            event_id: "HTI-2021-05".into(),
            from_status: "detected".into(),
            to_status: "confirmed".into(),
            changed_by: "watch officer".into(),
            reason: "Darién and Del Rio agree".into(),
            changed_at: "2021-09-20T00:00:00Z".into(),
        };
        let who = Actor {
            name: "watch officer".into(),
            on: Date::parse("2021-09-20").unwrap(),
            at: confirmed_at,
        };
        assert_eq!(
            store
                .record_transition_with_tasks(&transition, &tasks, &who)
                .await
                .unwrap()
                .len(),
            10
        );
        assert!(store
            .record_transition_with_tasks(&transition, &tasks, &who)
            .await
            .unwrap()
            .is_empty());
        let stored = store.tasks(Some("HTI-2021-05")).await.unwrap();
        assert_eq!(stored.len(), 10);
        assert_eq!(
            store
                .event_transitions(Some("HTI-2021-05"))
                .await
                .unwrap()
                .len(),
            2
        );
        let pan = stored
            .iter()
            .find(|t| t.assignee == "PAN" && t.what.starts_with("Raise processing"))
            .unwrap();
        assert_eq!(pan.due_at - confirmed_at, 72 * 3600);

        // Done needs evidence; escalation is computed from the time given.
        assert!(matches!(
            store
                .update_task(pan.id, Some(TaskStatus::Done), None, None, &who)
                .await,
            Err(StoreError::Refused(_))
        ));
        let later = Actor {
            at: confirmed_at + 3600,
            ..who.clone()
        };
        store
            .update_task(
                pan.id,
                Some(TaskStatus::Done),
                None,
                Some("https://example.org/pan-posts"),
                &later,
            )
            .await
            .unwrap();
        let overdue = store.escalations(confirmed_at + 4 * 86_400).await.unwrap();
        let summary: Vec<(String, String, i64)> = overdue
            .iter()
            .map(|e| (e.assignee.clone(), e.escalate_to.clone(), e.overdue_hours))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("Task Force".into(), "National Security Council".into(), 72),
                ("HND".into(), "Task Force".into(), 24),
                ("MEX".into(), "Task Force".into(), 24),
            ]
        );
    }
);
