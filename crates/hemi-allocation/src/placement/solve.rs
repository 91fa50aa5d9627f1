//! The placement solver: a Lagrangian (LP) bound from an ε-scaling auction on people,
//! rounding guided by the duals, repair and local search honouring capacities in people.
//!
//! Method, and why it is exact where it claims to be:
//! 1. Relax the people capacities with prices `λ_j ≥ 0` per person (Lagrangian relaxation,
//!    Ross & Soland 1975; Fisher 1981). The dual function
//!    `L(λ) = Σ_i max_j (s_ij − λ_j w_i) + Σ_j λ_j C_j` is an upper bound on every plan for
//!    every `λ ≥ 0`; the assignment rows have the integrality property, so `min L` is the LP
//!    bound (Geoffrion 1974).
//! 2. The LP relaxation is a transportation problem in *people*: household `i` supplies
//!    `w_i` people, each worth `s_ij / w_i` at site `j`. We solve it with Bertsekas' auction
//!    with ε-scaling (Bertsekas 1988; Bertsekas & Castañon 1989 for similar persons and
//!    objects): every person bids for the cheapest of a site's `C_j` slots, and after the
//!    last phase every person is within ε of its best site at the final prices. That gives
//!    the LP value within `ε × people` and prices `λ` whose `L(λ)` we evaluate exactly and
//!    report as the proved bound (never an estimate).
//! 3. Rounding: households whose people all sit at one site keep it (they fit, since the
//!    LP respects capacities); the split ones go, largest first, to the site with the best
//!    reduced score `s_ij − λ_j w_i` that has room; a household that fits nowhere is
//!    repaired by moving the cheapest other households out of one of its sites.
//! 4. Local search on the true objective: moves to sites with room, swaps of two households
//!    and ejections (one household takes another's place, which moves to a site with room),
//!    each checked in people, so no site is ever over capacity.
//!
//! Hand-written because no maintained crate solves the generalised assignment problem or
//! runs an auction; HiGHS (the `highs` crate) is used in the tests to check the bound.

use serde::{Deserialize, Serialize};

use super::{Instance, Plan, TieStrength};
use crate::AllocationError;

const NONE: u32 = u32::MAX;

/// Solver settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SolveOptions {
    /// Leave households unplaced (score 0) instead of failing when not all fit.
    pub allow_partial: bool,
    /// Bonus added to the objective for each soft tie that holds.
    pub soft_tie_bonus: f64,
    /// Upper limit on local-search passes.
    pub max_local_search_passes: u32,
    /// Final auction ε relative to the range of per-person scores.
    pub final_epsilon_relative: f64,
    /// How many of a household's best reduced-score sites the swap search looks at.
    pub swap_candidates_per_household: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            allow_partial: false,
            soft_tie_bonus: 0.1,
            max_local_search_passes: 40,
            final_epsilon_relative: 5e-4,
            swap_candidates_per_household: 6,
        }
    }
}

/// What the solver found and proved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SolveReport {
    /// The plan (site per household).
    pub plan: Plan,
    /// Value of the plan: the sum of its arc scores plus soft-tie bonuses that hold.
    pub objective: f64,
    /// Proved upper bound on any plan's objective: `L(λ)` at the final prices plus every
    /// soft-tie bonus (a bonus is counted as if it always held).
    pub upper_bound: f64,
    /// `(upper_bound − objective) / |upper_bound|`.
    pub relative_gap: f64,
    /// Value of the auction's fractional (LP) solution, `≤` the LP optimum `≤ upper_bound`.
    pub lp_primal: f64,
    /// Prices per person at each site (the Lagrange multipliers), in site order.
    pub price_per_person: Vec<f64>,
    /// Households placed.
    pub households_placed: usize,
    /// Households left unplaced (only with `allow_partial`).
    pub households_unplaced: usize,
    /// People placed.
    pub people_placed: u64,
    /// Households split across sites in the LP solution (rounded by the heuristic).
    pub lp_split_households: usize,
    /// Bids made by the auction.
    pub auction_bids: u64,
    /// Improving moves, swaps and ejections applied by local search.
    pub local_search_changes: u64,
    /// Local-search passes run.
    pub local_search_passes: u32,
    /// Soft ties that hold in the plan.
    pub soft_ties_held: usize,
    /// Soft ties in the instance.
    pub soft_ties: usize,
}

/// The households as solver units: a hard household tie merges households into one unit
/// (combined size, the sites every member can go to, summed scores); a hard site tie keeps
/// only that site; a soft site tie adds the bonus to that arc.
struct Units {
    weight: Vec<u32>,
    start: Vec<usize>,
    site: Vec<u32>,
    score: Vec<f64>,
    /// Households of each unit.
    members: Vec<Vec<u32>>,
    /// Unit of each household.
    unit_of: Vec<u32>,
    /// Soft household ties as unit pairs.
    soft_pairs: Vec<(u32, u32)>,
}

impl Units {
    fn arcs(&self, u: usize) -> (&[u32], &[f64]) {
        let r = self.start[u]..self.start[u + 1];
        (&self.site[r.clone()], &self.score[r])
    }

    fn score_at(&self, u: usize, s: u32) -> Option<f64> {
        let (sites, scores) = self.arcs(u);
        sites.binary_search(&s).ok().map(|k| scores[k])
    }

