//! Labour matching: ISCO-08 occupations, employers' job orders and workers, scores with
//! an explanation, fair-recruitment blocks, rankings both ways and the exact global
//! assignment.
//!
//! The ISCO-08 structure (10 major, 43 sub-major, 130 minor and 436 unit groups) is
//! compiled in from `data/isco08.csv` (titles as published by the ILO, "International
//! Standard Classification of Occupations 2008", structure and group definitions).
//! Fair recruitment follows the ILO *General principles and operational guidelines for
//! fair recruitment* (2019), principle 7 ("no recruitment fees or related costs should
//! be charged to, or otherwise borne by, workers"), and the H-2 rules that deny petitions
//! of employers who collected fees (8 CFR 214.2(h)(5)(xi)(A), (h)(6)(i)(B); unconfirmed
//! section numbers) or were debarred (20 CFR 655.182, 655.73).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use hemi_core::{Diagnostic, Diagnostics};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::assignment::auction::{Auction, Candidates};
use crate::date::Date;

const ISCO_CSV: &str = include_str!("../data/isco08.csv");

/// The ISCO-08 code list.
#[derive(Debug)]
pub struct Isco {
    titles: HashMap<String, String>,
}

impl Isco {
    /// The bundled ILO list (parsed once).
    pub fn bundled() -> &'static Isco {
        static ISCO: OnceLock<Isco> = OnceLock::new();
        ISCO.get_or_init(|| {
            let mut titles = HashMap::new();
            let mut reader = csv::Reader::from_reader(ISCO_CSV.as_bytes());
            for row in reader.records() {
                let row = row.expect("bundled isco08.csv is valid");
                titles.insert(row[0].to_owned(), row[2].to_owned());
            }
            Isco { titles }
        })
    }

    /// Whether `code` is a four-digit unit group.
    pub fn is_unit_group(&self, code: &str) -> bool {
        code.len() == 4 && self.titles.contains_key(code)
    }

    /// Title of a group at any level.
    pub fn title(&self, code: &str) -> Option<&str> {
        self.titles.get(code).map(String::as_str)
    }

    /// Number of groups with codes of `digits` digits.
    pub fn count(&self, digits: usize) -> usize {
        self.titles.keys().filter(|k| k.len() == digits).count()
    }
}

/// An employer and its fair-recruitment standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    /// Id.
    pub employer_id: String,
    /// Name.
    pub name: String,
    /// Found violations (wage theft, fees, debarment): any blocks every match.
    pub violations: Vec<String>,
}

/// A job order: an employer's request for workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobOrder {
    /// Id.
    pub job_order_id: String,
    /// Employer.
    pub employer_id: String,
    /// Program the visas come from (`us-h2a`), if any.
    pub program: Option<String>,
    /// ISCO-08 unit group.
    pub isco: String,
    /// Place of work (ISO 3166-2 such as `US-GA`, or ISO3).
    pub location: String,
    /// Places to fill.
    pub places: u32,
    /// First day of work.
    pub season_start: Date,
    /// Last day of work.
    pub season_end: Date,
    /// Wage in US cents an hour.
    pub wage_cents_per_hour: u32,
    /// Languages the job needs (any one suffices), ISO 639-1; empty: none required.
    pub languages: Vec<String>,
    /// Minimum years of experience.
    pub min_experience_years: u32,
}

/// A worker looking for a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    /// Id.
    pub worker_id: String,
    /// Nationality (ISO3).
    pub nationality: String,
    /// ISCO-08 unit groups of the worker's skills.
    pub skills: Vec<String>,
    /// Years of experience.
    pub experience_years: u32,
    /// Languages, ISO 639-1.
    pub languages: Vec<String>,
    /// Preferred places of work (same codes as job locations); empty: anywhere.
    pub preferred_locations: Vec<String>,
    /// Lowest acceptable wage, US cents an hour.
    pub min_wage_cents_per_hour: u32,
    /// A recruiter charged this worker fees: blocks matching until resolved.
    pub charged_recruitment_fees: bool,
}

