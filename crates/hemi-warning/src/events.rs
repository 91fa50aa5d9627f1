//! Events: waves of alerts for one nationality in several reporting countries, and the
//! event lifecycle as a pure state machine.
//!
//! # Waves
//! Alerts are taken in month order (reporting country breaks ties, so the result does
//! not depend on input order). An alert joins the open event of its nationality; an
//! event closes by rule once `close_after_quiet_months` consecutive months pass without
//! an alert in any of its series (`rules/triggers.toml`, `[event]`), so an alert at most
//! that many months after the event's latest alert joins it, and a later one opens a new
//! event whose `follows` names the earlier wave (`HTI-2022-09` follows `HTI-2021-01`).
//! Since an alert only ever joins an *earlier* event, the event of an alert at month `m`
//! depends only on alerts at months `<= m`: grouping the alerts known at `as_of` gives
//! the same events, truncated, as grouping everything ([`events_as_of`]).
//!
//! An event has an **onset** (first alert), a **peak** (the alert month with the most
//! people summed over its countries' alert rows), an **end** (its latest alert) and,
//! once the quiet months have passed by `as_of`, the month it **closed** by rule.
//!
//! The id is `"<nationality>-<YYYY-MM of the first alert>"`, e.g. `HTI-2021-05`
//! (`ALL-…` for alerts on totals across nationalities): deterministic and unique, since a
//! second alert of the same nationality in the same month joins the first one's event.
//!
//! # Severity and the board
//! [`severity`] ranks events by people above expected (each alert's count minus the
//! deciding detector's expected count, summed), growth (the largest ratio of an alert's
//! count to its growth baseline), the number of reporting countries, and downstream
//! reach (countries whose first alert came after the event's onset month: the wave
//! travelled). The watch board ([`board`]) lists open events that are big enough for a
//! watch officer: at least `[board] min_people_above_expected` people above expected,
//! or at least `min_countries` reporting countries. Small series stay off it until they
//! grow into that.
//!
//! # Lifecycle
//! `detected → confirmed → response → closed`, and `dismissed` from `detected` or
//! `confirmed`. [`transition`] refuses any other move and a move without a person or a
//! reason, so the audit trail always says who decided what and why.

use std::fmt;
use std::str::FromStr;

use hemi_core::Period;

use crate::replay::ReplayRow;
use crate::rules::EventRules;

/// One alert month of one series.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertRef {
    /// Reporting country.
    pub reporting: String,
    /// Nationality; `None` for a total.
    pub nationality: Option<String>,
    /// Alert month.
    pub month: Period,
    /// Count in that month.
    pub value: f64,
    /// Count minus the deciding detector's expected count, at least 0 (0 when the
    /// detector gives no expected count).
    pub people_above_expected: f64,
    /// Count over its growth baseline (the mean of the previous months); `None` when
    /// the baseline is 0 or unknown.
    pub growth: Option<f64>,
}

/// Where an event stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// Raised by the rules, nobody has looked yet.
    Detected,
    /// An analyst confirmed it is a real surge.
    Confirmed,
    /// A response is under way.
    Response,
    /// Over.
    Closed,
    /// Judged not to be a surge (data artefact, known cause...).
    Dismissed,
}

impl EventStatus {
    /// Lower-case name, as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Detected => "detected",
            EventStatus::Confirmed => "confirmed",
            EventStatus::Response => "response",
            EventStatus::Closed => "closed",
            EventStatus::Dismissed => "dismissed",
        }
    }

    /// Statuses reachable from this one.
    pub fn next(self) -> &'static [EventStatus] {
        use EventStatus::*;
        match self {
            Detected => &[Confirmed, Dismissed],
            Confirmed => &[Response, Dismissed],
            Response => &[Closed],
            Closed | Dismissed => &[],
        }
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventStatus {
    type Err = LifecycleError;
    fn from_str(s: &str) -> Result<Self, LifecycleError> {
        use EventStatus::*;
        [Detected, Confirmed, Response, Closed, Dismissed]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| LifecycleError::UnknownStatus(s.to_owned()))
    }
}

/// A recorded lifecycle move.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Transition {
    /// Status before.
    pub from: EventStatus,
    /// Status after.
    pub to: EventStatus,
    /// Who decided (trimmed, non-empty).
    pub who: String,
    /// Why (trimmed, non-empty).
    pub why: String,
}

