//! Exact assignment of workers to job places: the transportation problem "fill the
//! most places, then maximise the total score", solved as a minimum-cost flow by
//! cost-scaling push-relabel (Goldberg 1997, "An efficient implementation of a scaling
//! minimum-cost flow algorithm", J. Algorithms 22:1–29; Goldberg & Tarjan 1990).
//!
//! Written by hand: the Rust crates for min-cost flow are GPL (`rs-graph`) or an
//! unmaintained C++ binding (`mcmf`, 2018), the assignment crates are dense O(n³)
//! Hungarian methods, and a greedy loop is not optimal.
//!
//! Network: each worker has supply 1 and arcs to the jobs it may take (capacity 1, cost
//! `MAX_SCORE - score`) and straight to the sink ("not placed", cost `not_placed_cost`,
//! larger than any score difference the rest of the solution could make up, so a
//! minimum-cost flow places as many workers as possible before it looks at scores);
//! each job has an arc to the sink with its places as capacity. A shared "not placed"
//! node would be relabelled over all workers' arcs again and again; a job scans only
//! the workers whose unit it holds (see `Network::holders`), not its whole adjacency.
//! Costs are multiplied by `n + 1` (n nodes) so that the final ε = 1 is below 1/n,
//! which makes the ε-optimal flow optimal for the integer costs (Goldberg–Tarjan,
//! theorem 3.3). The final prices are LP duals: [`Solver::improves`] says whether an
//! arc left out of the network could improve the solution; [`Solver::add_edges`] adds
//! such arcs and re-optimises from the current flow and prices (ε-phases from the
//! largest violation down to 1), which lets the caller solve on the best few candidates
//! per worker and still prove optimality on the full candidate set.
//!
//! [`solve`] and the labour matching use the forward–reverse auction of [`auction`],
//! which certifies its answer with a dual bound; [`Solver`] stays as the reference it
//! is tested against (and as the fallback should a certificate ever fail). Without
//! Goldberg's global price updates and arc fixing the push-relabel [`Solver`] takes
//! about 6 s for 20,000 workers and 1,000 job orders on the benchmark machine, the
//! auction with its price-out about 1.3 s (see BENCHMARKS.md).

use std::collections::VecDeque;

pub mod auction;

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

/// An optimal assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Job of each worker, if placed.
    pub job_of_worker: Vec<Option<u32>>,
    /// Places filled.
    pub filled: u64,
    /// Sum of the scores of the assignments made.
    pub total_score: i64,
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
    /// Forward arc of each entry of the arc list.
    position: Vec<u32>,
    /// Nodes `jobs.start..jobs.end` are jobs.
    jobs: std::ops::Range<usize>,
    /// Each job's arc to the sink.
    sink_arc: Vec<u32>,
    /// Each job's residual arcs back to the workers whose unit it holds. A job has
    /// hundreds of arcs but only `places` of them are residual, so a job scans this list
    /// instead of its whole adjacency when it pushes or relabels (the double-push idea
    /// of Goldberg & Kennedy 1995, "An efficient cost scaling algorithm for the
    /// assignment problem", Math. Programming 71:153–177).
    holders: Vec<Vec<u32>>,
}

impl Network {
    fn rebuild_holders(&mut self) {
        for (k, v) in self.jobs.clone().enumerate() {
            let list = &mut self.holders[k];
            list.clear();
            for b in self.first[v]..self.first[v + 1] {
                let arc = self.arcs[b as usize];
                if arc.residual > 0 && (arc.head as usize) < self.jobs.start {
                    list.push(b);
                }
            }
        }
    }
}

/// The solver, kept so that added arcs re-optimise from the current flow and prices.
pub struct Solver {
    list: Vec<(u32, u32, i32, i64)>,
    net: Network,
    prices: Vec<i64>,
    excess: Vec<i64>,
    workers: usize,
    jobs: usize,
    scale: i64,
    operations: u64,
}