/// The parts of a score, so a caseworker sees why a match ranks where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreParts {
    /// Occupation: same unit group 400, same minor group 250.
    pub occupation: i64,
    /// Experience above the minimum: 150 plus 10 a year beyond it, at most 250.
    pub experience: i64,
    /// Languages: 200 when the job needs none or the worker speaks one.
    pub language: i64,
    /// Place: 150 when preferred, 75 when the worker has no preference.
    pub location: i64,
    /// Wage above the worker's minimum: up to 100 (1 a 1% above).
    pub wage: i64,
}

impl ScoreParts {
    /// The total.
    pub fn total(&self) -> i64 {
        self.occupation + self.experience + self.language + self.location + self.wage
    }
}

/// Why a worker cannot take a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "block", rename_all = "snake_case")]
pub enum Block {
    /// No skill in the job's minor group.
    Occupation,
    /// Less experience than required.
    Experience {
        /// Years the worker has.
        has: u32,
        /// Years required.
        needs: u32,
    },
    /// Speaks none of the job's languages.
    Language,
    /// Wage below the worker's minimum.
    Wage,
    /// The worker was charged recruitment fees (fair recruitment).
    RecruitmentFees,
    /// The employer has violations (fair recruitment).
    EmployerViolations {
        /// What was found.
        violations: Vec<String>,
    },
    /// Nationality not eligible for the job's program.
    Nationality,
}

/// Score of a worker for a job, or why they cannot be matched.
pub fn score(
    worker: &Worker,
    job: &JobOrder,
    employer: Option<&Employer>,
    eligible_nationalities: Option<&[String]>,
) -> Result<ScoreParts, Block> {
    if worker.charged_recruitment_fees {
        return Err(Block::RecruitmentFees);
    }
    if let Some(e) = employer {
        if !e.violations.is_empty() {
            return Err(Block::EmployerViolations {
                violations: e.violations.clone(),
            });
        }
    }
    if let Some(list) = eligible_nationalities {
        if !list.is_empty() && !list.iter().any(|n| n == &worker.nationality) {
            return Err(Block::Nationality);
        }
    }
    let occupation = if worker.skills.iter().any(|s| s == &job.isco) {
        400
    } else if worker
        .skills
        .iter()
        .any(|s| s.get(..3) == job.isco.get(..3))
    {
        250
    } else {
        return Err(Block::Occupation);
    };
    if worker.experience_years < job.min_experience_years {
        return Err(Block::Experience {
            has: worker.experience_years,
            needs: job.min_experience_years,
        });
    }
    let language =
        if job.languages.is_empty() || job.languages.iter().any(|l| worker.languages.contains(l)) {
            200
        } else {
            return Err(Block::Language);
        };
    if job.wage_cents_per_hour < worker.min_wage_cents_per_hour {
        return Err(Block::Wage);
    }
    let extra_years = (worker.experience_years - job.min_experience_years) as i64;
    let experience = (150 + 10 * extra_years).min(250);
    let location = if worker.preferred_locations.is_empty() {
        75
    } else if worker.preferred_locations.contains(&job.location) {
        150
    } else {
        0
    };
    let wage = if worker.min_wage_cents_per_hour == 0 {
        50
    } else {
        let pct = (job.wage_cents_per_hour as i64 - worker.min_wage_cents_per_hour as i64) * 100
            / worker.min_wage_cents_per_hour as i64;
        pct.clamp(0, 100)
    };
    Ok(ScoreParts {
        occupation,
        experience,
        language,
        location,
        wage,
    })
}

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// Worker index (into the workers slice) or job index (into the job orders slice).
    pub index: u32,
    /// Total score.
    pub score: i64,
    /// How it was made up.
    pub parts: ScoreParts,
}

