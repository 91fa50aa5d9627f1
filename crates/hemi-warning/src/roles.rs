//! Country roles in an event: sending, transit, inferred transit, transit/receiving and
//! receiving, each with the evidence (text and numbers) that put it there.
//!
//! Routes are data (`rules/routes.toml`, parsed by [`Routes::parse`]); the caller passes
//! plain series and stocks, nothing here reads files. All counts used are at months
//! `<= as_of`, inside the event window `first_alert − window_before_months ..= as_of`
//! (or the event's last alert, if earlier).
//!
//! Rules, in the order they are applied:
//! 1. **corridor**: the one holding most of the event's alerting countries (ties: the
//!    first in the file);
//! 2. **receiving**: the corridor's last country (the destination the route leads to);
//! 3. **transit/receiving**: an alerting corridor country whose returns of the
//!    nationality in the window are at least `min_returns` and `min_return_share` of
//!    its presentations: people both arrive and are sent back there (Mexico);
//! 4. **transit**: the other alerting corridor countries;
//! 5. **sending**: a country of the `stocks` map (caller: UN DESA stock of the
//!    nationality per destination, latest year `<=` the event year, restricted to the
//!    Americas) holding at least `min_stock`, AND whose own nationals rise with the
//!    event nationality at the corridor's first observed country: their count there
//!    in the window is at least `min_companion_share` of the event nationality's and at
//!    least `min_companion_growth` times the count in the window of equal length just
//!    before. Rationale: children born to Haitian parents in Chile and Brazil are
//!    recorded as Chilean and Brazilian in Panama's Darién table (data/PROVENANCE.md),
//!    so their rise shows where the families set out from;
//! 6. **inferred transit**: corridor countries between two observed points (sending
//!    countries enter at the corridor's start) for which no series of the nationality
//!    is given: people must have crossed them, but nobody counts them; a corridor
//!    country between observed points that counts the nationality without an alert
//!    month is **transit**, with its count as evidence.

use std::collections::BTreeMap;

use hemi_core::Period;
use serde::Deserialize;
use toml::Spanned;

use crate::events::Event;
use crate::rules::{line_of, RulesError};
use crate::series::MonthlySeries;

/// A route: countries in travel order.
#[derive(Debug, Clone, PartialEq)]
pub struct Corridor {
    /// Short name.
    pub name: String,
    /// ISO3 codes, upstream first.
    pub countries: Vec<String>,
}

/// Thresholds of the role rules (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct RoleThresholds {
    /// Months before the first alert included in the event window.
    pub window_before_months: usize,
    /// Minimum diaspora stock for a sending country.
    pub min_stock: f64,
    /// Minimum companion count, as a share of the event nationality's count.
    pub min_companion_share: f64,
    /// Minimum growth of the companion count over the previous window.
    pub min_companion_growth: f64,
    /// Minimum returns for transit/receiving.
    pub min_returns: f64,
    /// Minimum returns as a share of presentations for transit/receiving.
    pub min_return_share: f64,
}

/// The routes file.
#[derive(Debug, Clone, PartialEq)]
pub struct Routes {
    /// Role thresholds (`[roles]`).
    pub thresholds: RoleThresholds,
    /// Corridors (`[[corridor]]`), in file order.
    pub corridors: Vec<Corridor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoutes {
    roles: RawThresholds,
    corridor: Vec<RawCorridor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    window_before_months: Spanned<i64>,
    min_stock: Spanned<f64>,
    min_companion_share: Spanned<f64>,
    min_companion_growth: Spanned<f64>,
    min_returns: Spanned<f64>,
    min_return_share: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorridor {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // documentation for people editing the file
    description: Option<String>,
    countries: Spanned<Vec<Spanned<String>>>,
}

impl Routes {
    /// Parses and validates a routes file; `file` only labels errors.
    pub fn parse(file: &str, text: &str) -> Result<Routes, RulesError> {
        let err = |at: usize, message: String, hint: &str| RulesError {
            file: file.into(),
            line: line_of(text, at),
            message,
            hint: hint.into(),
        };
        let raw: RawRoutes = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().to_owned(),
                "see rules/routes.toml for the expected layout",
            )
        })?;
        let number = |v: &Spanned<f64>, what: &str| {
            let x = *v.get_ref();
            if x.is_finite() && x >= 0.0 {
                Ok(x)
            } else {
                Err(err(
                    v.span().start,
                    format!("{what} is {x}"),
                    &format!("{what} is a number >= 0"),
                ))
            }
        };
        let r = &raw.roles;
        if *r.window_before_months.get_ref() < 0 {
            return Err(err(
                r.window_before_months.span().start,
                "window_before_months is negative".into(),
                "a whole number of months >= 0",
            ));
        }
        let thresholds = RoleThresholds {
            window_before_months: *r.window_before_months.get_ref() as usize,
            min_stock: number(&r.min_stock, "min_stock")?,
            min_companion_share: number(&r.min_companion_share, "min_companion_share")?,
            min_companion_growth: number(&r.min_companion_growth, "min_companion_growth")?,
            min_returns: number(&r.min_returns, "min_returns")?,
            min_return_share: number(&r.min_return_share, "min_return_share")?,
        };
        let mut corridors = Vec::new();
        for c in raw.corridor {
            let at = c.countries.span().start;
            let mut countries: Vec<String> = Vec::new();
            for code in c.countries.into_inner() {
                let s = code.get_ref();
                if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(err(
                        code.span().start,
                        format!("{s:?} is not an ISO 3166-1 alpha-3 code"),
                        "write three capital letters, e.g. PAN",
                    ));
                }
                if countries.contains(s) {
                    return Err(err(
                        code.span().start,
                        format!("{s} appears twice in corridor {}", c.name),
                        "a route passes a country once",
                    ));
                }
                countries.push(code.into_inner());
            }
            if countries.len() < 2 {
                return Err(err(
                    at,
                    format!("corridor {} has fewer than two countries", c.name),
                    "list the countries in travel order",
                ));
            }
            corridors.push(Corridor {
                name: c.name,
                countries,
            });
        }
        Ok(Routes {
            thresholds,
            corridors,
        })
    }
}

