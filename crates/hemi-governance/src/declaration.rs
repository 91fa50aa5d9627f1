//! The living declaration: pillars with goals, deliverables, signatories and a summary
//! of each commitment, changed only by typed [`Change`]s and compared with [`diff`].
//!
//! Seed 001 asks for a declaration that ministerials can amend ("add, modify, or remove
//! pillars", temporary and emergency pillars) and that survives a signatory leaving
//! ("alternate arrangements to continue meeting these commitments"). Every version is a
//! whole [`Declaration`]; the store keeps one per decision, so showing a past version
//! needs no replay and two versions are compared field by field.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::commitment::{CommitmentSummary, NewCommitment};
use crate::date::Date;
use crate::{line_of, GovernanceError, Result};

/// How long a pillar is meant to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PillarKind {
    /// One of the standing pillars (appendix B).
    Permanent,
    /// Near- to medium-term challenges (a displacement, a disaster).
    Temporary,
    /// Short-term, opened by an emergency session for one migration event.
    Emergency,
}

impl PillarKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PillarKind::Permanent => "permanent",
            PillarKind::Temporary => "temporary",
            PillarKind::Emergency => "emergency",
        }
    }

    /// Parse a lower-case name.
    pub fn parse(text: &str) -> Result<PillarKind> {
        match text {
            "permanent" => Ok(PillarKind::Permanent),
            "temporary" => Ok(PillarKind::Temporary),
            "emergency" => Ok(PillarKind::Emergency),
            other => Err(GovernanceError::Invalid {
                field: "kind".into(),
                message: format!(
                    "{other:?} is not a pillar kind; use permanent, temporary or emergency"
                ),
            }),
        }
    }
}

/// Whether a pillar is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PillarStatus {
    /// In force.
    Active,
    /// Closed by a session; kept for the record.
    Closed,
}

/// A pillar and its goals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pillar {
    /// Short key, e.g. `P1`, `E-VEN-2022-09`.
    pub key: String,
    /// Title.
    pub title: String,
    /// Permanent, temporary or emergency.
    pub kind: PillarKind,
    /// Goals, in order.
    pub goals: Vec<String>,
    /// The early-warning event an emergency pillar responds to.
    pub event_id: Option<String>,
    /// Active or closed.
    pub status: PillarStatus,
    /// Date a session must review it by (set when a session continues it).
    pub review_by: Option<Date>,
    /// Date it was closed.
    pub closed_on: Option<Date>,
}

/// A deliverable announced under a pillar by one state (appendix B).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deliverable {
    /// Short key, e.g. `P1-D2`.
    pub key: String,
    /// Pillar key.
    pub pillar: String,
    /// The state (ISO3) that announced it.
    pub owner: String,
    /// What was announced.
    pub text: String,
    /// `planned` ("will ...") or `done` ("launched", "issued" ...) when announced.
    pub status: String,
}

/// State or international organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatoryKind {
    /// A state, by ISO3 code.
    State,
    /// An international organisation, by short code.
    Organisation,
}

/// A signatory with its join and withdrawal dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signatory {
    /// ISO3 for a state, a short code for an organisation (e.g. `IOM`).
    pub code: String,
    /// Name.
    pub name: String,
    /// State or organisation.
    pub kind: SignatoryKind,
    /// Date it signed or joined.
    pub joined_on: Date,
    /// Date it withdrew.
    pub withdrew_on: Option<Date>,
}

/// One whole version of the declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Declaration {
    /// Title.
    pub title: String,
    /// Date adopted.
    pub adopted_on: String,
    /// Pillars, in order.
    pub pillars: Vec<Pillar>,
    /// Deliverables, in order.
    pub deliverables: Vec<Deliverable>,
    /// Signatories, in order of joining.
    pub signatories: Vec<Signatory>,
    /// Commitments, by id.
    pub commitments: Vec<CommitmentSummary>,
}

impl Declaration {
    /// A pillar by key.
    pub fn pillar(&self, key: &str) -> Option<&Pillar> {
        self.pillars.iter().find(|p| p.key == key)
    }

