//! The evaluation protocol: choose trigger rules on one period, report them on another.
//!
//! A [`Split`] names a tuning period and a test period. [`run_split`] scores every rule
//! candidate on the tuning period only, picks one by a criterion fixed in advance
//! ([`select`]), and scores that one candidate on the test period. Nothing of the test
//! period enters the choice: the detectors assess month `t` from data `<= t`, the
//! scoring clips detection windows and episodes to the period ([`crate::evaluate`]),
//! and only the chosen candidate is scored on the test period, so no one can pick a
//! candidate by its test figure.
//!
//! The standard splits are [`FORWARD`] (tune 2019-01..2022-12, test 2023-01..2024-04)
//! and [`REVERSE`] (the other way round). Candidates are rule files written as
//! overrides of the shipped rules (`rules/candidates.toml`, [`parse_candidates`]).

use hemi_core::Period;

use crate::evaluate::{evaluate, AlarmSeries, Evaluation, Labels, Scores};
use crate::replay::{rule_alarms, AssessedSeries};
use crate::rules::{line_of, RulesError, TriggerRules};

/// A tuning period and a test period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Split {
    /// Name used in reports.
    pub name: &'static str,
    /// First month of the tuning period.
    pub tune_from: Period,
    /// Last month of the tuning period.
    pub tune_to: Period,
    /// First month of the test period.
    pub test_from: Period,
    /// Last month of the test period.
    pub test_to: Period,
}

/// Tune on 2019-01..2022-12, test on 2023-01..2024-04.
pub const FORWARD: Split = Split {
    name: "forward",
    tune_from: Period::Month(2019, 1),
    tune_to: Period::Month(2022, 12),
    test_from: Period::Month(2023, 1),
    test_to: Period::Month(2024, 4),
};

/// Tune on 2023-01..2024-04, test on 2019-01..2022-12.
pub const REVERSE: Split = Split {
    name: "reverse",
    tune_from: Period::Month(2023, 1),
    tune_to: Period::Month(2024, 4),
    test_from: Period::Month(2019, 1),
    test_to: Period::Month(2022, 12),
};

/// The targets. `max_unlabelled_episodes_per_month` is 100 episodes over the
/// 64 months 2019-01..2024-04, prorated to the period scored.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Targets {
    /// Minimum probability of detection.
    pub min_pod: f64,
    /// Maximum share of false episodes.
    pub max_far: f64,
    /// Minimum median lead, months.
    pub min_median_lead: f64,
    /// Maximum alert episodes per month in series without a labelled surge.
    pub max_unlabelled_episodes_per_month: f64,
}

/// Detection >= 0.95, false episodes <= 20%, median lead >= 4 months, at most 100
/// episodes in unlabelled series over 64 months.
pub const TARGETS: Targets = Targets {
    min_pod: 0.95,
    max_far: 0.20,
    min_median_lead: 4.0,
    max_unlabelled_episodes_per_month: 100.0 / 64.0,
};

impl Targets {
    /// How many of the four targets `scores` over `months` months meets.
    pub fn met(&self, scores: &Scores, months: usize) -> usize {
        usize::from(scores.pod >= self.min_pod)
            + usize::from(scores.far <= self.max_far)
            + usize::from(
                scores
                    .median_lead
                    .is_some_and(|l| l >= self.min_median_lead),
            )
            + usize::from(
                scores.unlabelled_episodes as f64
                    <= self.max_unlabelled_episodes_per_month * months as f64,
            )
    }
}

/// Months in `from..=to`.
pub fn months_in(from: Period, to: Period) -> usize {
    from.distance_to(to).map_or(0, |d| (d + 1).max(0) as usize)
}

/// The fixed selection criterion: most targets met, then the fewest alert episodes in
/// series without a labelled surge (the most conservative candidate that still meets
/// the targets: false alarms are what did not survive outside the labels last time),
/// then the fewest false episodes (share), then the earliest candidate.
pub fn select(tuned: &[Evaluation]) -> usize {
    let key = |e: &Evaluation| {
        let months = months_in(e.from, e.to);
        (
            std::cmp::Reverse(TARGETS.met(&e.overall, months)),
            e.overall.unlabelled_episodes,
            (e.overall.far * 1e9).round() as i64,
        )
    };
    (0..tuned.len())
        .min_by_key(|&i| (key(&tuned[i]), i))
        .unwrap_or(0)
}

