//! Exact assignment of workers to job places: the transportation problem "fill the
//! most places, then maximise the total score", solved as a minimum-cost flow by
//! cost-scaling push-relabel (Goldberg 1997, "An efficient implementation of a scaling
//! minimum-cost flow algorithm", J. Algorithms 22:1–29; Goldberg & Tarjan 1990).
//!
//! Written by hand: the Rust crates for min-cost flow are either GPL (`rs-graph`) or an
//! unmaintained C++ binding (`mcmf`, 2018), and a greedy loop is not optimal.
//!
//! Network: each worker has supply 1 and arcs to the jobs it may take (capacity 1, cost
//! `MAX_SCORE - score`) and to a "not placed" node (cost `not_placed_cost`, larger than
//! any score difference the rest of the solution could make up, so a minimum-cost flow
//! places as many workers as possible before it looks at scores); each job has an arc
//! to the sink with its places as capacity. Costs are multiplied by `n + 1` (n nodes) so
//! that the final ε = 1 is below 1/n, which makes the ε-optimal flow optimal for the
//! integer costs (Goldberg–Tarjan, theorem 3.3). The final prices are the LP duals:
//! [`Solution::admits`] says whether an arc left out of the network could improve the
//! solution, which lets the caller solve on the best few candidates per worker and still
//! prove optimality on the full candidate set.

use std::collections::VecDeque;

/// Largest score an edge may have; costs are `MAX_SCORE - score`.
pub const MAX_SCORE: i64 = 10_000;

/// A transportation problem: workers, jobs with places, scored edges.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// Number of workers.
    pub workers: usize,
    /// Places per job.
    pub places: Vec<u32>,
    /// (worker, job, score in 0..=MAX_SCORE).
    pub edges: Vec<(u32, u32, i64)>,
}

/// An optimal assignment with its dual prices.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Job of each worker, if placed.
    pub job_of_worker: Vec<Option<u32>>,
    /// Places filled.
    pub filled: u64,
    /// Sum of the scores of the assignments made.
    pub total_score: i64,
    prices: Vec<i64>,
    workers: usize,
    scale: i64,
    /// Push and relabel operations (for benchmarks).
    pub operations: u64,
}

#[derive(Clone, Copy)]
struct Arc {
    head: u32,
    rev: u32,
    residual: i32,
    cost: i64,
}

struct Network {
    first: Vec<u32>,
    arcs: Vec<Arc>,
}

impl Solution {
    /// Whether an arc from `worker` to `job` with `score`, absent from the solved
    /// network, would violate ε-optimality (and could improve the solution). `false`
    /// for every left-out arc proves the solution optimal for the larger network.
    pub fn admits(&self, worker: u32, job: u32, score: i64) -> bool {
        let cost = (MAX_SCORE - score) * self.scale;
        let v = worker as usize;
        let w = self.workers + job as usize;
        cost + self.prices[v] - self.prices[w] < -1
    }

    /// Whether any arc from `worker` with score at most `best_left_out` could be
    /// admitted, given the highest job price: a cheap test that clears most workers.
    pub fn may_admit_any(&self, worker: u32, best_left_out: i64) -> bool {
        let cost = (MAX_SCORE - best_left_out) * self.scale;
        cost + self.prices[worker as usize] - self.max_job_price() < -1
    }

    fn max_job_price(&self) -> i64 {
        self.prices[self.workers..self.prices.len() - 2]
            .iter()
            .copied()
            .max()
            .unwrap_or(i64::MIN / 4)
    }
}

/// Solve exactly. Edges with scores outside `0..=MAX_SCORE` are clamped.
pub fn solve(problem: &Problem) -> Solution {
    let w_count = problem.workers;
    let j_count = problem.places.len();
    let null = w_count + j_count;
    let sink = null + 1;
    let n = sink + 1;
    let scale = n as i64 + 1;
    let total_places: u64 = problem.places.iter().map(|&p| p as u64).sum();
    let most_placed = (w_count as u64).min(total_places) as i64;
    // One more placed worker must outweigh any loss of score elsewhere.
    let not_placed_cost = (most_placed + 1) * MAX_SCORE + 1;

    // Build the arc list: (tail, head, capacity, cost).
    let mut list: Vec<(u32, u32, i32, i64)> = Vec::with_capacity(problem.edges.len() + w_count + j_count + 1);
    for &(w, j, s) in &problem.edges {
        let s = s.clamp(0, MAX_SCORE);
        list.push((w, w_count as u32 + j, 1, (MAX_SCORE - s) * scale));
    }
    for w in 0..w_count {
        list.push((w as u32, null as u32, 1, not_placed_cost * scale));
    }
    for (j, &p) in problem.places.iter().enumerate() {
        list.push(((w_count + j) as u32, sink as u32, p as i32, 0));
    }
    list.push((null as u32, sink as u32, w_count as i32, 0));
    let network = build(n, &list);

    let mut excess = vec![0i64; n];
    for e in excess.iter_mut().take(w_count) {
        *e = 1;
    }
    excess[sink] = -(w_count as i64);
    let mut prices = vec![0i64; n];
    let mut net = network;
    let max_cost = net.arcs.iter().map(|a| a.cost.abs()).max().unwrap_or(0);
    let mut operations = 0u64;
    let mut epsilon = max_cost.max(1);
    const THETA: i64 = 10;
    loop {
        epsilon = (epsilon / THETA).max(1);
        operations += refine(&mut net, &mut excess, &mut prices, epsilon);
        if epsilon == 1 {
            break;
        }
    }

    let mut job_of_worker = vec![None; w_count];
    let mut total_score = 0i64;
    let mut filled = 0u64;
    for (w, slot) in job_of_worker.iter_mut().enumerate() {
        for a in &net.arcs[net.first[w] as usize..net.first[w + 1] as usize] {
            let head = a.head as usize;
            if head >= w_count && head < null && a.residual == 0 && a.cost >= 0 {
                // A forward worker→job arc carrying its unit.
                *slot = Some((head - w_count) as u32);
                total_score += MAX_SCORE - a.cost / scale;
                filled += 1;
            }
        }
    }
    Solution {
        job_of_worker,
        filled,
        total_score,
        prices,
        workers: w_count,
        scale,
        operations,
    }
}

