//! What a node runs with: the publisher profiles, the early-warning rules, the response
//! playbooks and the declaration seed — bundled into the binary from `profiles/`,
//! `rules/`, `playbooks/` and `governance/`, each replaceable or extendable by files in
//! a directory the operator names. Reading those directories is the one file-system
//! access of this crate besides the CLI's imports.

use std::path::{Path, PathBuf};

use hemi_core::Diagnostic;
use hemi_flows::ProfileSet;
use hemi_governance::{PlaybookSet, Seed};
use hemi_warning::roles::Routes;
use hemi_warning::roster::Roster;
use hemi_warning::rules::{RulesError, TriggerRules};
use include_dir::{include_dir, Dir};

use crate::{AppError, Problems, Result};

static BUNDLED_PROFILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../profiles");
static BUNDLED_PLAYBOOKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../playbooks");
const BUNDLED_TRIGGERS: &str = include_str!("../../../rules/triggers.toml");
const BUNDLED_ROUTES: &str = include_str!("../../../rules/routes.toml");
const BUNDLED_ROSTER: &str = include_str!("../../../rules/roster.toml");
const BUNDLED_CANDIDATES: &str = include_str!("../../../rules/candidates.toml");
const DECLARATION: &str = include_str!("../../../governance/declaration.toml");
const TASKFORCE: &str = include_str!("../../../governance/taskforce.toml");

/// Everything the Task Force edits about the early warning: trigger rules, routes, roster.
#[derive(Debug, Clone)]
pub struct WatchRules {
    /// When detector alarms become alerts, and how alerts form events.
    pub triggers: TriggerRules,
    /// Corridors and role thresholds.
    pub routes: Routes,
    /// Which series are watched.
    pub roster: Roster,
    /// The trigger rules as written (file name, text): rule candidates are overrides of it.
    pub triggers_file: (String, String),
    /// Rule candidates the evaluation protocol chooses among (file name, text).
    pub candidates_file: (String, String),
}

/// Directories whose files add to or replace the bundled ones.
#[derive(Debug, Clone, Default)]
pub struct ConfigDirs {
    /// Extra source profiles (`*.toml`).
    pub profiles: Option<PathBuf>,
    /// Early-warning rules (`triggers.toml`, `routes.toml`, `roster.toml`).
    pub rules: Option<PathBuf>,
    /// Extra response playbooks (`*.toml`).
    pub playbooks: Option<PathBuf>,
    /// A pathways catalogue (`catalogue.toml`, `programs/*.toml`) replacing the bundled one.
    pub pathways: Option<PathBuf>,
}

/// The configuration a node runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Publisher formats this node reads.
    pub profiles: ProfileSet,
    /// Early-warning rules.
    pub rules: WatchRules,
    /// Response playbooks.
    pub playbooks: PlaybookSet,
    /// The declaration as signed, with its first commitments and the Task Force.
    pub seed: Seed,
    /// The legal-pathways catalogue, compiled on first use.
    pub pathways: crate::pathways::PathwaysSource,
}

fn io_problem(path: &Path, e: std::io::Error) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: path.display().to_string(),
        line: 0,
        field: "file".into(),
        message: format!("cannot be read: {e}"),
        hint: "check the directory given on the command line".into(),
    }))
}

fn bundled_files(dir: &Dir<'static>, prefix: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = dir
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| {
            (
                format!("{prefix}/{}", f.path().display()),
                f.contents_utf8().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    files.sort();
    files
}

fn toml_files_in(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| io_problem(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_problem(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| io_problem(&path, e))?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    Ok(files)
}

fn rules_problem(e: RulesError) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: e.file,
        line: e.line as u64,
        field: "rules".into(),
        message: e.message,
        hint: e.hint,
    }))
}

impl Config {
    /// The bundled configuration.
    pub fn bundled() -> Result<Config> {
        Config::load(&ConfigDirs::default())
    }

    /// The bundled configuration with the files of `dirs` added or replacing.
    pub fn load(dirs: &ConfigDirs) -> Result<Config> {
        Ok(Config {
            profiles: load_profiles(dirs.profiles.as_deref())?,
            rules: load_rules(dirs.rules.as_deref())?,
            playbooks: load_playbooks(dirs.playbooks.as_deref())?,
            seed: Seed::parse(
                ("governance/declaration.toml", DECLARATION),
                ("governance/taskforce.toml", TASKFORCE),
            )?,
            pathways: crate::pathways::PathwaysSource::new(dirs.pathways.clone()),
        })
    }
}

/// Bundled profiles, overridden or extended by the `.toml` files of `extra_dir`.
pub fn load_profiles(extra_dir: Option<&Path>) -> Result<ProfileSet> {
    let mut files = bundled_files(&BUNDLED_PROFILES, "profiles");
    if let Some(dir) = extra_dir {
        files.extend(toml_files_in(dir)?);
    }
    ProfileSet::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).map_err(|e| {
        AppError::Invalid(Problems::one(Diagnostic {
            file: e.file,
            line: e.line as u64,
            field: "profile".into(),
            message: e.message,
            hint: e.hint,
        }))
    })
}

/// The bundled rules, each replaced by the same-named file in `dir` when present.
pub fn load_rules(dir: Option<&Path>) -> Result<WatchRules> {
    let read = |name: &str, bundled: &'static str| -> Result<(String, String)> {
        if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
            let text = std::fs::read_to_string(&path).map_err(|e| io_problem(&path, e))?;
            return Ok((path.display().to_string(), text));
        }
        Ok((format!("rules/{name}"), bundled.to_owned()))
    };
    if let Some(d) = dir.filter(|d| !d.is_dir()) {
        return Err(io_problem(
            d,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        ));
    }
    let (file, text) = read("triggers.toml", BUNDLED_TRIGGERS)?;
    let triggers = TriggerRules::parse(&file, &text).map_err(rules_problem)?;
    let triggers_file = (file, text);
    let candidates_file = read("candidates.toml", BUNDLED_CANDIDATES)?;
    let (file, text) = read("routes.toml", BUNDLED_ROUTES)?;
    let routes = Routes::parse(&file, &text).map_err(rules_problem)?;
    let (file, text) = read("roster.toml", BUNDLED_ROSTER)?;
    let roster = Roster::parse(&file, &text).map_err(rules_problem)?;
    Ok(WatchRules {
        triggers,
        routes,
        roster,
        triggers_file,
        candidates_file,
    })
}

/// Bundled playbooks, overridden or extended by the `.toml` files of `extra_dir`.
pub fn load_playbooks(extra_dir: Option<&Path>) -> Result<PlaybookSet> {
    let mut files = bundled_files(&BUNDLED_PLAYBOOKS, "playbooks");
    if let Some(dir) = extra_dir {
        files.extend(toml_files_in(dir)?);
    }
    Ok(PlaybookSet::from_files(
        files.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    )?)
}
