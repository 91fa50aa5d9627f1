//! Early-warning records: alerts, event status changes, subscribers and the
//! notification outbox with its delivery log.

use sqlx::Row;

use crate::{Result, Store, Tx};

/// An alert to record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewAlert {
    /// Reporting country.
    pub reporting: String,
    /// Nationality, `""` for a total.
    pub nationality: String,
    /// Measure of the series.
    pub measure: String,
    /// Month the alert is about, `YYYY-MM`.
    pub month: String,
    /// Observed value.
    pub value: f64,
    /// Expected value.
    pub expected: Option<f64>,
    /// Upper bound.
    pub upper_bound: Option<f64>,
    /// Score.
    pub score: Option<f64>,
    /// Detectors that alarmed, comma-separated.
    pub detectors: String,
    /// Event the alert belongs to.
    pub event_id: String,
    /// When the data for the month arrived (RFC 3339).
    pub data_arrived_at: String,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertRow {
    /// Id.
    pub id: i64,
    /// The alert.
    #[serde(flatten)]
    pub alert: NewAlert,
    /// When it was recorded.
    pub raised_at: String,
}

/// One status change of an event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventTransitionRow {
    /// Event id.
    pub event_id: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who decided.
    pub changed_by: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    pub changed_at: String,
}

/// A webhook subscriber.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubscriberRow {
    /// Id.
    pub id: i64,
    /// Name (an agency, a desk).
    pub name: String,
    /// Webhook URL.
    pub webhook_url: String,
    /// Receives new alerts.
    pub active: bool,
}

/// One delivery attempt, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryAttemptRow {
    /// Notification.
    pub notification_id: i64,
    /// Subscriber name.
    pub subscriber: String,
    /// Alert.
    pub alert_id: i64,
    /// When (RFC 3339).
    pub attempted_at: String,
    /// HTTP status answered, if any.
    pub http_status: Option<i64>,
    /// Error, if it failed.
    pub error: Option<String>,
}

/// A notification waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingNotification {
    /// Id.
    pub id: i64,
    /// Subscriber's webhook URL.
    pub webhook_url: String,
    /// JSON body.
    pub payload: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// A notification with its timeliness, for reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotificationRow {
    /// Alert id.
    pub alert_id: i64,
    /// Subscriber name.
    pub subscriber: String,
    /// pending | delivered | failed.
    pub status: String,
    /// Attempts.
    pub attempts: i64,
    /// When the data arrived.
    pub data_arrived_at: String,
    /// When delivered, if it was.
    pub delivered_at: Option<String>,
}

impl Store {
    /// Record alerts not recorded before (same series and month), returning the new ones
    /// with their ids. Re-running the same month records nothing twice.
    pub async fn record_alerts(
        &self,
        alerts: &[NewAlert],
        raised_at: &str,
    ) -> Result<Vec<AlertRow>> {
        let mut tx = self.pool.begin().await?;
        let mut recorded = Vec::new();
        for a in alerts {
            let exists = sqlx::query(
                "SELECT id FROM alert WHERE reporting = $1 AND nationality = $2 AND measure = $3 AND month = $4",
            )
            .bind(&a.reporting)
            .bind(&a.nationality)
            .bind(&a.measure)
            .bind(&a.month)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                continue;
            }
            let row = sqlx::query(
                "INSERT INTO alert (reporting, nationality, measure, month, value, expected, upper_bound, score, \
                 detectors, event_id, data_arrived_at, raised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(&a.reporting)
            .bind(&a.nationality)
            .bind(&a.measure)
            .bind(&a.month)
            .bind(a.value)
            .bind(a.expected)
            .bind(a.upper_bound)
            .bind(a.score)
            .bind(&a.detectors)
            .bind(&a.event_id)
            .bind(&a.data_arrived_at)
            .bind(raised_at)
            .fetch_one(&mut *tx)
            .await?;
            recorded.push(AlertRow {
                id: row.get(0),
                alert: a.clone(),
                raised_at: raised_at.to_owned(),
            });
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Every recorded alert, oldest first.
    pub async fn alerts(&self) -> Result<Vec<AlertRow>> {
        let rows = sqlx::query(
            "SELECT id, reporting, nationality, measure, month, value, expected, upper_bound, score, detectors, \
             event_id, data_arrived_at, raised_at FROM alert ORDER BY month, reporting, nationality, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AlertRow {
                id: r.get(0),
                alert: NewAlert {
                    reporting: r.get(1),
                    nationality: r.get(2),
                    measure: r.get(3),
                    month: r.get(4),
                    value: r.get(5),
                    expected: r.get(6),
                    upper_bound: r.get(7),
                    score: r.get(8),
                    detectors: r.get(9),
                    event_id: r.get(10),
                    data_arrived_at: r.get(11),
                },
                raised_at: r.get(12),
            })
            .collect())
    }

