//! Synthetic registry evaluation: generate registries for several seeds, de-duplicate,
//! print pairwise precision, recall, F1 and time per seed. Seed 1 is the tuning seed;
//! report others as out-of-sample.
//! Run: `cargo run --release -p hemi-registry --example synth_eval -- --people 20000 --dup-rate 0.1 --seeds 1,2,3,4 [--write DIR] [--explain N]`.

use hemi_registry::eval::{evaluate_clusters, pairs_from_clusters};
use hemi_registry::linkage::csvio::{write_clusters, write_records};
use hemi_registry::linkage::{LinkSession, NoProgress, Settings};
use std::collections::HashSet;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() {
    let people: usize = arg("--people")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dup_rate: f64 = arg("--dup-rate")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.1);
    let seeds: Vec<u64> = arg("--seeds")
        .unwrap_or_else(|| "1".into())
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    let explain: usize = arg("--explain").and_then(|v| v.parse().ok()).unwrap_or(0);
    let write = arg("--write");
    for seed in seeds {
        let t = Instant::now();
        let reg = hemi_registry::synth::synth(people, dup_rate, seed);
        let gen_secs = t.elapsed().as_secs_f64();
        if let Some(dir) = &write {
            std::fs::create_dir_all(dir).unwrap();
            write_records(
                std::fs::File::create(format!("{dir}/registry_seed{seed}.csv")).unwrap(),
                &reg.records,
            )
            .unwrap();
            write_clusters(
                std::fs::File::create(format!("{dir}/truth_seed{seed}.csv")).unwrap(),
                &reg.truth,
            )
            .unwrap();
        }
        let t = Instant::now();
        let mut settings = Settings::registry(seed);
        if let Some(p) = arg("--match-probability").and_then(|v| v.parse().ok()) {
            settings.match_probability = p;
            settings.review_probability = settings.review_probability.min(p);
        }
        if let Some(w) = arg("--chain-guard").and_then(|v| v.parse().ok()) {
            settings.chain_guard_weight = w;
        }
        let (session, out) =
            LinkSession::dedupe(&reg.records, &settings, &[], &NoProgress).expect("runs");
        let secs = t.elapsed().as_secs_f64();
        let s = evaluate_clusters(&out.clusters, &reg.truth);
        println!(
            "seed {seed}{}: {} people, {} records, {} pairs compared, precision {:.4} recall {:.4} F1 {:.4} ({} TP, {} FP, {} FN), review {} items, generate {:.1} s, link {:.1} s",
            if seed == 1 { " (tuning)" } else { " (held out)" },
            people, reg.records.len(), out.stats.pairs_compared, s.precision, s.recall, s.f1, s.true_positive_pairs, s.false_positive_pairs, s.false_negative_pairs, out.stats.review_items_found, gen_secs, secs
        );
        if let Some(dir) = &write {
            write_clusters(
                std::fs::File::create(format!("{dir}/hemi_clusters_seed{seed}.csv")).unwrap(),
                &out.clusters,
            )
            .unwrap();
        }
        if explain > 0 {
            for l in &session.model().training_log {
                println!("  {l}");
            }
            println!("  refused: {:?}", out.stats.merges_refused);
            let m = session.model();
            for (k, c) in m.comparisons.iter().enumerate() {
                println!(
                    "  {}: {}",
                    c.name(),
                    c.level_names()
                        .iter()
                        .enumerate()
                        .map(|(l, n)| format!(
                            "[{n}: m {:.4} u {:.5} w {:.1}]",
                            m.m[k][l],
                            m.u[k][l],
                            (m.m[k][l] / m.u[k][l]).log2()
                        ))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            println!("  blocking: {:?}", out.stats.blocking);
            let norm = |(a, b): (String, String)| if a < b { (a, b) } else { (b, a) };
            let p: HashSet<(String, String)> = pairs_from_clusters(&out.clusters, None)
                .into_iter()
                .map(norm)
                .collect();
            let t: HashSet<(String, String)> = pairs_from_clusters(&reg.truth, None)
                .into_iter()
                .map(norm)
                .collect();
            let by_id: std::collections::HashMap<&str, &hemi_registry::linkage::LinkRecord> = reg
                .records
                .iter()
                .map(|r| (r.record_id.as_str(), r))
                .collect();
            let show = |r: &hemi_registry::linkage::LinkRecord| {
                format!(
                    "{} {}|{} {}|{}|{}|{}|{}|{}|{}|{}|{}",
                    r.given_name,
                    r.second_given_name,
                    r.first_surname,
                    r.second_surname,
                    r.sex,
                    r.date_of_birth,
                    r.nationality,
                    r.document_number,
                    r.phone,
                    r.municipality,
                    r.household_id,
                    r.record_id
                )
            };
            let reasons: std::collections::HashMap<(String, String), String> = out
                .review
                .iter()
                .map(|r| {
                    (
                        norm((r.record_a.clone(), r.record_b.clone())),
                        format!("{:?}", r.reason),
                    )
                })
                .collect();
            let mut reason_counts: std::collections::BTreeMap<String, usize> = Default::default();
            let mut unblocked = 0;
            // Blocking recall: the share of true pairs that some blocking rule compares.
            let compared = t
                .iter()
                .filter(|(a, b)| session.blocking_rule_of(a, b).is_some())
                .count();
            println!(
                "  blocking recall: {compared} of {} true pairs compared ({:.4})",
                t.len(),
                compared as f64 / t.len().max(1) as f64
            );
            let fns: Vec<&(String, String)> = t.difference(&p).collect();
            for (a, b) in &fns {
                if session.blocking_rule_of(a, b).is_none() {
                    unblocked += 1;
                } else {
                    *reason_counts
                        .entry(
                            reasons
                                .get(&((*a).clone(), (*b).clone()))
                                .cloned()
                                .unwrap_or_else(|| "below review / transitive".into()),
                        )
                        .or_default() += 1;
                }
            }
            println!(
                "  FN pairs {} of which never blocked {}; blocked by reason {:?}",
                fns.len(),
                unblocked,
                reason_counts
            );
            let unblocked: Vec<&(String, String)> = fns
                .iter()
                .copied()
                .filter(|(a, b)| session.blocking_rule_of(a, b).is_none())
                .take(explain)
                .collect();
            let blocked_fn: Vec<&(String, String)> = fns
                .iter()
                .copied()
                .filter(|(a, b)| session.blocking_rule_of(a, b).is_some())
                .take(explain)
                .collect();
            for (label, set) in [
                ("FN unblocked", unblocked),
                ("FN blocked", blocked_fn),
                ("FP", p.difference(&t).take(explain).collect::<Vec<_>>()),
            ] {
                for (a, b) in set {
                    let e = session.explain(a, b).unwrap();
                    let why = reasons
                        .get(&((*a).clone(), (*b).clone()))
                        .cloned()
                        .unwrap_or_default();
                    println!(
                        "  {label} {why} w={:.1} blocked={:?}\n     {}\n     {}\n     {}",
                        e.match_weight,
                        session.blocking_rule_of(a, b),
                        show(by_id[a.as_str()]),
                        show(by_id[b.as_str()]),
                        e.fields
                            .iter()
                            .map(|f| format!(
                                "{}:{}({:.1})",
                                f.comparison, f.level, f.partial_weight
                            ))
                            .collect::<Vec<_>>()
                            .join(" ")
                    );
                }
            }
        }
    }
}
