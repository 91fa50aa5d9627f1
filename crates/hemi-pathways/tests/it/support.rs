//! Shared helpers: the repository's catalogue files and small builders.

use std::path::{Path, PathBuf};

use hemi_pathways::{parse_catalogue, Catalogue, Date};

/// Root of the repository (two levels above the crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// All catalogue files as (relative name, text).
pub fn catalogue_files() -> Vec<(String, String)> {
    let root = repo_root().join("pathways");
    let mut files = vec![(
        "pathways/catalogue.toml".to_owned(),
        std::fs::read_to_string(root.join("catalogue.toml")).unwrap(),
    )];
    let mut names: Vec<_> = std::fs::read_dir(root.join("programs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for p in names {
        let name = format!(
            "pathways/programs/{}",
            p.file_name().unwrap().to_string_lossy()
        );
        files.push((name, std::fs::read_to_string(&p).unwrap()));
    }
    files
}

/// The repository's catalogue, parsed.
pub fn catalogue() -> Catalogue {
    let files = catalogue_files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    match parse_catalogue(&refs) {
        Ok(c) => c,
        Err(d) => panic!("catalogue does not parse:\n{d}"),
    }
}

/// A date literal.
pub fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}
