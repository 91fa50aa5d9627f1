//! The L.A. Process workflows: seeding the declaration, sessions and their decisions,
//! commitments with progress and assessments, funding, the council, recommendations,
//! response tasks and their escalation. Each workflow reads the current state in a
//! transaction, asks `hemi-governance` whether the change may happen, and writes the
//! change with its audit entry in the same transaction: a refusal changes nothing.

use hemi_governance::commitment::progress_share;
use hemi_governance::playbook::TaskState;
use hemi_governance::{
    apply, check_assessable, check_recommendation, council, emergency_pillar_key, Assessment,
    Change, CommitmentSummary, ContinueDecision, CouncilSeat, Date, Declaration, DiffEntry,
    Escalation, FundingEntry, NewCommitment, NewSession, PillarKind, ProgressReport, Quarter,
    SessionKind, TaskFields, TaskStatus, TaskUpdate,
};
use hemi_store::governance::{
    CommitmentRecord, NewVersion, Recommendation, SessionRow, TaskRow, VersionRow,
};
use hemi_store::Tx;

use crate::{Actor, App, AppError, Result};

/// A commitment with its latest progress and assessment, as pages and reports show it.
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

async fn latest(tx: &mut Tx) -> Result<(i64, String, Declaration)> {
    tx.latest_declaration().await?.ok_or_else(|| {
        AppError::refused(
            "declaration",
            "the declaration is not seeded yet",
            "run `hemi process seed` (or `hemi demo`)",
        )
    })
}

async fn session_in(tx: &mut Tx, id: i64) -> Result<SessionRow> {
    tx.session(id).await?.ok_or_else(|| {
        AppError::not_found(
            "session",
            id.to_string(),
            "`hemi process sessions list` lists them",
        )
    })
}

/// Write the next version. The history is linear: a version never takes effect before
/// the one it follows, so "the version in effect on a date" is always the latest one
/// dated on or before it.
#[allow(clippy::too_many_arguments)]
async fn write_version(
    tx: &mut Tx,
    previous: (i64, &str),
    decl: &Declaration,
    changes: &[Change],
    effective_on: &str,
    actor: &Actor,
    session_id: Option<i64>,
    reason: &str,
) -> Result<i64> {
    let (previous_version, previous_on) = previous;
    if previous_version > 0 && effective_on < previous_on {
        return Err(AppError::refused(
            "date",
            format!(
                "{effective_on} is before version {previous_version}, in effect from {previous_on}"
            ),
            "changes are recorded in date order: date this one on or after the latest version",
        ));
    }
    let version = previous_version + 1;
    let who = actor.label();
    tx.insert_version(&NewVersion {
        version,
        declaration: decl,
        changes,
        effective_on,
        recorded_at: actor.at,
        changed_by: &who,
        session_id,
        reason,
    })
    .await?;
    let summary: Vec<String> = changes.iter().map(Change::summary).collect();
    tx.audit(&actor.audit(
        "declaration_changed",
        &format!("version {version}"),
        format!("{reason}: {}", summary.join("; ")),
    ))
    .await?;
    Ok(version)
}

/// Bring the commitment table in line with the declaration's summaries (owner, status
/// and arrangement change through decisions).
async fn sync_commitments(tx: &mut Tx, before: &Declaration, after: &Declaration) -> Result<()> {
    for c in &after.commitments {
        if !before.commitments.iter().any(|b| b == c) {
            tx.update_commitment_summary(c).await?;
        }
    }
    Ok(())
}

