//! Table-driven eligibility tests: for each program a person who qualifies, and one
//! change at a time that makes them not eligible or leaves information missing.

use std::collections::BTreeMap;

use hemi_pathways::facts::{list, text};
use hemi_pathways::{FactValue, Facts, Screener, Verdict};

use crate::support::{catalogue, date};

fn family(state: &str, relations: &[&str]) -> FactValue {
    let mut m = BTreeMap::new();
    m.insert(
        state.to_owned(),
        relations.iter().map(|s| (*s).to_owned()).collect(),
    );
    FactValue::Map(m)
}

/// A person with every fact any rule reads, set so that the CHNV Cuba rules pass.
fn base() -> Facts {
    Facts::new()
        .with("nationality", text("CUB"))
        .with("age_years", FactValue::Int(30))
        .with("sex", text("female"))
        .with("location", text("CUB"))
        .with("present_in_location_since", text("2020-01-01"))
        .with("documents", list(&["passport", "national_id"]))
        .with("languages", list(&["es"]))
        .with("occupations_isco", list(&["9211"]))
        .with("experience_years", FactValue::Int(5))
        .with("family_in", family("USA", &["sibling"]))
        .with("anchor_willing", FactValue::Bool(false))
        .with("has_us_supporter", FactValue::Bool(true))
        .with("travels_with_parent_or_guardian", FactValue::Bool(false))
        .with("irregular_entry_after_cutoff", FactValue::Bool(false))
        .with("us_removal_order_past_5_years", FactValue::Bool(false))
        .with("approved_i130", FactValue::Bool(false))
        .with("frp_invitation", FactValue::Bool(false))
        .with("immigrant_visa_issued", FactValue::Bool(false))
        .with("referred_for_resettlement", FactValue::Bool(false))
        .with("unhcr_referral", FactValue::Bool(false))
        .with("urgent_protection_need", FactValue::Bool(false))
        .with("job_offer_program", text("none"))
        .with("job_offer_location", text("none"))
        .with("plans_to_live_in_quebec", FactValue::Bool(false))
}

