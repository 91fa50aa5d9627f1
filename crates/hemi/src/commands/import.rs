//! `hemi import`: validate every file first, then store them all in one transaction.
//!
//! Either every file is valid and stored, or nothing changes: a problem in the last
//! file leaves the database exactly as it was, and so does a process killed mid-write.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use hemi_core::{CountryCodes, Diagnostic};
use hemi_flows::{parse_table, Profile, ProfileKind, ProfileSet};
use hemi_store::{ImportItem, ImportOutcome, Store};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::cli::{Format, ImportArgs};
use crate::input_error::InputError;
use crate::output::{print_table, write_stdout, Cell, Table};

/// Largest reference (countries) file read into memory; the real one is 36 KB.
const MAX_REFERENCE_BYTES: u64 = 10 * 1024 * 1024;

/// Environment variable naming a file that the import creates right before committing,
/// then waits: lets a test kill the process mid-transaction at a known point.
const FAULT_STALL_BEFORE_COMMIT: &str = "HEMI_FAULT_STALL_BEFORE_COMMIT";

/// A file checked and ready to store, with how long reading it took.
struct Prepared {
    item: Option<ImportItem>,
    identical: Option<ImportOutcome>,
    seconds: f64,
}

pub async fn run(
    store: &Store,
    profiles: &ProfileSet,
    rules: &crate::watch::Rules,
    args: &ImportArgs,
) -> anyhow::Result<()> {
    let files = expand_paths(&args.paths)?;
    let report = import_files(store, profiles, &files, args.profile.as_deref()).await?;
    print_report(&report, args.output.format)?;
    if args.no_warn {
        return Ok(());
    }
    warn_after_import(store, rules, &report).await
}

/// Every import that changes a watched flow triggers the early warning on the newest
/// month, so alerts go out as soon as the data arrives. Its summary goes to stderr,
/// keeping stdout the import report.
pub async fn warn_after_import(
    store: &Store,
    rules: &crate::watch::Rules,
    report: &[(ImportOutcome, f64)],
) -> anyhow::Result<()> {
    let watched = report.iter().any(|(o, _)| {
        o.vintage.is_some() && rules.roster.watch.iter().any(|w| w.source == o.source)
    });
    if watched {
        let raised = super::warn::run_warning(store, rules, None).await?;
        if !raised.rows.is_empty() {
            let mut text = Vec::new();
            raised.print(Format::Table, &mut text)?;
            eprint!("{}", String::from_utf8_lossy(&text));
        }
    }
    Ok(())
}

/// Import files and return one line of report per file.
pub async fn import_files(
    store: &Store,
    profiles: &ProfileSet,
    files: &[PathBuf],
    forced_profile: Option<&str>,
) -> anyhow::Result<Vec<(ImportOutcome, f64)>> {
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let progress = ProgressBar::new(total_bytes);
    progress.set_style(
        ProgressStyle::with_template("{msg:40!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .expect("valid template")
            .progress_chars("=> "),
    );

    let mut prepared = Vec::with_capacity(files.len());
    let mut problems = InputError {
        diagnostics: Vec::new(),
        more: 0,
        stopped_early: false,
    };
    for path in files {
        progress.set_message(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        match prepare(store, profiles, path, forced_profile, &progress).await? {
            Ok(p) => prepared.push(p),
            Err(mut d) => {
                problems.diagnostics.append(&mut d.diagnostics);
                problems.more += d.more;
                problems.stopped_early |= d.stopped_early;
            }
        }
    }
    progress.finish_and_clear();
    if !problems.diagnostics.is_empty() {
        return Err(problems.into());
    }

    let mut items = Vec::new();
    let mut order = Vec::new(); // for each file: Ok(index into items) or Err(identical outcome)
    for p in prepared {
        match (p.item, p.identical) {
            (Some(item), _) => {
                items.push(item);
                order.push((Ok(items.len() - 1), p.seconds));
            }
            (None, Some(outcome)) => order.push((Err(outcome), p.seconds)),
            (None, None) => unreachable!("prepare returns an item or an outcome"),
        }
    }
    let stall = std::env::var_os(FAULT_STALL_BEFORE_COMMIT);
    let outcomes = store
        .import(
            items,
            &humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            || {
                if let Some(path) = stall {
                    let _ = std::fs::write(&path, b"stalled before commit");
                    std::thread::sleep(Duration::from_secs(600));
                }
            },
        )
        .await
        .context("import failed; the database is unchanged")?;
    let mut outcomes = outcomes.into_iter();
    Ok(order
        .into_iter()
        .map(|(slot, seconds)| match slot {
            Ok(_) => {
                let outcome = outcomes.next().expect("one outcome per item");
                let total = seconds + outcome.write_seconds;
                (outcome, total)
            }
            Err(identical) => (identical, seconds),
        })
        .collect())
}

async fn prepare(
    store: &Store,
    profiles: &ProfileSet,
    path: &Path,
    forced_profile: Option<&str>,
    progress: &ProgressBar,
) -> anyhow::Result<Result<Prepared, InputError>> {
    let started = Instant::now();
    let name = path.display().to_string();
    let located = |line: u64, field: &str, message: String, hint: &str| {
        Err(InputError::one(Diagnostic {
            file: name.clone(),
            line,
            field: field.into(),
            message,
            hint: hint.into(),
        }))
    };
    let profile: &Profile = match forced_profile {
        Some(forced) => match profiles.get(forced) {
            Ok(p) => p,
            Err(e) => {
                return Ok(located(
                    0,
                    "--profile",
                    e.to_string(),
                    "run `hemi profiles`",
                ))
            }
        },
        None => {
            let header = match read_header(path)? {
                Some(h) => h,
                None => {
                    return Ok(located(
                        0,
                        "file",
                        "the file is empty".into(),
                        "export the table again with its header and rows",
                    ))
                }
            };
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match profiles.detect(&file_name, &header) {
                Ok(p) => p,
                Err(e) => {
                    let text = e.to_string();
                    let (message, hint) = text.split_once(" — ").unwrap_or((&text, ""));
                    return Ok(located(1, "header", message.to_owned(), hint));
                }
            }
        }
    };

    // An identical re-import is recognised from the hash alone, without parsing.
    let sha256 = sha256_file(path).with_context(|| format!("cannot read {name}"))?;
    if let Some(latest) = store.latest_batch(&profile.name).await? {
        if latest.sha256 == sha256 {
            progress.inc(path.metadata().map(|m| m.len()).unwrap_or(0));
            let outcome = ImportOutcome {
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
            };
            return Ok(Ok(Prepared {
                item: None,
                identical: Some(outcome),
                seconds: started.elapsed().as_secs_f64(),
            }));
        }
    }

    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let item = match profile.kind {
        ProfileKind::Observations => {
            let reader = progress.wrap_read(BufReader::with_capacity(1 << 16, file));
            match parse_table(profile, &name, reader, CountryCodes::bundled()) {
                Ok(table) => ImportItem::Observations {
                    profile: profile.clone(),
                    table,
                },
                Err(d) => {
                    let diagnostics: Vec<Diagnostic> = d.iter().cloned().collect();
                    let more = d.total() - diagnostics.len();
                    return Ok(Err(InputError {
                        diagnostics,
                        more,
                        stopped_early: d.is_full(),
                    }));
                }
            }
        }
        ProfileKind::Countries => {
            let bytes = file.metadata()?.len();
            if bytes > MAX_REFERENCE_BYTES {
                return Ok(located(0, "file", format!("is {bytes} bytes, over the {MAX_REFERENCE_BYTES}-byte limit for reference tables"), "check this is the country table"));
            }
            let mut content = Vec::new();
            BufReader::new(file).read_to_end(&mut content)?;
            progress.inc(bytes);
            match CountryCodes::from_csv(&content) {
                Ok(codes) => ImportItem::Countries {
                    profile: profile.clone(),
                    file_name: name,
                    sha256,
                    bytes,
                    countries: codes.all().into_iter().cloned().collect(),
                },
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Ok(located(line, "row", e.to_string(), "the country table needs iso3, iso2, m49, name, region, subregion, intregion"));
                }
            }
        }
    };
    Ok(Ok(Prepared {
        item: Some(item),
        identical: None,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// SHA-256 of a file, streamed.
fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The first CSV record of a file, or `None` when the file is empty.
fn read_header(path: &Path) -> anyhow::Result<Option<Vec<String>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file));
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).unwrap_or(false) {
        return Ok(None);
    }
    Ok(Some(
        record
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let raw = if i == 0 {
                    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                } else {
                    raw
                };
                String::from_utf8_lossy(raw).trim().to_owned()
            })
            .collect(),
    ))
}

