//! Legal pathways (issue 14): the program catalogue with remaining places, synthetic
//! applicants, screening against every program with reasons, labour matching, and the
//! Safe Mobility Office case workflow ([`cases`]: apply, screen a case, refer, record
//! an outcome, queues) over the caps ledger.
//!
//! The catalogue (`pathways/` in the repository, or a directory in the same layout
//! named with `--pathways-dir`) is compiled once per process, on first use: commands
//! that never touch pathways do not pay for compiling its rules.

pub mod cases;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hemi_core::Diagnostic;
use hemi_pathways::applicants::{self, ApplicantRow};
use hemi_pathways::eligibility::Eligibility;
use hemi_pathways::labour::{self, MatchOptions, ScoreParts};
use hemi_pathways::synth::{self, FlowRow};
use hemi_pathways::{parse_catalogue, Catalogue, Date, PathwaysError, Screener, Verdict};
use include_dir::{include_dir, Dir};

use crate::{App, AppError, Problems, Result};

static BUNDLED_CATALOGUE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../pathways");
const DARIEN_BY_NATIONALITY: &str =
    include_str!("../../../../data/flows/panama_darien_transits_by_nationality.csv");
const DARIEN_BY_SEX_AGE: &str =
    include_str!("../../../../data/flows/panama_darien_transits_by_sex_age.csv");

/// The Safe Mobility Offices synthetic caseloads are spread over (one per country the
/// offices opened in: Colombia, Costa Rica, Ecuador, Guatemala).
pub const SYNTH_OFFICES: [&str; 4] = ["SMO-COL-BOG", "SMO-CRI-SJO", "SMO-ECU-UIO", "SMO-GTM-GUA"];

/// The compiled catalogue: programs, caps and rules ready to screen people.
pub struct Pathways {
    screener: Screener,
}

impl std::fmt::Debug for Pathways {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pathways")
            .field("version", &self.catalogue().version)
            .field("programs", &self.catalogue().programs.len())
            .finish()
    }
}

/// Where the catalogue comes from, loaded on first use and shared by every clone.
#[derive(Clone, Debug, Default)]
pub struct PathwaysSource {
    dir: Option<PathBuf>,
    loaded: Arc<OnceLock<std::result::Result<Arc<Pathways>, Problems>>>,
}

impl PathwaysSource {
    /// The bundled catalogue, or the one in `dir` (`catalogue.toml` and `programs/`).
    pub fn new(dir: Option<PathBuf>) -> PathwaysSource {
        PathwaysSource {
            dir,
            loaded: Arc::default(),
        }
    }

    /// The compiled catalogue; a catalogue that does not parse is the caller's fault,
    /// reported with file, line and the position in the rule.
    pub fn get(&self) -> Result<Arc<Pathways>> {
        self.loaded
            .get_or_init(|| {
                let files = match &self.dir {
                    Some(d) => catalogue_files_in(d),
                    None => Ok(bundled_catalogue_files()),
                };
                files
                    .and_then(|f| Pathways::load(&f))
                    .map(Arc::new)
                    .map_err(|e| match e {
                        AppError::Invalid(p) | AppError::Refused(p) => p,
                        other => Problems::field("pathways", other.to_string(), ""),
                    })
            })
            .clone()
            .map_err(AppError::Invalid)
    }
}

fn bundled_catalogue_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    if let Some(head) = BUNDLED_CATALOGUE.get_file("catalogue.toml") {
        files.push((
            "pathways/catalogue.toml".to_owned(),
            head.contents_utf8().unwrap_or_default().to_owned(),
        ));
    }
    if let Some(programs) = BUNDLED_CATALOGUE.get_dir("programs") {
        let mut more: Vec<(String, String)> = programs
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
            .map(|f| {
                (
                    format!("pathways/{}", f.path().display()),
                    f.contents_utf8().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

fn io_problem(path: &Path, e: std::io::Error) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: path.display().to_string(),
        line: 0,
        field: "file".into(),
        message: format!("cannot be read: {e}"),
        hint: "a catalogue directory holds catalogue.toml and programs/*.toml".into(),
    }))
}

