//! The secretariat's other records — sessions, progress reports, funding, task updates,
//! recommendations — as typed values with the rules that decide whether one may be
//! written. The store writes what these accept; nothing else checks them.

use std::fmt;
use std::str::FromStr;

use crate::playbook::TaskStatus;
use crate::{Date, GovernanceError, Result};

fn invalid(field: &str, message: impl Into<String>) -> GovernanceError {
    GovernanceError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Longest free text accepted in one field of a record (titles, notes, minutes are
/// longer: [`MAX_LONG_TEXT_CHARS`]).
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest minutes, notes or evidence text.
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;

fn bounded(field: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("is {n} characters long; at most {max} are kept"),
        ));
    }
    Ok(())
}

/// A ministerial or an emergency session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A regular ministerial: assesses commitments.
    Ministerial,
    /// An emergency session, usually on an early-warning event.
    Emergency,
}

impl SessionKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Ministerial => "ministerial",
            SessionKind::Emergency => "emergency",
        }
    }
}

impl FromStr for SessionKind {
    type Err = GovernanceError;
    fn from_str(text: &str) -> Result<SessionKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ministerial" => Ok(SessionKind::Ministerial),
            "emergency" => Ok(SessionKind::Emergency),
            _ => Err(invalid(
                "kind",
                format!("{text:?} is not a session kind; use ministerial or emergency"),
            )),
        }
    }
}

impl fmt::Display for SessionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A session to open.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// Ministerial or emergency.
    pub kind: SessionKind,
    /// Date held.
    pub held_on: Date,
    /// Host state or organisation.
    pub host: String,
    /// Title.
    pub title: String,
    /// Participants.
    pub participants: Vec<String>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Early-warning event an emergency session responds to (checked against the
    /// events by the caller, which knows them).
    pub event_id: Option<String>,
    /// Goals of the emergency pillar opened for the event.
    pub emergency_goals: Vec<String>,
}

impl NewSession {
    /// Refuse a session without a host, an event on a ministerial, or oversized text.
    pub fn validate(&self) -> Result<()> {
        if self.host.trim().is_empty() {
            return Err(invalid("host", "the session has no host"));
        }
        bounded("host", &self.host, MAX_TEXT_CHARS)?;
        bounded("title", &self.title, MAX_TEXT_CHARS)?;
        bounded("minutes", &self.minutes, MAX_LONG_TEXT_CHARS)?;
        for p in &self.participants {
            bounded("participant", p, MAX_TEXT_CHARS)?;
            if p.contains(',') {
                return Err(invalid(
                    "participant",
                    format!("{p:?} contains a comma; give one participant per entry"),
                ));
            }
        }
        for a in &self.agenda {
            bounded("agenda", a, MAX_TEXT_CHARS)?;
        }
        match (&self.event_id, self.kind) {
            (Some(_), SessionKind::Ministerial) => Err(invalid(
                "event",
                "only an emergency session is opened from an event",
            )),
            (Some(e), SessionKind::Emergency) if e.trim().is_empty() => {
                Err(invalid("event", "the event id is empty"))
            }
            _ => Ok(()),
        }
    }
}

/// Key of the emergency pillar opened for an event.
pub fn emergency_pillar_key(event_id: &str) -> String {
    format!("E-{event_id}")
}

/// Commitments are assessed at ministerials only.
pub fn check_assessable(session_kind: SessionKind, session_id: i64) -> Result<()> {
    match session_kind {
        SessionKind::Ministerial => Ok(()),
        SessionKind::Emergency => Err(invalid(
            "session",
            format!("session {session_id} is an emergency session; commitments are assessed at ministerials"),
        )),
    }
}

/// One progress report on a commitment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgressReport {
    /// Commitment.
    pub commitment_id: i64,
    /// Date the value refers to.
    pub reported_on: Date,
    /// Value, in the commitment's unit.
    pub value: f64,
    /// Who reported it.
    pub source: String,
    /// Link to the evidence.
    pub evidence_url: String,
}

impl ProgressReport {
    /// Refuse a value that is not a number, a report without source, or oversized text.
    pub fn validate(&self) -> Result<()> {
        if !self.value.is_finite() {
            return Err(invalid("value", "the value is not a number"));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "a progress report needs its source"));
        }
        bounded("source", &self.source, MAX_TEXT_CHARS)?;
        bounded("evidence", &self.evidence_url, MAX_TEXT_CHARS)
    }
}

/// A pledge or a disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingKind {
    /// Money promised.
    Pledge,
    /// Money paid out.
    Disbursement,
}

impl FundingKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FundingKind::Pledge => "pledge",
            FundingKind::Disbursement => "disbursement",
        }
    }
}

impl FromStr for FundingKind {
    type Err = GovernanceError;
    fn from_str(text: &str) -> Result<FundingKind> {
        match text {
            "pledge" => Ok(FundingKind::Pledge),
            "disbursement" => Ok(FundingKind::Disbursement),
            _ => Err(invalid(
                "kind",
                format!("{text:?} is not pledge or disbursement"),
            )),
        }
    }
}

impl fmt::Display for FundingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pledge or disbursement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FundingEntry {
    /// Pledge or disbursement.
    pub kind: FundingKind,
    /// Donor.
    pub donor: String,
    /// Recipient.
    pub recipient: String,
    /// Pillar key.
    pub pillar: String,
    /// Commitment funded, if one.
    pub commitment_id: Option<i64>,
    /// Amount.
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// Date.
    pub dated_on: Date,
    /// Note.
    pub note: String,
}

/// Normalise a currency code as typed (`usd` → `USD`), refusing what is not three letters.
pub fn currency_code(text: &str) -> Result<String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            "currency",
            format!("{text:?} is not an ISO 4217 code such as USD or CAD"),
        ));
    }
    Ok(code)
}

