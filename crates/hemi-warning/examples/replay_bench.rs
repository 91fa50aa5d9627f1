//! The full replay benchmark: every watched series (each nationality and the total of
//! the four presentation tables in `data/flows`), every detector, the trigger rules and
//! the events, 2019-01 to the newest month (2024-04), as `hemi_store::watch` runs it
//! after an import. Prints the median wall-clock time of `RUNS` runs (default 5), with
//! and without reading the CSV files. Usage:
//! `cargo run --release -p hemi-warning --example replay_bench -- [RUNS]`
//! (`benches/replay_vs_r.sh` runs it beside R surveillance in the same invocation).
#[path = "../tests/it/realdata.rs"]
#[allow(dead_code)]
mod realdata;

use std::time::Instant;

use hemi_core::Period;
use hemi_warning::events::events_as_of;
use hemi_warning::replay::replay;
use hemi_warning::rules::TriggerRules;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().nth(1).map_or(5, |s| s.parse().unwrap());
    let t = Instant::now();
    let series = realdata::all_watched_series();
    let io = t.elapsed().as_secs_f64();
    let rules = TriggerRules::parse(
        "rules/triggers.toml",
        &realdata::repo_file("rules/triggers.toml"),
    )
    .unwrap();
    let (from, to) = (Period::Month(2019, 1), Period::Month(2024, 4));
    let mut times = Vec::new();
    let mut rows_len = 0;
    let mut events_len = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let rows = replay(&series, from, to, &rules);
        let events = events_as_of(&rows, to, &rules.events);
        times.push(t.elapsed().as_secs_f64());
        rows_len = rows.len();
        events_len = events.len();
    }
    // Where the time goes: detectors alone, then rules, rows and events on top.
    let t = Instant::now();
    let assessed = hemi_warning::replay::assess(&series, to, &|_, _| {});
    let detectors = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rows = hemi_warning::replay::replay_assessed(&assessed, from, &rules);
    let _ = events_as_of(&rows, to, &rules.events);
    let rules_rows_events = t.elapsed().as_secs_f64();
    println!("detectors_s {detectors:.3}");
    println!("rules_rows_events_s {rules_rows_events:.3}");
    let threads = rayon::current_num_threads();
    println!("series {}", series.len());
    println!("series_months {rows_len}");
    println!("events {events_len}");
    println!("threads {threads}");
    println!("reading_csv_s {io:.3}");
    for (i, t) in times.iter().enumerate() {
        println!("run{}_s {t:.3}", i + 1);
    }
    println!("median_replay_s {:.3}", median(times));
}
