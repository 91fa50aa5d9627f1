//! Raising alerts and telling subscribers: after data arrives, the newest month is
//! assessed, new alerts are recorded once, one notification per alert and subscriber
//! goes into the outbox, and [`App::deliver_due`](crate::App::deliver_due) sends them.
//! Also the subscribers themselves and the timeliness of every notification, computed
//! here once for `hemi warn notifications`, the admin page and the quarterly report.

use hemi_core::Period;
use hemi_store::{AlertRow, NewAlert, NotificationRow};
use hemi_warning::replay::ReplayRow;

use crate::{Actor, App, AppError, Result};

/// What one early-warning run did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WarningRun {
    /// The month assessed.
    pub month: String,
    /// Alarms in that month.
    pub alarms: usize,
    /// Alerts recorded now (alarms not recorded before).
    pub recorded: Vec<AlertRow>,
    /// Notifications queued.
    pub queued: u64,
}

/// A notification with how long it took to reach its subscriber.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Timeliness {
    /// The notification.
    #[serde(flatten)]
    pub notification: NotificationRow,
    /// Seconds from the data's arrival to delivery, once delivered.
    pub delay_seconds: Option<i64>,
    /// Delivered within the roster's designated time frame.
    pub within_time_frame: Option<bool>,
}

/// Longest subscriber name and URL accepted.
pub const MAX_SUBSCRIBER_NAME_CHARS: usize = 100;
/// Longest webhook URL accepted.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2000;

fn alert_of(app: &App, r: &ReplayRow, arrived_at: &str) -> NewAlert {
    let roster = &app.rules().roster;
    NewAlert {
        reporting: r.reporting.clone(),
        nationality: r.nationality.clone().unwrap_or_default(),
        measure: roster
            .watch
            .iter()
            .find(|w| w.reporting == r.reporting)
            .map(|w| w.measure.clone())
            .unwrap_or_default(),
        month: r.month.to_string(),
        value: r.value,
        expected: r.expected,
        upper_bound: r.upper,
        score: r.score,
        detectors: r
            .detectors
            .iter()
            .filter(|(_, a)| a.alarm)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(";"),
        event_id: r.event_id.clone().unwrap_or_default(),
        data_arrived_at: arrived_at.to_owned(),
    }
}

impl App {
    /// Assess `as_of` (default: the newest month), record new alerts and queue their
    /// notifications. Delivery is separate ([`App::deliver_due`]).
    pub async fn run_warning(&self, as_of: Option<Period>) -> Result<WarningRun> {
        let as_of = match as_of {
            Some(m) => self.check_month(m, "--as-of").await?,
            None => self.newest_month_or_refuse().await?,
        };
        let rows = self.replay_rows(as_of, as_of, None, None).await?;
        let arrivals = self.store().data_arrivals().await?;
        let now = crate::time::now_rfc3339();
        let roster = &self.rules().roster;
        let alerts: Vec<NewAlert> = rows
            .iter()
            .filter(|r| r.alarm)
            .map(|r| {
                let source = roster
                    .watch
                    .iter()
                    .find(|w| w.reporting == r.reporting)
                    .map(|w| w.source.as_str());
                let arrived = arrivals
                    .iter()
                    .find(|(s, _)| Some(s.as_str()) == source)
                    .map(|(_, at)| at.clone())
                    .unwrap_or_else(|| now.clone());
                alert_of(self, r, &arrived)
            })
            .collect();
        let recorded = self.store().record_alerts(&alerts, &now).await?;
        let payloads: Vec<(i64, String)> = recorded
            .iter()
            .map(|a| {
                (
                    a.id,
                    serde_json::json!({ "type": "hemisphere.alert", "alert_id": a.id, "alert": a })
                        .to_string(),
                )
            })
            .collect();
        let queued = self.store().enqueue_notifications(&payloads, &now).await?;
        Ok(WarningRun {
            month: as_of.to_string(),
            alarms: alerts.len(),
            recorded,
            queued,
        })
    }

    /// Add (or re-point) a webhook subscriber, audited.
    pub async fn subscribe(&self, name: &str, url: &str, actor: &Actor) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_SUBSCRIBER_NAME_CHARS {
            return Err(AppError::invalid(
                "name",
                format!("{name:?} is not a subscriber name"),
                format!(
                    "give 1 to {MAX_SUBSCRIBER_NAME_CHARS} characters, e.g. the agency or desk"
                ),
            ));
        }
        let url = url.trim();
        let parsed = url::Url::parse(url).ok();
        let ok = parsed.as_ref().is_some_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        });
        if !ok || url.chars().count() > MAX_WEBHOOK_URL_CHARS {
            return Err(AppError::invalid(
                "url",
                format!("{url:?} is not an http(s) URL"),
                "give the webhook's full URL, e.g. https://agency.example/hemi",
            ));
        }
        let mut tx = self.store().begin().await?;
        tx.upsert_subscriber(name, url).await?;
        tx.audit(&actor.audit("subscriber_added", name, url))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stop notifying a subscriber, audited.
    pub async fn unsubscribe(&self, name: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.store().begin().await?;
        if !tx.deactivate_subscriber(name.trim()).await? {
            let names: Vec<String> = self
                .store()
                .all_subscribers()
                .await?
                .into_iter()
                .filter(|s| s.active)
                .map(|s| s.name)
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            return Err(AppError::not_found(
                "active subscriber",
                name,
                hemi_core::suggest::did_you_mean(name, &refs, "`hemi warn subscribers` lists them"),
            ));
        }
        tx.audit(&actor.audit("subscriber_removed", name.trim(), ""))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every notification with its timeliness against the roster's time frame.
    pub async fn notification_timeliness(&self) -> Result<Vec<Timeliness>> {
        let within = (self.rules().roster.notify_within_hours * 3600.0) as i64;
        Ok(self
            .store()
            .notifications()
            .await?
            .into_iter()
            .map(|n| {
                let arrived = hemi_governance::date::unix_from_rfc3339(&n.data_arrived_at);
                let delivered = n
                    .delivered_at
                    .as_deref()
                    .and_then(hemi_governance::date::unix_from_rfc3339);
                let delay_seconds = match (arrived, delivered) {
                    (Some(a), Some(d)) => Some((d - a).max(0)),
                    _ => None,
                };
                Timeliness {
                    within_time_frame: delay_seconds.map(|d| d <= within),
                    delay_seconds,
                    notification: n,
                }
            })
            .collect())
    }
}
