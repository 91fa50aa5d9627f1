//! Allocation workflows (issue 15): the publicly verifiable appointment lottery, its
//! fairness month, screening-interview scheduling and placement of households.
//!
//! [`files`] holds the workflows that read and answer files only (`hemi placement solve`,
//! `hemi schedule plan`, the fairness month): nothing is stored, so another tool's
//! instance can be solved and compared. The decisions are `hemi-allocation`'s; this
//! layer checks what the caller gave, runs the CPU-heavy part on the blocking pool and
//! turns the domain's errors into [`AppError`]s that name the file, line and field.

pub mod demo;
pub mod draws;
pub mod files;
pub mod plans;

use hemi_allocation::AllocationError;
use hemi_core::Diagnostic;

use crate::{AppError, Problems};

/// Run CPU-heavy allocation work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{what} failed: {e}")))?
}

/// The files a placement instance came from, to name them in refusals.
#[derive(Debug, Clone, Default)]
pub struct PlacementFileNames {
    /// Households file.
    pub households: String,
    /// Sites file.
    pub sites: String,
    /// Arcs file.
    pub arcs: String,
}

fn refusal(file: &str, field: &str, message: String, hint: &str) -> AppError {
    AppError::Refused(Problems::one(Diagnostic {
        file: file.to_owned(),
        line: 0,
        field: field.to_owned(),
        message,
        hint: hint.to_owned(),
    }))
}

/// A domain error as the caller's problem, naming the placement files where it can.
pub fn allocation_error(e: AllocationError, names: &PlacementFileNames) -> AppError {
    match e {
        AllocationError::InvalidInput(d) => AppError::Invalid(Problems::from_diagnostics(&d)),
        AllocationError::Parameter {
            field,
            value,
            message,
        } => AppError::invalid(&field, format!("{value}: {message}"), ""),
        e @ AllocationError::MorePeopleThanPlaces { .. } => refusal(
            &names.sites,
            "capacity_people",
            e.to_string(),
            "or pass --allow-partial to place as many as fit",
        ),
        e @ AllocationError::CannotPlace { .. } => refusal(
            &names.households,
            "household_id",
            e.to_string(),
            "or pass --allow-partial to leave them unplaced",
        ),
        e @ AllocationError::Tie { .. } => refusal(
            &names.households,
            "tie",
            e.to_string(),
            "make the tie soft (tie=soft) or add an arc to the tied site",
        ),
        AllocationError::Verification(difference) => AppError::Refused(Problems::field(
            "verification",
            format!("verification failed: {difference}"),
            "the published files do not reproduce the draw",
        )),
    }
}
