//! The Fellegi–Sunter model (Fellegi and Sunter, "A theory for record linkage", JASA
//! 1969): u probabilities from random pairs, m probabilities by expectation–maximisation
//! on blocked pairs (Winkler 1988; as Splink trains them: one session per blocking rule,
//! the comparisons on the rule's own fields left out), term-frequency adjustment of exact
//! name agreement, match weights and probabilities, and a field-by-field explanation.

use super::blocking::{BlockingRule, Blocks, PairMode};
use super::compare::{
    oriented, oriented_with_levels, CompareContext, Comparison, TfPool, NULL_LEVEL,
};
use super::record::{Field, Interner, Prepared};
use crate::RegistryError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Most comparisons a model may hold (levels are packed four bits each into a u64).
pub const MAX_COMPARISONS: usize = 16;

/// Smallest m probability of any level.
pub const M_FLOOR: f64 = 0.005;

/// Levels of every comparison for one pair.
pub type Gamma = [u8; MAX_COMPARISONS];

/// One EM training session: pairs blocked by `rule`, with the comparisons in
/// `fixed_comparisons` (those on the rule's own fields, which all blocked pairs agree on)
/// left out of the estimation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainingSession {
    /// Blocking rule of the session.
    pub rule: BlockingRule,
    /// Indexes of comparisons not estimated in this session.
    pub fixed_comparisons: Vec<usize>,
    /// When the rule is exactly "comparison k at level l" (e.g. date of birth exact), the
    /// share of all matches it holds is m[k][l], which turns this session's match rate
    /// into the prior for a random pair.
    pub lambda_from: Option<(usize, u8)>,
}

/// What one EM session says about the prior: its match share, its pair count and, when
/// its rule is one comparison level, which.
type SessionShare = (f64, f64, Option<(usize, u8)>);

/// Frequencies of values in a pool (text → share of non-missing values).
pub type TfTable = BTreeMap<String, f64>;

/// A trained model: everything needed to score pairs again (incremental runs) or explain.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    /// Comparisons in order.
    pub comparisons: Vec<Comparison>,
    /// `m[k][l-1]`: P(level l of comparison k | match).
    pub m: Vec<Vec<f64>>,
    /// `u[k][l-1]`: P(level l of comparison k | non-match).
    pub u: Vec<Vec<f64>>,
    /// Prior probability that two random records match.
    pub lambda: f64,
    /// Term frequencies by pool name.
    pub term_frequencies: BTreeMap<String, TfTable>,
    /// Smallest frequency used in a term-frequency adjustment (a value seen once).
    pub tf_floor: f64,
    /// What training did, in words (sessions, iterations, pairs), for the record.
    pub training_log: Vec<String>,
}

