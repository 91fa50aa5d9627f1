//! Long work off the request path: a job is a row (kind, state, progress, result or
//! error) and a tokio task. The web answers at once with the job's id and shows its
//! progress page; the CLI runs the same work in the foreground with a progress bar.
//!
//! Progress is reported through [`Progress`] from any thread (the CPU-bound parts run
//! on the blocking pool); a small writer task copies it into the row twice a second.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hemi_store::JobRow;

use crate::progress::Progress;
use crate::{Actor, App, AppError, Result};

/// How often a running job's progress is written to its row.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_millis(500);

#[derive(Default)]
struct SharedProgress {
    done: AtomicU64,
    total: AtomicU64,
    message: Mutex<String>,
    changed: AtomicBool,
}

impl Progress for SharedProgress {
    fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.changed.store(true, Ordering::Relaxed);
    }
    fn advance(&self, done: u64) {
        self.done.fetch_add(done, Ordering::Relaxed);
        self.changed.store(true, Ordering::Relaxed);
    }
    fn message(&self, text: &str) {
        *self.message.lock().unwrap_or_else(|e| e.into_inner()) = text.chars().take(200).collect();
        self.changed.store(true, Ordering::Relaxed);
    }
}

impl App {
    /// Start `work` as a job; returns its id at once. The job's row says how it ended:
    /// its result (JSON) or its error (the caller's fault in words, or a generic
    /// message for a fault of ours, whose cause is logged).
    pub async fn spawn_job<F, Fut>(&self, kind: &str, actor: &Actor, work: F) -> Result<i64>
    where
        F: FnOnce(App, Arc<dyn Progress>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<serde_json::Value>> + Send + 'static,
    {
        let store = self.store().clone();
        let id = store.insert_job(kind, &actor.label(), actor.at).await?;
        let app = self.clone();
        let kind = kind.to_owned();
        tokio::spawn(async move {
            let progress = Arc::new(SharedProgress::default());
            let _ = store.start_job(id, crate::time::now_unix()).await;
            let writer = {
                let (store, progress) = (store.clone(), progress.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(PROGRESS_WRITE_INTERVAL).await;
                        if progress.changed.swap(false, Ordering::Relaxed) {
                            let message = progress
                                .message
                                .lock()
                                .map(|m| m.clone())
                                .unwrap_or_default();
                            let _ = store
                                .job_progress(
                                    id,
                                    progress.done.load(Ordering::Relaxed) as i64,
                                    progress.total.load(Ordering::Relaxed) as i64,
                                    &message,
                                )
                                .await;
                        }
                    }
                })
            };
            let outcome = work(app, progress.clone()).await;
            writer.abort();
            let message = progress
                .message
                .lock()
                .map(|m| m.clone())
                .unwrap_or_default();
            let done = progress.done.load(Ordering::Relaxed) as i64;
            let total = progress.total.load(Ordering::Relaxed) as i64;
            let _ = store
                .job_progress(id, done, total.max(done), &message)
                .await;
            let now = crate::time::now_unix();
            let recorded = match &outcome {
                Ok(value) => store.finish_job(id, Ok(&value.to_string()), now).await,
                Err(e) if e.is_callers() => store.finish_job(id, Err(&e.to_string()), now).await,
                Err(e) => {
                    tracing::error!(job = id, kind = %kind, error = %e, "job failed");
                    store
                        .finish_job(
                            id,
                            Err("the job failed on the server; the error is in the server log"),
                            now,
                        )
                        .await
                }
            };
            if let Err(e) = recorded {
                tracing::error!(job = id, error = %e, "could not record how the job ended");
            }
        });
        Ok(id)
    }

    /// A job by id.
    pub async fn job(&self, id: i64) -> Result<JobRow> {
        self.store()
            .job(id)
            .await?
            .ok_or_else(|| AppError::not_found("job", id.to_string(), "jobs are listed at /jobs"))
    }

    /// The newest jobs.
    pub async fn recent_jobs(&self, limit: i64) -> Result<Vec<JobRow>> {
        Ok(self.store().recent_jobs(limit).await?)
    }

    /// The early warning after data arrived, as a job: assess the newest month, record
    /// alerts, queue and deliver notifications.
    pub async fn spawn_warning_job(&self, actor: &Actor) -> Result<i64> {
        self.spawn_job("warn_after_import", actor, |app, progress| async move {
            progress.set_total(3);
            progress.message("replaying the watched series");
            let run = app.run_warning(None).await?;
            progress.advance(2);
            progress.message("delivering notifications");
            let delivered = app.deliver_due().await?;
            progress.advance(1);
            progress.message("done");
            Ok(serde_json::json!({
                "month": run.month,
                "alarms": run.alarms,
                "new_alerts": run.recorded.len(),
                "notifications_queued": run.queued,
                "delivered": delivered,
            }))
        })
        .await
    }
}