/// Rule alarms of every assessed series under `rules`, for scoring.
pub fn rule_alarm_series(assessed: &[AssessedSeries], rules: &TriggerRules) -> Vec<AlarmSeries> {
    assessed
        .iter()
        .map(|a| AlarmSeries {
            reporting: a.series.reporting.clone(),
            nationality: a.series.nationality.clone(),
            start: a.series.start,
            alarms: rule_alarms(a, rules).iter().map(Option::is_some).collect(),
        })
        .collect()
}

/// Alarms of one detector alone (by name), for comparison.
pub fn detector_alarm_series(assessed: &[AssessedSeries], detector: &str) -> Vec<AlarmSeries> {
    let Some(d) = crate::all_detectors()
        .iter()
        .position(|x| x.name() == detector)
    else {
        return Vec::new();
    };
    assessed
        .iter()
        .map(|a| AlarmSeries {
            reporting: a.series.reporting.clone(),
            nationality: a.series.nationality.clone(),
            start: a.series.start,
            alarms: a.assessments[d].iter().map(|x| x.alarm).collect(),
        })
        .collect()
}

/// The naive rule: a month alarms when its count is at least `factor` times the mean of
/// the three months before (a zero mean: any positive count).
pub fn naive_alarm_series(assessed: &[AssessedSeries], factor: f64) -> Vec<AlarmSeries> {
    assessed
        .iter()
        .map(|a| {
            let v = &a.series.values;
            AlarmSeries {
                reporting: a.series.reporting.clone(),
                nationality: a.series.nationality.clone(),
                start: a.series.start,
                alarms: (0..v.len())
                    .map(|t| {
                        t >= 3 && {
                            let base = (v[t - 3] + v[t - 2] + v[t - 1]) / 3.0;
                            if base > 0.0 {
                                v[t] >= factor * base
                            } else {
                                v[t] > 0.0
                            }
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A named rule candidate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// Name from the candidates file.
    pub name: String,
    /// The rules.
    pub rules: TriggerRules,
}

/// Outcome of one split.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SplitReport {
    /// The split.
    pub split: Split,
    /// Every candidate's name and tuning-period scores, in candidate order.
    pub tuned: Vec<(String, Evaluation)>,
    /// Index of the chosen candidate.
    pub chosen: usize,
    /// The chosen candidate's scores on the tuning period (in-sample).
    pub in_sample: Evaluation,
    /// The chosen candidate's scores on the test period (out-of-sample).
    pub out_of_sample: Evaluation,
}

/// Runs one split (see the module documentation); `progress(done, total)` counts
/// candidates scored.
pub fn run_split(
    assessed: &[AssessedSeries],
    labels: &Labels,
    candidates: &[Candidate],
    split: Split,
    progress: &dyn Fn(u64, u64),
) -> SplitReport {
    let total = candidates.len() as u64 + 1;
    let tuned: Vec<(String, Evaluation)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let alarms = rule_alarm_series(assessed, &c.rules);
            let e = evaluate(labels, &alarms, split.tune_from, split.tune_to);
            progress(i as u64 + 1, total);
            (c.name.clone(), e)
        })
        .collect();
    let evaluations: Vec<Evaluation> = tuned.iter().map(|(_, e)| e.clone()).collect();
    let chosen = select(&evaluations);
    let alarms = rule_alarm_series(assessed, &candidates[chosen].rules);
    let out_of_sample = evaluate(labels, &alarms, split.test_from, split.test_to);
    progress(total, total);
    SplitReport {
        split,
        chosen,
        in_sample: evaluations[chosen].clone(),
        out_of_sample,
        tuned,
    }
}

/// Scores of any alarms on both periods of a split: (tuning period, test period). For
/// references (R detectors, the naive rule) that are not tuned.
pub fn score_both(
    labels: &Labels,
    alarms: &[AlarmSeries],
    split: Split,
) -> (Evaluation, Evaluation) {
    (
        evaluate(labels, alarms, split.tune_from, split.tune_to),
        evaluate(labels, alarms, split.test_from, split.test_to),
    )
}

/// Parses a candidates file: `[[candidate]]` tables with a `name` and an `[candidate.alert]`
/// table of overrides applied to `base_text` (the shipped rules file), each result
/// validated by [`TriggerRules::parse`].
pub fn parse_candidates(
    file: &str,
    text: &str,
    base_file: &str,
    base_text: &str,
) -> Result<Vec<Candidate>, RulesError> {
    let err = |at: usize, message: String, hint: &str| RulesError {
        file: file.to_owned(),
        line: line_of(text, at),
        message,
        hint: hint.to_owned(),
    };
    let doc: toml::Spanned<toml::Table> = toml::from_str(text).map_err(|e| {
        err(
            e.span().map(|s| s.start).unwrap_or(0),
            e.message().trim().to_owned(),
            "see rules/candidates.toml",
        )
    })?;
    let base: toml::Table = toml::from_str(base_text).map_err(|e| RulesError {
        file: base_file.to_owned(),
        line: line_of(base_text, e.span().map(|s| s.start).unwrap_or(0)),
        message: e.message().trim().to_owned(),
        hint: "the base rules file must parse".into(),
    })?;
    let Some(toml::Value::Array(list)) = doc.get_ref().get("candidate") else {
        return Err(err(
            0,
            "no [[candidate]] tables".into(),
            "list at least one candidate",
        ));
    };
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let here = |message: String| RulesError {
            file: file.to_owned(),
            line: 1,
            message: format!("candidate {}: {message}", i + 1),
            hint: "each [[candidate]] has name = \"...\" and an [candidate.alert] table".into(),
        };
        let table = c.as_table().ok_or_else(|| here("not a table".into()))?;
        let name = table
            .get("name")
            .and_then(|v| v.as_str())
            .ok_or_else(|| here("no name".into()))?;
        let mut merged = base.clone();
        for (section, overrides) in table.iter().filter(|(k, _)| *k != "name") {
            let overrides = overrides
                .as_table()
                .ok_or_else(|| here(format!("{section} is not a table")))?;
            let target = merged
                .get_mut(section)
                .and_then(|v| v.as_table_mut())
                .ok_or_else(|| here(format!("unknown section {section}")))?;
            for (k, v) in overrides {
                target.insert(k.clone(), v.clone());
            }
        }
        let merged_text = toml::to_string(&merged).map_err(|e| here(e.to_string()))?;
        let rules = TriggerRules::parse(&format!("{file} (candidate {name})"), &merged_text)
            .map_err(|e| RulesError {
                file: file.to_owned(),
                line: 1,
                message: format!("candidate {name}: {}", e.message),
                hint: e.hint,
            })?;
        out.push(Candidate {
            name: name.to_owned(),
            rules,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = include_str!("../../../rules/triggers.toml");

    #[test]
    fn candidates_override_the_base_rules() {
        let text = "[[candidate]]\nname = \"a\"\nalert = { min_detectors = 1, min_growth = 1.5 }\n\n[[candidate]]\nname = \"b\"\n";
        let c = parse_candidates("c.toml", text, "t.toml", BASE).unwrap();
        let base = TriggerRules::parse("t.toml", BASE).unwrap();
        assert_eq!((c[0].rules.min_detectors, c[0].rules.min_growth), (1, 1.5));
        assert_eq!(c[0].rules.min_count, base.min_count);
        assert_eq!(c[1].rules, base);
        let bad = "[[candidate]]\nname = \"x\"\nalert = { min_detectors = 9 }\n";
        let e = parse_candidates("c.toml", bad, "t.toml", BASE).unwrap_err();
        assert!(
            e.message.contains("candidate x") && e.message.contains("min_detectors"),
            "{e}"
        );
        let bad = "[[candidate]]\nname = \"y\"\nalrt = { min_count = 1 }\n";
        let e = parse_candidates("c.toml", bad, "t.toml", BASE).unwrap_err();
        assert!(e.message.contains("unknown section alrt"), "{e}");
        let e = parse_candidates("c.toml", "[[candidate]\n", "t.toml", BASE).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    fn scores(pod: f64, far: f64, lead: f64, unlabelled: usize) -> Evaluation {
        Evaluation {
            from: Period::Month(2019, 1),
            to: Period::Month(2022, 12),
            overall: Scores {
                pod,
                far,
                median_lead: Some(lead),
                unlabelled_episodes: unlabelled,
                ..Scores::default()
            },
            by_country: Default::default(),
        }
    }

    #[test]
    fn selection_prefers_targets_then_fewest_unlabelled_then_false() {
        // 48 months: at most 75 unlabelled episodes.
        let all = [
            scores(1.0, 0.10, 5.0, 80), // misses the unlabelled target
            scores(0.97, 0.15, 4.0, 40),
            scores(0.97, 0.12, 4.0, 40),
            scores(0.99, 0.05, 4.0, 60),
        ];
        assert_eq!(select(&all), 2);
        assert_eq!(TARGETS.met(&all[0].overall, 48), 3);
        assert_eq!(
            months_in(Period::Month(2019, 1), Period::Month(2022, 12)),
            48
        );
    }
}
