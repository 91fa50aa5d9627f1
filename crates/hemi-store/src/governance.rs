//! The L.A. Process service: the living declaration and its versions, sessions and
//! their decisions, commitments with progress and assessments, funding, the Task
//! Force's council, quarterly report data and response tasks. The CLI and (later) the
//! web app call these functions, so both apply the same rules.
//!
//! Every rule is decided by pure code in `hemi-governance`; this module loads the
//! current state, asks it, and writes the result with an audit event in one
//! transaction. A refusal returns [`StoreError::Refused`] before anything is committed,
//! so bad input changes nothing.

use std::collections::BTreeMap;

use hemi_governance::commitment::progress_share;
use hemi_governance::date::unix_from_rfc3339;
use hemi_governance::playbook::TaskState;
use hemi_governance::{
    apply, council, Assessment, Change, ContinueDecision, CouncilSeat, Date, Declaration,
    DiffEntry, Escalation, GovernanceError, NewCommitment, NewTask, PillarKind, Quarter, Seed,
    TaskStatus,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::auth::insert_audit;
use crate::watch::WatchRules;
use crate::{AlertRow, AuditEvent, EventTransitionRow, Result, Store, StoreError};

/// Who acts, on which date the change takes effect, and when it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Person and role, e.g. `secretariat (M. Rojas)`.
    pub name: String,
    /// Date the change takes effect (decisions take their session's date instead).
    pub on: Date,
    /// Recording time, Unix seconds.
    pub at: i64,
}

fn refused(e: GovernanceError) -> StoreError {
    StoreError::Refused(e)
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    refused(GovernanceError::Invalid {
        field: field.into(),
        message: message.into(),
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

async fn audit(
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: String,
) -> Result<()> {
    insert_audit(
        &mut **tx,
        &AuditEvent {
            at: actor.at,
            actor: actor.name.clone(),
            action: action.into(),
            subject: subject.into(),
            ip: String::new(),
            detail,
        },
    )
    .await
}

/// One version of the declaration: who changed what, when, in which session, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VersionRow {
    /// 1 is the declaration as signed.
    pub version: i64,
    /// Date the change took effect.
    pub effective_on: String,
    /// Recording time, Unix seconds.
    pub recorded_at: i64,
    /// Who.
    pub changed_by: String,
    /// Session that decided it.
    pub session_id: Option<i64>,
    /// Why.
    pub reason: String,
    /// One line per change.
    pub changes: Vec<String>,
}

fn version_from_row(r: &AnyRow) -> VersionRow {
    let changes: Vec<Change> = serde_json::from_str(&r.get::<String, _>(6)).unwrap_or_default();
    VersionRow {
        version: r.get(0),
        effective_on: r.get(1),
        recorded_at: r.get(2),
        changed_by: r.get(3),
        session_id: r.get(4),
        reason: r.get(5),
        changes: changes.iter().map(Change::summary).collect(),
    }
}

const VERSION_COLUMNS: &str =
    "version, effective_on, recorded_at, changed_by, session_id, reason, changes";

async fn latest_declaration(tx: &mut Transaction<'static, Any>) -> Result<(i64, Declaration)> {
    let row = sqlx::query(
        "SELECT version, snapshot FROM declaration_version ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(invalid(
            "declaration",
            "the declaration is not seeded yet: run `hemi process seed`",
        ));
    };
    let snapshot: String = row.get(1);
    let decl = serde_json::from_str(&snapshot)
        .map_err(|e| invalid("declaration", format!("stored version is unreadable: {e}")))?;
    Ok((row.get(0), decl))
}

