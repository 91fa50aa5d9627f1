//! The migrant registry's pure domain: person records, field encryption and blind
//! indexes, regularisation programs and the permit lifecycle, record linkage and
//! de-duplication in the Fellegi–Sunter tradition, a synthetic Latin American registry
//! for evaluation, and pairwise evaluation against known truth.
//!
//! No I/O, no clock, no OS randomness: callers pass readers, dates, keys, nonces and
//! seeds. The application layer (`hemi-app`) stores what this crate computes.
#![deny(missing_docs)]

pub mod crypto;
pub mod date;
pub mod documents;
mod error;
pub mod eval;
pub mod linkage;
pub mod nicknames;
pub mod permit;
pub mod person;
pub mod phonetic;
pub mod synth;
pub mod text;

pub use error::RegistryError;
