//! The registry's file mode: no database, files in and files out, so results can be
//! compared with other linkage tools (Splink, recordlinkage). Synthesise a registry,
//! de-duplicate a CSV into `record_id,cluster_id`, and measure pairwise precision,
//! recall and F1 on FEBRL and on synthetic registries.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use hemi_core::Diagnostic;
use hemi_registry::eval::{evaluate_clusters, evaluate_pairs, pairs_from_clusters, PairwiseScores};
use hemi_registry::linkage::csvio::{self, BadDates};
use hemi_registry::linkage::{ClusterAssignment, LinkRecord, LinkSession, NoProgress, Settings};

use crate::{AppError, Problems, Result};

/// The u-sampling seed of every file-mode run: a fixed input, so runs repeat exactly.
const LINKAGE_SEED: u64 = 42;

/// Which model a de-duplication uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Chosen from the header: FEBRL's columns (`rec_id`, `soc_sec_id`) pick `Febrl`.
    Auto,
    /// The Latin American registry model (two surnames, nicknames, households).
    Registry,
    /// The FEBRL model (English names, addresses, social security id).
    Febrl,
}

/// What `synthesise` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSummary {
    /// Records written (people plus their repeat registrations).
    pub records: usize,
    /// Distinct people.
    pub people: usize,
}

/// What `dedupe_file` found.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupeSummary {
    /// Records read.
    pub records: usize,
    /// Clusters (persons) written.
    pub clusters: usize,
    /// Pairs scored.
    pub pairs_compared: u64,
    /// Pairs left for a caseworker (grey zone or refused merges).
    pub review_items: u64,
    /// Dates of birth that were not real dates, treated as missing (FEBRL preset only).
    pub dates_treated_as_missing: usize,
    /// The model used.
    pub preset: Preset,
    /// Seconds spent linking (reading and writing excluded).
    pub seconds: f64,
}

/// A data set `linkage_eval` can score.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalDataset {
    /// FEBRL 1, 2 or 3 (de-duplication) or 4 (linking two files), bundled.
    Febrl(u8),
    /// A synthetic registry generated on the spot.
    Synth {
        /// People.
        people: usize,
        /// Share of people registered more than once.
        dup_rate: f64,
        /// Generator seed.
        seed: u64,
    },
    /// A registry file with its truth file (`record_id,cluster_id` or `person_id`).
    Files {
        /// Records.
        records: PathBuf,
        /// Truth.
        truth: PathBuf,
    },
}

/// One data set's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    /// Data set name, e.g. `febrl3`, `synth(20000, 0.1, seed 2)`.
    pub dataset: String,
    /// `dedupe` or `link`.
    pub task: &'static str,
    /// Records linked.
    pub records: usize,
    /// Pairwise scores against the truth.
    pub scores: PairwiseScores,
    /// Seconds spent linking.
    pub seconds: f64,
}

fn file_problem(path: &Path, message: String, hint: &str) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: path.display().to_string(),
        line: 0,
        field: "file".into(),
        message,
        hint: hint.into(),
    }))
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| {
            file_problem(
                path,
                format!("cannot be read: {e}"),
                "check the path and its permissions",
            )
        })
}

fn create(path: &Path) -> Result<BufWriter<std::fs::File>> {
    std::fs::File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 16, f))
        .map_err(|e| {
            file_problem(
                path,
                format!("cannot be written: {e}"),
                "check that the directory exists and is writable",
            )
        })
}

fn write_failed(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing {} failed: {e}", path.display()))
}

async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{what} failed: {e}")))?
}

fn linkage_error(e: hemi_registry::RegistryError) -> AppError {
    AppError::Internal(anyhow::anyhow!("linkage failed: {e}"))
}

/// Check the arguments of a synthetic registry.
pub fn check_synth(people: usize, dup_rate: f64) -> Result<()> {
    if people == 0 || people > 5_000_000 {
        return Err(AppError::invalid(
            "--people",
            format!("{people} is out of range"),
            "give between 1 and 5000000 people",
        ));
    }
    if !(0.0..=1.0).contains(&dup_rate) {
        return Err(AppError::invalid(
            "--dup-rate",
            format!("{dup_rate} is not a share"),
            "give a share between 0 and 1, e.g. 0.1",
        ));
    }
    Ok(())
}

