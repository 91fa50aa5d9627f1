//! Allocation (issue 15).
#![deny(missing_docs)]

mod error;
pub mod lottery;
pub mod placement;

pub use error::AllocationError;
