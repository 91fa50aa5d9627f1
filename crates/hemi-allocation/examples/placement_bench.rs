//! Benchmark of the placement solver on synthetic instances (prints figures).
use hemi_allocation::placement::{solve, synth, SolveOptions, SynthOptions};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20000);
    let m: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(300);
    let k: Option<usize> = args.get(3).and_then(|s| s.parse().ok()).filter(|&k| k > 0);
    let slack: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(0.1);
    let shift: f64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let seed: u64 = args.get(6).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = Instant::now();
    let inst = synth(&SynthOptions {
        households: n,
        sites: m,
        arcs_per_household: k,
        capacity_slack: slack,
        size_shift: shift,
        seed,
    });
    println!(
        "synth {:.2}s arcs {}",
        t.elapsed().as_secs_f64(),
        inst.arc_count()
    );
    let t = Instant::now();
    let t0 = Instant::now();
    let mut o = SolveOptions::default();
    if let Ok(e) = std::env::var("EPS") {
        o.final_epsilon_relative = e.parse().unwrap();
    }
    let r = solve(&inst, &o, &|d, t| {
        eprintln!("  stage {d}/{t} at {:.3}s", t0.elapsed().as_secs_f64())
    })
    .unwrap();
    println!(
        "solve {:.3}s obj {:.3} ub {:.3} gap {:.5}% lp_primal {:.3} split {} bids {} ls {} passes {}",
        t.elapsed().as_secs_f64(),
        r.objective,
        r.upper_bound,
        100.0 * r.relative_gap,
        r.lp_primal,
        r.lp_split_households,
        r.auction_bids,
        r.local_search_changes,
        r.local_search_passes
    );
}
