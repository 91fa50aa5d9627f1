//! The caps ledger's arithmetic: places reserved, used and released per cap and period,
//! shared caps, caps raised with a reason, and whether a reservation fits.
//!
//! A referral to a program counts against every cap of that program that applies to
//! the person's nationality on the referral date ([`buckets_for`]); each (cap, period)
//! pair is a *bucket*. The store keeps one row per bucket with running totals and
//! moves them with a conditional update (`... WHERE held + n <= limit + raised`), one
//! bucket at a time in [`BucketKey`] order so two transactions never lock in opposite
//! orders. This module is the same arithmetic without a database, used to plan the
//! update, to explain a refusal and to replay a ledger in tests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::{CapPeriod, CapPool, Catalogue, CommitmentRef};
use crate::date::Date;
use crate::error::PathwaysError;

/// One cap in one period: the unit of locking and counting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BucketKey {
    /// Cap pool key.
    pub pool: String,
    /// Period label: `total`, `FY2024`, `FY2024-H1`, `2024`, `2023-05`.
    pub period: String,
}

/// Running totals of a bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketTotals {
    /// Places the law sets for the period.
    pub limit_places: u64,
    /// Places added by cap raises (emergency capacity).
    pub raised_places: u64,
    /// Places held by open reservations (referred, not yet used or released).
    pub reserved_places: u64,
    /// Places consumed (visa issued, person travelled).
    pub used_places: u64,
    /// Places given back by withdrawn or denied referrals (history only).
    pub released_places: u64,
}

impl BucketTotals {
    /// A new bucket for a cap.
    pub fn new(limit_places: u64) -> BucketTotals {
        BucketTotals {
            limit_places,
            ..BucketTotals::default()
        }
    }

    /// Places that count against the cap: reserved plus used.
    pub fn held_places(&self) -> u64 {
        self.reserved_places + self.used_places
    }

    /// Limit plus raises.
    pub fn capacity_places(&self) -> u64 {
        self.limit_places + self.raised_places
    }

    /// Places still free (negative only if a cap was lowered below what is held).
    pub fn remaining_places(&self) -> i64 {
        self.capacity_places() as i64 - self.held_places() as i64
    }
}

/// What happens to places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "movement", rename_all = "snake_case")]
pub enum Movement {
    /// A referral holds places.
    Reserve,
    /// Reserved places are consumed.
    Use,
    /// Reserved places are given back.
    Release,
    /// The cap is raised (emergency capacity opened by an event's playbook task).
    Raise {
        /// Why, in words.
        reason: String,
        /// The early-warning event, if any.
        event_id: Option<String>,
        /// The playbook task that raised it, if any.
        task_key: Option<String>,
    },
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Bucket moved.
    pub bucket: BucketKey,
    /// Program the referral is to (for raises: the cap's first program).
    pub program: String,
    /// Referral, for reserve/use/release.
    pub referral_id: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub movement: Movement,
    /// How many places.
    pub places: u64,
    /// When.
    pub on: Date,
}

/// The label of the period containing `on`, or `None` when the period kind does not
/// cover that date (a first-half cap in April–September).
pub fn period_label(period: CapPeriod, on: Date) -> Option<String> {
    match period {
        CapPeriod::Total => Some("total".to_owned()),
        CapPeriod::UsFiscalYear => Some(format!("FY{}", on.us_fiscal_year())),
        CapPeriod::UsFiscalFirstHalf => {
            (on.month() >= 10 || on.month() <= 3).then(|| format!("FY{}-H1", on.us_fiscal_year()))
        }
        CapPeriod::CalendarYear => Some(format!("{}", on.year())),
        CapPeriod::Month => Some(on.month_label()),
    }
}