#[allow(clippy::too_many_arguments)]
async fn write_version(
    tx: &mut Transaction<'static, Any>,
    previous: i64,
    decl: &Declaration,
    changes: &[Change],
    effective_on: &str,
    actor: &Actor,
    session_id: Option<i64>,
    reason: &str,
) -> Result<i64> {
    // The history is linear: a version never takes effect before the one it follows,
    // so "the version in effect on a date" is always the latest one dated on or before it.
    if let Some(row) =
        sqlx::query("SELECT effective_on FROM declaration_version WHERE version = $1")
            .bind(previous)
            .fetch_optional(&mut **tx)
            .await?
    {
        let latest: String = row.get(0);
        if effective_on < latest.as_str() {
            return Err(invalid(
                "date",
                format!("{effective_on} is before version {previous}, in effect from {latest}; changes are recorded in date order"),
            ));
        }
    }
    let version = previous + 1;
    sqlx::query(
        "INSERT INTO declaration_version (version, effective_on, recorded_at, changed_by, session_id, reason, changes, snapshot) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version)
    .bind(effective_on)
    .bind(actor.at)
    .bind(&actor.name)
    .bind(session_id)
    .bind(reason)
    .bind(json(&changes))
    .bind(json(decl))
    .execute(&mut **tx)
    .await?;
    let summary: Vec<String> = changes.iter().map(Change::summary).collect();
    audit(
        tx,
        actor,
        "declaration_changed",
        &format!("version {version}"),
        format!("{reason}: {}", summary.join("; ")),
    )
    .await?;
    Ok(version)
}

/// Bring the commitment table in line with the declaration's summaries (owner, status
/// and arrangement change through decisions).
async fn sync_commitments(
    tx: &mut Transaction<'static, Any>,
    before: &Declaration,
    after: &Declaration,
) -> Result<()> {
    for c in &after.commitments {
        if before.commitments.iter().any(|b| b == c) {
            continue;
        }
        sqlx::query(
            "UPDATE commitment SET owner = $1, status = $2, arrangement = $3 WHERE id = $4",
        )
        .bind(&c.owner)
        .bind(&c.status)
        .bind(c.arrangement.clone())
        .bind(c.id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A session to open.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// `ministerial` or `emergency`.
    pub kind: String,
    /// Date, `YYYY-MM-DD`.
    pub held_on: String,
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
    /// Early-warning event an emergency session responds to (an id as `hemi events list`
    /// shows it; events are derived, so it is not checked against a table).
    pub event_id: Option<String>,
    /// Goals of the emergency pillar opened for the event.
    pub emergency_goals: Vec<String>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRow {
    /// Id.
    pub id: i64,
    /// `ministerial` or `emergency`.
    pub kind: String,
    /// Date.
    pub held_on: String,
    /// Host.
    pub host: String,
    /// Title.
    pub title: String,
    /// Participants.
    pub participants: Vec<String>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Event.
    pub event_id: Option<String>,
}

fn split(text: String, sep: char) -> Vec<String> {
    text.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

async fn session_by_id(tx: &mut Transaction<'static, Any>, id: i64) -> Result<SessionRow> {
    let row = sqlx::query(
        "SELECT id, kind, held_on, host, title, participants, agenda, minutes, event_id FROM gov_session WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| invalid("session", format!("session {id} does not exist")))?;
    Ok(session_from_row(&row))
}

fn session_from_row(r: &AnyRow) -> SessionRow {
    SessionRow {
        id: r.get(0),
        kind: r.get(1),
        held_on: r.get(2),
        host: r.get(3),
        title: r.get(4),
        participants: split(r.get(5), ','),
        agenda: split(r.get(6), '\n'),
        minutes: r.get(7),
        event_id: r.get(8),
    }
}

/// Key of the emergency pillar opened for an event.
pub fn emergency_pillar_key(event_id: &str) -> String {
    format!("E-{event_id}")
}

/// A commitment with its latest progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitmentRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub owner: String,
    /// Pillar key.
    pub pillar: String,
    /// What.
    pub title: String,
    /// Unit.
    pub unit: String,
    /// Baseline.
    pub baseline_value: f64,
    /// Baseline date.
    pub baseline_date: String,
    /// Target.
    pub target_value: f64,
    /// Due date.
    pub target_date: String,
    /// active | stopped | complete | withdrawn.
    pub status: String,
    /// Alternate arrangement.
    pub arrangement: Option<String>,
    /// Commitments it needs.
    pub depends_on: Vec<i64>,
    /// Latest reported value.
    pub latest_value: Option<f64>,
    /// Date of the latest report.
    pub latest_on: Option<String>,
    /// Share of the way from baseline to target (1.0 = met).
    pub progress_share: Option<f64>,
    /// Latest assessment level.
    pub assessment: Option<String>,
}

/// One progress report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgressReport {
    /// Commitment.
    pub commitment_id: i64,
    /// Date the value refers to.
    pub reported_on: String,
    /// Value, in the commitment's unit.
    pub value: f64,
    /// Who reported it.
    pub source: String,
    /// Link to the evidence.
    pub evidence_url: String,
}

/// One assessment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssessmentRow {
    /// Commitment.
    pub commitment_id: i64,
    /// Session.
    pub session_id: i64,
    /// Session date.
    pub held_on: String,
    /// Level.
    pub level: String,
    /// continue | stop.
    pub decision: String,
    /// Note.
    pub note: String,
}

/// A pledge or disbursement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FundingEntry {
    /// `pledge` or `disbursement`.
    pub kind: String,
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
    pub dated_on: String,
    /// Note.
    pub note: String,
}

/// Pledged and disbursed per pillar and currency (currencies are never mixed).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FundingSummaryRow {
    /// Pillar key.
    pub pillar: String,
    /// Currency.
    pub currency: String,
    /// Sum pledged.
    pub pledged: f64,
    /// Sum disbursed.
    pub disbursed: f64,
}

/// A held council seat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeatRow {
    /// The seat.
    #[serde(flatten)]
    pub seat: CouncilSeat,
    /// Date appointed.
    pub appointed_on: String,
}

/// A response task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskRow {
    /// Id.
    pub id: i64,
    /// Event.
    pub event_id: String,
    /// Playbook.
    pub playbook: String,
    /// Trigger that created it.
    pub trigger: String,
    /// Who.
    pub assignee: String,
    /// What.
    pub what: String,
    /// Due, Unix seconds.
    pub due_at: i64,
    /// Escalation target.
    pub escalate_to: String,
    /// open | in_progress | done | cancelled.
    pub status: String,
    /// Evidence.
    pub evidence: String,
    /// Created, Unix seconds.
    pub created_at: i64,
    /// Last change, Unix seconds.
    pub updated_at: i64,
}

const TASK_COLUMNS: &str = "id, event_id, playbook, trigger_text, assignee, what, due_at, escalate_to, status, evidence, created_at, updated_at";