impl Solver {
    /// Set up and solve.
    pub fn new(problem: &Problem) -> Solver {
        let w_count = problem.workers;
        let j_count = problem.places.len();
        let sink = w_count + j_count;
        let n = sink + 1;
        let scale = n as i64 + 1;
        let total_places: u64 = problem.places.iter().map(|&p| p as u64).sum();
        let most_placed = (w_count as u64).min(total_places) as i64;
        // One more placed worker must outweigh any loss of score elsewhere.
        let not_placed_cost = (most_placed + 1) * MAX_SCORE + 1;
        let mut list: Vec<(u32, u32, i32, i64)> =
            Vec::with_capacity(problem.edges.len() + w_count + j_count);
        for &(w, j, s) in &problem.edges {
            let s = s.clamp(0, MAX_SCORE);
            list.push((w, w_count as u32 + j, 1, (MAX_SCORE - s) * scale));
        }
        for w in 0..w_count {
            list.push((w as u32, sink as u32, 1, not_placed_cost * scale));
        }
        for (j, &p) in problem.places.iter().enumerate() {
            list.push(((w_count + j) as u32, sink as u32, p as i32, 0));
        }
        let net = build(n, &list, None, w_count..w_count + j_count);
        let mut excess = vec![0i64; n];
        for e in excess.iter_mut().take(w_count) {
            *e = 1;
        }
        excess[sink] = -(w_count as i64);
        let mut solver = Solver {
            list,
            net,
            prices: vec![0; n],
            excess,
            workers: w_count,
            jobs: j_count,
            scale,
            operations: 0,
        };
        let max_cost = solver
            .net
            .arcs
            .iter()
            .map(|a| a.cost.abs())
            .max()
            .unwrap_or(0);
        let mut epsilon = max_cost.max(1);
        const THETA: i64 = 10;
        loop {
            epsilon = (epsilon / THETA).max(1);
            solver.operations += refine(
                &mut solver.net,
                &mut solver.excess,
                &mut solver.prices,
                epsilon,
            );
            if epsilon == 1 {
                break;
            }
        }
        solver
    }

    /// Whether an arc from `worker` to `job` with `score`, absent from the solved
    /// network, would violate ε-optimality (and could improve the solution). `false`
    /// for every left-out arc proves the solution optimal for the larger network.
    pub fn improves(&self, worker: u32, job: u32, score: i64) -> bool {
        let cost = (MAX_SCORE - score.clamp(0, MAX_SCORE)) * self.scale;
        cost + self.prices[worker as usize] - self.prices[self.workers + job as usize] < -1
    }

    /// A number such that an arc into `job` is harder to admit the larger it is: the
    /// negated price of the job node.
    pub fn entry_price(&self, job: u32) -> Option<i64> {
        ((job as usize) < self.jobs).then(|| -self.prices[self.workers + job as usize])
    }

    /// Whether any left-out arc of `worker` with score at most `best_left_out` into a job
    /// whose [`Solver::entry_price`] is at least `lowest_entry_price` could be admitted.
    pub fn may_improve(&self, worker: u32, best_left_out: i64, lowest_entry_price: i64) -> bool {
        let cost = (MAX_SCORE - best_left_out.clamp(0, MAX_SCORE)) * self.scale;
        cost + self.prices[worker as usize] + lowest_entry_price < -1
    }

    /// Add arcs and re-optimise from the current flow and prices (one ε = 1 phase).
    pub fn add_edges(&mut self, edges: &[(u32, u32, i64)]) {
        let flows: Vec<i32> = (0..self.list.len())
            .map(|k| {
                self.net.arcs[self.net.arcs[self.net.position[k] as usize].rev as usize].residual
            })
            .collect();
        for &(w, j, s) in edges {
            let s = s.clamp(0, MAX_SCORE);
            self.list.push((
                w,
                (self.workers as u32) + j,
                1,
                (MAX_SCORE - s) * self.scale,
            ));
        }
        let first_new = self.list.len() - edges.len();
        // Start the phases at the largest violation, not at 1: a phase with ε far below
        // the violation moves prices in tiny steps.
        let violation = self.list[first_new..]
            .iter()
            .map(|&(t, h, _, c)| -(c + self.prices[t as usize] - self.prices[h as usize]))
            .max()
            .unwrap_or(0);
        self.net = build(
            self.prices.len(),
            &self.list,
            Some(&flows),
            self.workers..self.workers + self.jobs,
        );
        let mut epsilon = violation.max(1);
        loop {
            epsilon = (epsilon / 10).max(1);
            self.operations += refine(&mut self.net, &mut self.excess, &mut self.prices, epsilon);
            if epsilon == 1 {
                break;
            }
        }
    }

