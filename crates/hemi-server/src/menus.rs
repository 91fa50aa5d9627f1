//! The menus of the series explorer and the public portal (reporting countries, their
//! measures, nationalities, vintages and years), read from the store at most once a
//! minute and forgotten after an import.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::WebError;
use crate::AppState;

/// What the explorer and portal offer in their menus, per reporting country.
#[derive(Debug, Default)]
pub struct Choices {
    /// Reporting countries with a nationality breakdown.
    pub reporting: BTreeMap<String, ReportingChoices>,
}

/// Menus for one reporting country.
#[derive(Debug, Default)]
pub struct ReportingChoices {
    /// Measures.
    pub measures: BTreeSet<String>,
    /// Nationalities.
    pub nationalities: BTreeSet<String>,
    /// Highest vintage of its series.
    pub max_vintage: i64,
    /// Years with monthly data.
    pub monthly_years: BTreeSet<String>,
}

/// How long menus are reused before being read again; imports also clear them.
const CHOICES_TTL: Duration = Duration::from_secs(60);

/// The menus, read at most once a minute.
#[derive(Default)]
pub struct ChoicesCache(Mutex<Option<(Instant, Arc<Choices>)>>);

impl ChoicesCache {
    /// Forget the menus (after an import).
    pub fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Menus, read from the store at most once a minute.
pub async fn choices(state: &AppState) -> Result<Arc<Choices>, WebError> {
    if let Some((at, cached)) = state
        .choices()
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        if at.elapsed() < CHOICES_TTL {
            return Ok(cached.clone());
        }
    }
    let filter = hemi_store::SeriesFilter {
        breakdown: Some("nationality".into()),
        ..Default::default()
    };
    let mut built = Choices::default();
    for s in state.app.store().list_series(&filter).await? {
        let entry = built.reporting.entry(s.reporting.clone()).or_default();
        entry.measures.insert(s.measure.clone());
        if let Some(n) = s.nationality {
            entry.nationalities.insert(n);
        }
        entry.max_vintage = entry.max_vintage.max(s.vintage);
        // Months run from first to last period; years in between have monthly data too.
        let year = |p: &str| p.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(0);
        let (first_year, last_year) = (year(&s.first_period), year(&s.last_period));
        if s.last_period.len() == 7 {
            let from = if s.first_period.len() == 7 {
                first_year
            } else {
                first_year + 1
            };
            for y in from..=last_year {
                entry.monthly_years.insert(format!("{y:04}"));
            }
        }
    }
    let built = Arc::new(built);
    *state.choices().0.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((Instant::now(), built.clone()));
    Ok(built)
}