    /// Signatories that had joined and not withdrawn on `on`.
    pub fn signatories_on(&self, on: &Date) -> Vec<&Signatory> {
        self.signatories
            .iter()
            .filter(|s| s.joined_on <= *on && s.withdrew_on.as_ref().is_none_or(|w| w > on))
            .collect()
    }

    /// Active emergency pillars a ministerial on `on` must continue, change, narrow or
    /// close: those never reviewed, and those whose review date has come.
    pub fn emergency_pillars_due(&self, on: &Date) -> Vec<&Pillar> {
        self.pillars
            .iter()
            .filter(|p| p.kind == PillarKind::Emergency && p.status == PillarStatus::Active)
            .filter(|p| p.review_by.as_ref().is_none_or(|r| r <= on))
            .collect()
    }

    /// True when `code` is a signatory that has not withdrawn.
    pub fn is_active_signatory(&self, code: &str) -> bool {
        self.signatories
            .iter()
            .any(|s| s.code == code && s.withdrew_on.is_none())
    }
}

/// Who takes over (or how the region covers) a withdrawing signatory's commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternate {
    /// The commitment of the withdrawing signatory.
    pub commitment_id: i64,
    /// The arrangement, in words.
    pub arrangement: String,
    /// The signatory that takes it over, when one does.
    pub new_owner: Option<String>,
}

/// A typed change to the declaration, as decided in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// Add a pillar.
    AddPillar {
        /// Key.
        key: String,
        /// Title.
        title: String,
        /// Kind.
        kind: PillarKind,
        /// Goals.
        goals: Vec<String>,
        /// Event it responds to (emergency pillars).
        event_id: Option<String>,
    },
    /// Change a pillar's title and/or goals.
    ModifyPillar {
        /// Key.
        key: String,
        /// New title.
        title: Option<String>,
        /// New goals (replace the old ones).
        goals: Option<Vec<String>>,
    },
    /// Keep a pillar in force until a review date.
    ContinuePillar {
        /// Key.
        key: String,
        /// Review date.
        review_by: Option<Date>,
    },
    /// Keep only some of a pillar's goals.
    NarrowPillar {
        /// Key.
        key: String,
        /// Goals kept (each must be one of the pillar's).
        keep_goals: Vec<String>,
    },
    /// Close a pillar (kept for the record).
    ClosePillar {
        /// Key.
        key: String,
    },
    /// Remove a pillar and its deliverables from the declaration.
    RemovePillar {
        /// Key.
        key: String,
    },
    /// Add a deliverable.
    AddDeliverable {
        /// The deliverable.
        deliverable: Deliverable,
    },
    /// Change a deliverable's status.
    SetDeliverableStatus {
        /// Key.
        key: String,
        /// New status.
        status: String,
    },
    /// A state or organisation joins.
    AddSignatory {
        /// The signatory (its `joined_on` is the decision's date when empty).
        signatory: Signatory,
    },
    /// A signatory withdraws; its commitments others depend on need alternates.
    WithdrawSignatory {
        /// Code.
        code: String,
        /// Arrangements for its commitments.
        alternates: Vec<Alternate>,
    },
    /// A commitment is made.
    AddCommitment {
        /// The commitment.
        commitment: CommitmentSummary,
    },
    /// A commitment's status changes (an assessment decided to stop it).
    SetCommitmentStatus {
        /// Id.
        id: i64,
        /// `active`, `stopped`, `complete` or `withdrawn`.
        status: String,
    },
}

impl Change {
    /// One line for tables and minutes.
    pub fn summary(&self) -> String {
        match self {
            Change::AddPillar {
                key, kind, title, ..
            } => {
                format!("add {} pillar {key}: {title}", kind.as_str())
            }
            Change::ModifyPillar { key, .. } => format!("modify pillar {key}"),
            Change::ContinuePillar { key, review_by } => match review_by {
                Some(d) => format!("continue pillar {key} until {d}"),
                None => format!("continue pillar {key}"),
            },
            Change::NarrowPillar { key, keep_goals } => {
                format!("narrow pillar {key} to {} goal(s)", keep_goals.len())
            }
            Change::ClosePillar { key } => format!("close pillar {key}"),
            Change::RemovePillar { key } => format!("remove pillar {key}"),
            Change::AddDeliverable { deliverable } => {
                format!(
                    "add deliverable {} ({})",
                    deliverable.key, deliverable.owner
                )
            }
            Change::SetDeliverableStatus { key, status } => {
                format!("deliverable {key} is {status}")
            }
            Change::AddSignatory { signatory } => format!("{} joins", signatory.code),
            Change::WithdrawSignatory { code, alternates } => {
                format!(
                    "{code} withdraws ({} alternate arrangement(s))",
                    alternates.len()
                )
            }
            Change::AddCommitment { commitment } => format!(
                "commitment {} by {}: {}",
                commitment.id, commitment.owner, commitment.title
            ),
            Change::SetCommitmentStatus { id, status } => format!("commitment {id} is {status}"),
        }
    }
}

