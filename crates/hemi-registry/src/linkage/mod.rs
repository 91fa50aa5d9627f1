//! Record linkage and de-duplication in the Fellegi–Sunter tradition, after Splink's
//! design (blocking rules, comparison levels, u from random pairs, m by EM, term
//! frequencies, match weights → probabilities, clustering), with what a migrant registry
//! needs on top: household members never merged, a chain check, a review queue for the
//! grey zone, caseworker decisions respected on every run, and incremental linking that
//! keeps existing cluster ids.
//!
//! Order of calls for the application layer:
//! 1. parse records (`csvio::read_records`) or build `LinkRecord`s from stored persons;
//! 2. `LinkSession::dedupe` (one file), `LinkSession::link` (two files) — training and
//!    scoring in one call, returning clusters, links, review items and the model;
//! 3. later batches: `LinkSession::add_records` links new records into the session's
//!    clusters (or `LinkSession::resume` rebuilds a session from stored records, cluster
//!    ids and the stored model);
//! 4. `LinkSession::explain` for any pair a caseworker opens.

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod csvio;
pub mod model;
pub mod record;
mod settings;

pub use blocking::{BlockingRule, BlockingStats, KeyPart, PairMode};
pub use cluster::RefusalReason;
pub use compare::Comparison;
pub use model::{FieldExplanation, Model, PairExplanation, TrainingSession, TrainingSettings};
pub use record::{Field, LinkRecord};
pub use settings::{PersonRule, Settings};

use blocking::Blocks;
use cluster::{Constraints, Edge};
use model::Scorer;
use rayon::prelude::*;
use record::{Interner, Prepared};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::RegistryError;

/// Progress of a long computation: `stage` names the step, `done` of `total` units.
pub trait Progress: Sync {
    /// Report progress.
    fn report(&self, stage: &str, done: u64, total: u64);
}

impl<F: Fn(&str, u64, u64) + Sync> Progress for F {
    fn report(&self, stage: &str, done: u64, total: u64) {
        self(stage, done, total)
    }
}

/// A progress sink that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _stage: &str, _done: u64, _total: u64) {}
}

/// A caseworker's decision on a pair, kept and respected by every later run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewDecision {
    /// One record id.
    pub record_a: String,
    /// The other record id.
    pub record_b: String,
    /// True: the same person (always merged); false: different people (never merged).
    pub same_person: bool,
}

/// Why a pair is in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// The match probability is in the grey zone between the review and match thresholds.
    GreyZone,
    /// A high score, but a person-level field (given name, date of birth) disagrees:
    /// often two members of one family.
    PersonFieldsDisagree,
    /// A high score, but the merge was refused (household, conflict, existing clusters).
    MergeRefused(RefusalReason),
}

/// A pair for a caseworker to decide.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReviewItem {
    /// One record id.
    pub record_a: String,
    /// The other record id.
    pub record_b: String,
    /// Cluster of `record_a` after this run.
    pub cluster_a: String,
    /// Cluster of `record_b` after this run.
    pub cluster_b: String,
    /// Why it is queued.
    pub reason: ReviewReason,
    /// Match weight.
    pub match_weight: f64,
    /// Match probability.
    pub match_probability: f64,
    /// Field-by-field explanation.
    pub explanation: PairExplanation,
}

/// A link that merged two records' clusters, with its weight field by field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// One record id.
    pub record_a: String,
    /// The other record id.
    pub record_b: String,
    /// Match weight.
    pub match_weight: f64,
    /// Match probability.
    pub match_probability: f64,
    /// Level hit by each comparison (0 = missing), in the model's comparison order.
    pub levels: Vec<u8>,
    /// Partial weight of each comparison (term frequency included), same order.
    pub partial_weights: Vec<f32>,
    /// A caseworker decided this pair is the same person.
    pub decided: bool,
}

