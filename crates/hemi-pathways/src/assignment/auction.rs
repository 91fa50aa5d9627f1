//! Forward–reverse auction with ε-scaling for the same transportation problem as the
//! parent module ("fill the most places, then maximise the total score"), after
//! Bertsekas & Castañon 1992 ("A forward/reverse auction algorithm for asymmetric
//! assignment problems", Computational Optimization and Applications 1:277–297) and
//! Bertsekas, *Linear Network Optimization* (1991), ch. 4.
//!
//! Persons are workers, objects are the places of the jobs (a job with `k` places is `k`
//! objects of equal value, each with its own price, kept in a small min-heap per job so
//! a bidder always takes the cheapest). Every worker also owns a private "not placed"
//! object of value 0 and price 0, so every worker is always assigned to something and
//! the price floor λ of the asymmetric auction is 0: a place may end empty only at price
//! 0. The value of a pair is `(M + score) · scale`, with `M` larger than any score a
//! placed worker could cost the others (so a maximum-value assignment fills the most
//! places first) and `scale = workers + 1`, so that ε = 1 at the end leaves less than one
//! unit of the unscaled objective (ε-complementary slackness loses at most ε per worker).
//!
//! Each ε-phase: workers that break ε-complementary slackness for the new ε let go of
//! their place; forward bids (a worker bids for its best job, raising the cheapest
//! place's price by the difference to its second best plus ε, evicting the holder) run
//! until every worker holds a place or its own object; then reverse bids (an empty place
//! with a positive price lowers it to win the worker it is worth most to) run until every
//! empty place is at price 0. Both keep ε-complementary slackness (Bertsekas 1991,
//! prop. 4.2 and §4.2.2).
//!
//! Optimality is not taken on trust: [`Auction::certify`] computes the dual objective of
//! the prices over a candidate set (which may be larger than the arcs the auction saw)
//! and compares it with the value of the assignment. A gap below `scale` proves the
//! assignment optimal for the integer objective; workers whose left-out candidates
//! break the bound are returned so the caller can add their arcs and call
//! [`Auction::reoptimise`] (column generation with an exact price-out).

/// Marks "no worker" in a place and "not placed" for a worker.
const NONE: u32 = u32::MAX;
/// Marks a worker waiting to bid (it holds nothing, not even its own object).
const WAITING: u32 = u32::MAX - 1;

/// Candidate pairs per worker in compressed rows: the pairs of worker `w` are
/// `first[w]..first[w + 1]` of `job` and `score`.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Row starts, `workers + 1` entries.
    pub first: Vec<usize>,
    /// Job of each pair.
    pub job: Vec<u32>,
    /// Score of each pair, `0..=MAX_SCORE`.
    pub score: Vec<i32>,
}

impl Candidates {
    /// Rows from (worker, job, score) triples in any order.
    pub fn from_edges(workers: usize, edges: &[(u32, u32, i64)]) -> Candidates {
        let mut first = vec![0usize; workers + 1];
        for &(w, _, _) in edges {
            first[w as usize + 1] += 1;
        }
        for w in 0..workers {
            first[w + 1] += first[w];
        }
        let mut fill = first.clone();
        let mut job = vec![0u32; edges.len()];
        let mut score = vec![0i32; edges.len()];
        for &(w, j, s) in edges {
            let k = fill[w as usize];
            fill[w as usize] += 1;
            job[k] = j;
            score[k] = s.clamp(0, super::MAX_SCORE) as i32;
        }
        Candidates { first, job, score }
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    /// The pairs of one worker as (job, score).
    pub fn of(&self, worker: usize) -> impl Iterator<Item = (u32, i32)> + '_ {
        let range = self.first[worker]..self.first[worker + 1];
        self.job[range.clone()]
            .iter()
            .copied()
            .zip(self.score[range].iter().copied())
    }
}

/// What [`Auction::certify`] proves about the current assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Value of the assignment, scaled: `Σ (M + score) · scale` over placed workers.
    pub primal: i128,
    /// Dual objective of the prices over the candidate set, scaled; an upper bound on
    /// the value of every assignment that uses only candidate pairs.
    pub dual: i128,
    /// The scale factor (`workers + 1`).
    pub scale: i64,
    /// Workers with a candidate pair worth more than ε above what they get now; their
    /// pairs should be added before the next [`Auction::reoptimise`].
    pub violated: Vec<u32>,
}

