//! How good the early warning is, measured honestly: the protocol of
//! `hemi_warning::protocol` on every watched series in the store. For each split (tune
//! 2019-01..2022-12 and test 2023-01..2024-04, and the reverse) the rule candidate is
//! chosen on the tuning period only and scored on the test period; the figures come out
//! side by side, in-sample and out-of-sample, beside the same scoring of reference
//! detectors that are not tuned (Farrington, EARS C2, GLR negative binomial alone, and
//! the naive 1.5 times last month's rule). One computation for `hemi warn evaluate` and
//! whatever page shows it.

use std::sync::Arc;

use hemi_core::Period;
use hemi_warning::evaluate::{parse_complete, parse_surges, Evaluation, Labels, LabelsError};
use hemi_warning::protocol::{
    detector_alarm_series, naive_alarm_series, parse_candidates, run_split, score_both, Candidate,
    Split, SplitReport, Targets, FORWARD, REVERSE, TARGETS,
};
use hemi_warning::replay::assess;
use hemi_warning::rules::RulesError;

use crate::error::Problems;
use crate::progress::Progress;
use crate::series::watched_series;
use crate::series::WatchFilter;
use crate::{App, AppError, Result};
use hemi_core::Diagnostic;

/// The labels to score against, as files (name for messages, text).
#[derive(Debug, Clone)]
pub struct LabelFiles {
    /// `surges.csv`: the labelled surges with their sources.
    pub surges: (String, String),
    /// `complete.csv`: the series whose surges are all labelled (false alerts are judged
    /// only there).
    pub complete: (String, String),
}

/// Rule candidates to choose among: a candidates file of overrides of the rules in use.
#[derive(Debug, Clone)]
pub struct CandidateFile {
    /// File name for messages.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A reference that is not tuned, scored on both periods of a split.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReferenceScores {
    /// Detector name (`farrington alone`, `naive 1.5x`, ...).
    pub name: String,
    /// Split name.
    pub split: &'static str,
    /// Scores on the tuning period.
    pub tuning_period: Evaluation,
    /// Scores on the test period.
    pub test_period: Evaluation,
}

/// Everything `hemi warn evaluate` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProtocolReport {
    /// Watched series scored.
    pub series: usize,
    /// Newest month assessed.
    pub newest: Period,
    /// The targets of issue 12, out of sample.
    pub targets: Targets,
    /// One report per split: every candidate's tuning scores, the choice, and the
    /// chosen candidate in-sample and out-of-sample.
    pub splits: Vec<SplitReport>,
    /// Untuned references under the same scoring.
    pub references: Vec<ReferenceScores>,
}

/// The reference detectors scored beside the rules.
const REFERENCE_DETECTORS: [&str; 3] = ["farrington", "ears_c2", "glrnb"];
/// Naive rule: alarm when a month exceeds this multiple of the month before.
const NAIVE_FACTOR: f64 = 1.5;
/// The splits of the protocol (`data/labels/README.md`).
pub const SPLITS: [Split; 2] = [FORWARD, REVERSE];

fn labels_problem(e: LabelsError) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: e.file,
        line: e.line as u64,
        field: "labels".into(),
        message: e.message,
        hint: e.hint,
    }))
}

fn rules_problem(e: RulesError) -> AppError {
    AppError::Invalid(Problems::one(Diagnostic {
        file: e.file,
        line: e.line as u64,
        field: "candidate".into(),
        message: e.message,
        hint: e.hint,
    }))
}

impl App {
    /// The evaluation protocol on the stored watched series (see the module docs).
    /// `candidates` defaults to `candidates.toml` of the rules (bundled, or the rules
    /// directory's), each an override of the trigger rules in use; progress counts series
    /// assessed.
    pub async fn evaluate_warning(
        &self,
        labels: &LabelFiles,
        candidates: Option<&CandidateFile>,
        progress: Arc<dyn Progress>,
    ) -> Result<ProtocolReport> {
        let labels = Labels {
            surges: parse_surges(&labels.surges.0, &labels.surges.1).map_err(labels_problem)?,
            complete: parse_complete(&labels.complete.0, &labels.complete.1)
                .map_err(labels_problem)?,
        };
        let rules = self.rules();
        let configured = CandidateFile {
            name: rules.candidates_file.0.clone(),
            text: rules.candidates_file.1.clone(),
        };
        let candidates = candidates.unwrap_or(&configured);
        let candidates: Vec<Candidate> = parse_candidates(
            &candidates.name,
            &candidates.text,
            &rules.triggers_file.0,
            &rules.triggers_file.1,
        )
        .map_err(rules_problem)?;
        let newest = self.newest_month_or_refuse().await?;
        let filter = WatchFilter {
            to: Some(newest),
            ..Default::default()
        };
        let series = watched_series(self.store(), &self.rules().roster, &filter).await?;
        if series.is_empty() {
            return Err(AppError::not_found(
                "watched series",
                "",
                "import the monthly flow tables first (hemi import data/flows)",
            ));
        }
        let count = series.len();
        progress.set_total(count as u64);
        progress.message("assessing every watched series");
        let report = tokio::task::spawn_blocking(move || {
            let assessed = assess(&series, newest, &|_, _| progress.advance(1));
            progress.message("scoring the rule candidates on each split");
            let splits: Vec<SplitReport> = SPLITS
                .iter()
                .map(|split| run_split(&assessed, &labels, &candidates, *split, &|_, _| {}))
                .collect();
            let mut references = Vec::new();
            for split in SPLITS {
                for detector in REFERENCE_DETECTORS {
                    let (tuning_period, test_period) =
                        score_both(&labels, &detector_alarm_series(&assessed, detector), split);
                    references.push(ReferenceScores {
                        name: format!("{detector} alone"),
                        split: split.name,
                        tuning_period,
                        test_period,
                    });
                }
                let (tuning_period, test_period) =
                    score_both(&labels, &naive_alarm_series(&assessed, NAIVE_FACTOR), split);
                references.push(ReferenceScores {
                    name: format!("naive {NAIVE_FACTOR}x"),
                    split: split.name,
                    tuning_period,
                    test_period,
                });
            }
            ProtocolReport {
                series: count,
                newest,
                targets: TARGETS,
                splits,
                references,
            }
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("evaluation failed: {e}")))?;
        Ok(report)
    }
}
