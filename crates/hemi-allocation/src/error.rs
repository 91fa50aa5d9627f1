//! The crate's error type: every variant carries the input that failed.

use hemi_core::Diagnostics;

/// Everything that can go wrong in allocation, with the offending input inside.
#[derive(Debug, thiserror::Error)]
pub enum AllocationError {
    /// One or more input files have problems; each diagnostic names file, line and field.
    #[error("{count} problem(s) in the input:\n{0}", count = .0.total())]
    InvalidInput(Diagnostics),
    /// More people to place than places in all sites together.
    #[error("infeasible placement: {people} people in {households} households but only {capacity_people} places in all sites; add capacity or ask for a partial plan")]
    MorePeopleThanPlaces {
        /// People in all households.
        people: u64,
        /// Households to place.
        households: usize,
        /// Places in all sites.
        capacity_people: u64,
    },
    /// Households that no plan can place (their candidate sites are too small or too full).
    #[error("infeasible placement: {} household(s) ({people} people) cannot be placed at any of their candidate sites, first {:?}; add arcs or capacity, or ask for a partial plan", .household_ids.len(), .household_ids.iter().take(5).collect::<Vec<_>>())]
    CannotPlace {
        /// Ids of the households left without a site.
        household_ids: Vec<String>,
        /// People in those households.
        people: u64,
    },
    /// A hard tie that cannot be honoured.
    #[error("household {household_id}: hard tie to {tied_to} cannot be honoured: {reason}")]
    Tie {
        /// The household with the tie.
        household_id: String,
        /// The site or household it is tied to.
        tied_to: String,
        /// Why not.
        reason: String,
    },
    /// A lottery was verified and differs from its re-run.
    #[error("verification failed: {0}")]
    Verification(Box<crate::lottery::Difference>),
    /// A draw or schedule parameter is out of range.
    #[error("{field} = {value}: {message}")]
    Parameter {
        /// Parameter name.
        field: String,
        /// The value given.
        value: String,
        /// What is allowed.
        message: String,
    },
}
