//! Trigger rules as data: the TOML file (`rules/triggers.toml`) the Task Force edits to
//! decide when detector alarms become an alert, and how alerts group into events.
//!
//! A month `k` of series `s` *meets the conditions* when all of these hold:
//! 1. at least `min_detectors` of the listed `detectors` alarm at a month in
//!    `k − detector_memory_months ..= k`, one of them in month `k` itself (two
//!    detectors that agree are harder to fool than one; a detector that fired at the
//!    start of a rise may still count, but the alert is decided by one alarming now);
//! 2. `value(k) >= min_count`;
//! 3. `value(j) / mean(value(j − growth_window ..= j − 1)) >= min_growth` (a zero
//!    mean counts as infinite growth) at a month `j` in `k − growth_memory_months ..= k`
//!    (a rise that held last month and is still climbing, while the detectors only
//!    now clear a baseline inflated by an earlier wave, still counts);
//! 4. `value(k) − mean(value(k − growth_window ..= k − 1)) >= min_excess_people`: the
//!    rise is large in people, not only in percent (a series of 400 that doubles is
//!    not something a watch officer must plan for).
//!
//! An alert at month `m` needs:
//! * the conditions met at each of the `persistence_months` months `m − persistence_months + 1 ..= m`
//!   (one month: no persistence; a one-month blip is the commonest false alarm);
//! * no alert on `s` in the `cooldown_months` months before `m`, unless `s` was alerting
//!   at `m − 1` (so an alert continues while the conditions hold, but a series that
//!   flickers off and on within the cool-down does not open a new episode).
//!
//! The alert is *decided* by the first detector, in the order of `detectors`, that
//! alarms at `m` itself; the replay row shows that detector's expected count, upper
//! bound and statistic, never another's ([`crate::replay`]). With
//! `detector_memory_months = 0` (the shipped rules) such a detector always exists.
//!
//! `[event]` and `[board]` hold the event rules: see [`EventRules`] and [`crate::events`].
//!
//! Parsing never panics: every problem is a [`RulesError`] naming the file and line.

use serde::Deserialize;
use toml::Spanned;

/// Trigger rules, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriggerRules {
    /// Detector names (see [`crate::all_detectors`]) whose alarms are counted.
    pub detectors: Vec<String>,
    /// How many of `detectors` must be alarming.
    pub min_detectors: usize,
    /// A detector alarm stays counted for this many months after it fired.
    pub detector_memory_months: usize,
    /// Minimum count in the alert month.
    pub min_count: f64,
    /// Number of previous months whose mean is the growth baseline.
    pub growth_window: usize,
    /// Minimum ratio of the month's count to that baseline.
    pub min_growth: f64,
    /// The growth condition still counts this many months after it held.
    pub growth_memory_months: usize,
    /// Minimum rise in people over the growth baseline.
    pub min_excess_people: f64,
    /// Consecutive months the conditions must hold before an alert (1 = no persistence).
    pub persistence_months: usize,
    /// Months after an alert episode during which the series cannot alert again.
    pub cooldown_months: usize,
    /// How events form, close and reach the board (`[event]` and `[board]`).
    pub events: EventRules,
}

/// Event rules: when an event closes, and which events the watch board shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRules {
    /// An event closes after this many consecutive months without an alert in any of
    /// its series; a later alert of the same nationality opens a new event that
    /// `follows` it (`[event] close_after_quiet_months`).
    pub close_after_quiet_months: usize,
    /// An event is on the board when its people above expected (summed over its alert
    /// months) reach this (`[board] min_people_above_expected`) ...
    pub board_min_people_above_expected: f64,
    /// ... or when it spans at least this many reporting countries
    /// (`[board] min_countries`).
    pub board_min_countries: usize,
    /// Severity weights (`[board] weight_*`): see [`crate::events::severity`].
    pub weight_people: f64,
    /// Weight of log2 of the largest growth ratio.
    pub weight_growth: f64,
    /// Weight of each reporting country beyond the first.
    pub weight_countries: f64,
    /// Weight of each reporting country downstream of the first alerting one.
    pub weight_downstream: f64,
}

