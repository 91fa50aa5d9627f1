//! Flow data: importing publishers' tables (files from the CLI, uploads from the web)
//! as new vintages in one transaction with their audit entries, then running the early
//! warning when a watched table changed; and reading series back with every identifier
//! checked against what is stored.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hemi_core::{CountryCodes, Diagnostic};
use hemi_flows::{classify_vintage, parse_table, Profile, ProfileKind};
use hemi_store::{ImportItem, ImportOutcome, SeriesColumn, SeriesFilter};
use sha2::{Digest, Sha256};

use crate::progress::{Progress, ProgressReader};
use crate::{Actor, App, AppError, Problems, Result};

/// Largest reference (countries) file read into memory; the real one is 36 KB.
pub const MAX_REFERENCE_BYTES: u64 = 10 * 1024 * 1024;
/// Bytes read to find a file's header.
const HEADER_PROBE_BYTES: usize = 64 * 1024;

/// A table to import: a file on disk (the CLI) or bytes uploaded (the web).
#[derive(Debug, Clone)]
pub enum ImportFile {
    /// A path named by the user, streamed.
    Path(PathBuf),
    /// A `.csv` found inside a directory the user named: skipped (and reported) when no
    /// profile recognises it, as a notes or labels file would not be.
    Found(PathBuf),
    /// Uploaded bytes with the file name the browser sent.
    Bytes {
        /// File name (base name only).
        name: String,
        /// Content.
        content: Arc<Vec<u8>>,
    },
}

impl ImportFile {
    /// The name shown in messages.
    pub fn name(&self) -> String {
        match self {
            ImportFile::Path(p) | ImportFile::Found(p) => p.display().to_string(),
            ImportFile::Bytes { name, .. } => name.clone(),
        }
    }

    fn base_name(&self) -> String {
        match self {
            ImportFile::Path(p) | ImportFile::Found(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ImportFile::Bytes { name, .. } => name.clone(),
        }
    }

    fn len(&self) -> u64 {
        match self {
            ImportFile::Path(p) | ImportFile::Found(p) => {
                p.metadata().map(|m| m.len()).unwrap_or(0)
            }
            ImportFile::Bytes { content, .. } => content.len() as u64,
        }
    }

    fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            ImportFile::Path(p) | ImportFile::Found(p) => {
                let file = std::fs::File::open(p).map_err(|e| io_problem(p, e))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            ImportFile::Bytes { content, .. } => {
                Ok(Box::new(std::io::Cursor::new(ArcBytes(content.clone()))))
            }
        }
    }

    fn start(&self) -> Result<Vec<u8>> {
        let mut start = Vec::with_capacity(HEADER_PROBE_BYTES);
        self.open()?
            .take(HEADER_PROBE_BYTES as u64)
            .read_to_end(&mut start)
            .map_err(|e| io_problem(Path::new(&self.name()), e))?;
        Ok(start)
    }
}

struct ArcBytes(Arc<Vec<u8>>);
impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn io_problem(path: &Path, e: std::io::Error) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: path.display().to_string(),
        line: 0,
        field: "file".into(),
        message: format!("cannot be read: {e}"),
        hint: "check the path and its permissions".into(),
    }))
}