#[derive(Clone)]
enum Change {
    Set(&'static str, FactValue),
    Remove(&'static str),
}
use Change::{Remove, Set};

fn person(changes: &[Change]) -> Facts {
    let mut f = base();
    for c in changes {
        match c {
            Set(name, v) => {
                f.set(name, v.clone());
            }
            Remove(name) => f.remove(name),
        }
    }
    f
}

/// Screen `facts` for `program` on `on`; check the verdict and that some reason
/// contains `reason`.
fn check(
    screener: &Screener,
    program: &str,
    on: &str,
    facts: Facts,
    verdict: Verdict,
    reason: &str,
) {
    let e = screener.screen_program(program, &facts, date(on)).unwrap();
    assert_eq!(e.verdict, verdict, "{program} on {on}: {:#?}", e.reasons);
    assert!(
        e.reasons.iter().any(|r| r.contains(reason)),
        "{program}: no reason containing {reason:?} in {:#?}",
        e.reasons
    );
}

fn b(v: bool) -> FactValue {
    FactValue::Bool(v)
}
fn i(v: i64) -> FactValue {
    FactValue::Int(v)
}

#[test]
fn chnv() {
    let s = Screener::new(&catalogue()).unwrap();
    let on = "2024-03-01";
    use Verdict::*;
    let cases: Vec<(&str, Vec<Change>, Verdict, &str)> = vec![
        ("us-chnv-cuba", vec![], Eligible, "Nationality is Cuban"),
        (
            "us-chnv-cuba",
            vec![Set("nationality", text("HTI"))],
            NotEligible,
            "Nationality must be Cuban",
        ),
        (
            "us-chnv-haiti",
            vec![
                Set("nationality", text("HTI")),
                Set("location", text("HTI")),
            ],
            Eligible,
            "Haitian",
        ),
        (
            "us-chnv-cuba",
            vec![Set("location", text("USA"))],
            NotEligible,
            "outside the United States",
        ),
        (
            "us-chnv-cuba",
            vec![Set("has_us_supporter", b(false))],
            NotEligible,
            "Form I-134A",
        ),
        (
            "us-chnv-cuba",
            vec![Set("documents", list(&["national_id"]))],
            NotEligible,
            "unexpired passport",
        ),
        (
            "us-chnv-cuba",
            vec![Set("age_years", i(15))],
            NotEligible,
            "parent or legal guardian",
        ),
        (
            "us-chnv-cuba",
            vec![
                Set("age_years", i(15)),
                Set("travels_with_parent_or_guardian", b(true)),
            ],
            Eligible,
            "minor travelling",
        ),
        (
            "us-chnv-cuba",
            vec![Set("irregular_entry_after_cutoff", b(true))],
            NotEligible,
            "after 2023-01-09",
        ),
        (
            "us-chnv-venezuela",
            vec![
                Set("nationality", text("VEN")),
                Set("irregular_entry_after_cutoff", b(true)),
            ],
            NotEligible,
            "after 2022-10-19",
        ),
        (
            "us-chnv-cuba",
            vec![Set("us_removal_order_past_5_years", b(true))],
            NotEligible,
            "ordered removed",
        ),
        (
            "us-chnv-cuba",
            vec![Remove("has_us_supporter")],
            NeedsInformation,
            "needs information: has_us_supporter",
        ),
        // An adult does not need the guardian fact: CEL short-circuits `||`.
        (
            "us-chnv-cuba",
            vec![Remove("travels_with_parent_or_guardian")],
            Eligible,
            "Is an adult",
        ),
        (
            "us-chnv-cuba",
            vec![
                Set("age_years", i(12)),
                Remove("travels_with_parent_or_guardian"),
            ],
            NeedsInformation,
            "travels_with_parent_or_guardian",
        ),
        (
            "us-chnv-cuba",
            vec![Set("age_years", text("thirty"))],
            NeedsInformation,
            "age_years (recorded as text, must be a whole number)",
        ),
        (
            "us-chnv-cuba",
            vec![Remove("nationality"), Set("location", text("USA"))],
            NotEligible,
            "outside the United States",
        ),
    ];
    for (program, changes, verdict, reason) in cases {
        check(&s, program, on, person(&changes), verdict, reason);
    }
    // Closed on 2025-03-25 by 90 FR 13611.
    check(
        &s,
        "us-chnv-cuba",
        "2025-03-25",
        person(&[]),
        NotEligible,
        "90 FR 13611",
    );
    check(
        &s,
        "us-chnv-cuba",
        "2022-12-01",
        person(&[]),
        NotEligible,
        "opens for applications on 2023-01-09",
    );
}

#[test]
fn family_reunification() {
    let s = Screener::new(&catalogue()).unwrap();
    use Verdict::*;
    let ok = |nat: &'static str| {
        vec![
            Set("nationality", text(nat)),
            Set("location", text(nat)),
            Set("approved_i130", b(true)),
            Set("frp_invitation", b(true)),
        ]
    };
    for (program, nat) in [
        ("us-frp-cuba", "CUB"),
        ("us-frp-haiti", "HTI"),
        ("us-frp-colombia", "COL"),
        ("us-frp-el-salvador", "SLV"),
        ("us-frp-guatemala", "GTM"),
        ("us-frp-honduras", "HND"),
    ] {
        check(
            &s,
            program,
            "2024-06-01",
            person(&ok(nat)),
            Eligible,
            "approved Form I-130",
        );
        let mut no_invite = ok(nat);
        no_invite.push(Set("frp_invitation", b(false)));
        check(
            &s,
            program,
            "2024-06-01",
            person(&no_invite),
            NotEligible,
            "invites the petitioner",
        );
        let mut visa = ok(nat);
        visa.push(Set("immigrant_visa_issued", b(true)));
        check(
            &s,
            program,
            "2024-06-01",
            person(&visa),
            NotEligible,
            "already have an immigrant visa",
        );
        check(
            &s,
            program,
            "2025-12-15",
            person(&ok(nat)),
            NotEligible,
            "90 FR 58032",
        );
    }
    check(
        &s,
        "us-frp-colombia",
        "2023-07-01",
        person(&ok("COL")),
        NotEligible,
        "opens for applications on 2023-07-10",
    );
}

#[test]
fn labour_programs() {
    let s = Screener::new(&catalogue()).unwrap();
    use Verdict::*;
    let gtm_h2b = vec![
        Set("nationality", text("GTM")),
        Set("location", text("GTM")),
        Set("job_offer_program", text("us-h2b")),
    ];
    check(
        &s,
        "us-h2b",
        "2024-01-10",
        person(&gtm_h2b),
        Eligible,
        "H-2B job offer",
    );
    check(
        &s,
        "us-h2b-fy2022-nca-haiti",
        "2022-06-01",
        person(&gtm_h2b),
        Eligible,
        "Salvadoran, Guatemalan, Honduran or Haitian",
    );
    check(
        &s,
        "us-h2b-fy2022-nca-haiti",
        "2022-10-01",
        person(&gtm_h2b),
        NotEligible,
        "stopped taking applications on 2022-10-01",
    );
    let mex_h2b = vec![
        Set("nationality", text("MEX")),
        Set("job_offer_program", text("us-h2b")),
    ];
    check(
        &s,
        "us-h2b-fy2022-nca-haiti",
        "2022-06-01",
        person(&mex_h2b),
        NotEligible,
        "must be Salvadoran",
    );
    check(
        &s,
        "us-h2b-fy2024-reserved",
        "2024-02-01",
        person(&[
            Set("nationality", text("CRI")),
            Set("job_offer_program", text("us-h2b")),
        ]),
        Eligible,
        "seven reserved",
    );
    let mex_h2a = vec![
        Set("nationality", text("MEX")),
        Set("job_offer_program", text("us-h2a")),
    ];
    check(
        &s,
        "us-h2a",
        "2024-01-10",
        person(&mex_h2a),
        Eligible,
        "H-2A job offer",
    );
    check(
        &s,
        "us-h2a",
        "2024-01-10",
        person(&[
            Set("nationality", text("CUB")),
            Set("job_offer_program", text("us-h2a")),
        ]),
        NotEligible,
        "DHS list",
    );
    let sawp = vec![
        Set("nationality", text("JAM")),
        Set("job_offer_program", text("ca-sawp")),
    ];
    check(
        &s,
        "ca-sawp",
        "2024-01-10",
        person(&sawp),
        Eligible,
        "agricultural work experience",
    );
    let mut cook = sawp.clone();
    cook.push(Set("occupations_isco", list(&["5120"])));
    check(
        &s,
        "ca-sawp",
        "2024-01-10",
        person(&cook),
        NotEligible,
        "farm work",
    );
    let tvtf = vec![
        Set("nationality", text("GTM")),
        Set("job_offer_program", text("mx-tvtf")),
        Set("job_offer_location", text("MX-CHP")),
    ];
    check(
        &s,
        "mx-tvtf",
        "2024-01-10",
        person(&tvtf),
        Eligible,
        "Campeche, Chiapas, Tabasco or Quintana Roo",
    );
    let mut far = tvtf.clone();
    far.push(Set("job_offer_location", text("MX-NLE")));
    check(
        &s,
        "mx-tvtf",
        "2024-01-10",
        person(&far),
        NotEligible,
        "Needs a job offer",
    );
    let mut young = tvtf.clone();
    young.push(Set("age_years", i(15)));
    check(
        &s,
        "mx-tvtf",
        "2024-01-10",
        person(&young),
        NotEligible,
        "16 or older",
    );
}

#[test]
fn humanitarian_and_refugee_programs() {
    let s = Screener::new(&catalogue()).unwrap();
    use Verdict::*;
    let ven_in_col = vec![
        Set("nationality", text("VEN")),
        Set("location", text("COL")),
        Set("family_in", family("CAN", &["sibling"])),
        Set("anchor_willing", b(true)),
    ];
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&ven_in_col),
        Eligible,
        "citizen or permanent resident",
    );
    let mut cousin = ven_in_col.clone();
    cousin.push(Set("family_in", family("CAN", &["cousin"])));
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&cousin),
        NotEligible,
        "Needs a spouse",
    );
    let mut us_family = ven_in_col.clone();
    us_family.push(Set("family_in", family("USA", &["sibling"])));
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&us_family),
        NotEligible,
        "Needs a spouse",
    );
    let mut quebec = ven_in_col.clone();
    quebec.push(Set("plans_to_live_in_quebec", b(true)));
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&quebec),
        NotEligible,
        "outside Quebec",
    );
    let mut in_spain = ven_in_col.clone();
    in_spain.push(Set("location", text("ESP")));
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&in_spain),
        NotEligible,
        "Caribbean when applying",
    );
    let mut no_family = ven_in_col.clone();
    no_family.push(Remove("family_in"));
    check(
        &s,
        "ca-humanitarian-col-hti-ven",
        "2023-12-01",
        person(&no_family),
        NeedsInformation,
        "family_in",
    );

    let refugee = vec![
        Set("nationality", text("VEN")),
        Set("location", text("COL")),
        Set("referred_for_resettlement", b(true)),
    ];
    check(
        &s,
        "us-usrap-latin-america-caribbean",
        "2024-02-01",
        person(&refugee),
        Eligible,
        "referral",
    );
    let mut at_home = refugee.clone();
    at_home.push(Set("location", text("VEN")));
    check(
        &s,
        "us-usrap-latin-america-caribbean",
        "2024-02-01",
        person(&at_home),
        NotEligible,
        "outside the country of nationality",
    );
    let upp = vec![
        Set("nationality", text("HTI")),
        Set("location", text("DOM")),
        Set("unhcr_referral", b(true)),
        Set("urgent_protection_need", b(true)),
    ];
    check(
        &s,
        "ca-urgent-protection",
        "2024-02-01",
        person(&upp),
        Eligible,
        "immediate threat",
    );
    let mut not_urgent = upp.clone();
    not_urgent.push(Set("urgent_protection_need", b(false)));
    check(
        &s,
        "ca-urgent-protection",
        "2024-02-01",
        person(&not_urgent),
        NotEligible,
        "immediate threat",
    );
}