fn pillar_mut<'a>(decl: &'a mut Declaration, key: &str) -> Result<&'a mut Pillar> {
    let pillar = decl
        .pillars
        .iter_mut()
        .find(|p| p.key == key)
        .ok_or_else(|| GovernanceError::UnknownPillar(key.to_owned()))?;
    if pillar.status == PillarStatus::Closed {
        return Err(GovernanceError::ClosedPillar(key.to_owned()));
    }
    Ok(pillar)
}

fn nonempty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(GovernanceError::Invalid {
            field: field.into(),
            message: "is empty".into(),
        })
    } else {
        Ok(())
    }
}

const COMMITMENT_STATUSES: [&str; 4] = ["active", "stopped", "complete", "withdrawn"];

/// Apply one change decided on `on`, refusing it (and leaving `decl` as it was) when it
/// refers to something that does not exist or breaks a rule.
pub fn apply(decl: &Declaration, change: &Change, on: &Date) -> Result<Declaration> {
    let mut next = decl.clone();
    match change {
        Change::AddPillar {
            key,
            title,
            kind,
            goals,
            event_id,
        } => {
            nonempty("key", key)?;
            nonempty("title", title)?;
            if next.pillars.iter().any(|p| p.key == *key) {
                return Err(GovernanceError::DuplicatePillar(key.clone()));
            }
            if *kind == PillarKind::Emergency && event_id.is_none() {
                return Err(GovernanceError::Invalid {
                    field: "event".into(),
                    message: format!("emergency pillar {key} names no event"),
                });
            }
            next.pillars.push(Pillar {
                key: key.clone(),
                title: title.clone(),
                kind: *kind,
                goals: goals.clone(),
                event_id: event_id.clone(),
                status: PillarStatus::Active,
                review_by: None,
                closed_on: None,
            });
        }
        Change::ModifyPillar { key, title, goals } => {
            let p = pillar_mut(&mut next, key)?;
            if let Some(t) = title {
                nonempty("title", t)?;
                p.title = t.clone();
            }
            if let Some(g) = goals {
                p.goals = g.clone();
            }
        }
        Change::ContinuePillar { key, review_by } => {
            let p = pillar_mut(&mut next, key)?;
            if let Some(r) = review_by {
                if r <= on {
                    return Err(GovernanceError::Invalid {
                        field: "review_by".into(),
                        message: format!("review date {r} is not after the decision date {on}"),
                    });
                }
            }
            p.review_by = review_by.clone();
        }
        Change::NarrowPillar { key, keep_goals } => {
            let p = pillar_mut(&mut next, key)?;
            for g in keep_goals {
                if !p.goals.contains(g) {
                    return Err(GovernanceError::UnknownGoal {
                        pillar: key.clone(),
                        goal: g.clone(),
                    });
                }
            }
            if keep_goals.is_empty() {
                return Err(GovernanceError::Invalid {
                    field: "keep_goals".into(),
                    message: format!("narrowing pillar {key} to no goal; close it instead"),
                });
            }
            p.goals.retain(|g| keep_goals.contains(g));
        }
        Change::ClosePillar { key } => {
            let p = pillar_mut(&mut next, key)?;
            p.status = PillarStatus::Closed;
            p.closed_on = Some(on.clone());
            p.review_by = None;
        }
        Change::RemovePillar { key } => {
            if !next.pillars.iter().any(|p| p.key == *key) {
                return Err(GovernanceError::UnknownPillar(key.clone()));
            }
            if let Some(c) = next
                .commitments
                .iter()
                .find(|c| c.pillar == *key && c.status == "active")
            {
                return Err(GovernanceError::Invalid {
                    field: "pillar".into(),
                    message: format!(
                        "pillar {key} still holds active commitment {} ({}); close the pillar instead",
                        c.id, c.owner
                    ),
                });
            }
            next.pillars.retain(|p| p.key != *key);
            next.deliverables.retain(|d| d.pillar != *key);
        }
        Change::AddDeliverable { deliverable } => {
            nonempty("key", &deliverable.key)?;
            nonempty("owner", &deliverable.owner)?;
            pillar_mut(&mut next, &deliverable.pillar)?;
            if next.deliverables.iter().any(|d| d.key == deliverable.key) {
                return Err(GovernanceError::DuplicateDeliverable(
                    deliverable.key.clone(),
                ));
            }
            next.deliverables.push(deliverable.clone());
        }
        Change::SetDeliverableStatus { key, status } => {
            nonempty("status", status)?;
            let d = next
                .deliverables
                .iter_mut()
                .find(|d| d.key == *key)
                .ok_or_else(|| GovernanceError::UnknownDeliverable(key.clone()))?;
            d.status = status.clone();
        }
        Change::AddSignatory { signatory } => {
            nonempty("code", &signatory.code)?;
            nonempty("name", &signatory.name)?;
            if next.is_active_signatory(&signatory.code) {
                return Err(GovernanceError::DuplicateSignatory(signatory.code.clone()));
            }
            // A state that withdrew may sign again: its old row keeps the history.
            next.signatories.push(signatory.clone());
        }
        Change::WithdrawSignatory { code, alternates } => {
            withdraw(&mut next, code, alternates, on)?;
        }
        Change::AddCommitment { commitment } => {
            pillar_mut(&mut next, &commitment.pillar)?;
            if !next.is_active_signatory(&commitment.owner) {
                return Err(GovernanceError::UnknownSignatory(commitment.owner.clone()));
            }
            for d in &commitment.depends_on {
                if !next.commitments.iter().any(|c| c.id == *d) {
                    return Err(GovernanceError::UnknownCommitment(*d));
                }
            }
            if next.commitments.iter().any(|c| c.id == commitment.id) {
                return Err(GovernanceError::Invalid {
                    field: "commitment".into(),
                    message: format!("commitment {} is already recorded", commitment.id),
                });
            }
            next.commitments.push(commitment.clone());
        }
        Change::SetCommitmentStatus { id, status } => {
            if !COMMITMENT_STATUSES.contains(&status.as_str()) {
                return Err(GovernanceError::Invalid {
                    field: "status".into(),
                    message: format!(
                        "{status:?} is not a commitment status; use {}",
                        COMMITMENT_STATUSES.join(", ")
                    ),
                });
            }
            let c = next
                .commitments
                .iter_mut()
                .find(|c| c.id == *id)
                .ok_or(GovernanceError::UnknownCommitment(*id))?;
            c.status = status.clone();
        }
    }
    Ok(next)
}

