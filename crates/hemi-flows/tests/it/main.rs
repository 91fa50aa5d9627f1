//! Integration tests: every bundled table parses with its profile, totals match the
//! publishers' figures, and each kind of bad input is refused with a located message.

mod bad_input;
mod bundled;

use std::path::{Path, PathBuf};

use hemi_flows::{parse_table, ParsedTable, ProfileSet};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn profiles() -> ProfileSet {
    let dir = repo_root().join("profiles");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    ProfileSet::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap()
}

/// Parse one bundled file with the profile detected from its name and header.
fn parse_bundled(relative: &str) -> ParsedTable {
    let path = repo_root().join("data").join(relative);
    let bytes = std::fs::read(&path).unwrap();
    parse_bytes(path.file_name().unwrap().to_str().unwrap(), &bytes)
        .unwrap_or_else(|d| panic!("{d}"))
}

fn parse_bytes(file_name: &str, bytes: &[u8]) -> Result<ParsedTable, hemi_core::Diagnostics> {
    let set = profiles();
    let header: Vec<String> = csv::Reader::from_reader(bytes)
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let profile = set
        .detect(file_name, &header)
        .unwrap_or_else(|_| set.get("honduras_entries_nationality").unwrap());
    parse_table(
        profile,
        file_name,
        bytes,
        hemi_core::CountryCodes::bundled(),
    )
}

/// Sum of observations of one measure and breakdown whose period starts with `prefix`.
fn total(table: &ParsedTable, breakdown: &str, prefix: &str, nationality: Option<&str>) -> f64 {
    table
        .observations
        .iter()
        .filter(|((s, p), _)| {
            let key = &table.series[*s];
            key.breakdown == breakdown
                && p.to_string().starts_with(prefix)
                && nationality.is_none_or(|n| key.nationality.as_deref() == Some(n))
        })
        .map(|(_, v)| v)
        .sum()
}
