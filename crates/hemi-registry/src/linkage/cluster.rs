//! Clustering scored pairs into persons: greedy merging of the strongest links first
//! (union–find), refusing any merge that would put two members of one household, two
//! records a caseworker called different, two records of one file when linking two files
//! one-to-one, or two records with strong evidence against each other into one cluster.
//! The last check stops chaining (A~B, B~C, A≁C): connected components alone would merge
//! all three. This is the "cannot-link constrained" agglomeration of Wagstaff et al.,
//! "Constrained k-means clustering with background knowledge" (ICML 2001), applied to
//! record linkage as in Splink's guidance to post-process connected components.

use rustc_hash::FxHashSet;

/// A scored link between two records (indexes into the record list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match weight.
    pub weight: f64,
    /// A caseworker said "same person": merged first, never refused by the chain check.
    pub forced: bool,
}

/// Why a merge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// Two records of one household would be merged.
    SameHousehold,
    /// A caseworker decided two of the records are different people.
    DecidedDifferent,
    /// Two records of one file would be merged (one-to-one linking).
    SameSource,
    /// Two of the records have strong evidence against each other (chaining).
    Conflict,
    /// Two clusters that already existed would be merged (incremental runs keep ids stable).
    ExistingClusters,
}

/// What clustering needs to know besides the edges.
pub struct Constraints<'a> {
    /// Household id of each record (0 = none).
    pub household: &'a [u32],
    /// Source of each record (checked only when `one_per_source`).
    pub source: &'a [u8],
    /// Refuse clusters holding two records of one source.
    pub one_per_source: bool,
    /// Pairs decided different (smaller index first).
    pub different: &'a FxHashSet<(u32, u32)>,
    /// Records that belonged to a cluster before this run (incremental mode): clusters
    /// holding such records are never merged with each other.
    pub existing: &'a [bool],
    /// Whether a pair has strong evidence against being one person (scored on demand).
    pub conflict: &'a (dyn Fn(u32, u32) -> bool + Sync),
    /// Largest cluster the chain check examines fully; past it merges are refused.
    pub max_cluster_size: usize,
}

