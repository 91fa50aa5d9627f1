//! Fairness simulation on a small month: the three policies behave as their rules say.

use hemi_allocation::fairness::{simulate, SimulationOptions};

#[test]
fn longest_waiting_first_draws_longer_waits_and_lottery_spreads_them() {
    let options = SimulationOptions {
        initial_pool_households: 1500,
        arrivals_per_day: 40.0,
        places_per_day_people: 60,
        days: 6,
        ..SimulationOptions::default()
    };
    let report = simulate(&options, &|_, _| {});
    let [lottery, longest, mix] = [
        &report.policies[0],
        &report.policies[1],
        &report.policies[2],
    ];
    assert!(
        longest.median_wait_days > lottery.median_wait_days,
        "{} vs {}",
        longest.median_wait_days,
        lottery.median_wait_days
    );
    assert!(mix.median_wait_days > lottery.median_wait_days);
    for p in &report.policies {
        assert!(p.people_drawn_per_day.iter().all(|&d| d <= 60));
        assert!((0.0..=1.0).contains(&p.share_never_drawn));
        let drawn: u64 = p.by_household_size.iter().map(|r| r.drawn).sum();
        assert_eq!(drawn, p.households_drawn);
    }
}
