//! Webhook delivery of queued notifications: HTTP POST of JSON, retried with backoff,
//! every attempt logged. Outbound HTTP sits behind [`Outbound`], so tests deliver to a
//! real local listener and the web app delivers in the background: a web request never
//! waits on a webhook.
//!
//! Delivery is at-least-once: a notification is marked delivered only after a 2xx
//! answer, so a receiver may see a repeat after a crash and should key on `alert_id`.

use std::time::Duration;

use crate::{App, AppError, Result};

/// Attempts made within one delivery round before leaving the rest to the next round.
pub const ATTEMPTS_PER_RUN: u32 = 3;
/// Attempts after which a notification is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// First retry delay; doubled after each failure.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Timeout of one HTTP request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What one POST came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// The receiver answered with this status.
    Status(u16),
    /// No answer (connection refused, timeout, TLS failure), with why.
    Failed(String),
}

/// Sends a JSON body to a URL. Blocking: callers run it off the async workers.
pub trait Outbound: Send + Sync {
    /// POST `body` as `application/json` to `url`.
    fn post_json(&self, url: &str, body: &str) -> PostOutcome;
}

/// The real sender: `ureq` with a timeout, TLS through rustls.
pub struct HttpOutbound {
    agent: ureq::Agent,
}

impl Default for HttpOutbound {
    fn default() -> Self {
        HttpOutbound {
            agent: ureq::AgentBuilder::new().timeout(REQUEST_TIMEOUT).build(),
        }
    }
}

impl Outbound for HttpOutbound {
    fn post_json(&self, url: &str, body: &str) -> PostOutcome {
        match self
            .agent
            .post(url)
            .set("Content-Type", "application/json")
            .send_string(body)
        {
            Ok(response) => PostOutcome::Status(response.status()),
            Err(ureq::Error::Status(code, _)) => PostOutcome::Status(code),
            Err(e) => PostOutcome::Failed(e.to_string()),
        }
    }
}

/// What a delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    /// Notifications tried.
    pub attempted: usize,
    /// Delivered in this round.
    pub delivered: usize,
    /// Left for a later round.
    pub pending: usize,
    /// Given up on.
    pub failed: usize,
}

impl App {
    /// Deliver every due notification, retrying each up to [`ATTEMPTS_PER_RUN`] times
    /// with exponential backoff.
    pub async fn deliver_due(&self) -> Result<DeliveryReport> {
        let store = self.store();
        let due = store.due_notifications(&crate::time::now_rfc3339()).await?;
        let mut report = DeliveryReport::default();
        for n in due {
            report.attempted += 1;
            let mut attempts = n.attempts;
            let mut backoff = FIRST_BACKOFF;
            let mut outcome = "pending";
            for _ in 0..ATTEMPTS_PER_RUN {
                let outbound = self.outbound();
                let (url, payload) = (n.webhook_url.clone(), n.payload.clone());
                let answer =
                    tokio::task::spawn_blocking(move || outbound.post_json(&url, &payload))
                        .await
                        .map_err(|e| {
                            AppError::Internal(anyhow::anyhow!("delivery task failed: {e}"))
                        })?;
                let (status, error) = match answer {
                    PostOutcome::Status(code) if (200..300).contains(&code) => {
                        (Some(i64::from(code)), None)
                    }
                    PostOutcome::Status(code) => {
                        (Some(i64::from(code)), Some(format!("HTTP {code}")))
                    }
                    PostOutcome::Failed(why) => (None, Some(why)),
                };
                attempts += 1;
                let delivered = error.is_none();
                let give_up = !delivered && attempts >= MAX_ATTEMPTS;
                let now = jiff::Timestamp::now();
                let next = crate::time::rfc3339_millis(
                    now.checked_add(
                        jiff::SignedDuration::try_from(backoff * 2).unwrap_or_default(),
                    )
                    .unwrap_or(now),
                );
                store
                    .record_delivery_attempt(
                        n.id,
                        &crate::time::rfc3339_millis(now),
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
}