/// A record's cluster.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClusterAssignment {
    /// Record id.
    pub record_id: String,
    /// Cluster (person) id: the record id of the cluster's first record; in incremental
    /// runs an existing cluster keeps its id.
    pub cluster_id: String,
}

/// Counts describing a run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LinkStats {
    /// Records in the run.
    pub records: u64,
    /// Pairs scored.
    pub pairs_compared: u64,
    /// Blocking counts.
    pub blocking: BlockingStats,
    /// Pairs at or above the match threshold.
    pub pairs_above_threshold: u64,
    /// Merges refused, by reason.
    pub merges_refused: BTreeCounts,
    /// Review items found (the queue is capped at `Settings::max_review_items`).
    pub review_items_found: u64,
    /// Clusters.
    pub clusters: u64,
}

/// Counts by refusal reason.
pub type BTreeCounts = std::collections::BTreeMap<String, u64>;

/// What a run produces.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LinkOutput {
    /// Every record's cluster, in input order (for incremental runs: the new records).
    pub clusters: Vec<ClusterAssignment>,
    /// Links that joined clusters.
    pub links: Vec<Link>,
    /// Pairs for review, most probable first.
    pub review: Vec<ReviewItem>,
    /// Counts.
    pub stats: LinkStats,
}

/// Records, their prepared form, the model and the clusters: everything needed to link
/// more records later or explain a pair.
pub struct LinkSession {
    settings: Settings,
    interner: Interner,
    prepared: Vec<Prepared>,
    record_ids: Vec<String>,
    index_of: FxHashMap<String, u32>,
    cluster_of: Vec<String>,
    /// Records of each cluster, built on the first incremental run and kept up to date.
    members_of: FxHashMap<String, Vec<u32>>,
    model: Model,
    blocks: Option<Blocks>,
}