/// Options for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOptions {
    /// Jobs kept per worker in the worker's ranking and in the first solve.
    pub jobs_per_worker: usize,
    /// Workers kept per job in the job's ranking.
    pub workers_per_job: usize,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            jobs_per_worker: 12,
            workers_per_job: 20,
        }
    }
}

/// Rankings both ways and the global assignment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Matching {
    /// Best jobs for each worker, best first.
    pub jobs_for_worker: Vec<Vec<Ranked>>,
    /// Best workers for each job, best first.
    pub workers_for_job: Vec<Vec<Ranked>>,
    /// Job index of each worker, if placed.
    pub assignment: Vec<Option<u32>>,
    /// Places filled.
    pub filled_places: u64,
    /// Total places offered.
    pub total_places: u64,
    /// Sum of assigned scores.
    pub total_score: i64,
    /// Worker–job pairs that could match at all.
    pub candidate_pairs: u64,
    /// Pairs blocked by fair-recruitment flags.
    pub blocked_by_fair_recruitment: u64,
    /// Arcs in the final solved network.
    pub solved_arcs: u64,
    /// Rounds until no left-out pair could improve the assignment (1 = the first solve
    /// was already optimal for all candidate pairs).
    pub solve_rounds: u32,
    /// Whether the duals proved optimality over all candidate pairs.
    pub optimal_over_all_candidates: bool,
    /// Dual bound minus the value of the assignment, in score points (a placed worker
    /// counts a large constant more); below 1 proves the assignment optimal, since the
    /// objective is a whole number.
    #[serde(default)]
    pub optimality_gap: f64,
}

/// Score points below what a violated worker holds down to which its left-out pairs
/// are added in a price-out round.
const PRICE_OUT_MARGIN: i64 = 20;

