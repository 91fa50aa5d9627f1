//! Scores rule candidates on the tuning period only, with every series CUT at the end of
//! that period, so nothing after it can be seen while choosing rules (the protocol in
//! `data/labels/README.md`). Usage:
//! `cargo run --release -p hemi-warning --example tune_rules -- 2022-12 [2019-01]`
#[path = "../tests/it/realdata.rs"]
#[allow(dead_code)]
mod realdata;

use hemi_core::Period;
use hemi_warning::evaluate::{evaluate, parse_complete, parse_surges, Labels, Scores};
use hemi_warning::protocol::{
    detector_alarm_series, naive_alarm_series, parse_candidates, rule_alarm_series,
};
use hemi_warning::replay::assess;

fn line(name: &str, s: &Scores) {
    println!(
        "{name:<28} POD {:.3} ({}/{}) FAR {:.3} ({}/{}) lead {:?} unlabelled {} unjudged {} missed {:?}",
        s.pod,
        s.detected,
        s.surges,
        s.far,
        s.false_episodes,
        s.episodes,
        s.median_lead,
        s.unlabelled_episodes,
        s.unjudged_episodes,
        s.missed
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let to: Period = args
        .get(1)
        .map_or("2022-12", |s| s.as_str())
        .parse()
        .unwrap();
    let from: Period = args
        .get(2)
        .map_or("2019-01", |s| s.as_str())
        .parse()
        .unwrap();
    let cut: Vec<_> = realdata::all_watched_series()
        .into_iter()
        .map(|s| s.cut_at(to))
        .filter(|s| !s.values.is_empty())
        .collect();
    let labels = Labels {
        surges: parse_surges("surges.csv", &realdata::repo_file("data/labels/surges.csv")).unwrap(),
        complete: parse_complete(
            "complete.csv",
            &realdata::repo_file("data/labels/complete.csv"),
        )
        .unwrap(),
    };
    let assessed = assess(&cut, to, &|_, _| {});
    let base = realdata::repo_file("rules/triggers.toml");
    let candidates = parse_candidates(
        "rules/candidates.toml",
        &realdata::repo_file("rules/candidates.toml"),
        "rules/triggers.toml",
        &base,
    )
    .unwrap();
    println!("{} series cut at {to}; scored {from}..{to}", cut.len());
    for c in &candidates {
        let e = evaluate(&labels, &rule_alarm_series(&assessed, &c.rules), from, to);
        line(&c.name, &e.overall);
        if std::env::var("SHOW_FALSE").is_ok() {
            println!("    false: {:?}", e.overall.false_list);
            println!("    unlabelled: {:?}", e.overall.unlabelled_list);
        }
    }
    for d in ["farrington", "ears_c2", "glrnb"] {
        let e = evaluate(&labels, &detector_alarm_series(&assessed, d), from, to);
        line(&format!("{d} alone"), &e.overall);
    }
    let e = evaluate(&labels, &naive_alarm_series(&assessed, 1.5), from, to);
    line("naive 1.5x", &e.overall);
}
