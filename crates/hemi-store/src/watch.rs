//! The early-warning service: reads the watched series and runs the pure engine in
//! `hemi-warning` over them. The CLI and the web app call these functions, so both show
//! the same alerts, events and roles.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use sqlx::Row;
use tokio::sync::OnceCell;

use hemi_core::{CountryCodes, Period};
use hemi_warning::events::{events_as_of, Event, EventStatus};
use hemi_warning::replay::{replay, ReplayRow};
use hemi_warning::roles::{assign_roles, RoleAssignment, RoleInputs, Routes};
use hemi_warning::roster::Roster;
use hemi_warning::rules::TriggerRules;
use hemi_warning::series::MonthlySeries;

use crate::{Result, Store, WatchFilter};

/// Everything the Task Force edits: trigger rules, routes, roster.
#[derive(Debug, Clone)]
pub struct WatchRules {
    /// When detector alarms become alerts, and how alerts form events.
    pub triggers: TriggerRules,
    /// Corridors and role thresholds.
    pub routes: Routes,
    /// Which series are watched.
    pub roster: Roster,
}

/// The newest month of any watched series (cached per data version).
pub async fn newest_month(store: &Store, rules: &WatchRules) -> Result<Option<Period>> {
    let version = store.data_version().await?;
    newest_at(store, rules, version, rules_fingerprint(rules)).await
}

async fn newest_at(
    store: &Store,
    rules: &WatchRules,
    version: DataVersion,
    fingerprint: u64,
) -> Result<Option<Period>> {
    store
        .replay_cache
        .newest
        .get_or_try_init((version, fingerprint), || async {
            let series = store
                .watched_series(&rules.roster, &WatchFilter::default())
                .await?;
            Ok(series.iter().filter_map(MonthlySeries::end).max())
        })
        .await
}

/// Newest import batch and number of batches: any import changes it.
type DataVersion = (i64, i64);

/// A few computations kept by key, the oldest dropped first. Each value is computed
/// once: concurrent callers asking for the same key wait for that one computation.
#[derive(Debug)]
struct Memo<K, V> {
    entries: Mutex<VecDeque<(K, Arc<OnceCell<V>>)>>,
    capacity: usize,
}

impl<K: PartialEq, V: Clone> Memo<K, V> {
    fn new(capacity: usize) -> Self {
        Memo {
            entries: Mutex::new(VecDeque::new()),
            capacity,
        }
    }

    async fn get_or_try_init<F, Fut>(&self, key: K, compute: F) -> Result<V>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceCell::new());
                    entries.push_back((key, cell.clone()));
                    while entries.len() > self.capacity {
                        entries.pop_front();
                    }
                    cell
                }
            }
        };
        cell.get_or_try_init(compute).await.cloned()
    }
}

/// Replays, newest months and country roles, per data version. A replay of every
/// watched series takes seconds of CPU and only changes when data is imported, so the
/// web app computes it once per data version instead of once per request.
#[derive(Debug)]
pub struct ReplayCache {
    /// Full replays by (data version, last month, rules); about 15 MB each: one per
    /// month asked for (the newest month's is computed, the others are cut from it).
    replays: Memo<(DataVersion, Period, u64), Arc<Replayed>>,
    /// The newest watched month by (data version, rules); every page asks for it.
    newest: Memo<(DataVersion, u64), Option<Period>>,
    /// Country roles by (data version, rules with routes, event id, alerts, month):
    /// reading the presentations, returns and diaspora stocks they need takes seconds.
    roles: Memo<(DataVersion, u64, String, usize, Period), Option<RoleAssignment>>,
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache {
            replays: Memo::new(8),
            newest: Memo::new(2),
            // An event page each.
            roles: Memo::new(64),
        }
    }
}

fn rules_fingerprint(rules: &WatchRules) -> u64 {
    // The Debug form covers every field of the triggers and the roster; routes do not
    // change a replay.
    let mut h = DefaultHasher::new();
    format!("{:?}{:?}", rules.triggers, rules.roster).hash(&mut h);
    h.finish()
}

impl Store {
    async fn data_version(&self) -> Result<DataVersion> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM import_batch")
            .fetch_one(self.pool())
            .await?;
        Ok((row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?))
    }
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
}

impl Replayed {
    fn new(rows: Vec<ReplayRow>, to: Period, event_window_months: usize) -> Replayed {
        let mut index: HashMap<(String, String), Range<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let key = (
                r.reporting.clone(),
                r.nationality.clone().unwrap_or_else(|| "ALL".into()),
            );
            index.entry(key).or_insert(i..i).end = i + 1;
        }
        let events = events_as_of(&rows, to, event_window_months);
        Replayed {
            rows,
            index,
            events,
        }
    }
    /// The rows of one series (`nationality` "ALL" for a total); empty if not watched.
    pub fn series(&self, reporting: &str, nationality: &str) -> &[ReplayRow] {
        self.index
            .get(&(reporting.to_owned(), nationality.to_owned()))
            .map_or(&[], |r| &self.rows[r.clone()])
    }
}

