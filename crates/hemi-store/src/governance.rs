//! The L.A. Process repository: declaration versions, sessions, commitments with their
//! progress and assessments, funding, Task Force agencies, council seats,
//! recommendations and response tasks. SQL only: the rules (what a decision may change,
//! council parity, when a task may be done) are decided in `hemi-governance` and
//! applied by `hemi_app::governance`, which writes through a [`Tx`] so each change and
//! its audit entry commit together.

use hemi_governance::{
    Change, CommitmentSummary, CouncilSeat, Declaration, FundingEntry, NewSession, NewTask,
    ProgressReport,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::{Result, Store, StoreError, Tx};

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        message: e.to_string(),
    }
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

/// A version to write.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    /// Its number.
    pub version: i64,
    /// The whole declaration after the change.
    pub declaration: &'a Declaration,
    /// The typed changes.
    pub changes: &'a [Change],
    /// Date the change takes effect.
    pub effective_on: &'a str,
    /// Recording time, Unix seconds.
    pub recorded_at: i64,
    /// Who.
    pub changed_by: &'a str,
    /// Session that decided it.
    pub session_id: Option<i64>,
    /// Why.
    pub reason: &'a str,
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

const SESSION_COLUMNS: &str =
    "id, kind, held_on, host, title, participants, agenda, minutes, event_id";

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

/// A commitment as stored (its progress and assessments are separate rows).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitmentRecord {
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

const VERSION_COLUMNS: &str =
    "version, effective_on, recorded_at, changed_by, session_id, reason, changes";

async fn latest_declaration_on<'e, E>(executor: E) -> Result<Option<(i64, String, Declaration)>>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row = sqlx::query(
        "SELECT version, effective_on, snapshot FROM declaration_version ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(executor)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let decl = serde_json::from_str(&row.get::<String, _>(2))
        .map_err(|e| corrupt("declaration version", e))?;
    Ok(Some((row.get(0), row.get(1), decl)))
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

impl Tx {
    /// The newest version: (number, effective date, declaration); `None` before seeding.
    pub async fn latest_declaration(&mut self) -> Result<Option<(i64, String, Declaration)>> {
        latest_declaration_on(self.conn()).await
    }