/// A problem in a rules file, located by line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message} — {hint}")]
pub struct RulesError {
    /// File name as given by the caller.
    pub file: String,
    /// 1-based line number (1 when the problem is not tied to a line).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    alert: Spanned<RawAlert>,
    event: Spanned<RawEvent>,
    board: Spanned<RawBoard>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    detectors: Spanned<Vec<Spanned<String>>>,
    min_detectors: Spanned<i64>,
    #[serde(default)]
    detector_memory_months: Option<Spanned<i64>>,
    min_count: Spanned<f64>,
    growth_window: Spanned<i64>,
    min_growth: Spanned<f64>,
    #[serde(default)]
    growth_memory_months: Option<Spanned<i64>>,
    #[serde(default)]
    min_excess_people: Option<Spanned<f64>>,
    #[serde(default)]
    persistence_months: Option<Spanned<i64>>,
    cooldown_months: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    close_after_quiet_months: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    min_people_above_expected: Spanned<f64>,
    min_countries: Spanned<i64>,
    weight_people: Spanned<f64>,
    weight_growth: Spanned<f64>,
    weight_countries: Spanned<f64>,
    weight_downstream: Spanned<f64>,
}

/// 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

impl TriggerRules {
    /// Parses and validates a rules file; `file` only labels errors.
    pub fn parse(file: &str, text: &str) -> Result<TriggerRules, RulesError> {
        let err = |at: usize, message: String, hint: &str| RulesError {
            file: file.to_owned(),
            line: line_of(text, at),
            message,
            hint: hint.to_owned(),
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            err(
                at,
                e.message().trim().to_owned(),
                "the file needs [alert], [event] and [board] tables as in rules/triggers.toml",
            )
        })?;
        let alert = raw.alert.into_inner();
        let known: Vec<&str> = crate::all_detectors().iter().map(|d| d.name()).collect();
        let detectors_at = alert.detectors.span().start;
        let mut detectors = Vec::new();
        for name in alert.detectors.into_inner() {
            if !known.contains(&name.get_ref().as_str()) {
                return Err(err(
                    name.span().start,
                    format!("unknown detector {:?}", name.get_ref()),
                    &format!("use one of {}", known.join(", ")),
                ));
            }
            if detectors.contains(name.get_ref()) {
                return Err(err(
                    name.span().start,
                    format!("detector {:?} listed twice", name.get_ref()),
                    "list each detector once",
                ));
            }
            detectors.push(name.into_inner());
        }
        if detectors.is_empty() {
            return Err(err(
                detectors_at,
                "no detectors listed".into(),
                "list at least one, e.g. [\"farrington\", \"ears_c3\"]",
            ));
        }
        let count = |v: &Spanned<i64>, what: &str, min: i64| -> Result<usize, RulesError> {
            if *v.get_ref() < min {
                Err(err(
                    v.span().start,
                    format!("{what} is {}, below {min}", v.get_ref()),
                    &format!("{what} is a whole number of at least {min}"),
                ))
            } else {
                Ok(*v.get_ref() as usize)
            }
        };
        let min_detectors = count(&alert.min_detectors, "min_detectors", 1)?;
        if min_detectors > detectors.len() {
            return Err(err(
                alert.min_detectors.span().start,
                format!(
                    "min_detectors is {min_detectors} but only {} detectors are listed",
                    detectors.len()
                ),
                "lower min_detectors or list more detectors",
            ));
        }
        let number = |v: &Spanned<f64>, what: &str| -> Result<f64, RulesError> {
            let x = *v.get_ref();
            if !x.is_finite() || x < 0.0 {
                Err(err(
                    v.span().start,
                    format!("{what} is {x}"),
                    &format!("{what} is a number >= 0"),
                ))
            } else {
                Ok(x)
            }
        };
        let detector_memory_months = match &alert.detector_memory_months {
            Some(v) => count(v, "detector_memory_months", 0)?,
            None => 0,
        };
        let growth_memory_months = match &alert.growth_memory_months {
            Some(v) => count(v, "growth_memory_months", 0)?,
            None => 0,
        };
        let min_excess_people = match &alert.min_excess_people {
            Some(v) => number(v, "min_excess_people")?,
            None => 0.0,
        };
        let persistence_months = match &alert.persistence_months {
            Some(v) => count(v, "persistence_months", 1)?,
            None => 1,
        };
        let event = raw.event.into_inner();
        let board = raw.board.into_inner();
        Ok(TriggerRules {
            detectors,
            min_detectors,
            detector_memory_months,
            min_count: number(&alert.min_count, "min_count")?,
            growth_window: count(&alert.growth_window, "growth_window", 1)?,
            min_growth: number(&alert.min_growth, "min_growth")?,
            growth_memory_months,
            min_excess_people,
            persistence_months,
            cooldown_months: count(&alert.cooldown_months, "cooldown_months", 0)?,
            events: EventRules {
                close_after_quiet_months: count(
                    &event.close_after_quiet_months,
                    "close_after_quiet_months",
                    1,
                )?,
                board_min_people_above_expected: number(
                    &board.min_people_above_expected,
                    "min_people_above_expected",
                )?,
                board_min_countries: count(&board.min_countries, "min_countries", 1)?,
                weight_people: number(&board.weight_people, "weight_people")?,
                weight_growth: number(&board.weight_growth, "weight_growth")?,
                weight_countries: number(&board.weight_countries, "weight_countries")?,
                weight_downstream: number(&board.weight_downstream, "weight_downstream")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "[alert]\ndetectors = [\"farrington\", \"ears_c3\"]\nmin_detectors = 1\nmin_count = 100\ngrowth_window = 3\nmin_growth = 1.5\ncooldown_months = 2\n\n[event]\nclose_after_quiet_months = 3\n\n[board]\nmin_people_above_expected = 1000\nmin_countries = 2\nweight_people = 1\nweight_growth = 1\nweight_countries = 0.5\nweight_downstream = 0.5\n";

    #[test]
    fn parses_a_good_file() {
        let r = TriggerRules::parse("t.toml", GOOD).unwrap();
        assert_eq!(r.detectors, ["farrington", "ears_c3"]);
        assert_eq!(
            (
                r.min_detectors,
                r.growth_window,
                r.cooldown_months,
                r.events.close_after_quiet_months
            ),
            (1, 3, 2, 3)
        );
        assert_eq!(
            (
                r.detector_memory_months,
                r.growth_memory_months,
                r.persistence_months
            ),
            (0, 0, 1)
        );
        assert_eq!(r.min_excess_people, 0.0);
        assert_eq!(r.events.board_min_countries, 2);
        assert_eq!((r.min_count, r.min_growth), (100.0, 1.5));
    }

    #[test]
    fn unknown_detector_points_at_its_line() {
        let text = GOOD.replace("\"ears_c3\"]", "\n  \"ears_c4\"]");
        let e = TriggerRules::parse("t.toml", &text).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.message.contains("ears_c4") && e.hint.contains("ears_c3"),
            "{e}"
        );
        assert!(
            e.to_string().starts_with("t.toml:3: unknown detector"),
            "{e}"
        );
    }

    #[test]
    fn negative_numbers_are_refused_with_their_line() {
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace("cooldown_months = 2", "cooldown_months = -1"),
        )
        .unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace("min_count = 100", "min_count = -5.0"),
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace("min_detectors = 1", "min_detectors = 3"),
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }

    #[test]
    fn syntax_errors_and_typos_have_lines() {
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace("min_growth = 1.5", "min_growht = 1.5"),
        )
        .unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace(
                "close_after_quiet_months = 3",
                "close_after_quiet_months = ",
            ),
        )
        .unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        let e = TriggerRules::parse(
            "t.toml",
            &GOOD.replace("min_countries = 2", "min_countries = 0"),
        )
        .unwrap_err();
        assert_eq!(e.line, 14, "{e}");
    }
}