/// Commitments of `code` that active commitments of other owners depend on, each with
/// the owners depending on it.
pub fn depended_on(decl: &Declaration, code: &str) -> Vec<(i64, String, String, Vec<String>)> {
    decl.commitments
        .iter()
        .filter(|c| c.owner == code && c.status == "active")
        .filter_map(|c| {
            let by: BTreeSet<String> = decl
                .commitments
                .iter()
                .filter(|d| d.owner != code && d.status == "active" && d.depends_on.contains(&c.id))
                .map(|d| format!("{} (commitment {})", d.owner, d.id))
                .collect();
            (!by.is_empty()).then(|| {
                (
                    c.id,
                    c.owner.clone(),
                    c.title.clone(),
                    by.into_iter().collect(),
                )
            })
        })
        .collect()
}

fn withdraw(decl: &mut Declaration, code: &str, alternates: &[Alternate], on: &Date) -> Result<()> {
    let Some(signatory) = decl.signatories.iter().rposition(|s| s.code == code) else {
        return Err(GovernanceError::UnknownSignatory(code.to_owned()));
    };
    if decl.signatories[signatory].withdrew_on.is_some() {
        return Err(GovernanceError::AlreadyWithdrawn(code.to_owned()));
    }
    for a in alternates {
        nonempty("alternate", &a.arrangement)?;
        match decl.commitments.iter().find(|c| c.id == a.commitment_id) {
            None => return Err(GovernanceError::UnknownCommitment(a.commitment_id)),
            Some(c) if c.owner != code => {
                return Err(GovernanceError::Invalid {
                    field: "alternate".into(),
                    message: format!("commitment {} belongs to {}, not to {code}", c.id, c.owner),
                })
            }
            Some(_) => {}
        }
        if let Some(owner) = &a.new_owner {
            if owner == code || !decl.is_active_signatory(owner) {
                return Err(GovernanceError::UnknownSignatory(owner.clone()));
            }
        }
    }
    let unresolved: Vec<(i64, String, String, String)> = depended_on(decl, code)
        .into_iter()
        .filter(|(id, ..)| !alternates.iter().any(|a| a.commitment_id == *id))
        .map(|(id, owner, title, by)| (id, owner, title, by.join(", ")))
        .collect();
    if !unresolved.is_empty() {
        return Err(GovernanceError::UnresolvedDependency {
            signatory: code.to_owned(),
            unresolved,
        });
    }
    decl.signatories[signatory].withdrew_on = Some(on.clone());
    for c in decl
        .commitments
        .iter_mut()
        .filter(|c| c.owner == code && c.status == "active")
    {
        match alternates.iter().find(|a| a.commitment_id == c.id) {
            Some(a) => {
                c.arrangement = Some(a.arrangement.clone());
                if let Some(owner) = &a.new_owner {
                    c.owner = owner.clone();
                } else {
                    c.status = "withdrawn".into();
                }
            }
            None => c.status = "withdrawn".into(),
        }
    }
    Ok(())
}

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// `pillar`, `deliverable`, `signatory` or `commitment`.
    pub item: String,
    /// Its key (code or id).
    pub key: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    /// The field that changed (empty for added or removed).
    pub field: String,
    /// Value before.
    pub before: String,
    /// Value after.
    pub after: String,
}