#[test]
fn safe_mobility_offices() {
    let s = Screener::new(&catalogue()).unwrap();
    use Verdict::*;
    let col = vec![
        Set("nationality", text("VEN")),
        Set("location", text("COL")),
        Set("present_in_location_since", text("2023-06-11")),
    ];
    check(
        &s,
        "safe-mobility-col",
        "2024-01-15",
        person(&col),
        Eligible,
        "on or before 2023-06-11",
    );
    let mut late = col.clone();
    late.push(Set("present_in_location_since", text("2023-06-12")));
    check(
        &s,
        "safe-mobility-col",
        "2024-01-15",
        person(&late),
        NotEligible,
        "on or before 2023-06-11",
    );
    let mut nica = col.clone();
    nica.push(Set("nationality", text("NIC")));
    check(
        &s,
        "safe-mobility-col",
        "2024-01-15",
        person(&nica),
        NotEligible,
        "serves Cuban, Haitian or Venezuelan",
    );
    check(
        &s,
        "safe-mobility-cri",
        "2024-01-15",
        person(&[
            Set("nationality", text("NIC")),
            Set("location", text("CRI")),
            Set("present_in_location_since", text("2023-01-01")),
        ]),
        Eligible,
        "Nicaraguan or Venezuelan",
    );
    check(
        &s,
        "safe-mobility-ecu",
        "2024-01-15",
        person(&[
            Set("nationality", text("COL")),
            Set("location", text("ECU")),
            Set("present_in_location_since", text("2023-10-18")),
        ]),
        Eligible,
        "Ecuador",
    );
    check(
        &s,
        "safe-mobility-gtm",
        "2024-01-15",
        person(&[
            Set("nationality", text("GTM")),
            Set("location", text("GTM")),
            Remove("present_in_location_since"),
        ]),
        Eligible,
        "Guatemalan",
    );
    check(
        &s,
        "safe-mobility-col",
        "2025-02-01",
        person(&col),
        NotEligible,
        "stopped taking applications",
    );
}

