//! Writes a small published draw to `test_data/lottery/` (policy, registrations,
//! commitment, public value, result and the private list with members), the fixture the
//! Python verifier is run on (see `test_data/lottery/make_fixture.sh`).
use hemi_allocation::fairness::{simulation_policy, synth_registrations};
use hemi_allocation::lottery::{
    self, canonical_policy, canonical_registrations, PublicRegistration,
};
use hemi_allocation::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "test_data/lottery".into());
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let day = Date::from_ymd(2024, 6, 3).unwrap();
    let mut k = 0;
    let regs = synth_registrations(
        600,
        0,
        &mut |_| {
            k += 1;
            day.plus_days(-1 - (k % 90))
        },
        &mut rng,
    );
    let mut policy = simulation_policy(day, 500, 120);
    policy.capacities.truncate(4);
    let public: Vec<PublicRegistration> = regs.iter().map(|r| r.public()).collect();
    // An invented value for the fixture; a real draw uses a value declared in advance.
    let public_value = "fixture public value 2024-06-02: 03 07 12 19 25 33 41 52 66 78";
    let result = lottery::draw(&public, &policy, public_value).expect("valid draw");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(format!("{dir}/policy.txt"), canonical_policy(&policy))?;
    std::fs::write(
        format!("{dir}/registrations.csv"),
        canonical_registrations(&public),
    )?;
    std::fs::write(
        format!("{dir}/commitment.txt"),
        format!("{}\n", result.commitment),
    )?;
    std::fs::write(
        format!("{dir}/public_value.txt"),
        format!("{public_value}\n"),
    )?;
    std::fs::write(format!("{dir}/result.csv"), lottery::result_csv(&result))?;
    let mut private = String::from("household_id,registered_on,members,preferred_ports,flags\n");
    for r in &regs {
        let members: Vec<String> = r
            .members
            .iter()
            .map(|m| format!("{}:{:?}:{}", m.nationality, m.sex, m.age_years))
            .collect();
        private.push_str(&format!(
            "{},{},{},{},{}\n",
            r.household_id,
            r.registered_on,
            members.join(";"),
            r.preferred_ports.join(";"),
            r.vulnerability_flags.join(";")
        ));
    }
    std::fs::write(format!("{dir}/registrations_private.csv"), private)?;
    println!(
        "{} selections, commitment {}",
        result.selections.len(),
        result.commitment
    );
    Ok(())
}