/// The buckets a referral of a person of `nationality` to `program` on `on` counts
/// against, sorted (the lock order). Caps limited to other nationalities or dates are
/// left out.
pub fn buckets_for<'c>(
    catalogue: &'c Catalogue,
    program: &str,
    nationality: &str,
    on: Date,
) -> Result<Vec<(BucketKey, &'c CapPool)>, PathwaysError> {
    if catalogue.program(program).is_none() {
        return Err(PathwaysError::UnknownProgram(program.to_owned()));
    }
    let mut out: Vec<(BucketKey, &CapPool)> = catalogue
        .caps_of(program)
        .filter(|cap| {
            cap.nationalities.is_empty() || cap.nationalities.iter().any(|n| n == nationality)
        })
        .filter(|cap| cap.from.is_none_or(|f| f <= on) && cap.until.is_none_or(|u| on <= u))
        .filter_map(|cap| {
            period_label(cap.period, on).map(|period| {
                (
                    BucketKey {
                        pool: cap.key.clone(),
                        period,
                    },
                    cap,
                )
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A reservation that fits, bucket by bucket, in lock order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationPlan {
    /// Program.
    pub program: String,
    /// Places requested.
    pub places: u64,
    /// Each bucket with its limit (for the store to create the row if absent) and the
    /// remaining places after this reservation.
    pub charges: Vec<PlannedCharge>,
}

/// One bucket of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCharge {
    /// Bucket.
    pub bucket: BucketKey,
    /// The cap's own limit for a new row.
    pub limit_places: u64,
    /// Places left after the reservation.
    pub remaining_after: i64,
}

/// Decide whether reserving `places` for a referral fits every applicable cap, given
/// the current totals (`totals(bucket)` returns `None` for a bucket with no row yet).
/// A program with no applicable cap always fits (an empty plan).
pub fn plan_reservation(
    catalogue: &Catalogue,
    program: &str,
    nationality: &str,
    on: Date,
    places: u64,
    totals: &dyn Fn(&BucketKey) -> Option<BucketTotals>,
) -> Result<ReservationPlan, PathwaysError> {
    if places == 0 {
        return Err(PathwaysError::Invalid {
            field: "places".into(),
            message: "a reservation holds at least one place".into(),
        });
    }
    let mut charges = Vec::new();
    for (bucket, cap) in buckets_for(catalogue, program, nationality, on)? {
        let current = totals(&bucket).unwrap_or_else(|| BucketTotals::new(cap.places));
        let remaining = current.remaining_places();
        if remaining < places as i64 {
            return Err(PathwaysError::OverCap {
                pool: bucket.pool,
                period: bucket.period,
                remaining_places: remaining,
                requested_places: places,
            });
        }
        charges.push(PlannedCharge {
            bucket,
            limit_places: cap.places,
            remaining_after: remaining - places as i64,
        });
    }
    Ok(ReservationPlan {
        program: program.to_owned(),
        places,
        charges,
    })
}

/// Apply one movement to a bucket's totals, refusing what the totals cannot support.
pub fn apply(
    totals: BucketTotals,
    movement: &Movement,
    places: u64,
) -> Result<BucketTotals, String> {
    let mut t = totals;
    match movement {
        Movement::Reserve => {
            if t.remaining_places() < places as i64 {
                return Err(format!(
                    "reserving {places} places exceeds the cap: {} left",
                    t.remaining_places()
                ));
            }
            t.reserved_places += places;
        }
        Movement::Use => {
            if t.reserved_places < places {
                return Err(format!(
                    "using {places} places but only {} are reserved",
                    t.reserved_places
                ));
            }
            t.reserved_places -= places;
            t.used_places += places;
        }
        Movement::Release => {
            if t.reserved_places < places {
                return Err(format!(
                    "releasing {places} places but only {} are reserved",
                    t.reserved_places
                ));
            }
            t.reserved_places -= places;
            t.released_places += places;
        }
        Movement::Raise { reason, .. } => {
            if reason.trim().is_empty() {
                return Err("a cap is raised only with a reason".to_owned());
            }
            if places == 0 {
                return Err("a raise adds at least one place".to_owned());
            }
            t.raised_places += places;
        }
    }
    Ok(t)
}

/// Replay a ledger into bucket totals, stopping at the first impossible line.
pub fn replay(
    catalogue: &Catalogue,
    entries: &[LedgerEntry],
) -> Result<BTreeMap<BucketKey, BucketTotals>, PathwaysError> {
    let limits: BTreeMap<&str, u64> = catalogue
        .caps
        .iter()
        .map(|c| (c.key.as_str(), c.places))
        .collect();
    let mut totals: BTreeMap<BucketKey, BucketTotals> = BTreeMap::new();
    // Open reservations per referral and bucket: a use or release must match one.
    let mut held: BTreeMap<(&str, &BucketKey), u64> = BTreeMap::new();
    for entry in entries {
        if let (Some(referral), Movement::Use | Movement::Release) =
            (entry.referral_id.as_deref(), &entry.movement)
        {
            let open = held.get(&(referral, &entry.bucket)).copied().unwrap_or(0);
            if open < entry.places {
                return Err(PathwaysError::Ledger {
                    pool: entry.bucket.pool.clone(),
                    period: entry.bucket.period.clone(),
                    message: format!(
                        "referral {referral:?} holds {open} places here, cannot use or release {}",
                        entry.places
                    ),
                });
            }
            held.insert((referral, &entry.bucket), open - entry.places);
        } else if let (Some(referral), Movement::Reserve) =
            (entry.referral_id.as_deref(), &entry.movement)
        {
            *held.entry((referral, &entry.bucket)).or_insert(0) += entry.places;
        }
        let limit =
            *limits
                .get(entry.bucket.pool.as_str())
                .ok_or_else(|| PathwaysError::Ledger {
                    pool: entry.bucket.pool.clone(),
                    period: entry.bucket.period.clone(),
                    message: "no such cap in the catalogue".into(),
                })?;
        let current = totals
            .get(&entry.bucket)
            .copied()
            .unwrap_or_else(|| BucketTotals::new(limit));
        let next = apply(current, &entry.movement, entry.places).map_err(|message| {
            PathwaysError::Ledger {
                pool: entry.bucket.pool.clone(),
                period: entry.bucket.period.clone(),
                message,
            }
        })?;
        totals.insert(entry.bucket.clone(), next);
    }
    Ok(totals)
}

/// A cap raise requested by a playbook task, checked before it becomes ledger lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapRaise {
    /// Cap pool key.
    pub pool: String,
    /// Period label to raise (e.g. the current month for a monthly cap).
    pub period: String,
    /// Places added.
    pub places: u64,
    /// Why.
    pub reason: String,
    /// Event.
    pub event_id: Option<String>,
    /// Task.
    pub task_key: Option<String>,
    /// When.
    pub on: Date,
}

impl CapRaise {
    /// The ledger line, or why the raise is refused.
    pub fn to_entry(&self, catalogue: &Catalogue) -> Result<LedgerEntry, PathwaysError> {
        let cap = catalogue
            .caps
            .iter()
            .find(|c| c.key == self.pool)
            .ok_or_else(|| PathwaysError::Invalid {
                field: "pool".into(),
                message: format!("{:?} is not a cap in the catalogue", self.pool),
            })?;
        if self.reason.trim().is_empty() {
            return Err(PathwaysError::Invalid {
                field: "reason".into(),
                message: "a cap is raised only with a reason".into(),
            });
        }
        if self.places == 0 {
            return Err(PathwaysError::Invalid {
                field: "places".into(),
                message: "a raise adds at least one place".into(),
            });
        }
        if period_label(cap.period, self.on).as_deref() != Some(self.period.as_str())
            && cap.period != CapPeriod::Total
        {
            // Raising a past or future period is allowed, but the label must be well formed.
            let ok = match cap.period {
                CapPeriod::Month => Date::parse(&format!("{}-01", self.period)).is_ok(),
                CapPeriod::CalendarYear => {
                    self.period.len() == 4 && self.period.parse::<i32>().is_ok()
                }
                CapPeriod::UsFiscalYear => self
                    .period
                    .strip_prefix("FY")
                    .is_some_and(|y| y.parse::<i32>().is_ok()),
                CapPeriod::UsFiscalFirstHalf => self
                    .period
                    .strip_prefix("FY")
                    .and_then(|y| y.strip_suffix("-H1"))
                    .is_some_and(|y| y.parse::<i32>().is_ok()),
                CapPeriod::Total => true,
            };
            if !ok {
                return Err(PathwaysError::Invalid {
                    field: "period".into(),
                    message: format!("{:?} is not a period of cap {:?}", self.period, self.pool),
                });
            }
        }
        Ok(LedgerEntry {
            bucket: BucketKey {
                pool: self.pool.clone(),
                period: if cap.period == CapPeriod::Total {
                    "total".into()
                } else {
                    self.period.clone()
                },
            },
            program: cap.programs.first().cloned().unwrap_or_default(),
            referral_id: None,
            movement: Movement::Raise {
                reason: self.reason.clone(),
                event_id: self.event_id.clone(),
                task_key: self.task_key.clone(),
            },
            places: self.places,
            on: self.on,
        })
    }
}

/// Progress of an L.A. Process commitment from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentProgress {
    /// The commitment.
    pub commitment: CommitmentRef,
    /// Programs serving it.
    pub programs: Vec<String>,
    /// Places used in the window (the progress value).
    pub used_places: u64,
    /// Places still reserved (referred, not yet used).
    pub reserved_places: u64,
}

/// Used and reserved places of the programs serving `commitment`, counting ledger
/// lines dated `from..=until`. Each referral is counted once even when it charged
/// several buckets (a shared cap and a program cap): by the first bucket per referral.
pub fn commitment_progress(
    catalogue: &Catalogue,
    commitment: &CommitmentRef,
    entries: &[LedgerEntry],
    from: Date,
    until: Date,
) -> CommitmentProgress {
    let programs: Vec<String> = catalogue
        .programs_serving(commitment)
        .iter()
        .map(|p| p.key.clone())
        .collect();
    let mut seen: BTreeMap<(&str, &str), &BucketKey> = BTreeMap::new();
    let mut used: i64 = 0;
    let mut reserved: i64 = 0;
    for e in entries {
        if !programs.contains(&e.program) || e.on < from || e.on > until {
            continue;
        }
        let Some(referral) = e.referral_id.as_deref() else {
            continue;
        };
        let first = seen
            .entry((e.program.as_str(), referral))
            .or_insert(&e.bucket);
        if *first != &e.bucket {
            continue;
        }
        let n = e.places as i64;
        match e.movement {
            Movement::Reserve => reserved += n,
            Movement::Use => {
                reserved -= n;
                used += n
            }
            Movement::Release => reserved -= n,
            Movement::Raise { .. } => {}
        }
    }
    CommitmentProgress {
        commitment: commitment.clone(),
        programs,
        used_places: used.max(0) as u64,
        reserved_places: reserved.max(0) as u64,
    }
}