    fn build(instance: &Instance, options: &SolveOptions) -> Result<Self, AllocationError> {
        let n = instance.households.len();
        let site_index = super::io::index_of(instance.sites.iter().map(|s| s.site_id.as_str()));
        let household_index =
            super::io::index_of(instance.households.iter().map(|h| h.household_id.as_str()));
        // Union-find over hard household ties.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        let mut soft_household_pairs = Vec::new();
        for (i, h) in instance.households.iter().enumerate() {
            if let Some(t) = &h.tie_household {
                let j = household_index[t.as_str()];
                match h.tie_strength {
                    TieStrength::Hard => {
                        let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                        if a != b {
                            parent[a.max(b) as usize] = a.min(b);
                        }
                    }
                    TieStrength::Soft => soft_household_pairs.push((i as u32, j)),
                }
            }
        }
        let mut unit_of = vec![NONE; n];
        let mut members: Vec<Vec<u32>> = Vec::new();
        for i in 0..n {
            let root = find(&mut parent, i as u32) as usize;
            if unit_of[root] == NONE {
                unit_of[root] = members.len() as u32;
                members.push(Vec::new());
            }
            let u = unit_of[root];
            unit_of[i] = u;
            members[u as usize].push(i as u32);
        }
        let mut weight = Vec::with_capacity(members.len());
        let mut start = Vec::with_capacity(members.len() + 1);
        let mut site = Vec::with_capacity(instance.arc_count());
        let mut score = Vec::with_capacity(instance.arc_count());
        start.push(0);
        let mut merged: Vec<(u32, f64, u32)> = Vec::new();
        for group in &members {
            weight.push(
                group
                    .iter()
                    .map(|&h| instance.households[h as usize].size_people)
                    .sum(),
            );
            merged.clear();
            for &h in group {
                let (s, sc) = instance.arcs_of(h as usize);
                merged.extend(s.iter().zip(sc).map(|(&s, &sc)| (s, sc, 1u32)));
            }
            if group.len() > 1 {
                merged.sort_unstable_by_key(|a| a.0);
                let mut combined: Vec<(u32, f64, u32)> = Vec::new();
                for &(s, sc, c) in merged.iter() {
                    match combined.last_mut() {
                        Some(last) if last.0 == s => {
                            last.1 += sc;
                            last.2 += c;
                        }
                        _ => combined.push((s, sc, c)),
                    }
                }
                combined.retain(|a| a.2 as usize == group.len());
                if combined.is_empty() {
                    let h = &instance.households[group[0] as usize];
                    return Err(AllocationError::Tie {
                        household_id: h.household_id.clone(),
                        tied_to: group[1..]
                            .iter()
                            .map(|&g| instance.households[g as usize].household_id.clone())
                            .collect::<Vec<_>>()
                            .join(","),
                        reason: "the tied households have no candidate site in common".into(),
                    });
                }
                merged = combined;
            }
            // Site ties of any member.
            for &h in group {
                let row = &instance.households[h as usize];
                if let Some(t) = &row.tie_site {
                    let ts = site_index[t.as_str()];
                    match row.tie_strength {
                        TieStrength::Hard => {
                            merged.retain(|a| a.0 == ts);
                            if merged.is_empty() {
                                return Err(AllocationError::Tie {
                                    household_id: row.household_id.clone(),
                                    tied_to: t.clone(),
                                    reason: "no candidate arc to that site (add the arc)".into(),
                                });
                            }
                        }
                        TieStrength::Soft => {
                            for a in merged.iter_mut().filter(|a| a.0 == ts) {
                                a.1 += options.soft_tie_bonus;
                            }
                        }
                    }
                }
            }
            site.extend(merged.iter().map(|a| a.0));
            score.extend(merged.iter().map(|a| a.1));
            start.push(site.len());
        }
        let soft_pairs = soft_household_pairs
            .into_iter()
            .map(|(a, b)| (unit_of[a as usize], unit_of[b as usize]))
            .filter(|(a, b)| a != b)
            .collect();
        Ok(Units {
            weight,
            start,
            site,
            score,
            members,
            unit_of,
            soft_pairs,
        })
    }
}

/// Result of the people auction.
struct LpSolution {
    /// ε phases run (progress stages).
    phases: u64,
    price: Vec<f64>,
    /// Places per site that can ever be used: min(capacity, people who could come).
    slots: Vec<u32>,
    lp_primal: f64,
    /// Site of each unit when all its people sit at one site (NONE = split or unplaced).
    integral_site: Vec<u32>,
    /// True when the unit's people are split or some sit in the dummy.
    split: Vec<bool>,
    bids: u64,
}

fn sift_down(price: &mut [f64], occ: &mut [u32], mut i: usize) {
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
            occ.swap(c, i);
            i = c;
        } else {
            break;
        }
    }
}

/// Per-person value of leaving a unit unplaced: 0 with a partial plan, else a penalty `M`
/// larger than any chain of `m` exchanges can recover, so a person is left out only when
/// the LP itself cannot place it.
fn dummy_value(units: &Units, sites: usize, allow_partial: bool) -> (f64, f64, f64) {
    let mut q_min = f64::INFINITY;
    let mut q_max = f64::NEG_INFINITY;
    for u in 0..units.weight.len() {
        let w = units.weight[u] as f64;
        for &s in units.arcs(u).1 {
            q_min = q_min.min(s / w);
            q_max = q_max.max(s / w);
        }
    }
    if !q_min.is_finite() {
        q_min = 0.0;
        q_max = 0.0;
    }
    if allow_partial {
        q_min = q_min.min(0.0);
        q_max = q_max.max(0.0);
    }
    let range = (q_max - q_min).max(1e-9);
    let dummy = if allow_partial {
        0.0
    } else {
        q_min - range * (sites as f64 + 1.0) - 1.0
    };
    (dummy, range, q_max)
}

/// Min-heap of sites keyed by their cheapest slot price, with positions so a site's key
/// can be raised in place (slot prices only ever rise).
struct SiteHeap {
    heap: Vec<u32>,
    position: Vec<u32>,
}

impl SiteHeap {
    fn new(sites: impl Iterator<Item = u32>, m: usize) -> Self {
        let heap: Vec<u32> = sites.collect();
        let mut position = vec![NONE; m];
        for (i, &j) in heap.iter().enumerate() {
            position[j as usize] = i as u32;
        }
        // All keys start at 0, so any order is a heap.
        SiteHeap { heap, position }
    }