fn located(
    file: &str,
    line: u64,
    field: &str,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Problems {
    Problems::one(Diagnostic {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message: message.into(),
        hint: hint.into(),
    })
}

/// Files to import: each file as given, each directory's `.csv` files (recursively)
/// in name order. A directory without tables, a missing path and a file that is not a
/// table are bad input.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<ImportFile>> {
    let mut files = Vec::new();
    let mut problems = Problems::default();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            collect_csv(path, &mut found)?;
            found.sort();
            if found.is_empty() {
                problems.extend(located(
                    &path.display().to_string(),
                    0,
                    "path",
                    "is a directory without .csv files",
                    "give the directory that holds the tables, e.g. data/flows/",
                ));
            }
            files.extend(found.into_iter().map(ImportFile::Found));
        } else if path.is_file() {
            files.push(ImportFile::Path(path.clone()));
        } else {
            problems.extend(located(
                &path.display().to_string(),
                0,
                "path",
                "does not exist",
                "check the path; give files or directories of .csv files",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(files)
}

fn collect_csv(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_problem(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_problem(dir, e))?.path();
        if path.is_dir() {
            collect_csv(&path, found)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// A checked file, ready to store, identical to what is stored, or skipped.
enum Prepared {
    Store(ImportItem, f64),
    Identical(ImportOutcome, f64),
    Skipped(String),
}

/// One line of an import report: what storing a file did and how long it took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportLine {
    /// What was stored.
    #[serde(flatten)]
    pub outcome: ImportOutcome,
    /// Seconds spent reading, checking and writing it.
    pub seconds: f64,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    /// One line per file stored or recognised as identical, in the order given.
    pub files: Vec<ImportLine>,
    /// Files found in a directory that no profile recognises (not tables of a
    /// publisher format), left alone.
    pub skipped: Vec<String>,
}

impl ImportReport {
    /// True when a file of a watched flow got a new vintage.
    pub fn changed_watched_flow(&self, app: &App) -> bool {
        self.files.iter().any(|l| {
            l.outcome.vintage.is_some()
                && app
                    .rules()
                    .roster
                    .watch
                    .iter()
                    .any(|w| w.source == l.outcome.source)
        })
    }
}

/// Hooks an adapter may pass to an import.
pub struct ImportOptions<'a> {
    /// Use this profile for every file instead of detecting it.
    pub forced_profile: Option<&'a str>,
    /// Only tables reported by this country (national officers).
    pub only_reporting: Option<&'a str>,
    /// Reference tables (the country list) may be imported.
    pub allow_reference: bool,
    /// Runs after every write and before the commit (a fault-injection point for tests).
    pub before_commit: Box<dyn FnOnce() + Send + Sync + 'a>,
}

impl Default for ImportOptions<'_> {
    fn default() -> Self {
        ImportOptions {
            forced_profile: None,
            only_reporting: None,
            allow_reference: true,
            before_commit: Box::new(|| {}),
        }
    }
}

impl App {
    fn choose_profile(
        &self,
        file: &ImportFile,
        forced: Option<&str>,
    ) -> std::result::Result<Profile, Problems> {
        let name = file.name();
        if let Some(forced) = forced {
            return self.config().profiles.get(forced).cloned().map_err(|_| {
                let names: Vec<&str> = self
                    .config()
                    .profiles
                    .all()
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                located(
                    &name,
                    0,
                    "--profile",
                    format!("no profile named {forced:?}"),
                    hemi_core::suggest::did_you_mean(forced, &names, "`hemi profiles` lists them"),
                )
            });
        }
        let start = file.start().map_err(|e| match e {
            AppError::Invalid(p) => p,
            other => located(&name, 0, "file", other.to_string(), ""),
        })?;
        let header = match hemi_flows::read_header(&name, &start) {
            Ok(Some(h)) => h,
            Ok(None) => {
                return Err(located(
                    &name,
                    0,
                    "file",
                    "the file is empty",
                    "export the table again with its header and rows",
                ))
            }
            Err(d) => return Err(Problems::one(d)),
        };
        self.config()
            .profiles
            .detect(&file.base_name(), &header)
            .cloned()
            .map_err(|e| {
                let (message, hint) = e.message_and_hint();
                located(&name, 1, "header", message, hint)
            })
    }

    async fn prepare(
        &self,
        file: &ImportFile,
        options: &ImportOptions<'_>,
        progress: &Arc<dyn Progress>,
    ) -> Result<std::result::Result<Prepared, Problems>> {
        let started = std::time::Instant::now();
        let name = file.name();
        let profile = match self.choose_profile(file, options.forced_profile) {
            Ok(p) => p,
            Err(problems) => {
                let unrecognised = problems
                    .diagnostics
                    .first()
                    .is_some_and(|d| d.message.starts_with("no profile recognises"));
                if matches!(file, ImportFile::Found(_)) && unrecognised {
                    return Ok(Ok(Prepared::Skipped(name)));
                }
                return Ok(Err(problems));
            }
        };
        if profile.kind == ProfileKind::Countries && !options.allow_reference {
            return Ok(Err(located(
                &name,
                0,
                "file",
                format!("is a reference table ({})", profile.name),
                "reference tables are imported by an administrator with `hemi import`",
            )));
        }
        // An identical re-import is recognised from the hash alone, without parsing —
        // except for a caller scoped to one country, whose right to the file's content
        // is checked on the parsed rows first.
        let sha256 = sha256_of(file.open()?)?;
        let latest = self.store().latest_batch(&profile.name).await?;
        if let Some(latest) = latest.filter(|_| options.only_reporting.is_none()) {
            if latest.sha256 == sha256 {
                progress.advance(file.len());
                return Ok(Ok(Prepared::Identical(
                    ImportOutcome {
                        source: profile.name.clone(),
                        file_name: name,
                        rows_read: latest.rows_read,
                        new: 0,
                        changed: 0,
                        unchanged: latest.observations,
                        absent: 0,
                        vintage: None,
                        latest_vintage: latest.vintage,
                        identical: true,
                        combined: Vec::new(),
                        recodes: Vec::new(),
                        write_seconds: 0.0,
                    },
                    started.elapsed().as_secs_f64(),
                )));
            }
        }
        let item = match profile.kind {
            ProfileKind::Observations => {
                let reader = ProgressReader::new(file.open()?, progress.clone());
                let parse_name = name.clone();
                let parse_profile = profile.clone();
                // Parsing a 30 MB table takes seconds of CPU: off the async workers.
                let parsed = tokio::task::spawn_blocking(move || {
                    parse_table(&parse_profile, &parse_name, reader, CountryCodes::bundled())
                })
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("parsing failed: {e}")))?;
                match parsed {
                    Ok(table) => {
                        if let Some(own) = options.only_reporting {
                            let others: BTreeSet<&str> = table
                                .series
                                .iter()
                                .map(|s| s.reporting.as_str())
                                .filter(|r| *r != own)
                                .collect();
                            if !others.is_empty() {
                                let list = others.into_iter().collect::<Vec<_>>().join(", ");
                                return Ok(Err(located(
                                    &name,
                                    0,
                                    "reporting",
                                    format!("the table holds figures reported by {list}"),
                                    format!("national officers upload tables of their own country ({own}) only"),
                                )));
                            }
                        }
                        ImportItem::Observations { profile, table }
                    }
                    Err(d) => return Ok(Err(Problems::from_diagnostics(&d))),
                }
            }
            ProfileKind::Countries => {
                let bytes = file.len();
                if bytes > MAX_REFERENCE_BYTES {
                    return Ok(Err(located(
                        &name,
                        0,
                        "file",
                        format!("is {bytes} bytes, over the {MAX_REFERENCE_BYTES}-byte limit for reference tables"),
                        "check this is the country table",
                    )));
                }
                let mut content = Vec::new();
                file.open()?
                    .read_to_end(&mut content)
                    .map_err(|e| io_problem(Path::new(&name), e))?;
                progress.advance(bytes);
                match CountryCodes::from_csv(&content) {
                    Ok(codes) => ImportItem::Countries {
                        profile,
                        file_name: name,
                        sha256,
                        bytes,
                        countries: codes.all().into_iter().cloned().collect(),
                    },
                    Err(e) => {
                        let line = e.position().map(|p| p.line()).unwrap_or(0);
                        return Ok(Err(located(
                            &name,
                            line,
                            "row",
                            e.to_string(),
                            "the country table needs iso3, iso2, m49, name, region, subregion, intregion",
                        )));
                    }
                }
            }
        };
        Ok(Ok(Prepared::Store(item, started.elapsed().as_secs_f64())))
    }

    /// Check every file, then store them all in one transaction with one audit entry
    /// each: either every file is valid and stored, or nothing changes.
    pub async fn import(
        &self,
        files: &[ImportFile],
        options: ImportOptions<'_>,
        progress: Arc<dyn Progress>,
        actor: &Actor,
    ) -> Result<ImportReport> {
        if files.is_empty() {
            return Err(AppError::invalid(
                "paths",
                "no table to import",
                "give .csv files or directories that hold them",
            ));
        }
        progress.set_total(files.iter().map(ImportFile::len).sum());
        let mut prepared = Vec::with_capacity(files.len());
        let mut problems = Problems::default();
        for file in files {
            progress.message(&file.base_name());
            match self.prepare(file, &options, &progress).await? {
                Ok(p) => prepared.push(p),
                Err(p) => problems.extend(p),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        let mut order: Vec<std::result::Result<f64, (ImportOutcome, f64)>> = Vec::new();
        for p in prepared {
            match p {
                Prepared::Skipped(name) => skipped.push(name),
                Prepared::Store(item, seconds) => {
                    items.push(item);
                    order.push(Ok(seconds));
                }
                Prepared::Identical(outcome, seconds) => order.push(Err((outcome, seconds))),
            }
        }
        let imported_at = crate::time::rfc3339_seconds(actor.at);
        let mut tx = self.store().begin().await?;
        let outcomes = tx.import(items, &imported_at).await?;
        for o in outcomes.iter() {
            tx.audit(&actor.audit(
                "import",
                &o.source,
                format!(
                        "file={} vintage={} new={} changed={}",
                        Path::new(&o.file_name)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        o.vintage
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "none".into()),
                        o.new,
                        o.changed
                    ),
            ))
            .await?;
        }
        (options.before_commit)();
        tx.commit().await?;
        let mut outcomes = outcomes.into_iter();
        let files: Vec<ImportLine> = order
            .into_iter()
            .map(|slot| match slot {
                Ok(seconds) => {
                    let outcome = outcomes.next().expect("one outcome per stored file");
                    let seconds = seconds + outcome.write_seconds;
                    ImportLine { outcome, seconds }
                }
                Err((outcome, seconds)) => ImportLine { outcome, seconds },
            })
            .collect();
        if files.is_empty() {
            return Err(AppError::invalid(
                "paths",
                format!("no table of a known publisher format among {} file(s): {}", skipped.len(), skipped.join(", ")),
                "`hemi profiles` lists the formats this node reads; pass --profile NAME to force one",
            ));
        }
        self.forget_public_caches();
        Ok(ImportReport { files, skipped })
    }

    /// Check an uploaded table and compare it with what is stored, without storing it.
    /// The upload waits in the database (so a restart does not lose it) for
    /// [`App::commit_upload`].
    pub async fn preview_upload(
        &self,
        name: &str,
        content: Vec<u8>,
        actor: &Actor,
    ) -> Result<UploadPreview> {
        let file = ImportFile::Bytes {
            name: name.to_owned(),
            content: Arc::new(content),
        };
        let options = ImportOptions {
            only_reporting: actor.country(),
            allow_reference: false,
            ..ImportOptions::default()
        };
        let progress: Arc<dyn Progress> = Arc::new(crate::progress::NoProgress);
        let prepared = match self.prepare(&file, &options, &progress).await? {
            Ok(p) => p,
            Err(problems) => return Err(AppError::Invalid(problems)),
        };
        let ImportFile::Bytes { content, .. } = file else {
            unreachable!("built above")
        };
        let (profile, table) = match prepared {
            Prepared::Identical(outcome, _) => {
                return Ok(UploadPreview {
                    upload_id: None,
                    file_name: name.to_owned(),
                    profile: outcome.source.clone(),
                    publisher: self.publisher_of(&outcome.source),
                    rows_read: outcome.rows_read,
                    new: 0,
                    changed: Vec::new(),
                    changed_count: 0,
                    unchanged: outcome.unchanged,
                    absent: 0,
                    combined: 0,
                    recoded_rows: 0,
                    identical_to_vintage: Some(outcome.latest_vintage),
                    next_vintage: outcome.latest_vintage + 1,
                })
            }
            Prepared::Store(ImportItem::Observations { profile, table }, _) => (profile, table),
            Prepared::Store(ImportItem::Countries { .. }, _) | Prepared::Skipped(_) => {
                unreachable!("reference tables refused and uploads never skipped above")
            }
        };
        let latest = self.store().latest_batch(&profile.name).await?;
        if let Some(l) = latest.as_ref().filter(|l| l.sha256 == table.sha256) {
            return Ok(UploadPreview {
                upload_id: None,
                file_name: name.to_owned(),
                publisher: profile.source.publisher.clone(),
                profile: profile.name.clone(),
                rows_read: table.rows_read,
                new: 0,
                changed: Vec::new(),
                changed_count: 0,
                unchanged: l.observations,
                absent: 0,
                combined: table.combined.len() as u64,
                recoded_rows: table.recodes.iter().map(|r| r.rows).sum(),
                identical_to_vintage: Some(l.vintage),
                next_vintage: l.vintage + 1,
            });
        }
        let stored = self
            .store()
            .observations(&SeriesFilter {
                source: Some(profile.name.clone()),
                ..Default::default()
            })
            .await?;
        type Key = (String, String, String, String, String);
        let latest_values: HashMap<Key, f64> = stored
            .into_iter()
            .map(|o| {
                (
                    (o.reporting, o.measure, o.breakdown, o.dims, o.period),
                    o.value,
                )
            })
            .collect();
        let incoming = table.observations.iter().map(|(&(index, period), &value)| {
            let s = &table.series[index];
            (
                (
                    s.reporting.clone(),
                    s.measure.clone(),
                    s.breakdown.clone(),
                    s.dims.clone(),
                    period.to_string(),
                ),
                value,
            )
        });
        let diff = classify_vintage(incoming, &latest_values);
        let mut upload_id = None;
        if !diff.is_empty() {
            let id = crate::accounts::random_token();
            let user_id = match &actor.via {
                crate::Via::Web { user_id, .. } => *user_id,
                _ => return Err(AppError::Forbidden("uploads are made by web users".into())),
            };
            self.store()
                .insert_pending_upload(
                    &hemi_store::PendingUploadRow {
                        id: id.clone(),
                        user_id,
                        created_at: actor.at,
                        file_name: name.to_owned(),
                        profile: profile.name.clone(),
                        content: content.to_vec(),
                    },
                    MAX_PENDING_UPLOADS_PER_USER,
                    actor.at - PENDING_UPLOAD_TTL_SECONDS,
                )
                .await?;
            upload_id = Some(id);
        }
        Ok(UploadPreview {
            upload_id,
            file_name: name.to_owned(),
            publisher: profile.source.publisher.clone(),
            profile: profile.name.clone(),
            rows_read: table.rows_read,
            new: diff.new.len() as u64,
            changed_count: diff.changed.len() as u64,
            changed: diff
                .changed
                .iter()
                .take(20)
                .map(
                    |((reporting, measure, _, dims, period), old, new)| Revision {
                        series: format!("{reporting} {measure} [{dims}]"),
                        period: period.clone(),
                        stored: *old,
                        incoming: *new,
                    },
                )
                .collect(),
            unchanged: diff.unchanged as u64,
            absent: diff.absent as u64,
            combined: table.combined.len() as u64,
            recoded_rows: table.recodes.iter().map(|r| r.rows).sum(),
            identical_to_vintage: None,
            next_vintage: latest.map_or(1, |l| l.vintage + 1),
        })
    }

    /// Store a previewed upload (it must be the actor's and not expired). Returns what
    /// was stored; the early warning runs afterwards as a job when a watched table
    /// changed ([`App::spawn_warning_job`]).
    pub async fn commit_upload(&self, upload_id: &str, actor: &Actor) -> Result<ImportReport> {
        let user_id = match &actor.via {
            crate::Via::Web { user_id, .. } => *user_id,
            _ => return Err(AppError::Forbidden("uploads are made by web users".into())),
        };
        let pending = self
            .store()
            .take_pending_upload(upload_id, user_id, actor.at - PENDING_UPLOAD_TTL_SECONDS)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "upload",
                    upload_id.chars().take(12).collect::<String>(),
                    "it was stored already or expired after 30 minutes: upload the file again",
                )
            })?;
        let file = ImportFile::Bytes {
            name: pending.file_name.clone(),
            content: Arc::new(pending.content),
        };
        let options = ImportOptions {
            forced_profile: Some(&pending.profile),
            only_reporting: actor.country(),
            allow_reference: false,
            ..ImportOptions::default()
        };
        self.import(
            &[file],
            options,
            Arc::new(crate::progress::NoProgress),
            actor,
        )
        .await
    }

    fn publisher_of(&self, source: &str) -> String {
        self.config()
            .profiles
            .get(source)
            .map(|p| p.source.publisher.clone())
            .unwrap_or_default()
    }

    /// Turn typed selectors into a filter, each checked against what is stored: an
    /// unknown country, a nationality never reported, a range out of order or a vintage
    /// that does not exist is bad input, with a close match suggested.
    pub async fn series_filter(&self, q: &SeriesQuery) -> Result<SeriesFilter> {
        let store = self.store();
        let check_stored = |column: SeriesColumn, field: &'static str, hint: &'static str| {
            let store = store.clone();
            move |typed: Option<String>| async move {
                let Some(typed) = typed.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
                else {
                    return Ok::<_, AppError>(None);
                };
                let known = store.distinct_values(column).await?;
                if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&typed)) {
                    return Ok(Some(k.clone()));
                }
                let refs: Vec<&str> = known.iter().map(String::as_str).collect();
                Err(AppError::invalid(
                    field,
                    format!("no stored series has {field} {typed:?}"),
                    hemi_core::suggest::did_you_mean(&typed, &refs, hint),
                ))
            }
        };
        let reporting = match &q.reporting {
            Some(r) => {
                crate::check::country(r, "reporting")?;
                check_stored(
                    SeriesColumn::Reporting,
                    "reporting",
                    "`hemi series list` shows the reporting countries",
                )(Some(r.clone()))
                .await?
            }
            None => None,
        };
        let nationality = check_stored(
            SeriesColumn::Nationality,
            "nationality",
            "nationalities are ISO3 codes, e.g. HTI",
        )(q.nationality.clone())
        .await?;
        let source = check_stored(
            SeriesColumn::Source,
            "source",
            "`hemi profiles` lists the sources",
        )(q.source.clone())
        .await?;
        let measure = check_stored(
            SeriesColumn::Measure,
            "measure",
            "`hemi series list` shows the measures",
        )(q.measure.clone())
        .await?;
        let breakdown = check_stored(
            SeriesColumn::Breakdown,
            "breakdown",
            "e.g. nationality or sex_age",
        )(q.breakdown.clone())
        .await?;
        let from = q
            .from
            .as_deref()
            .map(|t| crate::check::period(t, "from"))
            .transpose()?;
        let to =
            q.to.as_deref()
                .map(|t| crate::check::period(t, "to"))
                .transpose()?;
        crate::check::ordered(from.as_ref(), to.as_ref(), "from", "to")?;
        if let Some(v) = q.vintage {
            let max = store.max_vintage(source.as_deref()).await?;
            if v < 1 || v > max {
                return Err(AppError::invalid(
                    "vintage",
                    format!("vintage {v} does not exist"),
                    if max == 0 {
                        "nothing is imported yet".to_owned()
                    } else {
                        format!("vintages run from 1 to {max}")
                    },
                ));
            }
        }
        Ok(SeriesFilter {
            reporting,
            nationality,
            source,
            measure,
            breakdown,
            from: from.map(|p| p.to_string()),
            // A year as upper bound includes its months.
            to: to.map(|p| match p {
                hemi_core::Period::Year(y) => format!("{y:04}-12"),
                p => p.to_string(),
            }),
            vintage: q.vintage,
        })
    }
}

