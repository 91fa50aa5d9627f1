//! Blocking rules: only pairs that agree on at least one rule's key are compared. A pair
//! found by several rules is compared once, under the first rule that finds it (Splink's
//! "AND NOT earlier rules" de-duplication of blocked pairs), so no set of pairs is held.

use super::record::{Field, Prepared};
use rayon::prelude::*;
use std::hash::{Hash, Hasher};

/// One part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "part", content = "field")]
pub enum KeyPart {
    /// A field's value.
    Field(Field),
    /// Full date of birth.
    BirthDate,
    /// Year with day and month sorted, so transposed day/month still meet.
    BirthDateTransposable,
    /// Birth year.
    BirthYear,
    /// Birth month and day (any year).
    BirthMonthDay,
    /// First two characters of a field.
    Prefix2(Field),
}

/// A blocking rule: all parts must be known and equal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockingRule {
    /// Name shown in explanations.
    pub name: String,
    /// Parts of the key.
    pub parts: Vec<KeyPart>,
}

impl BlockingRule {
    /// A rule from a name and parts.
    pub fn new(name: &str, parts: &[KeyPart]) -> BlockingRule {
        BlockingRule {
            name: name.to_owned(),
            parts: parts.to_vec(),
        }
    }

    /// The key of a record under this rule; 0 when a part is missing (no block).
    pub fn key(&self, r: &Prepared, texts: &super::record::Interner) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        for part in &self.parts {
            match *part {
                KeyPart::Field(f) => {
                    let v = r.field(f);
                    if v == 0 {
                        return 0;
                    }
                    (1u8, v).hash(&mut h);
                }
                KeyPart::BirthDate => {
                    if !r.has_full_dob() {
                        return 0;
                    }
                    (2u8, r.birth_year, r.birth_month, r.birth_day).hash(&mut h);
                }
                KeyPart::BirthDateTransposable => {
                    if !r.has_full_dob() {
                        return 0;
                    }
                    let (lo, hi) = if r.birth_month <= r.birth_day {
                        (r.birth_month, r.birth_day)
                    } else {
                        (r.birth_day, r.birth_month)
                    };
                    (3u8, r.birth_year, lo, hi).hash(&mut h);
                }
                KeyPart::BirthYear => {
                    if r.birth_year == 0 {
                        return 0;
                    }
                    (4u8, r.birth_year).hash(&mut h);
                }
                KeyPart::BirthMonthDay => {
                    if !r.has_full_dob() {
                        return 0;
                    }
                    (5u8, r.birth_month, r.birth_day).hash(&mut h);
                }
                KeyPart::Prefix2(f) => {
                    let v = r.field(f);
                    if v == 0 {
                        return 0;
                    }
                    let t = texts.text(v).as_bytes();
                    (6u8, &t[..t.len().min(2)]).hash(&mut h);
                }
            }
        }
        // 0 is reserved for "no key".
        h.finish().max(1)
    }
}

/// Keys of every record under every rule, with each rule's records sorted by key.
#[derive(Debug, Clone)]
pub struct Blocks {
    /// Keys record by record: `keys[record * rules + rule]`. Row-major so that checking
    /// whether an earlier rule already paired two records reads two cache lines, not one
    /// per rule (a million-record run checks tens of millions of pairs).
    pub keys: Vec<u64>,
    /// Number of rules.
    pub rules: usize,
    /// `order[rule]`: record indexes sorted by key, records without a key left out.
    pub order: Vec<Vec<u32>>,
    /// Groups larger than this are skipped (and counted).
    pub max_block_size: usize,
}

/// Whether pairs are within one file, across two, or between new and existing records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairMode {
    /// Every pair of records (de-duplication).
    Dedupe,
    /// Only pairs whose records come from different sources (linking two files).
    Link,
    /// Only pairs with at least one record at index `>= first_new`.
    Incremental {
        /// Index of the first new record.
        first_new: u32,
    },
}

/// Counts of what blocking did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BlockingStats {
    /// Pairs compared under each rule (after removing pairs an earlier rule found).
    pub pairs_per_rule: Vec<u64>,
    /// Pairs not compared because their block was larger than the cap.
    pub pairs_skipped_in_large_blocks: u64,
}

impl Blocks {
    /// Compute keys and sort.
    pub fn build(
        records: &[Prepared],
        rules: &[BlockingRule],
        texts: &super::record::Interner,
        max_block_size: usize,
    ) -> Blocks {
        let n_rules = rules.len();
        let keys: Vec<u64> = records
            .par_iter()
            .flat_map_iter(|r| rules.iter().map(move |rule| rule.key(r, texts)))
            .collect();
        let order = (0..n_rules)
            .map(|rule| {
                let k = |i: u32| keys[i as usize * n_rules + rule];
                let mut idx: Vec<u32> = (0..records.len() as u32).filter(|&i| k(i) != 0).collect();
                idx.par_sort_unstable_by_key(|&i| (k(i), i));
                idx
            })
            .collect();
        Blocks {
            keys,
            rules: n_rules,
            order,
            max_block_size,
        }
    }

