//! Scores alerts against labelled surges (`data/labels/surges.csv`), within a period.
//!
//! Definitions (per series = reporting country × nationality; totals are not scored):
//! * a labelled surge belongs to the period that holds its **onset**; it is
//!   **detected** when its series has an alert in `onset − 2 ..= peak` clipped to the
//!   period (an alert two months before the labelled onset still counts: labels mark
//!   the month the rise became obvious, the system should be earlier; clipping keeps
//!   the tune and test periods apart);
//! * **lead time** = months from the first such alert to the peak;
//! * an **alert episode** is a run of consecutive alert months in one series, cut to
//!   the period; it belongs to the period of its first month;
//! * an episode is **judged** only in a *completely labelled* series (listed in
//!   `data/labels/complete.csv`, within its span): it is **false** when it touches no
//!   detection window of its series. In a labelled series that is not complete the
//!   episode is counted as unjudged (its surges may not all be labelled);
//! * episodes in series with **no labelled surge** at all are counted apart
//!   (`unlabelled_episodes`): the bound is at most 100 over 2019-01..2024-04;
//! * POD = detected / surges; FAR = false episodes / judged episodes;
//!   CSI = detected / (surges + false episodes) (hits / (hits + misses + false alarms)).
//!
//! Alerts come as [`AlarmSeries`] (one alarm flag per month), so the same scoring
//! applies to the rules' alerts ([`alarm_series`]), to each detector alone and to R's
//! alarms read from a fixture.

use std::collections::{BTreeMap, BTreeSet};

use hemi_core::{Granularity, Period};

use crate::replay::ReplayRow;

/// One labelled surge.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Surge {
    /// Label id shared by the series of one regional surge (e.g. `HTI-2021`).
    pub event_id: String,
    /// Reporting country.
    pub reporting: String,
    /// Nationality.
    pub nationality: String,
    /// First month of the rise.
    pub onset: Period,
    /// Month of the peak.
    pub peak: Period,
    /// Public reporting behind the label (a link, or the publisher's table); empty in
    /// the old five-column format.
    pub source: String,
}

/// A series whose surges are all labelled over `from..=to`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CompleteSeries {
    /// Reporting country.
    pub reporting: String,
    /// Nationality.
    pub nationality: String,
    /// First month covered.
    pub from: Period,
    /// Last month covered.
    pub to: Period,
}

/// The ground truth: labelled surges and the series where they are complete.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Labels {
    /// Labelled surges.
    pub surges: Vec<Surge>,
    /// Completely labelled series.
    pub complete: Vec<CompleteSeries>,
}

impl Labels {
    /// Labels whose every labelled series counts as complete over all time (the old
    /// scoring, used when no `complete.csv` is given).
    pub fn all_complete(surges: Vec<Surge>) -> Labels {
        let mut keys: Vec<(String, String)> = surges
            .iter()
            .map(|s| (s.reporting.clone(), s.nationality.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        let complete = keys
            .into_iter()
            .map(|(reporting, nationality)| CompleteSeries {
                reporting,
                nationality,
                from: Period::Month(1900, 1),
                to: Period::Month(2999, 12),
            })
            .collect();
        Labels { surges, complete }
    }
}

/// A problem in a labels file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message} — {hint}")]
pub struct LabelsError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

const HEADER: &str = "event_id,reporting_country,nationality,onset,peak,source";
const OLD_HEADER: &str = "event_id,reporting_country,nationality,onset,peak";
const COMPLETE_HEADER: &str = "reporting_country,nationality,from,to";

/// Numbered lines of a file: `(1-based line, text)`.
type Lines<'a> = Vec<(usize, &'a str)>;

/// Data lines of a CSV file after its header (blank lines and `#` lines skipped), with
/// the index of the header matched.
fn data_lines<'a>(
    file: &str,
    text: &'a str,
    headers: &[&str],
) -> Result<(usize, Lines<'a>), LabelsError> {
    let err = |line: usize, message: String| LabelsError {
        file: file.into(),
        line,
        message,
        hint: format!("the first line must be {}", headers[0]),
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l));
    let which = match lines.next() {
        Some((i, h)) => headers
            .iter()
            .position(|x| h.trim() == *x)
            .ok_or_else(|| err(i, format!("header is {h:?}")))?,
        None => return Err(err(1, "no header".into())),
    };
    Ok((which, lines.collect()))
}