/// Series selectors as typed (CLI flags, form fields, API parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeriesQuery {
    /// Reporting country.
    pub reporting: Option<String>,
    /// Nationality or origin.
    pub nationality: Option<String>,
    /// Source (profile) name.
    pub source: Option<String>,
    /// Measure.
    pub measure: Option<String>,
    /// Breakdown.
    pub breakdown: Option<String>,
    /// First period.
    pub from: Option<String>,
    /// Last period.
    pub to: Option<String>,
    /// Vintage.
    pub vintage: Option<i64>,
}

/// How long a previewed upload waits for its commit.
pub const PENDING_UPLOAD_TTL_SECONDS: i64 = 30 * 60;
/// Previewed uploads kept per user; a newer one drops the oldest (of that user only).
pub const MAX_PENDING_UPLOADS_PER_USER: i64 = 3;

/// One revised value in an upload.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Revision {
    /// Series label.
    pub series: String,
    /// Period.
    pub period: String,
    /// Value stored now.
    pub stored: f64,
    /// Value in the upload.
    pub incoming: f64,
}

/// What storing an upload would change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UploadPreview {
    /// Id to commit it with; `None` when there is nothing to store.
    pub upload_id: Option<String>,
    /// File name.
    pub file_name: String,
    /// Profile that validated it.
    pub profile: String,
    /// Its publisher.
    pub publisher: String,
    /// Data rows.
    pub rows_read: u64,
    /// New observations.
    pub new: u64,
    /// The first revised observations.
    pub changed: Vec<Revision>,
    /// Revised observations in all.
    pub changed_count: u64,
    /// Unchanged observations.
    pub unchanged: u64,
    /// Stored observations not in the file (kept).
    pub absent: u64,
    /// Duplicate keys summed.
    pub combined: u64,
    /// Rows recoded.
    pub recoded_rows: u64,
    /// The file is byte-for-byte the one stored as this vintage.
    pub identical_to_vintage: Option<i64>,
    /// The vintage storing it would create.
    pub next_vintage: i64,
}

fn sha256_of(mut reader: impl Read) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
