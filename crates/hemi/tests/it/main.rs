//! CLI tests: run the real `hemi` binary in a temporary directory, on SQLite and on
//! PostgreSQL, and check what it prints, its exit code and what it leaves in the database.

mod bad_input;
mod commands;
mod process;
mod report;
mod warning;

use std::path::Path;
use std::process::{Command, Output};

use hemi_testing::TestDb;

/// Run `hemi` against a test database.
fn hemi(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hemi"))
        .args(args)
        .current_dir(db.dir.path())
        .env("HEMI_DATABASE_URL", &db.url)
        .env_remove("HEMI_FAULT_STALL_BEFORE_COMMIT")
        .output()
        .expect("run hemi")
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