fn task_from_row(r: &AnyRow) -> TaskRow {
    TaskRow {
        id: r.get(0),
        event_id: r.get(1),
        playbook: r.get(2),
        trigger: r.get(3),
        assignee: r.get(4),
        what: r.get(5),
        due_at: r.get(6),
        escalate_to: r.get(7),
        status: r.get(8),
        evidence: r.get(9),
        created_at: r.get(10),
        updated_at: r.get(11),
    }
}

/// A Task Force recommendation for a quarter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recommendation {
    /// Quarter, e.g. `2023Q3`.
    pub quarter: String,
    /// The recommendation.
    pub text: String,
    /// To whom.
    pub addressed_to: String,
    /// By whom.
    pub made_by: String,
}

impl Store {
    /// Record version 1 of the declaration, its commitments and the Task Force
    /// agencies, once. Returns false when already seeded (nothing changes).
    pub async fn governance_seed(&self, seed: &Seed, actor: &Actor) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let seeded = sqlx::query("SELECT COUNT(*) FROM declaration_version")
            .fetch_one(&mut *tx)
            .await?;
        if seeded.get::<i64, _>(0) > 0 {
            return Ok(false);
        }
        let on = seed.declaration.adopted_on.clone();
        write_version(
            &mut tx,
            0,
            &seed.declaration,
            &[],
            &on,
            actor,
            None,
            "declaration signed (bundled seed, seed 001 appendix B)",
        )
        .await?;
        for (name, status) in &seed.agencies {
            sqlx::query("INSERT INTO taskforce_agency (name, status) VALUES ($1, $2)")
                .bind(name)
                .bind(status)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let seed_actor = Actor {
            on: Date::parse(&on).map_err(refused)?,
            ..actor.clone()
        };
        for c in &seed.commitments {
            self.add_commitment(c, None, &seed_actor).await?;
        }
        Ok(true)
    }

