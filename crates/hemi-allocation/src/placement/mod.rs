//! Placement of arriving households in communities (issue 15, deliverable 4): the instance,
//! the plan, the solver for the generalised assignment problem, the synthetic generator,
//! the employment-likelihood model and per-placement explanations.
//!
//! The problem: each household `i` (size `w_i` people) goes whole to one candidate site `j`
//! (an arc with score `s_ij`); each site holds at most `C_j` people; maximise the total score.
//! With weights `w_i` this is the generalised assignment problem (Ross & Soland 1975), not a
//! transportation problem: counting households as units overfills sites with large families.

mod explain;
mod io;
pub mod model;
mod solve;
mod synth;

pub use explain::{explain, site_occupancy, Alternative, Explanation, SiteOccupancy};
pub use io::{
    parse_arcs, parse_households, parse_plan, parse_sites, read_instance, write_plan, ArcRow,
    HouseholdRow, SiteRow, TieStrength,
};
pub use solve::{evaluate, solve, PlanEvaluation, SolveOptions, SolveReport};
pub use synth::{synth, SynthFiles, SynthOptions};

use hemi_core::{Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};

use crate::AllocationError;

/// A checked placement instance: households, sites and candidate arcs, arcs grouped by
/// household and sorted by site.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Households in file order.
    pub households: Vec<HouseholdRow>,
    /// Sites in file order.
    pub sites: Vec<SiteRow>,
    arc_start: Vec<usize>,
    arc_site: Vec<u32>,
    arc_score: Vec<f64>,
}

impl Instance {
    /// Check and index an instance. `files` names the households and arcs files for
    /// diagnostics (duplicate arcs, ties to unknown sites or households).
    pub fn new(
        households: Vec<HouseholdRow>,
        sites: Vec<SiteRow>,
        arcs: Vec<ArcRow>,
        files: (&str, &str),
    ) -> Result<Self, AllocationError> {
        let (households_file, arcs_file) = files;
        let n = households.len();
        let mut diags = Diagnostics::default();
        let mut counts = vec![0usize; n + 1];
        for a in &arcs {
            counts[a.household as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let arc_start = counts.clone();
        let mut fill = counts;
        // (site, score, line) grouped by household by a counting sort.
        let mut grouped: Vec<(u32, f64, u32)> = vec![(0, 0.0, 0); arcs.len()];
        for a in &arcs {
            let slot = &mut fill[a.household as usize];
            grouped[*slot] = (a.site, a.score, a.line);
            *slot += 1;
        }
        drop(arcs);
        for i in 0..n {
            let chunk = &mut grouped[arc_start[i]..arc_start[i + 1]];
            chunk.sort_unstable_by_key(|a| (a.0, a.2));
            for pair in chunk.windows(2) {
                if pair[0].0 == pair[1].0 {
                    diags.push(Diagnostic {
                        file: arcs_file.to_string(),
                        line: pair[1].2 as u64,
                        field: "site_id".into(),
                        message: format!(
                            "arc {} → {} appears again (first on line {})",
                            households[i].household_id,
                            sites[pair[0].0 as usize].site_id,
                            pair[0].2
                        ),
                        hint: "give each household-site pair once".into(),
                    });
                }
            }
        }
        let site_index = io::index_of(sites.iter().map(|s| s.site_id.as_str()));
        let household_index = io::index_of(households.iter().map(|h| h.household_id.as_str()));
        for (i, h) in households.iter().enumerate() {
            if let Some(t) = &h.tie_site {
                if !site_index.contains_key(t.as_str()) {
                    diags.push(Diagnostic {
                        file: households_file.to_string(),
                        line: i as u64 + 2,
                        field: "tie_site".into(),
                        message: format!("unknown site \"{t}\""),
                        hint: "a tie must name a site in the sites file".into(),
                    });
                }
            }
            if let Some(t) = &h.tie_household {
                if !household_index.contains_key(t.as_str()) || t == &h.household_id {
                    diags.push(Diagnostic {
                        file: households_file.to_string(),
                        line: i as u64 + 2,
                        field: "tie_household".into(),
                        message: format!("\"{t}\" is not another household in the file"),
                        hint: "a tie must name another household in the households file".into(),
                    });
                }
            }
        }
        if !diags.is_empty() {
            return Err(AllocationError::InvalidInput(diags));
        }
        let arc_site = grouped.iter().map(|a| a.0).collect();
        let arc_score = grouped.iter().map(|a| a.1).collect();
        Ok(Instance {
            households,
            sites,
            arc_start,
            arc_site,
            arc_score,
        })
    }

    /// Candidate arcs of household `h`: (site indices, scores), sorted by site.
    pub fn arcs_of(&self, h: usize) -> (&[u32], &[f64]) {
        let r = self.arc_start[h]..self.arc_start[h + 1];
        (&self.arc_site[r.clone()], &self.arc_score[r])
    }

    /// Score of placing household `h` at site `s`, if that arc exists.
    pub fn score(&self, h: usize, s: u32) -> Option<f64> {
        let (sites, scores) = self.arcs_of(h);
        sites.binary_search(&s).ok().map(|k| scores[k])
    }

    /// Number of candidate arcs.
    pub fn arc_count(&self) -> usize {
        self.arc_site.len()
    }

    /// People in all households.
    pub fn people(&self) -> u64 {
        self.households.iter().map(|h| h.size_people as u64).sum()
    }

    /// Places in all sites.
    pub fn capacity_people(&self) -> u64 {
        self.sites.iter().map(|s| s.capacity_people as u64).sum()
    }
}

/// A plan: the site of each household (by index), `None` when not placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Site index per household, in household order.
    pub site_of: Vec<Option<u32>>,
}
