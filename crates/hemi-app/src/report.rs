//! The Task Force's quarterly report, computed once: the same [`QuarterlyReport`] is
//! rendered to HTML (and printed to PDF) by the web crate and printed as a table or
//! JSON by `hemi process quarterly`, so the two can never give different numbers.
//!
//! Alerts are what the trigger rules raise for the quarter's months in the replay
//! (whether or not `hemi warn run` ran then); notifications are the ones recorded for
//! those alerts, with their timeliness.

use std::collections::BTreeMap;
use std::sync::Arc;

use hemi_core::{Granularity, Period};
use hemi_governance::{ProgressReport, Quarter};
use hemi_indicators::{Measure, RankBy};
use hemi_store::governance::{Recommendation, TaskRow};

use crate::governance::CommitmentRow;
use crate::indicators::{IndicatorQuery, IndicatorTable};
use crate::watch::Replayed;
use crate::{App, Result};

/// An event with an alert in the quarter, with its stored status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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
    /// Severity (people above expected, grown by spread and reach), for ranking.
    pub severity: f64,
}

/// A series-month of the quarter that met the trigger rules.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuarterAlert {
    /// Month.
    pub month: String,
    /// Reporting country.
    pub reporting: String,
    /// Nationality (`ALL` for a total).
    pub nationality: String,
    /// Count.
    pub value: f64,
    /// Expected count.
    pub expected: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
    /// Event it belongs to.
    pub event_id: Option<String>,
    /// The stored alert, when `hemi warn run` recorded it.
    pub alert_id: Option<i64>,
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

/// Everything the quarterly report shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuarterlyReport {
    /// Quarter, e.g. `2023Q3`.
    pub quarter: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// When it was computed, Unix seconds.
    pub generated_at: i64,
    /// Events with an alert in the quarter.
    pub events: Vec<QuarterEvent>,
    /// Series-months of the quarter meeting the trigger rules.
    pub alerts: Vec<QuarterAlert>,
    /// Notifications about the quarter's stored alerts.
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
    /// Foreign-born people per 1,000 inhabitants for the quarter's year (or the newest
    /// year before it), if the UN DESA table is loaded.
    #[serde(skip)]
    pub indicators: Option<IndicatorTable>,
    /// The replay as known at the quarter's last month (for corridor charts).
    #[serde(skip)]
    pub replayed: Option<Arc<Replayed>>,
    /// First month of the quarter.
    #[serde(skip)]
    pub first_month: Option<Period>,
    /// Last month of the quarter.
    #[serde(skip)]
    pub last_month: Option<Period>,
}

impl App {
    /// The quarterly report's data.
    pub async fn quarterly_report(&self, quarter: &Quarter) -> Result<QuarterlyReport> {
        let (first, last) = quarter.months();
        let (from, to) = quarter.days();
        let month = |text: &str| {
            Period::parse_as(text, Granularity::Month).expect("Quarter::months gives YYYY-MM")
        };
        let (first_month, last_month) = (month(&first), month(&last));
        let newest = self.newest_month().await?;
        let (replayed, events) = match newest {
            Some(_) => {
                let (r, e) = self.events(last_month).await?;
                (Some(r), e)
            }
            None => (None, Vec::new()),
        };
        let in_quarter = |m: Period| m >= first_month && m <= last_month;
        let events: Vec<QuarterEvent> = events
            .into_iter()
            .filter(|e| e.alerts.iter().any(|a| in_quarter(a.month)))
            .map(|e| QuarterEvent {
                id: e.id,
                nationality: e.nationality,
                first_alert: e.first_alert.to_string(),
                last_alert: e.last_alert.to_string(),
                countries: e.countries,
                status: e.status.to_string(),
                severity: e.severity,
            })
            .collect();
        let stored = self.store().alerts().await?;
        let stored_id: BTreeMap<(String, String, String), i64> = stored
            .iter()
            .map(|a| {
                (
                    (
                        a.alert.month.clone(),
                        a.alert.reporting.clone(),
                        if a.alert.nationality.is_empty() {
                            "ALL".into()
                        } else {
                            a.alert.nationality.clone()
                        },
                    ),
                    a.id,
                )
            })
            .collect();
        let mut alerts: Vec<QuarterAlert> = replayed
            .iter()
            .flat_map(|r| r.rows.iter())
            .filter(|r| r.alarm && in_quarter(r.month))
            .map(|r| {
                let nationality = r.nationality.clone().unwrap_or_else(|| "ALL".into());
                QuarterAlert {
                    alert_id: stored_id
                        .get(&(
                            r.month.to_string(),
                            r.reporting.clone(),
                            nationality.clone(),
                        ))
                        .copied(),
                    month: r.month.to_string(),
                    reporting: r.reporting.clone(),
                    nationality,
                    value: r.value,
                    expected: r.expected,
                    upper: r.upper,
                    event_id: r.event_id.clone(),
                }
            })
            .collect();
        alerts.sort_by(|a, b| {
            (&a.month, &a.reporting, &a.nationality).cmp(&(&b.month, &b.reporting, &b.nationality))
        });
        let months: BTreeMap<i64, String> = stored
            .iter()
            .filter(|a| a.alert.month >= first && a.alert.month <= last)
            .map(|a| (a.id, a.alert.month.clone()))
            .collect();
        let notifications: Vec<QuarterNotification> = self
            .notification_timeliness()
            .await?
            .into_iter()
            .filter_map(|t| {
                let month = months.get(&t.notification.alert_id)?.clone();
                Some(QuarterNotification {
                    alert_id: t.notification.alert_id,
                    month,
                    subscriber: t.notification.subscriber,
                    status: t.notification.status,
                    hours_to_deliver: t.delay_seconds.map(|s| (s as f64 / 36.0).round() / 100.0),
                    within_time_frame: t.within_time_frame.unwrap_or(false),
                })
            })
            .collect();
        let (start, end) = (from.unix_start(), to.unix_start() + 86_400);
        // The newest UN DESA year not after the quarter: the stock table is published
        // every few years, so a 2023 report uses the 2020 stocks.
        let years = self.store().indicator_years(Measure::Undesa).await?;
        let year = years.iter().copied().filter(|y| *y <= quarter.year).max();
        let indicators = match year {
            Some(year) => {
                self.burden_sharing(&IndicatorQuery {
                    measure: Measure::Undesa,
                    year: Some(year),
                    origin: None,
                    region: Some("Americas".into()),
                    max_lag_years: 1,
                    rank_by: RankBy::Per1000,
                })
                .await?
            }
            None => None,
        };
        Ok(QuarterlyReport {
            quarter: quarter.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            generated_at: crate::time::now_unix(),
            events,
            alerts,
            notifications_on_time: notifications.iter().filter(|n| n.within_time_frame).count(),
            notifications,
            notify_within_hours: self.rules().roster.notify_within_hours,
            commitments: self.commitments(Some(&to)).await?,
            progress_reports: self.progress_reports(Some((&from, &to))).await?,
            tasks: self
                .store()
                .tasks(None)
                .await?
                .into_iter()
                .filter(|t| t.created_at >= start && t.created_at < end)
                .collect(),
            recommendations: self.recommendations(quarter).await?,
            indicators,
            replayed,
            first_month: Some(first_month),
            last_month: Some(last_month),
        })
    }
}