impl LinkSession {
    /// De-duplicate one set of records: train, score, cluster.
    pub fn dedupe(
        records: &[LinkRecord],
        settings: &Settings,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<(LinkSession, LinkOutput), RegistryError> {
        Self::run(records, &[], settings, decisions, progress)
    }

    /// Link two files (each assumed free of duplicates when `settings.one_per_source`).
    pub fn link(
        left: &[LinkRecord],
        right: &[LinkRecord],
        settings: &Settings,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<(LinkSession, LinkOutput), RegistryError> {
        if left.is_empty() || right.is_empty() {
            return Err(RegistryError::InvalidSetting {
                setting: "records".into(),
                value: "0".into(),
                reason: "linking needs records on both sides".into(),
            });
        }
        Self::run(left, right, settings, decisions, progress)
    }

    /// De-duplicate records given by value: they are dropped once prepared (only their
    /// ids are kept), so a million-record run does not hold the text twice.
    pub fn dedupe_owned(
        records: Vec<LinkRecord>,
        settings: &Settings,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<(LinkSession, LinkOutput), RegistryError> {
        settings.validate()?;
        progress.report("preparing records", 0, records.len() as u64);
        let mut interner = Interner::default();
        let prepared = record::prepare(&records, 0, &mut interner);
        let record_ids: Vec<String> = records.into_iter().map(|r| r.record_id).collect();
        Self::run_prepared(
            interner,
            prepared,
            record_ids,
            PairMode::Dedupe,
            settings,
            decisions,
            progress,
        )
    }

    fn run(
        left: &[LinkRecord],
        right: &[LinkRecord],
        settings: &Settings,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<(LinkSession, LinkOutput), RegistryError> {
        settings.validate()?;
        let mode = if right.is_empty() {
            PairMode::Dedupe
        } else {
            PairMode::Link
        };
        progress.report("preparing records", 0, (left.len() + right.len()) as u64);
        let mut interner = Interner::default();
        let mut prepared = record::prepare(left, 0, &mut interner);
        prepared.extend(record::prepare(right, 1, &mut interner));
        let record_ids: Vec<String> = left
            .iter()
            .chain(right)
            .map(|r| r.record_id.clone())
            .collect();
        Self::run_prepared(
            interner, prepared, record_ids, mode, settings, decisions, progress,
        )
    }

    fn run_prepared(
        interner: Interner,
        prepared: Vec<Prepared>,
        record_ids: Vec<String>,
        mode: PairMode,
        settings: &Settings,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<(LinkSession, LinkOutput), RegistryError> {
        let index_of = index_ids(&record_ids)?;
        let model = model::train(
            &prepared,
            &interner,
            &settings.comparisons,
            &settings.training,
            mode,
            progress,
        )?;
        let mut session = LinkSession {
            settings: settings.clone(),
            interner,
            prepared,
            record_ids,
            index_of,
            cluster_of: Vec::new(),
            members_of: FxHashMap::default(),
            model,
            blocks: None,
        };
        let output = session.score_and_cluster(mode, 0, decisions, progress)?;
        Ok((session, output))
    }

    /// Rebuild a session from stored records, their cluster ids and the stored model
    /// (to link new records into a registry after a restart).
    pub fn resume(
        records: &[LinkRecord],
        cluster_ids: &[String],
        model: Model,
        settings: &Settings,
    ) -> Result<LinkSession, RegistryError> {
        settings.validate()?;
        model::check_model(&model, &settings.comparisons)?;
        if records.len() != cluster_ids.len() {
            return Err(RegistryError::InvalidSetting {
                setting: "cluster_ids".into(),
                value: cluster_ids.len().to_string(),
                reason: format!(
                    "one cluster id per record is needed ({} records)",
                    records.len()
                ),
            });
        }
        let mut interner = Interner::default();
        let prepared = record::prepare(records, 0, &mut interner);
        let record_ids: Vec<String> = records.iter().map(|r| r.record_id.clone()).collect();
        let index_of = index_ids(&record_ids)?;
        Ok(LinkSession {
            settings: settings.clone(),
            interner,
            prepared,
            record_ids,
            index_of,
            cluster_of: cluster_ids.to_vec(),
            members_of: FxHashMap::default(),
            model,
            blocks: None,
        })
    }

    /// Build the blocking index over the session's records now (otherwise the first
    /// `add_records` does it), so later batches only look new records up.
    pub fn build_index(&mut self) {
        if self.blocks.is_none() {
            self.blocks = Some(Blocks::build(
                &self.prepared,
                &self.settings.blocking_rules,
                &self.interner,
                self.settings.max_block_size,
            ));
        }
    }

    /// Link new records into the session's clusters: a new record joins an existing
    /// cluster or starts one; existing clusters are never merged with each other (such
    /// pairs go to review) and keep their ids. Returns the new records' clusters.
    pub fn add_records(
        &mut self,
        new: &[LinkRecord],
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<LinkOutput, RegistryError> {
        // Index the existing records first (a no-op when `build_index` was called).
        self.build_index();
        let first_new = self.prepared.len() as u32;
        let new_prepared = record::prepare(new, 0, &mut self.interner);
        for (offset, r) in new.iter().enumerate() {
            if self
                .index_of
                .insert(r.record_id.clone(), first_new + offset as u32)
                .is_some()
            {
                // Undo: the session stays as it was.
                for r2 in &new[..offset] {
                    self.index_of.remove(&r2.record_id);
                }
                return Err(RegistryError::InvalidSetting {
                    setting: "record_id".into(),
                    value: r.record_id.clone(),
                    reason: "is already in the registry".into(),
                });
            }
        }
        self.prepared.extend(new_prepared);
        self.record_ids
            .extend(new.iter().map(|r| r.record_id.clone()));
        // Extend the blocking index with the new records' keys.
        let blocks = self.blocks.take().expect("built above");
        let blocks = extend_blocks(
            blocks,
            &self.prepared,
            first_new,
            &self.settings.blocking_rules,
            &self.interner,
        );
        self.blocks = Some(blocks);
        self.score_and_cluster(
            PairMode::Incremental { first_new },
            first_new,
            decisions,
            progress,
        )
    }

    /// The trained model (store it to resume later).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Cluster id of every record in the session, in order.
    pub fn cluster_ids(&self) -> &[String] {
        &self.cluster_of
    }

    /// Record ids in order.
    pub fn record_ids(&self) -> &[String] {
        &self.record_ids
    }

    /// Explain the weight of any pair of records in the session, field by field.
    pub fn explain(&self, record_a: &str, record_b: &str) -> Option<PairExplanation> {
        let a = *self.index_of.get(record_a)?;
        let b = *self.index_of.get(record_b)?;
        let scorer = Scorer::new(&self.model, &self.interner);
        Some(scorer.explain(
            &self.prepared[a as usize],
            &self.prepared[b as usize],
            record_a,
            record_b,
        ))
    }

    /// The first blocking rule under which two records meet, or `None` when no rule pairs
    /// them (so they were never compared: the answer to "why was this duplicate missed?").
    pub fn blocking_rule_of(&self, record_a: &str, record_b: &str) -> Option<&str> {
        let a = *self.index_of.get(record_a)? as usize;
        let b = *self.index_of.get(record_b)? as usize;
        self.settings
            .blocking_rules
            .iter()
            .find(|rule| rule.pairs_records(&self.prepared[a], &self.prepared[b], &self.interner))
            .map(|rule| rule.name.as_str())
    }

    fn score_and_cluster(
        &mut self,
        mode: PairMode,
        first_new: u32,
        decisions: &[ReviewDecision],
        progress: &dyn Progress,
    ) -> Result<LinkOutput, RegistryError> {
        let settings = &self.settings;
        let scorer = Scorer::new(&self.model, &self.interner);
        let review_weight = logit2(settings.review_probability);
        let match_weight = logit2(settings.match_probability);
        let person_rule = settings.person_rule.clone();
        let vetoed = |g: &model::Gamma| person_rule.as_ref().is_some_and(|p| p.vetoes(g));

        if self.blocks.is_none() {
            self.blocks = Some(Blocks::build(
                &self.prepared,
                &settings.blocking_rules,
                &self.interner,
                settings.max_block_size,
            ));
        }
        let blocks = self.blocks.as_ref().expect("built above");
        progress.report("scoring pairs", 0, self.prepared.len() as u64);
        let prepared = &self.prepared;
        let dismiss = person_rule
            .as_ref()
            .map(|p| (p.dismiss_levels.clone(), p.override_levels.clone()))
            .unwrap_or_default();
        let comparisons = &settings.comparisons;
        let ctx = scorer.context();
        let dismissed = |a: &Prepared, b: &Prepared| {
            dismiss
                .0
                .iter()
                .any(|&(k, l)| comparisons[k].level(a, b, ctx) == l)
                && !dismiss
                    .1
                    .iter()
                    .any(|&(k, l)| comparisons[k].level(a, b, ctx) == l)
        };
        let (scored, blocking_stats) = blocks.pairs(prepared, mode, &|i, j, a, b| {
            if dismissed(a, b) {
                return None;
            }
            let (g, w) = scorer.score(a, b);
            if w >= review_weight {
                Some((i, j, w, vetoed(&g)))
            } else {
                None
            }
        });
        progress.report(
            "scoring pairs",
            self.prepared.len() as u64,
            self.prepared.len() as u64,
        );

        // Decisions as must-link edges and cannot-link pairs.
        let mut different: FxHashSet<(u32, u32)> = FxHashSet::default();
        let mut forced = Vec::new();
        let mut decided: FxHashSet<(u32, u32)> = FxHashSet::default();
        for d in decisions {
            let (Some(&a), Some(&b)) = (
                self.index_of.get(&d.record_a),
                self.index_of.get(&d.record_b),
            ) else {
                continue;
            };
            if a == b {
                continue;
            }
            let key = (a.min(b), a.max(b));
            decided.insert(key);
            if d.same_person {
                forced.push(Edge {
                    a: key.0,
                    b: key.1,
                    weight: f64::INFINITY,
                    forced: true,
                });
            } else {
                different.insert(key);
            }
        }
        let mut edges: Vec<Edge> = forced;
        let mut review_candidates: Vec<(u32, u32, f64, ReviewReason)> = Vec::new();
        let mut above = 0u64;
        for &(i, j, w, veto) in &scored {
            if decided.contains(&(i, j)) {
                continue;
            }
            if w >= match_weight {
                above += 1;
                if veto {
                    review_candidates.push((i, j, w, ReviewReason::PersonFieldsDisagree));
                } else {
                    edges.push(Edge {
                        a: i,
                        b: j,
                        weight: w,
                        forced: false,
                    });
                }
            } else {
                review_candidates.push((i, j, w, ReviewReason::GreyZone));
            }
        }

        // The records clustering looks at: every record in a batch run; in an incremental
        // run only the new records and the members of existing clusters they touch, so a
        // batch of ten thousand into a million costs what the batch touches.
        let n = self.prepared.len();
        let incremental = first_new > 0;
        if incremental && self.members_of.is_empty() {
            for (i, c) in self.cluster_of.iter().enumerate().take(first_new as usize) {
                self.members_of.entry(c.clone()).or_default().push(i as u32);
            }
        }
        let mut nodes: Vec<u32> = Vec::new();
        let mut local: FxHashMap<u32, u32> = FxHashMap::default();
        let mut initial: Vec<Vec<u32>> = Vec::new();
        if incremental {
            let add = |g: u32, nodes: &mut Vec<u32>, local: &mut FxHashMap<u32, u32>| -> u32 {
                *local.entry(g).or_insert_with(|| {
                    nodes.push(g);
                    nodes.len() as u32 - 1
                })
            };
            for g in first_new..n as u32 {
                add(g, &mut nodes, &mut local);
            }
            let mut touched: Vec<&str> = Vec::new();
            for &(a, b) in edges
                .iter()
                .map(|e| (e.a, e.b))
                .collect::<Vec<_>>()
                .iter()
                .chain(
                    review_candidates
                        .iter()
                        .map(|c| (c.0, c.1))
                        .collect::<Vec<_>>()
                        .iter(),
                )
            {
                for x in [a, b] {
                    if x < first_new {
                        touched.push(self.cluster_of[x as usize].as_str());
                    }
                }
            }
            touched.sort_unstable();
            touched.dedup();
            for c in touched {
                let members = &self.members_of[c];
                let group: Vec<u32> = members
                    .iter()
                    .map(|&m| add(m, &mut nodes, &mut local))
                    .collect();
                if group.len() > 1 {
                    initial.push(group);
                }
            }
        } else {
            nodes = (0..n as u32).collect();
        }
        let to_local = |g: u32| if incremental { local[&g] } else { g };
        let existing: Vec<bool> = nodes.iter().map(|&g| g < first_new).collect();
        let household: Vec<u32> = nodes
            .iter()
            .map(|&g| prepared[g as usize].household)
            .collect();
        let source: Vec<u8> = nodes.iter().map(|&g| prepared[g as usize].source).collect();
        let different_local: FxHashSet<(u32, u32)> = different
            .iter()
            .filter(|(a, b)| !incremental || (local.contains_key(a) && local.contains_key(b)))
            .map(|&(a, b)| {
                let (x, y) = (to_local(a), to_local(b));
                (x.min(y), x.max(y))
            })
            .collect();
        let local_edges: Vec<Edge> = edges
            .iter()
            .map(|e| Edge {
                a: to_local(e.a),
                b: to_local(e.b),
                weight: e.weight,
                forced: e.forced,
            })
            .collect();
        let guard = settings.chain_guard_weight;
        let conflict = |x: u32, y: u32| {
            let (g, w) = scorer.score(
                &prepared[nodes[x as usize] as usize],
                &prepared[nodes[y as usize] as usize],
            );
            w < guard || vetoed(&g)
        };
        let constraints = Constraints {
            household: &household,
            source: &source,
            one_per_source: settings.one_per_source && mode == PairMode::Link,
            different: &different_local,
            existing: &existing,
            conflict: &conflict,
            max_cluster_size: settings.max_cluster_size,
        };
        progress.report("clustering", 0, edges.len() as u64);
        let result = cluster::cluster(nodes.len(), &initial, local_edges, &constraints);
        progress.report("clustering", edges.len() as u64, edges.len() as u64);

        // Cluster ids: an existing cluster keeps its id; a new one takes its first record's id.
        let mut id_of_root: FxHashMap<u32, String> = FxHashMap::default();
        for (l, &g) in nodes.iter().enumerate() {
            if g < first_new {
                id_of_root
                    .entry(result.root[l])
                    .or_insert_with(|| self.cluster_of[g as usize].clone());
            }
        }
        for (l, &g) in nodes.iter().enumerate() {
            id_of_root
                .entry(result.root[l])
                .or_insert_with(|| self.record_ids[g as usize].clone());
        }
        let root_of_global = |g: u32| -> Option<u32> {
            if incremental {
                local.get(&g).map(|&l| result.root[l as usize])
            } else {
                Some(result.root[g as usize])
            }
        };
        // Existing records keep their ids; new records get theirs.
        if incremental {
            for g in first_new..n as u32 {
                let id = id_of_root[&result.root[local[&g] as usize]].clone();
                self.members_of.entry(id.clone()).or_default().push(g);
                self.cluster_of.push(id);
            }
        } else {
            self.cluster_of = (0..n)
                .map(|i| id_of_root[&result.root[i]].clone())
                .collect();
            self.members_of.clear();
        }
        let same_cluster = |a: u32, b: u32| -> bool {
            match (root_of_global(a), root_of_global(b)) {
                (Some(x), Some(y)) => x == y,
                _ => self.cluster_of[a as usize] == self.cluster_of[b as usize],
            }
        };

        let mut merges_refused = BTreeCounts::new();
        for (e, reason) in &result.refused {
            *merges_refused.entry(format!("{reason:?}")).or_default() += 1;
            review_candidates.push((
                nodes[e.a as usize],
                nodes[e.b as usize],
                e.weight,
                ReviewReason::MergeRefused(*reason),
            ));
        }
        // Links that joined clusters: edges whose records ended in one cluster, not refused.
        let refused_set: FxHashSet<(u32, u32)> = result
            .refused
            .iter()
            .map(|(e, _)| (nodes[e.a as usize], nodes[e.b as usize]))
            .collect();
        let links: Vec<Link> = edges
            .par_iter()
            .filter(|e| !refused_set.contains(&(e.a, e.b)) && same_cluster(e.a, e.b))
            .map(|e| {
                let (pa, pb) = (&prepared[e.a as usize], &prepared[e.b as usize]);
                let ex = scorer.explain(
                    pa,
                    pb,
                    &self.record_ids[e.a as usize],
                    &self.record_ids[e.b as usize],
                );
                Link {
                    record_a: ex.record_a.clone(),
                    record_b: ex.record_b.clone(),
                    match_weight: ex.match_weight,
                    match_probability: ex.match_probability,
                    levels: ex.fields.iter().map(|f| f.level).collect(),
                    partial_weights: ex.fields.iter().map(|f| f.partial_weight as f32).collect(),
                    decided: e.forced,
                }
            })
            .collect();

        // Review: pairs not already in one cluster, most probable first.
        review_candidates.retain(|&(i, j, _, _)| !same_cluster(i, j));
        review_candidates
            .sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
        review_candidates.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        let review_found = review_candidates.len() as u64;
        let cluster_of = &self.cluster_of;
        let review: Vec<ReviewItem> = review_candidates
            .iter()
            .take(settings.max_review_items)
            .map(|&(i, j, _, reason)| {
                let ex = scorer.explain(
                    &prepared[i as usize],
                    &prepared[j as usize],
                    &self.record_ids[i as usize],
                    &self.record_ids[j as usize],
                );
                ReviewItem {
                    record_a: ex.record_a.clone(),
                    record_b: ex.record_b.clone(),
                    cluster_a: cluster_of[i as usize].clone(),
                    cluster_b: cluster_of[j as usize].clone(),
                    reason,
                    match_weight: ex.match_weight,
                    match_probability: ex.match_probability,
                    explanation: ex,
                }
            })
            .collect();

        let start = first_new as usize;
        let clusters: Vec<ClusterAssignment> = (start..n)
            .map(|i| ClusterAssignment {
                record_id: self.record_ids[i].clone(),
                cluster_id: cluster_of[i].clone(),
            })
            .collect();
        let cluster_count = if incremental {
            self.members_of.len() as u64
        } else {
            cluster_of
                .iter()
                .map(String::as_str)
                .collect::<FxHashSet<&str>>()
                .len() as u64
        };
        let stats = LinkStats {
            records: n as u64,
            pairs_compared: blocking_stats.pairs_per_rule.iter().sum(),
            blocking: blocking_stats,
            pairs_above_threshold: above,
            merges_refused,
            review_items_found: review_found,
            clusters: cluster_count,
        };
        Ok(LinkOutput {
            clusters,
            links,
            review,
            stats,
        })
    }
}

fn logit2(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

fn index_ids(ids: &[String]) -> Result<FxHashMap<String, u32>, RegistryError> {
    let mut map = FxHashMap::default();
    map.reserve(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if id.trim().is_empty() {
            return Err(RegistryError::InvalidSetting {
                setting: "record_id".into(),
                value: String::new(),
                reason: format!("record {} has no id", i + 1),
            });
        }
        if map.insert(id.clone(), i as u32).is_some() {
            return Err(RegistryError::InvalidSetting {
                setting: "record_id".into(),
                value: id.clone(),
                reason: "appears twice; record ids must be unique".into(),
            });
        }
    }
    Ok(map)
}

/// Add the keys of records from `first_new` on to a blocking index, merging them into
/// each rule's sorted order (linear merge, no full re-sort).
fn extend_blocks(
    mut blocks: Blocks,
    records: &[Prepared],
    first_new: u32,
    rules: &[BlockingRule],
    texts: &Interner,
) -> Blocks {
    let n_rules = blocks.rules;
    let old_records = blocks.keys.len() / n_rules.max(1);
    for r in &records[old_records..] {
        blocks.keys.extend(
            rules
                .iter()
                .map(|rule| blocking::key_digest(rule.key(r, texts))),
        );
    }
    for ri in 0..n_rules {
        let key = |i: u32| blocks.keys[i as usize * n_rules + ri];
        let mut new_idx: Vec<u32> = (first_new.max(old_records as u32)..records.len() as u32)
            .filter(|&i| key(i) != 0)
            .collect();
        new_idx.sort_unstable_by_key(|&i| (key(i), i));
        let old = &blocks.order[ri];
        let mut merged = Vec::with_capacity(old.len() + new_idx.len());
        let (mut x, mut y) = (0, 0);
        while x < old.len() || y < new_idx.len() {
            let take_old = y >= new_idx.len()
                || (x < old.len() && (key(old[x]), old[x]) <= (key(new_idx[y]), new_idx[y]));
            if take_old {
                merged.push(old[x]);
                x += 1;
            } else {
                merged.push(new_idx[y]);
                y += 1;
            }
        }
        blocks.order[ri] = merged;
    }
    blocks
}