    /// The key of record `i` under `rule`.
    #[inline]
    pub fn key(&self, rule: usize, i: usize) -> u64 {
        self.keys[i * self.rules + rule]
    }

    /// Group boundaries `(start, end)` into `order[rule]`.
    fn groups(&self, rule: usize) -> Vec<(usize, usize)> {
        let order = &self.order[rule];
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=order.len() {
            if i == order.len()
                || self.key(rule, order[i] as usize) != self.key(rule, order[start] as usize)
            {
                if i - start > 1 {
                    out.push((start, i));
                }
                start = i;
            }
        }
        out
    }

    /// Visit every blocked pair once, in parallel, keeping what `visit` returns. The
    /// visitor gets both indexes and both records.
    pub fn pairs<T: Send>(
        &self,
        records: &[Prepared],
        mode: PairMode,
        visit: &(dyn Fn(u32, u32, &Prepared, &Prepared) -> Option<T> + Sync),
    ) -> (Vec<T>, BlockingStats) {
        let mut out = Vec::new();
        let mut stats = BlockingStats::default();
        for rule in 0..self.rules {
            let groups = self.groups(rule);
            let skipped: u64 = groups
                .iter()
                .filter(|(s, e)| e - s > self.max_block_size)
                .map(|(s, e)| ((e - s) * (e - s - 1) / 2) as u64)
                .sum();
            stats.pairs_skipped_in_large_blocks += skipped;
            let order = &self.order[rule];
            let results: Vec<(Vec<T>, u64)> = groups
                .par_iter()
                .filter(|(s, e)| e - s <= self.max_block_size)
                .filter(|&&(_, e)| match mode {
                    PairMode::Incremental { first_new } => order[e - 1] >= first_new,
                    _ => true,
                })
                .map(|&(s, e)| {
                    let mut found = Vec::new();
                    let mut compared = 0u64;
                    let members = &order[s..e];
                    // A block's records and earlier-rule keys are copied next to each other
                    // first: a block of g records then costs g scattered reads, not g².
                    let local: Vec<Prepared> =
                        members.iter().map(|&i| records[i as usize]).collect();
                    let local_keys: Vec<u64> = members
                        .iter()
                        .flat_map(|&i| {
                            self.keys[i as usize * self.rules..i as usize * self.rules + rule]
                                .iter()
                                .copied()
                        })
                        .collect();
                    let earlier = |x: usize, y: usize| {
                        let (kx, ky) = (
                            &local_keys[x * rule..(x + 1) * rule],
                            &local_keys[y * rule..(y + 1) * rule],
                        );
                        kx.iter().zip(ky).any(|(a, b)| *a != 0 && a == b)
                    };
                    // Members are sorted by index within a group, so in incremental mode the
                    // new records are a suffix: only pairs ending in it are visited.
                    let first_y = match mode {
                        PairMode::Incremental { first_new } => {
                            members.partition_point(|&i| i < first_new)
                        }
                        _ => 1,
                    }
                    .max(1);
                    for y in first_y..members.len() {
                        let j = members[y];
                        for x in 0..y {
                            if mode == PairMode::Link && local[x].source == local[y].source {
                                continue;
                            }
                            if earlier(x, y) {
                                continue;
                            }
                            compared += 1;
                            if let Some(t) = visit(members[x], j, &local[x], &local[y]) {
                                found.push(t);
                            }
                        }
                    }
                    (found, compared)
                })
                .collect();
            let mut compared_rule = 0;
            for (found, compared) in results {
                compared_rule += compared;
                out.extend(found);
            }
            stats.pairs_per_rule.push(compared_rule);
        }
        (out, stats)
    }

    /// Number of pairs a rule's blocks hold (before de-duplication across rules), for
    /// estimating how many matches a training rule misses.
    pub fn pair_count(&self, rule: usize, records: &[Prepared], mode: PairMode) -> u64 {
        self.groups(rule)
            .iter()
            .map(|&(s, e)| {
                let members = &self.order[rule][s..e];
                match mode {
                    PairMode::Dedupe => (members.len() * (members.len() - 1) / 2) as u64,
                    PairMode::Link => {
                        let a = members
                            .iter()
                            .filter(|&&i| records[i as usize].source == 0)
                            .count() as u64;
                        a * (members.len() as u64 - a)
                    }
                    PairMode::Incremental { first_new } => {
                        let new = members.iter().filter(|&&i| i >= first_new).count() as u64;
                        let old = members.len() as u64 - new;
                        new * old + new * new.saturating_sub(1) / 2
                    }
                }
            })
            .sum()
    }
}
