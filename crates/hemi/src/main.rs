//! The `hemi` binary: parses the command line, runs one command, prints, picks the exit code.
//!
//! Exit codes are fixed: 0 success, 1 failure (database unreachable, I/O error), 2 bad
//! input (a file that failed validation, a bad argument). Errors go to stderr, printed
//! with their whole cause chain.

mod cli;
mod commands;
mod governance;
mod input_error;
mod notify;
mod output;
mod profiles;
mod watch;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
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
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(input) = err.downcast_ref::<input_error::InputError>() {
                eprint!("{input}");
                eprintln!("error: {} — nothing was changed", input.summary());
                ExitCode::from(2)
            } else {
                eprintln!("error: {err:#}");
                ExitCode::from(1)
            }
        }
    }
}
