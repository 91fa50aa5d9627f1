//! Draw benchmark: one day with 80,000 registrations (commitment, draw, verification),
//! repeated; prints the median and the slowest run.
use hemi_allocation::fairness::{simulation_policy, synth_registrations};
use hemi_allocation::lottery::{
    self, canonical_policy, canonical_registrations, PublicRegistration, PublishedDraw,
};
use hemi_allocation::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(80_000);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let day = Date::from_ymd(2024, 6, 3).unwrap();
    let mut k = 0i32;
    let regs = synth_registrations(
        n,
        0,
        &mut |_| {
            k += 1;
            day.plus_days(-1 - (k % 120))
        },
        &mut rng,
    );
    let public: Vec<PublicRegistration> = regs.iter().map(|r| r.public()).collect();
    let policy = simulation_policy(day, 500, 1450);
    let (mut draws, mut verifies) = (Vec::new(), Vec::new());
    let mut selections = 0;
    for run in 0..15 {
        let t = Instant::now();
        let result = lottery::draw(&public, &policy, &format!("public value {run}")).unwrap();
        draws.push(t.elapsed().as_secs_f64() * 1000.0);
        selections = result.selections.len();
        let published = PublishedDraw {
            policy_text: canonical_policy(&policy),
            registrations_text: canonical_registrations(&public),
            commitment: result.commitment.clone(),
            public_value: format!("public value {run}\n"),
            result_text: lottery::result_csv(&result),
        };
        let t = Instant::now();
        lottery::verify(&published, None).unwrap();
        verifies.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let (dn, dm, dx) = median(&mut draws);
    let (vn, vm, vx) = median(&mut verifies);
    println!("{n} registrations, 1,450 places, {selections} households drawn");
    println!("draw (commitment + seed + keys + both passes): fastest {dn:.1} ms, median {dm:.1} ms, slowest {dx:.1} ms over 15 runs");
    println!("verify (parse published files + re-run + compare): fastest {vn:.1} ms, median {vm:.1} ms, slowest {vx:.1} ms");
}
