//! The `hemi` binary: parses the command line, runs one command on `hemi_app::App`,
//! prints, picks the exit code. Every workflow is in `hemi-app`; this crate only turns
//! arguments into calls and answers into tables.
//!
//! Exit codes are fixed: 0 success, 1 failure (database unreachable, I/O error, a broken
//! audit chain), 2 the caller's fault (a file or argument refused, an unknown
//! identifier, a rule saying no). A refusal prints its problems one per line on stderr,
//! `file:line: field: problem — hint` or `--flag: problem — hint`; anything else prints
//! `error: ` and the whole cause chain.

mod cli;
mod commands;
mod output;
mod problems;
mod progress;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // The path of subcommand names, to name the flags a problem is about.
    let mut path = Vec::new();
    let mut at = &matches;
    while let Some((name, sub)) = at.subcommand() {
        path.push(name.to_owned());
        at = sub;
    }
    let writes = cli.command.writes();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // Blocking work still queued (a stalled webhook) must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => match err.downcast_ref::<hemi_app::AppError>() {
            Some(app_error) if app_error.is_callers() => {
                problems::print(app_error, &path, writes);
                ExitCode::from(2)
            }
            _ => {
                eprintln!("error: {err:#}");
                ExitCode::from(1)
            }
        },
    }
}