fn month_field(file: &str, line: usize, what: &str, s: &str) -> Result<Period, LabelsError> {
    Period::parse_as(s, Granularity::Month).map_err(|e| LabelsError {
        file: file.into(),
        line,
        message: format!("field {what:?}: {e}"),
        hint: "months are YYYY-MM".into(),
    })
}

/// Parses `event_id,reporting_country,nationality,onset,peak,source` (the old header
/// without `source` is accepted too; lines starting with `#` and blank lines are
/// skipped). A source may not contain commas.
pub fn parse_surges(file: &str, text: &str) -> Result<Vec<Surge>, LabelsError> {
    let (which, lines) = data_lines(file, text, &[HEADER, OLD_HEADER])?;
    let fields = if which == 0 { 6 } else { 5 };
    let mut surges = Vec::new();
    for (line, text) in lines {
        let f: Vec<&str> = text.split(',').map(str::trim).collect();
        let err = |message: String, hint: &str| LabelsError {
            file: file.into(),
            line,
            message,
            hint: hint.into(),
        };
        if f.len() != fields {
            return Err(err(
                format!("{} fields", f.len()),
                &format!("write {fields} comma-separated fields (a source has no commas)"),
            ));
        }
        let onset = month_field(file, line, "onset", f[3])?;
        let peak = month_field(file, line, "peak", f[4])?;
        if peak < onset {
            return Err(err(
                format!("peak {peak} before onset {onset}"),
                "swap or fix the months",
            ));
        }
        let source = f.get(5).copied().unwrap_or("").to_owned();
        if which == 0 && source.is_empty() {
            return Err(err(
                "field \"source\" is empty".into(),
                "name the public reporting behind the surge (a link or the publisher's table)",
            ));
        }
        surges.push(Surge {
            event_id: f[0].into(),
            reporting: f[1].into(),
            nationality: f[2].into(),
            onset,
            peak,
            source,
        });
    }
    Ok(surges)
}

/// Parses `reporting_country,nationality,from,to` (`data/labels/complete.csv`).
pub fn parse_complete(file: &str, text: &str) -> Result<Vec<CompleteSeries>, LabelsError> {
    let (_, lines) = data_lines(file, text, &[COMPLETE_HEADER])?;
    let mut out = Vec::new();
    for (line, text) in lines {
        let f: Vec<&str> = text.split(',').map(str::trim).collect();
        if f.len() != 4 {
            return Err(LabelsError {
                file: file.into(),
                line,
                message: format!("{} fields", f.len()),
                hint: "write reporting_country,nationality,from,to".into(),
            });
        }
        out.push(CompleteSeries {
            reporting: f[0].into(),
            nationality: f[1].into(),
            from: month_field(file, line, "from", f[2])?,
            to: month_field(file, line, "to", f[3])?,
        });
    }
    Ok(out)
}

/// Alarm flags of one series, one per month from `start`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlarmSeries {
    /// Reporting country.
    pub reporting: String,
    /// Nationality; `None` for a total (not scored).
    pub nationality: Option<String>,
    /// Month of `alarms[0]`.
    pub start: Period,
    /// Whether each month alarmed.
    pub alarms: Vec<bool>,
}

/// Rule alerts of replay rows, per series (rows of one series must be consecutive
/// months, as [`crate::replay::replay`] returns them).
pub fn alarm_series(rows: &[ReplayRow]) -> Vec<AlarmSeries> {
    alarm_series_by(rows, |r| r.alarm)
}

