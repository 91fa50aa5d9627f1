//! Fairness of draw policies over a simulated month (issue 15, deliverable 2): pure
//! lottery, longest-waiting-first and the mix, compared on the same simulated people.
//!
//! The simulation (all figures are options; defaults in [`SimulationOptions::default`]):
//! - A pool of waiting households at the start (about 80,000, CBP One's daily requests),
//!   each registered `Exp(mean 40 days)` before the first day.
//! - Arrivals each day: Poisson with mean `arrivals_per_day` (default 1,900, which keeps
//!   the pool near 80,000 given the draws and abandonment below).
//! - Abandonment: every waiting household gives up (another route, returns home) with a
//!   daily probability `abandonment_per_day` (default 1/60, mean 60 days of patience),
//!   drawn once per household as a geometric day so every policy sees the same people.
//! - Households: nationality mix VEN 35 %, HTI 15 %, MEX 14 %, HND 10 %, GTM 8 %, COL 7 %,
//!   ECU 6 %, CUB 5 %; sizes 1–6 with 38, 20, 16, 13, 8, 5 %; 7 % flagged `medical`
//!   (weight 3 in every policy), 2 % `unaccompanied_child` (weight 3).
//! - Places: 1,450 people a day over 8 ports in proportion 25, 20, 15, 12, 10, 8, 6, 4 %;
//!   each household names 1–3 preferred ports.
//! - Every day each policy runs the real [`crate::lottery::draw`] on its own pool with a
//!   public value derived from the simulation seed and the day.
//!
//! Common random numbers (same arrivals and patience for every policy) make differences
//! between policies due to the policy alone.

use std::collections::BTreeMap;

use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rand_distr::{Exp, Poisson};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::lottery::{
    self, DrawPolicy, Member, PortCapacity, PublicRegistration, Registration, Sex,
};

/// Shape of the simulated month.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// Households waiting on the first day.
    pub initial_pool_households: usize,
    /// Mean arrivals per day.
    pub arrivals_per_day: f64,
    /// Daily probability that a waiting household gives up.
    pub abandonment_per_day: f64,
    /// Places per day in people, over all ports.
    pub places_per_day_people: u32,
    /// Days simulated.
    pub days: u32,
    /// First day of the month.
    pub first_day: Date,
    /// Seed.
    pub seed: u64,
    /// Policies compared: (name, share of places for the longest-waiting in ‰).
    pub policies: Vec<(String, u16)>,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            initial_pool_households: 80_000,
            arrivals_per_day: 1_900.0,
            abandonment_per_day: 1.0 / 60.0,
            places_per_day_people: 1_450,
            days: 30,
            first_day: Date::from_ymd(2024, 6, 1).expect("valid date"),
            seed: 2024,
            policies: vec![
                ("pure lottery".into(), 0),
                ("longest waiting first".into(), 1000),
                ("half longest waiting, half lottery".into(), 500),
            ],
        }
    }
}

/// Port codes and shares of the day's places.
pub const PORTS: [(&str, u32); 8] = [
    ("SYS", 25),
    ("ELP", 20),
    ("BRO", 15),
    ("LAR", 12),
    ("NOG", 10),
    ("CAL", 8),
    ("EGP", 6),
    ("DRT", 4),
];

const NATIONALITIES: [(&str, f64); 8] = [
    ("VEN", 35.0),
    ("HTI", 15.0),
    ("MEX", 14.0),
    ("HND", 10.0),
    ("GTM", 8.0),
    ("COL", 7.0),
    ("ECU", 6.0),
    ("CUB", 5.0),
];

const SIZES: [f64; 6] = [38.0, 20.0, 16.0, 13.0, 8.0, 5.0];

/// A day's capacity split over [`PORTS`].
pub fn port_capacities(places_per_day_people: u32) -> Vec<PortCapacity> {
    let total: u32 = PORTS.iter().map(|p| p.1).sum();
    let mut caps: Vec<PortCapacity> = PORTS
        .iter()
        .map(|(p, share)| PortCapacity {
            port: p.to_string(),
            people: places_per_day_people * share / total,
        })
        .collect();
    let given: u32 = caps.iter().map(|c| c.people).sum();
    caps[0].people += places_per_day_people - given;
    caps
}

/// The policy used by the simulation for a day, with the given longest-waiting share.
pub fn simulation_policy(day: Date, share_permille: u16, places_per_day_people: u32) -> DrawPolicy {
    DrawPolicy {
        algorithm_version: lottery::ALGORITHM_VERSION.into(),
        draw_date: day,
        registration_closed_on: day.plus_days(-1),
        longest_waiting_share_permille: share_permille,
        default_weight: 1,
        flag_weights: [
            ("medical".to_string(), 3),
            ("unaccompanied_child".to_string(), 3),
        ]
        .into_iter()
        .collect(),
        capacities: port_capacities(places_per_day_people),
    }
}

