//! Statistical disclosure control for every public Hemisphere output — the portal, the
//! indicators API and page, the quarterly report, registry statistics and federation
//! aggregates — designed against a stated attacker, with that attacker's linear program
//! as an audit.
//!
//! # The attacker
//!
//! Someone who sees every public output (every portal table with its row, column and
//! grand totals, every `/api/indicators` answer for every measure, year, origin, scope and
//! rank order, in JSON and CSV, every report, registry statistic and federation aggregate,
//! in every vintage), knows that counts are non-negative integers, knows the method and
//! its published parameters, and solves linear programs over all of it: for each count,
//! the smallest and largest true value consistent with everything published. The attacker
//! does not know the deployment's secret key.
//!
//! Against the method used before (suppression below 5 with "two hidden per line"
//! secondary suppression, ranks and totals kept) that attacker pinned 178 suppressed
//! indicator cells through ranks and ratios, 7 through host totals minus origins, and
//! portal cells through rows, columns and margins (issue 11); the regression tests in
//! `tests/it/` reproduce all three (on UN DESA 2024 the LP pins 258 of the 437 hidden
//! cells through ranks and 24 through host totals; in Panama 2023 it pins the same 4
//! portal cells), and `BENCHMARKS.md` has the figures for every bundled table.
//!
//! # The design: cell-key perturbation with totals derived from protected counts
//!
//! Two designs defend against that attacker: suppression whose every hidden cell keeps a
//! wide interval in the attacker's LP (τ-ARGUS's audited secondary suppression), or
//! perturbation. This crate perturbs, by the **cell-key method** (Fraser and Wooton 2005,
//! "A proposed method for confidentialising tabular output to protect against
//! differencing", ABS, used by ABS TableBuilder; Eurostat's recommended method for the
//! 2021 census hypercubes; Destatis' `cellKey` and `ptable` R packages; Giessing 2016 for
//! the maximum-entropy noise distribution), for these reasons:
//!
//! - **Every output is safe by construction, not by coordination.** Suppression is only
//!   safe if secondary suppression is computed jointly over every table that shares a
//!   cell: the portal's months, the report's quarters, the indicators' origins and host
//!   totals, later registry tables by state × month × nationality and sums across
//!   federation members. Any output added later and not added to that joint problem
//!   reopens the subtraction attack. Here the rule is local: *publish only perturbed base
//!   counts and numbers computed from them*. A quarter, a host total, a ratio, a rank or a
//!   federation sum computed from perturbed counts tells the attacker nothing the
//!   perturbed counts did not (it is a function of them), however many groupings exist.
//! - **Nothing is blank**, so there is no rank of a hidden row, no ratio to derive, no
//!   "hidden ≥ 1 because zeros are shown", no pattern of blanks to read.
//! - **Totals are sums of the protected parts** ([`Protector::protect_table`]): ABS
//!   perturbs totals separately, which makes tables non-additive and gives the LP an extra
//!   noisy equation per total (the independent noises of a total and its parts can bound
//!   a part more tightly than its own noise; see the audit's unit test
//!   `independently_perturbed_totals_can_pin_a_part`). Summed totals carry no such
//!   equation; their error is the sum of the parts' noises (standard deviation
//!   `sqrt(n·V)`, e.g. ±9 on a total of 27 cells with V = 3), negligible against the
//!   totals shown.
//! - **Consistency**: the same count gets the same noise wherever and whenever it is
//!   shown, so repeated queries cannot be averaged. The cell key is an HMAC-SHA256 of
//!   the count's [`CellIdentity`] and its true value under a secret key
//!   ([`Protector::cell_key`] says why the value is hashed too: with aggregates only there
//!   are no record keys, and an identity-only key would publish revisions exactly). The
//!   identity leaves out the period, so an unchanged count keeps its noise from year to
//!   year and cannot be averaged over years either ([`CellIdentity`]).
//! - **Zeros**: a true zero stays 0 (nobody to protect; ABS and `ptable` do the same), but
//!   a published 0 can also be a true 1 to D, and the small values `1..=js` are never
//!   published, so a published 0 does not say that nobody is there and a published
//!   small number does not say how many are.
//!
//! What the attacker learns from a published count `p` is exactly
//! [`PerturbationTable::feasible_originals`]: with the defaults (D = 5, V = 3, js = 2)
//! `0 → 0..=5`, `3 → 1..=8`, `p → p−5..=p+5`; so every count, large or small, keeps an
//! interval at least 5 people wide (6 integers), above the protection width of 4 (5
//! integers, the width of "fewer than 5") that the audit checks. The parameters are
//! published with every table ([`Protector::rule`]).
//!
//! Costs, stated plainly: published counts are not exact (at most ±D), totals differ a
//! little from the publisher's, and a count published as 0 may be up to D. A reader who
//! knows the method's probabilities (not just its bounds) can still guess: the most likely
//! true value of a published 40 is 40. That is inherent in perturbation and is the price
//! statistical offices accept for protection that needs no coordination between tables;
//! the guarantee here is the one the issue asks for, an LP interval of at least the
//! protection width for every count.
//!
//! What must hold for the guarantee (the app layer's side of the contract):
//! 1. Every public number is a perturbed base count or is computed only from perturbed
//!    base counts and public constants (population, GDP). No true count, true total,
//!    true ordering or true presence leaves the app: rows are ordered and kept or
//!    dropped by published values, columns are chosen without looking at counts.
//! 2. One base breakdown per population: if two public tables break the same total
//!    down differently (nationality × month and sex × age × month of the same flow), the
//!    attacker gets an equation between true values across them; audit such a family
//!    with [`audit`] before publishing both.
//! 3. The secret key is secret, at least 16 bytes, one per deployment and stable across
//!    vintages (changing it gives every count a fresh noise, which can then be averaged
//!    with the old one; if it leaks, rotate it *and* stop serving old outputs).
//!
//! # The audit
//!
//! (Cargo feature `audit`, on by default: it builds HiGHS from C++ source, which needs
//! cmake and libclang. A server that only protects outputs can depend on this crate with
//! `default-features = false`; the model types stay available without the solver.)
//!
//! [`AttackerModel`] holds what the attacker knows as linear constraints on the true
//! counts: published exact values, published perturbed values (their feasible set),
//! margins and host totals (`total = Σ parts`), ratios to known denominators, ranks as
//! order inequalities. [`audit`] computes each protected count's min and max with HiGHS
//! and reports every one narrower than the protection width. The tests build the model
//! from the published outputs of the old method (it fails, as the issue found) and of
//! this one (it passes) on the bundled data.
//!
//! # How each public output calls this crate
//!
//! Build one [`Protector`] at start-up from the configured [`NoiseParameters`] and the
//! deployment's secret key, and cache protected answers per data version.
//!
//! - **Portal** (reporting × measure × year, nationality × month): a [`TableCounts`] with
//!   base `CellIdentity::new("flows").with("reporting", r).with("measure", m)` and row
//!   dimension `nationality` (each cell's identity is then [`CellIdentity::flow`]), rows every
//!   nationality the source has that year, columns the 12 months `YYYY-MM` of the year
//!   with `columns_are_periods: true`;
//!   [`Protector::protect_table`]; show its rows, cells and totals as they are and print
//!   [`Rule::text`] under the table. Drop the `[c]` marks and suppression counts.
//! - **Indicators** (`/api/indicators`, `/indicators`): for the measure and year, the true
//!   base cells (host, origin) as `hemi_indicators::compute` counts them (UN DESA female
//!   plus male; UNHCR refugees + asylum seekers + others of concern from another
//!   country), each through [`Protector::protect_count`] with identity
//!   [`CellIdentity::stock`]`(measure.source(), host, origin)` (no year: see
//!   [`CellIdentity`] on periods), IDPs with `CellIdentity::new(source).with("host", h).with("category", "idp")`. Then run `compute`
//!   on the perturbed counts for every query (origin, scope, ranking, lag): host totals,
//!   ratios and ranks all come from protected counts. Leave out rows whose published
//!   count is 0. Drop `suppressed` and `suppression_threshold`; add the [`Rule`].
//! - **Quarterly report**: quarters and years are sums of the portal's perturbed months
//!   (same identities), never counts perturbed anew; percentages and changes from those.
//! - **Registry statistics** (state × month × nationality): perturb the finest published
//!   cell ([`CellIdentity::registry`]`(statistic, state, nationality)`, the month left out
//!   of the identity as everywhere) and publish every margin as a sum of perturbed cells:
//!   a [`TableCounts`] per state with base `CellIdentity::new("registry").with("statistic", s).with("state", st)`,
//!   rows by nationality, month columns as periods; state × month and nationality × month
//!   margins are sums of those tables' cells, never counts perturbed anew.
//! - **Federation**: each member perturbs its own base cells with its own key before
//!   sharing upward; the hub adds members' perturbed values and never perturbs again.
//!   A count is perturbed once, by the node that owns it, and everybody publishes that value.
#![deny(missing_docs)]