/// Per-series alarm flags of replay rows under any predicate (e.g. one detector alone).
pub fn alarm_series_by(rows: &[ReplayRow], alarm: impl Fn(&ReplayRow) -> bool) -> Vec<AlarmSeries> {
    let mut out: Vec<AlarmSeries> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(s)
                if s.reporting == r.reporting
                    && s.nationality == r.nationality
                    && s.start.offset(s.alarms.len() as i32) == r.month =>
            {
                s.alarms.push(alarm(r))
            }
            _ => out.push(AlarmSeries {
                reporting: r.reporting.clone(),
                nationality: r.nationality.clone(),
                start: r.month,
                alarms: vec![alarm(r)],
            }),
        }
    }
    out
}

/// Detection scores.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Scores {
    /// Labelled surges scored.
    pub surges: usize,
    /// Of which detected.
    pub detected: usize,
    /// Judged alert episodes (in completely labelled series).
    pub episodes: usize,
    /// Of which false.
    pub false_episodes: usize,
    /// Episodes in labelled series that are not complete (not judged).
    pub unjudged_episodes: usize,
    /// Episodes in series with no labelled surge.
    pub unlabelled_episodes: usize,
    /// Number of series with no labelled surge.
    pub unlabelled_series: usize,
    /// Probability of detection.
    pub pod: f64,
    /// False-alarm ratio (judged episodes).
    pub far: f64,
    /// Critical success index.
    pub csi: f64,
    /// Median lead time before the peak, months, over detected surges.
    pub median_lead: Option<f64>,
    /// Surges missed, as `"REPORTING/NATIONALITY peak"`.
    pub missed: Vec<String>,
    /// False episodes, as `"REPORTING/NATIONALITY first..last"`.
    pub false_list: Vec<String>,
    /// Episodes in series with no labelled surge, as `"REPORTING/NATIONALITY first..last"`.
    pub unlabelled_list: Vec<String>,
}

/// Scores overall and per reporting country.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// Months scored.
    pub from: Period,
    /// Last month scored.
    pub to: Period,
    /// All series together.
    pub overall: Scores,
    /// Per reporting country.
    pub by_country: BTreeMap<String, Scores>,
}

#[derive(Default)]
struct Tally {
    surges: usize,
    detected: usize,
    episodes: usize,
    false_episodes: usize,
    unjudged: usize,
    unlabelled: usize,
    unlabelled_series: usize,
    leads: Vec<f64>,
    missed: Vec<String>,
    false_list: Vec<String>,
    unlabelled_list: Vec<String>,
}

impl Tally {
    fn scores(mut self) -> Scores {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.leads.sort_by(f64::total_cmp);
        let median_lead = match self.leads.len() {
            0 => None,
            n if n % 2 == 1 => Some(self.leads[n / 2]),
            n => Some((self.leads[n / 2 - 1] + self.leads[n / 2]) / 2.0),
        };
        Scores {
            surges: self.surges,
            detected: self.detected,
            episodes: self.episodes,
            false_episodes: self.false_episodes,
            unjudged_episodes: self.unjudged,
            unlabelled_episodes: self.unlabelled,
            unlabelled_series: self.unlabelled_series,
            pod: ratio(self.detected, self.surges),
            far: ratio(self.false_episodes, self.episodes),
            csi: ratio(self.detected, self.surges + self.false_episodes),
            median_lead,
            missed: self.missed,
            false_list: self.false_list,
            unlabelled_list: self.unlabelled_list,
        }
    }
}