    /// Every version, oldest first.
    pub async fn declaration_versions(&self) -> Result<Vec<VersionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM declaration_version ORDER BY version"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(version_from_row).collect())
    }

    /// A version of the declaration: `version`, or the latest in effect on `as_of`, or
    /// the latest. `None` when there is none (not seeded, or `as_of` before signing).
    pub async fn declaration(
        &self,
        version: Option<i64>,
        as_of: Option<&Date>,
    ) -> Result<Option<(VersionRow, Declaration)>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, snapshot FROM declaration_version \
             WHERE ($1 < 0 OR version = $1) AND ($2 = '' OR effective_on <= $2) ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(version.unwrap_or(-1))
            .bind(as_of.map(|d| d.as_str()).unwrap_or(""))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let decl = serde_json::from_str(&row.get::<String, _>(7))
            .map_err(|e| invalid("declaration", format!("stored version is unreadable: {e}")))?;
        Ok(Some((version_from_row(&row), decl)))
    }

    /// Differences from version `from` to version `to`.
    pub async fn declaration_diff(&self, from: i64, to: i64) -> Result<Vec<DiffEntry>> {
        let get = |v: i64| async move {
            self.declaration(Some(v), None)
                .await?
                .map(|(_, d)| d)
                .ok_or_else(|| {
                    invalid(
                        "version",
                        format!("version {v} does not exist; see `hemi process versions`"),
                    )
                })
        };
        let (a, b) = (get(from).await?, get(to).await?);
        Ok(hemi_governance::diff(&a, &b))
    }

    /// Open a session. An emergency session for an event also adds an emergency pillar
    /// `E-<event id>` (a new version). Returns the session id and that version.
    pub async fn open_session(
        &self,
        new: &NewSession,
        actor: &Actor,
    ) -> Result<(i64, Option<i64>)> {
        if new.kind != "ministerial" && new.kind != "emergency" {
            return Err(invalid(
                "kind",
                format!(
                    "{:?} is not a session kind; use ministerial or emergency",
                    new.kind
                ),
            ));
        }
        let held_on = Date::parse(&new.held_on).map_err(refused)?;
        if new.host.trim().is_empty() {
            return Err(invalid("host", "the session has no host"));
        }
        if new.event_id.is_some() && new.kind != "emergency" {
            return Err(invalid(
                "event",
                "only an emergency session is opened from an event",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let (previous, decl) = latest_declaration(&mut tx).await?;
        let row = sqlx::query(
            "INSERT INTO gov_session (kind, held_on, host, title, participants, agenda, minutes, event_id, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&new.kind)
        .bind(held_on.as_str())
        .bind(&new.host)
        .bind(&new.title)
        .bind(new.participants.join(","))
        .bind(new.agenda.join("\n"))
        .bind(&new.minutes)
        .bind(new.event_id.clone())
        .bind(actor.at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.get(0);
        audit(
            &mut tx,
            actor,
            "session_opened",
            &format!("session {id}"),
            format!("{} {} hosted by {}", new.kind, held_on, new.host),
        )
        .await?;
        let mut version = None;
        if let Some(event_id) = &new.event_id {
            let event_id = event_id.trim().to_uppercase();
            if event_id.is_empty() {
                return Err(invalid("event", "the event id is empty"));
            }
            let change = Change::AddPillar {
                key: emergency_pillar_key(&event_id),
                title: if new.title.trim().is_empty() {
                    format!("Emergency response to {event_id}")
                } else {
                    new.title.clone()
                },
                kind: PillarKind::Emergency,
                goals: new.emergency_goals.clone(),
                event_id: Some(event_id.clone()),
            };
            let next = apply(&decl, &change, &held_on).map_err(refused)?;
            version = Some(
                write_version(
                    &mut tx,
                    previous,
                    &next,
                    &[change],
                    held_on.as_str(),
                    actor,
                    Some(id),
                    &format!("emergency session on event {event_id}"),
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok((id, version))
    }

    /// Sessions, by date.
    pub async fn sessions(&self) -> Result<Vec<SessionRow>> {
        let rows = sqlx::query(
            "SELECT id, kind, held_on, host, title, participants, agenda, minutes, event_id FROM gov_session ORDER BY held_on, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(session_from_row).collect())
    }

    /// Apply a session's decisions (typed changes) as one new version dated on the
    /// session. Refused as a whole, with nothing written, when any change is.
    pub async fn decide(
        &self,
        session_id: i64,
        changes: &[Change],
        reason: &str,
        actor: &Actor,
    ) -> Result<i64> {
        if changes.is_empty() {
            return Err(invalid("decision", "no change given"));
        }
        if reason.trim().is_empty() {
            return Err(invalid("reason", "a decision needs a reason"));
        }
        let mut tx = self.pool.begin().await?;
        let session = session_by_id(&mut tx, session_id).await?;
        let on = Date::parse(&session.held_on).map_err(refused)?;
        let (previous, before) = latest_declaration(&mut tx).await?;
        let mut next = before.clone();
        for change in changes {
            next = apply(&next, change, &on).map_err(refused)?;
        }
        sync_commitments(&mut tx, &before, &next).await?;
        let version = write_version(
            &mut tx,
            previous,
            &next,
            changes,
            on.as_str(),
            actor,
            Some(session_id),
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Record a commitment (a new version of the declaration). Refused without owner or
    /// unit, with the target date not after the baseline date, an unknown pillar or
    /// owner, or a dependency that does not exist.
    pub async fn add_commitment(
        &self,
        new: &NewCommitment,
        session_id: Option<i64>,
        actor: &Actor,
    ) -> Result<i64> {
        new.validate().map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        let effective_on = match session_id {
            Some(s) => session_by_id(&mut tx, s).await?.held_on,
            None => actor.on.to_string(),
        };
        let (previous, decl) = latest_declaration(&mut tx).await?;
        let row = sqlx::query(
            "INSERT INTO commitment (owner, pillar, title, unit, baseline_value, baseline_date, target_value, target_date, status, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING id",
        )
        .bind(new.owner.trim())
        .bind(&new.pillar)
        .bind(&new.title)
        .bind(new.unit.trim())
        .bind(new.baseline_value)
        .bind(&new.baseline_date)
        .bind(new.target_value)
        .bind(&new.target_date)
        .bind(actor.at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.get(0);
        let mut summary = new.summary(id).map_err(refused)?;
        summary.owner = summary.owner.trim().to_owned();
        let change = Change::AddCommitment {
            commitment: summary,
        };
        let on = Date::parse(&effective_on).map_err(refused)?;
        let next = apply(&decl, &change, &on).map_err(refused)?;
        for d in &new.depends_on {
            sqlx::query(
                "INSERT INTO commitment_dependency (commitment_id, depends_on) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(d)
            .execute(&mut *tx)
            .await?;
        }
        write_version(
            &mut tx,
            previous,
            &next,
            &[change],
            &effective_on,
            actor,
            session_id,
            &format!("commitment by {}", new.owner.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Commitments with their latest progress reported on or before `as_of` (all when
    /// `None`), by id. With `as_of`, commitments whose baseline is later (not yet made
    /// then) are left out.
    pub async fn commitments(&self, as_of: Option<&Date>) -> Result<Vec<CommitmentRow>> {
        let rows = sqlx::query(
            "SELECT id, owner, pillar, title, unit, baseline_value, baseline_date, target_value, target_date, status, arrangement \
             FROM commitment ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let deps = sqlx::query("SELECT commitment_id, depends_on FROM commitment_dependency ORDER BY commitment_id, depends_on")
            .fetch_all(&self.pool)
            .await?;
        let progress = self.progress_reports(None).await?;
        let assessments = self.assessments().await?;
        let cut = as_of.map(|d| d.to_string());
        Ok(rows
            .iter()
            .filter(|r| cut.as_ref().is_none_or(|c| r.get::<String, _>(6) <= *c))
            .map(|r| {
                let id: i64 = r.get(0);
                let latest = progress
                    .iter()
                    .filter(|p| {
                        p.commitment_id == id && cut.as_ref().is_none_or(|c| p.reported_on <= *c)
                    })
                    .max_by(|a, b| a.reported_on.cmp(&b.reported_on));
                let (baseline, target): (f64, f64) = (r.get(5), r.get(7));
                CommitmentRow {
                    id,
                    owner: r.get(1),
                    pillar: r.get(2),
                    title: r.get(3),
                    unit: r.get(4),
                    baseline_value: baseline,
                    baseline_date: r.get(6),
                    target_value: target,
                    target_date: r.get(8),
                    status: r.get(9),
                    arrangement: r.get(10),
                    depends_on: deps
                        .iter()
                        .filter(|d| d.get::<i64, _>(0) == id)
                        .map(|d| d.get(1))
                        .collect(),
                    latest_value: latest.map(|p| p.value),
                    latest_on: latest.map(|p| p.reported_on.clone()),
                    progress_share: latest.and_then(|p| progress_share(baseline, target, p.value)),
                    assessment: assessments
                        .iter()
                        .rfind(|a| {
                            a.commitment_id == id && cut.as_ref().is_none_or(|c| a.held_on <= *c)
                        })
                        .map(|a| a.level.clone()),
                }
            })
            .collect())
    }

    /// Record a progress report.
    pub async fn report_progress(&self, report: &ProgressReport, actor: &Actor) -> Result<()> {
        Date::parse(&report.reported_on).map_err(refused)?;
        if !report.value.is_finite() {
            return Err(invalid("value", "the value is not a number"));
        }
        if report.source.trim().is_empty() {
            return Err(invalid("source", "a progress report needs its source"));
        }
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT status FROM commitment WHERE id = $1")
            .bind(report.commitment_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(refused(GovernanceError::UnknownCommitment(
                report.commitment_id,
            )));
        }
        sqlx::query(
            "INSERT INTO commitment_progress (commitment_id, reported_on, value, source, evidence_url, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report.commitment_id)
        .bind(&report.reported_on)
        .bind(report.value)
        .bind(&report.source)
        .bind(&report.evidence_url)
        .bind(actor.at)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "commitment_progress",
            &format!("commitment {}", report.commitment_id),
            format!(
                "{} on {} ({})",
                report.value, report.reported_on, report.source
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Progress reports, by commitment and date; only those dated in `range` when given.
    pub async fn progress_reports(
        &self,
        range: Option<(&Date, &Date)>,
    ) -> Result<Vec<ProgressReport>> {
        let (from, to) = range
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_default();
        let rows = sqlx::query(
            "SELECT commitment_id, reported_on, value, source, evidence_url FROM commitment_progress \
             WHERE ($1 = '' OR reported_on >= $1) AND ($2 = '' OR reported_on <= $2) ORDER BY commitment_id, reported_on, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ProgressReport {
                commitment_id: r.get(0),
                reported_on: r.get(1),
                value: r.get(2),
                source: r.get(3),
                evidence_url: r.get(4),
            })
            .collect())
    }

    /// Assess a commitment at a ministerial. `stop`, `complete` and `withdrawn` change
    /// its status in the declaration (a new version).
    pub async fn assess_commitment(
        &self,
        commitment_id: i64,
        session_id: i64,
        level: Assessment,
        decision: ContinueDecision,
        note: &str,
        actor: &Actor,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let session = session_by_id(&mut tx, session_id).await?;
        if session.kind != "ministerial" {
            return Err(invalid("session", format!("session {session_id} is an emergency session; commitments are assessed at ministerials")));
        }
        let exists = sqlx::query("SELECT id FROM commitment WHERE id = $1")
            .bind(commitment_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(refused(GovernanceError::UnknownCommitment(commitment_id)));
        }
        sqlx::query(
            "INSERT INTO commitment_assessment (commitment_id, session_id, level, decision, note, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(commitment_id)
        .bind(session_id)
        .bind(level.as_str())
        .bind(decision.as_str())
        .bind(note)
        .bind(actor.at)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "commitment_assessed",
            &format!("commitment {commitment_id}"),
            format!("{level}, {} at session {session_id}", decision.as_str()),
        )
        .await?;
        let mut version = None;
        if let Some(status) = decision.status_after(level) {
            let (previous, before) = latest_declaration(&mut tx).await?;
            let current = before
                .commitments
                .iter()
                .find(|c| c.id == commitment_id)
                .map(|c| c.status.clone());
            if current.as_deref() != Some(status) {
                let change = Change::SetCommitmentStatus {
                    id: commitment_id,
                    status: status.into(),
                };
                let on = Date::parse(&session.held_on).map_err(refused)?;
                let next = apply(&before, &change, &on).map_err(refused)?;
                sync_commitments(&mut tx, &before, &next).await?;
                version = Some(
                    write_version(
                        &mut tx,
                        previous,
                        &next,
                        &[change],
                        &session.held_on,
                        actor,
                        Some(session_id),
                        &format!("assessment: {level}, {}", decision.as_str()),
                    )
                    .await?,
                );
            }
        }
        tx.commit().await?;
        Ok(version)
    }

    /// Every assessment, in session order.
    pub async fn assessments(&self) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(
            "SELECT a.commitment_id, a.session_id, s.held_on, a.level, a.decision, a.note FROM commitment_assessment a \
             JOIN gov_session s ON s.id = a.session_id ORDER BY s.held_on, a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AssessmentRow {
                commitment_id: r.get(0),
                session_id: r.get(1),
                held_on: r.get(2),
                level: r.get(3),
                decision: r.get(4),
                note: r.get(5),
            })
            .collect())
    }

    /// Record a pledge or a disbursement.
    pub async fn record_funding(&self, entry: &FundingEntry, actor: &Actor) -> Result<i64> {
        if entry.kind != "pledge" && entry.kind != "disbursement" {
            return Err(invalid(
                "kind",
                format!("{:?} is not pledge or disbursement", entry.kind),
            ));
        }
        if entry.donor.trim().is_empty() || entry.recipient.trim().is_empty() {
            return Err(invalid("donor", "funding needs a donor and a recipient"));
        }
        if !(entry.amount.is_finite() && entry.amount > 0.0) {
            return Err(invalid(
                "amount",
                format!("{} is not a positive amount", entry.amount),
            ));
        }
        if entry.currency.len() != 3 || !entry.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "currency",
                format!(
                    "{:?} is not an ISO 4217 code such as USD or CAD",
                    entry.currency
                ),
            ));
        }
        Date::parse(&entry.dated_on).map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        let (_, decl) = latest_declaration(&mut tx).await?;
        if decl.pillar(&entry.pillar).is_none() {
            return Err(refused(GovernanceError::UnknownPillar(
                entry.pillar.clone(),
            )));
        }
        if let Some(c) = entry.commitment_id {
            if !decl.commitments.iter().any(|x| x.id == c) {
                return Err(refused(GovernanceError::UnknownCommitment(c)));
            }
        }
        let row = sqlx::query(
            "INSERT INTO funding (kind, donor, recipient, pillar, commitment_id, amount, currency, dated_on, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&entry.kind)
        .bind(&entry.donor)
        .bind(&entry.recipient)
        .bind(&entry.pillar)
        .bind(entry.commitment_id)
        .bind(entry.amount)
        .bind(&entry.currency)
        .bind(&entry.dated_on)
        .bind(&entry.note)
        .bind(actor.at)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            &format!("funding_{}", entry.kind),
            &entry.pillar,
            format!(
                "{} {} {} from {} to {}",
                entry.kind, entry.amount, entry.currency, entry.donor, entry.recipient
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(row.get(0))
    }

    /// Every pledge and disbursement, by date.
    pub async fn funding(&self) -> Result<Vec<FundingEntry>> {
        let rows = sqlx::query(
            "SELECT kind, donor, recipient, pillar, commitment_id, amount, currency, dated_on, note FROM funding ORDER BY dated_on, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| FundingEntry {
                kind: r.get(0),
                donor: r.get(1),
                recipient: r.get(2),
                pillar: r.get(3),
                commitment_id: r.get(4),
                amount: r.get(5),
                currency: r.get(6),
                dated_on: r.get(7),
                note: r.get(8),
            })
            .collect())
    }

    /// Pledged and disbursed per pillar and currency.
    pub async fn funding_summary(&self) -> Result<Vec<FundingSummaryRow>> {
        let rows = sqlx::query(
            "SELECT pillar, currency, SUM(CASE WHEN kind = 'pledge' THEN amount ELSE 0.0 END), \
             SUM(CASE WHEN kind = 'disbursement' THEN amount ELSE 0.0 END) FROM funding GROUP BY pillar, currency ORDER BY pillar, currency",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| FundingSummaryRow {
                pillar: r.get(0),
                currency: r.get(1),
                pledged: r.get(2),
                disbursed: r.get(3),
            })
            .collect())
    }

    /// Task Force member agencies as (name, status).
    pub async fn taskforce_agencies(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT name, status FROM taskforce_agency ORDER BY status DESC, id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Held council seats, by seat.
    pub async fn council(&self) -> Result<Vec<SeatRow>> {
        council_rows(&self.pool).await
    }

    /// Appoint an expert to a seat; refused when the seat is held or parity would break.
    pub async fn appoint_council_seat(&self, seat: &CouncilSeat, actor: &Actor) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let current: Vec<CouncilSeat> = council_rows(&mut *tx)
            .await?
            .into_iter()
            .map(|s| s.seat)
            .collect();
        council::appoint(&current, seat.clone()).map_err(refused)?;
        sqlx::query(
            "INSERT INTO council_seat (seat, holder, us_expert, appointed_by, appointed_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&seat.seat)
        .bind(&seat.holder)
        .bind(i64::from(seat.us_expert))
        .bind(&seat.appointed_by)
        .bind(actor.on.as_str())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "council_appointed",
            &format!("seat {}", seat.seat),
            format!(
                "{} ({}) appointed by {}",
                seat.holder,
                if seat.us_expert { "US" } else { "non-US" },
                seat.appointed_by
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Empty a seat; refused when parity would break.
    pub async fn remove_council_seat(&self, seat: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let current: Vec<CouncilSeat> = council_rows(&mut *tx)
            .await?
            .into_iter()
            .map(|s| s.seat)
            .collect();
        council::remove(&current, seat).map_err(refused)?;
        sqlx::query(
            "UPDATE council_seat SET removed_on = $1 WHERE seat = $2 AND removed_on IS NULL",
        )
        .bind(actor.on.as_str())
        .bind(seat)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "council_removed",
            &format!("seat {seat}"),
            String::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a Task Force recommendation for a quarter.
    pub async fn add_recommendation(
        &self,
        quarter: &Quarter,
        text: &str,
        addressed_to: &str,
        actor: &Actor,
    ) -> Result<()> {
        if text.trim().is_empty() {
            return Err(invalid("text", "the recommendation is empty"));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO recommendation (quarter, text, addressed_to, made_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(quarter.to_string())
            .bind(text)
            .bind(addressed_to)
            .bind(&actor.name)
            .bind(actor.at)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "recommendation_added",
            &quarter.to_string(),
            text.to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Recommendations of a quarter.
    pub async fn recommendations(&self, quarter: &Quarter) -> Result<Vec<Recommendation>> {
        let rows = sqlx::query("SELECT quarter, text, addressed_to, made_by FROM recommendation WHERE quarter = $1 ORDER BY id")
            .bind(quarter.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| Recommendation {
                quarter: r.get(0),
                text: r.get(1),
                addressed_to: r.get(2),
                made_by: r.get(3),
            })
            .collect())
    }

    /// Record an event's status change together with the response tasks its playbooks
    /// give (one transaction). Tasks already created for the event are not created
    /// twice. Returns the new tasks.
    pub async fn record_transition_with_tasks(
        &self,
        t: &EventTransitionRow,
        tasks: &[NewTask],
        actor: &Actor,
    ) -> Result<Vec<TaskRow>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO event_transition (event_id, from_status, to_status, changed_by, reason, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.event_id)
        .bind(&t.from_status)
        .bind(&t.to_status)
        .bind(&t.changed_by)
        .bind(&t.reason)
        .bind(&t.changed_at)
        .execute(&mut *tx)
        .await?;
        let mut created = Vec::new();
        for task in tasks {
            let row = sqlx::query(&format!(
                "INSERT INTO response_task (event_id, playbook, task_key, trigger_text, assignee, what, due_at, escalate_to, status, evidence, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', '', $9, $9) ON CONFLICT (event_id, task_key) DO NOTHING RETURNING {TASK_COLUMNS}"
            ))
            .bind(&task.event_id)
            .bind(&task.playbook)
            .bind(&task.key)
            .bind(&task.trigger)
            .bind(&task.assignee)
            .bind(&task.what)
            .bind(task.due_at)
            .bind(&task.escalate_to)
            .bind(actor.at)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                created.push(task_from_row(&row));
            }
        }
        audit(
            &mut tx,
            actor,
            "event_status",
            &t.event_id,
            format!(
                "{} -> {}; {} response task(s)",
                t.from_status,
                t.to_status,
                created.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Response tasks, by id; one event's when given.
    pub async fn tasks(&self, event_id: Option<&str>) -> Result<Vec<TaskRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM response_task WHERE ($1 = '' OR event_id = $1) ORDER BY id"
        ))
        .bind(event_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(task_from_row).collect())
    }

    /// Change a task's status, assignee or evidence. A task is done only with evidence.
    pub async fn update_task(
        &self,
        id: i64,
        status: Option<TaskStatus>,
        assignee: Option<&str>,
        evidence: Option<&str>,
        actor: &Actor,
    ) -> Result<TaskRow> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM response_task WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            invalid(
                "task",
                format!("task {id} does not exist; see `hemi process tasks list`"),
            )
        })?;
        let mut task = task_from_row(&row);
        if let Some(a) = assignee {
            if a.trim().is_empty() {
                return Err(invalid("assignee", "the assignee is empty"));
            }
            task.assignee = a.trim().to_owned();
        }
        if let Some(e) = evidence {
            task.evidence = e.to_owned();
        }
        if let Some(s) = status {
            if s == TaskStatus::Done && task.evidence.trim().is_empty() {
                return Err(invalid(
                    "evidence",
                    "a task is done only with evidence: pass --evidence",
                ));
            }
            task.status = s.as_str().to_owned();
        }
        task.updated_at = actor.at;
        sqlx::query("UPDATE response_task SET status = $1, assignee = $2, evidence = $3, updated_at = $4 WHERE id = $5")
            .bind(&task.status)
            .bind(&task.assignee)
            .bind(&task.evidence)
            .bind(task.updated_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "task_updated",
            &format!("task {id}"),
            format!("{} ({})", task.status, task.assignee),
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// Open tasks past due at `now` (Unix seconds) and whom they escalate to.
    pub async fn escalations(&self, now: i64) -> Result<Vec<Escalation>> {
        let tasks: Vec<TaskState> = self
            .tasks(None)
            .await?
            .into_iter()
            .map(|t| TaskState {
                id: t.id,
                status: TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Open),
                assignee: t.assignee,
                due_at: t.due_at,
                escalate_to: t.escalate_to,
            })
            .collect();
        Ok(hemi_governance::overdue(&tasks, now))
    }
}

async fn council_rows<'e, E>(executor: E) -> Result<Vec<SeatRow>>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT seat, holder, us_expert, appointed_by, appointed_on FROM council_seat WHERE removed_on IS NULL ORDER BY seat, id",
    )
    .fetch_all(executor)
    .await?;
    Ok(rows
        .iter()
        .map(|r| SeatRow {
            seat: CouncilSeat {
                seat: r.get(0),
                holder: r.get(1),
                us_expert: r.get::<i64, _>(2) != 0,
                appointed_by: r.get(3),
            },
            appointed_on: r.get(4),
        })
        .collect())
}

/// An event active in the quarter, with its stored status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuarterEvent {
    /// Event id.
    pub id: String,
    /// Nationality.
    pub nationality: String,
    /// First alert month.
    pub first_alert: String,
    /// Last alert month (as known at the quarter's end).
    pub last_alert: String,
    /// Reporting countries.
    pub countries: Vec<String>,
    /// Status.
    pub status: String,
}

/// A notification about an alert of the quarter, with its timeliness.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuarterNotification {
    /// Alert id.
    pub alert_id: i64,
    /// Alert month.
    pub month: String,
    /// Subscriber.
    pub subscriber: String,
    /// pending | delivered | failed.
    pub status: String,
    /// Hours from data arrival to delivery.
    pub hours_to_deliver: Option<f64>,
    /// Delivered within the roster's designated time frame.
    pub within_time_frame: bool,
}

/// Everything the Task Force's quarterly report is built from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuarterlyReport {
    /// Quarter, e.g. `2023Q3`.
    pub quarter: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Events with an alert in the quarter.
    pub events: Vec<QuarterEvent>,
    /// Alerts about months of the quarter.
    pub alerts: Vec<AlertRow>,
    /// Their notifications.
    pub notifications: Vec<QuarterNotification>,
    /// The designated time frame, hours.
    pub notify_within_hours: f64,
    /// Notifications delivered within it.
    pub notifications_on_time: usize,
    /// Commitments with progress as at the quarter's last day.
    pub commitments: Vec<CommitmentRow>,
    /// Progress reports dated in the quarter.
    pub progress_reports: Vec<ProgressReport>,
    /// Response tasks created in the quarter.
    pub tasks: Vec<TaskRow>,
    /// The Task Force's recommendations for the quarter.
    pub recommendations: Vec<Recommendation>,
}

/// Quarterly report data: events, alerts and notifications (read through the
/// early-warning service and records), commitment progress, tasks, recommendations.
pub async fn quarterly(
    store: &Store,
    rules: &WatchRules,
    quarter: &Quarter,
) -> Result<QuarterlyReport> {
    let (first_month, last_month) = quarter.months();
    let (from, to) = quarter.days();
    let as_of = hemi_core::Period::parse_as(&last_month, hemi_core::Granularity::Month)
        .map_err(|e| invalid("quarter", e.to_string()))?;
    let (_, events) = crate::watch::events(store, rules, as_of).await?;
    let events: Vec<QuarterEvent> = events
        .into_iter()
        .filter(|e| {
            e.alerts.iter().any(|a| {
                let m = a.month.to_string();
                m >= first_month && m <= last_month
            })
        })
        .map(|e| QuarterEvent {
            id: e.id,
            nationality: e.nationality,
            first_alert: e.first_alert.to_string(),
            last_alert: e.last_alert.to_string(),
            countries: e.countries,
            status: e.status.to_string(),
        })
        .collect();
    let alerts: Vec<AlertRow> = store
        .alerts()
        .await?
        .into_iter()
        .filter(|a| a.alert.month >= first_month && a.alert.month <= last_month)
        .collect();
    let months: BTreeMap<i64, String> = alerts
        .iter()
        .map(|a| (a.id, a.alert.month.clone()))
        .collect();
    let within_seconds = rules.roster.notify_within_hours * 3600.0;
    let notifications: Vec<QuarterNotification> = store
        .notifications()
        .await?
        .into_iter()
        .filter_map(|n| {
            let month = months.get(&n.alert_id)?.clone();
            let seconds = match (&n.delivered_at, unix_from_rfc3339(&n.data_arrived_at)) {
                (Some(d), Some(arrived)) => unix_from_rfc3339(d).map(|d| (d - arrived) as f64),
                _ => None,
            };
            Some(QuarterNotification {
                alert_id: n.alert_id,
                month,
                subscriber: n.subscriber,
                status: n.status,
                hours_to_deliver: seconds.map(|s| (s / 36.0).round() / 100.0),
                within_time_frame: seconds.is_some_and(|s| s <= within_seconds),
            })
        })
        .collect();
    let (start, end) = (from.unix_start(), to.unix_start() + 86_400);
    Ok(QuarterlyReport {
        quarter: quarter.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        events,
        notifications_on_time: notifications.iter().filter(|n| n.within_time_frame).count(),
        alerts,
        notifications,
        notify_within_hours: rules.roster.notify_within_hours,
        commitments: store.commitments(Some(&to)).await?,
        progress_reports: store.progress_reports(Some((&from, &to))).await?,
        tasks: store
            .tasks(None)
            .await?
            .into_iter()
            .filter(|t| t.created_at >= start && t.created_at < end)
            .collect(),
        recommendations: store.recommendations(quarter).await?,
    })
}

/// Record an event's confirmation together with the response tasks of every playbook
/// that applies to it (roles and size as the data stood at `as_of`), in one
/// transaction. The CLI (`hemi events set`) and the web app's event page both call this,
/// so confirming in either place starts the same response.
pub async fn confirm_event(
    store: &Store,
    rules: &WatchRules,
    playbooks: &hemi_governance::PlaybookSet,
    event: &hemi_warning::events::Event,
    as_of: hemi_core::Period,
    row: &EventTransitionRow,
    actor: &Actor,
) -> Result<Vec<TaskRow>> {
    let roles = crate::watch::roles(store, rules, event, as_of).await?;
    let facts = hemi_governance::EventFacts {
        event_id: event.id.clone(),
        nationality: event.nationality.clone(),
        roles: roles
            .map(|r| {
                r.roles
                    .iter()
                    .map(|c| (c.country.clone(), c.role.as_str().to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        size: event.alerts.iter().map(|a| a.value).fold(0.0, f64::max),
        confirmed_at: actor.at,
    };
    let tasks = hemi_governance::instantiate(playbooks, &facts);
    store.record_transition_with_tasks(row, &tasks, actor).await
}
