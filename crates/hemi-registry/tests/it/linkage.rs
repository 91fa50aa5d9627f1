//! Linkage on the synthetic registry: quality floor, the household rule, stable cluster
//! ids in incremental runs, caseworker decisions, explanations, and the CSV interface.

use crate::tolerance;
use hemi_registry::eval::evaluate_clusters;
use hemi_registry::linkage::csvio::{
    read_clusters, read_records, write_clusters, write_records, BadDates,
};
use hemi_registry::linkage::{
    ClusterAssignment, LinkRecord, LinkSession, NoProgress, ReviewDecision, ReviewReason, Settings,
};
use std::collections::HashMap;

fn settings(seed: u64) -> Settings {
    let mut s = Settings::registry(seed);
    s.training.u_sample_pairs = 200_000;
    s
}

fn small_registry(seed: u64) -> hemi_registry::synth::SynthRegistry {
    hemi_registry::synth::synth(4_000, 0.1, seed)
}

#[test]
fn synthetic_registry_quality_floor_on_a_held_out_seed() {
    // Seed 1 is the tuning seed; 11 was never looked at while tuning.
    let reg = small_registry(11);
    let (_, out) =
        LinkSession::dedupe(&reg.records, &settings(11), &[], &NoProgress).expect("runs");
    let s = evaluate_clusters(&out.clusters, &reg.truth);
    assert!(s.precision >= 0.97 && s.recall >= 0.93, "{s:?}");
}

#[test]
fn two_members_of_one_household_are_never_one_cluster() {
    let reg = small_registry(12);
    let (_, out) =
        LinkSession::dedupe(&reg.records, &settings(12), &[], &NoProgress).expect("runs");
    let household_of: HashMap<&str, &str> = reg
        .records
        .iter()
        .map(|r| (r.record_id.as_str(), r.household_id.as_str()))
        .collect();
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    for c in &out.clusters {
        let h = household_of[c.record_id.as_str()];
        if let Some(other) = seen.insert((c.cluster_id.as_str(), h), c.record_id.as_str()) {
            panic!(
                "{other} and {} share household {h} and cluster {}",
                c.record_id, c.cluster_id
            );
        }
    }
    assert!(
        out.stats
            .merges_refused
            .get("SameHousehold")
            .copied()
            .unwrap_or(0)
            > 0,
        "the rule was exercised"
    );
}

#[test]
fn incremental_runs_keep_existing_cluster_ids_and_find_new_duplicates() {
    let reg = small_registry(13);
    let split = reg.records.len() - 300;
    let (existing, later) = reg.records.split_at(split);
    let (mut session, _) =
        LinkSession::dedupe(existing, &settings(13), &[], &NoProgress).expect("runs");
    let before: Vec<String> = session.cluster_ids().to_vec();
    let out = session.add_records(later, &[], &NoProgress).expect("runs");
    assert_eq!(
        &session.cluster_ids()[..split],
        before.as_slice(),
        "existing ids unchanged"
    );
    assert_eq!(out.clusters.len(), later.len());
    // New records that are true duplicates of earlier persons mostly join their cluster.
    let person: HashMap<&str, &str> = reg
        .truth
        .iter()
        .map(|t| (t.record_id.as_str(), t.cluster_id.as_str()))
        .collect();
    let earlier_persons: std::collections::HashSet<&str> = existing
        .iter()
        .map(|r| person[r.record_id.as_str()])
        .collect();
    let returning: Vec<&ClusterAssignment> = out
        .clusters
        .iter()
        .filter(|c| earlier_persons.contains(person[c.record_id.as_str()]))
        .collect();
    let joined = returning
        .iter()
        .filter(|c| c.cluster_id != c.record_id)
        .count();
    assert!(!returning.is_empty());
    assert!(
        joined as f64 >= 0.85 * returning.len() as f64,
        "{joined} of {} returning persons linked",
        returning.len()
    );
    // A session rebuilt from stored records, cluster ids and the stored model (JSON) links
    // the same batch the same way.
    let model_json = serde_json::to_string(session.model()).expect("model serialises");
    let model: hemi_registry::linkage::Model =
        serde_json::from_str(&model_json).expect("model reads back");
    let mut resumed =
        LinkSession::resume(existing, &before, model, &settings(13)).expect("resumes");
    let again = resumed.add_records(later, &[], &NoProgress).expect("runs");
    assert_eq!(
        again.clusters, out.clusters,
        "resumed session links as the live one did"
    );
    // A record id already in the registry is refused and nothing changes.
    let n = session.record_ids().len();
    assert!(session.add_records(&later[..1], &[], &NoProgress).is_err());
    assert_eq!(session.record_ids().len(), n);
}