/// A refused lifecycle move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The move is not in the lifecycle.
    #[error("an event cannot go from {from} to {to}; from {from} it can go to: {allowed}")]
    Illegal {
        /// Current status.
        from: EventStatus,
        /// Requested status.
        to: EventStatus,
        /// Allowed targets, comma separated ("none" for a final status).
        allowed: String,
    },
    /// No person given.
    #[error("say who decides this move (name or role)")]
    MissingWho,
    /// No reason given.
    #[error("say why the event moves (evidence or decision reference)")]
    MissingWhy,
    /// Not a status name.
    #[error("{0:?} is not a status; use detected, confirmed, response, closed or dismissed")]
    UnknownStatus(String),
}

/// Checks a lifecycle move and records who made it and why.
pub fn transition(
    current: EventStatus,
    to: EventStatus,
    who: &str,
    why: &str,
) -> Result<Transition, LifecycleError> {
    if !current.next().contains(&to) {
        let allowed: Vec<&str> = current.next().iter().map(|s| s.as_str()).collect();
        let allowed = if allowed.is_empty() {
            "none".to_owned()
        } else {
            allowed.join(", ")
        };
        return Err(LifecycleError::Illegal {
            from: current,
            to,
            allowed,
        });
    }
    let (who, why) = (who.trim(), why.trim());
    if who.is_empty() {
        return Err(LifecycleError::MissingWho);
    }
    if why.is_empty() {
        return Err(LifecycleError::MissingWhy);
    }
    Ok(Transition {
        from: current,
        to,
        who: who.to_owned(),
        why: why.to_owned(),
    })
}

/// A wave of alerts of one nationality across reporting countries.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    /// `"HTI-2021-05"`: nationality and first alert month.
    pub id: String,
    /// Nationality code (`"ALL"` for totals across nationalities).
    pub nationality: String,
    /// Month of the first alert (the onset).
    pub first_alert: Period,
    /// Month of the latest alert (the end of the wave so far).
    pub last_alert: Period,
    /// Alert month with the most people, summed over the event's alert rows.
    pub peak: Period,
    /// People in the peak month, summed over the event's alert rows.
    pub peak_people: f64,
    /// Month the event closed by rule (`last_alert + close_after_quiet_months`), when
    /// that is not after `as_of`; `None` while the event is open.
    pub closed: Option<Period>,
    /// The previous event of the same nationality, if any (an earlier wave).
    pub follows: Option<String>,
    /// Reporting countries in the order of their first alert.
    pub countries: Vec<String>,
    /// The alerts, in month order.
    pub alerts: Vec<AlertRef>,
    /// People above expected, summed over the alerts.
    pub people_above_expected: f64,
    /// Largest growth ratio of an alert (1 when none is known).
    pub max_growth: f64,
    /// Countries whose first alert came after the onset month.
    pub downstream_countries: usize,
    /// [`severity`] of the event.
    pub severity: f64,
    /// Whether the event is big enough for the watch board (see the module documentation).
    pub on_board: bool,
    /// Lifecycle status; grouping yields `Detected`, the caller applies recorded moves.
    pub status: EventStatus,
}

impl Event {
    /// Whether the event is still open (not closed by rule) at its grouping's `as_of`.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Months from onset to `as_of` (open) or to the month it closed.
    pub fn months_open(&self, as_of: Period) -> i32 {
        let end = self.closed.unwrap_or(as_of);
        self.first_alert.distance_to(end).unwrap_or(0)
    }
}

/// Severity score: `weight_people · log10(1 + people above expected) + weight_growth ·
/// log2(max growth) + weight_countries · (countries − 1) + weight_downstream ·
/// downstream countries`. Logarithms because a watch officer weighs 10,000 against
/// 1,000 people as one step, as 1,000 against 100.
pub fn severity(event: &Event, rules: &EventRules) -> f64 {
    rules.weight_people * (1.0 + event.people_above_expected).log10()
        + rules.weight_growth * event.max_growth.max(1.0).log2()
        + rules.weight_countries * (event.countries.len().saturating_sub(1)) as f64
        + rules.weight_downstream * event.downstream_countries as f64
}