impl FundingEntry {
    /// Refuse an entry without donor or recipient, a non-positive amount, a bad
    /// currency, or a pillar or commitment the declaration does not have.
    pub fn validate(&self, declaration: &crate::Declaration) -> Result<()> {
        if self.donor.trim().is_empty() || self.recipient.trim().is_empty() {
            return Err(invalid("donor", "funding needs a donor and a recipient"));
        }
        bounded("donor", &self.donor, MAX_TEXT_CHARS)?;
        bounded("recipient", &self.recipient, MAX_TEXT_CHARS)?;
        bounded("note", &self.note, MAX_LONG_TEXT_CHARS)?;
        if !(self.amount.is_finite() && self.amount > 0.0) {
            return Err(invalid(
                "amount",
                format!("{} is not a positive amount", self.amount),
            ));
        }
        if currency_code(&self.currency)? != self.currency {
            return Err(invalid(
                "currency",
                format!("{:?}: write the code in capitals, e.g. USD", self.currency),
            ));
        }
        if declaration.pillar(&self.pillar).is_none() {
            return Err(GovernanceError::UnknownPillar(self.pillar.clone()));
        }
        if let Some(c) = self.commitment_id {
            if !declaration.commitments.iter().any(|x| x.id == c) {
                return Err(GovernanceError::UnknownCommitment(c));
            }
        }
        Ok(())
    }
}

/// A change asked for on a response task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskUpdate {
    /// New status.
    pub status: Option<TaskStatus>,
    /// New assignee.
    pub assignee: Option<String>,
    /// Evidence (a link or a sentence).
    pub evidence: Option<String>,
}

/// A task's editable state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    /// Status.
    pub status: TaskStatus,
    /// Assignee.
    pub assignee: String,
    /// Evidence.
    pub evidence: String,
}

impl TaskUpdate {
    /// The task after the update. A task is done only with evidence; an assignee
    /// cannot be emptied; an update must change something.
    pub fn apply(&self, current: &TaskFields) -> Result<TaskFields> {
        if self.status.is_none() && self.assignee.is_none() && self.evidence.is_none() {
            return Err(invalid(
                "task",
                "nothing to change: give a status, an assignee or evidence",
            ));
        }
        let mut next = current.clone();
        if let Some(a) = &self.assignee {
            if a.trim().is_empty() {
                return Err(invalid("assignee", "the assignee is empty"));
            }
            bounded("assignee", a, MAX_TEXT_CHARS)?;
            next.assignee = a.trim().to_owned();
        }
        if let Some(e) = &self.evidence {
            bounded("evidence", e, MAX_LONG_TEXT_CHARS)?;
            next.evidence = e.trim().to_owned();
        }
        if let Some(s) = self.status {
            if s == TaskStatus::Done && next.evidence.is_empty() {
                return Err(invalid(
                    "evidence",
                    "a task is done only with evidence: say what was done or link to it",
                ));
            }
            next.status = s;
        }
        Ok(next)
    }
}

/// Refuse an empty or oversized recommendation.
pub fn check_recommendation(text: &str, addressed_to: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid("text", "the recommendation is empty"));
    }
    bounded("text", text, MAX_LONG_TEXT_CHARS)?;
    bounded("to", addressed_to, MAX_TEXT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> NewSession {
        NewSession {
            kind: SessionKind::Ministerial,
            held_on: Date::parse("2022-10-06").unwrap(),
            host: "PER".into(),
            title: "First ministerial".into(),
            participants: vec!["COL".into()],
            agenda: vec![],
            minutes: String::new(),
            event_id: None,
            emergency_goals: vec![],
        }
    }

    #[test]
    fn sessions_need_a_host_and_events_only_on_emergencies() {
        assert!(session().validate().is_ok());
        let no_host = NewSession {
            host: " ".into(),
            ..session()
        };
        assert_eq!(no_host.validate().unwrap_err().field(), "host");
        let event = NewSession {
            event_id: Some("HTI-2021-01".into()),
            ..session()
        };
        assert_eq!(event.validate().unwrap_err().field(), "event");
        let emergency = NewSession {
            kind: SessionKind::Emergency,
            ..event
        };
        assert!(emergency.validate().is_ok());
        assert!("extraordinary".parse::<SessionKind>().is_err());
        assert_eq!(
            "Emergency".parse::<SessionKind>().unwrap(),
            SessionKind::Emergency
        );
    }

    #[test]
    fn tasks_are_done_only_with_evidence() {
        let open = TaskFields {
            status: TaskStatus::Open,
            assignee: "PAN".into(),
            evidence: String::new(),
        };
        let done = TaskUpdate {
            status: Some(TaskStatus::Done),
            ..Default::default()
        };
        assert_eq!(done.apply(&open).unwrap_err().field(), "evidence");
        let with_evidence = TaskUpdate {
            evidence: Some("shelters opened".into()),
            ..done
        };
        assert_eq!(with_evidence.apply(&open).unwrap().status, TaskStatus::Done);
        assert!(TaskUpdate::default().apply(&open).is_err());
        let blank = TaskUpdate {
            assignee: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(blank.apply(&open).unwrap_err().field(), "assignee");
    }

    #[test]
    fn currencies_are_three_letters_in_capitals() {
        assert_eq!(currency_code("usd").unwrap(), "USD");
        assert!(currency_code("US$").is_err());
        assert!(currency_code("dollars").is_err());
    }

    #[test]
    fn text_is_bounded() {
        let long = NewSession {
            title: "x".repeat(MAX_TEXT_CHARS + 1),
            ..session()
        };
        assert_eq!(long.validate().unwrap_err().field(), "title");
    }
}