    fn raised(&mut self, j: u32, key: impl Fn(u32) -> f64) {
        let mut i = self.position[j as usize] as usize;
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && key(self.heap[r]) < key(self.heap[l]) {
                r
            } else {
                l
            };
            if key(self.heap[c]) < key(self.heap[i]) {
                self.heap.swap(c, i);
                self.position[self.heap[c] as usize] = c as u32;
                self.position[self.heap[i] as usize] = i as u32;
                i = c;
            } else {
                break;
            }
        }
    }
}

fn sift_up(price: &mut [f64], occ: &mut [u32], mut i: usize) {
    while i > 0 {
        let parent = (i - 1) / 2;
        if price[i] < price[parent] {
            price.swap(i, parent);
            occ.swap(i, parent);
            i = parent;
        } else {
            break;
        }
    }
}

const VACANCY: u32 = u32::MAX - 1;

fn auction(
    units: &Units,
    capacity: &[u32],
    options: &SolveOptions,
    progress: &dyn Fn(u64, u64),
) -> LpSolution {
    let m = capacity.len();
    let n = units.weight.len();
    let (dummy, range, _) = dummy_value(units, m, options.allow_partial);
    // Slots per site: no more than the people who could come (the rest never fill; the
    // cap changes no feasible plan, so bounds for the capped problem hold for the real one).
    let mut demand = vec![0u64; m];
    for u in 0..n {
        for &s in units.arcs(u).0 {
            demand[s as usize] += units.weight[u] as u64;
        }
    }
    let mut slot_start = vec![0usize; m + 1];
    for j in 0..m {
        slot_start[j + 1] = slot_start[j] + (capacity[j] as u64).min(demand[j]) as usize;
    }
    let slots: Vec<u32> = (0..m)
        .map(|j| (slot_start[j + 1] - slot_start[j]) as u32)
        .collect();
    let total_slots = slot_start[m];
    let mut slot_price = vec![0.0f64; total_slots];
    let mut slot_occ = vec![NONE; total_slots];
    let persons: usize = units.weight.iter().map(|&w| w as usize).sum();
    // Vacancy bidders make the problem symmetric (as many bidders as slots): each values
    // every slot at 0, so it takes the cheapest slot anywhere. Without them, slots priced
    // in an early ε phase and then left empty keep deterring people (the asymmetric
    // assignment trap, Bertsekas & Castañon 1992).
    let vacancies = total_slots.saturating_sub(persons);
    let mut site_heap = SiteHeap::new((0..m as u32).filter(|&j| slots[j as usize] > 0), m);
    let eps_final = (range * options.final_epsilon_relative).max(1e-12);
    // Start at 1/20 of the score range and divide by 5 per phase (measured on synthetic
    // instances: fewer bids than 1/5 and 8; see BENCHMARKS.md).
    let mut eps = range / 20.0;
    let factor = 5.0;
    let mut phases = 1u64;
    {
        let mut e = eps;
        while e > eps_final {
            e /= factor;
            phases += 1;
        }
    }
    let mut bids = 0u64;
    // People of a unit are identical bidders, so a unit bids for all its unplaced people
    // at once (the "similar persons" of Bertsekas & Castañon 1989): no price war among
    // members of one household.
    let mut unassigned = vec![0u32; n];
    let mut in_dummy = vec![0u32; n];
    let mut stack: Vec<u32> = Vec::with_capacity(n);
    let mut taken: Vec<u32> = Vec::new();
    // Sites that can take nobody look infinitely expensive, so the scan needs no test.
    let mut site_min: Vec<f64> = slots
        .iter()
        .map(|&c| if c == 0 { f64::INFINITY } else { 0.0 })
        .collect();
    let mut top_value = vec![0.0f64; n];
    let mut second_value = vec![0.0f64; n];
    let mut top_site = vec![NONE; n];
    for phase in 0..phases {
        if phase + 1 == phases {
            eps = eps_final;
        }
        let mut vacancies_unassigned = 0usize;
        stack.clear();
        if phase == 0 {
            unassigned.copy_from_slice(&units.weight);
            stack.extend((0..n as u32).rev());
            vacancies_unassigned = vacancies;
        } else {
            // Keep every assignment that is still ε-complementary-slack for the smaller ε;
            // free the rest (their slots keep their prices, so prices never fall).
            for u in 0..n {
                let w = units.weight[u] as f64;
                let (sites, scores) = units.arcs(u);
                let (mut b1, mut s1, mut b2) = (dummy, NONE, dummy);
                for (&j, &sc) in sites.iter().zip(scores) {
                    if slots[j as usize] == 0 {
                        continue;
                    }
                    let v = sc / w - site_min[j as usize];
                    if v > b1 {
                        b2 = b1;
                        b1 = v;
                        s1 = j;
                    } else if v > b2 {
                        b2 = v;
                    }
                }
                top_value[u] = b1;
                top_site[u] = s1;
                second_value[u] = b2;
            }
            let floor = site_heap
                .heap
                .first()
                .map(|&j| site_min[j as usize])
                .unwrap_or(0.0);
            for j in 0..m {
                for t in slot_start[j]..slot_start[j + 1] {
                    let u = slot_occ[t];
                    if u == NONE {
                        continue;
                    }
                    if u == VACANCY {
                        if slot_price[t] > floor + eps {
                            slot_occ[t] = NONE;
                            vacancies_unassigned += 1;
                        }
                        continue;
                    }
                    let u = u as usize;
                    let other = if top_site[u] == j as u32 {
                        second_value[u]
                    } else {
                        top_value[u]
                    };
                    let q = units.score_at(u, j as u32).unwrap_or(0.0) / units.weight[u] as f64;
                    if q - slot_price[t] < other - eps {
                        slot_occ[t] = NONE;
                        if unassigned[u] == 0 {
                            stack.push(u as u32);
                        }
                        unassigned[u] += 1;
                    }
                }
            }
            for u in 0..n {
                if in_dummy[u] > 0 {
                    // Re-bid people left out, in case a site is now worth it.
                    if unassigned[u] == 0 {
                        stack.push(u as u32);
                    }
                    unassigned[u] += in_dummy[u];
                    in_dummy[u] = 0;
                }
            }
        }
        loop {
            let u = match stack.pop() {
                Some(u) => u as usize,
                None if vacancies_unassigned > 0 => {
                    // Vacancy: the cheapest slot overall; its rival is the next cheapest.
                    vacancies_unassigned -= 1;
                    bids += 1;
                    let Some(&j1) = site_heap.heap.first() else {
                        break;
                    };
                    let a = slot_start[j1 as usize];
                    let b = slot_start[j1 as usize + 1];
                    let mut second = f64::INFINITY;
                    for c in [1usize, 2] {
                        if let Some(&k) = site_heap.heap.get(c) {
                            second = second.min(slot_price[slot_start[k as usize]]);
                        }
                        if b - a > c {
                            second = second.min(slot_price[a + c]);
                        }
                    }
                    if !second.is_finite() {
                        second = slot_price[a];
                    }
                    let evicted = slot_occ[a];
                    if evicted == VACANCY {
                        vacancies_unassigned += 1;
                    } else if evicted != NONE {
                        if unassigned[evicted as usize] == 0 {
                            stack.push(evicted);
                        }
                        unassigned[evicted as usize] += 1;
                    }
                    slot_occ[a] = VACANCY;
                    slot_price[a] = second + eps;
                    sift_down(&mut slot_price[a..b], &mut slot_occ[a..b], 0);
                    site_min[j1 as usize] = slot_price[a];
                    site_heap.raised(j1, |k| site_min[k as usize]);
                    continue;
                }
                None => break,
            };
            let k = unassigned[u];
            if k == 0 {
                continue;
            }
            bids += 1;
            let inv_w = 1.0 / units.weight[u] as f64;
            let (sites, scores) = units.arcs(u);
            let mut v1 = dummy;
            let mut j1 = NONE;
            let mut q1 = dummy;
            let mut v2 = f64::NEG_INFINITY;
            for (&j, &s) in sites.iter().zip(scores) {
                let q = s * inv_w;
                let v = q - site_min[j as usize];
                if v > v1 {
                    v2 = v1;
                    v1 = v;
                    j1 = j;
                    q1 = q;
                } else if v > v2 {
                    v2 = v;
                }
            }
            if j1 == NONE {
                in_dummy[u] += k;
                unassigned[u] = 0;
                continue;
            }
            let a = slot_start[j1 as usize];
            let b = slot_start[j1 as usize + 1];
            // Take the cheapest slots of j1 while each is still worth more than the best
            // other site: pop them to the end of the heap region.
            let mut size = b - a;
            taken.clear();
            while (taken.len() as u32) < k && size > 0 {
                if !taken.is_empty() && q1 - slot_price[a] <= v2 {
                    break;
                }
                size -= 1;
                slot_price.swap(a, a + size);
                slot_occ.swap(a, a + size);
                sift_down(&mut slot_price[a..a + size], &mut slot_occ[a..a + size], 0);
                taken.push((a + size) as u32);
            }
            // The rival of the taken slots: the best other site or the next slot here.
            if size > 0 {
                v2 = v2.max(q1 - slot_price[a]);
            }
            let new_price = q1 - v2 + eps;
            for &t in &taken {
                let t = t as usize;
                let evicted = slot_occ[t];
                if evicted == VACANCY {
                    vacancies_unassigned += 1;
                } else if evicted != NONE {
                    if unassigned[evicted as usize] == 0 && evicted as usize != u {
                        stack.push(evicted);
                    }
                    unassigned[evicted as usize] += 1;
                }
                slot_occ[t] = u as u32;
                slot_price[t] = new_price;
            }
            unassigned[u] -= taken.len() as u32;
            for _ in 0..taken.len() {
                size += 1;
                sift_up(
                    &mut slot_price[a..a + size],
                    &mut slot_occ[a..a + size],
                    size - 1,
                );
            }
            site_min[j1 as usize] = slot_price[a];
            site_heap.raised(j1, |k| site_min[k as usize]);
            if unassigned[u] > 0 {
                stack.push(u as u32);
            }
        }
        progress(phase + 1, phases + 4);
        eps = (eps / factor).max(eps_final);
    }
    // μ_j = cheapest slot price at j minus the cheapest slot price anywhere (the vacancies'
    // level): the capacity prices of the original problem.
    let floor = site_heap
        .heap
        .first()
        .map(|&j| slot_price[slot_start[j as usize]])
        .unwrap_or(0.0);
    let mut price: Vec<f64> = (0..m)
        .map(|j| {
            if slots[j] > 0 {
                (slot_price[slot_start[j]] - floor).max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let mut load = vec![0u64; m];
    let mut lp_primal = 0.0;
    let mut integral_site = vec![NONE; n];
    let mut split = vec![false; n];
    for j in 0..m {
        for &u in &slot_occ[slot_start[j]..slot_start[j + 1]] {
            if u == VACANCY || u == NONE {
                continue;
            }
            let u = u as usize;
            load[j] += 1;
            lp_primal += units.score_at(u, j as u32).unwrap_or(0.0) / units.weight[u] as f64;
            if integral_site[u] == NONE {
                integral_site[u] = j as u32;
            } else if integral_site[u] != j as u32 {
                split[u] = true;
            }
        }
    }
    for u in 0..n {
        if in_dummy[u] > 0 || unassigned[u] > 0 {
            split[u] = true;
            lp_primal += dummy * (in_dummy[u] + unassigned[u]) as f64;
        }
        if split[u] {
            integral_site[u] = NONE;
        }
    }
    // Sites priced above zero but not full would loosen the bound by λ_j (C_j − load_j):
    // lower each to the exact minimiser of L along that coordinate.
    let polish: Vec<usize> = (0..m)
        .filter(|&j| price[j] > 0.0 && load[j] < slots[j] as u64)
        .collect();
    if !polish.is_empty() {
        polish_prices(units, &slots, &mut price, &polish, dummy);
    }
    progress(phases + 1, phases + 4);
    LpSolution {
        phases,
        price,
        slots,
        lp_primal,
        integral_site,
        split,
        bids,
    }
}

/// Exact minimisation of `L` along each listed site's price, others fixed (Gauss–Seidel).
fn polish_prices(units: &Units, capacity: &[u32], price: &mut [f64], sites: &[usize], dummy: f64) {
    let m = capacity.len();
    let mut wanted = vec![false; m];
    for &j in sites {
        wanted[j] = true;
    }
    let mut adjacent: Vec<Vec<u32>> = vec![Vec::new(); m];
    for u in 0..units.weight.len() {
        for &s in units.arcs(u).0 {
            if wanted[s as usize] {
                adjacent[s as usize].push(u as u32);
            }
        }
    }
    let mut breaks: Vec<(f64, u32)> = Vec::new();
    for &j in sites {
        breaks.clear();
        for &u in &adjacent[j] {
            let u = u as usize;
            let w = units.weight[u] as f64;
            let (ss, sc) = units.arcs(u);
            let mut best_other = dummy;
            let mut q_here = 0.0;
            for (&s, &score) in ss.iter().zip(sc) {
                if s as usize == j {
                    q_here = score / w;
                } else {
                    best_other = best_other.max(score / w - price[s as usize]);
                }
            }
            breaks.push((q_here - best_other, units.weight[u]));
        }
        breaks.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        let mut cumulative = 0u64;
        let mut best = 0.0f64;
        for &(t, w) in &breaks {
            if t <= 0.0 {
                break;
            }
            cumulative += w as u64;
            if cumulative > capacity[j] as u64 {
                best = t;
                break;
            }
        }
        price[j] = best.max(0.0);
    }
}

/// `L(λ) = Σ_u max(dummy·w_u, max_j (s_uj − λ_j w_u)) + Σ_j λ_j C_j`.
fn dual_bound(units: &Units, capacity: &[u32], price: &[f64], dummy: f64) -> f64 {
    let mut total = 0.0;
    for u in 0..units.weight.len() {
        let w = units.weight[u] as f64;
        let (ss, sc) = units.arcs(u);
        let mut best = dummy * w;
        for (&s, &score) in ss.iter().zip(sc) {
            best = best.max(score - price[s as usize] * w);
        }
        total += best;
    }
    total
        + price
            .iter()
            .zip(capacity)
            .map(|(p, &c)| p * c as f64)
            .sum::<f64>()
}

/// The integer plan under construction: site of each unit, free places per site and the
/// units at each site (with each unit's position for O(1) removal).
struct State<'a> {
    units: &'a Units,
    site_of: Vec<u32>,
    free: Vec<i64>,
    members: Vec<Vec<u32>>,
    position: Vec<u32>,
    unplaced_value: f64,
}

impl<'a> State<'a> {
    fn new(units: &'a Units, capacity: &[u32], unplaced_value: f64) -> Self {
        State {
            units,
            site_of: vec![NONE; units.weight.len()],
            free: capacity.iter().map(|&c| c as i64).collect(),
            members: vec![Vec::new(); capacity.len()],
            position: vec![NONE; units.weight.len()],
            unplaced_value,
        }
    }

    fn value(&self, u: usize, s: u32) -> f64 {
        if s == NONE {
            self.unplaced_value
        } else {
            self.units.score_at(u, s).unwrap_or(f64::NEG_INFINITY)
        }
    }

    fn place(&mut self, u: usize, s: u32) {
        self.remove(u);
        if s == NONE {
            return;
        }
        self.site_of[u] = s;
        self.free[s as usize] -= self.units.weight[u] as i64;
        self.position[u] = self.members[s as usize].len() as u32;
        self.members[s as usize].push(u as u32);
    }

    fn remove(&mut self, u: usize) {
        let s = self.site_of[u];
        if s == NONE {
            return;
        }
        self.free[s as usize] += self.units.weight[u] as i64;
        let list = &mut self.members[s as usize];
        let pos = self.position[u] as usize;
        list.swap_remove(pos);
        if pos < list.len() {
            self.position[list[pos] as usize] = pos as u32;
        }
        self.site_of[u] = NONE;
        self.position[u] = NONE;
    }

    /// Best site with room for `u` other than `exclude`, by true score: (site, score).
    fn best_with_room(&self, u: usize, exclude: u32) -> Option<(u32, f64)> {
        let w = self.units.weight[u] as i64;
        let (ss, sc) = self.units.arcs(u);
        let mut best: Option<(u32, f64)> = None;
        for (&s, &score) in ss.iter().zip(sc) {
            if s != exclude && self.free[s as usize] >= w && best.is_none_or(|b| score > b.1) {
                best = Some((s, score));
            }
        }
        best
    }
}

/// Cheapest way to free `deficit` places at site `k` by moving units out to sites with
/// room, valued in reduced scores `s − λ w` (what the LP says a place is worth):
/// (loss, moves). `None` when the members cannot make enough room.
fn plan_room(state: &State, k: u32, deficit: i64, price: &[f64]) -> Option<(f64, Vec<(u32, u32)>)> {
    let units = state.units;
    let reduced = |h: usize, s: u32| state.value(h, s) - price[s as usize] * units.weight[h] as f64;
    let mut moves: Vec<(f64, u32, u32)> = Vec::new();
    for &h in &state.members[k as usize] {
        let h = h as usize;
        let wh = units.weight[h] as i64;
        let (ss, _) = units.arcs(h);
        let mut best: Option<(f64, u32)> = None;
        for &s in ss {
            if s != k && state.free[s as usize] >= wh {
                let r = reduced(h, s);
                if best.is_none_or(|b| r > b.0) {
                    best = Some((r, s));
                }
            }
        }
        if let Some((r, dest)) = best {
            moves.push((reduced(h, k) - r, h as u32, dest));
        }
    }
    // Cheapest loss per place freed first.
    moves.sort_unstable_by(|a, b| {
        let pa = a.0 / units.weight[a.1 as usize] as f64;
        let pb = b.0 / units.weight[b.1 as usize] as f64;
        pa.total_cmp(&pb)
    });
    let mut freed = 0i64;
    let mut loss = 0.0;
    let mut chosen = Vec::new();
    let mut used_room: Vec<(u32, i64)> = Vec::new();
    for &(l, h, dest) in &moves {
        let wh = units.weight[h as usize] as i64;
        let already: i64 = used_room
            .iter()
            .filter(|(d, _)| *d == dest)
            .map(|(_, x)| x)
            .sum();
        if state.free[dest as usize] - already < wh {
            continue;
        }
        used_room.push((dest, wh));
        chosen.push((h, dest));
        freed += wh;
        loss += l;
        if freed >= deficit {
            return Some((loss, chosen));
        }
    }
    None
}

/// Place `u` at the best of: a site with room, or one of its best reduced-score sites
/// after moving others out (trying at most `tries` such sites); all valued in reduced
/// scores. Returns false if no site can take it.
fn place_best(state: &mut State, u: usize, price: &[f64], tries: usize) -> bool {
    let units = state.units;
    let w = units.weight[u] as i64;
    let (ss, sc) = units.arcs(u);
    let mut order: Vec<(f64, u32)> = ss
        .iter()
        .zip(sc)
        .map(|(&s, &score)| (score - price[s as usize] * w as f64, s))
        .collect();
    order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    // (value, site, moves that make room there)
    type Choice = (f64, u32, Vec<(u32, u32)>);
    let mut best: Option<Choice> = None;
    let mut displacing_tried = 0;
    for &(r, k) in &order {
        if best.as_ref().is_some_and(|b| b.0 >= r) {
            break;
        }
        let deficit = w - state.free[k as usize];
        if deficit <= 0 {
            best = Some((r, k, Vec::new()));
            break;
        }
        if displacing_tried < tries {
            displacing_tried += 1;
            if let Some((loss, moves)) = plan_room(state, k, deficit, price) {
                if best.as_ref().is_none_or(|b| r - loss > b.0) {
                    best = Some((r - loss, k, moves));
                }
            }
        }
    }
    let Some((_, k, moves)) = best else {
        return false;
    };
    for (h, dest) in moves {
        state.place(h as usize, dest);
    }
    state.place(u, k);
    true
}

/// Round the LP solution: integral units keep their site; split ones, largest first, take
/// the best of a site with room or room made at one of their best sites.
fn round(state: &mut State, lp: &LpSolution) -> Vec<u32> {
    let units = state.units;
    let n = units.weight.len();
    for u in 0..n {
        if lp.integral_site[u] != NONE {
            state.place(u, lp.integral_site[u]);
        }
    }
    let mut pending: Vec<u32> = (0..n as u32).filter(|&u| lp.split[u as usize]).collect();
    pending.sort_unstable_by_key(|&u| std::cmp::Reverse(units.weight[u as usize]));
    let mut unplaced = Vec::new();
    for u in pending {
        if !place_best(state, u as usize, &lp.price, 3) {
            unplaced.push(u);
        }
    }
    unplaced
}

/// Local search on the true objective; returns the number of changes applied.
fn local_search(state: &mut State, price: &[f64], options: &SolveOptions) -> (u64, u32) {
    let units = state.units;
    let n = units.weight.len();
    let mut changes = 0u64;
    let mut candidates: Vec<(f64, u32)> = Vec::new();
    let mut reloc: Vec<(u32, f64)> = vec![(NONE, f64::NEG_INFINITY); n];
    let mut leave_loss: Vec<f64> = vec![0.0; n];
    let mut passes = 0;
    // After the first pass only sites whose occupancy changed can offer new improvements.
    let mut dirty = vec![true; state.free.len()];
    let mut free_before: Vec<i64> = state.free.clone();
    for _pass in 0..options.max_local_search_passes {
        passes += 1;
        let mut improved = 0u64;
        // Moves to a site with room.
        for u in 0..n {
            let current = state.value(u, state.site_of[u]);
            if let Some((s, score)) = state.best_with_room(u, state.site_of[u]) {
                if score > current + 1e-12 {
                    state.place(u, s);
                    improved += 1;
                }
            }
        }
        // Each unit's best move to a site with room, computed once per pass and checked
        // again before use (free places change as the pass goes).
        for (h, slot) in reloc.iter_mut().enumerate() {
            *slot = state
                .best_with_room(h, state.site_of[h])
                .unwrap_or((NONE, f64::NEG_INFINITY));
            // Least a unit can lose by leaving its site (best other score, room or not):
            // a swap that does not gain more than this is skipped unexamined.
            let here = state.value(h, state.site_of[h]);
            let (ss, sc) = units.arcs(h);
            let mut best_other = f64::NEG_INFINITY;
            for (&s, &score) in ss.iter().zip(sc) {
                if s != state.site_of[h] && score > best_other {
                    best_other = score;
                }
            }
            leave_loss[h] = here - best_other;
        }
        // Swaps and ejections towards the best reduced-score sites.
        for u in 0..n {
            let j = state.site_of[u];
            let w = units.weight[u] as i64;
            let current = state.value(u, j);
            let (ss, sc) = units.arcs(u);
            candidates.clear();
            for (&s, &score) in ss.iter().zip(sc) {
                if s != j && score > current + 1e-12 {
                    candidates.push((score - price[s as usize] * w as f64, s));
                }
            }
            if candidates.is_empty() {
                continue;
            }
            let keep = options.swap_candidates_per_household.min(candidates.len());
            if candidates.len() > keep {
                candidates.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0));
                candidates.truncate(keep);
            }
            // best: (gain, other unit, its destination)
            let mut best: Option<(f64, u32, u32, u32)> = None;
            let here_dirty = j == NONE || dirty[j as usize];
            for &(_, k) in candidates.iter() {
                if !here_dirty && !dirty[k as usize] {
                    continue;
                }
                let gain_u = state.value(u, k) - current;
                let deficit = w - state.free[k as usize];
                if deficit <= 0 {
                    best = match best {
                        Some(b) if b.0 >= gain_u => Some(b),
                        _ => Some((gain_u, NONE, NONE, k)),
                    };
                    continue;
                }
                for &h in &state.members[k as usize] {
                    let h = h as usize;
                    let wh = units.weight[h] as i64;
                    if wh < deficit || leave_loss[h] >= gain_u - 1e-12 {
                        continue;
                    }
                    let here = state.value(h, k);
                    // Swap: h goes to u's site.
                    if j != NONE && state.free[j as usize] + w >= wh {
                        if let Some(sh) = units.score_at(h, j) {
                            let gain = gain_u + sh - here;
                            if gain > 1e-9 && best.is_none_or(|b| gain > b.0) {
                                best = Some((gain, h as u32, j, k));
                            }
                        }
                    }
                    // Ejection: h goes to another site with room.
                    let (dest, sh) = reloc[h];
                    if dest != NONE
                        && dest != k
                        && state.free[dest as usize] >= wh
                        && (dest != j || state.free[j as usize] >= wh)
                    {
                        let gain = gain_u + sh - here;
                        if gain > 1e-9 && best.is_none_or(|b| gain > b.0) {
                            best = Some((gain, h as u32, dest, k));
                        }
                    }
                }
            }
            if let Some((gain, h, dest, k)) = best {
                if gain > 1e-9 {
                    if h != NONE {
                        state.remove(u);
                        state.place(h as usize, dest);
                    }
                    state.place(u, k);
                    improved += 1;
                }
            }
        }
        for (j, d) in dirty.iter_mut().enumerate() {
            *d = state.free[j] != free_before[j];
        }
        free_before.copy_from_slice(&state.free);
        changes += improved;
        // Stop when a pass no longer pays: fewer changes than 1 in 10,000 units.
        if improved == 0 || (improved as usize) * 10_000 < n {
            break;
        }
    }
    (changes, passes)
}