fn pool_name(pool: TfPool) -> String {
    match pool {
        TfPool::Given => "given".into(),
        TfPool::GivenJoined => "given_joined".into(),
        TfPool::Surname | TfPool::SurnamePair => "surname".into(),
        TfPool::Field(f) => format!(
            "field:{}",
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
    }
}

/// Compute the levels of every comparison for a pair, swapping given name and surname
/// first when they were entered in each other's fields.
pub fn gamma(
    comparisons: &[Comparison],
    a: &Prepared,
    b: &Prepared,
    ctx: &CompareContext,
) -> Gamma {
    let mut g = [NULL_LEVEL; MAX_COMPARISONS];
    let (swapped, known) = oriented_with_levels(a, b, ctx);
    let b = swapped.as_ref().unwrap_or(b);
    for (k, c) in comparisons.iter().enumerate() {
        g[k] = c.level_known(a, b, ctx, known);
    }
    g
}

fn pack(g: &Gamma, k: usize, skip: &[usize]) -> u64 {
    let mut key = 0u64;
    for (i, level) in g.iter().take(k).enumerate() {
        let l = if skip.contains(&i) { 0 } else { *level };
        key |= u64::from(l & 0xF) << (4 * i);
    }
    key
}

fn unpack(key: u64, k: usize) -> Gamma {
    let mut g = [0u8; MAX_COMPARISONS];
    for (i, slot) in g.iter_mut().take(k).enumerate() {
        *slot = ((key >> (4 * i)) & 0xF) as u8;
    }
    g
}

/// Deterministic uniform draw from a pair and seed, for sampling blocked pairs without
/// holding them (SplitMix64 finaliser, Steele et al. 2014).
fn pair_hash(i: u32, j: u32, seed: u64) -> f64 {
    let mut z = (u64::from(i) << 32 | u64::from(j)) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Training settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainingSettings {
    /// Random pairs drawn to estimate u.
    pub u_sample_pairs: usize,
    /// Most blocked pairs used by one EM session (a deterministic sample beyond).
    pub em_max_pairs: usize,
    /// Most EM iterations per session.
    pub em_iterations: usize,
    /// Sessions.
    pub sessions: Vec<TrainingSession>,
    /// Seed of the random pair sample (an input, so training is reproducible).
    pub seed: u64,
    /// Largest block compared in a session.
    pub max_block_size: usize,
}

fn total_pairs(records: &[Prepared], mode: PairMode) -> f64 {
    let n = records.len() as f64;
    match mode {
        PairMode::Link => {
            let a = records.iter().filter(|r| r.source == 0).count() as f64;
            a * (n - a)
        }
        _ => n * (n - 1.0) / 2.0,
    }
}

/// Train a model on prepared records: term frequencies, u from random pairs, m and the
/// prior by EM. `progress` hears (stage, done, total).
pub fn train(
    records: &[Prepared],
    interner: &Interner,
    comparisons: &[Comparison],
    settings: &TrainingSettings,
    mode: PairMode,
    progress: &dyn super::Progress,
) -> Result<Model, RegistryError> {
    if comparisons.is_empty() || comparisons.len() > MAX_COMPARISONS {
        return Err(RegistryError::InvalidSetting {
            setting: "comparisons".into(),
            value: comparisons.len().to_string(),
            reason: format!("a model needs 1 to {MAX_COMPARISONS} comparisons"),
        });
    }
    if records.len() < 2 {
        return Err(RegistryError::InvalidSetting {
            setting: "records".into(),
            value: records.len().to_string(),
            reason: "training needs at least two records".into(),
        });
    }
    let nicknames = crate::nicknames::NicknameTable::bundled();
    let ctx = CompareContext::new(interner, nicknames);
    let k = comparisons.len();
    let mut log = Vec::new();
    let term_frequencies = term_frequencies(records, interner, comparisons);

    // u from random pairs (Splink: estimate_u_using_random_sampling).
    progress.report("u from random pairs", 0, settings.u_sample_pairs as u64);
    let sources: (Vec<u32>, Vec<u32>) = match mode {
        PairMode::Link => (
            (0..records.len() as u32)
                .filter(|&i| records[i as usize].source == 0)
                .collect(),
            (0..records.len() as u32)
                .filter(|&i| records[i as usize].source != 0)
                .collect(),
        ),
        _ => (
            (0..records.len() as u32).collect(),
            (0..records.len() as u32).collect(),
        ),
    };
    if sources.0.is_empty() || sources.1.is_empty() {
        return Err(RegistryError::InvalidSetting {
            setting: "records".into(),
            value: "0".into(),
            reason: "linking needs records on both sides".into(),
        });
    }
    let chunks = 64usize;
    let per_chunk = settings.u_sample_pairs.div_ceil(chunks);
    let level_counts: Vec<Vec<u64>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = ChaCha20Rng::seed_from_u64(
                settings.seed ^ (c as u64).wrapping_mul(0xA24B_AED4_963E_E407),
            );
            let mut counts = vec![0u64; k * 16];
            for _ in 0..per_chunk {
                let i = sources.0[rng.gen_range(0..sources.0.len())];
                let j = sources.1[rng.gen_range(0..sources.1.len())];
                if i == j {
                    continue;
                }
                let g = gamma(
                    comparisons,
                    &records[i as usize],
                    &records[j as usize],
                    &ctx,
                );
                for (ci, level) in g.iter().take(k).enumerate() {
                    counts[ci * 16 + *level as usize] += 1;
                }
            }
            counts
        })
        .collect();
    let mut counts = vec![0u64; k * 16];
    for c in level_counts {
        for (t, v) in counts.iter_mut().zip(c) {
            *t += v;
        }
    }
    let sampled = settings.u_sample_pairs as f64;
    let mut u: Vec<Vec<f64>> = comparisons
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let levels = c.level_count();
            let non_null: u64 = (1..=levels).map(|l| counts[ci * 16 + l]).sum();
            (1..=levels)
                .map(|l| {
                    (counts[ci * 16 + l] as f64 + 0.5) / (non_null as f64 + 0.5 * levels as f64)
                })
                .collect()
        })
        .collect();
    let non_null_share: Vec<f64> = (0..k)
        .map(|ci| {
            let non_null: u64 = (1..=comparisons[ci].level_count())
                .map(|l| counts[ci * 16 + l])
                .sum();
            non_null as f64 / sampled.max(1.0)
        })
        .collect();
    log.push(format!(
        "u estimated from {} random pairs (seed {})",
        settings.u_sample_pairs, settings.seed
    ));

    // m by EM, one session per training rule.
    let mut m_sum: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| vec![0.0; c.level_count()])
        .collect();
    let mut m_n = vec![0usize; k];
    // (match share in the session, pairs in the session, the level its rule is).
    let mut session_lambdas: Vec<SessionShare> = Vec::new();
    for (si, session) in settings.sessions.iter().enumerate() {
        progress.report(
            "m by expectation-maximisation",
            si as u64,
            settings.sessions.len() as u64,
        );
        let blocks = Blocks::build(
            records,
            std::slice::from_ref(&session.rule),
            interner,
            settings.max_block_size,
        );
        let n_pairs = blocks.pair_count(0, records, mode);
        let keep = if n_pairs as usize > settings.em_max_pairs {
            settings.em_max_pairs as f64 / n_pairs as f64
        } else {
            1.0
        };
        let seed = settings.seed.wrapping_add(si as u64 + 1);
        let (keys, _) = blocks.pairs(records, mode, &|i, j, a, b| {
            if keep < 1.0 && pair_hash(i, j, seed) >= keep {
                return None;
            }
            // Two members of one household are known non-matches: siblings share surnames,
            // phone and municipality, and left in they teach EM that family likeness is
            // match evidence.
            if a.household != 0 && a.household == b.household {
                return None;
            }
            let g = gamma(comparisons, a, b, &ctx);
            Some(pack(&g, k, &session.fixed_comparisons))
        });
        let mut patterns: FxHashMap<u64, f64> = FxHashMap::default();
        for key in &keys {
            *patterns.entry(*key).or_default() += 1.0;
        }
        let patterns: Vec<(Gamma, f64)> = patterns
            .into_iter()
            .map(|(key, c)| (unpack(key, k), c))
            .collect();
        let (m, lambda, iterations) = em(comparisons, &patterns, &u, settings.em_iterations);
        log.push(format!(
            "session {} ({}): {} blocked pairs, {} used, {} patterns, {} iterations, match share {:.4}",
            si + 1,
            session.rule.name,
            n_pairs,
            keys.len(),
            patterns.len(),
            iterations,
            lambda
        ));
        for ci in 0..k {
            if !session.fixed_comparisons.contains(&ci) {
                for (acc, v) in m_sum[ci].iter_mut().zip(&m[ci]) {
                    *acc += v;
                }
                m_n[ci] += 1;
            }
        }
        session_lambdas.push((lambda, n_pairs as f64, session.lambda_from));
    }
    let m: Vec<Vec<f64>> = (0..k)
        .map(|ci| {
            let raw: Vec<f64> = if m_n[ci] == 0 {
                // Never estimated: a neutral guess that trusts agreement moderately.
                default_m(comparisons[ci].level_count())
            } else {
                m_sum[ci].iter().map(|v| v / m_n[ci] as f64).collect()
            };
            // No level is impossible among matches: a floor keeps one disagreement (a
            // nationality recorded differently) from outweighing everything else.
            let floored: Vec<f64> = raw.iter().map(|v| v.max(M_FLOOR)).collect();
            let total: f64 = floored.iter().sum();
            floored.iter().map(|v| v / total).collect()
        })
        .collect();

    // Prior: matches in a session whose rule is one comparison level, divided by the
    // share of all matches that level holds.
    let all_pairs = total_pairs(records, mode);
    let mut lambdas = Vec::new();
    for (lambda_s, n_s, from) in &session_lambdas {
        if let Some((ci, level)) = from {
            let recall = m[*ci][*level as usize - 1] * non_null_share[*ci];
            if recall > 0.0 && all_pairs > 0.0 {
                lambdas.push((lambda_s * n_s / recall / all_pairs).clamp(1e-12, 0.5));
            }
        }
    }
    let lambda = if lambdas.is_empty() {
        1.0 / all_pairs.max(2.0) * records.len() as f64 * 0.1
    } else {
        (lambdas.iter().map(|l| l.ln()).sum::<f64>() / lambdas.len() as f64).exp()
    };
    log.push(format!(
        "prior match probability for a random pair {lambda:.3e}"
    ));

    // The random sample holds some matches; take their share out of u (u_obs = λm + (1-λ)u).
    for ci in 0..k {
        let floor = 0.5 / sampled.max(1.0);
        for l in 0..u[ci].len() {
            let corrected = (u[ci][l] - lambda * m[ci][l]) / (1.0 - lambda);
            u[ci][l] = corrected.max(floor);
        }
        let total: f64 = u[ci].iter().sum();
        for v in &mut u[ci] {
            *v /= total;
        }
    }
    progress.report(
        "m by expectation-maximisation",
        settings.sessions.len() as u64,
        settings.sessions.len() as u64,
    );
    let tf_floor = 1.0 / records.len() as f64;
    Ok(Model {
        comparisons: comparisons.to_vec(),
        m,
        u,
        lambda,
        term_frequencies,
        tf_floor,
        training_log: log,
    })
}