/// Groups alerts into waves known at `as_of` (alerts after `as_of` are ignored); see
/// the module documentation.
pub fn group_alerts(alerts: &[AlertRef], rules: &EventRules, as_of: Period) -> Vec<Event> {
    let mut sorted: Vec<&AlertRef> = alerts.iter().filter(|a| a.month <= as_of).collect();
    sorted.sort_by(|a, b| {
        (a.month, &a.reporting, &a.nationality).cmp(&(b.month, &b.reporting, &b.nationality))
    });
    let quiet = rules.close_after_quiet_months as i32;
    let mut events: Vec<Event> = Vec::new();
    for alert in sorted {
        let nationality = alert.nationality.as_deref().unwrap_or("ALL");
        let latest = events.iter().rposition(|e| e.nationality == nationality);
        let open = latest.filter(|&i| {
            events[i]
                .last_alert
                .distance_to(alert.month)
                .is_some_and(|d| d <= quiet)
        });
        match open {
            Some(i) => {
                let event = &mut events[i];
                event.last_alert = alert.month;
                if !event.countries.contains(&alert.reporting) {
                    event.countries.push(alert.reporting.clone());
                    if alert.month > event.first_alert {
                        event.downstream_countries += 1;
                    }
                }
                event.alerts.push(alert.clone());
            }
            None => {
                let follows = latest.map(|i| events[i].id.clone());
                events.push(Event {
                    id: format!("{nationality}-{}", alert.month),
                    nationality: nationality.to_owned(),
                    first_alert: alert.month,
                    last_alert: alert.month,
                    peak: alert.month,
                    peak_people: 0.0,
                    closed: None,
                    follows,
                    countries: vec![alert.reporting.clone()],
                    alerts: vec![alert.clone()],
                    people_above_expected: 0.0,
                    max_growth: 1.0,
                    downstream_countries: 0,
                    severity: 0.0,
                    on_board: false,
                    status: EventStatus::Detected,
                })
            }
        }
    }
    for event in &mut events {
        let mut by_month: Vec<(Period, f64)> = Vec::new();
        for a in &event.alerts {
            match by_month.iter_mut().find(|(m, _)| *m == a.month) {
                Some((_, v)) => *v += a.value,
                None => by_month.push((a.month, a.value)),
            }
        }
        // The first month with the most people (alerts are in month order).
        let (peak, peak_people) =
            by_month
                .iter()
                .fold(by_month[0], |best, &m| if m.1 > best.1 { m } else { best });
        event.peak = peak;
        event.peak_people = peak_people;
        event.people_above_expected = event.alerts.iter().map(|a| a.people_above_expected).sum();
        event.max_growth = event
            .alerts
            .iter()
            .filter_map(|a| a.growth)
            .fold(1.0, f64::max);
        let closes = event.last_alert.offset(quiet);
        event.closed = (closes <= as_of).then_some(closes);
        event.severity = severity(event, rules);
        event.on_board = event.people_above_expected >= rules.board_min_people_above_expected
            || event.countries.len() >= rules.board_min_countries;
    }
    events
}

/// The alerts among replay rows: rows with `alarm` set.
pub fn alerts_of(rows: &[ReplayRow]) -> Vec<AlertRef> {
    rows.iter()
        .filter(|r| r.alarm)
        .map(|r| AlertRef {
            reporting: r.reporting.clone(),
            nationality: r.nationality.clone(),
            month: r.month,
            value: r.value,
            people_above_expected: r.people_above_expected().unwrap_or(0.0),
            growth: r.growth_baseline.filter(|b| *b > 0.0).map(|b| r.value / b),
        })
        .collect()
}

/// Events as known at `as_of`: grouping of the alerts at months `<= as_of` only.
pub fn events_as_of(rows: &[ReplayRow], as_of: Period, rules: &EventRules) -> Vec<Event> {
    group_alerts(&alerts_of(rows), rules, as_of)
}