impl Certificate {
    /// Whether the gap proves the assignment optimal (`dual - primal < scale`, and the
    /// unscaled objective is an integer).
    pub fn optimal(&self) -> bool {
        self.dual - self.primal < self.scale as i128
    }

    /// The gap in units of the unscaled objective (one unit = one score point; a
    /// placed worker is worth `M` units).
    pub fn gap(&self) -> f64 {
        (self.dual - self.primal) as f64 / self.scale as f64
    }
}

/// Counters for benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuctionStats {
    /// ε-phases run (re-optimisations included).
    pub phases: u32,
    /// Forward bids.
    pub forward_bids: u64,
    /// Reverse bids.
    pub reverse_bids: u64,
    /// Arcs in the auction now.
    pub arcs: u64,
}

/// The auction state, kept so that arcs can be added and the solution re-optimised from
/// the current prices.
pub struct Auction {
    /// Arcs of each worker: (job, value).
    arcs: Vec<Vec<(u32, i64)>>,
    /// Arcs into each job: (worker, value), for reverse bids.
    into_job: Vec<Vec<(u32, i64)>>,
    /// Places of job `j` are `place_first[j]..place_first[j + 1]`, a min-heap on price.
    place_first: Vec<usize>,
    price: Vec<i64>,
    holder: Vec<u32>,
    /// Job of each worker, [`NONE`] for its own object, [`WAITING`] while bidding.
    job_of: Vec<u32>,
    /// Value minus price of what each worker holds (0 for its own object).
    profit: Vec<i64>,
    big_m: i64,
    scale: i64,
    stats: AuctionStats,
}

impl Auction {
    /// An auction for `workers` workers and jobs with `places`, with scores of at most
    /// `max_score`. No arcs yet: add them with [`Auction::add_arcs`].
    pub fn new(workers: usize, places: &[u32], max_score: i64) -> Auction {
        let total_places: u64 = places.iter().map(|&p| p as u64).sum();
        let most_placed = (workers as u64).min(total_places) as i64;
        let max_score = max_score.clamp(1, super::MAX_SCORE);
        // An augmenting path that places one more worker moves at most `most_placed`
        // others, each losing at most `max_score`: M above that makes one more placed
        // worker worth more than any change of scores.
        let big_m = most_placed * max_score + 1;
        let mut place_first = Vec::with_capacity(places.len() + 1);
        place_first.push(0);
        for &p in places {
            place_first.push(place_first.last().copied().unwrap_or(0) + p as usize);
        }
        let n_places = *place_first.last().unwrap_or(&0);
        Auction {
            arcs: vec![Vec::new(); workers],
            into_job: vec![Vec::new(); places.len()],
            place_first,
            price: vec![0; n_places],
            holder: vec![NONE; n_places],
            job_of: vec![WAITING; workers],
            profit: vec![0; workers],
            big_m,
            scale: workers as i64 + 1,
            stats: AuctionStats::default(),
        }
    }

    /// The scaled value of a pair with this score.
    pub fn value(&self, score: i64) -> i64 {
        (self.big_m + score.clamp(0, super::MAX_SCORE)) * self.scale
    }

    /// Add arcs (job, score) of one worker. The caller adds each pair once; a worker
    /// that gained arcs should be passed to [`Auction::reoptimise`].
    pub fn add_arcs(&mut self, worker: u32, arcs: impl IntoIterator<Item = (u32, i64)>) {
        for (job, score) in arcs {
            let j = job as usize;
            if self.place_first[j + 1] == self.place_first[j] {
                continue; // a job with no places can take nobody
            }
            let value = self.value(score);
            self.arcs[worker as usize].push((job, value));
            self.into_job[j].push((worker, value));
            self.stats.arcs += 1;
        }
    }

    /// Run the ε-phases from ε = largest value / 8 down to 1.
    pub fn run(&mut self) {
        let top = self.value(super::MAX_SCORE);
        let mut epsilon = top;
        loop {
            epsilon = (epsilon / 8).max(1);
            self.phase(epsilon);
            if epsilon == 1 {
                break;
            }
        }
    }

    /// After arcs were added to `workers`: restore ε-complementary slackness for ε = 1.
    /// The new arcs can be worth far more than ε above what their workers hold, and
    /// bidding that up in steps of 1 among jobs of equal value is a price war, so the
    /// ε-phases start again from the largest violation (every worker is checked in each
    /// phase, but only those breaking the phase's ε bid).
    pub fn reoptimise(&mut self, workers: &[u32]) {
        let violation = workers
            .iter()
            .map(|&w| self.best_value(w as usize) - self.profit[w as usize])
            .max()
            .unwrap_or(0);
        let mut epsilon = violation.max(1);
        loop {
            epsilon = (epsilon / 8).max(1);
            self.phase(epsilon);
            if epsilon == 1 {
                break;
            }
        }
    }

