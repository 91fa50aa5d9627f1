//! The documentation generated from the clap definitions: the man pages committed in
//! `docs/man/` are the ones `hemi generate man` writes now, the shell completions are
//! valid scripts, and the global options appear once, before the commands.

use hemi_testing::repo_root;

use super::*;

fn run(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
        .args(args)
        .env_remove("HEMI_DATABASE_URL")
        .output()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn man_pages_are_generated_from_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["generate", "man", &dir.path().display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let generated = files_in(dir.path());
    let names: Vec<&str> = generated.iter().map(|(n, _)| n.as_str()).collect();
    for page in [
        "hemi.1",
        "hemi-import.1",
        "hemi-audit-verify.1",
        "hemi-users-passwd.1",
    ] {
        assert!(names.contains(&page), "{page} in {names:?}");
    }
    let committed = files_in(&repo_root().join("docs/man"));
    assert!(
        committed == generated,
        "docs/man is out of date: run `cargo run -q -- generate man docs/man`"
    );
}

#[test]
fn shell_completions_are_valid_scripts() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&["generate", "completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        for word in ["import", "audit", "passwd", "database-url"] {
            assert!(script.contains(word), "{shell} completion names {word}");
        }
    }
    // bash parses its script without running it.
    let script = stdout(&run(&["generate", "completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hemi.bash");
    std::fs::write(&path, script).unwrap();
    let parsed = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(parsed.success(), "bash -n on the completion script");
}

#[test]
fn global_options_are_given_once_before_the_command() {
    let top = stdout(&run(&["--help"]));
    assert!(
        top.contains("Global options:") && top.contains("--database-url <URL>"),
        "{top}"
    );
    let import = stdout(&run(&["import", "--help"]));
    assert!(!import.contains("--database-url"), "not repeated: {import}");
    // After the command it is an unknown argument (clap's usage error, exit 2).
    let late = run(&["series", "list", "--database-url", "x.db"]);
    assert_eq!(late.status.code(), Some(2));
    // A password in the database URL never shows in help.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
        .arg("--help")
        .env("HEMI_DATABASE_URL", "postgres://u:hunter2@h/db")
        .output()
        .unwrap();
    assert!(!stdout(&help).contains("hunter2"), "{}", stdout(&help));
}

#[test]
fn a_database_password_never_reaches_an_error() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
        .args(["series", "list"])
        .env(
            "HEMI_DATABASE_URL",
            "postgres://someone:hunter2-secret@127.0.0.1:1/nowhere",
        )
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(
            "error: cannot open the database postgres://someone:***@127.0.0.1:1/nowhere"
        ),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}