/// Every watched series replayed from its first month to `to`, with event ids; cached
/// per data version (see [`ReplayCache`]).
///
/// Only the replay to the newest month is computed from the series. A replay to an
/// earlier month is that replay's rows up to the month: a row for month m depends on
/// data up to m only, and event ids only on earlier alerts (the no-look-ahead property,
/// tested in `hemi/tests/it/warning.rs`), so cutting rows equals cutting data. Asking
/// for any month therefore costs one replay per data version, not one per month asked.
pub async fn full_replay(store: &Store, rules: &WatchRules, to: Period) -> Result<Arc<Replayed>> {
    let version = store.data_version().await?;
    let fingerprint = rules_fingerprint(rules);
    let newest = newest_at(store, rules, version, fingerprint).await?;
    let computed_to = match newest {
        Some(n) if n < to => n,
        Some(_) | None => to,
    };
    let replays = &store.replay_cache.replays;
    let base = replays
        .get_or_try_init((version, computed_to, fingerprint), || async {
            let filter = WatchFilter {
                to: Some(computed_to),
                ..Default::default()
            };
            let series = store.watched_series(&rules.roster, &filter).await?;
            let first = series.iter().map(|s| s.start).min().unwrap_or(computed_to);
            let rows = replay(&series, first, computed_to, &rules.triggers);
            Ok(Arc::new(Replayed::new(
                rows,
                computed_to,
                rules.triggers.event_window_months,
            )))
        })
        .await?;
    match newest {
        Some(n) if to < n => {
            replays
                .get_or_try_init((version, to, fingerprint), || async {
                    let rows = base
                        .rows
                        .iter()
                        .filter(|r| r.month <= to)
                        .cloned()
                        .collect();
                    Ok(Arc::new(Replayed::new(
                        rows,
                        to,
                        rules.triggers.event_window_months,
                    )))
                })
                .await
        }
        _ => Ok(base),
    }
}

/// Replay every watched series up to `to` (so event ids are the same whatever is
/// shown), keeping rows from `from` that match the filter.
pub async fn replay_rows(
    store: &Store,
    rules: &WatchRules,
    from: Period,
    to: Period,
    reporting: Option<&str>,
    nationality: Option<&str>,
) -> Result<Vec<ReplayRow>> {
    let replayed = full_replay(store, rules, to).await?;
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
pub async fn events(
    store: &Store,
    rules: &WatchRules,
    as_of: Period,
) -> Result<(Arc<Replayed>, Vec<Event>)> {
    let replayed = full_replay(store, rules, as_of).await?;
    let mut events = replayed.events.clone();
    let transitions = store.event_transitions(None).await?;
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

/// Country roles of an event, with evidence, from the data as it stood at `as_of`
/// (cached per data version: an event page and its JSON ask for them on every request).
pub async fn roles(
    store: &Store,
    rules: &WatchRules,
    event: &Event,
    as_of: Period,
) -> Result<Option<RoleAssignment>> {
    // Roles also depend on the routes, so the whole rules are fingerprinted.
    let mut h = DefaultHasher::new();
    format!("{rules:?}").hash(&mut h);
    let key = (
        store.data_version().await?,
        h.finish(),
        event.id.clone(),
        event.alerts.len(),
        as_of,
    );
    store
        .replay_cache
        .roles
        .get_or_try_init(key, || compute_roles(store, rules, event, as_of))
        .await
}

/// Country roles of an event, with evidence, from the data as it stood at `as_of`.
async fn compute_roles(
    store: &Store,
    rules: &WatchRules,
    event: &Event,
    as_of: Period,
) -> Result<Option<RoleAssignment>> {
    let filter = WatchFilter {
        to: Some(as_of),
        nationality: None,
        reporting: None,
    };
    let presentations = store.watched_series(&rules.roster, &filter).await?;
    let returns = store.returns_series(&rules.roster, Some(as_of)).await?;
    let codes = CountryCodes::bundled();
    let stocks: BTreeMap<String, f64> = store
        .diaspora_stocks(&rules.roster, &event.nationality, event.first_alert.year())
        .await?
        .into_iter()
        .filter(|(destination, _)| {
            codes
                .get(destination)
                .is_some_and(|c| c.region == "Americas")
        })
        .collect();
    Ok(assign_roles(&RoleInputs {
        event,
        as_of,
        presentations: &presentations,
        returns: &returns,
        stocks: &stocks,
        routes: &rules.routes,
    }))
}