/// A country's part in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Where people set out from.
    Sending,
    /// Crossed, with alerts.
    Transit,
    /// Crossed without being counted.
    InferredTransit,
    /// Large presentations and returns: people arrive, stay or are sent back.
    TransitReceiving,
    /// Destination of the route.
    Receiving,
}

impl Role {
    /// Lower-case name (`"inferred_transit"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sending => "sending",
            Role::Transit => "transit",
            Role::InferredTransit => "inferred_transit",
            Role::TransitReceiving => "transit_receiving",
            Role::Receiving => "receiving",
        }
    }
}

/// One country's role and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryRole {
    /// ISO3 code.
    pub country: String,
    /// Role.
    pub role: Role,
    /// One sentence of evidence.
    pub evidence: String,
    /// The numbers behind it, `(name, value)`.
    pub figures: Vec<(String, f64)>,
}

/// Roles of an event's countries along one corridor.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleAssignment {
    /// Corridor used.
    pub corridor: String,
    /// First and last month of the event window.
    pub window: (Period, Period),
    /// Roles in corridor order, sending countries first.
    pub roles: Vec<CountryRole>,
}

/// Plain inputs for [`assign_roles`].
#[derive(Debug, Clone)]
pub struct RoleInputs<'a> {
    /// The event (as computed at `as_of`).
    pub event: &'a Event,
    /// Nothing after this month is used.
    pub as_of: Period,
    /// Presentation series: the event nationality's and other nationalities' at the
    /// corridor countries (companions are looked up here).
    pub presentations: &'a [MonthlySeries],
    /// Returns series (e.g. Mexico's deportations and assisted returns).
    pub returns: &'a [MonthlySeries],
    /// Destination → stock of people born in the event nationality's country.
    pub stocks: &'a BTreeMap<String, f64>,
    /// Routes file.
    pub routes: &'a Routes,
}

fn sum(series: Option<&MonthlySeries>, from: Period, to: Period) -> f64 {
    let Some(s) = series else { return 0.0 };
    let n = from.distance_to(to).unwrap_or(-1);
    (0..=n).filter_map(|k| s.value_at(from.offset(k))).sum()
}

fn find<'s>(
    set: &'s [MonthlySeries],
    country: &str,
    nationality: &str,
) -> Option<&'s MonthlySeries> {
    set.iter()
        .find(|s| s.reporting == country && s.nationality.as_deref() == Some(nationality))
}

