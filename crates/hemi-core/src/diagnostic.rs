//! Validation problems as data: every one names the file, line, field and the fix.

use std::fmt;

/// Most problems kept for one import; past this the rest are only counted, since a
/// systematically wrong file would otherwise print a line per row.
pub const MAX_DIAGNOSTICS: usize = 50;

/// One problem in an input file, printed as `file:line: field: problem — hint`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// File name as the user gave it.
    pub file: String,
    /// 1-based line number (the header is line 1); 0 when the problem is about the whole file.
    pub line: u64,
    /// Column or setting the problem is in.
    pub field: String,
    /// What is wrong, quoting the offending input.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}: {}: {} — {}",
                self.file, self.line, self.field, self.message, self.hint
            )
        } else {
            write!(
                f,
                "{}: {}: {} — {}",
                self.file, self.field, self.message, self.hint
            )
        }
    }
}

/// A bounded collection of diagnostics that remembers how many were dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    kept: Vec<Diagnostic>,
    dropped: usize,
}

impl Diagnostics {
    /// Record a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.kept.len() < MAX_DIAGNOSTICS {
            self.kept.push(diagnostic);
        } else {
            self.dropped += 1;
        }
    }

    /// True when nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Total number of problems seen, kept or not.
    pub fn total(&self) -> usize {
        self.kept.len() + self.dropped
    }

    /// The problems kept, in input order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.kept.iter()
    }

    /// True when the bound was reached; callers may stop reading early.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= MAX_DIAGNOSTICS
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.kept {
            writeln!(f, "{d}")?;
        }
        if self.dropped > 0 {
            writeln!(f, "... and {} more problems", self.dropped)?;
        } else if self.is_full() {
            writeln!(
                f,
                "... stopped at the first {MAX_DIAGNOSTICS} problems; fix these and import again"
            )?;
        }
        Ok(())
    }
}
