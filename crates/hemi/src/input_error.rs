//! Bad input: validation problems that make the command exit with code 2.

use std::fmt;

use hemi_core::Diagnostic;

/// Every problem found in the user's input, each printed as `file:line: field: problem — hint`.
#[derive(Debug)]
pub struct InputError {
    pub diagnostics: Vec<Diagnostic>,
    pub more: usize,
    /// Reading stopped at the bound on problems kept; the file may hold more.
    pub stopped_early: bool,
}

impl InputError {
    pub fn one(diagnostic: Diagnostic) -> InputError {
        InputError {
            diagnostics: vec![diagnostic],
            more: 0,
            stopped_early: false,
        }
    }

    pub fn summary(&self) -> String {
        let total = self.diagnostics.len() + self.more;
        let files: std::collections::BTreeSet<&str> =
            self.diagnostics.iter().map(|d| d.file.as_str()).collect();
        format!(
            "{total} problem{} in {} file{}",
            if total == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        if self.more > 0 {
            writeln!(f, "... and {} more problems", self.more)?;
        }
        if self.stopped_early {
            writeln!(f, "... stopped reading at the first {} problems of a file; fix these and import again", hemi_core::MAX_DIAGNOSTICS_KEPT)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}
