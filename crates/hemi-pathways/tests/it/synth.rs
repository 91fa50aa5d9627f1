//! Synthetic applicants follow the mix computed from the real flow tables.

use std::collections::BTreeMap;

use hemi_pathways::synth::{mix_from_rows, synth, FlowRow, SexAge};
use hemi_pathways::{FactValue, Screener};

use crate::support::{catalogue, date, repo_root};

fn rows(file: &str, age: bool) -> Vec<FlowRow> {
    let mut r = csv::Reader::from_path(repo_root().join("data/flows").join(file)).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            let (age_col, count) = if age {
                (Some(x[2].to_owned()), &x[3])
            } else {
                (None, &x[2])
            };
            FlowRow {
                period: x[0].to_owned(),
                category: x[1].to_owned(),
                age: age_col,
                count: count.parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn mix_from_panama_and_honduras_tables() {
    let pan = mix_from_rows(
        &rows("panama_darien_transits_by_nationality.csv", false),
        &rows("panama_darien_transits_by_sex_age.csv", false),
        "2023-01",
        "2023-12",
        10,
    )
    .unwrap();
    let top = pan
        .nationality
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    assert_eq!(top.0, "VEN", "Venezuelans led the Darien crossings in 2023");
    assert!((pan.nationality.values().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(pan.sex_age[&SexAge::Man] > pan.sex_age[&SexAge::Woman]);
    let hnd = mix_from_rows(
        &rows("honduras_irregular_entries_by_nationality.csv", false),
        &rows("honduras_irregular_entries_by_sex_age.csv", false),
        "2023-01",
        "2023-12",
        10,
    )
    .unwrap();
    assert_eq!(hnd.sex_age.len(), 4);
    let mex = mix_from_rows(
        &rows("mexico_irregular_presented_by_nationality.csv", false),
        &rows("mexico_irregular_presented_by_sex_age.csv", true),
        "2023-01",
        "2023-12",
        10,
    )
    .unwrap();
    assert!(mex.sex_age.contains_key(&SexAge::Girl));
    assert!(mix_from_rows(&[], &[], "2023-01", "2023-12", 5).is_err());
}

#[test]
fn synthetic_caseload_follows_the_mix_and_is_reproducible() {
    let mix = mix_from_rows(
        &rows("panama_darien_transits_by_nationality.csv", false),
        &rows("panama_darien_transits_by_sex_age.csv", false),
        "2023-01",
        "2023-12",
        8,
    )
    .unwrap();
    let a = synth(4000, 42, &mix, date("2024-01-15"), &["SMO-COL-BOG"]).unwrap();
    let b = synth(4000, 42, &mix, date("2024-01-15"), &["SMO-COL-BOG"]).unwrap();
    assert_eq!(a, b, "same seed, same caseload");
    assert_ne!(
        a,
        synth(4000, 43, &mix, date("2024-01-15"), &["SMO-COL-BOG"]).unwrap()
    );
    let mut by_nat: BTreeMap<String, f64> = BTreeMap::new();
    for h in &a {
        *by_nat
            .entry(h.application.members[0].nationality.clone())
            .or_default() += 1.0;
    }
    for (nat, share) in &mix.nationality {
        let got = by_nat.get(nat).copied().unwrap_or(0.0) / a.len() as f64;
        // 4000 households: three binomial standard deviations.
        let tol = 3.0 * (share * (1.0 - share) / a.len() as f64).sqrt() + 1e-3;
        assert!((got - share).abs() <= tol, "{nat}: {got:.4} vs {share:.4}");
    }
    let people: Vec<_> = a.iter().flat_map(|h| h.facts.iter()).collect();
    let minors = people
        .iter()
        .filter(|f| matches!(f.get("age_years"), Some(FactValue::Int(x)) if *x < 18))
        .count() as f64;
    let child_share = mix.sex_age.get(&SexAge::Boy).unwrap_or(&0.0)
        + mix.sex_age.get(&SexAge::Girl).unwrap_or(&0.0);
    assert!(
        minors / people.len() as f64 <= child_share + 0.02,
        "heads are adults, so minors do not exceed the mix"
    );
    assert!(a.iter().all(|h| h
        .application
        .members
        .iter()
        .any(|m| m.relationship == "principal")));
    // The synthetic caseload screens without trouble.
    let s = Screener::new(&catalogue()).unwrap();
    let facts: Vec<_> = people.into_iter().cloned().collect();
    let summary = s.summarise(&s.screen_many(&facts, date("2024-01-15"), &|_, _| {}));
    assert!(
        summary.by_program["safe-mobility-col"][0] > 0,
        "{:?}",
        summary.by_program["safe-mobility-col"]
    );
}