fn default_m(levels: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..levels)
        .map(|l| {
            if l == 0 {
                0.8
            } else {
                0.2 / (levels - 1).max(1) as f64
            }
        })
        .collect();
    let total: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= total);
    v
}

/// EM with u held fixed; returns (m, share of matches among the pairs, iterations).
fn em(
    comparisons: &[Comparison],
    patterns: &[(Gamma, f64)],
    u: &[Vec<f64>],
    iterations: usize,
) -> (Vec<Vec<f64>>, f64, usize) {
    let k = comparisons.len();
    let mut m: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|c| {
            let levels = c.level_count();
            // Start from "agreement is likely among matches": geometric decline.
            let mut v: Vec<f64> = (0..levels).map(|l| 0.5f64.powi(l as i32 + 1)).collect();
            v[0] += 0.3;
            let t: f64 = v.iter().sum();
            v.iter_mut().for_each(|x| *x /= t);
            v
        })
        .collect();
    let mut lambda: f64 = 0.1;
    let mut done = 0;
    for it in 0..iterations {
        done = it + 1;
        let mut acc: Vec<Vec<f64>> = comparisons
            .iter()
            .map(|c| vec![0.0; c.level_count()])
            .collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        for (g, count) in patterns {
            let mut lm = lambda.ln();
            let mut lu = (1.0 - lambda).ln();
            for ci in 0..k {
                let l = g[ci];
                if l != NULL_LEVEL {
                    lm += m[ci][l as usize - 1].ln();
                    lu += u[ci][l as usize - 1].ln();
                }
            }
            let r = 1.0 / (1.0 + (lu - lm).exp());
            matched += r * count;
            total += count;
            for ci in 0..k {
                let l = g[ci];
                if l != NULL_LEVEL {
                    acc[ci][l as usize - 1] += r * count;
                }
            }
        }
        let new_lambda = (matched / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        let mut change = (new_lambda - lambda).abs();
        for ci in 0..k {
            let s: f64 = acc[ci].iter().sum();
            let levels = acc[ci].len() as f64;
            if s <= 0.0 {
                continue;
            }
            for l in 0..acc[ci].len() {
                let v = (acc[ci][l] + 1e-3) / (s + 1e-3 * levels);
                change = change.max((v - m[ci][l]).abs());
                m[ci][l] = v;
            }
        }
        lambda = new_lambda;
        if change < 1e-5 {
            break;
        }
    }
    (m, lambda, done)
}