fn catalogue_files_in(dir: &Path) -> Result<Vec<(String, String)>> {
    let head = dir.join("catalogue.toml");
    let mut files = vec![(
        head.display().to_string(),
        std::fs::read_to_string(&head).map_err(|e| io_problem(&head, e))?,
    )];
    let programs = dir.join("programs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&programs)
        .map_err(|e| io_problem(&programs, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| io_problem(&p, e))?;
        files.push((p.display().to_string(), text));
    }
    Ok(files)
}

/// A domain refusal as the caller's problem on `field`.
pub(crate) fn domain_error(e: PathwaysError) -> AppError {
    let field = match &e {
        PathwaysError::UnknownProgram(_) => "program",
        PathwaysError::OverCap { .. } => "program",
        PathwaysError::SecondActiveReferral { .. } => "program",
        PathwaysError::BadOutcome { .. } => "outcome",
        PathwaysError::DateOrder { .. } => "on",
        PathwaysError::UnknownIsco(_) => "isco",
        PathwaysError::Invalid { field, .. } => field.as_str(),
        PathwaysError::Ledger { .. } | PathwaysError::RuleCompile { .. } => "pathways",
    }
    .to_owned();
    let message = match &e {
        PathwaysError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    };
    match e {
        PathwaysError::Invalid { .. }
        | PathwaysError::UnknownIsco(_)
        | PathwaysError::UnknownProgram(_)
        | PathwaysError::DateOrder { .. } => AppError::invalid(&field, message, ""),
        PathwaysError::Ledger { .. } | PathwaysError::RuleCompile { .. } => {
            AppError::Internal(anyhow::anyhow!("{message}"))
        }
        _ => AppError::refused(&field, message, ""),
    }
}

/// Verdict counts of one program over a caseload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgramCounts {
    /// Program key.
    pub program: String,
    /// Name.
    pub name: String,
    /// Open on the screening date.
    pub open: bool,
    /// People eligible.
    pub eligible: u64,
    /// People not eligible.
    pub not_eligible: u64,
    /// People for whom a fact is missing.
    pub needs_information: u64,
}

/// A caseload screened against every program.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScreenReport {
    /// People screened.
    pub people: u64,
    /// Screening date.
    pub as_of: String,
    /// Per program, in catalogue order.
    pub programs: Vec<ProgramCounts>,
}

/// A synthetic caseload.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SynthReport {
    /// The applicants file (CSV).
    #[serde(skip)]
    pub csv: String,
    /// People written.
    pub people: usize,
    /// Households written.
    pub households: usize,
    /// Nationality shares the draw followed.
    pub nationality_shares: BTreeMap<String, f64>,
    /// Periods of the flow tables the shares come from.
    pub periods: (String, String),
}

/// One worker placed in one job order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Placement {
    /// Worker.
    pub worker_id: String,
    /// Job order.
    pub job_order_id: String,
    /// Employer.
    pub employer_id: String,
    /// ISCO-08 code of the job.
    pub isco: String,
    /// Score.
    pub score: i64,
    /// How the score was made up.
    pub parts: ScoreParts,
}

/// The result of matching workers to job orders.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchReport {
    /// Workers read.
    pub workers: usize,
    /// Job orders read.
    pub job_orders: usize,
    /// Places offered.
    pub total_places: u64,
    /// Places filled.
    pub filled_places: u64,
    /// Sum of the scores of the placements.
    pub total_score: i64,
    /// Pairs that could match.
    pub candidate_pairs: u64,
    /// Pairs blocked by fair-recruitment flags.
    pub blocked_by_fair_recruitment: u64,
    /// Whether the solver proved the assignment optimal over every candidate pair.
    pub optimal: bool,
    /// The placements, by worker id.
    pub placements: Vec<Placement>,
}

