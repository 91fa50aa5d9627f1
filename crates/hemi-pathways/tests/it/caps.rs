//! Caps ledger arithmetic: buckets, shared caps, raises, refusals at the cap.

use hemi_pathways::caps::{
    apply, buckets_for, commitment_progress, period_label, plan_reservation, replay, BucketKey,
    BucketTotals, CapRaise, LedgerEntry, Movement,
};
use hemi_pathways::catalogue::{CapPeriod, CommitmentRef};
use hemi_pathways::PathwaysError;

use crate::support::{catalogue, date};

#[test]
fn period_labels() {
    let cases = [
        (CapPeriod::Total, "2024-05-01", Some("total")),
        (CapPeriod::UsFiscalYear, "2023-10-01", Some("FY2024")),
        (CapPeriod::UsFiscalYear, "2024-09-30", Some("FY2024")),
        (
            CapPeriod::UsFiscalFirstHalf,
            "2024-03-31",
            Some("FY2024-H1"),
        ),
        (CapPeriod::UsFiscalFirstHalf, "2024-04-01", None),
        (CapPeriod::CalendarYear, "2024-12-31", Some("2024")),
        (CapPeriod::Month, "2023-02-15", Some("2023-02")),
    ];
    for (period, on, want) in cases {
        assert_eq!(
            period_label(period, date(on)).as_deref(),
            want,
            "{period:?} {on}"
        );
    }
}