fn term_frequencies(
    records: &[Prepared],
    interner: &Interner,
    comparisons: &[Comparison],
) -> BTreeMap<String, TfTable> {
    let mut pools: BTreeMap<String, Vec<Field>> = BTreeMap::new();
    for c in comparisons {
        match c {
            Comparison::GivenNames => {
                pools.insert(pool_name(TfPool::Given), vec![Field::Given1]);
                pools.insert(pool_name(TfPool::GivenJoined), vec![Field::GivenJoined]);
            }
            Comparison::Surnames => {
                pools.insert(
                    pool_name(TfPool::Surname),
                    vec![Field::Surname1, Field::Surname2],
                );
            }
            Comparison::Exact {
                field,
                term_frequency: true,
            }
            | Comparison::Fuzzy {
                field,
                term_frequency: true,
                ..
            } => {
                pools.insert(pool_name(TfPool::Field(*field)), vec![*field]);
            }
            _ => {}
        }
    }
    pools
        .into_iter()
        .map(|(name, fields)| {
            let mut counts: FxHashMap<u32, u64> = FxHashMap::default();
            let mut total = 0u64;
            for r in records {
                for f in &fields {
                    let v = r.field(*f);
                    if v != 0 {
                        *counts.entry(v).or_default() += 1;
                        total += 1;
                    }
                }
            }
            let table: TfTable = counts
                .into_iter()
                .map(|(id, c)| (interner.text(id).to_owned(), c as f64 / total.max(1) as f64))
                .collect();
            (name, table)
        })
        .collect()
}

