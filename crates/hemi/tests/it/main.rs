//! CLI tests: run the real `hemi` binary in a temporary directory, on SQLite and on
//! PostgreSQL, and check what it prints, its exit code and what it leaves in the database.

mod accounts;
mod allocation;
mod bad_input;
mod commands;
mod docs;
mod pathways;
mod process;
mod registry;
mod report;
mod warning;

use std::path::Path;
use std::process::{Command, Output};

use hemi_testing::TestDb;

/// The operating-system account the tests run `hemi` as: the actor it records.
const OPERATOR: &str = "tester";

/// `hemi` against a test database, as [`OPERATOR`].
fn command(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hemi"));
    command
        .args(args)
        .current_dir(db.dir.path())
        .env("HEMI_DATABASE_URL", &db.url)
        .env("USER", OPERATOR)
        .env_remove("LOGNAME")
        .env_remove("HEMI_PROFILES_DIR")
        .env_remove("HEMI_RULES_DIR")
        .env_remove("HEMI_PLAYBOOKS_DIR")
        .env_remove("HEMI_PATHWAYS_DIR")
        .env_remove("HEMI_FAULT_STALL_BEFORE_COMMIT");
    command
}

/// Run `hemi` against a test database.
fn hemi(db: &TestDb, args: &[&str]) -> Output {
    command(db, args).output().expect("run hemi")
}

/// Run `hemi` with `input` on its standard input.
fn hemi_with_stdin(db: &TestDb, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = command(db, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run hemi");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("run hemi")
}

/// Run and require exit code 2 (the caller's fault); returns stderr.
fn refused(db: &TestDb, args: &[&str]) -> String {
    let output = hemi(db, args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "hemi {args:?}: {err}");
    assert!(
        stdout(&output).is_empty(),
        "a refusal prints nothing on stdout: {}",
        stdout(&output)
    );
    err
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run and require success.
fn ok(db: &TestDb, args: &[&str]) -> String {
    let output = hemi(db, args);
    assert!(
        output.status.success(),
        "hemi {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Everything a user can read back, to compare database states.
fn state(db: &TestDb) -> String {
    ok(db, &["series", "list", "--format", "csv"]) + &ok(db, &["export", "--format", "csv"])
}

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}