/// The watch board at the grouping's `as_of`: open events that are on the board,
/// most severe first (ties: earlier onset, then id).
pub fn board(events: &[Event]) -> Vec<&Event> {
    let mut open: Vec<&Event> = events
        .iter()
        .filter(|e| e.is_open() && e.on_board)
        .collect();
    open.sort_by(|a, b| {
        b.severity
            .total_cmp(&a.severity)
            .then(a.first_alert.cmp(&b.first_alert))
            .then(a.id.cmp(&b.id))
    });
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventStatus::*;

    fn alert(reporting: &str, nat: &str, y: i32, m: u8) -> AlertRef {
        AlertRef {
            reporting: reporting.into(),
            nationality: Some(nat.into()),
            month: Period::Month(y, m),
            value: 1.0,
            people_above_expected: 100.0,
            growth: Some(2.0),
        }
    }

    fn rules(quiet: usize) -> EventRules {
        EventRules {
            close_after_quiet_months: quiet,
            board_min_people_above_expected: 250.0,
            board_min_countries: 2,
            weight_people: 1.0,
            weight_growth: 1.0,
            weight_countries: 0.5,
            weight_downstream: 0.5,
        }
    }

    #[test]
    fn lifecycle_allows_only_the_documented_moves() {
        let all = [Detected, Confirmed, Response, Closed, Dismissed];
        let legal = [
            (Detected, Confirmed),
            (Confirmed, Response),
            (Response, Closed),
            (Detected, Dismissed),
            (Confirmed, Dismissed),
        ];
        for from in all {
            for to in all {
                let r = transition(from, to, "analyst A", "CBP release");
                assert_eq!(r.is_ok(), legal.contains(&(from, to)), "{from} -> {to}");
            }
        }
        assert_eq!(
            transition(Detected, Confirmed, "  ", "x"),
            Err(LifecycleError::MissingWho)
        );
        assert_eq!(
            transition(Detected, Confirmed, "a", ""),
            Err(LifecycleError::MissingWhy)
        );
        let t = transition(Confirmed, Response, " TF lead ", " plan 7 ").unwrap();
        assert_eq!((t.who.as_str(), t.why.as_str()), ("TF lead", "plan 7"));
        assert_eq!("response".parse(), Ok(Response));
        assert!("open".parse::<EventStatus>().is_err());
    }

    #[test]
    fn alerts_within_the_window_join_and_order_is_irrelevant() {
        let mut alerts = vec![
            alert("USA", "HTI", 2021, 9),
            alert("PAN", "HTI", 2021, 5),
            alert("MEX", "HTI", 2021, 7),
            alert("PAN", "VEN", 2021, 6),
            alert("HND", "HTI", 2021, 7),
            alert("PAN", "HTI", 2022, 6), // 9 months after the last: a new event
        ];
        let as_of = Period::Month(2022, 12);
        let events = group_alerts(&alerts, &rules(3), as_of);
        alerts.reverse();
        assert_eq!(group_alerts(&alerts, &rules(3), as_of), events);
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["HTI-2021-05", "VEN-2021-06", "HTI-2022-06"]);
        assert_eq!(events[0].countries, ["PAN", "HND", "MEX", "USA"]);
        assert_eq!(events[0].last_alert, Period::Month(2021, 9));
        // A later wave of the same nationality is a new event linked to the first.
        assert_eq!(events[2].follows.as_deref(), Some("HTI-2021-05"));
        assert_eq!(events[0].follows, None);
        // Closed by rule three quiet months after the last alert; the 2022 wave is
        // still open at 2022-09 (three months after its alert), closed at 2022-09.
        assert_eq!(events[0].closed, Some(Period::Month(2021, 12)));
        assert_eq!(events[2].closed, Some(Period::Month(2022, 9)));
        let at = group_alerts(&alerts, &rules(3), Period::Month(2022, 8));
        assert!(at[2].is_open() && !at[0].is_open());
        // Downstream reach: HND, MEX and USA alerted after PAN's onset month.
        assert_eq!(events[0].downstream_countries, 3);
        // Quiet months 1: MEX/HND at 2021-07 are two months after PAN's 2021-05 alert.
        let narrow = group_alerts(&alerts, &rules(1), as_of);
        assert_eq!(narrow.iter().filter(|e| e.nationality == "HTI").count(), 4);
    }

    #[test]
    fn peak_severity_and_board() {
        let mut alerts = vec![
            alert("PAN", "HTI", 2021, 5),
            alert("PAN", "HTI", 2021, 6),
            alert("MEX", "HTI", 2021, 6),
            alert("USA", "CHL", 2021, 6), // one small series: off the board
        ];
        alerts[0].value = 500.0;
        alerts[1].value = 300.0;
        alerts[2].value = 400.0;
        alerts[3].people_above_expected = 80.0;
        let events = group_alerts(&alerts, &rules(3), Period::Month(2021, 7));
        let hti = &events[0];
        assert_eq!((hti.peak, hti.peak_people), (Period::Month(2021, 6), 700.0));
        assert_eq!(hti.people_above_expected, 300.0);
        let expected = (301.0f64).log10() + 1.0 + 0.5 + 0.5;
        assert!((hti.severity - expected).abs() < 1e-12, "{}", hti.severity);
        let on_board: Vec<&str> = board(&events).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(on_board, ["HTI-2021-05"]);
        assert!(!events[1].on_board);
        // Once it has grown past the threshold the small series is on the board.
        alerts[3].people_above_expected = 900.0;
        let events = group_alerts(&alerts, &rules(3), Period::Month(2021, 7));
        assert_eq!(board(&events).len(), 2);
    }
}