/// A model ready to score pairs of records prepared with one interner.
pub struct Scorer<'a> {
    /// The model.
    pub model: &'a Model,
    ctx: CompareContext<'a>,
    weights: Vec<Vec<f64>>,
    prior_weight: f64,
    /// Term frequencies by interned id, one vector per pool (`pool_slot`).
    tf_by_id: Vec<Vec<f32>>,
    /// Field pools' slots.
    field_slots: Vec<(Field, usize)>,
}

/// One field's part in a pair's weight.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldExplanation {
    /// Comparison name.
    pub comparison: String,
    /// Level hit (0 = a value missing).
    pub level: u8,
    /// Level name.
    pub level_name: String,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match), after term-frequency adjustment when applied.
    pub u: f64,
    /// Whether the level's u came from the value's frequency.
    pub term_frequency_adjusted: bool,
    /// log2(m/u): this field's contribution to the match weight.
    pub partial_weight: f64,
}

/// Why a pair scored as it did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairExplanation {
    /// First record id.
    pub record_a: String,
    /// Second record id.
    pub record_b: String,
    /// log2 of the prior odds.
    pub prior_weight: f64,
    /// Each comparison's contribution.
    pub fields: Vec<FieldExplanation>,
    /// Whether given name and surname were compared crosswise (swapped at entry).
    pub names_swapped: bool,
    /// Total match weight (prior + partial weights).
    pub match_weight: f64,
    /// Match probability 2^w / (1 + 2^w).
    pub match_probability: f64,
}

/// Probability from a match weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