impl Pathways {
    /// Parse and compile a catalogue from (file name, text) pairs.
    pub fn load(files: &[(String, String)]) -> Result<Pathways> {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let catalogue = parse_catalogue(&refs)
            .map_err(|d| AppError::Invalid(Problems::from_diagnostics(&d)))?;
        let screener = Screener::new(&catalogue).map_err(domain_error)?;
        Ok(Pathways { screener })
    }

    /// The catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        self.screener.catalogue()
    }

    /// The compiled rules.
    pub fn screener(&self) -> &Screener {
        &self.screener
    }

    /// A program by key, or not-found with the closest key.
    pub fn program(&self, key: &str) -> Result<&hemi_pathways::Program> {
        self.catalogue().program(key).ok_or_else(|| {
            let keys: Vec<&str> = self
                .catalogue()
                .programs
                .iter()
                .map(|p| p.key.as_str())
                .collect();
            AppError::not_found(
                "program",
                key,
                hemi_core::suggest::did_you_mean(
                    key,
                    &keys,
                    "`hemi pathways catalogue` lists them",
                ),
            )
        })
    }

    /// Draw `people` synthetic applicants in households, with `seed`, following the
    /// nationality and sex–age mix of Panama's Darién transits in 2023.
    pub fn synth(&self, people: usize, seed: u64, as_of: Date) -> Result<SynthReport> {
        if people == 0 || people > 5_000_000 {
            return Err(AppError::invalid(
                "applicants",
                format!("{people} applicants"),
                "ask for 1 to 5,000,000",
            ));
        }
        let (from, until) = ("2023-01", "2023-12");
        let mix = synth::mix_from_rows(
            &flow_rows(DARIEN_BY_NATIONALITY),
            &flow_rows(DARIEN_BY_SEX_AGE),
            from,
            until,
            12,
        )
        .map_err(domain_error)?;
        // Households average about 2.2 people; draw enough, then cut the last one.
        let drawn = synth::synth(people / 2 + 8, seed, &mix, as_of, &SYNTH_OFFICES)
            .map_err(domain_error)?;
        let mut kept = Vec::new();
        let mut count = 0;
        for mut h in drawn {
            if count >= people {
                break;
            }
            let room = people - count;
            h.application.members.truncate(room);
            h.facts.truncate(room);
            count += h.facts.len();
            kept.push(h);
        }
        if count < people {
            // Very small households drawn: top up with a second seed.
            let more = synth::synth(people, seed.wrapping_add(1), &mix, as_of, &SYNTH_OFFICES)
                .map_err(domain_error)?;
            for mut h in more {
                if count >= people {
                    break;
                }
                h.application.application_id.push_str("-b");
                for m in &mut h.application.members {
                    m.person_id.push_str("-b");
                }
                let room = people - count;
                h.application.members.truncate(room);
                h.facts.truncate(room);
                count += h.facts.len();
                kept.push(h);
            }
        }
        Ok(SynthReport {
            csv: applicants::write_applicants(&kept, self.catalogue()),
            people: count,
            households: kept.len(),
            nationality_shares: mix.nationality,
            periods: mix.periods,
        })
    }

    /// Read an applicants file; every problem is reported with its line and column.
    pub fn read_applicants(&self, file: &str, bytes: &[u8]) -> Result<Vec<ApplicantRow>> {
        applicants::parse_applicants(bytes, file, self.catalogue())
            .map_err(|d| AppError::Invalid(Problems::from_diagnostics(&d)))
    }

    /// Screen every person against every program and count verdicts.
    pub fn screen_counts(&self, rows: &[ApplicantRow], as_of: Date) -> ScreenReport {
        let people: Vec<hemi_pathways::Facts> = rows.iter().map(|r| r.facts.clone()).collect();
        let screenings = self.screener.screen_many(&people, as_of, &|_, _| {});
        let summary = self.screener.summarise(&screenings);
        let programs = self
            .catalogue()
            .programs
            .iter()
            .map(|p| {
                let c = summary.by_program.get(&p.key).copied().unwrap_or_default();
                ProgramCounts {
                    program: p.key.clone(),
                    name: p.name.clone(),
                    open: p.is_open_on(as_of),
                    eligible: c[0],
                    not_eligible: c[1],
                    needs_information: c[2],
                }
            })
            .collect();
        ScreenReport {
            people: summary.people,
            as_of: as_of.to_string(),
            programs,
        }
    }

    /// Every program's decision for one person of the file, with reasons.
    pub fn explain(
        &self,
        rows: &[ApplicantRow],
        person_id: &str,
        as_of: Date,
    ) -> Result<Vec<Eligibility>> {
        let row = rows
            .iter()
            .find(|r| r.member.person_id == person_id)
            .ok_or_else(|| {
                let ids: Vec<&str> = rows.iter().map(|r| r.member.person_id.as_str()).collect();
                AppError::not_found(
                    "person",
                    person_id,
                    hemi_core::suggest::did_you_mean(
                        person_id,
                        &ids,
                        "the person_id column of the file names them",
                    ),
                )
            })?;
        Ok(self.screener.screen_explained(&row.facts, as_of))
    }

    /// Rank workers and job orders both ways and assign the most places with the best
    /// total score. Job orders naming a program not in the catalogue are refused with
    /// their line.
    pub fn match_files(
        &self,
        workers: (&str, &[u8]),
        jobs: (&str, &[u8]),
        employers: Option<(&str, &[u8])>,
    ) -> Result<MatchReport> {
        let mut problems = Problems::default();
        let worker_list = labour::parse_workers(workers.1, workers.0)
            .map_err(|d| problems.extend(Problems::from_diagnostics(&d)))
            .ok();
        let job_list = labour::parse_job_orders(jobs.1, jobs.0)
            .map_err(|d| problems.extend(Problems::from_diagnostics(&d)))
            .ok();
        let employer_list = match employers {
            Some((name, bytes)) => labour::parse_employers(bytes, name)
                .map_err(|d| problems.extend(Problems::from_diagnostics(&d)))
                .ok(),
            None => Some(Vec::new()),
        };
        if let Some(list) = &job_list {
            let keys: Vec<&str> = self
                .catalogue()
                .programs
                .iter()
                .map(|p| p.key.as_str())
                .collect();
            for (k, j) in list.iter().enumerate() {
                if let Some(p) = &j.program {
                    if self.catalogue().program(p).is_none() {
                        problems.diagnostics.push(Diagnostic {
                            file: jobs.0.to_owned(),
                            line: k as u64 + 2,
                            field: "program".into(),
                            message: format!("unknown program {p:?}"),
                            hint: hemi_core::suggest::did_you_mean(
                                p,
                                &keys,
                                "`hemi pathways catalogue` lists the programs; leave it empty for none",
                            ),
                        });
                    }
                }
            }
        }
        let (Some(worker_list), Some(job_list), Some(employer_list)) =
            (worker_list, job_list, employer_list)
        else {
            return Err(AppError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let catalogue = self.catalogue();
        let eligible = |program: &str| {
            catalogue
                .program(program)
                .map(|p| p.eligible_nationalities.clone())
        };
        let matching = labour::match_workers(
            &worker_list,
            &job_list,
            &employer_list,
            &eligible,
            MatchOptions::default(),
            &|_, _| {},
        );
        let mut placements: Vec<Placement> = matching
            .assignment
            .iter()
            .enumerate()
            .filter_map(|(w, j)| {
                let j = (*j)? as usize;
                let worker = &worker_list[w];
                let job = &job_list[j];
                let employer = employer_list
                    .iter()
                    .find(|e| e.employer_id == job.employer_id);
                let nationalities = job.program.as_deref().and_then(eligible);
                let parts = labour::score(worker, job, employer, nationalities.as_deref()).ok()?;
                Some(Placement {
                    worker_id: worker.worker_id.clone(),
                    job_order_id: job.job_order_id.clone(),
                    employer_id: job.employer_id.clone(),
                    isco: job.isco.clone(),
                    score: parts.total(),
                    parts,
                })
            })
            .collect();
        placements.sort_by(|a, b| a.worker_id.cmp(&b.worker_id));
        Ok(MatchReport {
            workers: worker_list.len(),
            job_orders: job_list.len(),
            total_places: matching.total_places,
            filled_places: matching.filled_places,
            total_score: matching.total_score,
            candidate_pairs: matching.candidate_pairs,
            blocked_by_fair_recruitment: matching.blocked_by_fair_recruitment,
            optimal: matching.optimal_over_all_candidates,
            placements,
        })
    }
}

fn flow_rows(text: &str) -> Vec<FlowRow> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut cells = line.split(',');
            let period = cells.next()?.trim().to_owned();
            let category = cells.next()?.trim().to_owned();
            let count = cells.next()?.trim().parse().ok()?;
            Some(FlowRow {
                period,
                category,
                age: None,
                count,
            })
        })
        .collect()
}

