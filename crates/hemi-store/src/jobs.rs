//! The job table: long work (a replay after an import, a solve, a linkage run) is
//! recorded with its state and progress, so the web app can answer while it runs and
//! show how far it got, and the CLI can show the same.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Recorded, not started.
    Queued,
    /// Running.
    Running,
    /// Finished with a result.
    Succeeded,
    /// Finished with an error.
    Failed,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> JobState {
        match text {
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "failed" => JobState::Failed,
            _ => JobState::Queued,
        }
    }

    /// True once the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed)
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// What kind of work, e.g. `warn_after_import`.
    pub kind: String,
    /// State.
    pub state: JobState,
    /// Units done.
    pub done: i64,
    /// Units in all (0 when not known).
    pub total: i64,
    /// What it is doing now.
    pub message: String,
    /// Result as JSON, when it succeeded.
    pub result: Option<String>,
    /// Error, when it failed.
    pub error: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// When it was recorded, Unix seconds.
    pub created_at: i64,
    /// When it started.
    pub started_at: Option<i64>,
    /// When it finished.
    pub finished_at: Option<i64>,
}

const JOB_COLUMNS: &str =
    "id, kind, state, done, total, message, result, error, created_by, created_at, started_at, finished_at";

fn job_from_row(r: &AnyRow) -> JobRow {
    JobRow {
        id: r.get(0),
        kind: r.get(1),
        state: JobState::parse(&r.get::<String, _>(2)),
        done: r.get(3),
        total: r.get(4),
        message: r.get(5),
        result: r.get(6),
        error: r.get(7),
        created_by: r.get(8),
        created_at: r.get(9),
        started_at: r.get(10),
        finished_at: r.get(11),
    }
}

impl Store {
    /// Record a new job, queued.
    pub async fn insert_job(&self, kind: &str, created_by: &str, now: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO job (kind, state, done, total, message, created_by, created_at) \
             VALUES ($1, 'queued', 0, 0, '', $2, $3) RETURNING id",
        )
        .bind(kind)
        .bind(created_by)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(row.get(0))
    }

    /// Mark a job running.
    pub async fn start_job(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE job SET state = 'running', started_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Record progress.
    pub async fn job_progress(&self, id: i64, done: i64, total: i64, message: &str) -> Result<()> {
        sqlx::query("UPDATE job SET done = $1, total = $2, message = $3 WHERE id = $4")
            .bind(done)
            .bind(total)
            .bind(message)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Record how a job ended: a result (JSON) or an error.
    pub async fn finish_job(
        &self,
        id: i64,
        outcome: std::result::Result<&str, &str>,
        now: i64,
    ) -> Result<()> {
        let (state, result, error) = match outcome {
            Ok(result) => ("succeeded", Some(result), None),
            Err(error) => ("failed", None, Some(error)),
        };
        sqlx::query(
            "UPDATE job SET state = $1, result = $2, error = $3, finished_at = $4 WHERE id = $5",
        )
        .bind(state)
        .bind(result)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A job by id.
    pub async fn job(&self, id: i64) -> Result<Option<JobRow>> {
        let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM job WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(job_from_row))
    }

    /// The newest jobs, newest first.
    pub async fn recent_jobs(&self, limit: i64) -> Result<Vec<JobRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM job ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit.clamp(1, 500))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(job_from_row).collect())
    }

    /// Jobs left running by a process that stopped (a restart): marked failed, so
    /// nobody waits on them.
    pub async fn abandon_running_jobs(&self, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE job SET state = 'failed', error = 'the server stopped before the job finished', finished_at = $1 \
             WHERE state IN ('queued', 'running')",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
