//! The Safe Mobility Office case model: applications (a household with members),
//! screening interviews, referrals that reserve a place, outcomes with dates, queue
//! views with waiting times, and duplicate applications for a caseworker to resolve.
//!
//! Modelled on the refugee-processing case structure (a case is a household; each
//! member is screened and referred on their own), with one active referral per person
//! and program. Everything is a pure function over case lists and an `as_of` date.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::date::Date;
use crate::error::PathwaysError;
use crate::facts::Facts;

/// One person in a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Person id.
    pub person_id: String,
    /// Given names.
    pub given_names: String,
    /// Family names.
    pub family_names: String,
    /// Date of birth, if known.
    pub date_of_birth: Option<Date>,
    /// `female` or `male`.
    pub sex: String,
    /// Nationality (ISO3).
    pub nationality: String,
    /// Relationship to the principal applicant (`principal`, `spouse`, `child`, ...).
    pub relationship: String,
}

/// An application to a Safe Mobility Office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// Id.
    pub application_id: String,
    /// Office key (`SMO-COL-BOG`).
    pub office: String,
    /// Day received.
    pub received_on: Date,
    /// The household.
    pub members: Vec<Member>,
    /// Withdrawn by the applicant on this date.
    pub withdrawn_on: Option<Date>,
}

/// A screening interview of one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// Application.
    pub application_id: String,
    /// Person.
    pub person_id: String,
    /// Day held.
    pub held_on: Date,
    /// Caseworker.
    pub interviewer: String,
    /// Facts recorded.
    pub facts: Facts,
    /// Notes.
    pub notes: String,
}

/// What became of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The receiving program approved.
    Approved,
    /// It denied.
    Denied,
    /// The person withdrew.
    Withdrawn,
    /// The person travelled.
    Travelled,
}

/// A dated outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// What.
    pub kind: OutcomeKind,
    /// When.
    pub on: Date,
    /// Why, in words (required for a denial).
    pub reason: String,
}

/// A referral of one person to one program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Id.
    pub referral_id: String,
    /// Application.
    pub application_id: String,
    /// Person.
    pub person_id: String,
    /// Program key.
    pub program: String,
    /// Day referred (the place is reserved on this day).
    pub referred_on: Date,
    /// Outcomes in order.
    pub outcomes: Vec<Outcome>,
}

impl Referral {
    /// The latest outcome, if any.
    pub fn state(&self) -> Option<OutcomeKind> {
        self.outcomes.last().map(|o| o.kind)
    }

    /// Active: pending, or approved and not yet travelled.
    pub fn is_active(&self) -> bool {
        matches!(self.state(), None | Some(OutcomeKind::Approved))
    }
}

/// Refuse a second active referral of the same person to the same program.
pub fn check_new_referral(
    existing: &[Referral],
    person_id: &str,
    program: &str,
) -> Result<(), PathwaysError> {
    match existing
        .iter()
        .find(|r| r.person_id == person_id && r.program == program && r.is_active())
    {
        Some(r) => Err(PathwaysError::SecondActiveReferral {
            person_id: person_id.to_owned(),
            program: program.to_owned(),
            existing_referral_id: r.referral_id.clone(),
        }),
        None => Ok(()),
    }
}

/// Record an outcome if it follows from the referral's state: pending → approved,
/// denied or withdrawn; approved → travelled or withdrawn; nothing after denied,
/// withdrawn or travelled; dates never go back. Returns the ledger movement the store
/// must make for the place: `Some(true)` uses it, `Some(false)` releases it.
pub fn record_outcome(
    referral: &mut Referral,
    outcome: Outcome,
) -> Result<Option<bool>, PathwaysError> {
    use OutcomeKind::*;
    let from = referral.state();
    let allowed = matches!(
        (from, outcome.kind),
        (None, Approved | Denied | Withdrawn) | (Some(Approved), Travelled | Withdrawn)
    );
    let name = |k: Option<OutcomeKind>| match k {
        None => "pending".to_owned(),
        Some(k) => format!("{k:?}").to_lowercase(),
    };
    if !allowed {
        return Err(PathwaysError::BadOutcome {
            referral_id: referral.referral_id.clone(),
            from: name(from),
            to: name(Some(outcome.kind)),
        });
    }
    let last = referral
        .outcomes
        .last()
        .map(|o| o.on)
        .unwrap_or(referral.referred_on);
    if outcome.on < last {
        return Err(PathwaysError::DateOrder {
            what: name(Some(outcome.kind)),
            date: outcome.on,
            after_what: name(from),
            after: last,
        });
    }
    if outcome.kind == Denied && outcome.reason.trim().is_empty() {
        return Err(PathwaysError::Invalid {
            field: "reason".into(),
            message: "a denial needs a reason the applicant can be told".into(),
        });
    }
    let movement = match outcome.kind {
        Travelled => Some(true),
        Denied | Withdrawn => Some(false),
        Approved => None,
    };
    referral.outcomes.push(outcome);
    Ok(movement)
}

