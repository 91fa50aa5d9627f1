//! The fairness report for a simulated month (80,000 requests a day, 1,450 places),
//! printed as tables (the web draws the same data as charts).
use hemi_allocation::fairness::{simulate, SimulationOptions};
use std::time::Instant;

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2024);
    let options = SimulationOptions {
        seed,
        ..SimulationOptions::default()
    };
    let t = Instant::now();
    let report = simulate(&options, &|_, _| {});
    println!(
        "seed {seed}: simulated {} policies × {} days in {:.1} s",
        report.policies.len(),
        options.days,
        t.elapsed().as_secs_f64()
    );
    for p in &report.policies {
        println!(
            "\n## {} (longest-waiting share {} ‰)",
            p.name, p.longest_waiting_share_permille
        );
        println!("drawn {} households; median wait {:.0} days, p90 {:.0}; never drawn {:.1} %; gave up before drawn {:.1} %; pool day 1 {} day {} {}", p.households_drawn, p.median_wait_days, p.p90_wait_days, 100.0 * p.share_never_drawn, 100.0 * p.share_abandoned_before_drawn, p.pool_households_per_day[0], options.days, p.pool_households_per_day.last().unwrap());
        println!(
            "wait at draw (days): {}",
            p.waiting_days_histogram
                .iter()
                .map(|(b, n)| format!("{b}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "by nationality: {}",
            p.by_nationality
                .iter()
                .map(|r| format!("{} {:.2} %", r.group, 100.0 * r.rate))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "by household size: {}",
            p.by_household_size
                .iter()
                .map(|r| format!("{}: {:.2} %", r.group, 100.0 * r.rate))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