/// Generate a synthetic registry into `out` (the registry CSV layout with
/// `household_id`), and the truth (`record_id,cluster_id`) into `truth` when given.
pub async fn synthesise(
    people: usize,
    dup_rate: f64,
    seed: u64,
    out: PathBuf,
    truth: Option<PathBuf>,
) -> Result<SynthSummary> {
    check_synth(people, dup_rate)?;
    blocking("synth", move || {
        // Open every output before the work, so a bad path is refused at once.
        let mut records_file = create(&out)?;
        let mut truth_file = truth.as_deref().map(create).transpose()?;
        let registry = hemi_registry::synth::synth(people, dup_rate, seed);
        csvio::write_records(&mut records_file, &registry.records)
            .map_err(|e| write_failed(&out, e))?;
        records_file.flush().map_err(|e| write_failed(&out, e))?;
        if let (Some(file), Some(path)) = (truth_file.as_mut(), truth.as_deref()) {
            csvio::write_clusters(&mut *file, &registry.truth)
                .map_err(|e| write_failed(path, e))?;
            file.flush().map_err(|e| write_failed(path, e))?;
        }
        Ok(SynthSummary {
            records: registry.records.len(),
            people,
        })
    })
    .await
}

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

/// FEBRL's columns in a header line.
fn looks_like_febrl(path: &Path) -> Result<bool> {
    use std::io::BufRead;
    let mut first = String::new();
    open(path)?
        .read_line(&mut first)
        .map_err(|e| file_problem(path, format!("cannot be read: {e}"), "save it as UTF-8 CSV"))?;
    let header: Vec<String> = first
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    Ok(header.iter().any(|c| c == "rec_id" || c == "soc_sec_id"))
}

fn read_records(path: &Path, bad_dates: BadDates) -> Result<csvio::ReadRecords> {
    let reader = open(path)?;
    let read = csvio::read_records(reader, &file_name(path), bad_dates)
        .map_err(|d| AppError::Invalid(Problems::from_diagnostics(&d)))?;
    if read.records.is_empty() {
        return Err(file_problem(
            path,
            "holds no records".into(),
            "give a CSV with a header and at least one record",
        ));
    }
    Ok(read)
}

/// De-duplicate the records of `input` and write every record's cluster to `out`
/// (`record_id,cluster_id`). Impossible dates and unknown nationality codes are refused
/// with their line, except under the FEBRL preset, whose benchmark files corrupt dates
/// on purpose (those are treated as missing and counted).
pub async fn dedupe_file(input: PathBuf, out: PathBuf, preset: Preset) -> Result<DedupeSummary> {
    blocking("dedupe", move || {
        let preset = match preset {
            Preset::Auto if looks_like_febrl(&input)? => Preset::Febrl,
            Preset::Auto => Preset::Registry,
            other => other,
        };
        let (settings, bad_dates) = match preset {
            Preset::Febrl => (Settings::febrl(LINKAGE_SEED), BadDates::TreatAsMissing),
            _ => (Settings::registry(LINKAGE_SEED), BadDates::Refuse),
        };
        let read = read_records(&input, bad_dates)?;
        let mut writer = create(&out)?;
        let records = read.records.len();
        let started = Instant::now();
        let (_, output) = LinkSession::dedupe_owned(read.records, &settings, &[], &NoProgress)
            .map_err(linkage_error)?;
        let seconds = started.elapsed().as_secs_f64();
        csvio::write_clusters(&mut writer, &output.clusters).map_err(|e| write_failed(&out, e))?;
        writer.flush().map_err(|e| write_failed(&out, e))?;
        Ok(DedupeSummary {
            records,
            clusters: output.stats.clusters as usize,
            pairs_compared: output.stats.pairs_compared,
            review_items: output.stats.review_items_found,
            dates_treated_as_missing: read.dates_treated_as_missing,
            preset,
            seconds,
        })
    })
    .await
}

/// The FEBRL fixtures, bundled so `linkage-eval` runs anywhere.
mod febrl {
    pub const FEBRL1: &str = include_str!("../../../hemi-registry/test_data/febrl/febrl1.csv");
    pub const FEBRL1_LINKS: &str =
        include_str!("../../../hemi-registry/test_data/febrl/febrl1_links.csv");
    pub const FEBRL2: &str = include_str!("../../../hemi-registry/test_data/febrl/febrl2.csv");
    pub const FEBRL2_LINKS: &str =
        include_str!("../../../hemi-registry/test_data/febrl/febrl2_links.csv");
    pub const FEBRL3: &str = include_str!("../../../hemi-registry/test_data/febrl/febrl3.csv");
    pub const FEBRL3_LINKS: &str =
        include_str!("../../../hemi-registry/test_data/febrl/febrl3_links.csv");
    pub const FEBRL4A: &str = include_str!("../../../hemi-registry/test_data/febrl/febrl4a.csv");
    pub const FEBRL4B: &str = include_str!("../../../hemi-registry/test_data/febrl/febrl4b.csv");
    pub const FEBRL4_LINKS: &str =
        include_str!("../../../hemi-registry/test_data/febrl/febrl4_links.csv");
}

