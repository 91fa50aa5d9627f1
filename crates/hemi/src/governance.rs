//! L.A. Process configuration for the CLI: the bundled declaration seed
//! (`governance/*.toml`) and response playbooks (`playbooks/*.toml`, plus any in
//! `--playbooks-dir`), turned into domain values, and governance refusals turned into
//! bad input (exit 2).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use hemi_core::Diagnostic;
use hemi_governance::{Date, GovernanceError, PlaybookSet, Seed};
use hemi_store::governance::Actor;
use hemi_store::StoreError;
use include_dir::{include_dir, Dir};

use crate::input_error::InputError;

const DECLARATION: &str = include_str!("../../../governance/declaration.toml");
const TASKFORCE: &str = include_str!("../../../governance/taskforce.toml");
static PLAYBOOKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../playbooks");

/// A governance refusal as bad input: `file:line` for files, the field otherwise.
pub fn refusal(e: GovernanceError) -> anyhow::Error {
    let diagnostic = match &e {
        GovernanceError::File {
            file,
            line,
            message,
            hint,
        } => Diagnostic {
            file: file.clone(),
            line: *line as u64,
            field: "playbook".into(),
            message: message.clone(),
            hint: hint.clone(),
        },
        other => Diagnostic {
            file: "command line".into(),
            line: 0,
            field: other.field().into(),
            message: other.to_string(),
            hint: other.hint().into(),
        },
    };
    InputError::one(diagnostic).into()
}

/// A store error: a refusal is bad input (exit 2), anything else a failure (exit 1).
pub fn store_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Refused(g) => refusal(g),
        other => anyhow::Error::new(other),
    }
}

/// The bundled seed.
pub fn seed() -> anyhow::Result<Seed> {
    Seed::parse(
        ("governance/declaration.toml", DECLARATION),
        ("governance/taskforce.toml", TASKFORCE),
    )
    .map_err(refusal)
}

/// Bundled playbooks, overridden or extended by the `.toml` files of `extra_dir`.
pub fn playbooks(extra_dir: Option<&Path>) -> anyhow::Result<PlaybookSet> {
    let mut files: Vec<(String, String)> = PLAYBOOKS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| {
            (
                format!("playbooks/{}", f.path().display()),
                f.contents_utf8().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    files.sort();
    if let Some(dir) = extra_dir {
        let mut extra = Vec::new();
        for entry in std::fs::read_dir(dir)
            .with_context(|| format!("cannot read playbooks directory {}", dir.display()))?
        {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                extra.push((path.display().to_string(), text));
            }
        }
        extra.sort();
        files.extend(extra);
    }
    PlaybookSet::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).map_err(refusal)
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Parse a `YYYY-MM-DD` argument as bad input when it is not one.
pub fn date_arg(text: &str) -> anyhow::Result<Date> {
    Date::parse(text).map_err(refusal)
}

/// Who acts and when: `on` defaults to today (UTC).
pub fn actor(by: &str, on: Option<&str>) -> anyhow::Result<Actor> {
    let at = now();
    Ok(Actor {
        name: by.to_owned(),
        on: match on {
            Some(d) => date_arg(d)?,
            None => Date::from_unix(at),
        },
        at,
    })
}

/// An RFC 3339 time as text.
pub fn rfc3339(unix: i64) -> String {
    humantime::format_rfc3339_seconds(
        UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64),
    )
    .to_string()
}
