//! L.A. Process governance as pure domain code: the living declaration and its
//! versions, commitments and their assessment, the stakeholder council's parity rule,
//! and response playbooks with task escalation.
//!
//! Source: seed 001 ("proposed L.A. Process", the Task Force, fig. 7 and appendix B).
//! The declaration is data that changes only through typed [`Change`]s decided in a
//! session; every version is a whole [`Declaration`], so any two can be compared with
//! [`diff`].
//!
//! Architecture invariant: no I/O, no clock, no database. Callers pass file text,
//! dates and the current time (Unix seconds); storage lives in `hemi-store`.
#![deny(missing_docs)]

pub mod commitment;
pub mod council;
pub mod date;
pub mod decision;
pub mod declaration;
pub mod playbook;
pub mod records;

pub use commitment::{Assessment, CommitmentSummary, ContinueDecision, NewCommitment};
pub use council::{check_parity, CouncilSeat};
pub use date::{Date, Quarter};
pub use decision::DecisionRequest;
pub use declaration::{
    apply, diff, Alternate, Change, Declaration, Deliverable, DiffEntry, Pillar, PillarKind,
    PillarStatus, Seed, Signatory, SignatoryKind,
};
pub use playbook::{
    instantiate, overdue, Escalation, EventFacts, NewTask, Playbook, PlaybookSet, TaskState,
    TaskStatus, Trigger,
};
pub use records::{
    check_assessable, check_recommendation, currency_code, emergency_pillar_key, FundingEntry,
    FundingKind, NewSession, ProgressReport, SessionKind, TaskFields, TaskUpdate,
};

