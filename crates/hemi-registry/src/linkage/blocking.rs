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
    /// Only pairs in which at least one record lacks a full date of birth. Most rules
    /// pair records through their date of birth; a record without one is reachable only
    /// through its names, and a name key loose enough to survive a typo or a nickname
    /// makes blocks too large to compare whole. Comparing just the pairs that involve an
    /// undated record keeps the cost to (undated records) × (block size).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub one_without_birth_date: bool,
}

impl BlockingRule {
    /// A rule from a name and parts.
    pub fn new(name: &str, parts: &[KeyPart]) -> BlockingRule {
        BlockingRule {
            name: name.to_owned(),
            parts: parts.to_vec(),
            one_without_birth_date: false,
        }
    }

    /// A rule that pairs only records of which at least one lacks a full date of birth
    /// (see `one_without_birth_date`).
    pub fn one_without_birth_date(name: &str, parts: &[KeyPart]) -> BlockingRule {
        BlockingRule {
            one_without_birth_date: true,
            ..BlockingRule::new(name, parts)
        }
    }

    /// Whether the rule pairs `a` and `b` (both keys known and equal, and the date
    /// condition met).
    pub fn pairs_records(
        &self,
        a: &Prepared,
        b: &Prepared,
        texts: &super::record::Interner,
    ) -> bool {
        if self.one_without_birth_date && a.has_full_dob() && b.has_full_dob() {
            return false;
        }
        let ka = self.key(a, texts);
        ka != 0 && ka == self.key(b, texts)
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

/// A 64-bit blocking key folded to 32 bits, 0 (no key) kept as 0.
pub fn key_digest(key: u64) -> u32 {
    if key == 0 {
        0
    } else {
        ((key ^ (key >> 32)) as u32).max(1)
    }
}

/// Keys of every record under every rule, with each rule's records sorted by key.
#[derive(Debug, Clone)]
pub struct Blocks {
    /// Keys record by record: `keys[record * rules + rule]`. Row-major so that checking
    /// whether an earlier rule already paired two records reads two cache lines, not one
    /// per rule (a million-record run checks tens of millions of pairs).
    /// Stored as 32-bit digests of the rules' 64-bit keys: half the memory at a million
    /// records; a digest collision only puts two blocks together (more pairs compared).
    pub keys: Vec<u32>,
    /// Number of rules.
    pub rules: usize,
    /// `order[rule]`: record indexes sorted by key, records without a key left out.
    pub order: Vec<Vec<u32>>,
    /// Groups larger than this are skipped (and counted).
    pub max_block_size: usize,
    /// Per rule: whether it pairs only records of which one lacks a full date of birth.
    pub one_without_birth_date: Vec<bool>,
    /// Per rule: pairs in blocks over the cap, not compared.
    pub skipped_pairs: Vec<u64>,
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
        let keys: Vec<u32> = records
            .par_iter()
            .flat_map_iter(|r| rules.iter().map(move |rule| key_digest(rule.key(r, texts))))
            .collect();
        let order = (0..n_rules)
            .map(|rule| {
                let k = |i: u32| keys[i as usize * n_rules + rule];
                let mut idx: Vec<u32> = (0..records.len() as u32).filter(|&i| k(i) != 0).collect();
                idx.par_sort_unstable_by_key(|&i| (k(i), i));
                idx
            })
            .collect();
        let mut blocks = Blocks {
            keys,
            rules: n_rules,
            order,
            max_block_size,
            one_without_birth_date: rules.iter().map(|r| r.one_without_birth_date).collect(),
            skipped_pairs: vec![0; n_rules],
        };
        blocks.drop_large_blocks(records);
        blocks
    }

    /// Take blocks over the size cap out of their rule: their records' keys under that
    /// rule become 0, so the rule neither compares them nor counts as having found their
    /// pairs (later rules compare them instead). Their pairs are counted as skipped.
    fn drop_large_blocks(&mut self, records: &[Prepared]) {
        for rule in 0..self.rules {
            let large: Vec<(usize, usize)> = self
                .groups(rule)
                .into_iter()
                .filter(|&(s, e)| self.too_large(rule, &self.order[rule][s..e], records))
                .collect();
            if large.is_empty() {
                continue;
            }
            let mut dropped = vec![false; self.order[rule].len()];
            for &(s, e) in &large {
                self.skipped_pairs[rule] +=
                    self.block_pairs(rule, &self.order[rule][s..e], records);
                for (flag, &i) in dropped[s..e].iter_mut().zip(&self.order[rule][s..e]) {
                    *flag = true;
                    self.keys[i as usize * self.rules + rule] = 0;
                }
            }
            let order = std::mem::take(&mut self.order[rule]);
            self.order[rule] = order
                .into_iter()
                .zip(dropped)
                .filter(|(_, d)| !d)
                .map(|(i, _)| i)
                .collect();
        }
    }

    /// Pairs a block of records holds under `rule`; for a rule on undated records, only
    /// pairs with an undated record count.
    fn block_pairs(&self, rule: usize, members: &[u32], records: &[Prepared]) -> u64 {
        let g = members.len() as u64;
        if !self.one_without_birth_date[rule] {
            return g * g.saturating_sub(1) / 2;
        }
        let undated = members
            .iter()
            .filter(|&&i| !records[i as usize].has_full_dob())
            .count() as u64;
        undated * (g - undated) + undated * undated.saturating_sub(1) / 2
    }

    /// Whether a block is over the size cap: more pairs than a block of
    /// `max_block_size` records holds.
    fn too_large(&self, rule: usize, members: &[u32], records: &[Prepared]) -> bool {
        let cap = self.max_block_size as u64;
        members.len() > self.max_block_size
            && self.block_pairs(rule, members, records) > cap * cap.saturating_sub(1) / 2
    }

    /// The key of record `i` under `rule`.
    #[inline]
    pub fn key(&self, rule: usize, i: usize) -> u64 {
        u64::from(self.keys[i * self.rules + rule])
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
            let order = &self.order[rule];
            stats.pairs_skipped_in_large_blocks += self.skipped_pairs[rule];
            let undated_only = self.one_without_birth_date[rule];
            let results: Vec<(Vec<T>, u64)> = groups
                .par_iter()
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
                    let local_keys: Vec<u32> = members
                        .iter()
                        .flat_map(|&i| {
                            self.keys[i as usize * self.rules..i as usize * self.rules + rule]
                                .iter()
                                .copied()
                        })
                        .collect();
                    // An earlier rule found the pair when its keys agree, unless it pairs only
                    // undated records and both are dated, or it skipped the block as too
                    // large (such keys are left out of `order`, and recorded as 0 here).
                    let earlier = |x: usize, y: usize| {
                        let (kx, ky) = (
                            &local_keys[x * rule..(x + 1) * rule],
                            &local_keys[y * rule..(y + 1) * rule],
                        );
                        let both_dated = local[x].has_full_dob() && local[y].has_full_dob();
                        kx.iter().zip(ky).enumerate().any(|(r, (a, b))| {
                            *a != 0 && a == b && !(both_dated && self.one_without_birth_date[r])
                        })
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
                    let mut handle = |x: usize, y: usize| {
                        if mode == PairMode::Link && local[x].source == local[y].source {
                            return;
                        }
                        if earlier(x, y) {
                            return;
                        }
                        compared += 1;
                        if let Some(t) = visit(members[x], members[y], &local[x], &local[y]) {
                            found.push(t);
                        }
                    };
                    if undated_only {
                        // Each undated member with every other member; two undated members
                        // once, from the earlier of the two.
                        for u in (0..members.len()).filter(|&u| !local[u].has_full_dob()) {
                            for (o, other) in local.iter().enumerate() {
                                if o == u || (!other.has_full_dob() && o < u) {
                                    continue;
                                }
                                let (x, y) = (u.min(o), u.max(o));
                                if y >= first_y {
                                    handle(x, y);
                                }
                            }
                        }
                    } else {
                        for y in first_y..members.len() {
                            for x in 0..y {
                                handle(x, y);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::record::{prepare, Interner, LinkRecord};

    fn records(rows: &[(&str, &str, &str)]) -> (Interner, Vec<Prepared>) {
        let records: Vec<LinkRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, (given, surname, dob))| LinkRecord {
                record_id: format!("r{i}"),
                given_name: (*given).into(),
                first_surname: (*surname).into(),
                date_of_birth: (*dob).into(),
                ..LinkRecord::default()
            })
            .collect();
        let mut interner = Interner::default();
        let prepared = prepare(&records, 0, &mut interner);
        (interner, prepared)
    }

    fn pairs_of(blocks: &Blocks, prepared: &[Prepared]) -> Vec<(u32, u32)> {
        let (mut pairs, _) = blocks.pairs(prepared, PairMode::Dedupe, &|i, j, _, _| Some((i, j)));
        pairs.sort_unstable();
        pairs
    }

    #[test]
    fn an_undated_rule_compares_only_pairs_with_an_undated_record() {
        let (interner, p) = records(&[
            ("Ana", "Pérez", "1990-01-02"),
            ("Ana", "Pérez", "1985-03-04"),
            ("Ana", "Pérez", ""),
            ("Ana", "Pérez", "1990"),
        ]);
        let rule =
            BlockingRule::one_without_birth_date("undated", &[KeyPart::Field(Field::Surname1)]);
        assert!(!rule.pairs_records(&p[0], &p[1], &interner));
        assert!(rule.pairs_records(&p[0], &p[2], &interner));
        let blocks = Blocks::build(&p, &[rule], &interner, 100);
        // Every pair but the two fully dated records (a year alone is not a full date).
        assert_eq!(
            pairs_of(&blocks, &p),
            vec![(0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
        );
        // Incremental: only pairs ending in the new records (index 2 on).
        let (pairs, _) = blocks.pairs(&p, PairMode::Incremental { first_new: 3 }, &|i, j, _, _| {
            Some((i, j))
        });
        let mut pairs = pairs;
        pairs.sort_unstable();
        assert_eq!(pairs, vec![(0, 3), (1, 3), (2, 3)]);
    }

    #[test]
    fn an_earlier_undated_rule_does_not_hide_dated_pairs_from_later_rules() {
        let (interner, p) = records(&[
            ("Ana", "Pérez", "1990-01-02"),
            ("Ana", "Pérez", "1990-01-02"),
        ]);
        let rules = [
            BlockingRule::one_without_birth_date("undated", &[KeyPart::Field(Field::Surname1)]),
            BlockingRule::new("date", &[KeyPart::BirthDate]),
        ];
        let blocks = Blocks::build(&p, &rules, &interner, 100);
        let (pairs, stats) = blocks.pairs(&p, PairMode::Dedupe, &|i, j, _, _| Some((i, j)));
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(stats.pairs_per_rule, vec![0, 1]);
    }

    #[test]
    fn a_block_over_the_cap_is_left_to_later_rules() {
        let rows: Vec<(&str, &str, &str)> =
            (0..5).map(|_| ("Ana", "Pérez", "1990-01-02")).collect();
        let (interner, p) = records(&rows);
        let rules = [
            BlockingRule::new("surname", &[KeyPart::Field(Field::Surname1)]),
            BlockingRule::new("date", &[KeyPart::BirthDate]),
        ];
        // The surname block (5 records) is over a cap of 4; the date block is not, as the
        // second rule's block is the same size: with a cap of 4 both are skipped.
        let blocks = Blocks::build(&p, &rules, &interner, 4);
        let (pairs, stats) = blocks.pairs(&p, PairMode::Dedupe, &|i, j, _, _| Some((i, j)));
        assert!(pairs.is_empty());
        assert_eq!(stats.pairs_skipped_in_large_blocks, 20);
        // A later rule with smaller blocks compares what the skipped block held.
        let (interner, p) = records(&[
            ("Ana", "Pérez", "1990-01-02"),
            ("Ana", "Pérez", "1990-01-02"),
            ("Luis", "Pérez", "1991-01-02"),
            ("Juan", "Pérez", "1992-01-02"),
            ("Eva", "Pérez", "1993-01-02"),
        ]);
        let blocks = Blocks::build(&p, &rules, &interner, 4);
        let (pairs, stats) = blocks.pairs(&p, PairMode::Dedupe, &|i, j, _, _| Some((i, j)));
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(stats.pairs_per_rule, vec![0, 1]);
        assert_eq!(stats.pairs_skipped_in_large_blocks, 10);
    }
}