/// Rank and assign. `eligible(program)` gives a program's eligible nationalities
/// (from the catalogue). `progress(done, total)` is called per block of workers.
pub fn match_workers(
    workers: &[Worker],
    jobs: &[JobOrder],
    employers: &[Employer],
    eligible: &(dyn Fn(&str) -> Option<Vec<String>> + Sync),
    options: MatchOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Matching {
    let employer_by_id: HashMap<&str, &Employer> = employers
        .iter()
        .map(|e| (e.employer_id.as_str(), e))
        .collect();
    let mut programs: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    for j in jobs {
        if let Some(p) = &j.program {
            programs.entry(p.clone()).or_insert_with(|| eligible(p));
        }
    }
    // Jobs indexed by minor group: a worker is a candidate only within its minor groups.
    let mut by_minor: HashMap<&str, Vec<u32>> = HashMap::new();
    for (k, j) in jobs.iter().enumerate() {
        by_minor
            .entry(&j.isco[..3.min(j.isco.len())])
            .or_default()
            .push(k as u32);
    }
    let k_jobs = options.jobs_per_worker.max(1);
    let k_workers = options.workers_per_job.max(1);
    let total = workers.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);

    struct Block_ {
        first_worker: usize,
        per_worker: Vec<Vec<Ranked>>,
        best_left_out: Vec<Option<i64>>,
        per_job: Vec<Vec<(i64, u32, ScoreParts)>>,
        candidates: u64,
        blocked_fair: u64,
        /// Every candidate pair of the block's workers, best first per worker, for the
        /// exact price-out after the first solve.
        all_jobs: Vec<u32>,
        all_scores: Vec<i32>,
        row_len: Vec<u32>,
    }
    // What `score` needs besides the pair, looked up once per job rather than per pair.
    let job_context: Vec<(Option<&Employer>, Option<&[String]>)> = jobs
        .iter()
        .map(|j| {
            let employer = employer_by_id.get(j.employer_id.as_str()).copied();
            let eligible = j
                .program
                .as_ref()
                .and_then(|p| programs.get(p))
                .and_then(|e| e.as_deref());
            (employer, eligible)
        })
        .collect();
    let blocks: Vec<Block_> = workers
        .par_chunks(2048)
        .enumerate()
        .map(|(b, chunk)| {
            let mut out = Block_ {
                first_worker: b * 2048,
                per_worker: Vec::with_capacity(chunk.len()),
                best_left_out: Vec::with_capacity(chunk.len()),
                per_job: vec![Vec::new(); jobs.len()],
                candidates: 0,
                blocked_fair: 0,
                all_jobs: Vec::new(),
                all_scores: Vec::new(),
                row_len: Vec::with_capacity(chunk.len()),
            };
            let mut minors: Vec<&str> = Vec::new();
            for (i, w) in chunk.iter().enumerate() {
                let wi = (b * 2048 + i) as u32;
                let mut scored: Vec<Ranked> = Vec::new();
                // Minor groups partition the jobs: distinct groups give distinct jobs.
                minors.clear();
                for skill in &w.skills {
                    let minor = &skill[..3.min(skill.len())];
                    if !minors.contains(&minor) {
                        minors.push(minor);
                    }
                }
                for minor in &minors {
                    let Some(list) = by_minor.get(minor) else {
                        continue;
                    };
                    if w.charged_recruitment_fees {
                        // `score` blocks every pair of this worker on fees first.
                        out.blocked_fair += list.len() as u64;
                        continue;
                    }
                    for &jk in list {
                        let (employer, eligible) = job_context[jk as usize];
                        if employer.is_some_and(|e| !e.violations.is_empty()) {
                            out.blocked_fair += 1;
                            continue;
                        }
                        match score(w, &jobs[jk as usize], employer, eligible) {
                            Ok(parts) => {
                                out.candidates += 1;
                                let s = parts.total();
                                scored.push(Ranked {
                                    index: jk,
                                    score: s,
                                    parts,
                                });
                                let heap = &mut out.per_job[jk as usize];
                                heap.push((s, wi, parts));
                                if heap.len() > 4 * k_workers {
                                    heap.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                                    heap.truncate(k_workers);
                                }
                            }
                            Err(Block::RecruitmentFees | Block::EmployerViolations { .. }) => {
                                out.blocked_fair += 1
                            }
                            Err(_) => {}
                        }
                    }
                }
                scored.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
                out.row_len.push(scored.len() as u32);
                for r in &scored {
                    out.all_jobs.push(r.index);
                    out.all_scores.push(r.score as i32);
                }
                let left_out = scored.get(k_jobs).map(|r| r.score);
                scored.truncate(k_jobs);
                out.per_worker.push(scored);
                out.best_left_out.push(left_out);
            }
            let now = done.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed)
                + chunk.len() as u64;
            progress(now, total);
            out
        })
        .collect();

    let mut jobs_for_worker: Vec<Vec<Ranked>> = vec![Vec::new(); workers.len()];
    let mut best_left_out: Vec<Option<i64>> = vec![None; workers.len()];
    let mut per_job: Vec<Vec<(i64, u32, ScoreParts)>> = vec![Vec::new(); jobs.len()];
    let mut candidate_pairs = 0;
    let mut blocked = 0;
    let total_pairs: usize = blocks.iter().map(|b| b.all_jobs.len()).sum();
    let mut all = Candidates {
        first: Vec::with_capacity(workers.len() + 1),
        job: Vec::with_capacity(total_pairs),
        score: Vec::with_capacity(total_pairs),
    };
    all.first.push(0);
    for mut block in blocks {
        candidate_pairs += block.candidates;
        blocked += block.blocked_fair;
        for &len in &block.row_len {
            all.first
                .push(all.first.last().copied().unwrap_or(0) + len as usize);
        }
        all.job.append(&mut block.all_jobs);
        all.score.append(&mut block.all_scores);
        for (i, (list, left)) in block
            .per_worker
            .into_iter()
            .zip(block.best_left_out)
            .enumerate()
        {
            jobs_for_worker[block.first_worker + i] = list;
            best_left_out[block.first_worker + i] = left;
        }
        for (jk, mut v) in block.per_job.into_iter().enumerate() {
            per_job[jk].append(&mut v);
        }
    }
    let workers_for_job: Vec<Vec<Ranked>> = per_job
        .into_iter()
        .map(|mut v| {
            v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            v.truncate(k_workers);
            v.into_iter()
                .map(|(s, w, parts)| Ranked {
                    index: w,
                    score: s,
                    parts,
                })
                .collect()
        })
        .collect();

    // Solve on each worker's best jobs and each job's best workers, then price out
    // every candidate pair against the dual prices: a worker with a left-out pair worth
    // more than ε above what it gets receives all its pairs and bids again, until the
    // dual bound over all candidates proves the assignment optimal (column generation
    // with an exact check, see `assignment::auction`).
    let places: Vec<u32> = jobs.iter().map(|j| j.places).collect();
    let max_score = all.score.iter().copied().max().unwrap_or(0) as i64;
    let mut solver = Auction::new(workers.len(), &places, max_score);
    let mut in_network = vec![false; all.job.len()];
    for w in 0..workers.len() {
        let row = all.first[w]..all.first[w + 1];
        // Rows are sorted best first, like the worker's ranking.
        let shortlist = row.start..row.end.min(row.start + k_jobs);
        for flag in &mut in_network[shortlist] {
            *flag = true;
        }
    }
    for (j, list) in workers_for_job.iter().enumerate() {
        for r in list {
            let w = r.index as usize;
            if let Some(k) = (all.first[w]..all.first[w + 1]).find(|&k| all.job[k] == j as u32) {
                in_network[k] = true;
            }
        }
    }
    for w in 0..workers.len() {
        let row = all.first[w]..all.first[w + 1];
        solver.add_arcs(
            w as u32,
            row.filter(|&k| in_network[k])
                .map(|k| (all.job[k], all.score[k] as i64)),
        );
    }
    solver.run();
    let mut rounds = 1;
    let certificate = loop {
        let certificate = solver.certify(&all);
        if certificate.violated.is_empty() || rounds >= 100 {
            break certificate;
        }
        rounds += 1;
        // Add the left-out pairs of a violated worker that are worth at least what it
        // holds, less a margin for the prices still to move: adding all ~300 pairs of
        // every violated worker made the network nearly complete (27 million arcs at
        // 100,000 workers) and every bid scan long.
        let margin = solver.value(PRICE_OUT_MARGIN) - solver.value(0);
        for &w in &certificate.violated {
            let w = w as usize;
            let floor = solver.profit(w as u32) - margin;
            let row = all.first[w]..all.first[w + 1];
            let mut added: Vec<(u32, i64)> = Vec::new();
            for k in row {
                let (job, score) = (all.job[k], all.score[k] as i64);
                if !in_network[k] && solver.value(score) - solver.job_price(job) >= floor {
                    in_network[k] = true;
                    added.push((job, score));
                }
            }
            solver.add_arcs(w as u32, added);
        }
        solver.reoptimise(&certificate.violated);
    };
    let assignment = solver.assignment();
    let mut filled_places = 0;
    let mut total_score = 0;
    for (w, job) in assignment.iter().enumerate() {
        if let Some(j) = job {
            filled_places += 1;
            total_score += (all.first[w]..all.first[w + 1])
                .find(|&k| all.job[k] == *j)
                .map(|k| all.score[k] as i64)
                .expect("assigned along a candidate pair");
        }
    }
    Matching {
        jobs_for_worker,
        workers_for_job,
        assignment,
        filled_places,
        total_places: jobs.iter().map(|j| j.places as u64).sum(),
        total_score,
        candidate_pairs,
        blocked_by_fair_recruitment: blocked,
        solved_arcs: solver.stats().arcs,
        solve_rounds: rounds,
        optimal_over_all_candidates: certificate.optimal(),
        optimality_gap: certificate.gap(),
    }
}

