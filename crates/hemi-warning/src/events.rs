//! Events: alerts for one nationality in several reporting countries, grouped, and the
//! event lifecycle as a pure state machine.
//!
//! # Grouping
//! Alerts are taken in month order (reporting country breaks ties, so the result does
//! not depend on input order). An alert joins the open event of its nationality when
//! that event's latest alert is at most `window_months` months earlier; otherwise it
//! opens a new event. Since an alert only ever joins an *earlier* event, the event of an
//! alert at month `m` depends only on alerts at months `<= m`: grouping the alerts known
//! at `as_of` gives the same events, truncated, as grouping everything ([`events_as_of`]).
//!
//! The id is `"<nationality>-<YYYY-MM of the first alert>"`, e.g. `HTI-2021-05`
//! (`ALL-…` for alerts on totals across nationalities): deterministic and unique, since a
//! second alert of the same nationality in the same month joins the first one's event.
//!
//! # Lifecycle
//! `detected → confirmed → response → closed`, and `dismissed` from `detected` or
//! `confirmed`. [`transition`] refuses any other move and a move without a person or a
//! reason, so the audit trail always says who decided what and why.

use std::fmt;
use std::str::FromStr;

use hemi_core::Period;

use crate::replay::ReplayRow;

/// One alert month of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRef {
    /// Reporting country.
    pub reporting: String,
    /// Nationality; `None` for a total.
    pub nationality: Option<String>,
    /// Alert month.
    pub month: Period,
    /// Count in that month.
    pub value: f64,
}

/// Where an event stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
#[derive(Debug, Clone, PartialEq)]
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

/// Alerts of one nationality across reporting countries.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `"HTI-2021-05"`: nationality and first alert month.
    pub id: String,
    /// Nationality code (`"ALL"` for totals across nationalities).
    pub nationality: String,
    /// Month of the first alert.
    pub first_alert: Period,
    /// Month of the latest alert.
    pub last_alert: Period,
    /// Reporting countries in the order of their first alert.
    pub countries: Vec<String>,
    /// The alerts, in month order.
    pub alerts: Vec<AlertRef>,
    /// Lifecycle status; grouping yields `Detected`, the caller applies recorded moves.
    pub status: EventStatus,
}

/// Groups alerts into events (see the module documentation).
pub fn group_alerts(alerts: &[AlertRef], window_months: usize) -> Vec<Event> {
    let mut sorted: Vec<&AlertRef> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        (a.month, &a.reporting, &a.nationality).cmp(&(b.month, &b.reporting, &b.nationality))
    });
    let mut events: Vec<Event> = Vec::new();
    for alert in sorted {
        let nationality = alert.nationality.as_deref().unwrap_or("ALL");
        let open = events.iter_mut().rev().find(|e| {
            e.nationality == nationality
                && e.last_alert
                    .distance_to(alert.month)
                    .is_some_and(|d| d <= window_months as i32)
        });
        match open {
            Some(event) => {
                event.last_alert = alert.month;
                if !event.countries.contains(&alert.reporting) {
                    event.countries.push(alert.reporting.clone());
                }
                event.alerts.push(alert.clone());
            }
            None => events.push(Event {
                id: format!("{nationality}-{}", alert.month),
                nationality: nationality.to_owned(),
                first_alert: alert.month,
                last_alert: alert.month,
                countries: vec![alert.reporting.clone()],
                alerts: vec![alert.clone()],
                status: EventStatus::Detected,
            }),
        }
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
        })
        .collect()
}

/// Events as known at `as_of`: grouping of the alerts at months `<= as_of` only.
pub fn events_as_of(rows: &[ReplayRow], as_of: Period, window_months: usize) -> Vec<Event> {
    let alerts: Vec<AlertRef> = alerts_of(rows)
        .into_iter()
        .filter(|a| a.month <= as_of)
        .collect();
    group_alerts(&alerts, window_months)
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
        let events = group_alerts(&alerts, 3);
        alerts.reverse();
        assert_eq!(group_alerts(&alerts, 3), events);
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["HTI-2021-05", "VEN-2021-06", "HTI-2022-06"]);
        assert_eq!(events[0].countries, ["PAN", "HND", "MEX", "USA"]);
        assert_eq!(events[0].last_alert, Period::Month(2021, 9));
        // Window 1: MEX/HND at 2021-07 are two months after PAN's 2021-05 alert.
        let narrow = group_alerts(&alerts, 1);
        assert_eq!(narrow.iter().filter(|e| e.nationality == "HTI").count(), 4);
    }
}