    /// The assignment now.
    pub fn solution(&self) -> Solution {
        debug_assert!(
            self.excess.iter().all(|&e| e == 0),
            "flow left at nodes: {:?}",
            self.excess
                .iter()
                .enumerate()
                .filter(|(_, e)| **e != 0)
                .collect::<Vec<_>>()
        );
        let w_count = self.workers;
        let mut job_of_worker = vec![None; w_count];
        let mut total_score = 0i64;
        let mut filled = 0u64;
        for (w, slot) in job_of_worker.iter_mut().enumerate() {
            for a in &self.net.arcs[self.net.first[w] as usize..self.net.first[w + 1] as usize] {
                let head = a.head as usize;
                if head >= w_count && head < w_count + self.jobs && a.residual == 0 && a.cost >= 0 {
                    // A forward worker→job arc carrying its unit.
                    *slot = Some((head - w_count) as u32);
                    total_score += MAX_SCORE - a.cost / self.scale;
                    filled += 1;
                }
            }
        }
        Solution {
            job_of_worker,
            filled,
            total_score,
            operations: self.operations,
        }
    }
}

/// Solve exactly: the auction with every edge, checked by its dual bound (the
/// push-relabel [`Solver`] answers instead should the bound ever fail to prove it).
pub fn solve(problem: &Problem) -> Solution {
    let (solution, certificate) = solve_by_auction(problem);
    if certificate.optimal() {
        solution
    } else {
        Solver::new(problem).solution()
    }
}

/// The auction on every edge of `problem`, with the certificate of its dual bound.
pub fn solve_by_auction(problem: &Problem) -> (Solution, auction::Certificate) {
    let candidates = auction::Candidates::from_edges(problem.workers, &problem.edges);
    let max_score = candidates.score.iter().copied().max().unwrap_or(0) as i64;
    let mut solver = auction::Auction::new(problem.workers, &problem.places, max_score);
    for w in 0..problem.workers {
        solver.add_arcs(w as u32, candidates.of(w).map(|(j, s)| (j, s as i64)));
    }
    solver.run();
    let certificate = solver.certify(&candidates);
    let job_of_worker = solver.assignment();
    let mut filled = 0;
    let mut total_score = 0;
    for (w, job) in job_of_worker.iter().enumerate() {
        if let Some(j) = job {
            filled += 1;
            total_score += candidates
                .of(w)
                .filter(|&(k, _)| k == *j)
                .map(|(_, s)| s as i64)
                .max()
                .unwrap_or(0);
        }
    }
    let stats = solver.stats();
    (
        Solution {
            job_of_worker,
            filled,
            total_score,
            operations: stats.forward_bids + stats.reverse_bids,
        },
        certificate,
    )
}