/// Synthetic registrations with the mix above, registered on `registered_on(i)`.
pub fn synth_registrations(
    count: usize,
    first_index: usize,
    registered_on: &mut dyn FnMut(&mut ChaCha20Rng) -> Date,
    rng: &mut ChaCha20Rng,
) -> Vec<Registration> {
    let nat = WeightedIndex::new(NATIONALITIES.iter().map(|n| n.1)).expect("positive");
    let size = WeightedIndex::new(SIZES).expect("positive");
    let port = WeightedIndex::new(PORTS.iter().map(|p| p.1)).expect("positive");
    (0..count)
        .map(|k| {
            let nationality = NATIONALITIES[nat.sample(rng)].0.to_string();
            let people = size.sample(rng) + 1;
            let members = (0..people)
                .map(|m| Member {
                    nationality: nationality.clone(),
                    sex: if rng.gen_bool(0.5) { Sex::F } else { Sex::M },
                    age_years: if m < 2 {
                        rng.gen_range(18..60)
                    } else {
                        rng.gen_range(0..18)
                    },
                })
                .collect();
            let mut ports: Vec<String> = Vec::new();
            for _ in 0..rng.gen_range(1..=3) {
                let p = PORTS[port.sample(rng)].0.to_string();
                if !ports.contains(&p) {
                    ports.push(p);
                }
            }
            let mut flags = Vec::new();
            let u: f64 = rng.gen();
            if u < 0.07 {
                flags.push("medical".to_string());
            } else if u < 0.09 {
                flags.push("unaccompanied_child".to_string());
            }
            Registration {
                household_id: format!("R{:07}", first_index + k),
                registered_on: registered_on(rng),
                members,
                preferred_ports: ports,
                vulnerability_flags: flags,
            }
        })
        .collect()
}

/// One row of a rate table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRow {
    /// Group (nationality code or household size).
    pub group: String,
    /// Households that waited in the pool during the month.
    pub households: u64,
    /// Of those, drawn during the month.
    pub drawn: u64,
    /// `drawn / households`.
    pub rate: f64,
}

/// What one policy did over the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyOutcome {
    /// Policy name.
    pub name: String,
    /// Share of places for the longest-waiting, ‰.
    pub longest_waiting_share_permille: u16,
    /// Waiting days of drawn households at their draw: (bin label, households).
    pub waiting_days_histogram: Vec<(String, u64)>,
    /// Median waiting days of drawn households.
    pub median_wait_days: f64,
    /// 90th percentile waiting days of drawn households.
    pub p90_wait_days: f64,
    /// Share of households in the pool during the month never drawn by its end.
    pub share_never_drawn: f64,
    /// Share of households that gave up before being drawn.
    pub share_abandoned_before_drawn: f64,
    /// Households drawn.
    pub households_drawn: u64,
    /// People drawn per day (a series for a chart).
    pub people_drawn_per_day: Vec<u32>,
    /// Pool size at each day's draw (a series).
    pub pool_households_per_day: Vec<u32>,
    /// Selection rates by nationality.
    pub by_nationality: Vec<RateRow>,
    /// Selection rates by household size.
    pub by_household_size: Vec<RateRow>,
}

/// The comparison, ready for a chart and its data table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FairnessReport {
    /// The options the month was simulated with.
    pub options: SimulationOptions,
    /// One outcome per policy, in the order given.
    pub policies: Vec<PolicyOutcome>,
}

const WAIT_BINS: [(i32, i32); 8] = [
    (0, 6),
    (7, 13),
    (14, 29),
    (30, 59),
    (60, 89),
    (90, 179),
    (180, 364),
    (365, i32::MAX),
];

