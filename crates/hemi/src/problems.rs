//! Printing a refusal: one problem per line on stderr, each naming what the user typed.
//!
//! `hemi-app` names the field at fault the way every adapter can (`from`, `target_date`,
//! `quarter`); here it is shown as the user typed it: the flag of the command that ran
//! (`--from`, `--target-date`) or its positional argument (`QUARTER`), found in the clap
//! definition, so the message and the command line use the same words.

use clap::CommandFactory;
use hemi_app::{AppError, Problems};
use hemi_core::Diagnostic;

use crate::cli::Cli;

/// Print `error` on stderr; commands that write end with "— nothing was changed".
pub fn print(error: &AppError, path: &[String], writes: bool) {
    let root = Cli::command();
    let mut chain = vec![root.clone()];
    for name in path {
        let Some(next) = chain.last().and_then(|c| c.find_subcommand(name)).cloned() else {
            break;
        };
        chain.push(next);
    }
    let (lines, summary) = describe(error, &chain);
    for line in lines {
        eprintln!("{line}");
    }
    if writes {
        eprintln!("error: {summary} — nothing was changed");
    }
}

/// The lines to print and the summary ("2 problems in 1 file").
fn describe(error: &AppError, chain: &[clap::Command]) -> (Vec<String>, String) {
    match error {
        AppError::Invalid(problems) | AppError::Refused(problems) => {
            (problem_lines(problems, chain), summary(problems))
        }
        other => (vec![other.to_string()], "1 problem".to_owned()),
    }
}

fn problem_lines(problems: &Problems, chain: &[clap::Command]) -> Vec<String> {
    let mut lines: Vec<String> = problems
        .diagnostics
        .iter()
        .map(|d| diagnostic_line(d, chain))
        .collect();
    if problems.more > 0 {
        lines.push(format!("... and {} more problems", problems.more));
    }
    if problems.stopped_early {
        lines.push(format!(
            "... stopped reading at the first {} problems of a file; fix these and try again",
            hemi_core::MAX_DIAGNOSTICS_KEPT
        ));
    }
    lines
}

fn summary(problems: &Problems) -> String {
    let total = problems.total();
    let files: std::collections::BTreeSet<&str> = problems
        .diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .filter(|f| !f.is_empty())
        .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if files.is_empty() {
        plural(total, "problem")
    } else {
        format!(
            "{} in {}",
            plural(total, "problem"),
            plural(files.len(), "file")
        )
    }
}

fn diagnostic_line(d: &Diagnostic, chain: &[clap::Command]) -> String {
    let mut line = match (d.file.is_empty(), d.line) {
        (true, _) => format!("{}: {}", field_label(&d.field, chain), d.message),
        (false, 0) => format!("{}: {}: {}", d.file, d.field, d.message),
        (false, n) => format!("{}:{n}: {}: {}", d.file, d.field, d.message),
    };
    if !d.hint.is_empty() {
        line.push_str(" — ");
        line.push_str(&d.hint);
    }
    line
}

/// The flag or positional argument of the running command (or one above it) that a
/// field names, else the field itself.
pub fn field_label(field: &str, chain: &[clap::Command]) -> String {
    if field.starts_with('-') || field.is_empty() {
        return field.to_owned();
    }
    let long = field.replace('_', "-");
    for command in chain.iter().rev() {
        for arg in command.get_arguments() {
            if arg.is_positional() {
                if arg.get_id().as_str() == field {
                    return arg
                        .get_value_names()
                        .and_then(|names| names.first())
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| field.to_uppercase());
                }
            } else if arg.get_long() == Some(long.as_str()) {
                return format!("--{long}");
            }
        }
    }
    field.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(path: &[&str]) -> Vec<clap::Command> {
        let mut chain = vec![Cli::command()];
        for name in path {
            let next = chain.last().unwrap().find_subcommand(name).unwrap().clone();
            chain.push(next);
        }
        chain
    }

    #[test]
    fn fields_are_named_as_typed() {
        let cases: [(&[&str], &str, &str); 7] = [
            (&["series", "show"], "from", "--from"),
            (
                &["process", "commitments", "add"],
                "target_date",
                "--target-date",
            ),
            (&["report", "quarterly"], "quarter", "QUARTER"),
            (&["process", "sessions", "decide"], "pillar", "pillar"),
            (&["process", "sessions", "decide"], "session", "SESSION"),
            (&["warn", "run"], "--as-of", "--as-of"),
            (&["import"], "paths", "PATHS"),
        ];
        for (path, field, expected) in cases {
            assert_eq!(
                field_label(field, &chain(path)),
                expected,
                "{path:?} {field}"
            );
        }
    }

    #[test]
    fn problems_are_one_per_line_with_a_summary() {
        let problems = Problems {
            diagnostics: vec![
                Diagnostic {
                    file: "pan.csv".into(),
                    line: 17,
                    field: "count".into(),
                    message: "-3 is negative".into(),
                    hint: "counts must be >= 0".into(),
                },
                Diagnostic {
                    file: String::new(),
                    line: 0,
                    field: "vintage".into(),
                    message: "vintage 7 does not exist".into(),
                    hint: String::new(),
                },
            ],
            more: 1,
            stopped_early: false,
        };
        let (lines, summary) = describe(&AppError::Invalid(problems), &chain(&["series", "show"]));
        assert_eq!(
            lines,
            [
                "pan.csv:17: count: -3 is negative — counts must be >= 0",
                "--vintage: vintage 7 does not exist",
                "... and 1 more problems"
            ]
        );
        assert_eq!(summary, "3 problems in 1 file");
    }
}
