//! Scale benchmark: a synthetic registry of 1,000,000 records with 10% of persons
//! duplicated, de-duplicated in one run; then 10,000 later registrations linked
//! incrementally into it. Prints times and pairwise F1.
//! Run: `/usr/bin/time -v cargo run --release -p hemi-registry --example bench_million -- [--records 1000000] [--new 10000] [--seed 7]`.

use hemi_registry::eval::evaluate_clusters;
use hemi_registry::linkage::csvio::{read_records, write_records, BadDates};
use hemi_registry::linkage::{ClusterAssignment, LinkSession, NoProgress, Settings};
#[allow(unused_imports)]
use std::sync::Mutex;
use std::time::Instant;

/// CPU seconds (user + system) this process has used so far, from /proc/self/stat: on a
/// machine shared with other jobs, wall time overstates what the work costs.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() {
    let target: usize = arg("--records")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let new: usize = arg("--new").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seed: u64 = arg("--seed").and_then(|v| v.parse().ok()).unwrap_or(7);
    let dup_rate = 0.1;
    // About 1.12 records per person at a 10% duplication rate.
    let people = ((target + new) as f64 / 1.12) as usize;
    let t = Instant::now();
    let reg = hemi_registry::synth::synth(people, dup_rate, seed);
    println!(
        "generated {} records for {} people in {:.1} s (seed {seed})",
        reg.records.len(),
        people,
        t.elapsed().as_secs_f64()
    );
    let total = reg.records.len().min(target + new);
    let mut records = reg.records;
    records.truncate(total);
    let later = records.split_off(total - new);
    let existing = records;
    let mut truth: Vec<ClusterAssignment> = reg.truth;
    truth.truncate(total);

    // The CSV path the CLI takes: text in, records out.
    let mut csv_bytes = Vec::new();
    write_records(&mut csv_bytes, &existing).expect("in memory");
    let existing_len = existing.len();
    drop(existing);
    let t = Instant::now();
    let parsed =
        read_records(csv_bytes.as_slice(), "registry.csv", BadDates::Refuse).expect("valid");
    println!(
        "parsed {} MB of CSV, {} records, in {:.1} s",
        csv_bytes.len() / 1_000_000,
        parsed.records.len(),
        t.elapsed().as_secs_f64()
    );
    drop(csv_bytes);

    let settings = Settings::registry(seed);
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let last = std::sync::Mutex::new(String::new());
    let progress = |stage: &str, _done: u64, _total: u64| {
        let mut l = last.lock().unwrap();
        if *l != stage {
            println!(
                "  {:>6.1} s wall {:>6.1} s cpu  {stage}",
                t.elapsed().as_secs_f64(),
                cpu_seconds() - cpu0
            );
            *l = stage.to_owned();
        }
    };
    let (mut session, out) =
        LinkSession::dedupe_owned(parsed.records, &settings, &[], &progress).expect("runs");
    let dedupe_secs = t.elapsed().as_secs_f64();
    let dedupe_cpu = cpu_seconds() - cpu0;
    let s = evaluate_clusters(&out.clusters, &truth[..existing_len]);
    println!(
        "dedupe {} records: {:.1} s wall, {dedupe_cpu:.1} s cpu, {} pairs compared, {} clusters, review {} — precision {:.4} recall {:.4} F1 {:.4}",
        existing_len, dedupe_secs, out.stats.pairs_compared, out.stats.clusters, out.stats.review_items_found, s.precision, s.recall, s.f1
    );
    println!("  blocking {:?}", out.stats.blocking);

    let t = Instant::now();
    session.build_index();
    let index_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cpu1 = cpu_seconds();
    let inc = session.add_records(&later, &[], &NoProgress).expect("runs");
    let inc_secs = t.elapsed().as_secs_f64();
    let inc_cpu = cpu_seconds() - cpu1;
    let all: Vec<ClusterAssignment> = session
        .record_ids()
        .iter()
        .zip(session.cluster_ids())
        .map(|(r, c)| ClusterAssignment {
            record_id: r.clone(),
            cluster_id: c.clone(),
        })
        .collect();
    let s2 = evaluate_clusters(&all, &truth);
    let joined = inc
        .clusters
        .iter()
        .filter(|c| c.cluster_id != c.record_id)
        .count();
    println!(
        "incremental {} new records into {}: index {:.2} s (once, kept between batches), link {:.2} s wall {inc_cpu:.2} s cpu; {} joined a cluster, review {} — whole registry F1 {:.4} (precision {:.4} recall {:.4})",
        later.len(), existing_len, index_secs, inc_secs, joined, inc.stats.review_items_found, s2.f1, s2.precision, s2.recall
    );
}
