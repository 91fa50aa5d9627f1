//! Why a household was placed where it was: its score there, the factors behind the
//! score (when a model made it), the next-best sites and what moving would cost; and the
//! occupancy of a site.

use serde::{Deserialize, Serialize};

use super::{Instance, Plan};

/// A site the household could have gone to instead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alternative {
    /// The other site.
    pub site_id: String,
    /// Score there.
    pub score: f64,
    /// Score there minus score at the planned site (negative = worse for this household).
    pub score_change: f64,
    /// Free places at that site under the plan.
    pub free_people: i64,
    /// People who would have to leave that site for this household to fit (0 if it fits).
    pub people_to_displace: u64,
    /// Estimated change of the plan's objective if the household moved there and the
    /// others adjusted: the difference of reduced scores `(s_ik − λ_k w) − (s_ij − λ_j w)`
    /// at the solver's prices per person `λ` (the LP's marginal value of places). Near
    /// zero or negative for a good plan.
    pub estimated_objective_change: f64,
}

/// Explanation of one placement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Explanation {
    /// The household.
    pub household_id: String,
    /// People in it.
    pub size_people: u32,
    /// Planned site, if placed.
    pub site_id: Option<String>,
    /// Score at the planned site.
    pub score: Option<f64>,
    /// Rank of the planned site among the household's candidates by score (1 = its best).
    pub rank_among_candidates: Option<usize>,
    /// Candidate sites the household had.
    pub candidates: usize,
    /// Factors behind the score, largest contribution first (name, contribution on the
    /// log-odds scale), when the caller passes them from the model.
    pub top_factors: Vec<(String, f64)>,
    /// Next-best sites by score, best first.
    pub alternatives: Vec<Alternative>,
    /// Price per person at the planned site (how contested it is).
    pub price_per_person: f64,
}

/// Explain household `h`'s placement. `prices` are the solver's prices per person;
/// `factors` (from `model::EmploymentModel::factors`) are passed through sorted.
pub fn explain(
    instance: &Instance,
    plan: &Plan,
    prices: &[f64],
    h: usize,
    factors: Vec<(String, f64)>,
    alternatives: usize,
) -> Explanation {
    let row = &instance.households[h];
    let mut load = vec![0i64; instance.sites.len()];
    for (k, s) in plan.site_of.iter().enumerate() {
        if let Some(s) = s {
            load[*s as usize] += instance.households[k].size_people as i64;
        }
    }
    let site = plan.site_of[h];
    let (sites, scores) = instance.arcs_of(h);
    let score = site.and_then(|s| instance.score(h, s));
    let rank = score.map(|sc| 1 + scores.iter().filter(|&&x| x > sc).count());
    let mut order: Vec<usize> = (0..sites.len())
        .filter(|&k| Some(sites[k]) != site)
        .collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let w = row.size_people as i64;
    let here_price = site
        .map(|s| prices.get(s as usize).copied().unwrap_or(0.0))
        .unwrap_or(0.0);
    let alternatives = order
        .into_iter()
        .take(alternatives)
        .map(|k| {
            let s = sites[k] as usize;
            let free = instance.sites[s].capacity_people as i64 - load[s];
            let displace = (w - free).max(0) as u64;
            let price = prices.get(s).copied().unwrap_or(0.0);
            let change = scores[k] - score.unwrap_or(0.0);
            Alternative {
                site_id: instance.sites[s].site_id.clone(),
                score: scores[k],
                score_change: change,
                free_people: free,
                people_to_displace: displace,
                estimated_objective_change: (scores[k] - price * w as f64)
                    - (score.unwrap_or(0.0) - here_price * w as f64),
            }
        })
        .collect();
    let mut top_factors = factors;
    top_factors.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    Explanation {
        household_id: row.household_id.clone(),
        size_people: row.size_people,
        site_id: site.map(|s| instance.sites[s as usize].site_id.clone()),
        score,
        rank_among_candidates: rank,
        candidates: sites.len(),
        top_factors,
        alternatives,
        price_per_person: here_price,
    }
}

/// People and households at a site under a plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteOccupancy {
    /// The site.
    pub site_id: String,
    /// Capacity in people.
    pub capacity_people: u32,
    /// People placed there.
    pub people: u64,
    /// Households placed there.
    pub households: usize,
    /// Households by size: index 0 = size 1, ..., index 8 = size 9 or more.
    pub households_by_size: [usize; 9],
    /// Sum of scores of the households placed there.
    pub score_total: f64,
}

/// Occupancy of every site under a plan, in site order.
pub fn site_occupancy(instance: &Instance, plan: &Plan) -> Vec<SiteOccupancy> {
    let mut out: Vec<SiteOccupancy> = instance
        .sites
        .iter()
        .map(|s| SiteOccupancy {
            site_id: s.site_id.clone(),
            capacity_people: s.capacity_people,
            people: 0,
            households: 0,
            households_by_size: [0; 9],
            score_total: 0.0,
        })
        .collect();
    for (h, s) in plan.site_of.iter().enumerate() {
        if let Some(s) = s {
            let o = &mut out[*s as usize];
            let w = instance.households[h].size_people;
            o.people += w as u64;
            o.households += 1;
            o.households_by_size[(w as usize).clamp(1, 9) - 1] += 1;
            o.score_total += instance.score(h, *s).unwrap_or(0.0);
        }
    }
    out
}
