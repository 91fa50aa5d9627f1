//! Webhook delivery of queued notifications: HTTP POST of JSON, retried with backoff,
//! every attempt logged.
//!
//! Delivery is at-least-once: a notification is marked delivered only after a 2xx
//! answer, so a receiver may see a repeat after a crash and should key on `alert_id`.

use std::time::{Duration, SystemTime};

use hemi_store::Store;

/// Attempts made within one `hemi warn run` before leaving the rest to the next run.
pub const ATTEMPTS_PER_RUN: u32 = 3;
/// Attempts after which a notification is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// First retry delay; doubled after each failure.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Timeout of one HTTP request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What a delivery round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub attempted: usize,
    pub delivered: usize,
    pub pending: usize,
    pub failed: usize,
}

/// Same shape as `commands::warn::now_rfc3339`: outbox times are compared as text.
fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Deliver every due notification, retrying each up to [`ATTEMPTS_PER_RUN`] times with
/// exponential backoff.
pub async fn deliver_due(store: &Store) -> anyhow::Result<DeliveryReport> {
    let due = store.due_notifications(&rfc3339(SystemTime::now())).await?;
    let mut report = DeliveryReport::default();
    let agent = ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build();
    for n in due {
        report.attempted += 1;
        let mut attempts = n.attempts;
        let mut backoff = FIRST_BACKOFF;
        let mut outcome = "pending";
        for _ in 0..ATTEMPTS_PER_RUN {
            let agent = agent.clone();
            let (url, payload) = (n.webhook_url.clone(), n.payload.clone());
            let answer = tokio::task::spawn_blocking(move || {
                agent
                    .post(&url)
                    .set("Content-Type", "application/json")
                    .send_string(&payload)
            })
            .await?;
            let (status, error) = match answer {
                Ok(response) => (Some(i64::from(response.status())), None),
                Err(ureq::Error::Status(code, _)) => {
                    (Some(i64::from(code)), Some(format!("HTTP {code}")))
                }
                Err(e) => (None, Some(e.to_string())),
            };
            attempts += 1;
            let delivered = error.is_none();
            let give_up = !delivered && attempts >= MAX_ATTEMPTS;
            let now = SystemTime::now();
            let next = rfc3339(now + backoff * 2);
            store
                .record_delivery_attempt(
                    n.id,
                    &rfc3339(now),
                    status,
                    error.as_deref(),
                    delivered,
                    give_up,
                    &next,
                )
                .await?;
            if delivered {
                outcome = "delivered";
                break;
            }
            if give_up {
                outcome = "failed";
                break;
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
        match outcome {
            "delivered" => report.delivered += 1,
            "failed" => report.failed += 1,
            _ => report.pending += 1,
        }
    }
    Ok(report)
}