#[test]
fn referrals_count_against_applicable_caps_only() {
    let c = catalogue();
    let h2b = buckets_for(&c, "us-h2b", "GTM", date("2024-01-10")).unwrap();
    let keys: Vec<String> = h2b
        .iter()
        .map(|(k, _)| format!("{}/{}", k.pool, k.period))
        .collect();
    assert_eq!(
        keys,
        [
            "us-h2b-statutory-first-half/FY2024-H1",
            "us-h2b-statutory-fiscal-year/FY2024"
        ]
    );
    let summer = buckets_for(&c, "us-h2b", "GTM", date("2024-06-10")).unwrap();
    assert_eq!(summer.len(), 1, "the first-half cap does not apply in June");
    // The set-aside counts only the four nationalities, only in its window.
    assert_eq!(
        buckets_for(&c, "us-h2b-fy2022-nca-haiti", "HTI", date("2022-06-01"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        buckets_for(&c, "us-h2b-fy2022-nca-haiti", "MEX", date("2022-06-01"))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        buckets_for(&c, "us-h2b-fy2022-nca-haiti", "HTI", date("2022-11-01"))
            .unwrap()
            .len(),
        0
    );
    assert!(matches!(
        buckets_for(&c, "no-such-program", "HTI", date("2022-06-01")),
        Err(PathwaysError::UnknownProgram(_))
    ));
    // CHNV: all four share one monthly bucket.
    let cuba = buckets_for(&c, "us-chnv-cuba", "CUB", date("2023-05-10")).unwrap();
    let vzla = buckets_for(&c, "us-chnv-venezuela", "VEN", date("2023-05-31")).unwrap();
    assert_eq!(cuba[0].0, vzla[0].0);
    assert_eq!(cuba[0].0.period, "2023-05");
}

#[test]
fn the_last_place_fits_and_the_next_is_refused() {
    let c = catalogue();
    let bucket = BucketKey {
        pool: "chnv-travel-authorizations-monthly".into(),
        period: "2023-05".into(),
    };
    let nearly_full = BucketTotals {
        limit_places: 30_000,
        reserved_places: 12_000,
        used_places: 17_999,
        ..Default::default()
    };
    let totals = |k: &BucketKey| (k == &bucket).then_some(nearly_full);
    let plan =
        plan_reservation(&c, "us-chnv-haiti", "HTI", date("2023-05-20"), 1, &totals).unwrap();
    assert_eq!(plan.charges.len(), 1);
    assert_eq!(plan.charges[0].remaining_after, 0);
    match plan_reservation(&c, "us-chnv-cuba", "CUB", date("2023-05-20"), 2, &totals) {
        Err(PathwaysError::OverCap {
            pool,
            period,
            remaining_places,
            requested_places,
        }) => {
            assert_eq!(
                (
                    pool.as_str(),
                    period.as_str(),
                    remaining_places,
                    requested_places
                ),
                ("chnv-travel-authorizations-monthly", "2023-05", 1, 2)
            );
        }
        other => panic!("{other:?}"),
    }
    // Next month is a fresh bucket.
    assert!(plan_reservation(&c, "us-chnv-cuba", "CUB", date("2023-06-01"), 2, &totals).is_ok());
    // A program without caps always fits.
    assert!(
        plan_reservation(&c, "us-h2a", "MEX", date("2023-06-01"), 5, &|_| None)
            .unwrap()
            .charges
            .is_empty()
    );
}

#[test]
fn movements_and_replay() {
    let t = BucketTotals::new(3);
    let t = apply(t, &Movement::Reserve, 2).unwrap();
    assert_eq!(t.remaining_places(), 1);
    assert!(apply(t, &Movement::Reserve, 2).is_err());
    let t = apply(t, &Movement::Use, 1).unwrap();
    let t = apply(t, &Movement::Release, 1).unwrap();
    assert_eq!(
        (
            t.reserved_places,
            t.used_places,
            t.released_places,
            t.remaining_places()
        ),
        (0, 1, 1, 2)
    );
    assert!(
        apply(t, &Movement::Release, 1).is_err(),
        "nothing left to release"
    );
    let raise = Movement::Raise {
        reason: "".into(),
        event_id: None,
        task_key: None,
    };
    assert!(apply(t, &raise, 5).is_err(), "a raise needs a reason");

    let c = catalogue();
    let bucket = BucketKey {
        pool: "us-h2b-fy2022-nca-haiti-set-aside".into(),
        period: "total".into(),
    };
    let entry = |referral: &str, movement: Movement, places: u64, on: &str| LedgerEntry {
        bucket: bucket.clone(),
        program: "us-h2b-fy2022-nca-haiti".into(),
        referral_id: Some(referral.into()),
        movement,
        places,
        on: date(on),
    };
    let mut ledger = vec![
        entry("r1", Movement::Reserve, 1, "2022-06-01"),
        entry("r2", Movement::Reserve, 1, "2022-06-02"),
        entry("r1", Movement::Use, 1, "2022-07-01"),
        entry("r2", Movement::Release, 1, "2022-07-02"),
        entry("r3", Movement::Reserve, 1, "2022-08-01"),
    ];
    let totals = replay(&c, &ledger).unwrap();
    assert_eq!(totals[&bucket].remaining_places(), 11_500 - 2);
    let commitment = CommitmentRef {
        owner: "USA".into(),
        title: "H-2B seasonal worker visas for Northern Central America and Haiti".into(),
    };
    let progress = commitment_progress(
        &c,
        &commitment,
        &ledger,
        date("2022-06-10"),
        date("2022-09-30"),
    );
    assert_eq!((progress.used_places, progress.programs.len()), (1, 1));
    ledger.push(entry("r4", Movement::Use, 1, "2022-08-02"));
    assert!(
        matches!(replay(&c, &ledger), Err(PathwaysError::Ledger { .. })),
        "r4 used without a reservation"
    );
}

#[test]
fn emergency_capacity_raises_a_cap_with_a_reason() {
    let c = catalogue();
    let raise = CapRaise {
        pool: "chnv-travel-authorizations-monthly".into(),
        period: "2023-06".into(),
        places: 5_000,
        reason: "Confirmed Haitian surge event: playbook task opens emergency capacity".into(),
        event_id: Some("event-42".into()),
        task_key: Some("open-capacity".into()),
        on: date("2023-06-02"),
    };
    let line = raise.to_entry(&c).unwrap();
    let totals = replay(&c, std::slice::from_ref(&line)).unwrap();
    assert_eq!(totals[&line.bucket].capacity_places(), 35_000);
    let no_reason = CapRaise {
        reason: " ".into(),
        ..raise.clone()
    };
    assert!(no_reason.to_entry(&c).is_err());
    let bad_period = CapRaise {
        period: "June".into(),
        ..raise.clone()
    };
    assert!(bad_period.to_entry(&c).is_err());
    let unknown = CapRaise {
        pool: "nope".into(),
        ..raise
    };
    assert!(unknown.to_entry(&c).is_err());
}