/// Where a case stands in the office's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No member interviewed yet.
    AwaitingScreening,
    /// Interviewed, nobody referred yet.
    AwaitingReferral,
    /// Referred, waiting for the program's decision.
    AwaitingDecision,
    /// Approved, waiting to travel.
    AwaitingTravel,
    /// Every referral has a final outcome, or the application was withdrawn.
    Closed,
}

/// One row of a queue view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    /// Application.
    pub application_id: String,
    /// Stage.
    pub stage: Stage,
    /// Days since the application was received.
    pub waiting_days: i64,
    /// Days since the stage began.
    pub days_in_stage: i64,
    /// Household size.
    pub members: usize,
}

/// Queue of one office with waiting-time figures per stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// Office.
    pub office: String,
    /// Open applications, longest waiting first.
    pub rows: Vec<QueueRow>,
    /// Per stage: (applications, median days waiting, longest days waiting).
    pub by_stage: BTreeMap<Stage, (usize, i64, i64)>,
}

/// The queue of `office` as of `as_of` (applications received later are left out).
pub fn queue(
    office: &str,
    applications: &[Application],
    interviews: &[Interview],
    referrals: &[Referral],
    as_of: Date,
) -> QueueView {
    let mut interviewed: HashMap<&str, Date> = HashMap::new();
    for i in interviews.iter().filter(|i| i.held_on <= as_of) {
        let e = interviewed
            .entry(i.application_id.as_str())
            .or_insert(i.held_on);
        *e = (*e).min(i.held_on);
    }
    let mut by_app: HashMap<&str, Vec<&Referral>> = HashMap::new();
    for r in referrals.iter().filter(|r| r.referred_on <= as_of) {
        by_app.entry(r.application_id.as_str()).or_default().push(r);
    }
    let mut rows = Vec::new();
    for a in applications
        .iter()
        .filter(|a| a.office == office && a.received_on <= as_of)
    {
        let refs = by_app
            .get(a.application_id.as_str())
            .cloned()
            .unwrap_or_default();
        let state_of = |r: &Referral| {
            r.outcomes
                .iter()
                .rfind(|o| o.on <= as_of)
                .map(|o| (o.kind, o.on))
        };
        let (stage, since) = if a.withdrawn_on.is_some_and(|w| w <= as_of) {
            (Stage::Closed, a.withdrawn_on.expect("checked"))
        } else if refs.is_empty() {
            match interviewed.get(a.application_id.as_str()) {
                Some(d) => (Stage::AwaitingReferral, *d),
                None => (Stage::AwaitingScreening, a.received_on),
            }
        } else if let Some(r) = refs.iter().find(|r| state_of(r).is_none()) {
            (Stage::AwaitingDecision, r.referred_on)
        } else if let Some((_, on)) = refs
            .iter()
            .filter_map(|r| state_of(r))
            .find(|(k, _)| *k == OutcomeKind::Approved)
        {
            (Stage::AwaitingTravel, on)
        } else {
            (
                Stage::Closed,
                refs.iter()
                    .filter_map(|r| state_of(r))
                    .map(|(_, d)| d)
                    .max()
                    .unwrap_or(a.received_on),
            )
        };
        rows.push(QueueRow {
            application_id: a.application_id.clone(),
            stage,
            waiting_days: a.received_on.days_until(as_of),
            days_in_stage: since.days_until(as_of),
            members: a.members.len(),
        });
    }
    let mut by_stage: BTreeMap<Stage, Vec<i64>> = BTreeMap::new();
    for r in &rows {
        by_stage.entry(r.stage).or_default().push(r.waiting_days);
    }
    let by_stage = by_stage
        .into_iter()
        .map(|(s, mut v)| {
            v.sort_unstable();
            let median = if v.len() % 2 == 1 {
                v[v.len() / 2]
            } else {
                (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2
            };
            (s, (v.len(), median, *v.last().expect("non-empty")))
        })
        .collect();
    rows.retain(|r| r.stage != Stage::Closed);
    rows.sort_by(|a, b| {
        b.waiting_days
            .cmp(&a.waiting_days)
            .then(a.application_id.cmp(&b.application_id))
    });
    QueueView {
        office: office.to_owned(),
        rows,
        by_stage,
    }
}

/// How two member records look alike.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Likeness {
    /// Same name (ignoring case and accents) and same date of birth.
    Exact,
    /// Similar name and the same (or day/month-swapped) date of birth.
    Fuzzy {
        /// Jaro–Winkler similarity of the full names, 0–1.
        name_similarity: f64,
        /// Whether day and month of birth are swapped.
        date_swapped: bool,
    },
}