/// Why a governance operation was refused. Each variant holds the input that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GovernanceError {
    /// A date is not `YYYY-MM-DD` or does not exist.
    #[error("{0:?} is not a date; write YYYY-MM-DD")]
    BadDate(String),
    /// A quarter is not `YYYYQn`.
    #[error("{0:?} is not a quarter; write YYYYQ1 to YYYYQ4, e.g. 2023Q3")]
    BadQuarter(String),
    /// A commitment has no owner.
    #[error("the commitment has no owner: name the state (ISO3) or organisation that commits")]
    MissingOwner,
    /// A commitment has no unit.
    #[error("the commitment has no unit: say what the target counts, e.g. permits, visas, USD")]
    MissingUnit,
    /// Target date before (or on) the baseline date.
    #[error("target date {target} is not after baseline date {baseline}")]
    TargetBeforeBaseline {
        /// Baseline date.
        baseline: String,
        /// Target date.
        target: String,
    },
    /// A pillar key names no pillar of the declaration.
    #[error("pillar {0:?} does not exist in the declaration")]
    UnknownPillar(String),
    /// A pillar key is taken.
    #[error("pillar {0:?} already exists")]
    DuplicatePillar(String),
    /// A pillar is closed and cannot be changed.
    #[error("pillar {0:?} is closed")]
    ClosedPillar(String),
    /// A goal kept when narrowing a pillar is not one of its goals.
    #[error("pillar {pillar:?} has no goal {goal:?}")]
    UnknownGoal {
        /// Pillar key.
        pillar: String,
        /// Goal text.
        goal: String,
    },
    /// A deliverable key names no deliverable.
    #[error("deliverable {0:?} does not exist")]
    UnknownDeliverable(String),
    /// A deliverable key is taken.
    #[error("deliverable {0:?} already exists")]
    DuplicateDeliverable(String),
    /// A signatory code names no signatory.
    #[error("signatory {0:?} is not a signatory of the declaration")]
    UnknownSignatory(String),
    /// A signatory is already one (or is withdrawn and cannot withdraw again).
    #[error("signatory {0:?} has already joined")]
    DuplicateSignatory(String),
    /// The signatory has withdrawn already.
    #[error("signatory {0:?} has already withdrawn")]
    AlreadyWithdrawn(String),
    /// A commitment id names no commitment.
    #[error("commitment {0} does not exist")]
    UnknownCommitment(i64),
    /// A withdrawal leaves commitments others depend on without an alternate arrangement.
    #[error("{signatory} cannot withdraw: {} without an alternate arrangement", unresolved.iter().map(|(id, owner, title, by)| format!("commitment {id} ({owner}: {title}), which {by} depends on")).collect::<Vec<_>>().join("; "))]
    UnresolvedDependency {
        /// The withdrawing signatory.
        signatory: String,
        /// (commitment id, owner, title, dependants as text) left without an arrangement.
        unresolved: Vec<(i64, String, String, String)>,
    },
    /// A council change would leave fewer than half of the held seats to non-US experts.
    #[error("council parity broken: {non_us} of {held} held seats would be non-US experts; at least half must be")]
    Parity {
        /// Held seats after the change.
        held: usize,
        /// Of which non-US.
        non_us: usize,
    },
    /// A council seat is taken or empty.
    #[error("{0}")]
    Seat(String),
    /// Any other invalid value: the field and what is wrong.
    #[error("{field}: {message}")]
    Invalid {
        /// Field or flag.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A playbook or seed file problem, located by line.
    #[error("{file}:{line}: {message} — {hint}")]
    File {
        /// File name as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
}

impl GovernanceError {
    /// The field a user fixes, for `file:line: field: problem — hint` diagnostics.
    pub fn field(&self) -> &str {
        match self {
            GovernanceError::BadDate(_) => "date",
            GovernanceError::BadQuarter(_) => "quarter",
            GovernanceError::MissingOwner => "owner",
            GovernanceError::MissingUnit => "unit",
            GovernanceError::TargetBeforeBaseline { .. } => "target_date",
            GovernanceError::UnknownPillar(_)
            | GovernanceError::DuplicatePillar(_)
            | GovernanceError::ClosedPillar(_)
            | GovernanceError::UnknownGoal { .. } => "pillar",
            GovernanceError::UnknownDeliverable(_) | GovernanceError::DuplicateDeliverable(_) => {
                "deliverable"
            }
            GovernanceError::UnknownSignatory(_)
            | GovernanceError::DuplicateSignatory(_)
            | GovernanceError::AlreadyWithdrawn(_) => "signatory",
            GovernanceError::UnknownCommitment(_) => "commitment",
            GovernanceError::UnresolvedDependency { .. } => "alternate",
            GovernanceError::Parity { .. } | GovernanceError::Seat(_) => "council",
            GovernanceError::Invalid { field, .. } => field,
            GovernanceError::File { .. } => "file",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            GovernanceError::BadDate(_) => "dates are YYYY-MM-DD",
            GovernanceError::BadQuarter(_) => "quarters are YYYYQn, e.g. 2023Q3",
            GovernanceError::MissingOwner => "pass --owner",
            GovernanceError::MissingUnit => "pass --unit",
            GovernanceError::TargetBeforeBaseline { .. } => {
                "the target date must come after the baseline date"
            }
            GovernanceError::UnknownPillar(_) | GovernanceError::UnknownGoal { .. } => {
                "see `hemi process declaration` for pillar keys and goals"
            }
            GovernanceError::DuplicatePillar(_) | GovernanceError::DuplicateDeliverable(_) => {
                "choose another key"
            }
            GovernanceError::ClosedPillar(_) => "add a new pillar instead",
            GovernanceError::UnknownDeliverable(_) => {
                "see `hemi process declaration` for deliverable keys"
            }
            GovernanceError::UnknownSignatory(_)
            | GovernanceError::DuplicateSignatory(_)
            | GovernanceError::AlreadyWithdrawn(_) => {
                "see `hemi process declaration` for the signatories"
            }
            GovernanceError::UnknownCommitment(_) => "see `hemi process commitments list`",
            GovernanceError::UnresolvedDependency { .. } => {
                "record who takes each over with --alternate COMMITMENT_ID=ARRANGEMENT"
            }
            GovernanceError::Parity { .. } => {
                "appoint a non-US expert first, or remove a US expert instead"
            }
            GovernanceError::Seat(_) => "see `hemi process council list`",
            GovernanceError::Invalid { .. } => "see `hemi process --help`",
            GovernanceError::File { .. } => "fix the file and run again",
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = GovernanceError> = std::result::Result<T, E>;

/// 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}
