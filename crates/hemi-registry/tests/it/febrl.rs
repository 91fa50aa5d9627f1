//! FEBRL benchmarks (fixtures extracted by test_data/febrl/make_fixtures.py) against
//! Splink run on the same files (test_data/splink/febrl_reference.json, written by
//! test_data/splink/run_splink.py).

use crate::{test_data, tolerance};
use hemi_registry::eval::{evaluate_pairs, pairs_from_clusters};
use hemi_registry::linkage::csvio::{read_records, BadDates};
use hemi_registry::linkage::{LinkRecord, LinkSession, NoProgress, Settings};

fn read(name: &str) -> Vec<LinkRecord> {
    let file = std::fs::File::open(test_data(&format!("febrl/{name}"))).expect("fixture present");
    read_records(file, name, BadDates::TreatAsMissing)
        .expect("fixture parses")
        .records
}

fn truth(name: &str) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(test_data(&format!("febrl/{name}"))).expect("fixture present");
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

fn reference_f1(dataset: &str) -> f64 {
    let text = std::fs::read_to_string(test_data("splink/febrl_reference.json"))
        .expect("reference present");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v[dataset]["f1_at_0.5"].as_f64().expect("reference F1")
}

fn settings() -> Settings {
    let mut s = Settings::febrl(42);
    // Fewer random pairs than the benchmark keeps the unoptimised test build quick.
    s.training.u_sample_pairs = 200_000;
    s
}

fn check_dedupe(dataset: &str, links: &str, minimum_f1: f64) {
    let records = read(&format!("{dataset}.csv"));
    let (_, out) = LinkSession::dedupe(&records, &settings(), &[], &NoProgress).expect("runs");
    let s = evaluate_pairs(&pairs_from_clusters(&out.clusters, None), &truth(links));
    assert!(
        s.f1 >= minimum_f1,
        "{dataset}: F1 {:.4} below {minimum_f1:.4} ({s:?})",
        s.f1
    );
}

#[test]
fn febrl3_deduplication_is_at_least_as_good_as_splink() {
    let reference = reference_f1("febrl3");
    check_dedupe(
        "febrl3",
        "febrl3_links.csv",
        (reference - tolerance::F1_BELOW_REFERENCE).max(0.99),
    );
}

#[test]
fn febrl1_deduplication() {
    check_dedupe("febrl1", "febrl1_links.csv", 0.99);
}

#[test]
fn febrl4_linking_is_at_least_as_good_as_splink() {
    let a = read("febrl4a.csv");
    let b = read("febrl4b.csv");
    let (_, out) = LinkSession::link(&a, &b, &settings(), &[], &NoProgress).expect("runs");
    let sides = a
        .iter()
        .map(|r| (r.record_id.clone(), 0u8))
        .chain(b.iter().map(|r| (r.record_id.clone(), 1u8)))
        .collect();
    let s = evaluate_pairs(
        &pairs_from_clusters(&out.clusters, Some(&sides)),
        &truth("febrl4_links.csv"),
    );
    let reference = reference_f1("febrl4");
    let minimum = (reference - tolerance::F1_BELOW_REFERENCE).max(0.998);
    assert!(
        s.f1 >= minimum,
        "FEBRL4: F1 {:.4} below {minimum:.4} ({s:?})",
        s.f1
    );
    // One-to-one: no record of one file linked to two of the other.
    let mut seen = std::collections::HashSet::new();
    for (x, y) in pairs_from_clusters(&out.clusters, Some(&sides)) {
        assert!(
            seen.insert(x.clone()) && seen.insert(y.clone()),
            "{x} or {y} linked twice"
        );
    }
}