    /// Status changes, oldest first; all events when `event_id` is `None`.
    pub async fn event_transitions(
        &self,
        event_id: Option<&str>,
    ) -> Result<Vec<EventTransitionRow>> {
        let rows = sqlx::query(
            "SELECT event_id, from_status, to_status, changed_by, reason, changed_at FROM event_transition \
             WHERE ($1 = '' OR event_id = $1) ORDER BY id",
        )
        .bind(event_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| EventTransitionRow {
                event_id: r.get(0),
                from_status: r.get(1),
                to_status: r.get(2),
                changed_by: r.get(3),
                reason: r.get(4),
                changed_at: r.get(5),
            })
            .collect())
    }

    /// Every subscriber, active or not, by name.
    pub async fn all_subscribers(&self) -> Result<Vec<SubscriberRow>> {
        let rows =
            sqlx::query("SELECT id, name, webhook_url, active FROM subscriber ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| SubscriberRow {
                id: r.get(0),
                name: r.get(1),
                webhook_url: r.get(2),
                active: r.get::<i64, _>(3) != 0,
            })
            .collect())
    }

    /// The newest delivery attempts, newest first.
    pub async fn delivery_attempts(&self, limit: i64) -> Result<Vec<DeliveryAttemptRow>> {
        let rows = sqlx::query(
            "SELECT d.notification_id, s.name, n.alert_id, d.attempted_at, d.http_status, d.error FROM delivery_attempt d \
             JOIN notification n ON n.id = d.notification_id JOIN subscriber s ON s.id = n.subscriber_id \
             ORDER BY d.id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DeliveryAttemptRow {
                notification_id: r.get(0),
                subscriber: r.get(1),
                alert_id: r.get(2),
                attempted_at: r.get(3),
                http_status: r.get(4),
                error: r.get(5),
            })
            .collect())
    }

    /// Active subscribers as (name, url).
    pub async fn subscribers(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT name, webhook_url FROM subscriber WHERE active = 1 ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Queue one notification per alert and active subscriber (the outbox).
    pub async fn enqueue_notifications(&self, alerts: &[(i64, String)], now: &str) -> Result<u64> {
        let subscribers = sqlx::query("SELECT id FROM subscriber WHERE active = 1")
            .fetch_all(&self.pool)
            .await?;
        let mut tx = self.pool.begin().await?;
        let mut queued = 0;
        for (alert_id, payload) in alerts {
            for s in &subscribers {
                let subscriber_id: i64 = s.get(0);
                let done = sqlx::query(
                    "INSERT INTO notification (alert_id, subscriber_id, payload, status, attempts, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, 'pending', 0, $4, $4) ON CONFLICT (alert_id, subscriber_id) DO NOTHING",
                )
                .bind(alert_id)
                .bind(subscriber_id)
                .bind(payload)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                queued += done.rows_affected();
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Pending notifications due at `now`.
    pub async fn due_notifications(&self, now: &str) -> Result<Vec<PendingNotification>> {
        let rows = sqlx::query(
            "SELECT n.id, s.webhook_url, n.payload, n.attempts FROM notification n \
             JOIN subscriber s ON s.id = n.subscriber_id \
             WHERE n.status = 'pending' AND n.next_attempt_at <= $1 ORDER BY n.id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PendingNotification {
                id: r.get(0),
                webhook_url: r.get(1),
                payload: r.get(2),
                attempts: r.get(3),
            })
            .collect())
    }

    /// Record a delivery attempt and the notification's new state.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_delivery_attempt(
        &self,
        notification_id: i64,
        attempted_at: &str,
        http_status: Option<i64>,
        error: Option<&str>,
        delivered: bool,
        give_up: bool,
        next_attempt_at: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO delivery_attempt (notification_id, attempted_at, http_status, error) VALUES ($1, $2, $3, $4)")
            .bind(notification_id)
            .bind(attempted_at)
            .bind(http_status)
            .bind(error)
            .execute(&mut *tx)
            .await?;
        let status = if delivered {
            "delivered"
        } else if give_up {
            "failed"
        } else {
            "pending"
        };
        sqlx::query(
            "UPDATE notification SET attempts = attempts + 1, status = $1, next_attempt_at = $2, \
             delivered_at = CASE WHEN $1 = 'delivered' THEN $3 ELSE delivered_at END WHERE id = $4",
        )
        .bind(status)
        .bind(next_attempt_at)
        .bind(attempted_at)
        .bind(notification_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Notifications with their timeliness.
    pub async fn notifications(&self) -> Result<Vec<NotificationRow>> {
        let rows = sqlx::query(
            "SELECT n.alert_id, s.name, n.status, n.attempts, a.data_arrived_at, n.delivered_at FROM notification n \
             JOIN subscriber s ON s.id = n.subscriber_id JOIN alert a ON a.id = n.alert_id ORDER BY n.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| NotificationRow {
                alert_id: r.get(0),
                subscriber: r.get(1),
                status: r.get(2),
                attempts: r.get(3),
                data_arrived_at: r.get(4),
                delivered_at: r.get(5),
            })
            .collect())
    }

    /// When the latest vintage of each source arrived, as (source, imported_at).
    pub async fn data_arrivals(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT s.name, MAX(b.imported_at) FROM import_batch b JOIN source s ON s.id = b.source_id GROUP BY s.name ORDER BY s.name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

impl Tx {
    /// Append one status change of an event.
    pub async fn insert_event_transition(&mut self, t: &EventTransitionRow) -> Result<()> {
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
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Add (or re-point and re-activate) a webhook subscriber.
    pub async fn upsert_subscriber(&mut self, name: &str, webhook_url: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO subscriber (name, webhook_url, active) VALUES ($1, $2, 1) \
             ON CONFLICT (name) DO UPDATE SET webhook_url = excluded.webhook_url, active = 1",
        )
        .bind(name)
        .bind(webhook_url)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Stop sending to a subscriber (its history stays). `false` when none was active.
    pub async fn deactivate_subscriber(&mut self, name: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE subscriber SET active = 0 WHERE name = $1 AND active = 1")
            .bind(name)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