// Eight text fields read best as one call per record in the tables below.
#[allow(clippy::too_many_arguments)]
fn person(
    id: &str,
    given: &str,
    s1: &str,
    s2: &str,
    dob: &str,
    doc: &str,
    phone: &str,
    household: &str,
) -> LinkRecord {
    LinkRecord {
        record_id: id.into(),
        given_name: given.into(),
        first_surname: s1.into(),
        second_surname: s2.into(),
        sex: "F".into(),
        date_of_birth: dob.into(),
        nationality: "VEN".into(),
        document_type: if doc.is_empty() {
            String::new()
        } else {
            "cedula".into()
        },
        document_number: doc.into(),
        phone: phone.into(),
        municipality: "Cúcuta".into(),
        household_id: household.into(),
        ..LinkRecord::default()
    }
}

/// A registry with filler people (so u and the prior can be estimated) and a few named cases.
fn with_cases(cases: Vec<LinkRecord>) -> Vec<LinkRecord> {
    let mut records = hemi_registry::synth::synth(1_500, 0.1, 21).records;
    records.extend(cases);
    records
}

fn cluster_of(out: &[ClusterAssignment], id: &str) -> String {
    out.iter()
        .find(|c| c.record_id == id)
        .map(|c| c.cluster_id.clone())
        .expect("record present")
}

#[test]
fn caseworker_decisions_are_respected_on_rerun() {
    let records = with_cases(vec![
        person(
            "case-a1",
            "Yuleisi",
            "Urdaneta",
            "Quevedo",
            "1991-04-17",
            "V12345678",
            "3001112233",
            "HX1",
        ),
        person(
            "case-a2",
            "Yuleisi",
            "Urdaneta",
            "Quevedo",
            "1991-04-17",
            "V12345678",
            "3001112233",
            "HX2",
        ),
        person(
            "case-b1",
            "Nairobi",
            "Tovar",
            "Lugo",
            "1970-01-02",
            "",
            "",
            "HX3",
        ),
        // Undated, with a similar first name and first surname but another second
        // surname and municipality: compared (an undated record meets others through its
        // names), too weak to link.
        LinkRecord {
            municipality: "Pasto".into(),
            ..person("case-b2", "Nayrobi", "Tobar", "Pérez", "", "", "", "HX4")
        },
    ]);
    let s = settings(3);
    let (session, out) = LinkSession::dedupe(&records, &s, &[], &NoProgress).expect("runs");
    assert_eq!(
        cluster_of(&out.clusters, "case-a1"),
        cluster_of(&out.clusters, "case-a2"),
        "an exact duplicate links"
    );
    assert_ne!(
        cluster_of(&out.clusters, "case-b1"),
        cluster_of(&out.clusters, "case-b2"),
        "weak evidence does not"
    );
    let decisions = vec![
        ReviewDecision {
            record_a: "case-a1".into(),
            record_b: "case-a2".into(),
            same_person: false,
        },
        ReviewDecision {
            record_a: "case-b2".into(),
            record_b: "case-b1".into(),
            same_person: true,
        },
    ];
    let (_, out2) = LinkSession::dedupe(&records, &s, &decisions, &NoProgress).expect("runs");
    assert_ne!(
        cluster_of(&out2.clusters, "case-a1"),
        cluster_of(&out2.clusters, "case-a2")
    );
    assert_eq!(
        cluster_of(&out2.clusters, "case-b1"),
        cluster_of(&out2.clusters, "case-b2")
    );
    assert!(out2
        .links
        .iter()
        .any(|l| l.decided && [l.record_a.as_str(), l.record_b.as_str()].contains(&"case-b1")));
    // Decided pairs never come back to the queue.
    assert!(!out2
        .review
        .iter()
        .any(
            |r| [r.record_a.as_str(), r.record_b.as_str()].contains(&"case-a1")
                && [r.record_a.as_str(), r.record_b.as_str()].contains(&"case-a2")
        ));
    // The explanation of a pair adds up: prior + partial weights = match weight.
    let e = session.explain("case-a1", "case-a2").expect("both present");
    let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.partial_weight).sum::<f64>();
    assert!(
        (sum - e.match_weight).abs() < tolerance::WEIGHT_SUM,
        "{sum} vs {}",
        e.match_weight
    );
    assert_eq!(e.fields.len(), s.comparisons.len());
    assert!(e
        .fields
        .iter()
        .any(|f| f.comparison == "document" && f.level_name == "same number"));
}

