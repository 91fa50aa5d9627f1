//! Integration tests for hemi-pathways: one binary, one module per area.

mod support;

mod catalogue;
mod eligibility;
mod caps;
mod assignment;
mod cases;
mod sponsorship;
mod synth;