/// Solve a placement instance. `progress(done, total)` is called after each stage.
pub fn solve(
    instance: &Instance,
    options: &SolveOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<SolveReport, AllocationError> {
    let people = instance.people();
    let capacity_people = instance.capacity_people();
    if people > capacity_people && !options.allow_partial {
        return Err(AllocationError::MorePeopleThanPlaces {
            people,
            households: instance.households.len(),
            capacity_people,
        });
    }
    let units = Units::build(instance, options)?;
    // A household without any candidate site can never be placed: say so before solving.
    if !options.allow_partial {
        let stranded: Vec<u32> = (0..units.weight.len() as u32)
            .filter(|&u| units.arcs(u as usize).0.is_empty())
            .collect();
        if !stranded.is_empty() {
            return Err(AllocationError::CannotPlace {
                household_ids: stranded
                    .iter()
                    .flat_map(|&u| units.members[u as usize].iter())
                    .map(|&h| instance.households[h as usize].household_id.clone())
                    .collect(),
                people: stranded
                    .iter()
                    .map(|&u| units.weight[u as usize] as u64)
                    .sum(),
            });
        }
    }
    let capacity: Vec<u32> = instance.sites.iter().map(|s| s.capacity_people).collect();
    let m = capacity.len();
    let (dummy, _, _) = dummy_value(&units, m, options.allow_partial);
    let lp = auction(&units, &capacity, options, progress);
    let bound_units = dual_bound(&units, &lp.slots, &lp.price, dummy);
    let total_stages = lp.phases + 4;
    let mut state = State::new(
        &units,
        &capacity,
        if options.allow_partial {
            0.0
        } else {
            f64::NEG_INFINITY
        },
    );
    let mut unplaced = round(&mut state, &lp);
    unplaced.retain(|&u| !place_best(&mut state, u as usize, &lp.price, usize::MAX));
    progress(lp.phases + 2, total_stages);
    let (mut changes, passes) = local_search(&mut state, &lp.price, options);
    progress(lp.phases + 3, total_stages);
    // Soft household ties: co-locate a pair when the bonus outweighs the score change.
    let mut soft_held = 0usize;
    for &(a, b) in &units.soft_pairs {
        let (a, b) = (a as usize, b as usize);
        if state.site_of[a] != NONE && state.site_of[a] == state.site_of[b] {
            continue;
        }
        let mut best: Option<(f64, usize, u32)> = None;
        for (mover, other) in [(a, b), (b, a)] {
            let target = state.site_of[other];
            if target == NONE || state.free[target as usize] < units.weight[mover] as i64 {
                continue;
            }
            if let Some(sc) = units.score_at(mover, target) {
                let gain = sc - state.value(mover, state.site_of[mover]) + options.soft_tie_bonus;
                if gain > 0.0 && best.is_none_or(|x| gain > x.0) {
                    best = Some((gain, mover, target));
                }
            }
        }
        if let Some((_, mover, target)) = best {
            state.place(mover, target);
            changes += 1;
        }
    }
    if !unplaced.is_empty() {
        unplaced.retain(|&u| state.site_of[u as usize] == NONE);
    }
    if !unplaced.is_empty() && !options.allow_partial {
        let household_ids: Vec<String> = unplaced
            .iter()
            .flat_map(|&u| units.members[u as usize].iter())
            .map(|&h| instance.households[h as usize].household_id.clone())
            .collect();
        let people = unplaced
            .iter()
            .map(|&u| units.weight[u as usize] as u64)
            .sum();
        return Err(AllocationError::CannotPlace {
            household_ids,
            people,
        });
    }
    let mut site_of = vec![None; instance.households.len()];
    for (h, slot) in site_of.iter_mut().enumerate() {
        let s = state.site_of[units.unit_of[h] as usize];
        if s != NONE {
            *slot = Some(s);
        }
    }
    let plan = Plan { site_of };
    let evaluation = evaluate(instance, &plan, options);
    soft_held += evaluation.soft_ties_held;
    let soft_ties = instance
        .households
        .iter()
        .filter(|h| {
            h.tie_strength == TieStrength::Soft
                && (h.tie_site.is_some() || h.tie_household.is_some())
        })
        .map(|h| h.tie_site.is_some() as usize + h.tie_household.is_some() as usize)
        .sum::<usize>();
    // Bonuses on soft site ties are inside the unit scores (and so inside L); soft
    // household ties are not, so each is added to the bound as if it always held.
    let soft_household = units.soft_pairs.len() as f64 * options.soft_tie_bonus;
    let upper_bound = bound_units + soft_household;
    let objective = evaluation.objective;
    progress(total_stages, total_stages);
    Ok(SolveReport {
        households_placed: evaluation.households_placed,
        households_unplaced: instance.households.len() - evaluation.households_placed,
        people_placed: evaluation.people_placed,
        relative_gap: (upper_bound - objective) / upper_bound.abs().max(1e-12),
        objective,
        upper_bound,
        lp_primal: lp.lp_primal,
        price_per_person: lp.price,
        plan,
        lp_split_households: lp.split.iter().filter(|&&s| s).count(),
        auction_bids: lp.bids,
        local_search_changes: changes,
        local_search_passes: passes,
        soft_ties_held: soft_held.min(soft_ties),
        soft_ties,
    })
}

/// A plan checked against an instance (for an override or a plan made by another tool).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanEvaluation {
    /// Sum of arc scores plus soft-tie bonuses that hold.
    pub objective: f64,
    /// Sum of arc scores alone.
    pub score_total: f64,
    /// Households placed.
    pub households_placed: usize,
    /// People placed.
    pub people_placed: u64,
    /// Sites whose people exceed capacity: (site index, people, capacity).
    pub over_capacity: Vec<(u32, u64, u32)>,
    /// Households placed at a site they have no arc to.
    pub without_arc: Vec<u32>,
    /// Hard ties broken: household index.
    pub hard_ties_broken: Vec<u32>,
    /// Soft ties that hold.
    pub soft_ties_held: usize,
}

