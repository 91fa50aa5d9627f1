//! Legal pathways for Hemisphere (issue 14, the pure-domain half): the program
//! catalogue with cited legal bases and caps, eligibility rules as CEL data, the caps
//! ledger arithmetic, the Safe Mobility Office case model, ISCO-08 labour matching with
//! an exact assignment solver, sponsorship vetting against the HHS poverty guideline,
//! and synthetic applicants drawn from real flow mixes.
//!
//! Nothing here does I/O, reads a clock or draws OS randomness: callers pass file text,
//! `as_of` dates and seeds. The app layer (`hemi-app`) calls, in order:
//! [`parse_catalogue`] → [`Screener::new`] → [`Screener::screen_explained`] per person
//! (or [`Screener::screen_many`] for a caseload) → [`caps::plan_reservation`] before a
//! referral ([`cases::check_new_referral`] first) → the store's conditional insert.
#![deny(missing_docs)]

pub mod applicants;
pub mod assignment;
pub mod caps;
pub mod cases;
pub mod catalogue;
pub mod date;
pub mod eligibility;
pub mod error;
pub mod facts;
pub mod labour;
pub mod sponsorship;
pub mod synth;

pub use catalogue::{parse_catalogue, CapPeriod, CapPool, Catalogue, Citation, Program, Rule};
pub use date::Date;
pub use eligibility::{Eligibility, RuleOutcome, Screener, Screening, Verdict};
pub use error::PathwaysError;
pub use facts::{FactKind, FactValue, Facts};