/// A possible duplicate for a caseworker to resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateFlag {
    /// First record (application, person).
    pub first: (String, String),
    /// Second record.
    pub second: (String, String),
    /// How alike.
    pub likeness: Likeness,
}

/// Name folded for comparison: lower case, accents removed (NFD then combining marks
/// dropped), tokens sorted so "Pérez Ana" equals "Ana Perez".
pub fn fold_name(given: &str, family: &str) -> String {
    let text = format!("{given} {family}");
    let stripped: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let mut tokens: Vec<&str> = stripped.split_whitespace().collect();
    tokens.sort_unstable();
    tokens.join(" ")
}

/// Flag members of different applications (or the same one) who look like one person:
/// exact on folded name and date of birth, fuzzy when the Jaro–Winkler similarity
/// (strsim; Winkler 1990) of the folded names is at least `min_similarity` and the
/// dates of birth are equal or have day and month swapped. Records are blocked by date
/// of birth, so the cost grows with people per birth date, not with the square of
/// the caseload. Members without a date of birth are not compared.
pub fn find_duplicates(applications: &[Application], min_similarity: f64) -> Vec<DuplicateFlag> {
    struct Rec<'a> {
        app: &'a str,
        person: &'a str,
        name: String,
        dob: Date,
    }
    let mut blocks: BTreeMap<(i32, u32, u32), Vec<Rec>> = BTreeMap::new();
    for a in applications {
        for m in &a.members {
            let Some(dob) = m.date_of_birth else { continue };
            let (d, mo) = (dob.day(), dob.month());
            // Key on the unordered day/month pair so swapped dates share a block.
            let key = (dob.year(), d.min(mo), d.max(mo));
            blocks.entry(key).or_default().push(Rec {
                app: &a.application_id,
                person: &m.person_id,
                name: fold_name(&m.given_names, &m.family_names),
                dob,
            });
        }
    }
    let mut flags = Vec::new();
    for recs in blocks.values() {
        for i in 0..recs.len() {
            for j in i + 1..recs.len() {
                let (a, b) = (&recs[i], &recs[j]);
                if a.app == b.app && a.person == b.person {
                    continue;
                }
                let swapped = a.dob != b.dob;
                let likeness = if a.name == b.name && !swapped {
                    Likeness::Exact
                } else {
                    let sim = strsim::jaro_winkler(&a.name, &b.name);
                    if sim < min_similarity {
                        continue;
                    }
                    Likeness::Fuzzy {
                        name_similarity: (sim * 1000.0).round() / 1000.0,
                        date_swapped: swapped,
                    }
                };
                flags.push(DuplicateFlag {
                    first: (a.app.to_owned(), a.person.to_owned()),
                    second: (b.app.to_owned(), b.person.to_owned()),
                    likeness,
                });
            }
        }
    }
    flags
}
