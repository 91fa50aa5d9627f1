//! Synthetic placement instances in the file layout (`hemi placement synth`), seeded.
//!
//! The generator, so results on it can be read (and re-made by anyone with the seed):
//! - Household sizes 1–9 with shares 30, 15, 14, 14, 11, 7, 4, 3, 2 % (mean 3.2), the
//!   shape of refugee case sizes in US resettlement arrivals (many single adults, a long
//!   tail of large families); `size_shift` moves mass to larger households.
//! - Site "size" is log-normal (σ = 0.8): a few cities, many towns. Capacities are shares
//!   of `people × (1 + capacity_slack)` in proportion to size, rounded down (at least 1),
//!   so total capacity exceeds people by about `capacity_slack`.
//! - Candidate sites per household: `arcs_per_household` distinct sites drawn with
//!   probability in proportion to site size (or every site when `dense`).
//! - Score = logistic(a_i + b_j + e_ij): household effect a_i ~ N(−0.4, 0.7) plus 0.12 per
//!   member beyond the first (more adults, more chances of a job), site effect
//!   b_j ~ N(0, 0.5) (local labour market), pair noise e_ij ~ N(0, 0.35) (fit of skills and
//!   language to local jobs). Scores read as the probability that someone in the household
//!   is employed within 90 days, GeoMatch's outcome (Bansak et al. 2018).

use std::io::Write;

use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rand_distr::{LogNormal, Normal};
use serde::{Deserialize, Serialize};

use super::{ArcRow, HouseholdRow, Instance, SiteRow, TieStrength};

/// Shape of a synthetic instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Households to generate.
    pub households: usize,
    /// Sites to generate.
    pub sites: usize,
    /// Candidate sites per household; `None` = every site (dense).
    pub arcs_per_household: Option<usize>,
    /// Total capacity is `people × (1 + capacity_slack)`.
    pub capacity_slack: f64,
    /// 0 for the default size distribution; 1 shifts weight to sizes 5–9.
    pub size_shift: f64,
    /// Seed of the ChaCha20 generator.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            households: 1000,
            sites: 50,
            arcs_per_household: Some(20),
            capacity_slack: 0.10,
            size_shift: 0.0,
            seed: 1,
        }
    }
}

const SIZE_SHARES: [f64; 9] = [30.0, 15.0, 14.0, 14.0, 11.0, 7.0, 4.0, 3.0, 2.0];
const BIG_SHARES: [f64; 9] = [8.0, 8.0, 10.0, 12.0, 14.0, 14.0, 13.0, 11.0, 10.0];

/// A generated instance, in memory.
pub fn synth(options: &SynthOptions) -> Instance {
    let mut rng = ChaCha20Rng::seed_from_u64(options.seed);
    let shift = options.size_shift.clamp(0.0, 1.0);
    let shares: Vec<f64> = SIZE_SHARES
        .iter()
        .zip(BIG_SHARES)
        .map(|(a, b)| a * (1.0 - shift) + b * shift)
        .collect();
    let size_dist = WeightedIndex::new(&shares).expect("positive shares");
    let households: Vec<HouseholdRow> = (0..options.households)
        .map(|i| HouseholdRow {
            household_id: format!("H{i:06}"),
            size_people: size_dist.sample(&mut rng) as u32 + 1,
            tie_site: None,
            tie_household: None,
            tie_strength: TieStrength::Hard,
        })
        .collect();
    let people: u64 = households.iter().map(|h| h.size_people as u64).sum();
    let site_size = LogNormal::new(0.0, 0.8).expect("valid log-normal");
    let sizes: Vec<f64> = (0..options.sites)
        .map(|_| site_size.sample(&mut rng))
        .collect();
    let total_size: f64 = sizes.iter().sum();
    let places = people as f64 * (1.0 + options.capacity_slack);
    let sites: Vec<SiteRow> = sizes
        .iter()
        .enumerate()
        .map(|(j, s)| SiteRow {
            site_id: format!("S{j:05}"),
            capacity_people: ((places * s / total_size).floor() as u32).max(1),
        })
        .collect();
    let site_effect = Normal::new(0.0, 0.5).expect("valid normal");
    let b: Vec<f64> = (0..options.sites)
        .map(|_| site_effect.sample(&mut rng))
        .collect();
    let household_effect = Normal::new(-0.4, 0.7).expect("valid normal");
    let noise = Normal::new(0.0, 0.35).expect("valid normal");
    let site_pick = WeightedIndex::new(&sizes).expect("positive sizes");
    let mut arcs = Vec::new();
    let mut chosen = vec![false; options.sites];
    let mut picked: Vec<u32> = Vec::new();
    for (i, h) in households.iter().enumerate() {
        let a = household_effect.sample(&mut rng) + 0.12 * (h.size_people as f64 - 1.0);
        picked.clear();
        match options.arcs_per_household {
            None => picked.extend(0..options.sites as u32),
            Some(k) => {
                let k = k.min(options.sites);
                let mut tries = 0;
                while picked.len() < k {
                    // Weighted draws first; uniform ones once the big sites are taken.
                    let j = if tries < 20 * k {
                        site_pick.sample(&mut rng)
                    } else {
                        rng.gen_range(0..options.sites)
                    };
                    tries += 1;
                    if !chosen[j] {
                        chosen[j] = true;
                        picked.push(j as u32);
                    }
                }
                for &j in &picked {
                    chosen[j as usize] = false;
                }
            }
        }
        for &j in &picked {
            let z = a + b[j as usize] + noise.sample(&mut rng);
            let score = 1.0 / (1.0 + (-z).exp());
            // Six decimals, as the file carries them, so memory and file agree.
            let score = (score * 1e6).round() / 1e6;
            arcs.push(ArcRow {
                household: i as u32,
                site: j,
                score,
                line: 0,
            });
        }
    }
    Instance::new(households, sites, arcs, ("households.csv", "arcs.csv"))
        .expect("generated instances are valid")
}

/// Where `write_synth` writes the three files.
pub struct SynthFiles<'a> {
    /// `household_id,size`.
    pub households: &'a mut dyn Write,
    /// `site_id,capacity_people`.
    pub sites: &'a mut dyn Write,
    /// `household_id,site_id,score`.
    pub arcs: &'a mut dyn Write,
}

impl Instance {
    /// Write the instance in the file layout (households, sites, arcs).
    pub fn write_files(&self, out: SynthFiles<'_>) -> std::io::Result<()> {
        writeln!(out.households, "household_id,size")?;
        for h in &self.households {
            writeln!(out.households, "{},{}", h.household_id, h.size_people)?;
        }
        writeln!(out.sites, "site_id,capacity_people")?;
        for s in &self.sites {
            writeln!(out.sites, "{},{}", s.site_id, s.capacity_people)?;
        }
        writeln!(out.arcs, "household_id,site_id,score")?;
        let mut line = String::with_capacity(64);
        for (i, h) in self.households.iter().enumerate() {
            let (ss, sc) = self.arcs_of(i);
            for (&s, &score) in ss.iter().zip(sc) {
                line.clear();
                use std::fmt::Write as _;
                let _ = writeln!(
                    line,
                    "{},{},{:.6}",
                    h.household_id, self.sites[s as usize].site_id, score
                );
                out.arcs.write_all(line.as_bytes())?;
            }
        }
        Ok(())
    }
}