    /// Lowest price among the places of `job` (what a newcomer pays at least); a job
    /// without places is priced out of reach.
    pub fn job_price(&self, job: u32) -> i64 {
        let j = job as usize;
        if self.place_first[j + 1] > self.place_first[j] {
            self.price[self.place_first[j]]
        } else {
            i64::MAX / 4
        }
    }

    /// Job of each worker, if placed.
    pub fn assignment(&self) -> Vec<Option<u32>> {
        self.job_of
            .iter()
            .map(|&j| (j != NONE && j != WAITING).then_some(j))
            .collect()
    }

    /// Value minus price of what `worker` holds now (0 when not placed).
    pub fn profit(&self, worker: u32) -> i64 {
        self.profit[worker as usize]
    }

    /// Counters.
    pub fn stats(&self) -> AuctionStats {
        self.stats
    }

    /// The bonus per placed worker, unscaled.
    pub fn big_m(&self) -> i64 {
        self.big_m
    }

    /// Dual bound of the current prices over `candidates` (every pair a worker could
    /// take, which may include pairs the auction has not seen) against the value of the
    /// assignment. `score_of(worker, job)` gives the score of an assigned pair.
    pub fn certify(&self, candidates: &Candidates) -> Certificate {
        use rayon::prelude::*;
        let jobs = self.into_job.len();
        let job_price: Vec<i64> = (0..jobs).map(|j| self.job_price(j as u32)).collect();
        let workers = self.job_of.len();
        let chunk = 4096;
        let parts: Vec<(i128, Vec<u32>)> = (0..workers.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let mut dual = 0i128;
                let mut violated = Vec::new();
                for w in c * chunk..((c + 1) * chunk).min(workers) {
                    let mut best = 0i64; // its own object
                    for (j, s) in candidates.of(w) {
                        best = best.max(self.value(s as i64) - job_price[j as usize]);
                    }
                    dual += best as i128;
                    if best > self.profit[w] + 1 {
                        violated.push(w as u32);
                    }
                }
                (dual, violated)
            })
            .collect();
        let mut dual: i128 = self.price.iter().map(|&p| p as i128).sum();
        let mut violated = Vec::new();
        for (d, v) in parts {
            dual += d;
            violated.extend(v);
        }
        let mut primal = 0i128;
        for (w, &j) in self.job_of.iter().enumerate() {
            if j != NONE && j != WAITING {
                let held = self.held_price(w as u32, j);
                primal += (self.profit[w] + held) as i128;
            }
        }
        Certificate {
            primal,
            dual,
            scale: self.scale,
            violated,
        }
    }

    fn held_price(&self, worker: u32, job: u32) -> i64 {
        let range = self.place_first[job as usize]..self.place_first[job as usize + 1];
        range
            .clone()
            .find(|&k| self.holder[k] == worker)
            .map(|k| self.price[k])
            .expect("a placed worker holds a place of its job")
    }

    /// Best value over a worker's arcs (its own object counts 0).
    fn best_value(&self, w: usize) -> i64 {
        let mut best = 0;
        for &(j, a) in &self.arcs[w] {
            best = best.max(a - self.job_price(j));
        }
        best
    }

    fn release(&mut self, w: usize) -> Option<u32> {
        let j = self.job_of[w];
        self.job_of[w] = WAITING;
        if j == NONE || j == WAITING {
            return None;
        }
        let range = self.place_first[j as usize]..self.place_first[j as usize + 1];
        let k = range
            .clone()
            .find(|&k| self.holder[k] == w as u32)
            .expect("holder found");
        self.holder[k] = NONE;
        Some(j)
    }

    /// One ε-phase: every worker that breaks ε-complementary slackness bids again.
    fn phase(&mut self, epsilon: i64) {
        self.stats.phases += 1;
        let mut queue: Vec<u32> = Vec::new();
        let mut emptied: Vec<u32> = Vec::new();
        for w in 0..self.job_of.len() {
            if self.job_of[w] == WAITING || self.profit[w] < self.best_value(w) - epsilon {
                if let Some(j) = self.release(w) {
                    emptied.push(j);
                }
                queue.push(w as u32);
            }
        }
        self.forward(epsilon, &mut queue);
        self.reverse(epsilon, emptied);
    }

    fn forward(&mut self, epsilon: i64, queue: &mut Vec<u32>) {
        while let Some(w) = queue.pop() {
            let w = w as usize;
            self.stats.forward_bids += 1;
            // Best and second-best value; the worker's own object is worth 0.
            let mut best_job = NONE;
            let mut best_value = 0i64;
            let mut best_arc_value = 0i64;
            let mut second = i64::MIN;
            for &(j, a) in &self.arcs[w] {
                let v = a - self.price[self.place_first[j as usize]];
                if v > best_value {
                    second = best_value;
                    best_value = v;
                    best_job = j;
                    best_arc_value = a;
                } else if v > second {
                    second = v;
                }
            }
            if best_job == NONE {
                self.job_of[w] = NONE;
                self.profit[w] = 0;
                continue;
            }
            let lo = self.place_first[best_job as usize];
            let hi = self.place_first[best_job as usize + 1];
            // The job's second-cheapest place is another object of the same value.
            if hi - lo >= 2 {
                let mut p2 = self.price[lo + 1];
                if hi - lo >= 3 {
                    p2 = p2.min(self.price[lo + 2]);
                }
                second = second.max(best_arc_value - p2);
            }
            let bid = best_arc_value - second + epsilon;
            let evicted = self.holder[lo];
            if evicted != NONE {
                self.job_of[evicted as usize] = WAITING;
                queue.push(evicted);
            }
            self.price[lo] = bid;
            self.holder[lo] = w as u32;
            sift_down(&mut self.price[lo..hi], &mut self.holder[lo..hi], 0);
            self.job_of[w] = best_job;
            self.profit[w] = best_arc_value - bid;
        }
    }

    fn reverse(&mut self, epsilon: i64, mut stack: Vec<u32>) {
        // Every job with an empty place at a positive price: after forward bids only
        // places emptied at the start of the phase can be empty with a price.
        stack.sort_unstable();
        stack.dedup();
        while let Some(j) = stack.pop() {
            let (lo, hi) = (
                self.place_first[j as usize],
                self.place_first[j as usize + 1],
            );
            while let Some(e) = (lo..hi).find(|&k| self.holder[k] == NONE && self.price[k] > 0) {
                self.stats.reverse_bids += 1;
                let mut best_worker = NONE;
                let mut best_value = 0i64;
                let mut first = i64::MIN;
                let mut second = i64::MIN;
                for &(w, a) in &self.into_job[j as usize] {
                    let beta = a - self.profit[w as usize];
                    if beta > first {
                        second = first;
                        first = beta;
                        best_worker = w;
                        best_value = a;
                    } else if beta > second {
                        second = beta;
                    }
                }
                if best_worker == NONE || first < epsilon {
                    // Nobody gains by taking it above price 0.
                    self.price[e] = 0;
                    sift_up(&mut self.price[lo..hi], &mut self.holder[lo..hi], e - lo);
                    continue;
                }
                // With one adjacent worker there is no second: the price falls to 0.
                let new_price = second.saturating_sub(epsilon).max(0);
                let w = best_worker as usize;
                if let Some(k) = self.release(w) {
                    if k != j {
                        stack.push(k);
                    }
                }
                // Releasing `w` from this same job empties another place but moves
                // none, so `e` is still the place chosen above.
                self.price[e] = new_price;
                self.holder[e] = best_worker;
                sift_up(&mut self.price[lo..hi], &mut self.holder[lo..hi], e - lo);
                self.job_of[w] = j;
                self.profit[w] = best_value - new_price;
            }
        }
    }
}

fn sift_down(price: &mut [i64], holder: &mut [u32], mut i: usize) {
    let n = price.len();
    loop {
        let l = 2 * i + 1;
        if l >= n {
            break;
        }
        let r = l + 1;
        let c = if r < n && price[r] < price[l] { r } else { l };
        if price[c] < price[i] {
            price.swap(c, i);
            holder.swap(c, i);
            i = c;
        } else {
            break;
        }
    }
}

fn sift_up(price: &mut [i64], holder: &mut [u32], mut i: usize) {
    while i > 0 {
        let p = (i - 1) / 2;
        if price[i] < price[p] {
            price.swap(i, p);
            holder.swap(i, p);
            i = p;
        } else {
            break;
        }
    }
}