/// The verdict as the pages and tables print it.
pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Eligible => "eligible",
        Verdict::NotEligible => "not eligible",
        Verdict::NeedsInformation => "needs information",
    }
}

impl App {
    /// The compiled catalogue this node runs with.
    pub fn pathways(&self) -> Result<Arc<Pathways>> {
        self.config().pathways.get()
    }

    /// Screen an applicants file on the blocking pool (compiling the catalogue on first
    /// use, parsing and screening are CPU work).
    pub async fn pathways_screen_file(
        &self,
        file: String,
        bytes: Vec<u8>,
        as_of: Date,
        explain: Option<String>,
    ) -> Result<(ScreenReport, Option<Vec<Eligibility>>)> {
        let source = self.config().pathways.clone();
        blocking(move || {
            let pathways = source.get()?;
            let rows = pathways.read_applicants(&file, &bytes)?;
            let explained = match &explain {
                Some(id) => Some(pathways.explain(&rows, id, as_of)?),
                None => None,
            };
            Ok((pathways.screen_counts(&rows, as_of), explained))
        })
        .await
    }

    /// Draw a synthetic caseload on the blocking pool.
    pub async fn pathways_synth(
        &self,
        people: usize,
        seed: u64,
        as_of: Date,
    ) -> Result<SynthReport> {
        let source = self.config().pathways.clone();
        blocking(move || source.get()?.synth(people, seed, as_of)).await
    }

    /// Match workers to job orders on the blocking pool.
    pub async fn pathways_match_files(
        &self,
        workers: (String, Vec<u8>),
        jobs: (String, Vec<u8>),
        employers: Option<(String, Vec<u8>)>,
    ) -> Result<MatchReport> {
        let source = self.config().pathways.clone();
        blocking(move || {
            source.get()?.match_files(
                (&workers.0, &workers.1),
                (&jobs.0, &jobs.1),
                employers.as_ref().map(|(a, b)| (a.as_str(), b.as_slice())),
            )
        })
        .await
    }
}

/// Run CPU work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("pathways work stopped: {e}")))?
}

/// Today (UTC) as a pathways date.
pub fn today() -> Date {
    Date::parse(&crate::time::today().to_string()).expect("today is a date")
}

/// A date typed on `field`, or today when none was given.
pub fn date_or_today(field: &str, text: Option<&str>) -> Result<Date> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today()),
        Some(t) => {
            Date::parse(t).map_err(|e| AppError::invalid(field, e.0, "dates are YYYY-MM-DD"))
        }
    }
}
