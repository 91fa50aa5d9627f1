//! The profile set: profiles bundled into the binary, plus any in `--profiles-dir`.

use std::path::Path;

use anyhow::Context;
use hemi_flows::ProfileSet;
use include_dir::{include_dir, Dir};

use crate::input_error::InputError;

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../profiles");

/// Bundled profiles, overridden or extended by the `.toml` files of `extra_dir`.
pub fn load(extra_dir: Option<&Path>) -> anyhow::Result<ProfileSet> {
    let mut files: Vec<(String, String)> = BUNDLED
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| {
            (
                format!("profiles/{}", f.path().display()),
                f.contents_utf8().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    files.sort();
    if let Some(dir) = extra_dir {
        let mut extra = Vec::new();
        for entry in std::fs::read_dir(dir)
            .with_context(|| format!("cannot read profiles directory {}", dir.display()))?
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
    ProfileSet::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).map_err(|e| {
        anyhow::Error::new(InputError::one(hemi_core::Diagnostic {
            file: e.file,
            line: e.line as u64,
            field: "profile".into(),
            message: e.message,
            hint: e.hint,
        }))
    })
}