impl App {
    /// Record version 1 of the declaration, its commitments and the Task Force
    /// agencies, once. Returns false when already seeded (nothing changes).
    pub async fn seed_declaration(&self, actor: &Actor) -> Result<bool> {
        let seed = &self.config().seed;
        let mut tx = self.store().begin().await?;
        if tx.latest_declaration().await?.is_some() {
            return Ok(false);
        }
        let on = seed.declaration.adopted_on.clone();
        let mut decl = seed.declaration.clone();
        let mut version = write_version(
            &mut tx,
            (0, ""),
            &decl,
            &[],
            &on,
            actor,
            None,
            "declaration signed (bundled seed, seed 001 appendix B)",
        )
        .await?;
        for (name, status) in &seed.agencies {
            tx.insert_agency(name, status).await?;
        }
        for c in &seed.commitments {
            let (next, v) =
                add_commitment_in(&mut tx, (version, &on), &decl, c, None, &on, actor).await?;
            decl = next;
            version = v;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Every version, oldest first.
    pub async fn declaration_versions(&self) -> Result<Vec<VersionRow>> {
        Ok(self.store().declaration_versions().await?)
    }

    /// A version of the declaration: this number, or the one in effect on a date, or
    /// the latest.
    pub async fn declaration(
        &self,
        version: Option<i64>,
        as_of: Option<&Date>,
    ) -> Result<(VersionRow, Declaration)> {
        self.store()
            .declaration(version, as_of.map(Date::as_str))
            .await?
            .ok_or_else(|| match (version, as_of) {
                (Some(v), _) => AppError::not_found(
                    "version",
                    v.to_string(),
                    "`hemi process versions` lists them",
                ),
                (None, Some(d)) => AppError::not_found(
                    "version in effect on",
                    d.to_string(),
                    "the declaration was signed on 2022-06-10",
                ),
                _ => AppError::refused(
                    "declaration",
                    "the declaration is not seeded yet",
                    "run `hemi process seed`",
                ),
            })
    }

    /// Differences from version `from` to version `to`.
    pub async fn declaration_diff(&self, from: i64, to: i64) -> Result<Vec<DiffEntry>> {
        let (_, a) = self.declaration(Some(from), None).await?;
        let (_, b) = self.declaration(Some(to), None).await?;
        Ok(hemi_governance::diff(&a, &b))
    }

    /// Open a session. An emergency session for an event also adds an emergency pillar
    /// `E-<event id>` (a new version); the event must exist in the early warning.
    /// Returns the session id and that version.
    pub async fn open_session(
        &self,
        new: &NewSession,
        actor: &Actor,
    ) -> Result<(i64, Option<i64>)> {
        new.validate()?;
        let host = new.host.trim().to_uppercase();
        let known_host = hemi_core::CountryCodes::bundled().contains(&host);
        let mut tx = self.store().begin().await?;
        let (previous, previous_on, decl) = latest(&mut tx).await?;
        let is_signatory = decl
            .signatories
            .iter()
            .any(|s| s.code.eq_ignore_ascii_case(new.host.trim()));
        if !known_host && !is_signatory {
            let codes: Vec<&str> = decl.signatories.iter().map(|s| s.code.as_str()).collect();
            return Err(AppError::invalid(
                "host",
                format!(
                    "{:?} is neither a country code (ISO3) nor a signatory",
                    new.host
                ),
                hemi_core::suggest::did_you_mean(
                    &new.host,
                    &codes,
                    "give the host state's ISO3 code, e.g. PER",
                ),
            ));
        }
        let event_id = match &new.event_id {
            Some(e) => {
                let id = e.trim().to_uppercase();
                let as_of = self.newest_month_or_refuse().await?;
                let (_, event) = self.event(&id, as_of).await?;
                Some(event.id)
            }
            None => None,
        };
        let stored = NewSession {
            host: if known_host {
                host
            } else {
                new.host.trim().to_owned()
            },
            event_id: event_id.clone(),
            ..new.clone()
        };
        let id = tx.insert_session(&stored, actor.at).await?;
        tx.audit(&actor.audit(
            "session_opened",
            &format!("session {id}"),
            format!("{} {} hosted by {}", new.kind, new.held_on, stored.host),
        ))
        .await?;
        let mut version = None;
        if let Some(event_id) = &event_id {
            let change = Change::AddPillar {
                key: emergency_pillar_key(event_id),
                title: if new.title.trim().is_empty() {
                    format!("Emergency response to {event_id}")
                } else {
                    new.title.trim().to_owned()
                },
                kind: PillarKind::Emergency,
                goals: new.emergency_goals.clone(),
                event_id: Some(event_id.clone()),
            };
            let next = apply(&decl, &change, &new.held_on)?;
            version = Some(
                write_version(
                    &mut tx,
                    (previous, &previous_on),
                    &next,
                    &[change],
                    new.held_on.as_str(),
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
        Ok(self.store().sessions().await?)
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
            return Err(AppError::invalid(
                "decision",
                "no change given",
                "give at least one change, e.g. --add-pillar",
            ));
        }
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason",
                "a decision needs a reason",
                "say why the session decided it",
            ));
        }
        let mut tx = self.store().begin().await?;
        let session = session_in(&mut tx, session_id).await?;
        let on = Date::parse(&session.held_on)?;
        let (previous, previous_on, before) = latest(&mut tx).await?;
        let mut next = before.clone();
        for change in changes {
            next = apply(&next, change, &on)?;
        }
        sync_commitments(&mut tx, &before, &next).await?;
        let version = write_version(
            &mut tx,
            (previous, &previous_on),
            &next,
            changes,
            on.as_str(),
            actor,
            Some(session_id),
            reason.trim(),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Apply a decision as typed (form fields, command-line flags), dated on its session.
    pub async fn decide_request(
        &self,
        session_id: i64,
        request: &hemi_governance::DecisionRequest,
        reason: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let session = self
            .sessions()
            .await?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(|| {
                AppError::not_found(
                    "session",
                    session_id.to_string(),
                    "`hemi process sessions list` lists them",
                )
            })?;
        let changes = request.changes(&Date::parse(&session.held_on)?)?;
        self.decide(session_id, &changes, reason, actor).await
    }

    /// Record a commitment (a new version of the declaration). Refused without owner or
    /// unit, with the target date not after the baseline date, an unknown pillar or
    /// owner, or a dependency that does not exist. Dated on `session_id`'s day when
    /// announced in a session, else on `on`.
    pub async fn add_commitment(
        &self,
        new: &NewCommitment,
        session_id: Option<i64>,
        on: &Date,
        actor: &Actor,
    ) -> Result<i64> {
        new.validate()?;
        let mut tx = self.store().begin().await?;
        let effective_on = match session_id {
            Some(s) => session_in(&mut tx, s).await?.held_on,
            None => on.to_string(),
        };
        let (previous, previous_on, decl) = latest(&mut tx).await?;
        let (next, _) = add_commitment_in(
            &mut tx,
            (previous, &previous_on),
            &decl,
            new,
            session_id,
            &effective_on,
            actor,
        )
        .await?;
        tx.commit().await?;
        Ok(next.commitments.last().map(|c| c.id).unwrap_or_default())
    }

    /// Commitments with their latest progress reported on or before `as_of` (all when
    /// `None`), by id. With `as_of`, commitments whose baseline is later are left out.
    pub async fn commitments(&self, as_of: Option<&Date>) -> Result<Vec<CommitmentRow>> {
        let store = self.store();
        let records = store.commitment_records().await?;
        let deps = store.commitment_dependencies().await?;
        let progress = store.progress_reports(None).await?;
        let assessments = store.assessments().await?;
        let cut = as_of.map(|d| d.to_string());
        Ok(records
            .into_iter()
            .filter(|r| cut.as_ref().is_none_or(|c| r.baseline_date <= *c))
            .map(|r| {
                let latest = progress
                    .iter()
                    .filter(|p| {
                        p.commitment_id == r.id
                            && cut
                                .as_ref()
                                .is_none_or(|c| p.reported_on.as_str() <= c.as_str())
                    })
                    .max_by(|a, b| a.reported_on.cmp(&b.reported_on));
                CommitmentRow {
                    depends_on: deps.iter().filter(|d| d.0 == r.id).map(|d| d.1).collect(),
                    latest_value: latest.map(|p| p.value),
                    latest_on: latest.map(|p| p.reported_on.to_string()),
                    progress_share: latest
                        .and_then(|p| progress_share(r.baseline_value, r.target_value, p.value)),
                    assessment: assessments
                        .iter()
                        .rfind(|a| {
                            a.commitment_id == r.id && cut.as_ref().is_none_or(|c| a.held_on <= *c)
                        })
                        .map(|a| a.level.clone()),
                    id: r.id,
                    owner: r.owner,
                    pillar: r.pillar,
                    title: r.title,
                    unit: r.unit,
                    baseline_value: r.baseline_value,
                    baseline_date: r.baseline_date,
                    target_value: r.target_value,
                    target_date: r.target_date,
                    status: r.status,
                    arrangement: r.arrangement,
                }
            })
            .collect())
    }

    /// One commitment with its progress, or not-found.
    pub async fn commitment(&self, id: i64) -> Result<CommitmentRow> {
        self.commitments(None)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                AppError::not_found(
                    "commitment",
                    id.to_string(),
                    "`hemi process commitments list` lists them",
                )
            })
    }

    /// Progress reports, by commitment and date; only those dated in `from..=to` when given.
    pub async fn progress_reports(
        &self,
        range: Option<(&Date, &Date)>,
    ) -> Result<Vec<ProgressReport>> {
        Ok(self
            .store()
            .progress_reports(range.map(|(a, b)| (a.as_str(), b.as_str())))
            .await?)
    }

    /// Record a progress report, audited.
    pub async fn report_progress(&self, report: &ProgressReport, actor: &Actor) -> Result<()> {
        report.validate()?;
        let mut tx = self.store().begin().await?;
        if !tx.commitment_exists(report.commitment_id).await? {
            return Err(
                hemi_governance::GovernanceError::UnknownCommitment(report.commitment_id).into(),
            );
        }
        tx.insert_progress(report, actor.at).await?;
        tx.audit(&actor.audit(
            "commitment_progress",
            &format!("commitment {}", report.commitment_id),
            format!(
                "{} on {} ({})",
                report.value,
                report.reported_on,
                report.source.trim()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assess a commitment at a ministerial. `stop`, `complete` and `withdrawn` change
    /// its status in the declaration (a new version, returned).
    pub async fn assess_commitment(
        &self,
        commitment_id: i64,
        session_id: i64,
        level: Assessment,
        decision: ContinueDecision,
        note: &str,
        actor: &Actor,
    ) -> Result<Option<i64>> {
        let mut tx = self.store().begin().await?;
        let session = session_in(&mut tx, session_id).await?;
        let kind: SessionKind = session.kind.parse()?;
        check_assessable(kind, session_id)?;
        if !tx.commitment_exists(commitment_id).await? {
            return Err(hemi_governance::GovernanceError::UnknownCommitment(commitment_id).into());
        }
        tx.insert_assessment(
            commitment_id,
            session_id,
            level.as_str(),
            decision.as_str(),
            note,
            actor.at,
        )
        .await?;
        tx.audit(&actor.audit(
            "commitment_assessed",
            &format!("commitment {commitment_id}"),
            format!("{level}, {} at session {session_id}", decision.as_str()),
        ))
        .await?;
        let mut version = None;
        if let Some(status) = decision.status_after(level) {
            let (previous, previous_on, before) = latest(&mut tx).await?;
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
                let on = Date::parse(&session.held_on)?;
                let next = apply(&before, &change, &on)?;
                sync_commitments(&mut tx, &before, &next).await?;
                version = Some(
                    write_version(
                        &mut tx,
                        (previous, &previous_on),
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
    pub async fn assessments(&self) -> Result<Vec<hemi_store::governance::AssessmentRow>> {
        Ok(self.store().assessments().await?)
    }

    /// Record a pledge or a disbursement, audited.
    pub async fn record_funding(&self, entry: &FundingEntry, actor: &Actor) -> Result<i64> {
        let mut tx = self.store().begin().await?;
        let (_, _, decl) = latest(&mut tx).await?;
        entry.validate(&decl)?;
        let id = tx.insert_funding(entry, actor.at).await?;
        tx.audit(&actor.audit(
            &format!("funding_{}", entry.kind),
            &entry.pillar,
            format!(
                "{} {} {} from {} to {}",
                entry.kind,
                entry.amount,
                entry.currency,
                entry.donor.trim(),
                entry.recipient.trim()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Appoint an expert to a seat; refused when the seat is held or parity would break.
    pub async fn appoint_council_seat(
        &self,
        seat: &CouncilSeat,
        on: &Date,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.store().begin().await?;
        let current: Vec<CouncilSeat> = tx.council().await?.into_iter().map(|s| s.seat).collect();
        council::appoint(&current, seat.clone())?;
        tx.insert_seat(seat, on.as_str()).await?;
        tx.audit(&actor.audit(
            "council_appointed",
            &format!("seat {}", seat.seat),
            format!(
                "{} ({}) appointed by {}",
                seat.holder,
                if seat.us_expert { "US" } else { "non-US" },
                seat.appointed_by
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Empty a seat; refused when parity would break.
    pub async fn remove_council_seat(&self, seat: &str, on: &Date, actor: &Actor) -> Result<()> {
        let mut tx = self.store().begin().await?;
        let current: Vec<CouncilSeat> = tx.council().await?.into_iter().map(|s| s.seat).collect();
        council::remove(&current, seat)?;
        tx.remove_seat(seat, on.as_str()).await?;
        tx.audit(&actor.audit("council_removed", &format!("seat {seat}"), ""))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a Task Force recommendation for a quarter, audited.
    pub async fn add_recommendation(
        &self,
        quarter: &Quarter,
        text: &str,
        addressed_to: &str,
        actor: &Actor,
    ) -> Result<()> {
        check_recommendation(text, addressed_to)?;
        let mut tx = self.store().begin().await?;
        tx.insert_recommendation(
            &Recommendation {
                quarter: quarter.to_string(),
                text: text.to_owned(),
                addressed_to: addressed_to.to_owned(),
                made_by: actor.label(),
            },
            actor.at,
        )
        .await?;
        tx.audit(&actor.audit("recommendation_added", &quarter.to_string(), text.trim()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Response tasks, by id; one event's when given. A national officer sees the tasks
    /// assigned to their country.
    pub async fn tasks(&self, event_id: Option<&str>, actor: &Actor) -> Result<Vec<TaskRow>> {
        let tasks = self.store().tasks(event_id).await?;
        Ok(match actor.country() {
            Some(country) if actor.role() == hemi_core::Role::NationalOfficer => tasks
                .into_iter()
                .filter(|t| task_belongs_to(t, country))
                .collect(),
            _ => tasks,
        })
    }

    /// Change a task's status, assignee or evidence, audited. A national officer may
    /// update only the tasks assigned to their country.
    pub async fn update_task(
        &self,
        id: i64,
        update: &TaskUpdate,
        actor: &Actor,
    ) -> Result<TaskRow> {
        let mut tx = self.store().begin().await?;
        let mut task = tx.task(id).await?.ok_or_else(|| {
            AppError::not_found(
                "task",
                id.to_string(),
                "`hemi process tasks list` lists them",
            )
        })?;
        if let (hemi_core::Role::NationalOfficer, Some(country)) = (actor.role(), actor.country()) {
            if !task_belongs_to(&task, country) {
                return Err(AppError::Forbidden(format!(
                    "task {id} is assigned to {}, not to {country}",
                    task.assignee
                )));
            }
        }
        let current = TaskFields {
            status: TaskStatus::parse(&task.status).unwrap_or(TaskStatus::Open),
            assignee: task.assignee.clone(),
            evidence: task.evidence.clone(),
        };
        let next = update.apply(&current)?;
        task.status = next.status.as_str().to_owned();
        task.assignee = next.assignee;
        task.evidence = next.evidence;
        task.updated_at = actor.at;
        tx.update_task(&task).await?;
        tx.audit(&actor.audit(
            "task_updated",
            &format!("task {id}"),
            format!("{} ({})", task.status, task.assignee),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// Open tasks past due at `now` (Unix seconds) and whom they escalate to.
    pub async fn escalations(&self, now: i64) -> Result<Vec<Escalation>> {
        let tasks: Vec<TaskState> = self
            .store()
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

    /// Recommendations of a quarter.
    pub async fn recommendations(&self, quarter: &Quarter) -> Result<Vec<Recommendation>> {
        Ok(self.store().recommendations(&quarter.to_string()).await?)
    }
}

/// A task is a national officer's when its assignee names their country: the playbooks
/// assign tasks to a state's ISO3 code or to "<ISO3> <agency>".
pub fn task_belongs_to(task: &TaskRow, country: &str) -> bool {
    let assignee = task.assignee.trim();
    assignee.eq_ignore_ascii_case(country)
        || assignee
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case(country))
}

/// Write a commitment and its summary into the declaration as a new version; returns
/// the declaration after and the new version number.
async fn add_commitment_in(
    tx: &mut Tx,
    previous: (i64, &str),
    decl: &Declaration,
    new: &NewCommitment,
    session_id: Option<i64>,
    effective_on: &str,
    actor: &Actor,
) -> Result<(Declaration, i64)> {
    let (baseline, target) = new.validate()?;
    let record = CommitmentRecord {
        id: 0,
        owner: new.owner.trim().to_owned(),
        pillar: new.pillar.clone(),
        title: new.title.clone(),
        unit: new.unit.trim().to_owned(),
        baseline_value: new.baseline_value,
        baseline_date: baseline.to_string(),
        target_value: new.target_value,
        target_date: target.to_string(),
        status: "active".into(),
        arrangement: None,
    };
    let id = tx.insert_commitment(&record, actor.at).await?;
    let mut summary: CommitmentSummary = new.summary(id)?;
    summary.owner = summary.owner.trim().to_owned();
    let change = Change::AddCommitment {
        commitment: summary,
    };
    let on = Date::parse(effective_on)?;
    let next = apply(decl, &change, &on)?;
    for d in &new.depends_on {
        tx.insert_dependency(id, *d).await?;
    }
    let version = write_version(
        tx,
        previous,
        &next,
        &[change],
        effective_on,
        actor,
        session_id,
        &format!("commitment by {}", new.owner.trim()),
    )
    .await?;
    Ok((next, version))
}
