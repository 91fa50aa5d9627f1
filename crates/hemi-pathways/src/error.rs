//! The crate's error type: each variant holds the input that failed.

use crate::date::Date;

/// Everything that can go wrong in a pathways decision.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PathwaysError {
    /// A program key that is not in the catalogue.
    #[error("unknown program {0:?}; see the catalogue for the keys")]
    UnknownProgram(String),
    /// A rule failed to compile after the catalogue was checked (should not happen).
    #[error("rule {rule:?} of program {program:?} does not compile: {message}")]
    RuleCompile {
        /// Program key.
        program: String,
        /// Rule key.
        rule: String,
        /// The parser's words.
        message: String,
    },
    /// A reservation would exceed a cap.
    #[error("cap {pool:?} for {period} has {remaining_places} places left; {requested_places} requested")]
    OverCap {
        /// Cap pool key.
        pool: String,
        /// Period label (`FY2024`, `2023-05`, `total`).
        period: String,
        /// Places still free.
        remaining_places: i64,
        /// Places asked for.
        requested_places: u64,
    },
    /// A ledger movement that the totals cannot support (releasing more than reserved).
    #[error("cap {pool:?} for {period}: {message}")]
    Ledger {
        /// Cap pool key.
        pool: String,
        /// Period label.
        period: String,
        /// What is wrong.
        message: String,
    },
    /// A second active referral of one person to one program.
    #[error(
        "person {person_id:?} already has active referral {existing_referral_id:?} to {program:?}"
    )]
    SecondActiveReferral {
        /// Person.
        person_id: String,
        /// Program key.
        program: String,
        /// The referral that is still active.
        existing_referral_id: String,
    },
    /// An outcome that does not follow from the referral's state.
    #[error("referral {referral_id:?} is {from} and cannot become {to}")]
    BadOutcome {
        /// Referral id.
        referral_id: String,
        /// Current state.
        from: String,
        /// Requested state.
        to: String,
    },
    /// A date that comes before the event it follows.
    #[error("{what} on {date} is before {after_what} on {after}")]
    DateOrder {
        /// What was dated.
        what: String,
        /// Its date.
        date: Date,
        /// What it must follow.
        after_what: String,
        /// That date.
        after: Date,
    },
    /// An ISCO-08 code that is not a unit group.
    #[error("{0:?} is not an ISCO-08 unit group (four digits, e.g. 9211 crop farm labourers)")]
    UnknownIsco(String),
    /// Bad arguments to a function (named, with the value).
    #[error("{field}: {message}")]
    Invalid {
        /// Argument or field.
        field: String,
        /// What is wrong, quoting it.
        message: String,
    },
}
