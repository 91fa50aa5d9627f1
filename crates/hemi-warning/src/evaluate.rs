//! Scores replayed alerts against labelled surges (`data/labels/surges.csv`).
//!
//! Definitions (per series = reporting country × nationality):
//! * a labelled surge is **detected** when its series has an alert in
//!   `onset − 2 ..= peak` (an alert two months before the labelled onset still counts:
//!   labels mark the month the rise became obvious, the system should be earlier);
//! * **lead time** = months from the first such alert to the peak;
//! * an **alert episode** is a run of consecutive alert months in one series; it is
//!   **false** when it touches no labelled detection window of its series;
//! * POD = detected / surges; FAR = false episodes / episodes;
//!   CSI = detected / (surges + false episodes) (hits / (hits + misses + false alarms)).
//!
//! Only surges whose window lies inside the replayed months, and series that have at
//! least one label, are scored: a series nobody labelled cannot have false alarms
//! judged (its surges may simply not be labelled).

use std::collections::BTreeMap;

use hemi_core::{Granularity, Period};

use crate::replay::ReplayRow;

/// One labelled surge.
#[derive(Debug, Clone, PartialEq)]
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
}

/// A problem in the labels file.
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

const HEADER: &str = "event_id,reporting_country,nationality,onset,peak";

/// Parses `event_id,reporting_country,nationality,onset,peak` (header required; lines
/// starting with `#` and blank lines are skipped).
pub fn parse_surges(file: &str, text: &str) -> Result<Vec<Surge>, LabelsError> {
    let err = |line: usize, message: String, hint: &str| LabelsError {
        file: file.into(),
        line,
        message,
        hint: hint.into(),
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    match lines.next() {
        Some((_, h)) if h.trim() == HEADER => {}
        Some((i, h)) => {
            return Err(err(
                i + 1,
                format!("header is {h:?}"),
                &format!("the first line must be {HEADER}"),
            ))
        }
        None => {
            return Err(err(
                1,
                "no header".into(),
                &format!("the first line must be {HEADER}"),
            ))
        }
    }
    let mut surges = Vec::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != 5 {
            return Err(err(
                i + 1,
                format!("{} fields", f.len()),
                "write 5 comma-separated fields",
            ));
        }
        let month = |s: &str, what: &str| {
            Period::parse_as(s, Granularity::Month)
                .map_err(|e| err(i + 1, format!("{what}: {e}"), "months are YYYY-MM"))
        };
        let (onset, peak) = (month(f[3], "onset")?, month(f[4], "peak")?);
        if peak < onset {
            return Err(err(
                i + 1,
                format!("peak {peak} before onset {onset}"),
                "swap or fix the months",
            ));
        }
        surges.push(Surge {
            event_id: f[0].into(),
            reporting: f[1].into(),
            nationality: f[2].into(),
            onset,
            peak,
        });
    }
    Ok(surges)
}

/// Detection scores.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores {
    /// Labelled surges scored.
    pub surges: usize,
    /// Of which detected.
    pub detected: usize,
    /// Alert episodes on labelled series.
    pub episodes: usize,
    /// Of which false.
    pub false_episodes: usize,
    /// Probability of detection.
    pub pod: f64,
    /// False-alarm ratio (episodes).
    pub far: f64,
    /// Critical success index.
    pub csi: f64,
    /// Median lead time before the peak, months, over detected surges.
    pub median_lead: Option<f64>,
    /// Surges missed, as `"REPORTING/NATIONALITY peak"`.
    pub missed: Vec<String>,
}

/// Scores overall and per reporting country.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// All labelled series together.
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
    leads: Vec<f64>,
    missed: Vec<String>,
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
            pod: ratio(self.detected, self.surges),
            far: ratio(self.false_episodes, self.episodes),
            csi: ratio(self.detected, self.surges + self.false_episodes),
            median_lead,
            missed: self.missed,
        }
    }
}

/// Scores replay rows against labelled surges (see the module documentation).
pub fn evaluate(surges: &[Surge], rows: &[ReplayRow]) -> Evaluation {
    // Alert months and replayed months per series.
    let mut series: BTreeMap<(String, String), (Vec<Period>, Period, Period)> = BTreeMap::new();
    for r in rows {
        let Some(nat) = &r.nationality else { continue };
        let e = series.entry((r.reporting.clone(), nat.clone())).or_insert((
            Vec::new(),
            r.month,
            r.month,
        ));
        e.1 = e.1.min(r.month);
        e.2 = e.2.max(r.month);
        if r.alarm {
            e.0.push(r.month);
        }
    }
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut overall = Tally::default();
    let window = |s: &Surge| (s.onset.offset(-2), s.peak);
    for ((reporting, nat), (alerts, first, last)) in &mut series {
        alerts.sort();
        let labels: Vec<&Surge> = surges
            .iter()
            .filter(|s| {
                &s.reporting == reporting
                    && &s.nationality == nat
                    && window(s).0 >= *first
                    && s.peak <= *last
            })
            .collect();
        if labels.is_empty() {
            continue;
        }
        let tally = tallies.entry(reporting.clone()).or_default();
        for s in &labels {
            let (a, b) = window(s);
            let hit = alerts.iter().find(|m| **m >= a && **m <= b);
            for t in [&mut *tally, &mut overall] {
                t.surges += 1;
                match hit {
                    Some(m) => {
                        t.detected += 1;
                        t.leads.push(f64::from(m.distance_to(s.peak).unwrap_or(0)));
                    }
                    None => t.missed.push(format!("{reporting}/{nat} {}", s.peak)),
                }
            }
        }
        // Episodes: runs of consecutive alert months.
        let mut i = 0;
        while i < alerts.len() {
            let mut j = i;
            while j + 1 < alerts.len() && alerts[j].distance_to(alerts[j + 1]) == Some(1) {
                j += 1;
            }
            let (start, end) = (alerts[i], alerts[j]);
            let touches = labels.iter().any(|s| {
                let (a, b) = window(s);
                start <= b && end >= a
            });
            for t in [&mut *tally, &mut overall] {
                t.episodes += 1;
                if !touches {
                    t.false_episodes += 1;
                }
            }
            i = j + 1;
        }
    }
    Evaluation {
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
            alarm,
            detectors: vec![],
            event_id: None,
        }
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
        let e = evaluate(&surges, &rows);
        let o = &e.overall;
        assert_eq!(
            (o.surges, o.detected, o.episodes, o.false_episodes),
            (2, 1, 2, 1)
        );
        assert_eq!((o.pod, o.far), (0.5, 0.5));
        assert!((o.csi - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(o.median_lead, Some(4.0));
        assert_eq!(o.missed, ["USA/HTI 2021-09"]);
        assert_eq!(e.by_country["USA"].pod, 0.0);
        assert_eq!(e.by_country["PAN"].pod, 1.0);
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