impl<'a> Scorer<'a> {
    /// A scorer for records interned in `interner`.
    pub fn new(model: &'a Model, interner: &'a Interner) -> Scorer<'a> {
        let weights = model
            .m
            .iter()
            .zip(&model.u)
            .map(|(m, u)| m.iter().zip(u).map(|(m, u)| (m / u).log2()).collect())
            .collect();
        // Slots: 0 given, 1 surname, 2 all given names, then one per field pool.
        let mut field_slots = Vec::new();
        for c in &model.comparisons {
            if let Comparison::Exact {
                field,
                term_frequency: true,
            }
            | Comparison::Fuzzy {
                field,
                term_frequency: true,
                ..
            } = c
            {
                if !field_slots.iter().any(|(f, _)| f == field) {
                    field_slots.push((*field, 3 + field_slots.len()));
                }
            }
        }
        let mut names = vec![
            pool_name(TfPool::Given),
            pool_name(TfPool::Surname),
            pool_name(TfPool::GivenJoined),
        ];
        names.extend(
            field_slots
                .iter()
                .map(|(f, _)| pool_name(TfPool::Field(*f))),
        );
        let tf_by_id = names
            .iter()
            .map(|pool| {
                let mut v = vec![0f32; interner.len()];
                if let Some(table) = model.term_frequencies.get(pool) {
                    for (text, f) in table {
                        if let Some(id) = interner.get(text) {
                            v[id as usize] = *f as f32;
                        }
                    }
                }
                v
            })
            .collect();
        Scorer {
            model,
            ctx: CompareContext::new(interner, crate::nicknames::NicknameTable::bundled()),
            weights,
            prior_weight: (model.lambda / (1.0 - model.lambda)).log2(),
            tf_by_id,
            field_slots,
        }
    }

    /// The comparison context (interner and nicknames).
    pub fn context(&self) -> &CompareContext<'a> {
        &self.ctx
    }

    fn tf(&self, slot: usize, id: u32) -> f64 {
        let f = self
            .tf_by_id
            .get(slot)
            .and_then(|v| v.get(id as usize))
            .copied()
            .unwrap_or(0.0) as f64;
        f.max(self.model.tf_floor)
    }

    /// The u of a level after term-frequency adjustment, when it applies.
    fn tf_u(&self, c: &Comparison, level: u8, a: &Prepared, b: &Prepared) -> Option<f64> {
        let (pool, x, y) = c.tf_value(level, a, b)?;
        let slot = match pool {
            TfPool::Given => 0,
            TfPool::GivenJoined => 2,
            TfPool::Surname | TfPool::SurnamePair => 1,
            TfPool::Field(f) => self
                .field_slots
                .iter()
                .find(|(g, _)| *g == f)
                .map_or(usize::MAX, |(_, s)| *s),
        };
        Some(match pool {
            TfPool::SurnamePair => {
                if y == 0 {
                    self.tf(slot, x)
                } else {
                    self.tf(slot, x) * self.tf(slot, y)
                }
            }
            _ => self.tf(slot, x).max(self.tf(slot, y)),
        })
    }

    /// Levels and match weight of a pair.
    pub fn score(&self, a: &Prepared, b: &Prepared) -> (Gamma, f64) {
        let mut g = [NULL_LEVEL; MAX_COMPARISONS];
        let mut w = self.prior_weight;
        let (crossed, known) = oriented_with_levels(a, b, &self.ctx);
        let bb = crossed.unwrap_or(*b);
        for (ci, c) in self.model.comparisons.iter().enumerate() {
            let l = c.level_known(a, &bb, &self.ctx, known);
            g[ci] = l;
            if l == NULL_LEVEL {
                continue;
            }
            w += match self.tf_u(c, l, a, &bb) {
                Some(u) => (self.model.m[ci][l as usize - 1] / u).log2(),
                None => self.weights[ci][l as usize - 1],
            };
        }
        (g, w)
    }

    /// The field-by-field explanation of a pair's weight.
    pub fn explain(&self, a: &Prepared, b: &Prepared, id_a: &str, id_b: &str) -> PairExplanation {
        let (g, w) = self.score(a, b);
        let crossed = oriented(a, b, &self.ctx);
        let swapped = crossed.is_some();
        let bb = crossed.unwrap_or(*b);
        let fields = self
            .model
            .comparisons
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let l = g[ci];
                if l == NULL_LEVEL {
                    return FieldExplanation {
                        comparison: c.name(),
                        level: 0,
                        level_name: "missing".into(),
                        m: 1.0,
                        u: 1.0,
                        term_frequency_adjusted: false,
                        partial_weight: 0.0,
                    };
                }
                let m = self.model.m[ci][l as usize - 1];
                let tf = self.tf_u(c, l, a, &bb);
                let u = tf.unwrap_or(self.model.u[ci][l as usize - 1]);
                FieldExplanation {
                    comparison: c.name(),
                    level: l,
                    level_name: c.level_names()[l as usize - 1].to_owned(),
                    m,
                    u,
                    term_frequency_adjusted: tf.is_some(),
                    partial_weight: (m / u).log2(),
                }
            })
            .collect();
        PairExplanation {
            record_a: id_a.to_owned(),
            record_b: id_b.to_owned(),
            prior_weight: self.prior_weight,
            fields,
            names_swapped: swapped,
            match_weight: w,
            match_probability: probability(w),
        }
    }

    /// Partial weight of comparison `ci` at the levels in `g` (without term frequency).
    pub fn partial_weight(&self, ci: usize, level: u8) -> f64 {
        if level == NULL_LEVEL {
            0.0
        } else {
            self.weights[ci][level as usize - 1]
        }
    }
}

/// Check that a stored model fits the comparisons it is used with.
pub fn check_model(model: &Model, comparisons: &[Comparison]) -> Result<(), RegistryError> {
    if model.comparisons != comparisons {
        return Err(RegistryError::ModelMismatch {
            reason: "the model was trained with other comparisons".into(),
        });
    }
    for (ci, c) in comparisons.iter().enumerate() {
        if model.m.get(ci).map(Vec::len) != Some(c.level_count())
            || model.u.get(ci).map(Vec::len) != Some(c.level_count())
        {
            return Err(RegistryError::ModelMismatch {
                reason: format!("comparison {} has the wrong number of levels", c.name()),
            });
        }
    }
    Ok(())
}