/// Scores per-series alarms against labels over `from..=to` (see the module
/// documentation).
pub fn evaluate(labels: &Labels, alarms: &[AlarmSeries], from: Period, to: Period) -> Evaluation {
    let labelled: BTreeSet<(&str, &str)> = labels
        .surges
        .iter()
        .map(|s| (s.reporting.as_str(), s.nationality.as_str()))
        .collect();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut overall = Tally::default();
    for series in alarms {
        let Some(nat) = series.nationality.as_deref() else {
            continue;
        };
        let rep = series.reporting.as_str();
        let first = series.start.max(from);
        let last = series.start.offset(series.alarms.len() as i32 - 1).min(to);
        if first > last {
            continue;
        }
        let alarm_at = |m: Period| {
            series
                .start
                .distance_to(m)
                .and_then(|d| usize::try_from(d).ok())
                .and_then(|d| series.alarms.get(d).copied())
                .unwrap_or(false)
        };
        // Alert months of the period, in order.
        let mut alerts = Vec::new();
        let mut m = first;
        while m <= last {
            if alarm_at(m) {
                alerts.push(m);
            }
            m = m.offset(1);
        }
        let tally = tallies.entry(rep.to_owned()).or_default();
        let window = |s: &Surge| (s.onset.offset(-2).max(from), s.peak.min(to));
        let surges: Vec<&Surge> = labels
            .surges
            .iter()
            .filter(|s| s.reporting == rep && s.nationality == nat)
            .collect();
        if !labelled.contains(&(rep, nat)) {
            for t in [&mut *tally, &mut overall] {
                t.unlabelled_series += 1;
            }
        }
        for s in surges
            .iter()
            .filter(|s| s.onset >= from && s.onset <= to && s.onset.offset(-2) >= series.start)
        {
            let (a, b) = window(s);
            let hit = alerts.iter().find(|m| **m >= a && **m <= b);
            for t in [&mut *tally, &mut overall] {
                t.surges += 1;
                match hit {
                    Some(m) => {
                        t.detected += 1;
                        t.leads.push(f64::from(m.distance_to(s.peak).unwrap_or(0)));
                    }
                    None => t.missed.push(format!("{rep}/{nat} {}", s.peak)),
                }
            }
        }
        let complete_at = |m: Period| {
            labels
                .complete
                .iter()
                .any(|c| c.reporting == rep && c.nationality == nat && c.from <= m && m <= c.to)
        };
        // Episodes: runs of consecutive alert months.
        let mut i = 0;
        while i < alerts.len() {
            let mut j = i;
            while j + 1 < alerts.len() && alerts[j].distance_to(alerts[j + 1]) == Some(1) {
                j += 1;
            }
            let (start, end) = (alerts[i], alerts[j]);
            let touches = surges.iter().any(|s| {
                let (a, b) = (s.onset.offset(-2), s.peak);
                start <= b && end >= a
            });
            for t in [&mut *tally, &mut overall] {
                if !labelled.contains(&(rep, nat)) {
                    t.unlabelled += 1;
                    t.unlabelled_list
                        .push(format!("{rep}/{nat} {start}..{end}"));
                } else if complete_at(start) {
                    t.episodes += 1;
                    if !touches {
                        t.false_episodes += 1;
                        t.false_list.push(format!("{rep}/{nat} {start}..{end}"));
                    }
                } else {
                    t.unjudged += 1;
                }
            }
            i = j + 1;
        }
    }
    Evaluation {
        from,
        to,
        overall: overall.scores(),
        by_country: tallies.into_iter().map(|(k, t)| (k, t.scores())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rep: &str, nat: &str, y: i32, m: u8, alarm: bool) -> ReplayRow {
        ReplayRow {
            month: Period::Month(y, m),
            reporting: rep.into(),
            nationality: Some(nat.into()),
            value: 0.0,
            expected: None,
            upper: None,
            score: None,
            reported_by: None,
            growth_baseline: None,
            alarm,
            detectors: vec![],
            event_id: None,
        }
    }

    fn sorted(mut rows: Vec<ReplayRow>) -> Vec<ReplayRow> {
        rows.sort_by(|a, b| {
            (&a.reporting, &a.nationality, a.month).cmp(&(&b.reporting, &b.nationality, b.month))
        });
        rows
    }

    #[test]
    fn counts_hits_episodes_and_lead() {
        let surges = parse_surges("s.csv", "# c\nevent_id,reporting_country,nationality,onset,peak\nE1,PAN,HTI,2021-06,2021-09\nE2,USA,HTI,2021-06,2021-09\n").unwrap();
        // PAN alerts 2021-05..06 (hit, lead 4) and 2021-12 (false); USA none (miss).
        let alarms = [
            (5, true),
            (6, true),
            (7, false),
            (8, false),
            (9, false),
            (10, false),
            (11, false),
            (12, true),
        ];
        let mut rows: Vec<ReplayRow> = alarms
            .iter()
            .map(|&(m, a)| row("PAN", "HTI", 2021, m, a))
            .collect();
        rows.extend((1..=12).map(|m| row("USA", "HTI", 2021, m, false)));
        rows.extend((1..=12).map(|m| row("USA", "VEN", 2021, m, m == 3))); // unlabelled series: not scored
                                                                           // PAN starts at 2021-05, after the window start 2021-04: that label is not scored,
        rows.insert(0, row("PAN", "HTI", 2021, 4, false)); // ... unless the replay covers it
        let labels = Labels::all_complete(surges);
        let alarms = alarm_series(&sorted(rows));
        let (from, to) = (Period::Month(2021, 1), Period::Month(2021, 12));
        let e = evaluate(&labels, &alarms, from, to);
        let o = &e.overall;
        assert_eq!(
            (o.surges, o.detected, o.episodes, o.false_episodes),
            (2, 1, 2, 1)
        );
        // USA/VEN has no label: its episode is counted apart, not judged.
        assert_eq!((o.unlabelled_episodes, o.unlabelled_series), (1, 1));
        assert_eq!((o.pod, o.far), (0.5, 0.5));
        assert!((o.csi - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(o.median_lead, Some(4.0));
        assert_eq!(o.missed, ["USA/HTI 2021-09"]);
        assert_eq!(e.by_country["USA"].pod, 0.0);
        assert_eq!(e.by_country["PAN"].pod, 1.0);
        // A period that ends before the PAN onset scores no surge and cuts episodes.
        let early = evaluate(&labels, &alarms, from, Period::Month(2021, 5));
        assert_eq!((early.overall.surges, early.overall.episodes), (0, 1));
        // Without a complete span, PAN's episodes are unjudged.
        let partial = Labels {
            complete: vec![],
            ..labels.clone()
        };
        let p = evaluate(&partial, &alarms, from, to).overall;
        assert_eq!((p.episodes, p.unjudged_episodes, p.detected), (0, 2, 1));
    }

    #[test]
    fn complete_series_file_and_sources() {
        let c = parse_complete(
            "c.csv",
            "# note\nreporting_country,nationality,from,to\nPAN,HTI,2019-01,2024-04\n",
        )
        .unwrap();
        assert_eq!(c[0].to, Period::Month(2024, 4));
        let e = parse_complete(
            "c.csv",
            "reporting_country,nationality,from,to\nPAN,HTI,2019\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let s = parse_surges(
            "s.csv",
            "event_id,reporting_country,nationality,onset,peak,source\nE,PAN,HTI,2021-06,2021-09,https://example.org/x\n",
        )
        .unwrap();
        assert_eq!(s[0].source, "https://example.org/x");
        let e = parse_surges(
            "s.csv",
            "event_id,reporting_country,nationality,onset,peak,source\nE,PAN,HTI,2021-06,2021-09,\n",
        )
        .unwrap_err();
        assert!(e.message.contains("source"), "{e}");
    }

    #[test]
    fn bad_label_lines_name_their_line() {
        let e = parse_surges(
            "s.csv",
            "event_id,reporting_country,nationality,onset,peak\nE,PAN,HTI,2021-06,2021\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse_surges(
            "s.csv",
            "event_id,reporting_country,nationality,onset,peak\nE,PAN,HTI,2021-09,2021-06\n",
        )
        .unwrap_err();
        assert!(e.message.contains("before onset"), "{e}");
    }
}
