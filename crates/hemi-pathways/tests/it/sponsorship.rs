//! Supporter capacity against the HHS poverty guideline, vetting flags, matching.

use std::collections::BTreeMap;

use hemi_pathways::sponsorship::{
    capacity, guideline_for, match_households, normalise_address, vet, BeneficiaryHousehold,
    GuidelineRegion, Supporter, VettingFlag, VettingRules,
};

fn supporter(id: &str, income: u64, household: u32, address: &str) -> Supporter {
    Supporter {
        supporter_id: id.into(),
        name: format!("Supporter {id}"),
        address: address.into(),
        region: GuidelineRegion::Contiguous,
        household_size: household,
        annual_income_usd: income,
        identity_verified: true,
        current_beneficiaries: 0,
        declarations_past_12_months: 1,
    }
}

#[test]
fn guideline_table_and_capacity() {
    let g = guideline_for(2024, GuidelineRegion::Contiguous).unwrap();
    assert_eq!(
        (g.first_person_usd, g.each_additional_person_usd),
        (15_060, 5_380)
    );
    assert_eq!(g.for_household(4), 15_060 + 3 * 5_380);
    assert_eq!(
        guideline_for(2026, GuidelineRegion::Contiguous)
            .unwrap()
            .year,
        2025,
        "latest earlier year"
    );
    assert!(guideline_for(2022, GuidelineRegion::Contiguous).is_none());
    // Household of 2 earning exactly the guideline for 4 can take 2 more people.
    let s = supporter("S1", g.for_household(4), 2, "1 Elm St");
    let cases = [
        (g.for_household(4), 2),
        (g.for_household(4) - 1, 1),
        (g.for_household(2) - 1, 0),
        (g.for_household(9), 7),
    ];
    for (income, extra) in cases {
        let c = capacity(
            &Supporter {
                annual_income_usd: income,
                ..s.clone()
            },
            &g,
            100,
        );
        assert_eq!(c.additional_beneficiaries, extra, "income {income}");
    }
    // 125% of the guideline for 3 (32,275) is more than the guideline for 4 (31,200).
    assert_eq!(
        capacity(&s, &g, 125).additional_beneficiaries,
        0,
        "a higher share leaves less room"
    );
}

#[test]
fn vetting_flags_serial_sponsors_shared_addresses_and_low_income() {
    let g = guideline_for(2024, GuidelineRegion::Contiguous).unwrap();
    let mut serial = supporter("S2", 200_000, 1, "12 Elm St., Apt 3");
    serial.declarations_past_12_months = 9;
    let mut unverified = supporter("S3", 200_000, 1, "12 elm st apt 3");
    unverified.identity_verified = false;
    let poor = supporter("S4", 20_000, 1, "9 Oak Rd");
    let fine = supporter("S5", 80_000, 2, "3 Pine Ave");
    let asked: BTreeMap<String, u32> = [("S4".to_owned(), 2), ("S5".to_owned(), 2)]
        .into_iter()
        .collect();
    let v = vet(
        &[serial, unverified, poor, fine],
        &asked,
        &g,
        VettingRules::default(),
    );
    assert!(v[0]
        .flags
        .iter()
        .any(|f| matches!(f, VettingFlag::SerialSponsor { declarations: 9 })));
    assert!(v[0].flags.iter().any(|f| matches!(f, VettingFlag::SharedAddress { other_supporters } if other_supporters == &["S3"])));
    assert!(v[1].flags.contains(&VettingFlag::IdentityNotVerified));
    assert!(v[2]
        .flags
        .iter()
        .any(|f| matches!(f, VettingFlag::IncomeBelowGuideline { .. })));
    assert!(v[3].flags.is_empty(), "{:?}", v[3].flags);
    assert_eq!(
        normalise_address("12 Elm St., Apt 3"),
        normalise_address(" 12  ELM st apt 3 ")
    );
}

#[test]
fn households_are_matched_whole_and_named_supporters_first() {
    let g = guideline_for(2024, GuidelineRegion::Contiguous).unwrap();
    let a = supporter("A", g.for_household(5), 1, "1 A St");
    let b = supporter("B", g.for_household(3), 1, "2 B St");
    let flagged = Supporter {
        identity_verified: false,
        ..supporter("C", 500_000, 1, "3 C St")
    };
    let v = vet(
        &[a, b, flagged],
        &BTreeMap::new(),
        &g,
        VettingRules::default(),
    );
    let households = vec![
        BeneficiaryHousehold {
            household_id: "H1".into(),
            members: 2,
            named_supporters: vec!["B".into()],
        },
        BeneficiaryHousehold {
            household_id: "H2".into(),
            members: 4,
            named_supporters: vec![],
        },
        BeneficiaryHousehold {
            household_id: "H3".into(),
            members: 3,
            named_supporters: vec!["C".into()],
        },
    ];
    let (matches, unmatched) = match_households(&households, &v);
    let by: BTreeMap<&str, (&str, bool)> = matches
        .iter()
        .map(|m| (m.household_id.as_str(), (m.supporter_id.as_str(), m.named)))
        .collect();
    assert_eq!(by["H1"], ("B", true));
    assert_eq!(by["H2"], ("A", false));
    assert_eq!(
        unmatched,
        ["H3"],
        "C is flagged and nobody else has room for 3"
    );
}
