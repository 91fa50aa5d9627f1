//! Integration tests for hemi-pathways: one binary, one module per area.

mod support;

mod assignment;
mod caps;
mod cases;
mod catalogue;
mod eligibility;
mod sponsorship;
mod synth;