fn quantile(sorted: &[i32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Type 7 (R's default): linear between order statistics.
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] as f64 + (h - lo as f64) * (sorted[hi] - sorted[lo]) as f64
}

/// Simulate the month for every policy. `progress(done, total)` counts policy-days.
pub fn simulate(options: &SimulationOptions, progress: &dyn Fn(u64, u64)) -> FairnessReport {
    let mut rng = ChaCha20Rng::seed_from_u64(options.seed);
    let first = options.first_day;
    let initial_wait = Exp::new(1.0 / 40.0).expect("positive rate");
    let mut people: Vec<Registration> = synth_registrations(
        options.initial_pool_households,
        0,
        &mut |r| {
            first.plus_days(
                -1 - {
                    let days: f64 = initial_wait.sample(r);
                    days.floor() as i32
                },
            )
        },
        &mut rng,
    );
    // Arrivals: registered the day before the draw they first join.
    let arrivals = Poisson::new(options.arrivals_per_day.max(1e-9)).expect("positive mean");
    for day in 0..options.days.saturating_sub(1) {
        let count = arrivals.sample(&mut rng) as usize;
        let date = first.plus_days(day as i32);
        let start = people.len();
        people.extend(synth_registrations(count, start, &mut |_| date, &mut rng));
    }
    // Patience: the draw day from which a household is gone (geometric).
    let p = options.abandonment_per_day.clamp(1e-9, 1.0);
    let gone_on: Vec<Date> = people
        .iter()
        .map(|r| {
            let u: f64 = rng.gen::<f64>().max(1e-300);
            let days = (u.ln() / (1.0 - p).ln()).floor() as i32 + 1;
            let join = if r.registered_on < first {
                first
            } else {
                r.registered_on.plus_days(1)
            };
            join.plus_days(days)
        })
        .collect();
    let public: Vec<PublicRegistration> = people.iter().map(|r| r.public()).collect();
    let total = options.policies.len() as u64 * options.days as u64;
    let mut outcomes = Vec::new();
    for (pi, (name, share)) in options.policies.iter().enumerate() {
        let mut drawn_on: Vec<Option<Date>> = vec![None; people.len()];
        let mut people_per_day = Vec::new();
        let mut pool_per_day = Vec::new();
        let mut seen = vec![false; people.len()];
        for day in 0..options.days {
            let date = first.plus_days(day as i32);
            let pool_index: Vec<usize> = (0..people.len())
                .filter(|&i| {
                    people[i].registered_on < date && drawn_on[i].is_none() && gone_on[i] > date
                })
                .collect();
            for &i in &pool_index {
                seen[i] = true;
            }
            let pool: Vec<PublicRegistration> =
                pool_index.iter().map(|&i| public[i].clone()).collect();
            let policy = simulation_policy(date, *share, options.places_per_day_people);
            let public_value = format!("simulation:{}:{}", options.seed, date);
            let result = lottery::draw(&pool, &policy, &public_value)
                .expect("simulated registrations are valid");
            let index: BTreeMap<&str, usize> = pool_index
                .iter()
                .map(|&i| (people[i].household_id.as_str(), i))
                .collect();
            let mut drawn_people = 0;
            for s in &result.selections {
                let i = index[s.household_id.as_str()];
                drawn_on[i] = Some(date);
                drawn_people += people[i].members.len() as u32;
            }
            people_per_day.push(drawn_people);
            pool_per_day.push(pool_index.len() as u32);
            progress(pi as u64 * options.days as u64 + day as u64 + 1, total);
        }
        let mut waits: Vec<i32> = Vec::new();
        let mut histogram: Vec<(String, u64)> = WAIT_BINS
            .iter()
            .map(|(lo, hi)| {
                (
                    if *hi == i32::MAX {
                        format!("{lo}+")
                    } else {
                        format!("{lo}-{hi}")
                    },
                    0,
                )
            })
            .collect();
        let (mut in_pool, mut never, mut abandoned) = (0u64, 0u64, 0u64);
        let mut by_nat: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut by_size: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        let last = first.plus_days(options.days as i32 - 1);
        for i in 0..people.len() {
            if !seen[i] {
                continue;
            }
            in_pool += 1;
            let nat = by_nat
                .entry(people[i].members[0].nationality.clone())
                .or_default();
            let size = by_size.entry(people[i].members.len()).or_default();
            nat.0 += 1;
            size.0 += 1;
            match drawn_on[i] {
                Some(d) => {
                    let w = d.days_since(people[i].registered_on);
                    waits.push(w);
                    if let Some(k) = WAIT_BINS.iter().position(|(lo, hi)| w >= *lo && w <= *hi) {
                        histogram[k].1 += 1;
                    }
                    nat.1 += 1;
                    size.1 += 1;
                }
                None => {
                    never += 1;
                    if gone_on[i] <= last {
                        abandoned += 1;
                    }
                }
            }
        }
        waits.sort_unstable();
        let rows = |m: Vec<(String, (u64, u64))>| -> Vec<RateRow> {
            m.into_iter()
                .map(|(g, (h, d))| RateRow {
                    group: g,
                    households: h,
                    drawn: d,
                    rate: d as f64 / h.max(1) as f64,
                })
                .collect()
        };
        outcomes.push(PolicyOutcome {
            name: name.clone(),
            longest_waiting_share_permille: *share,
            waiting_days_histogram: histogram,
            median_wait_days: quantile(&waits, 0.5),
            p90_wait_days: quantile(&waits, 0.9),
            share_never_drawn: never as f64 / in_pool.max(1) as f64,
            share_abandoned_before_drawn: abandoned as f64 / in_pool.max(1) as f64,
            households_drawn: waits.len() as u64,
            people_drawn_per_day: people_per_day,
            pool_households_per_day: pool_per_day,
            by_nationality: rows(by_nat.into_iter().collect()),
            by_household_size: rows(
                by_size
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
        });
    }
    FairnessReport {
        options: options.clone(),
        policies: outcomes,
    }
}
