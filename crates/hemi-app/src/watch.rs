//! The early-warning service: the watched series replayed by the pure engine in
//! `hemi-warning`, events with the status people gave them, country roles, and the
//! decisions on an event. The CLI's `hemi events`/`hemi warn` and the web app's watch
//! board and event pages call these, so both show and decide the same.
//!
//! A replay of every watched series takes seconds of CPU and changes only when data is
//! imported, so it is computed once per data version (newest import batch and batch
//! count), off the async workers ([`tokio::task::spawn_blocking`]), and kept in a
//! bounded compute-once cache (`moka`): concurrent requests for the same version wait for
//! the one computation.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use hemi_core::{CountryCodes, Period};
use hemi_store::{DataVersion, EventTransitionRow};
use hemi_warning::events::{events_as_of, transition, Event, EventStatus};
use hemi_warning::replay::{replay, ReplayRow};
use hemi_warning::roles::{assign_roles, RoleAssignment, RoleInputs};
use hemi_warning::rules::EventRules;

use crate::series::{diaspora_stocks, returns_series, watched_series, WatchFilter};
use crate::{Actor, App, AppError, Result};

/// Bounded caches of replays, newest months and roles, per data version.
pub(crate) struct WatchCache {
    /// Full replays by (data version, last month); about 15 MB each: the newest month's
    /// is computed, others are cut from it.
    replays: moka::future::Cache<(DataVersion, Period), Arc<Replayed>>,
    /// The newest watched month by data version; every page asks for it.
    newest: moka::future::Cache<DataVersion, Option<Period>>,
    /// Country roles by (data version, event id, alerts, month): reading the
    /// presentations, returns and diaspora stocks they need takes seconds.
    roles: moka::future::Cache<(DataVersion, String, usize, Period), Option<Arc<RoleAssignment>>>,
}

impl Default for WatchCache {
    fn default() -> Self {
        WatchCache {
            replays: moka::future::Cache::new(8),
            newest: moka::future::Cache::new(4),
            // An event page each.
            roles: moka::future::Cache::new(64),
        }
    }
}

/// A cached computation failed; the cause was logged where it happened.
fn shared(e: Arc<AppError>) -> AppError {
    AppError::from_shared(e)
}

/// A full replay and where each series' rows are in it.
#[derive(Debug)]
pub struct Replayed {
    /// Rows in series order, then month order (as [`replay`] returns them).
    pub rows: Vec<ReplayRow>,
    /// (reporting, nationality or "ALL") → the series' rows; pages draw one series at a
    /// time, and scanning every row per chart was most of a watch-board request.
    index: HashMap<(String, String), Range<usize>>,
    /// Events at the replay's last month, before people's status changes are applied.
    events: Vec<Event>,
    /// The replay's last month.
    pub to: Period,
}

impl Replayed {
    fn new(rows: Vec<ReplayRow>, to: Period, event_rules: &EventRules) -> Replayed {
        let mut index: HashMap<(String, String), Range<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let key = (
                r.reporting.clone(),
                r.nationality.clone().unwrap_or_else(|| "ALL".into()),
            );
            index.entry(key).or_insert(i..i).end = i + 1;
        }
        let events = events_as_of(&rows, to, event_rules);
        Replayed {
            rows,
            index,
            events,
            to,
        }
    }

    /// The rows of one series (`nationality` "ALL" for a total); empty if not watched.
    pub fn series(&self, reporting: &str, nationality: &str) -> &[ReplayRow] {
        self.index
            .get(&(reporting.to_owned(), nationality.to_owned()))
            .map_or(&[], |r| &self.rows[r.clone()])
    }
}

impl App {
    /// The newest month of any watched series (cached per data version); `None` before
    /// any watched table is imported.
    pub async fn newest_month(&self) -> Result<Option<Period>> {
        let version = self.store().data_version().await?;
        self.newest_at(version).await
    }

    /// The newest month, or a refusal that says to import first.
    pub async fn newest_month_or_refuse(&self) -> Result<Period> {
        self.newest_month().await?.ok_or_else(|| {
            AppError::refused(
                "data",
                "no watched table is imported yet",
                "import the flow tables first (`hemi import data/flows/` or `hemi demo`)",
            )
        })
    }

    async fn newest_at(&self, version: DataVersion) -> Result<Option<Period>> {
        let app = self.clone();
        self.watch_cache()
            .newest
            .try_get_with(version, async move {
                let series =
                    watched_series(app.store(), &app.rules().roster, &WatchFilter::default())
                        .await?;
                Ok::<_, AppError>(series.iter().filter_map(|s| s.end()).max())
            })
            .await
            .map_err(shared)
    }