fn build(
    n: usize,
    list: &[(u32, u32, i32, i64)],
    flows: Option<&[i32]>,
    jobs: std::ops::Range<usize>,
) -> Network {
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
    let mut position = Vec::with_capacity(list.len());
    for (k, &(t, h, cap, cost)) in list.iter().enumerate() {
        let flow = flows.and_then(|f| f.get(k)).copied().unwrap_or(0);
        let a = fill[t as usize];
        position.push(a);
        fill[t as usize] += 1;
        let b = fill[h as usize];
        fill[h as usize] += 1;
        arcs[a as usize] = Arc {
            head: h,
            rev: b,
            residual: cap - flow,
            cost,
        };
        arcs[b as usize] = Arc {
            head: t,
            rev: a,
            residual: flow,
            cost: -cost,
        };
    }
    let sink = n - 1;
    let sink_arc = jobs
        .clone()
        .map(|v| {
            (first[v]..first[v + 1])
                .find(|&b| arcs[b as usize].head as usize == sink && arcs[b as usize].cost == 0)
                .expect("every job has an arc to the sink")
        })
        .collect();
    let mut net = Network {
        first,
        arcs,
        position,
        holders: vec![Vec::new(); jobs.len()],
        jobs,
        sink_arc,
    };
    net.rebuild_holders();
    net
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
    net.rebuild_holders();
    let mut current: Vec<u32> = net.first[..n].to_vec();
    let mut queue: VecDeque<u32> = (0..n as u32).filter(|&v| excess[v as usize] > 0).collect();
    let mut operations = 0u64;
    while let Some(v) = queue.pop_front() {
        let v = v as usize;
        if net.jobs.contains(&v) {
            operations += discharge_job(net, excess, prices, epsilon, v, &mut queue);
            continue;
        }
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
                // A worker's unit now sits at the job: the job may send it back. (The
                // sink pushing back along a job's sink arc is not a holder.)
                if net.jobs.contains(&w) && v < net.jobs.start {
                    net.holders[w - net.jobs.start].push(arc.rev);
                }
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

/// Discharge a job: push its excess to the sink or back to a worker it holds, or
/// relabel over the sink arc and its holders only.
fn discharge_job(
    net: &mut Network,
    excess: &mut [i64],
    prices: &mut [i64],
    epsilon: i64,
    v: usize,
    queue: &mut VecDeque<u32>,
) -> u64 {
    let k = v - net.jobs.start;
    let mut operations = 0;
    while excess[v] > 0 {
        operations += 1;
        let t = net.sink_arc[k] as usize;
        let sink_arc = net.arcs[t];
        if sink_arc.residual > 0 && sink_arc.cost + prices[v] - prices[sink_arc.head as usize] < 0 {
            let delta = (sink_arc.residual as i64).min(excess[v]);
            net.arcs[t].residual -= delta as i32;
            net.arcs[sink_arc.rev as usize].residual += delta as i32;
            excess[v] -= delta;
            let t = sink_arc.head as usize;
            let was = excess[t];
            excess[t] += delta;
            if was <= 0 && excess[t] > 0 {
                // Saturated sink arcs of other jobs can leave the sink with more than it
                // needs; it then sends units back like any node.
                queue.push_back(t as u32);
            }
            continue;
        }
        let holders = &net.holders[k];
        let found = holders.iter().position(|&b| {
            let arc = net.arcs[b as usize];
            arc.cost + prices[v] - prices[arc.head as usize] < 0
        });
        if let Some(i) = found {
            let b = net.holders[k].swap_remove(i) as usize;
            let arc = net.arcs[b];
            net.arcs[b].residual -= 1;
            net.arcs[arc.rev as usize].residual += 1;
            excess[v] -= 1;
            let w = arc.head as usize;
            let was = excess[w];
            excess[w] += 1;
            if was <= 0 && excess[w] > 0 {
                queue.push_back(w as u32);
            }
            continue;
        }
        let mut best = i64::MIN;
        if sink_arc.residual > 0 {
            best = prices[sink_arc.head as usize] - sink_arc.cost;
        }
        for &b in &net.holders[k] {
            let arc = net.arcs[b as usize];
            best = best.max(prices[arc.head as usize] - arc.cost);
        }
        prices[v] = best - epsilon;
    }
    operations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_cases() {
        // One job, one place, two workers: the better worker gets it.
        let s = solve(&Problem {
            workers: 2,
            places: vec![1],
            edges: vec![(0, 0, 10), (1, 0, 90)],
        });
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
        let s = solve(&Problem {
            workers: 3,
            places: vec![2],
            edges: vec![],
        });
        assert_eq!(s.filled, 0);
    }
}