/// Assigns roles (see the module documentation); `None` when no corridor holds any of
/// the event's countries.
pub fn assign_roles(inputs: &RoleInputs) -> Option<RoleAssignment> {
    let event = inputs.event;
    let th = &inputs.routes.thresholds;
    let nat = event.nationality.as_str();
    let alerting: Vec<&String> = event
        .alerts
        .iter()
        .filter(|a| a.month <= inputs.as_of)
        .map(|a| &a.reporting)
        .collect();
    let corridor = inputs
        .routes
        .corridors
        .iter()
        .map(|c| {
            (
                c,
                c.countries.iter().filter(|x| alerting.contains(x)).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .fold(None::<(&Corridor, usize)>, |best, (c, n)| match best {
            Some((_, b)) if b >= n => best,
            _ => Some((c, n)),
        })?
        .0;
    let from = event.first_alert.offset(-(th.window_before_months as i32));
    let to = event.last_alert.min(inputs.as_of);
    let before = (
        from.offset(-(from.distance_to(to).unwrap_or(0) + 1)),
        from.offset(-1),
    );
    let presented = |country: &str| find(inputs.presentations, country, nat);
    let mut roles: Vec<CountryRole> = Vec::new();
    let last = corridor.countries.len() - 1;
    for (i, country) in corridor.countries.iter().enumerate() {
        let alerts = alerting.iter().filter(|c| **c == country).count() as f64;
        let presentations = sum(presented(country), from, to);
        if i == last {
            roles.push(CountryRole {
                country: country.clone(),
                role: Role::Receiving,
                evidence: format!("end of corridor {}: {presentations:.0} {nat} counted {from}..{to}, {alerts} alert months", corridor.name),
                figures: vec![("presentations".into(), presentations), ("alert_months".into(), alerts)],
            });
        } else if alerts > 0.0 {
            let returns = sum(find(inputs.returns, country, nat), from, to);
            let share = if presentations > 0.0 {
                returns / presentations
            } else {
                0.0
            };
            let (role, why) = if returns >= th.min_returns && share >= th.min_return_share {
                (Role::TransitReceiving, format!("{presentations:.0} {nat} presented and {returns:.0} returned ({:.1}%) {from}..{to}", 100.0 * share))
            } else {
                (
                    Role::Transit,
                    format!("{alerts} alert months, {presentations:.0} {nat} counted {from}..{to}"),
                )
            };
            roles.push(CountryRole {
                country: country.clone(),
                role,
                evidence: why,
                figures: vec![
                    ("presentations".into(), presentations),
                    ("returns".into(), returns),
                    ("alert_months".into(), alerts),
                ],
            });
        }
    }
    // Sending: diaspora hosts whose nationals rise with the event nationality at the
    // first corridor country that counts the event nationality.
    let mut sending = Vec::new();
    if let Some(gate) = corridor.countries.iter().find(|c| presented(c).is_some()) {
        let base = sum(presented(gate), from, to);
        for (country, &stock) in inputs.stocks {
            if stock < th.min_stock || roles.iter().any(|r| &r.country == country) {
                continue;
            }
            let companion = find(inputs.presentations, gate, country);
            let (now, prior) = (sum(companion, from, to), sum(companion, before.0, before.1));
            let growth = if prior > 0.0 {
                now / prior
            } else if now > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            if base > 0.0
                && now >= th.min_companion_share * base
                && growth >= th.min_companion_growth
            {
                sending.push(CountryRole {
                    country: country.clone(),
                    role: Role::Sending,
                    evidence: format!(
                        "{stock:.0} people born in {nat} live in {country} (UN DESA); {now:.0} {country} nationals crossed {gate} with them {from}..{to} ({:.1}% of {base:.0} {nat}), {prior:.0} in the {} months before",
                        100.0 * now / base,
                        from.distance_to(to).unwrap_or(0) + 1
                    ),
                    figures: vec![
                        ("stock".into(), stock),
                        (format!("{country}_at_{gate}"), now),
                        (format!("{country}_at_{gate}_before"), prior),
                        (format!("{nat}_at_{gate}"), base),
                    ],
                });
            }
        }
    }
    // Inferred transit between observed points.
    // Observed points: alerting countries, and the receiving end if it counted anyone.
    let observed: Vec<usize> = (0..corridor.countries.len())
        .filter(|&i| {
            roles.iter().any(|r| {
                r.country == corridor.countries[i]
                    && (r.role != Role::Receiving || r.figures[0].1 > 0.0)
            })
        })
        .collect();
    let first = if sending.is_empty() {
        observed.first().copied()
    } else {
        Some(0)
    };
    if let (Some(a), Some(&b)) = (first, observed.last()) {
        for i in a..b {
            let country = &corridor.countries[i];
            if roles.iter().any(|r| &r.country == country) {
                continue;
            }
            match presented(country) {
                None => roles.push(CountryRole {
                    country: country.clone(),
                    role: Role::InferredTransit,
                    evidence: format!(
                        "on corridor {} between observed points, no {nat} series from {country}",
                        corridor.name
                    ),
                    figures: vec![],
                }),
                // Counted on the way but below the alert rules: people pass there, and
                // its officers are the ones who see the wave first-hand.
                Some(series) => {
                    let presentations = sum(Some(series), from, to);
                    if presentations > 0.0 {
                        roles.push(CountryRole {
                            country: country.clone(),
                            role: Role::Transit,
                            evidence: format!(
                                "on corridor {} between observed points: {presentations:.0} {nat} counted {from}..{to}, no alert month",
                                corridor.name
                            ),
                            figures: vec![
                                ("presentations".into(), presentations),
                                ("returns".into(), 0.0),
                                ("alert_months".into(), 0.0),
                            ],
                        });
                    }
                }
            }
        }
    }
    let position = |c: &str| {
        corridor
            .countries
            .iter()
            .position(|x| x == c)
            .unwrap_or(usize::MAX)
    };
    roles.sort_by_key(|r| position(&r.country));
    sending.extend(roles);
    Some(RoleAssignment {
        corridor: corridor.name.clone(),
        window: (from, to),
        roles: sending,
    })
}
