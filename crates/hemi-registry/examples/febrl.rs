//! FEBRL 1–4 benchmark: time and pairwise precision, recall and F1 of de-duplication
//! (FEBRL 1, 2, 3) and two-file linking (FEBRL 4), from the fixtures in test_data/febrl.
//! Run: `cargo run --release -p hemi-registry --example febrl [-- --explain N]`.

use hemi_registry::eval::{evaluate_pairs, pairs_from_clusters};
use hemi_registry::linkage::csvio::{read_records, BadDates};
use hemi_registry::linkage::{LinkSession, NoProgress, Settings};
use std::time::Instant;

fn read(name: &str) -> Vec<hemi_registry::linkage::LinkRecord> {
    let path = format!("{}/test_data/febrl/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).expect("fixture");
    read_records(file, name, BadDates::TreatAsMissing)
        .expect("valid fixture")
        .records
}

fn truth(name: &str) -> Vec<(String, String)> {
    let path = format!("{}/test_data/febrl/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("fixture");
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

/// Pairs with the smaller id first, as a set.
fn pair_set(pairs: &[(String, String)]) -> std::collections::HashSet<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| {
            if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        })
        .collect()
}

fn main() {
    let explain: usize = std::env::args()
        .skip_while(|a| a != "--explain")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let settings = Settings::febrl(42);
    for n in 1..=3 {
        let records = read(&format!("febrl{n}.csv"));
        let t = Instant::now();
        let (session, out) =
            LinkSession::dedupe(&records, &settings, &[], &NoProgress).expect("runs");
        let secs = t.elapsed().as_secs_f64();
        let predicted = pairs_from_clusters(&out.clusters, None);
        let truth = truth(&format!("febrl{n}_links.csv"));
        let s = evaluate_pairs(&predicted, &truth);
        println!(
            "FEBRL{n} dedupe: {} records, {} pairs compared, precision {:.4} recall {:.4} F1 {:.4} ({} TP, {} FP, {} FN), {:.2} s",
            records.len(), out.stats.pairs_compared, s.precision, s.recall, s.f1, s.true_positive_pairs, s.false_positive_pairs, s.false_negative_pairs, secs
        );
        if explain > 0 {
            for l in session.model().training_log.iter() {
                println!("  {l}");
            }
            let pset = pair_set(&predicted);
            let tset = pair_set(&truth);
            for (a, b) in tset.difference(&pset).take(explain) {
                let e = session.explain(a, b).unwrap();
                println!(
                    "  FN {a} {b} w={:.2} {}",
                    e.match_weight,
                    e.fields
                        .iter()
                        .map(|f| format!("{}:{}({:.1})", f.comparison, f.level, f.partial_weight))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            for (a, b) in pset.difference(&tset).take(explain) {
                let e = session.explain(a, b).unwrap();
                println!(
                    "  FP {a} {b} w={:.2} {}",
                    e.match_weight,
                    e.fields
                        .iter()
                        .map(|f| format!("{}:{}({:.1})", f.comparison, f.level, f.partial_weight))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
    }
    let a = read("febrl4a.csv");
    let b = read("febrl4b.csv");
    let t = Instant::now();
    let (session, out) = LinkSession::link(&a, &b, &settings, &[], &NoProgress).expect("runs");
    let secs = t.elapsed().as_secs_f64();
    let sides: rustc_hash::FxHashMap<String, u8> = a
        .iter()
        .map(|r| (r.record_id.clone(), 0))
        .chain(b.iter().map(|r| (r.record_id.clone(), 1)))
        .collect();
    let predicted = pairs_from_clusters(&out.clusters, Some(&sides));
    let truth = truth("febrl4_links.csv");
    let s = evaluate_pairs(&predicted, &truth);
    println!(
        "FEBRL4 link: {}+{} records, {} pairs compared, precision {:.4} recall {:.4} F1 {:.4} ({} TP, {} FP, {} FN), {:.2} s",
        a.len(), b.len(), out.stats.pairs_compared, s.precision, s.recall, s.f1, s.true_positive_pairs, s.false_positive_pairs, s.false_negative_pairs, secs
    );
    if explain > 0 {
        for l in session.model().training_log.iter() {
            println!("  {l}");
        }
    }
}
