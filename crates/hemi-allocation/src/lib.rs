//! Allocation (issue 15, the pure-domain half): a publicly verifiable appointment lottery
//! (`lottery`), its fairness simulation (`fairness`), screening-interview scheduling
//! (`schedule`) and placement of households in communities (`placement`).
//!
//! No I/O, clock or operating-system randomness: callers pass texts, readers, dates and
//! seeds, so every draw, schedule and plan can be replayed.
//!
//! How the application layer calls it:
//! - **Draw** (`hemi appointments draw`): `lottery::parse_registrations` (private file with
//!   members) → `Registration::public` → `lottery::canonical_policy` and
//!   `lottery::canonical_registrations` (store both texts) → `lottery::commitment`
//!   (publish) → once the public value is known, `lottery::draw` → `lottery::result_csv`
//!   and `lottery::statistics` (publish).
//! - **Verify** (`hemi appointments verify DRAW_ID`): build a `lottery::PublishedDraw`
//!   from the published files and call `lottery::verify(&published, Some((committed
//!   policy text, committed registrations text)))`; an `Err(Verification(difference))`
//!   names the first difference.
//! - **Fairness report**: `fairness::simulate(&SimulationOptions, progress)`.
//! - **Schedule**: `schedule::schedule(&ScheduleInput, &ScheduleOptions, None)`; after an
//!   absence, the same input with `absences` and `Some(&previous)`.
//! - **Placement** (`hemi placement solve --households H --sites S --arcs A --out PLAN`):
//!   `placement::read_instance((h, "H.csv"), (s, "S.csv"), (a, "A.csv"))` →
//!   `placement::solve(&instance, &SolveOptions { allow_partial, .. }, progress)` →
//!   print `objective`, `upper_bound`, `relative_gap` → `placement::write_plan`.
//!   Overrides: `placement::parse_plan` or an edited `Plan`, then `placement::evaluate`;
//!   explanations: `placement::explain`; occupancy: `placement::site_occupancy`;
//!   synthetic instances: `placement::synth` + `Instance::write_files`.
#![deny(missing_docs)]

mod date;
mod error;
pub mod fairness;
pub mod lottery;
mod mcmf;
pub mod placement;
pub mod schedule;
pub mod schedule_files;

pub use date::Date;
pub use error::AllocationError;