fn build(n: usize, list: &[(u32, u32, i32, i64)]) -> Network {
    let mut degree = vec![0u32; n + 1];
    for &(t, h, _, _) in list {
        degree[t as usize] += 1;
        degree[h as usize] += 1;
    }
    let mut first = vec![0u32; n + 1];
    for v in 0..n {
        first[v + 1] = first[v] + degree[v];
    }
    let mut fill = first.clone();
    let mut arcs = vec![
        Arc {
            head: 0,
            rev: 0,
            residual: 0,
            cost: 0
        };
        first[n] as usize
    ];
    for &(t, h, cap, cost) in list {
        let a = fill[t as usize];
        fill[t as usize] += 1;
        let b = fill[h as usize];
        fill[h as usize] += 1;
        arcs[a as usize] = Arc {
            head: h,
            rev: b,
            residual: cap,
            cost,
        };
        arcs[b as usize] = Arc {
            head: t,
            rev: a,
            residual: 0,
            cost: -cost,
        };
    }
    Network { first, arcs }
}

/// One ε-phase: make the current flow ε-optimal (Goldberg 1997, procedure `refine`).
fn refine(net: &mut Network, excess: &mut [i64], prices: &mut [i64], epsilon: i64) -> u64 {
    let n = excess.len();
    // Saturate every residual arc with negative reduced cost.
    for v in 0..n {
        let (lo, hi) = (net.first[v] as usize, net.first[v + 1] as usize);
        for a in lo..hi {
            let arc = net.arcs[a];
            if arc.residual > 0 && arc.cost + prices[v] - prices[arc.head as usize] < 0 {
                let delta = arc.residual;
                net.arcs[a].residual = 0;
                net.arcs[arc.rev as usize].residual += delta;
                excess[v] -= delta as i64;
                excess[arc.head as usize] += delta as i64;
            }
        }
    }
    let mut current: Vec<u32> = net.first[..n].to_vec();
    let mut queue: VecDeque<u32> = (0..n as u32).filter(|&v| excess[v as usize] > 0).collect();
    let mut operations = 0u64;
    while let Some(v) = queue.pop_front() {
        let v = v as usize;
        let hi = net.first[v + 1] as usize;
        while excess[v] > 0 {
            let mut a = current[v] as usize;
            while a < hi {
                let arc = net.arcs[a];
                if arc.residual > 0 && arc.cost + prices[v] - prices[arc.head as usize] < 0 {
                    break;
                }
                a += 1;
            }
            if a < hi {
                let arc = net.arcs[a];
                let delta = (arc.residual as i64).min(excess[v]);
                net.arcs[a].residual -= delta as i32;
                net.arcs[arc.rev as usize].residual += delta as i32;
                excess[v] -= delta;
                let w = arc.head as usize;
                let was = excess[w];
                excess[w] += delta;
                if was <= 0 && excess[w] > 0 {
                    queue.push_back(w as u32);
                }
                current[v] = a as u32;
                operations += 1;
            } else {
                // Relabel: the largest price that makes some residual arc admissible.
                let lo = net.first[v] as usize;
                let mut best = i64::MIN;
                for arc in &net.arcs[lo..hi] {
                    if arc.residual > 0 {
                        best = best.max(prices[arc.head as usize] - arc.cost);
                    }
                }
                // A node with excess always has a residual arc (the one its flow came in
                // on, or its supply's own arcs), so `best` is set.
                prices[v] = best - epsilon;
                current[v] = lo as u32;
                operations += 1;
            }
        }
    }
    operations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_cases() {
        // One job, one place, two workers: the better worker gets it.
        let s = solve(&Problem { workers: 2, places: vec![1], edges: vec![(0, 0, 10), (1, 0, 90)] });
        assert_eq!(s.job_of_worker, vec![None, Some(0)]);
        assert_eq!((s.filled, s.total_score), (1, 90));
        // Filling two places beats one high score.
        let s = solve(&Problem {
            workers: 2,
            places: vec![1, 1],
            edges: vec![(0, 0, 100), (0, 1, 1), (1, 0, 1)],
        });
        assert_eq!(s.filled, 2);
        assert_eq!(s.total_score, 2);
        // Nobody has edges.
        let s = solve(&Problem { workers: 3, places: vec![2], edges: vec![] });
        assert_eq!(s.filled, 0);
    }
}