mod audit;
mod identity;
mod protector;
mod ptable;

#[cfg(feature = "audit")]
pub use audit::audit;
pub use audit::{AttackerModel, AuditReport, CellInterval, Unknown};
pub use identity::CellIdentity;
pub use protector::{ProtectedTable, Protector, Rule, TableCounts, MINIMUM_SECRET_KEY_BYTES};
pub use ptable::{NoiseParameters, PerturbationTable, PtableRow};

/// The protection width the audit checks by default: no count may be placed in fewer than
/// 5 consecutive integers (the width of "fewer than 5", the old suppression threshold).
pub const DEFAULT_PROTECTION_WIDTH_PEOPLE: f64 = 4.0;

/// What can go wrong, with the input that caused it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DisclosureError {
    /// The noise parameters cannot make a valid perturbation table.
    #[error("noise parameters {parameters:?}: {reason}")]
    InvalidNoiseParameters {
        /// The parameters given.
        parameters: NoiseParameters,
        /// Why they do not work.
        reason: String,
    },
    /// The secret key is too short to keep cell keys unguessable.
    #[error("the secret key has {length_bytes} bytes; use at least {MINIMUM_SECRET_KEY_BYTES} random bytes")]
    SecretKeyTooShort {
        /// Length given.
        length_bytes: usize,
    },
    /// A stored value that is not a count of people.
    #[error("{identity}: {value_people} is not a count; counts are whole numbers >= 0")]
    NotACount {
        /// The cell.
        identity: String,
        /// The value.
        value_people: f64,
    },
    /// A table with a different number of rows than row keys.
    #[error("table {table}: {rows} rows of counts for {row_keys} row keys")]
    RowCount {
        /// The table's base identity.
        table: String,
        /// Row keys given.
        row_keys: usize,
        /// Rows of counts given.
        rows: usize,
    },
    /// A table with the same row key twice.
    #[error("table {table}: row {row_key:?} appears twice; sum its counts into one row")]
    DuplicateRow {
        /// The table's base identity.
        table: String,
        /// The repeated key.
        row_key: String,
    },
    /// A table row whose length does not match the column keys.
    #[error(
        "table {table}: row {row} has {found_columns} cells where {expected_columns} were expected"
    )]
    TableShape {
        /// The table's base identity.
        table: String,
        /// The row.
        row: usize,
        /// Columns expected.
        expected_columns: usize,
        /// Columns found.
        found_columns: usize,
    },
    /// A published value the method never publishes (a blocked small value).
    #[error("{name}: {published_people} is never published by this perturbation table")]
    NeverPublished {
        /// The unknown.
        name: String,
        /// The value.
        published_people: u64,
    },
    /// The attacker's model contradicts itself: what was declared published cannot all be true.
    #[error("the published figures about {name} contradict each other")]
    Infeasible {
        /// An unknown in the contradictory group.
        name: String,
    },
    /// HiGHS failed.
    #[error("HiGHS failed on {name}: {status}")]
    Solver {
        /// The unknown being solved for.
        name: String,
        /// HiGHS's status.
        status: String,
    },
}
