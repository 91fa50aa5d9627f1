//! Vocabulary shared by every Hemisphere crate: country codes, calendar periods,
//! validation diagnostics and the staff roles.
//!
//! This crate does no I/O. The ISO 3166 code list is compiled in from the bundled
//! `data/reference/countries.csv`, so validation gives the same answer on every node
//! whether or not the reference table has been imported yet.
#![deny(missing_docs)]

mod country;
mod diagnostic;
mod period;
pub mod roles;
pub mod suggest;

pub use country::{Country, CountryCodes, Iso3, Iso3Error};
pub use diagnostic::{Diagnostic, Diagnostics, MAX_DIAGNOSTICS as MAX_DIAGNOSTICS_KEPT};
pub use period::{Granularity, Period, PeriodError};
pub use roles::Role;