    /// Check a month someone asked about against the data: months after the newest
    /// watched month have no data yet.
    pub async fn check_month(&self, month: Period, field: &str) -> Result<Period> {
        let newest = self.newest_month_or_refuse().await?;
        if month > newest {
            return Err(AppError::invalid(
                field,
                format!("{month} is after the newest month with data ({newest})"),
                format!("use {newest} or earlier"),
            ));
        }
        Ok(month)
    }

    /// Every watched series replayed from its first month to `to`, with event ids;
    /// cached per data version.
    ///
    /// Only the replay to the newest month is computed from the series. A replay to an
    /// earlier month is that replay's rows up to the month: a row for month m depends on
    /// data up to m only, and event ids only on earlier alerts (the no-look-ahead
    /// property, tested in `hemi/tests/it/warning.rs`), so cutting rows equals cutting
    /// data. Asking for any month therefore costs one replay per data version.
    pub async fn full_replay(&self, to: Period) -> Result<Arc<Replayed>> {
        let version = self.store().data_version().await?;
        let newest = self.newest_at(version).await?;
        let computed_to = match newest {
            Some(n) if n < to => n,
            Some(_) | None => to,
        };
        let app = self.clone();
        let base = self
            .watch_cache()
            .replays
            .try_get_with((version, computed_to), async move {
                let filter = WatchFilter {
                    to: Some(computed_to),
                    ..Default::default()
                };
                let series = watched_series(app.store(), &app.rules().roster, &filter).await?;
                let first = series.iter().map(|s| s.start).min().unwrap_or(computed_to);
                let triggers = app.rules().triggers.clone();
                // Seconds of CPU (rayon inside): off the async workers.
                let replayed = tokio::task::spawn_blocking(move || {
                    let rows = replay(&series, first, computed_to, &triggers);
                    Replayed::new(rows, computed_to, &triggers.events)
                })
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("replay failed: {e}")))?;
                Ok::<_, AppError>(Arc::new(replayed))
            })
            .await
            .map_err(shared)?;
        match newest {
            Some(n) if to < n => {
                let event_rules = self.rules().triggers.events.clone();
                self.watch_cache()
                    .replays
                    .try_get_with((version, to), async move {
                        let rows = base
                            .rows
                            .iter()
                            .filter(|r| r.month <= to)
                            .cloned()
                            .collect();
                        Ok::<_, AppError>(Arc::new(Replayed::new(rows, to, &event_rules)))
                    })
                    .await
                    .map_err(shared)
            }
            _ => Ok(base),
        }
    }

    /// Replay rows from `from` to `to` matching the filter (every watched series is
    /// replayed up to `to`, so event ids are the same whatever is shown).
    pub async fn replay_rows(
        &self,
        from: Period,
        to: Period,
        reporting: Option<&str>,
        nationality: Option<&str>,
    ) -> Result<Vec<ReplayRow>> {
        let replayed = self.full_replay(to).await?;
        Ok(replayed
            .rows
            .iter()
            .filter(|r| {
                r.month >= from
                    && reporting.is_none_or(|c| r.reporting.eq_ignore_ascii_case(c))
                    && nationality.is_none_or(|n| {
                        r.nationality
                            .as_deref()
                            .unwrap_or("ALL")
                            .eq_ignore_ascii_case(n)
                    })
            })
            .cloned()
            .collect())
    }

    /// Events known at `as_of`, with the status people gave them.
    pub async fn events(&self, as_of: Period) -> Result<(Arc<Replayed>, Vec<Event>)> {
        let replayed = self.full_replay(as_of).await?;
        let mut events = replayed.events.clone();
        let transitions = self.store().event_transitions(None).await?;
        for event in &mut events {
            if let Some(last) = transitions.iter().rfind(|t| t.event_id == event.id) {
                event.status = last
                    .to_status
                    .parse::<EventStatus>()
                    .unwrap_or(event.status);
            }
        }
        Ok((replayed, events))
    }

    /// One event known at `as_of`, or a not-found naming the closest id.
    pub async fn event(&self, id: &str, as_of: Period) -> Result<(Arc<Replayed>, Event)> {
        let (replayed, events) = self.events(as_of).await?;
        let wanted = id.trim();
        if let Some(event) = events.iter().find(|e| e.id.eq_ignore_ascii_case(wanted)) {
            return Ok((replayed, event.clone()));
        }
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        let hint = match hemi_core::suggest::closest(wanted, &ids) {
            Some(close) => {
                format!("did you mean {close}? `hemi events list --as-of {as_of}` lists the events")
            }
            None => format!("`hemi events list --as-of {as_of}` lists the events"),
        };
        Err(AppError::not_found(
            "event",
            wanted,
            format!("as of {as_of}; {hint}"),
        ))
    }

    /// Country roles of an event, with evidence, from the data as it stood at `as_of`
    /// (cached per data version: an event page and its JSON ask on every request).
    pub async fn roles(&self, event: &Event, as_of: Period) -> Result<Option<Arc<RoleAssignment>>> {
        let key = (
            self.store().data_version().await?,
            event.id.clone(),
            event.alerts.len(),
            as_of,
        );
        let app = self.clone();
        let event = event.clone();
        self.watch_cache()
            .roles
            .try_get_with(key, async move { app.compute_roles(&event, as_of).await })
            .await
            .map_err(shared)
    }

    async fn compute_roles(
        &self,
        event: &Event,
        as_of: Period,
    ) -> Result<Option<Arc<RoleAssignment>>> {
        let rules = self.rules();
        let filter = WatchFilter {
            to: Some(as_of),
            nationality: None,
            reporting: None,
        };
        let presentations = watched_series(self.store(), &rules.roster, &filter).await?;
        let returns = returns_series(self.store(), &rules.roster, Some(as_of)).await?;
        let codes = CountryCodes::bundled();
        let stocks: BTreeMap<String, f64> = diaspora_stocks(
            self.store(),
            &rules.roster,
            &event.nationality,
            event.first_alert.year(),
        )
        .await?
        .into_iter()
        .filter(|(destination, _)| {
            codes
                .get(destination)
                .is_some_and(|c| c.region == "Americas")
        })
        .collect();
        let event = event.clone();
        let routes = rules.routes.clone();
        tokio::task::spawn_blocking(move || {
            assign_roles(&RoleInputs {
                event: &event,
                as_of,
                presentations: &presentations,
                returns: &returns,
                stocks: &stocks,
                routes: &routes,
            })
            .map(Arc::new)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("roles failed: {e}")))
    }

    /// Move an event along its lifecycle, decided on the newest data. Confirming starts
    /// the response: the tasks of every playbook that applies are created in the same
    /// transaction as the status change and its audit entry. Returns the change and
    /// the tasks created.
    pub async fn set_event_status(
        &self,
        id: &str,
        status: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<(EventTransitionRow, Vec<hemi_store::governance::TaskRow>)> {
        let to: EventStatus = status.trim().parse().map_err(|_| {
            AppError::invalid(
                "status",
                format!("{status:?} is not a status"),
                "use confirmed, response, closed or dismissed",
            )
        })?;
        if reason.chars().count() > hemi_governance::records::MAX_LONG_TEXT_CHARS {
            return Err(AppError::invalid(
                "reason",
                "the reason is too long",
                "keep it under 20,000 characters",
            ));
        }
        let read_at = self.newest_month_or_refuse().await?;
        let (_, event) = self.event(id, read_at).await?;
        let who = actor.label();
        let change = transition(event.status, to, &who, reason).map_err(|e| {
            AppError::refused(
                "status",
                e.to_string(),
                format!(
                    "the event is {}; see its page or `hemi events show {}`",
                    event.status, event.id
                ),
            )
        })?;
        let row = EventTransitionRow {
            event_id: event.id.clone(),
            from_status: change.from.to_string(),
            to_status: change.to.to_string(),
            changed_by: who,
            reason: change.why.clone(),
            changed_at: crate::time::rfc3339_seconds(actor.at),
        };
        let tasks = if change.to == EventStatus::Confirmed {
            // From the roles at the month the event was read at (the newest data).
            let roles = self.roles(&event, read_at).await?;
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
            hemi_governance::instantiate(&self.config().playbooks, &facts)
        } else {
            Vec::new()
        };
        let mut tx = self.store().begin().await?;
        tx.insert_event_transition(&row).await?;
        let mut created = Vec::new();
        for task in &tasks {
            if let Some(t) = tx.insert_task(task, actor.at).await? {
                created.push(t);
            }
        }
        tx.audit(&actor.audit(
            "event_status",
            &event.id,
            format!(
                "{} -> {}: {}; {} response task(s)",
                row.from_status,
                row.to_status,
                row.reason,
                created.len()
            ),
        ))
        .await?;
        tx.commit().await?;
        tracing::info!(event = %event.id, from = %row.from_status, to = %row.to_status, "event status changed");
        Ok((row, created))
    }
}