impl PlanEvaluation {
    /// True when the plan respects capacities, arcs and hard ties.
    pub fn is_feasible(&self) -> bool {
        self.over_capacity.is_empty()
            && self.without_arc.is_empty()
            && self.hard_ties_broken.is_empty()
    }
}

/// Evaluate any plan: objective, capacity in people, arcs and ties.
pub fn evaluate(instance: &Instance, plan: &Plan, options: &SolveOptions) -> PlanEvaluation {
    let site_index = super::io::index_of(instance.sites.iter().map(|s| s.site_id.as_str()));
    let household_index =
        super::io::index_of(instance.households.iter().map(|h| h.household_id.as_str()));
    let mut load = vec![0u64; instance.sites.len()];
    let mut score_total = 0.0;
    let mut bonus = 0.0;
    let mut households_placed = 0;
    let mut people_placed = 0;
    let mut without_arc = Vec::new();
    let mut hard_ties_broken = Vec::new();
    let mut soft_ties_held = 0;
    for (h, site) in plan.site_of.iter().enumerate() {
        let row = &instance.households[h];
        if let Some(s) = *site {
            households_placed += 1;
            people_placed += row.size_people as u64;
            load[s as usize] += row.size_people as u64;
            match instance.score(h, s) {
                Some(sc) => score_total += sc,
                None => without_arc.push(h as u32),
            }
        }
        let tie_site_holds = row
            .tie_site
            .as_ref()
            .map(|t| site.is_some() && site_index.get(t.as_str()).copied() == *site);
        let tie_household_holds = row.tie_household.as_ref().map(|t| {
            let other = household_index
                .get(t.as_str())
                .map(|&o| plan.site_of[o as usize]);
            site.is_some() && other == Some(*site)
        });
        for holds in [tie_site_holds, tie_household_holds].into_iter().flatten() {
            match (row.tie_strength, holds) {
                (TieStrength::Hard, false) => hard_ties_broken.push(h as u32),
                (TieStrength::Soft, true) => {
                    soft_ties_held += 1;
                    bonus += options.soft_tie_bonus;
                }
                _ => {}
            }
        }
    }
    let over_capacity = load
        .iter()
        .enumerate()
        .filter(|(s, &l)| l > instance.sites[*s].capacity_people as u64)
        .map(|(s, &l)| (s as u32, l, instance.sites[s].capacity_people))
        .collect();
    hard_ties_broken.dedup();
    PlanEvaluation {
        objective: score_total + bonus,
        score_total,
        households_placed,
        people_placed,
        over_capacity,
        without_arc,
        hard_ties_broken,
        soft_ties_held,
    }
}