// ---- files ------------------------------------------------------------------------

fn diag(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message,
        hint: hint.to_owned(),
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parse job orders from CSV with the header
/// `job_order_id,employer_id,program,isco,location,places,season_start,season_end,wage_cents_per_hour,languages,min_experience_years`
/// (lists separated by `;`). An unknown ISCO code, a bad date or number is a
/// diagnostic naming the file, line and field.
pub fn parse_job_orders(reader: impl Read, file: &str) -> Result<Vec<JobOrder>, Diagnostics> {
    #[derive(Deserialize)]
    struct Row {
        job_order_id: String,
        employer_id: String,
        program: String,
        isco: String,
        location: String,
        places: String,
        season_start: String,
        season_end: String,
        wage_cents_per_hour: String,
        languages: String,
        min_experience_years: String,
    }
    let isco = Isco::bundled();
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::new();
    let mut csv = csv::Reader::from_reader(reader);
    for (k, row) in csv.deserialize::<Row>().enumerate() {
        let line = k as u64 + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                diagnostics.push(diag(
                    file,
                    line,
                    "row",
                    e.to_string(),
                    "check the header and the number of columns",
                ));
                continue;
            }
        };
        let before = diagnostics.total();
        if !isco.is_unit_group(&row.isco) {
            diagnostics.push(diag(
                file,
                line,
                "isco",
                format!("{:?} is not an ISCO-08 unit group", row.isco),
                "use a four-digit ILO code such as 9211 (crop farm labourers)",
            ));
        }
        let number = |field: &str, text: &str, diagnostics: &mut Diagnostics| -> u32 {
            text.trim().parse::<u32>().unwrap_or_else(|_| {
                diagnostics.push(diag(
                    file,
                    line,
                    field,
                    format!("{text:?} is not a whole number >= 0"),
                    "write digits only",
                ));
                0
            })
        };
        let places = number("places", &row.places, &mut diagnostics);
        if places == 0 && row.places.trim() == "0" {
            diagnostics.push(diag(
                file,
                line,
                "places",
                "0 places".into(),
                "a job order offers at least one place",
            ));
        }
        let wage = number(
            "wage_cents_per_hour",
            &row.wage_cents_per_hour,
            &mut diagnostics,
        );
        let experience = number(
            "min_experience_years",
            &row.min_experience_years,
            &mut diagnostics,
        );
        let date = |field: &str, text: &str, diagnostics: &mut Diagnostics| {
            Date::parse(text.trim())
                .map_err(|e| {
                    diagnostics.push(diag(
                        file,
                        line,
                        field,
                        e.to_string(),
                        "dates are YYYY-MM-DD",
                    ))
                })
                .ok()
        };
        let start = date("season_start", &row.season_start, &mut diagnostics);
        let end = date("season_end", &row.season_end, &mut diagnostics);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                diagnostics.push(diag(
                    file,
                    line,
                    "season_end",
                    format!("season ends {e} before it starts {s}"),
                    "swap the dates",
                ));
            }
        }
        if diagnostics.total() == before {
            out.push(JobOrder {
                job_order_id: row.job_order_id,
                employer_id: row.employer_id,
                program: Some(row.program).filter(|p| !p.trim().is_empty()),
                isco: row.isco,
                location: row.location,
                places,
                season_start: start.expect("checked"),
                season_end: end.expect("checked"),
                wage_cents_per_hour: wage,
                languages: split_list(&row.languages),
                min_experience_years: experience,
            });
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

/// Parse employers from CSV with the header `employer_id,name,violations` (violations
/// found by labour inspectors, separated by `;`; any one blocks every match).
pub fn parse_employers(reader: impl Read, file: &str) -> Result<Vec<Employer>, Diagnostics> {
    #[derive(Deserialize)]
    struct Row {
        employer_id: String,
        name: String,
        violations: String,
    }
    let mut diagnostics = Diagnostics::default();
    let mut out: Vec<Employer> = Vec::new();
    let mut csv = csv::Reader::from_reader(reader);
    for (k, row) in csv.deserialize::<Row>().enumerate() {
        let line = k as u64 + 2;
        match row {
            Ok(r) if r.employer_id.trim().is_empty() => diagnostics.push(diag(
                file,
                line,
                "employer_id",
                "is empty".into(),
                "every employer needs an id the job orders use",
            )),
            Ok(r) if out.iter().any(|e| e.employer_id == r.employer_id.trim()) => {
                diagnostics.push(diag(
                    file,
                    line,
                    "employer_id",
                    format!("employer {:?} is listed twice", r.employer_id.trim()),
                    "one row per employer",
                ))
            }
            Ok(r) => out.push(Employer {
                employer_id: r.employer_id.trim().to_owned(),
                name: r.name.trim().to_owned(),
                violations: split_list(&r.violations),
            }),
            Err(e) => diagnostics.push(diag(
                file,
                line,
                "row",
                e.to_string(),
                "the header is employer_id,name,violations",
            )),
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

/// Parse workers from CSV with the header
/// `worker_id,nationality,skills,experience_years,languages,preferred_locations,min_wage_cents_per_hour,charged_recruitment_fees`.
pub fn parse_workers(reader: impl Read, file: &str) -> Result<Vec<Worker>, Diagnostics> {
    #[derive(Deserialize)]
    struct Row {
        worker_id: String,
        nationality: String,
        skills: String,
        experience_years: String,
        languages: String,
        preferred_locations: String,
        min_wage_cents_per_hour: String,
        charged_recruitment_fees: String,
    }
    let isco = Isco::bundled();
    let codes = hemi_core::CountryCodes::bundled();
    let mut diagnostics = Diagnostics::default();
    let mut out = Vec::new();
    let mut csv = csv::Reader::from_reader(reader);
    for (k, row) in csv.deserialize::<Row>().enumerate() {
        let line = k as u64 + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                diagnostics.push(diag(
                    file,
                    line,
                    "row",
                    e.to_string(),
                    "check the header and the number of columns",
                ));
                continue;
            }
        };
        let before = diagnostics.total();
        let skills = split_list(&row.skills);
        for s in &skills {
            if !isco.is_unit_group(s) {
                diagnostics.push(diag(
                    file,
                    line,
                    "skills",
                    format!("{s:?} is not an ISCO-08 unit group"),
                    "use four-digit ILO codes separated by ;",
                ));
            }
        }
        if !codes.is_iso(&row.nationality) {
            diagnostics.push(diag(
                file,
                line,
                "nationality",
                format!("{:?} is not an ISO 3166 alpha-3 code", row.nationality),
                "use codes such as GTM",
            ));
        }
        let experience = row.experience_years.trim().parse::<u32>();
        if experience.is_err() {
            diagnostics.push(diag(
                file,
                line,
                "experience_years",
                format!("{:?} is not a whole number >= 0", row.experience_years),
                "write digits only",
            ));
        }
        let wage = row.min_wage_cents_per_hour.trim().parse::<u32>();
        if wage.is_err() {
            diagnostics.push(diag(
                file,
                line,
                "min_wage_cents_per_hour",
                format!(
                    "{:?} is not a whole number >= 0",
                    row.min_wage_cents_per_hour
                ),
                "write digits only",
            ));
        }
        let fees = match row.charged_recruitment_fees.trim() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" | "" => Some(false),
            other => {
                diagnostics.push(diag(
                    file,
                    line,
                    "charged_recruitment_fees",
                    format!("{other:?} is not yes or no"),
                    "write true or false",
                ));
                None
            }
        };
        if diagnostics.total() == before {
            out.push(Worker {
                worker_id: row.worker_id,
                nationality: row.nationality,
                skills,
                experience_years: experience.expect("checked"),
                languages: split_list(&row.languages),
                preferred_locations: split_list(&row.preferred_locations),
                min_wage_cents_per_hour: wage.expect("checked"),
                charged_recruitment_fees: fees.expect("checked"),
            });
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}
