//! Placement benchmark: writes a synthetic instance as CSV (or reads given files), then
//! times parsing, solving and writing the plan, and prints objective, proved bound, gap
//! and (with `--lp`) the HiGHS LP bound on the same instance.
//!
//! cargo run --release --example bench_placement -- synth N M ARCS|dense SLACK SHIFT SEED [--lp]
//! cargo run --release --example bench_placement -- files H.csv S.csv A.csv [PLAN.csv] [--lp]
use hemi_allocation::placement::{
    evaluate, read_instance, solve, synth, write_plan, Instance, SolveOptions, SynthFiles,
    SynthOptions,
};
use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

fn lp_bound(inst: &Instance) -> f64 {
    use highs::{ColProblem, Sense};
    let mut pb = ColProblem::default();
    let rows: Vec<_> = (0..inst.households.len())
        .map(|_| pb.add_row(1.0..=1.0))
        .collect();
    let caps: Vec<_> = inst
        .sites
        .iter()
        .map(|s| pb.add_row(..=s.capacity_people as f64))
        .collect();
    for (i, h) in inst.households.iter().enumerate() {
        let (sites, scores) = inst.arcs_of(i);
        for (&s, &score) in sites.iter().zip(scores) {
            pb.add_column(
                score,
                0..=1,
                [(rows[i], 1.0), (caps[s as usize], h.size_people as f64)],
            );
        }
    }
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    model.set_option("threads", 1);
    model.solve().objective_value()
}

/// CPU seconds (user + system) of this process so far, from /proc (figures stay
/// meaningful when other jobs share the machine).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let with_lp = args.iter().any(|a| a == "--lp");
    let (h, s, a, plan_out) = if args.get(1).map(String::as_str) == Some("files") {
        (
            args[2].clone(),
            args[3].clone(),
            args[4].clone(),
            args.get(5).filter(|p| !p.starts_with("--")).cloned(),
        )
    } else {
        let num = |i: usize, d: f64| args.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(d);
        let options = SynthOptions {
            households: num(2, 20000.0) as usize,
            sites: num(3, 300.0) as usize,
            arcs_per_household: args
                .get(4)
                .filter(|a| *a != "dense")
                .and_then(|a| a.parse().ok()),
            capacity_slack: num(5, 0.1),
            size_shift: num(6, 0.0),
            seed: num(7, 1.0) as u64,
        };
        let dir = std::env::temp_dir().join(format!(
            "hemi-placement-{}-{}-{}",
            options.households, options.sites, options.seed
        ));
        std::fs::create_dir_all(&dir)?;
        let t = Instant::now();
        let inst = synth(&options);
        let (hp, sp, ap) = (
            dir.join("households.csv"),
            dir.join("sites.csv"),
            dir.join("arcs.csv"),
        );
        inst.write_files(SynthFiles {
            households: &mut BufWriter::new(File::create(&hp)?),
            sites: &mut BufWriter::new(File::create(&sp)?),
            arcs: &mut BufWriter::new(File::create(&ap)?),
        })?;
        println!(
            "synth {options:?} written to {} in {:.2} s",
            dir.display(),
            t.elapsed().as_secs_f64()
        );
        (
            hp.display().to_string(),
            sp.display().to_string(),
            ap.display().to_string(),
            Some(dir.join("plan.csv").display().to_string()),
        )
    };
    let t0 = Instant::now();
    let c0 = cpu_seconds();
    let inst = read_instance(
        (File::open(&h)?, h.as_str()),
        (File::open(&s)?, s.as_str()),
        (File::open(&a)?, a.as_str()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let parse = t0.elapsed().as_secs_f64();
    let c1 = cpu_seconds();
    let t1 = Instant::now();
    let mut options = SolveOptions::default();
    // HEMI_EPS / HEMI_PASSES override the defaults, to measure their effect.
    if let Some(e) = std::env::var("HEMI_EPS").ok().and_then(|v| v.parse().ok()) {
        options.final_epsilon_relative = e;
    }
    if let Some(p) = std::env::var("HEMI_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        options.max_local_search_passes = p;
    }
    let report = solve(&inst, &options, &|_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let solve_s = t1.elapsed().as_secs_f64();
    let c2 = cpu_seconds();
    let t2 = Instant::now();
    if let Some(p) = &plan_out {
        std::fs::write(p, write_plan(&inst, &report.plan))?;
    }
    let write = t2.elapsed().as_secs_f64();
    let e = evaluate(&inst, &report.plan, &options);
    println!(
        "households {} sites {} arcs {} people {} capacity {}",
        inst.households.len(),
        inst.sites.len(),
        inst.arc_count(),
        inst.people(),
        inst.capacity_people()
    );
    println!(
        "wall: parse {parse:.2} s  solve {solve_s:.2} s  write {write:.2} s  total {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    println!(
        "cpu:  parse {:.2} s  solve {:.2} s  parse+solve+write {:.2} s",
        c1 - c0,
        c2 - c1,
        cpu_seconds() - c0
    );
    println!(
        "objective {:.4}  proved bound {:.4}  gap {:.4} %  feasible {}  over-capacity sites {}  split in LP {}  bids {}  local-search changes {} in {} passes",
        report.objective,
        report.upper_bound,
        100.0 * report.relative_gap,
        e.is_feasible(),
        e.over_capacity.len(),
        report.lp_split_households,
        report.auction_bids,
        report.local_search_changes,
        report.local_search_passes
    );
    if with_lp {
        let t = Instant::now();
        let lp = lp_bound(&inst);
        println!("HiGHS LP bound {lp:.4} in {:.1} s; plan is {:.4} % below it; our bound is {:.5} % above it", t.elapsed().as_secs_f64(), 100.0 * (lp - report.objective) / lp, 100.0 * (report.upper_bound - lp) / lp);
    }
    Ok(())
}