fn fields<T: Serialize>(item: &T) -> BTreeMap<String, String> {
    let value = toml::Value::try_from(item).unwrap_or(toml::Value::Table(Default::default()));
    match value {
        toml::Value::Table(t) => t
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Array(a) => a
                        .iter()
                        .map(|x| match x {
                            toml::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(" | "),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn diff_items<T: Serialize>(
    out: &mut Vec<DiffEntry>,
    item: &str,
    before: &[T],
    after: &[T],
    key: impl Fn(&T) -> String,
) {
    let entry =
        |key: String, change: &str, field: String, before: String, after: String| DiffEntry {
            item: item.to_owned(),
            key,
            change: change.to_owned(),
            field,
            before,
            after,
        };
    // Keys in order of first appearance: the older version's order, then new ones.
    let mut keys: Vec<String> = before.iter().map(&key).collect();
    for k in after.iter().map(&key) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for k in keys {
        let b = before.iter().rev().find(|x| key(x) == k);
        let a = after.iter().rev().find(|x| key(x) == k);
        match (b, a) {
            (None, Some(_)) => out.push(entry(
                k,
                "added",
                String::new(),
                String::new(),
                String::new(),
            )),
            (Some(_), None) => out.push(entry(
                k,
                "removed",
                String::new(),
                String::new(),
                String::new(),
            )),
            (Some(b), Some(a)) => {
                let (fb, fa) = (fields(b), fields(a));
                let names: BTreeSet<&String> = fb.keys().chain(fa.keys()).collect();
                for name in names {
                    let (vb, va) = (
                        fb.get(name).cloned().unwrap_or_default(),
                        fa.get(name).cloned().unwrap_or_default(),
                    );
                    if vb != va {
                        out.push(entry(k.clone(), "changed", name.clone(), vb, va));
                    }
                }
            }
            (None, None) => {}
        }
    }
}

/// Every difference from `before` to `after`: pillars, deliverables, signatories and
/// commitments added, removed, or changed field by field.
pub fn diff(before: &Declaration, after: &Declaration) -> Vec<DiffEntry> {
    let mut out = Vec::new();
    diff_items(&mut out, "pillar", &before.pillars, &after.pillars, |p| {
        p.key.clone()
    });
    diff_items(
        &mut out,
        "deliverable",
        &before.deliverables,
        &after.deliverables,
        |d| d.key.clone(),
    );
    diff_items(
        &mut out,
        "signatory",
        &before.signatories,
        &after.signatories,
        |s| s.code.clone(),
    );
    diff_items(
        &mut out,
        "commitment",
        &before.commitments,
        &after.commitments,
        |c| c.id.to_string(),
    );
    out
}

/// The bundled starting point: the declaration as signed, the commitments to record,
/// and the Task Force's member agencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// Version 1 of the declaration (no commitments yet).
    pub declaration: Declaration,
    /// Commitments to record on seeding.
    pub commitments: Vec<NewCommitment>,
    /// Task Force member agencies: (name, `permanent` or `ad_hoc_security`).
    pub agencies: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeclaration {
    title: String,
    adopted_on: Spanned<String>,
    #[serde(default)]
    pillar: Vec<Spanned<RawPillar>>,
    #[serde(default)]
    deliverable: Vec<Spanned<RawDeliverable>>,
    #[serde(default)]
    signatory: Vec<Spanned<RawSignatory>>,
    #[serde(default)]
    commitment: Vec<Spanned<RawCommitment>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPillar {
    key: String,
    title: String,
    kind: String,
    goals: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeliverable {
    key: String,
    pillar: String,
    owner: String,
    status: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignatory {
    code: String,
    name: String,
    kind: String,
    joined_on: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommitment {
    owner: String,
    pillar: String,
    title: String,
    unit: String,
    baseline_value: f64,
    baseline_date: String,
    target_value: f64,
    target_date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaskForce {
    agency: Vec<Spanned<RawAgency>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    name: String,
    status: String,
}

impl Seed {
    /// Parse `governance/declaration.toml` and `governance/taskforce.toml` (file names
    /// only label errors) and check that the declaration is consistent.
    pub fn parse(declaration: (&str, &str), taskforce: (&str, &str)) -> Result<Seed> {
        let (file, text) = declaration;
        let err = |at: usize, message: String| GovernanceError::File {
            file: file.to_owned(),
            line: line_of(text, at),
            message,
            hint: "see the comments at the top of governance/declaration.toml".into(),
        };
        let raw: RawDeclaration = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().to_owned(),
            )
        })?;
        let adopted = Date::parse(raw.adopted_on.get_ref())
            .map_err(|e| err(raw.adopted_on.span().start, e.to_string()))?;
        let mut decl = Declaration {
            title: raw.title,
            adopted_on: adopted.to_string(),
            ..Default::default()
        };
        for p in raw.pillar {
            let at = p.span().start;
            let p = p.into_inner();
            let kind = PillarKind::parse(&p.kind).map_err(|e| err(at, e.to_string()))?;
            decl = apply(
                &decl,
                &Change::AddPillar {
                    key: p.key,
                    title: p.title,
                    kind,
                    goals: p.goals,
                    event_id: None,
                },
                &adopted,
            )
            .map_err(|e| err(at, e.to_string()))?;
        }
        for d in raw.deliverable {
            let at = d.span().start;
            let d = d.into_inner();
            if d.status != "planned" && d.status != "done" {
                return Err(err(
                    at,
                    format!("status {:?} is not planned or done", d.status),
                ));
            }
            decl = apply(
                &decl,
                &Change::AddDeliverable {
                    deliverable: Deliverable {
                        key: d.key,
                        pillar: d.pillar,
                        owner: d.owner,
                        text: d.text,
                        status: d.status,
                    },
                },
                &adopted,
            )
            .map_err(|e| err(at, e.to_string()))?;
        }
        for s in raw.signatory {
            let at = s.span().start;
            let s = s.into_inner();
            let kind = match s.kind.as_str() {
                "state" => SignatoryKind::State,
                "organisation" => SignatoryKind::Organisation,
                other => {
                    return Err(err(
                        at,
                        format!("kind {other:?} is not state or organisation"),
                    ))
                }
            };
            let joined_on = Date::parse(&s.joined_on).map_err(|e| err(at, e.to_string()))?;
            decl = apply(
                &decl,
                &Change::AddSignatory {
                    signatory: Signatory {
                        code: s.code,
                        name: s.name,
                        kind,
                        joined_on,
                        withdrew_on: None,
                    },
                },
                &adopted,
            )
            .map_err(|e| err(at, e.to_string()))?;
        }
        let mut commitments = Vec::new();
        for c in raw.commitment {
            let at = c.span().start;
            let c = c.into_inner();
            let new = NewCommitment {
                owner: c.owner,
                pillar: c.pillar,
                title: c.title,
                unit: c.unit,
                baseline_value: c.baseline_value,
                baseline_date: c.baseline_date,
                target_value: c.target_value,
                target_date: c.target_date,
                depends_on: Vec::new(),
            };
            new.validate().map_err(|e| err(at, e.to_string()))?;
            if decl.pillar(&new.pillar).is_none() {
                return Err(err(
                    at,
                    GovernanceError::UnknownPillar(new.pillar).to_string(),
                ));
            }
            if !decl.is_active_signatory(&new.owner) {
                return Err(err(
                    at,
                    GovernanceError::UnknownSignatory(new.owner).to_string(),
                ));
            }
            commitments.push(new);
        }
        let (file, text) = taskforce;
        let raw: RawTaskForce = toml::from_str(text).map_err(|e| GovernanceError::File {
            file: file.to_owned(),
            line: line_of(text, e.span().map(|s| s.start).unwrap_or(0)),
            message: e.message().trim().to_owned(),
            hint: "each [[agency]] has a name and a status".into(),
        })?;
        let mut agencies = Vec::new();
        for a in raw.agency {
            let at = a.span().start;
            let a = a.into_inner();
            if a.status != "permanent" && a.status != "ad_hoc_security" {
                return Err(GovernanceError::File {
                    file: file.to_owned(),
                    line: line_of(text, at),
                    message: format!("status {:?} is not permanent or ad_hoc_security", a.status),
                    hint: "fig. 7 has permanent members and ad hoc members on security issues"
                        .into(),
                });
            }
            agencies.push((a.name, a.status));
        }
        Ok(Seed {
            declaration: decl,
            commitments,
            agencies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn base() -> Declaration {
        let on = date("2022-06-10");
        let mut d = Declaration::default();
        for change in [
            Change::AddPillar {
                key: "P1".into(),
                title: "Stability".into(),
                kind: PillarKind::Permanent,
                goals: vec!["a".into(), "b".into()],
                event_id: None,
            },
            Change::AddSignatory {
                signatory: Signatory {
                    code: "COL".into(),
                    name: "Colombia".into(),
                    kind: SignatoryKind::State,
                    joined_on: on.clone(),
                    withdrew_on: None,
                },
            },
            Change::AddSignatory {
                signatory: Signatory {
                    code: "XDN".into(),
                    name: "Example Donor Network".into(),
                    kind: SignatoryKind::Organisation,
                    joined_on: on.clone(),
                    withdrew_on: None,
                },
            },
        ] {
            d = apply(&d, &change, &on).unwrap();
        }
        d
    }

    fn commitment(id: i64, owner: &str, depends_on: Vec<i64>) -> Change {
        Change::AddCommitment {
            commitment: CommitmentSummary {
                id,
                owner: owner.into(),
                pillar: "P1".into(),
                title: format!("c{id}"),
                target_value: 1.0,
                unit: "permits".into(),
                target_date: date("2023-01-01"),
                status: "active".into(),
                depends_on,
                arrangement: None,
            },
        }
    }

    #[test]
    fn a_change_to_a_missing_pillar_is_refused() {
        let d = base();
        let e = apply(
            &d,
            &Change::ClosePillar { key: "P9".into() },
            &date("2022-10-06"),
        )
        .unwrap_err();
        assert_eq!(e, GovernanceError::UnknownPillar("P9".into()));
        let e = apply(
            &d,
            &Change::NarrowPillar {
                key: "P1".into(),
                keep_goals: vec!["z".into()],
            },
            &date("2022-10-06"),
        )
        .unwrap_err();
        assert_eq!(e.field(), "pillar");
    }

    #[test]
    fn withdrawal_needs_alternates_for_what_others_depend_on() {
        let on = date("2023-06-23");
        let mut d = base();
        d = apply(&d, &commitment(1, "XDN", vec![]), &on).unwrap();
        d = apply(&d, &commitment(2, "COL", vec![1]), &on).unwrap();
        d = apply(&d, &commitment(3, "XDN", vec![]), &on).unwrap();
        let refused = apply(
            &d,
            &Change::WithdrawSignatory {
                code: "XDN".into(),
                alternates: vec![],
            },
            &on,
        )
        .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "XDN cannot withdraw: commitment 1 (XDN: c1), which COL (commitment 2) depends on \
             without an alternate arrangement"
        );
        let done = apply(
            &d,
            &Change::WithdrawSignatory {
                code: "XDN".into(),
                alternates: vec![Alternate {
                    commitment_id: 1,
                    arrangement: "COL covers it from its budget".into(),
                    new_owner: Some("COL".into()),
                }],
            },
            &on,
        )
        .unwrap();
        let c1 = &done.commitments[0];
        assert_eq!((c1.owner.as_str(), c1.status.as_str()), ("COL", "active"));
        assert_eq!(done.commitments[2].status, "withdrawn");
        assert_eq!(done.signatories[1].withdrew_on, Some(on.clone()));
        assert_eq!(done.signatories_on(&on).len(), 1);
        let changes = diff(&d, &done);
        assert_eq!(
            changes
                .iter()
                .map(|e| format!(
                    "{} {} {} {}: {} -> {}",
                    e.item, e.key, e.change, e.field, e.before, e.after
                ))
                .collect::<Vec<_>>(),
            vec![
                "signatory XDN changed withdrew_on:  -> 2023-06-23",
                "commitment 1 changed arrangement:  -> COL covers it from its budget",
                "commitment 1 changed owner: XDN -> COL",
                "commitment 3 changed status: active -> withdrawn",
            ]
        );
    }

    #[test]
    fn diff_lists_added_removed_and_changed() {
        let on = date("2022-12-01");
        let before = base();
        let mut after = apply(
            &before,
            &Change::AddPillar {
                key: "E-VEN-2022-09".into(),
                title: "Venezuelan surge".into(),
                kind: PillarKind::Emergency,
                goals: vec!["shelter".into()],
                event_id: Some("VEN-2022-09".into()),
            },
            &on,
        )
        .unwrap();
        after = apply(
            &after,
            &Change::NarrowPillar {
                key: "P1".into(),
                keep_goals: vec!["b".into()],
            },
            &on,
        )
        .unwrap();
        let d = diff(&before, &after);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].key.as_str(), d[0].field.as_str()), ("P1", "goals"));
        assert_eq!((d[0].before.as_str(), d[0].after.as_str()), ("a | b", "b"));
        assert_eq!(
            (d[1].key.as_str(), d[1].change.as_str()),
            ("E-VEN-2022-09", "added")
        );
        assert!(diff(&after, &after).is_empty());
        let due = |d: &Declaration, on: &str| -> Vec<String> {
            d.emergency_pillars_due(&date(on))
                .iter()
                .map(|p| p.key.clone())
                .collect()
        };
        assert_eq!(due(&after, "2023-06-23"), vec!["E-VEN-2022-09"]);
        let continued = apply(
            &after,
            &Change::ContinuePillar {
                key: "E-VEN-2022-09".into(),
                review_by: Some(date("2024-06-30")),
            },
            &date("2023-06-23"),
        )
        .unwrap();
        assert!(due(&continued, "2023-12-01").is_empty());
        assert_eq!(due(&continued, "2024-06-30"), vec!["E-VEN-2022-09"]);
    }

    #[test]
    fn seed_errors_name_the_line() {
        let text = "title = \"x\"\nadopted_on = \"2022-06-10\"\n\n[[deliverable]]\nkey = \"D1\"\npillar = \"P7\"\nowner = \"COL\"\nstatus = \"done\"\ntext = \"t\"\n";
        let e = Seed::parse(("d.toml", text), ("t.toml", "agency = []")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.toml:4: pillar \"P7\" does not exist in the declaration — see the comments at the top of governance/declaration.toml"
        );
    }
}