    /// Append a version.
    pub async fn insert_version(&mut self, v: &NewVersion<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO declaration_version (version, effective_on, recorded_at, changed_by, session_id, reason, changes, snapshot) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(v.version)
        .bind(v.effective_on)
        .bind(v.recorded_at)
        .bind(v.changed_by)
        .bind(v.session_id)
        .bind(v.reason)
        .bind(json(&v.changes))
        .bind(json(v.declaration))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Bring a commitment row in line with its summary in the declaration.
    pub async fn update_commitment_summary(&mut self, c: &CommitmentSummary) -> Result<()> {
        sqlx::query(
            "UPDATE commitment SET owner = $1, status = $2, arrangement = $3 WHERE id = $4",
        )
        .bind(&c.owner)
        .bind(&c.status)
        .bind(c.arrangement.clone())
        .bind(c.id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Insert a Task Force agency.
    pub async fn insert_agency(&mut self, name: &str, status: &str) -> Result<()> {
        sqlx::query("INSERT INTO taskforce_agency (name, status) VALUES ($1, $2)")
            .bind(name)
            .bind(status)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// A session by id.
    pub async fn session(&mut self, id: i64) -> Result<Option<SessionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM gov_session WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(session_from_row))
    }

    /// Insert a session; returns its id.
    pub async fn insert_session(&mut self, new: &NewSession, recorded_at: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO gov_session (kind, held_on, host, title, participants, agenda, minutes, event_id, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.kind.as_str())
        .bind(new.held_on.as_str())
        .bind(new.host.trim())
        .bind(new.title.trim())
        .bind(new.participants.join(","))
        .bind(new.agenda.join("\n"))
        .bind(&new.minutes)
        .bind(new.event_id.clone())
        .bind(recorded_at)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// Insert a commitment (its summary goes into the declaration separately).
    pub async fn insert_commitment(
        &mut self,
        c: &CommitmentRecord,
        recorded_at: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO commitment (owner, pillar, title, unit, baseline_value, baseline_date, target_value, target_date, status, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&c.owner)
        .bind(&c.pillar)
        .bind(&c.title)
        .bind(&c.unit)
        .bind(c.baseline_value)
        .bind(&c.baseline_date)
        .bind(c.target_value)
        .bind(&c.target_date)
        .bind(&c.status)
        .bind(recorded_at)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// Record that a commitment depends on another.
    pub async fn insert_dependency(&mut self, commitment_id: i64, depends_on: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO commitment_dependency (commitment_id, depends_on) VALUES ($1, $2)",
        )
        .bind(commitment_id)
        .bind(depends_on)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// True when a commitment with this id exists.
    pub async fn commitment_exists(&mut self, id: i64) -> Result<bool> {
        Ok(sqlx::query("SELECT id FROM commitment WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .is_some())
    }

    /// Insert a progress report.
    pub async fn insert_progress(
        &mut self,
        report: &ProgressReport,
        recorded_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO commitment_progress (commitment_id, reported_on, value, source, evidence_url, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report.commitment_id)
        .bind(report.reported_on.as_str())
        .bind(report.value)
        .bind(report.source.trim())
        .bind(&report.evidence_url)
        .bind(recorded_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Insert an assessment.
    pub async fn insert_assessment(
        &mut self,
        commitment_id: i64,
        session_id: i64,
        level: &str,
        decision: &str,
        note: &str,
        recorded_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO commitment_assessment (commitment_id, session_id, level, decision, note, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(commitment_id)
        .bind(session_id)
        .bind(level)
        .bind(decision)
        .bind(note)
        .bind(recorded_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Insert a pledge or disbursement; returns its id.
    pub async fn insert_funding(&mut self, entry: &FundingEntry, recorded_at: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO funding (kind, donor, recipient, pillar, commitment_id, amount, currency, dated_on, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(entry.kind.as_str())
        .bind(entry.donor.trim())
        .bind(entry.recipient.trim())
        .bind(&entry.pillar)
        .bind(entry.commitment_id)
        .bind(entry.amount)
        .bind(&entry.currency)
        .bind(entry.dated_on.as_str())
        .bind(&entry.note)
        .bind(recorded_at)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// Held council seats.
    pub async fn council(&mut self) -> Result<Vec<SeatRow>> {
        council_rows(self.conn()).await
    }

    /// Fill a seat.
    pub async fn insert_seat(&mut self, seat: &CouncilSeat, appointed_on: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO council_seat (seat, holder, us_expert, appointed_by, appointed_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&seat.seat)
        .bind(&seat.holder)
        .bind(i64::from(seat.us_expert))
        .bind(&seat.appointed_by)
        .bind(appointed_on)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Empty a seat (its history stays, with the removal date).
    pub async fn remove_seat(&mut self, seat: &str, removed_on: &str) -> Result<()> {
        sqlx::query(
            "UPDATE council_seat SET removed_on = $1 WHERE seat = $2 AND removed_on IS NULL",
        )
        .bind(removed_on)
        .bind(seat)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Insert a recommendation.
    pub async fn insert_recommendation(
        &mut self,
        r: &Recommendation,
        recorded_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO recommendation (quarter, text, addressed_to, made_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.quarter)
            .bind(r.text.trim())
            .bind(r.addressed_to.trim())
            .bind(&r.made_by)
            .bind(recorded_at)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Insert a response task unless the event has one with the same key; returns the
    /// new row, or `None` when it existed.
    pub async fn insert_task(
        &mut self,
        task: &NewTask,
        created_at: i64,
    ) -> Result<Option<TaskRow>> {
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
        .bind(created_at)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(task_from_row))
    }

    /// A task by id.
    pub async fn task(&mut self, id: i64) -> Result<Option<TaskRow>> {
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM response_task WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(task_from_row))
    }

    /// Write a task's status, assignee, evidence and change time.
    pub async fn update_task(&mut self, task: &TaskRow) -> Result<()> {
        sqlx::query("UPDATE response_task SET status = $1, assignee = $2, evidence = $3, updated_at = $4 WHERE id = $5")
            .bind(&task.status)
            .bind(&task.assignee)
            .bind(&task.evidence)
            .bind(task.updated_at)
            .bind(task.id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// True once version 1 of the declaration is stored.
    pub async fn declaration_seeded(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) FROM declaration_version")
            .fetch_one(self.pool())
            .await?;
        Ok(row.get::<i64, _>(0) > 0)
    }

    /// Every version, oldest first.
    pub async fn declaration_versions(&self) -> Result<Vec<VersionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM declaration_version ORDER BY version"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(version_from_row).collect())
    }

    /// A version of the declaration: `version`, or the latest in effect on `as_of`
    /// (`YYYY-MM-DD`), or the latest. `None` when there is none.
    pub async fn declaration(
        &self,
        version: Option<i64>,
        as_of: Option<&str>,
    ) -> Result<Option<(VersionRow, Declaration)>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, snapshot FROM declaration_version \
             WHERE ($1 < 0 OR version = $1) AND ($2 = '' OR effective_on <= $2) ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(version.unwrap_or(-1))
            .bind(as_of.unwrap_or(""))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let decl = serde_json::from_str(&row.get::<String, _>(7))
            .map_err(|e| corrupt("declaration version", e))?;
        Ok(Some((version_from_row(&row), decl)))
    }

    /// Sessions, by date.
    pub async fn sessions(&self) -> Result<Vec<SessionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM gov_session ORDER BY held_on, id"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(session_from_row).collect())
    }

    /// Commitments as stored, by id.
    pub async fn commitment_records(&self) -> Result<Vec<CommitmentRecord>> {
        let rows = sqlx::query(
            "SELECT id, owner, pillar, title, unit, baseline_value, baseline_date, target_value, target_date, status, arrangement \
             FROM commitment ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| CommitmentRecord {
                id: r.get(0),
                owner: r.get(1),
                pillar: r.get(2),
                title: r.get(3),
                unit: r.get(4),
                baseline_value: r.get(5),
                baseline_date: r.get(6),
                target_value: r.get(7),
                target_date: r.get(8),
                status: r.get(9),
                arrangement: r.get(10),
            })
            .collect())
    }

    /// Every (commitment, commitment it depends on).
    pub async fn commitment_dependencies(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT commitment_id, depends_on FROM commitment_dependency ORDER BY commitment_id, depends_on",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Progress reports by commitment and date; only those dated in `from..=to`
    /// (`YYYY-MM-DD`) when given.
    pub async fn progress_reports(
        &self,
        range: Option<(&str, &str)>,
    ) -> Result<Vec<ProgressReport>> {
        let (from, to) = range.unwrap_or(("", ""));
        let rows = sqlx::query(
            "SELECT commitment_id, reported_on, value, source, evidence_url FROM commitment_progress \
             WHERE ($1 = '' OR reported_on >= $1) AND ($2 = '' OR reported_on <= $2) ORDER BY commitment_id, reported_on, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let on: String = r.get(1);
                Ok(ProgressReport {
                    commitment_id: r.get(0),
                    reported_on: hemi_governance::Date::parse(&on)
                        .map_err(|e| corrupt("progress report date", e))?,
                    value: r.get(2),
                    source: r.get(3),
                    evidence_url: r.get(4),
                })
            })
            .collect()
    }

    /// Every assessment, in session order.
    pub async fn assessments(&self) -> Result<Vec<AssessmentRow>> {
        let rows = sqlx::query(
            "SELECT a.commitment_id, a.session_id, s.held_on, a.level, a.decision, a.note FROM commitment_assessment a \
             JOIN gov_session s ON s.id = a.session_id ORDER BY s.held_on, a.id",
        )
        .fetch_all(self.pool())
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

    /// Every pledge and disbursement, by date.
    pub async fn funding(&self) -> Result<Vec<FundingEntry>> {
        let rows = sqlx::query(
            "SELECT kind, donor, recipient, pillar, commitment_id, amount, currency, dated_on, note FROM funding ORDER BY dated_on, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(0);
                let on: String = r.get(7);
                Ok(FundingEntry {
                    kind: kind.parse().map_err(|e| corrupt("funding kind", e))?,
                    donor: r.get(1),
                    recipient: r.get(2),
                    pillar: r.get(3),
                    commitment_id: r.get(4),
                    amount: r.get(5),
                    currency: r.get(6),
                    dated_on: hemi_governance::Date::parse(&on)
                        .map_err(|e| corrupt("funding date", e))?,
                    note: r.get(8),
                })
            })
            .collect()
    }

    /// Pledged and disbursed per pillar and currency.
    pub async fn funding_summary(&self) -> Result<Vec<FundingSummaryRow>> {
        let rows = sqlx::query(
            "SELECT pillar, currency, SUM(CASE WHEN kind = 'pledge' THEN amount ELSE 0.0 END), \
             SUM(CASE WHEN kind = 'disbursement' THEN amount ELSE 0.0 END) FROM funding GROUP BY pillar, currency ORDER BY pillar, currency",
        )
        .fetch_all(self.pool())
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
                .fetch_all(self.pool())
                .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Held council seats, by seat.
    pub async fn council(&self) -> Result<Vec<SeatRow>> {
        council_rows(self.pool()).await
    }

    /// Recommendations of a quarter (`2023Q3`).
    pub async fn recommendations(&self, quarter: &str) -> Result<Vec<Recommendation>> {
        let rows = sqlx::query("SELECT quarter, text, addressed_to, made_by FROM recommendation WHERE quarter = $1 ORDER BY id")
            .bind(quarter)
            .fetch_all(self.pool())
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

    /// Response tasks, by id; one event's when given.
    pub async fn tasks(&self, event_id: Option<&str>) -> Result<Vec<TaskRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM response_task WHERE ($1 = '' OR event_id = $1) ORDER BY id"
        ))
        .bind(event_id.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(task_from_row).collect())
    }
}