fn bundled_records(text: &str, name: &str) -> Result<Vec<LinkRecord>> {
    csvio::read_records(text.as_bytes(), name, BadDates::TreatAsMissing)
        .map(|r| r.records)
        .map_err(|d| AppError::Internal(anyhow::anyhow!("bundled {name} is invalid: {d}")))
}

fn bundled_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
        .collect()
}

fn eval_one(dataset: EvalDataset) -> Result<EvalRow> {
    match dataset {
        EvalDataset::Febrl(n @ 1..=3) => {
            let (text, links) = match n {
                1 => (febrl::FEBRL1, febrl::FEBRL1_LINKS),
                2 => (febrl::FEBRL2, febrl::FEBRL2_LINKS),
                _ => (febrl::FEBRL3, febrl::FEBRL3_LINKS),
            };
            let name = format!("febrl{n}");
            let records = bundled_records(text, &name)?;
            let started = Instant::now();
            let (_, out) =
                LinkSession::dedupe(&records, &Settings::febrl(LINKAGE_SEED), &[], &NoProgress)
                    .map_err(linkage_error)?;
            let seconds = started.elapsed().as_secs_f64();
            let predicted = pairs_from_clusters(&out.clusters, None);
            Ok(EvalRow {
                dataset: name,
                task: "dedupe",
                records: records.len(),
                scores: evaluate_pairs(&predicted, &bundled_pairs(links)),
                seconds,
            })
        }
        EvalDataset::Febrl(4) => {
            let a = bundled_records(febrl::FEBRL4A, "febrl4a")?;
            let b = bundled_records(febrl::FEBRL4B, "febrl4b")?;
            let started = Instant::now();
            let (_, out) =
                LinkSession::link(&a, &b, &Settings::febrl(LINKAGE_SEED), &[], &NoProgress)
                    .map_err(linkage_error)?;
            let seconds = started.elapsed().as_secs_f64();
            let sides: rustc_hash::FxHashMap<String, u8> = a
                .iter()
                .map(|r| (r.record_id.clone(), 0))
                .chain(b.iter().map(|r| (r.record_id.clone(), 1)))
                .collect();
            let predicted = pairs_from_clusters(&out.clusters, Some(&sides));
            Ok(EvalRow {
                dataset: "febrl4".into(),
                task: "link",
                records: a.len() + b.len(),
                scores: evaluate_pairs(&predicted, &bundled_pairs(febrl::FEBRL4_LINKS)),
                seconds,
            })
        }
        EvalDataset::Febrl(n) => Err(AppError::invalid(
            "--dataset",
            format!("febrl{n} does not exist"),
            "choose febrl1, febrl2, febrl3, febrl4 or synth",
        )),
        EvalDataset::Synth {
            people,
            dup_rate,
            seed,
        } => {
            check_synth(people, dup_rate)?;
            let registry = hemi_registry::synth::synth(people, dup_rate, seed);
            let records = registry.records.len();
            let started = Instant::now();
            let (_, out) = LinkSession::dedupe_owned(
                registry.records,
                &Settings::registry(seed),
                &[],
                &NoProgress,
            )
            .map_err(linkage_error)?;
            let seconds = started.elapsed().as_secs_f64();
            Ok(EvalRow {
                dataset: format!("synth({people}, {dup_rate}, seed {seed})"),
                task: "dedupe",
                records,
                scores: evaluate_clusters(&out.clusters, &registry.truth),
                seconds,
            })
        }
        EvalDataset::Files { records, truth } => {
            let preset = if looks_like_febrl(&records)? {
                Preset::Febrl
            } else {
                Preset::Registry
            };
            let (settings, bad_dates) = match preset {
                Preset::Febrl => (Settings::febrl(LINKAGE_SEED), BadDates::TreatAsMissing),
                _ => (Settings::registry(LINKAGE_SEED), BadDates::Refuse),
            };
            let read = read_records(&records, bad_dates)?;
            let truth_clusters: Vec<ClusterAssignment> =
                csvio::read_clusters(open(&truth)?, &file_name(&truth))
                    .map_err(|d| AppError::Invalid(Problems::from_diagnostics(&d)))?;
            let count = read.records.len();
            let started = Instant::now();
            let (_, out) = LinkSession::dedupe_owned(read.records, &settings, &[], &NoProgress)
                .map_err(linkage_error)?;
            let seconds = started.elapsed().as_secs_f64();
            Ok(EvalRow {
                dataset: file_name(&records),
                task: "dedupe",
                records: count,
                scores: evaluate_clusters(&out.clusters, &truth_clusters),
                seconds,
            })
        }
    }
}

/// Score each data set in turn (one at a time: each run uses every core).
pub async fn linkage_eval(datasets: Vec<EvalDataset>) -> Result<Vec<EvalRow>> {
    blocking("linkage-eval", move || {
        datasets.into_iter().map(eval_one).collect()
    })
    .await
}
