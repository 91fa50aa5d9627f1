//! Early-warning configuration for the CLI: loads the rules the Task Force edits
//! (bundled, or from `--rules-dir`) and re-exports the service functions of
//! `hemi_store::watch`, which the web app shares.

use std::path::Path;

use anyhow::Context;
use hemi_core::{Diagnostic, Period};
pub use hemi_store::watch::{events, replay_rows, roles, WatchRules as Rules};
use hemi_store::Store;
use hemi_warning::roles::Routes;
use hemi_warning::roster::Roster;
use hemi_warning::rules::{RulesError, TriggerRules};

use crate::input_error::InputError;

const BUNDLED_TRIGGERS: &str = include_str!("../../../rules/triggers.toml");
const BUNDLED_ROUTES: &str = include_str!("../../../rules/routes.toml");
const BUNDLED_ROSTER: &str = include_str!("../../../rules/roster.toml");

fn rules_input_error(e: RulesError) -> anyhow::Error {
    InputError::one(Diagnostic {
        file: e.file,
        line: e.line as u64,
        field: "rules".into(),
        message: e.message,
        hint: e.hint,
    })
    .into()
}

/// The bundled rules, each replaced by the same-named file in `dir` when present.
pub fn load_rules(dir: Option<&Path>) -> anyhow::Result<Rules> {
    let read = |name: &str, bundled: &'static str| -> anyhow::Result<(String, String)> {
        if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Ok((path.display().to_string(), text));
        }
        Ok((format!("rules/{name}"), bundled.to_owned()))
    };
    let (file, text) = read("triggers.toml", BUNDLED_TRIGGERS)?;
    let triggers = TriggerRules::parse(&file, &text).map_err(rules_input_error)?;
    let (file, text) = read("routes.toml", BUNDLED_ROUTES)?;
    let routes = Routes::parse(&file, &text).map_err(rules_input_error)?;
    let (file, text) = read("roster.toml", BUNDLED_ROSTER)?;
    let roster = Roster::parse(&file, &text).map_err(rules_input_error)?;
    Ok(Rules {
        triggers,
        routes,
        roster,
    })
}

/// Parse a `YYYY-MM` argument; a bad one is bad input (exit 2).
pub fn month_arg(text: &str, flag: &str) -> anyhow::Result<Period> {
    Period::parse_as(text, hemi_core::Granularity::Month).map_err(|e| {
        InputError::one(Diagnostic {
            file: "command line".into(),
            line: 0,
            field: flag.into(),
            message: e.to_string(),
            hint: "months are YYYY-MM".into(),
        })
        .into()
    })
}

/// The newest month of any watched series, or an error telling the user to import.
pub async fn newest_month(store: &Store, rules: &Rules) -> anyhow::Result<Period> {
    hemi_store::watch::newest_month(store, rules)
        .await?
        .context("no watched data yet: run `hemi import` or `hemi demo` first")
}