#[test]
fn every_program_is_screened_and_nothing_panics_on_an_empty_person() {
    let s = Screener::new(&catalogue()).unwrap();
    let all = s.screen_explained(&Facts::new(), date("2024-01-15"));
    assert_eq!(all.len(), s.catalogue().programs.len());
    for e in &all {
        if e.open {
            assert_eq!(e.verdict, Verdict::NeedsInformation, "{}", e.program);
            assert!(!e.needs_information.is_empty(), "{}", e.program);
            assert!(
                e.reasons.iter().all(|r| r.starts_with("needs information")),
                "{:?}",
                e.reasons
            );
        } else {
            assert_eq!(e.verdict, Verdict::NotEligible);
        }
    }
    assert!(
        s.distinct_rules()
            < s.catalogue()
                .programs
                .iter()
                .map(|p| p.rules.len())
                .sum::<usize>()
    );
}

#[test]
fn bulk_screening_agrees_with_one_by_one_and_reports_progress() {
    let s = Screener::new(&catalogue()).unwrap();
    let people: Vec<Facts> = (0..3000)
        .map(|k| {
            let nat = ["CUB", "HTI", "VEN", "GTM", "COL"][k % 5];
            let mut f = person(&[
                Set("nationality", text(nat)),
                Set("age_years", i((k % 60) as i64)),
            ]);
            if k % 7 == 0 {
                f.remove("has_us_supporter");
            }
            f
        })
        .collect();
    let calls = std::sync::atomic::AtomicU64::new(0);
    let bulk = s.screen_many(&people, date("2024-01-15"), &|done, total| {
        assert!(done <= total);
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(calls.into_inner() >= 1);
    for (k, f) in people.iter().enumerate().step_by(97) {
        let mut cache = s.cache();
        assert_eq!(
            bulk[k],
            s.screen(f, date("2024-01-15"), &mut cache),
            "person {k}"
        );
    }
    let summary = s.summarise(&bulk);
    assert_eq!(summary.people, 3000);
    let cuba = summary.by_program["us-chnv-cuba"];
    assert_eq!(cuba.iter().sum::<u64>(), 3000);
    assert!(cuba[0] > 0 && cuba[1] > 0 && cuba[2] > 0, "{cuba:?}");
}