/// Files to import: each file as given, each directory's .csv files (recursively) in name order.
pub fn expand_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            collect_csv(path, &mut found)?;
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(InputError::one(Diagnostic {
                file: path.display().to_string(),
                line: 0,
                field: "path".into(),
                message: "does not exist".into(),
                hint: "check the path; give files or directories of .csv files".into(),
            })
            .into());
        }
    }
    Ok(files)
}

fn collect_csv(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
    {
        let path = entry?.path();
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

fn print_report(report: &[(ImportOutcome, f64)], format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = report
            .iter()
            .map(|(o, seconds)| {
                let mut v = serde_json::to_value(o).expect("serialisable");
                v["seconds"] = serde_json::json!(seconds);
                v
            })
            .collect();
        return write_stdout(&format!("{}\n", serde_json::to_string_pretty(&rows)?));
    }
    let mut table = Table::new(&[
        "file",
        "profile",
        "rows",
        "new",
        "changed",
        "unchanged",
        "vintage",
        "seconds",
        "rows_per_s",
    ]);
    for (o, seconds) in report {
        let file = Path::new(&o.file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let vintage = match (o.vintage, o.identical) {
            (Some(v), _) => format!("{v} (new)"),
            (None, true) => format!("{} (identical file)", o.latest_vintage),
            (None, false) => format!("{} (no change)", o.latest_vintage),
        };
        table.push(vec![
            file.into(),
            o.source.clone().into(),
            o.rows_read.into(),
            o.new.into(),
            o.changed.into(),
            o.unchanged.into(),
            vintage.into(),
            Cell::Text(format!("{seconds:.3}")),
            Cell::Int((o.rows_read as f64 / seconds.max(1e-6)) as i64),
        ]);
    }
    print_table(&table, format)?;
    if format == Format::Table {
        let mut notes = String::new();
        for (o, _) in report {
            for r in o.recodes.iter().filter(|r| r.rows > 0) {
                notes += &format!(
                    "recode  {}: {} {} -> {} on {} rows: {}\n",
                    o.source, r.column, r.from, r.to, r.rows, r.reason
                );
            }
            for c in &o.combined {
                let lines: Vec<String> = c.lines.iter().map(u64::to_string).collect();
                notes += &format!(
                    "summed  {}: {} {} {} = {} (lines {})\n",
                    o.source,
                    c.series.reporting,
                    c.series.dims,
                    c.period,
                    hemi_flows::format_value(c.value, "count"),
                    lines.join(", ")
                );
            }
        }
        write_stdout(&notes)?;
    }
    Ok(())
}
