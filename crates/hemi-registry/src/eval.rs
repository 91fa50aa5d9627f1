//! Pairwise precision, recall and F1 of a clustering against the truth: every pair of
//! records in one cluster is a predicted link, every pair of records of one true person
//! a true link (the definition used by Splink's `truth_space_table` and by
//! `recordlinkage`'s `precision`/`recall`/`fscore` on pair indexes).

use crate::linkage::ClusterAssignment;
use rustc_hash::{FxHashMap, FxHashSet};

/// Pair counts and the scores derived from them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairwiseScores {
    /// Predicted pairs that are true.
    pub true_positive_pairs: u64,
    /// Predicted pairs that are not.
    pub false_positive_pairs: u64,
    /// True pairs not predicted.
    pub false_negative_pairs: u64,
    /// TP / (TP + FP); 1 when nothing was predicted.
    pub precision: f64,
    /// TP / (TP + FN); 1 when there is nothing to find.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl PairwiseScores {
    /// Scores from counts.
    pub fn from_counts(tp: u64, fp: u64, fn_: u64) -> PairwiseScores {
        let precision = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = if tp + fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        PairwiseScores {
            true_positive_pairs: tp,
            false_positive_pairs: fp,
            false_negative_pairs: fn_,
            precision,
            recall,
            f1,
        }
    }
}

fn choose2(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Compare a clustering with the true clustering. Records absent from `truth` count as
/// persons of their own; records absent from `predicted` as clusters of their own.
/// Counts come from the contingency table, so no pair is enumerated (a million records
/// take a moment).
pub fn evaluate_clusters(
    predicted: &[ClusterAssignment],
    truth: &[ClusterAssignment],
) -> PairwiseScores {
    let truth_of: FxHashMap<&str, &str> = truth
        .iter()
        .map(|c| (c.record_id.as_str(), c.cluster_id.as_str()))
        .collect();
    let mut pred_sizes: FxHashMap<&str, u64> = FxHashMap::default();
    let mut cell_sizes: FxHashMap<(&str, &str), u64> = FxHashMap::default();
    for c in predicted {
        *pred_sizes.entry(c.cluster_id.as_str()).or_default() += 1;
        if let Some(t) = truth_of.get(c.record_id.as_str()) {
            *cell_sizes.entry((c.cluster_id.as_str(), t)).or_default() += 1;
        }
    }
    let mut truth_sizes: FxHashMap<&str, u64> = FxHashMap::default();
    for c in truth {
        *truth_sizes.entry(c.cluster_id.as_str()).or_default() += 1;
    }
    let tp: u64 = cell_sizes.values().map(|&n| choose2(n)).sum();
    let predicted_pairs: u64 = pred_sizes.values().map(|&n| choose2(n)).sum();
    let true_pairs: u64 = truth_sizes.values().map(|&n| choose2(n)).sum();
    PairwiseScores::from_counts(tp, predicted_pairs - tp, true_pairs - tp)
}

/// Compare predicted pairs with true pairs (order within a pair does not matter).
pub fn evaluate_pairs(
    predicted: &[(String, String)],
    truth: &[(String, String)],
) -> PairwiseScores {
    let norm = |(a, b): &(String, String)| {
        if a <= b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        }
    };
    let truth: FxHashSet<(String, String)> = truth.iter().map(norm).collect();
    let predicted: FxHashSet<(String, String)> = predicted.iter().map(norm).collect();
    let tp = predicted.intersection(&truth).count() as u64;
    PairwiseScores::from_counts(tp, predicted.len() as u64 - tp, truth.len() as u64 - tp)
}

/// Every pair of records sharing a cluster; with `sides`, only pairs whose records are on
/// different sides (linking two files: `sides` says which side each record id is on).
pub fn pairs_from_clusters(
    clusters: &[ClusterAssignment],
    sides: Option<&FxHashMap<String, u8>>,
) -> Vec<(String, String)> {
    let mut by_cluster: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for c in clusters {
        by_cluster
            .entry(c.cluster_id.as_str())
            .or_default()
            .push(c.record_id.as_str());
    }
    let mut out = Vec::new();
    for members in by_cluster.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                if let Some(s) = sides {
                    if s.get(*a) == s.get(*b) {
                        continue;
                    }
                }
                out.push((a.to_string(), b.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign(pairs: &[(&str, &str)]) -> Vec<ClusterAssignment> {
        pairs
            .iter()
            .map(|(r, c)| ClusterAssignment {
                record_id: r.to_string(),
                cluster_id: c.to_string(),
            })
            .collect()
    }

    #[test]
    fn contingency_matches_pair_enumeration() {
        // Truth: {a,b,c} {d,e}; predicted: {a,b} {c,d,e}.
        let truth = assign(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "2"), ("e", "2")]);
        let pred = assign(&[("a", "x"), ("b", "x"), ("c", "y"), ("d", "y"), ("e", "y")]);
        let s = evaluate_clusters(&pred, &truth);
        // Predicted pairs ab, cd, ce, de; true ab ac bc de: TP ab, de.
        assert_eq!(
            (
                s.true_positive_pairs,
                s.false_positive_pairs,
                s.false_negative_pairs
            ),
            (2, 2, 2)
        );
        assert!((s.f1 - 0.5).abs() < 1e-12);
        let by_pairs = evaluate_pairs(
            &pairs_from_clusters(&pred, None),
            &pairs_from_clusters(&truth, None),
        );
        assert_eq!(by_pairs, s);
        let perfect = evaluate_clusters(&truth, &truth);
        assert_eq!(perfect.f1, 1.0);
        let none = evaluate_clusters(&assign(&[("a", "a")]), &truth);
        assert_eq!(none.precision, 1.0);
        assert_eq!(none.recall, 0.0);
    }
}
