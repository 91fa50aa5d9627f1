//! The architecture's invariants, checked from `cargo metadata` and the sources (after
//! rust-analyzer's `xtask/src/tidy.rs`): what each crate may depend on, which crates may
//! write SQL, print, read the environment or the clock, and how the web areas relate.
//! ARCHITECTURE.md states the same rules; this test is what keeps them true.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Pure domain crates: no I/O, no clock, no OS randomness, no database, no HTTP.
const DOMAIN: &[&str] = &[
    "hemi-core",
    "hemi-flows",
    "hemi-warning",
    "hemi-governance",
    "hemi-indicators",
    "hemi-disclosure",
    "hemi-pathways",
    "hemi-allocation",
    "hemi-registry",
];

/// Dependencies no domain crate may have.
const NOT_IN_DOMAIN: &[&str] = &[
    "sqlx",
    "axum",
    "axum-extra",
    "tokio",
    "reqwest",
    "ureq",
    "hyper",
    "tower",
    "tower-http",
    "clap",
    "indicatif",
    "tracing-subscriber",
    "getrandom",
];

/// Text that means I/O, the clock, OS randomness or printing, forbidden in domain `src/`.
const IMPURE: &[&str] = &[
    "std::fs",
    "std::env",
    "std::net",
    "std::process",
    "SystemTime::now",
    "Instant::now",
    "Timestamp::now",
    "Zoned::now",
    "thread_rng",
    "OsRng",
    "rand::random",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!(",
];

fn root() -> PathBuf {
    hemi_testing::repo_root()
}

/// (crate name, normal dependency names, manifest dir) for every workspace member.
fn members() -> Vec<(String, Vec<String>, PathBuf)> {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap());
            (
                p["name"].as_str().unwrap().to_owned(),
                deps,
                manifest.parent().unwrap().to_owned(),
            )
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "node_modules")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

/// The text without `//` comments and without the test module at the end of a file,
/// so a doc comment naming `std::fs` or a unit test reading a fixture is not a finding.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = match line.find("// ") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

#[test]
fn domain_crates_are_pure() {
    let mut problems = Vec::new();
    for (name, deps, dir) in members() {
        if !DOMAIN.contains(&name.as_str()) {
            continue;
        }
        for dep in &deps {
            if NOT_IN_DOMAIN.contains(&dep.as_str())
                || dep.starts_with("hemi-store")
                || dep == "hemi-app"
                || dep == "hemi-server"
            {
                problems.push(format!("{name} depends on {dep}"));
            }
        }
        for (file, text) in sources(&dir.join("src")) {
            let code = code_of(&text);
            for word in IMPURE {
                if code.contains(word) {
                    problems.push(format!("{}: uses {word}", file.display()));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "domain crates must do no I/O:\n{}",
        problems.join("\n")
    );
}

#[test]
fn only_the_store_writes_sql() {
    let mut problems = Vec::new();
    for (name, deps, dir) in members() {
        if name == "hemi-store" {
            continue;
        }
        // The test harness creates PostgreSQL schemas for tests; it is never a normal
        // dependency of a product crate (checked below).
        if name != "hemi-testing" && deps.iter().any(|d| d == "sqlx") {
            problems.push(format!("{name} depends on sqlx"));
        }
        if name == "hemi-testing" {
            continue;
        }
        for (file, text) in sources(&dir.join("src")) {
            let code = code_of(&text);
            for word in ["sqlx::", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
                if code.contains(word) {
                    problems.push(format!("{}: {word}", file.display()));
                }
            }
        }
    }
    for (name, deps, _) in members() {
        if deps.iter().any(|d| d == "hemi-testing") {
            problems.push(format!(
                "{name} depends on hemi-testing outside [dev-dependencies]"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "SQL lives in hemi-store only:\n{}",
        problems.join("\n")
    );
}

#[test]
fn only_the_binary_prints_and_reads_the_environment() {
    let mut problems = Vec::new();
    for (name, _, dir) in members() {
        if name == "hemi" || name == "hemi-testing" {
            continue;
        }
        for (file, text) in sources(&dir.join("src")) {
            let code = code_of(&text);
            for word in [
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
                "dbg!(",
                "std::env::var",
                "env::var_os",
                "try_from_default_env",
            ] {
                if code.contains(word) {
                    problems.push(format!("{}: {word}", file.display()));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "only crates/hemi prints or reads the environment:\n{}",
        problems.join("\n")
    );
}

#[test]
fn layers_depend_downwards_only() {
    let layer = |name: &str| -> u8 {
        match name {
            "hemi" => 4,
            "hemi-server" => 3,
            "hemi-app" => 2,
            "hemi-store" => 1,
            "hemi-testing" => 9,
            _ => 0,
        }
    };
    let mut problems = Vec::new();
    let members = members();
    let names: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
    for (name, deps, _) in &members {
        for dep in deps.iter().filter(|d| names.contains(d)) {
            let (a, b) = (layer(name), layer(dep));
            if b >= a && !(a == 0 && b == 0) {
                problems.push(format!("{name} (layer {a}) depends on {dep} (layer {b})"));
            }
        }
        // Inbound HTTP only in the server; outbound HTTP (webhooks) only behind hemi-app's Outbound trait.
        if name != "hemi-server"
            && deps
                .iter()
                .any(|d| d == "axum" || d == "axum-extra" || d == "tower-http")
        {
            problems.push(format!("{name} knows inbound HTTP"));
        }
        if name != "hemi-app" && deps.iter().any(|d| d == "ureq" || d == "reqwest") {
            problems.push(format!("{name} makes outbound HTTP calls"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn web_areas_do_not_import_each_other() {
    let areas_dir = root().join("crates/hemi-server/src/areas");
    let mut areas: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    for entry in std::fs::read_dir(&areas_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "mod" {
            continue;
        }
        let files = if path.is_dir() {
            sources(&path)
        } else {
            vec![(path.clone(), std::fs::read_to_string(&path).unwrap())]
        };
        areas.insert(name, files);
    }
    let names: Vec<String> = areas.keys().cloned().collect();
    let mut problems = Vec::new();
    for (area, files) in &areas {
        for (file, text) in files {
            for other in names.iter().filter(|n| *n != area) {
                for pattern in [
                    format!("crate::areas::{other}"),
                    format!("super::super::{other}"),
                    format!("super::{other}::"),
                ] {
                    // `super::x` inside a directory area means its own submodule.
                    let own_submodule = file.parent().is_some_and(|p| p.ends_with(area))
                        && pattern.starts_with("super::")
                        && !pattern.starts_with("super::super");
                    if code_of(text).contains(&pattern) && !own_submodule {
                        problems.push(format!("{}: {pattern}", file.display()));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "areas share code through the crate's shared modules or hemi-app, not each other:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_file_says_what_it_is_for() {
    let mut missing = Vec::new();
    for (_, _, dir) in members() {
        for sub in ["src", "tests", "benches", "examples"] {
            for (file, text) in sources(&dir.join(sub)) {
                if !text.trim_start().starts_with("//!") {
                    missing.push(file.display().to_string());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a //! header:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_test_is_ignored_or_expected_to_panic() {
    let mut found = Vec::new();
    for (_, _, dir) in members() {
        for (file, text) in sources(&dir) {
            if file.ends_with("tidy.rs") {
                continue;
            }
            for word in ["#[ignore", "#[should_panic"] {
                if text.contains(word) {
                    found.push(format!("{}: {word}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "wrong behaviour is asserted, not ignored:\n{}",
        found.join("\n")
    );
}