struct UnionFind {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl UnionFind {
    fn find(&mut self, x: u32) -> u32 {
        let mut r = x;
        while self.parent[r as usize] != r {
            r = self.parent[r as usize];
        }
        let mut c = x;
        while self.parent[c as usize] != r {
            let next = self.parent[c as usize];
            self.parent[c as usize] = r;
            c = next;
        }
        r
    }
}

/// Result of clustering: the root of each record, and the edges refused with why.
pub struct Clustering {
    /// A representative record index for each record's cluster.
    pub root: Vec<u32>,
    /// Refused edges.
    pub refused: Vec<(Edge, RefusalReason)>,
}

/// Cluster `n` records: `initial` groups records known to be together already (existing
/// clusters in incremental mode); `edges` are merged strongest first.
pub fn cluster(
    n: usize,
    initial: &[Vec<u32>],
    mut edges: Vec<Edge>,
    constraints: &Constraints,
) -> Clustering {
    let mut uf = UnionFind {
        parent: (0..n as u32).collect(),
        members: (0..n as u32).map(|i| vec![i]).collect(),
    };
    for group in initial {
        if let Some((&first, rest)) = group.split_first() {
            for &other in rest {
                let (ra, rb) = (uf.find(first), uf.find(other));
                if ra != rb {
                    join(&mut uf, ra, rb);
                }
            }
        }
    }
    edges.sort_by(|x, y| {
        y.forced
            .cmp(&x.forced)
            .then(y.weight.total_cmp(&x.weight))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut refused = Vec::new();
    for e in edges {
        let (ra, rb) = (uf.find(e.a), uf.find(e.b));
        if ra == rb {
            continue;
        }
        if let Some(reason) = refusal(&uf, ra, rb, &e, constraints) {
            refused.push((e, reason));
            continue;
        }
        join(&mut uf, ra, rb);
    }
    let root = (0..n as u32).map(|i| uf.find(i)).collect();
    Clustering { root, refused }
}

fn join(uf: &mut UnionFind, ra: u32, rb: u32) {
    // Keep the bigger member list in place.
    let (big, small) = if uf.members[ra as usize].len() >= uf.members[rb as usize].len() {
        (ra, rb)
    } else {
        (rb, ra)
    };
    uf.parent[small as usize] = big;
    let moved = std::mem::take(&mut uf.members[small as usize]);
    uf.members[big as usize].extend(moved);
}

fn refusal(uf: &UnionFind, ra: u32, rb: u32, e: &Edge, c: &Constraints) -> Option<RefusalReason> {
    let a = &uf.members[ra as usize];
    let b = &uf.members[rb as usize];
    if a.iter().any(|&x| c.existing[x as usize]) && b.iter().any(|&y| c.existing[y as usize]) {
        return Some(RefusalReason::ExistingClusters);
    }
    if a.len() + b.len() > c.max_cluster_size && !e.forced {
        return Some(RefusalReason::Conflict);
    }
    for &x in a {
        for &y in b {
            let (hx, hy) = (c.household[x as usize], c.household[y as usize]);
            if hx != 0 && hx == hy {
                return Some(RefusalReason::SameHousehold);
            }
            if c.different.contains(&(x.min(y), x.max(y))) {
                return Some(RefusalReason::DecidedDifferent);
            }
            if c.one_per_source && c.source[x as usize] == c.source[y as usize] {
                return Some(RefusalReason::SameSource);
            }
        }
    }
    if !e.forced && a.len() * b.len() > 1 {
        for &x in a {
            for &y in b {
                if (x, y) != (e.a, e.b) && (y, x) != (e.a, e.b) && (c.conflict)(x, y) {
                    return Some(RefusalReason::Conflict);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        n: usize,
        edges: &[(u32, u32, f64)],
        household: &[u32],
        conflicts: &[(u32, u32)],
    ) -> (Vec<u32>, Vec<RefusalReason>) {
        let different = FxHashSet::default();
        let source = vec![0u8; n];
        let existing = vec![false; n];
        let conflicts: Vec<(u32, u32)> = conflicts.to_vec();
        let conflict = move |x: u32, y: u32| conflicts.contains(&(x.min(y), x.max(y)));
        let c = Constraints {
            household,
            source: &source,
            one_per_source: false,
            different: &different,
            existing: &existing,
            conflict: &conflict,
            max_cluster_size: 50,
        };
        let edges = edges
            .iter()
            .map(|&(a, b, weight)| Edge {
                a,
                b,
                weight,
                forced: false,
            })
            .collect();
        let out = cluster(n, &[], edges, &c);
        (out.root, out.refused.iter().map(|(_, r)| *r).collect())
    }

    #[test]
    fn households_and_chains_are_not_merged() {
        // 0~1 strong, 1~2 weaker; 0 and 2 conflict: 2 stays apart.
        let (root, refused) = run(3, &[(0, 1, 20.0), (1, 2, 10.0)], &[0, 0, 0], &[(0, 2)]);
        assert_eq!(root[0], root[1]);
        assert_ne!(root[1], root[2]);
        assert_eq!(refused, vec![RefusalReason::Conflict]);
        // Siblings 0 and 1 share household 7: never one cluster, even through 2.
        let (root, refused) = run(3, &[(0, 2, 20.0), (1, 2, 15.0)], &[7, 7, 0], &[]);
        assert_eq!(root[0], root[2]);
        assert_ne!(root[1], root[2]);
        assert_eq!(refused, vec![RefusalReason::SameHousehold]);
        // Without constraints, connected components.
        let (root, refused) = run(4, &[(0, 1, 5.0), (1, 2, 5.0), (2, 3, 5.0)], &[0; 4], &[]);
        assert!(root.iter().all(|r| *r == root[0]));
        assert!(refused.is_empty());
    }
}
