//! What a workflow can fail with, sorted by whose fault it is: the caller's input
//! (exit 2 in the CLI, 422/404/409 on the web) or ours (exit 1, a 500 with the cause
//! logged and never shown).

use hemi_core::Diagnostic;
use hemi_store::StoreError;

/// Every problem found in a caller's input, each printed as
/// `file:line: field: problem — hint`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems {
    /// Problems kept, in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// Problems seen beyond those kept.
    pub more: usize,
    /// Reading stopped at the bound on problems kept; the file may hold more.
    pub stopped_early: bool,
}

impl Problems {
    /// One problem.
    pub fn one(diagnostic: Diagnostic) -> Problems {
        Problems {
            diagnostics: vec![diagnostic],
            ..Problems::default()
        }
    }

    /// A problem with a command-line argument or a form field (no file, no line).
    pub fn field(field: &str, message: impl Into<String>, hint: impl Into<String>) -> Problems {
        Problems::one(Diagnostic {
            file: String::new(),
            line: 0,
            field: field.to_owned(),
            message: message.into(),
            hint: hint.into(),
        })
    }

    /// Problems collected by a parser.
    pub fn from_diagnostics(d: &hemi_core::Diagnostics) -> Problems {
        let diagnostics: Vec<Diagnostic> = d.iter().cloned().collect();
        Problems {
            more: d.total() - diagnostics.len(),
            stopped_early: d.is_full(),
            diagnostics,
        }
    }

    /// Add another set of problems.
    pub fn extend(&mut self, other: Problems) {
        self.diagnostics.extend(other.diagnostics);
        self.more += other.more;
        self.stopped_early |= other.stopped_early;
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty() && self.more == 0
    }

    /// Total problems, kept or not.
    pub fn total(&self) -> usize {
        self.diagnostics.len() + self.more
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if d.file.is_empty() {
                write!(f, "{}: {} — {}", d.field, d.message, d.hint)?;
            } else {
                write!(f, "{d}")?;
            }
        }
        if self.more > 0 {
            write!(f, "\n... and {} more problems", self.more)?;
        }
        if self.stopped_early {
            write!(
                f,
                "\n... stopped reading at the first {} problems of a file; fix these and try again",
                hemi_core::MAX_DIAGNOSTICS_KEPT
            )?;
        }
        Ok(())
    }
}

/// Why a workflow did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is wrong: values, files, arguments. Nothing was changed.
    #[error("{0}")]
    Invalid(Problems),
    /// Something named does not exist (an event, a session, a country code).
    #[error("{what} {id:?} does not exist{}", hint_suffix(.hint))]
    NotFound {
        /// What kind of thing, e.g. `event`.
        what: String,
        /// What was asked for.
        id: String,
        /// What to do, e.g. a close match or the command that lists them.
        hint: String,
    },
    /// The input is well-formed but a rule refuses it in the current state (a cap is
    /// full, parity would break, the event is closed). Nothing was changed.
    #[error("{0}")]
    Refused(Problems),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too much is running at once; the caller may try again shortly.
    #[error("{0}")]
    Busy(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else on our side.
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

impl AppError {
    /// The error of a computation shared through a cache (moka hands every waiter the
    /// same `Arc`): the caller's kind of error survives, so a bad parameter met inside a
    /// cached computation is still a 422 with its field, never a 500.
    pub(crate) fn from_shared(e: std::sync::Arc<AppError>) -> AppError {
        match std::sync::Arc::try_unwrap(e) {
            Ok(owned) => owned,
            Err(e) => match &*e {
                AppError::Invalid(p) => AppError::Invalid(p.clone()),
                AppError::NotFound { what, id, hint } => AppError::NotFound {
                    what: what.clone(),
                    id: id.clone(),
                    hint: hint.clone(),
                },
                AppError::Refused(p) => AppError::Refused(p.clone()),
                AppError::Forbidden(m) => AppError::Forbidden(m.clone()),
                AppError::Busy(m) => AppError::Busy(m.clone()),
                other => AppError::Internal(anyhow::anyhow!("{other}")),
            },
        }
    }
}

fn hint_suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(" — {hint}")
    }
}

impl AppError {
    /// Bad input on one field.
    pub fn invalid(field: &str, message: impl Into<String>, hint: impl Into<String>) -> AppError {
        AppError::Invalid(Problems::field(field, message, hint))
    }

    /// A rule refused, on one field.
    pub fn refused(field: &str, message: impl Into<String>, hint: impl Into<String>) -> AppError {
        AppError::Refused(Problems::field(field, message, hint))
    }

    /// Something named does not exist.
    pub fn not_found(what: &str, id: impl Into<String>, hint: impl Into<String>) -> AppError {
        AppError::NotFound {
            what: what.to_owned(),
            id: id.into(),
            hint: hint.into(),
        }
    }

    /// True when the caller can fix it (bad input, unknown identifier, a refusal).
    pub fn is_callers(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_)
                | AppError::NotFound { .. }
                | AppError::Refused(_)
                | AppError::Forbidden(_)
        )
    }

    /// The field at fault, when the error is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(p) | AppError::Refused(p) => {
                p.diagnostics.first().map(|d| d.field.as_str())
            }
            AppError::NotFound { what, .. } => Some(what),
            _ => None,
        }
    }
}

impl From<hemi_governance::GovernanceError> for AppError {
    fn from(e: hemi_governance::GovernanceError) -> AppError {
        use hemi_governance::GovernanceError as G;
        let diagnostic = match &e {
            G::File {
                file,
                line,
                message,
                hint,
            } => Diagnostic {
                file: file.clone(),
                line: *line as u64,
                field: "file".into(),
                message: message.clone(),
                hint: hint.clone(),
            },
            other => Diagnostic {
                file: String::new(),
                line: 0,
                field: other.field().into(),
                message: match other {
                    // The field is printed before the message already.
                    G::Invalid { message, .. } => message.clone(),
                    _ => other.to_string(),
                },
                hint: other.hint().into(),
            },
        };
        let problems = Problems::one(diagnostic);
        match e {
            // A value that is wrong in itself.
            G::BadDate(_)
            | G::BadQuarter(_)
            | G::MissingOwner
            | G::MissingUnit
            | G::TargetBeforeBaseline { .. }
            | G::Invalid { .. }
            | G::File { .. } => AppError::Invalid(problems),
            // Right in form, refused by the declaration or the council as they stand.
            _ => AppError::Refused(problems),
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = AppError> = std::result::Result<T, E>;
