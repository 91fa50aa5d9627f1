//! Allocation (issue 15, the pure-domain half): a publicly verifiable appointment lottery
//! (`lottery`), its fairness simulation (`fairness`), screening-interview scheduling
//! (`schedule`) and placement of households in communities (`placement`).
//!
//! No I/O, clock or operating-system randomness: callers pass texts, readers, dates and
//! seeds, so every draw, schedule and plan can be replayed.
#![deny(missing_docs)]

mod date;
mod error;
pub mod fairness;
pub mod lottery;
mod mcmf;
pub mod placement;
pub mod schedule;

pub use date::Date;
pub use error::AllocationError;