#[test]
fn siblings_sharing_surnames_phone_and_household_stay_apart_and_twins_go_to_review() {
    let records = with_cases(vec![
        // Two sisters registered together: one household, one phone, different given names and dates.
        person(
            "sis-1",
            "Oriana",
            "Villasmil",
            "Parra",
            "2004-03-09",
            "",
            "3105556677",
            "HF1",
        ),
        person(
            "sis-2",
            "Marbelis",
            "Villasmil",
            "Parra",
            "2007-11-21",
            "",
            "3105556677",
            "HF1",
        ),
        // Twins registered in two different registrations (no shared household id).
        person(
            "twin-1",
            "Dayerlin",
            "Colina",
            "Bracho",
            "2010-06-15",
            "",
            "3204445566",
            "HT1",
        ),
        person(
            "twin-2",
            "Yorgelis",
            "Colina",
            "Bracho",
            "2010-06-15",
            "",
            "3204445566",
            "HT2",
        ),
    ]);
    let (_, out) = LinkSession::dedupe(&records, &settings(4), &[], &NoProgress).expect("runs");
    assert_ne!(
        cluster_of(&out.clusters, "sis-1"),
        cluster_of(&out.clusters, "sis-2")
    );
    assert_ne!(
        cluster_of(&out.clusters, "twin-1"),
        cluster_of(&out.clusters, "twin-2")
    );
    let twin_review = out
        .review
        .iter()
        .find(|r| [r.record_a.as_str(), r.record_b.as_str()].contains(&"twin-1"));
    assert!(
        matches!(
            twin_review.map(|r| r.reason),
            Some(ReviewReason::PersonFieldsDisagree)
        ),
        "{twin_review:?}"
    );
}

#[test]
fn csv_round_trip_through_the_registry_layout() {
    let reg = hemi_registry::synth::synth(800, 0.1, 5);
    let mut bytes = Vec::new();
    write_records(&mut bytes, &reg.records).expect("in memory");
    let back = read_records(bytes.as_slice(), "registry.csv", BadDates::Refuse).expect("valid");
    assert_eq!(back.records, reg.records);
    let (_, out) =
        LinkSession::dedupe(&back.records, &settings(5), &[], &NoProgress).expect("runs");
    let mut clusters_csv = Vec::new();
    write_clusters(&mut clusters_csv, &out.clusters).expect("in memory");
    let text = String::from_utf8(clusters_csv).expect("utf-8");
    assert!(text.starts_with("record_id,cluster_id\n"));
    assert_eq!(
        read_clusters(text.as_bytes(), "clusters.csv").expect("valid"),
        out.clusters
    );
    // Truth written and read back the same way scores a perfect F1 against itself.
    let mut truth_csv = Vec::new();
    write_clusters(&mut truth_csv, &reg.truth).expect("in memory");
    let truth = read_clusters(truth_csv.as_slice(), "truth.csv").expect("valid");
    assert_eq!(evaluate_clusters(&truth, &reg.truth).f1, 1.0);
}

#[test]
fn bad_settings_and_inputs_are_refused_with_the_value() {
    let mut s = settings(1);
    s.match_probability = 1.5;
    let e = LinkSession::dedupe(&small_registry(1).records[..50], &s, &[], &NoProgress)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("match_probability"), "{e}");
    let twice = vec![
        person("x", "Ana", "Paz", "", "", "", "", ""),
        person("x", "Ana", "Paz", "", "", "", "", ""),
    ];
    let e = LinkSession::dedupe(&twice, &settings(1), &[], &NoProgress)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("appears twice"), "{e}");
}
