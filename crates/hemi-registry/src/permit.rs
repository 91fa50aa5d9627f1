//! Regularisation programs and the permit lifecycle as an explicit state machine, with
//! pure counts by state, month and nationality.
//!
//! Legal transitions (anything else is refused, naming from and to):
//!
//! | from            | to                                                   |
//! |-----------------|------------------------------------------------------|
//! | pre_registered  | biometrics_taken, denied, cancelled                  |
//! | biometrics_taken| approved, denied, cancelled                          |
//! | approved        | issued, cancelled                                    |
//! | issued          | renewed, expired, revoked, cancelled                 |
//! | renewed         | renewed, expired, revoked, cancelled                 |
//! | expired         | renewed (late renewal, when the program allows it)   |
//! | denied, revoked, cancelled | — (final)                                 |
//!
//! Why these: a denial is an answer to an application, so it may come before or after
//! biometrics but not after approval (an approved permit not yet issued is *cancelled*,
//! an issued one *revoked* for cause). Cancellation is the holder's or the
//! administration's withdrawal without fault (e.g. under Decreto 216 de 2021 art. 16 a
//! PPT ends when its holder obtains another visa) and is possible at every live stage.
//! Denial, revocation and cancellation need a reason; every transition needs an actor.

use crate::date::{Date, Timestamp};
use crate::RegistryError;
use hemi_core::Iso3;
use std::collections::BTreeMap;

/// Where a permit stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PermitState {
    /// Registered in the program's pre-registration (e.g. Colombia's RUMV).
    PreRegistered,
    /// Biometrics captured.
    BiometricsTaken,
    /// Application approved.
    Approved,
    /// Permit document issued.
    Issued,
    /// Permit renewed (a new validity period).
    Renewed,
    /// Validity ended.
    Expired,
    /// Withdrawn for cause.
    Revoked,
    /// Withdrawn without fault (holder's request, another status obtained).
    Cancelled,
    /// Application refused.
    Denied,
}

impl PermitState {
    /// Every state, in lifecycle order.
    pub const ALL: [PermitState; 9] = [
        PermitState::PreRegistered,
        PermitState::BiometricsTaken,
        PermitState::Approved,
        PermitState::Issued,
        PermitState::Renewed,
        PermitState::Expired,
        PermitState::Revoked,
        PermitState::Cancelled,
        PermitState::Denied,
    ];

    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            PermitState::PreRegistered => "pre_registered",
            PermitState::BiometricsTaken => "biometrics_taken",
            PermitState::Approved => "approved",
            PermitState::Issued => "issued",
            PermitState::Renewed => "renewed",
            PermitState::Expired => "expired",
            PermitState::Revoked => "revoked",
            PermitState::Cancelled => "cancelled",
            PermitState::Denied => "denied",
        }
    }

    /// Parse the snake_case name.
    pub fn parse(text: &str) -> Option<PermitState> {
        PermitState::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
    }

    /// The states this one may move to.
    pub fn next_states(&self) -> &'static [PermitState] {
        use PermitState::*;
        match self {
            PreRegistered => &[BiometricsTaken, Denied, Cancelled],
            BiometricsTaken => &[Approved, Denied, Cancelled],
            Approved => &[Issued, Cancelled],
            Issued => &[Renewed, Expired, Revoked, Cancelled],
            Renewed => &[Renewed, Expired, Revoked, Cancelled],
            Expired => &[Renewed],
            Denied | Revoked | Cancelled => &[],
        }
    }

    /// Whether the permit lets its holder stay (issued or renewed).
    pub fn is_valid_status(&self) -> bool {
        matches!(self, PermitState::Issued | PermitState::Renewed)
    }

    fn needs_reason(&self) -> bool {
        matches!(
            self,
            PermitState::Denied | PermitState::Revoked | PermitState::Cancelled
        )
    }
}

impl std::fmt::Display for PermitState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A regularisation program.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Program {
    /// Stable id ("col-etpv").
    pub program_id: String,
    /// Official name.
    pub name: String,
    /// The legal instrument that creates it.
    pub legal_basis: String,
    /// Host country.
    #[serde(with = "crate::person::iso3_option")]
    pub host_country: Option<Iso3>,
    /// Nationalities eligible (empty: any).
    #[serde(with = "crate::person::iso3_vec")]
    pub eligible_nationalities: Vec<Iso3>,
    /// Eligible when present in (or entered) the host country within this window, inclusive.
    pub eligibility_window: (Date, Date),
    /// Pre-registration accepted within this window, inclusive.
    pub registration_window: (Date, Date),
    /// Years a permit is valid from issue (and from each renewal).
    pub permit_duration_years: u8,
    /// No permit of the program is valid past this date (the statute's end), when set.
    pub program_ends_on: Option<Date>,
    /// Whether an expired permit may still be renewed.
    pub renewal_after_expiry: bool,
}

impl Program {
    /// Colombia's *Estatuto Temporal de Protección para Migrantes Venezolanos* (Decreto
    /// 216 del 1 de marzo de 2021, Ministerio de Relaciones Exteriores): Venezuelans in
    /// Colombia on or before 31 January 2021 (art. 4); the Permiso por Protección Temporal
    /// (PPT) is valid until the statute ends, ten years after it took effect (arts. 2, 12),
    /// taken here as 2031-05-30. The pre-registration (RUMV) window follows Resolución 971
    /// de 2021 of Migración Colombia (5 May 2021 onwards; 28 May 2022 for those present by
    /// 31 January 2021). Dates as read from the published texts; check before relying on them.
    pub fn colombia_etpv() -> Program {
        let d = |y, m, day| Date {
            year: y,
            month: m,
            day,
        };
        Program {
            program_id: "col-etpv".into(),
            name: "Estatuto Temporal de Protección para Migrantes Venezolanos".into(),
            legal_basis: "Decreto 216 de 2021 (Colombia, 1 de marzo de 2021); Resolución 971 de 2021 (Migración Colombia)".into(),
            host_country: Some(Iso3::parse("COL").expect("valid code")),
            eligible_nationalities: vec![Iso3::parse("VEN").expect("valid code")],
            eligibility_window: (d(1900, 1, 1), d(2021, 1, 31)),
            registration_window: (d(2021, 5, 5), d(2022, 5, 28)),
            permit_duration_years: 10,
            program_ends_on: Some(d(2031, 5, 30)),
            renewal_after_expiry: false,
        }
    }

    /// Refuse windows that end before they start and a zero duration.
    pub fn validate(&self) -> Result<(), RegistryError> {
        let bad = |reason: &str| RegistryError::InvalidProgram {
            program: self.name.clone(),
            reason: reason.to_owned(),
        };
        if self.name.trim().is_empty() {
            return Err(bad("a program needs a name"));
        }
        if self.eligibility_window.0 > self.eligibility_window.1 {
            return Err(bad("the eligibility window ends before it starts"));
        }
        if self.registration_window.0 > self.registration_window.1 {
            return Err(bad("the registration window ends before it starts"));
        }
        if self.permit_duration_years == 0 {
            return Err(bad("a permit must be valid for at least one year"));
        }
        Ok(())
    }

    /// Reasons a person is not eligible (empty: eligible): nationality, date present in
    /// (or entered) the host country, and the date of pre-registration.
    pub fn eligibility(
        &self,
        nationality: Option<Iso3>,
        present_since: Option<Date>,
        registered_on: Date,
    ) -> Vec<String> {
        let mut reasons = Vec::new();
        if !self.eligible_nationalities.is_empty() {
            match nationality {
                Some(n) if self.eligible_nationalities.contains(&n) => {}
                Some(n) => {
                    reasons.push(format!("nationality {n} is not eligible for {}", self.name))
                }
                None => reasons.push("nationality is not recorded".to_owned()),
            }
        }
        match present_since {
            Some(d) if d < self.eligibility_window.0 || d > self.eligibility_window.1 => reasons
                .push(format!(
                    "present since {d}, outside the eligibility window {} to {}",
                    self.eligibility_window.0, self.eligibility_window.1
                )),
            Some(_) => {}
            None => reasons.push("the date of arrival is not recorded".to_owned()),
        }
        if registered_on < self.registration_window.0 || registered_on > self.registration_window.1
        {
            reasons.push(format!(
                "registered on {registered_on}, outside the registration window {} to {}",
                self.registration_window.0, self.registration_window.1
            ));
        }
        reasons
    }

    /// The end of validity of a permit issued or renewed on `from`.
    pub fn valid_until(&self, from: Date) -> Date {
        let end = from.add_years(i32::from(self.permit_duration_years));
        match self.program_ends_on {
            Some(limit) if limit < end => limit,
            _ => end,
        }
    }
}

/// One step of a permit's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transition {
    /// State before (None for the first, pre-registration).
    pub from: Option<PermitState>,
    /// State after.
    pub to: PermitState,
    /// Who did it (user id or system job).
    pub actor: String,
    /// When (passed in by the caller).
    pub at: Timestamp,
    /// Why (required for denied, revoked, cancelled).
    pub reason: String,
}

/// A permit and its whole history; its state is the last transition's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Permit {
    /// Permit id.
    pub permit_id: String,
    /// Person record the permit belongs to.
    pub person_id: String,
    /// Program id.
    pub program_id: String,
    /// The holder's nationality for statistics.
    #[serde(with = "crate::person::iso3_option")]
    pub nationality: Option<Iso3>,
    /// Transitions, oldest first (never empty).
    pub history: Vec<Transition>,
    /// End of validity once issued or renewed.
    pub valid_until: Option<Date>,
}

impl Permit {
    /// A new permit, pre-registered at `at` by `actor`.
    pub fn pre_register(
        permit_id: &str,
        person_id: &str,
        program: &Program,
        nationality: Option<Iso3>,
        actor: &str,
        at: Timestamp,
    ) -> Result<Permit, RegistryError> {
        if actor.trim().is_empty() {
            return Err(RegistryError::TransitionIncomplete {
                permit_id: permit_id.to_owned(),
                to: PermitState::PreRegistered.to_string(),
                missing: "an actor".to_owned(),
            });
        }
        Ok(Permit {
            permit_id: permit_id.to_owned(),
            person_id: person_id.to_owned(),
            program_id: program.program_id.clone(),
            nationality,
            history: vec![Transition {
                from: None,
                to: PermitState::PreRegistered,
                actor: actor.to_owned(),
                at,
                reason: String::new(),
            }],
            valid_until: None,
        })
    }

    /// The current state.
    pub fn state(&self) -> PermitState {
        self.history
            .last()
            .map_or(PermitState::PreRegistered, |t| t.to)
    }

    /// The state at a past instant (None before pre-registration).
    pub fn state_at(&self, at: Timestamp) -> Option<PermitState> {
        self.history
            .iter()
            .take_while(|t| t.at <= at)
            .last()
            .map(|t| t.to)
    }

    /// Move to `to`. Refused (and nothing changes) when the lifecycle does not allow it,
    /// when `at` is before the last transition, or when the actor or a needed reason is
    /// missing. Issuing and renewing set `valid_until` from the program.
    pub fn transition(
        &mut self,
        program: &Program,
        to: PermitState,
        actor: &str,
        at: Timestamp,
        reason: &str,
    ) -> Result<(), RegistryError> {
        let from = self.state();
        let allowed = from.next_states();
        let late_renewal_refused = from == PermitState::Expired
            && to == PermitState::Renewed
            && !program.renewal_after_expiry;
        if !allowed.contains(&to) || late_renewal_refused {
            let allowed_text: Vec<&str> = allowed
                .iter()
                .filter(|s| !(late_renewal_refused && **s == PermitState::Renewed))
                .map(PermitState::as_str)
                .collect();
            return Err(RegistryError::IllegalTransition {
                permit_id: self.permit_id.clone(),
                from: from.to_string(),
                to: to.to_string(),
                allowed: if allowed_text.is_empty() {
                    "none (final state)".to_owned()
                } else {
                    allowed_text.join(", ")
                },
            });
        }
        let incomplete = |missing: &str| RegistryError::TransitionIncomplete {
            permit_id: self.permit_id.clone(),
            to: to.to_string(),
            missing: missing.to_owned(),
        };
        if actor.trim().is_empty() {
            return Err(incomplete("an actor"));
        }
        if to.needs_reason() && reason.trim().is_empty() {
            return Err(incomplete("a reason"));
        }
        if let Some(last) = self.history.last() {
            if at < last.at {
                return Err(RegistryError::TransitionOutOfOrder {
                    permit_id: self.permit_id.clone(),
                    to: to.to_string(),
                    at: at.to_string(),
                    previous: last.at.to_string(),
                });
            }
        }
        if matches!(to, PermitState::Issued | PermitState::Renewed) {
            let from_date = match (to, self.valid_until) {
                // A renewal before expiry extends from the current end of validity.
                (PermitState::Renewed, Some(end)) if end > at.date() => end,
                _ => at.date(),
            };
            self.valid_until = Some(program.valid_until(from_date));
        }
        self.history.push(Transition {
            from: Some(from),
            to,
            actor: actor.to_owned(),
            at,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    /// Whether the permit is issued or renewed and its validity ended before `on`
    /// (the caller records the `expired` transition).
    pub fn is_due_to_expire(&self, on: Date) -> bool {
        self.state().is_valid_status() && self.valid_until.is_some_and(|end| end < on)
    }
}

/// A count of permits in one cell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PermitCount {
    /// Month `YYYY-MM` of the transitions counted (empty for a stock count).
    pub month: String,
    /// State.
    pub state: PermitState,
    /// Nationality code, or "UNK" when not recorded.
    pub nationality: String,
    /// Number of permits.
    pub permits: u64,
}

/// Permits by their state at `as_of` and nationality (a stock), sorted.
pub fn counts_by_state(permits: &[Permit], as_of: Timestamp) -> Vec<PermitCount> {
    let mut cells: BTreeMap<(PermitState, String), u64> = BTreeMap::new();
    for p in permits {
        if let Some(state) = p.state_at(as_of) {
            *cells.entry((state, nationality_label(p))).or_default() += 1;
        }
    }
    cells
        .into_iter()
        .map(|((state, nationality), permits)| PermitCount {
            month: String::new(),
            state,
            nationality,
            permits,
        })
        .collect()
}

/// Transitions into each state by calendar month and nationality (a flow): how many
/// permits were pre-registered, approved, issued... in each month. Sorted by month,
/// state, nationality.
pub fn counts_by_month(permits: &[Permit]) -> Vec<PermitCount> {
    let mut cells: BTreeMap<(String, PermitState, String), u64> = BTreeMap::new();
    for p in permits {
        for t in &p.history {
            *cells
                .entry((t.at.date().month_text(), t.to, nationality_label(p)))
                .or_default() += 1;
        }
    }
    cells
        .into_iter()
        .map(|((month, state, nationality), permits)| PermitCount {
            month,
            state,
            nationality,
            permits,
        })
        .collect()
}

fn nationality_label(p: &Permit) -> String {
    p.nationality
        .map_or_else(|| "UNK".to_owned(), |n| n.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn permit() -> (Program, Permit) {
        let program = Program::colombia_etpv();
        let p = Permit::pre_register(
            "PPT-1",
            "P1",
            &program,
            Iso3::parse("VEN").ok(),
            "officer-1",
            ts("2021-06-01T10:00:00Z"),
        )
        .unwrap();
        (program, p)
    }

    fn check(path: &[(PermitState, &str)], expected: Result<PermitState, &str>) {
        let (program, mut p) = permit();
        let mut result = Ok(());
        for (i, (to, reason)) in path.iter().enumerate() {
            let at = Timestamp(ts("2021-07-01T00:00:00Z").0 + i as i64 * 86_400 * 200);
            result = p.transition(&program, *to, "officer-2", at, reason);
            if result.is_err() {
                break;
            }
        }
        match (result, expected) {
            (Ok(()), Ok(state)) => assert_eq!(p.state(), state),
            (Err(e), Err(fragment)) => assert!(e.to_string().contains(fragment), "{e}"),
            (got, want) => panic!("{path:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn lifecycle_table() {
        use PermitState::*;
        check(
            &[(BiometricsTaken, ""), (Approved, ""), (Issued, "")],
            Ok(Issued),
        );
        check(
            &[
                (BiometricsTaken, ""),
                (Approved, ""),
                (Issued, ""),
                (Renewed, ""),
                (Expired, ""),
            ],
            Ok(Expired),
        );
        check(
            &[(Denied, "no proof of presence before 2021-01-31")],
            Ok(Denied),
        );
        check(&[(Denied, "")], Err("needs a reason"));
        check(&[(Approved, "")], Err("from pre_registered to approved is not allowed; allowed from pre_registered: biometrics_taken, denied, cancelled"));
        check(
            &[(BiometricsTaken, ""), (Approved, ""), (Denied, "x")],
            Err("from approved to denied"),
        );
        check(
            &[
                (BiometricsTaken, ""),
                (Approved, ""),
                (Issued, ""),
                (Revoked, "fraud"),
                (Renewed, ""),
            ],
            Err("allowed from revoked: none (final state)"),
        );
        check(
            &[
                (BiometricsTaken, ""),
                (Approved, ""),
                (Issued, ""),
                (Expired, ""),
                (Renewed, ""),
            ],
            Err("from expired to renewed"),
        );
        check(
            &[
                (BiometricsTaken, ""),
                (Approved, ""),
                (Issued, ""),
                (Cancelled, "obtained a residence visa"),
            ],
            Ok(Cancelled),
        );
    }

    #[test]
    fn time_order_actor_and_validity() {
        let (program, mut p) = permit();
        let e = p
            .transition(
                &program,
                PermitState::BiometricsTaken,
                "o",
                ts("2021-05-01T00:00:00Z"),
                "",
            )
            .unwrap_err();
        assert!(
            matches!(e, RegistryError::TransitionOutOfOrder { .. }),
            "{e}"
        );
        let e = p
            .transition(
                &program,
                PermitState::BiometricsTaken,
                " ",
                ts("2021-07-01T00:00:00Z"),
                "",
            )
            .unwrap_err();
        assert!(e.to_string().contains("needs an actor"));
        assert_eq!(p.history.len(), 1, "refused transitions change nothing");
        p.transition(
            &program,
            PermitState::BiometricsTaken,
            "o",
            ts("2021-07-01T00:00:00Z"),
            "",
        )
        .unwrap();
        p.transition(
            &program,
            PermitState::Approved,
            "o",
            ts("2021-08-01T00:00:00Z"),
            "",
        )
        .unwrap();
        p.transition(
            &program,
            PermitState::Issued,
            "o",
            ts("2021-09-15T00:00:00Z"),
            "",
        )
        .unwrap();
        // Ten years from issue would be 2031-09-15; the statute ends first.
        assert_eq!(p.valid_until.unwrap().to_string(), "2031-05-30");
        assert!(!p.is_due_to_expire(Date::parse("2031-05-30").unwrap()));
        assert!(p.is_due_to_expire(Date::parse("2031-05-31").unwrap()));
        assert_eq!(
            p.state_at(ts("2021-07-15T00:00:00Z")),
            Some(PermitState::BiometricsTaken)
        );
        assert_eq!(p.state_at(ts("2020-01-01T00:00:00Z")), None);
    }

    #[test]
    fn eligibility_and_program_checks() {
        let program = Program::colombia_etpv();
        program.validate().unwrap();
        let ven = Iso3::parse("VEN").ok();
        let reg = Date::parse("2021-06-01").unwrap();
        assert!(program
            .eligibility(ven, Date::parse("2020-03-01").ok(), reg)
            .is_empty());
        assert_eq!(
            program
                .eligibility(Iso3::parse("HTI").ok(), Date::parse("2020-03-01").ok(), reg)
                .len(),
            1
        );
        assert_eq!(
            program
                .eligibility(ven, Date::parse("2021-03-01").ok(), reg)
                .len(),
            1
        );
        assert_eq!(
            program
                .eligibility(ven, None, Date::parse("2023-01-01").unwrap())
                .len(),
            2
        );
        let mut bad = program.clone();
        bad.permit_duration_years = 0;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn counts() {
        let (program, mut a) = permit();
        a.transition(
            &program,
            PermitState::BiometricsTaken,
            "o",
            ts("2021-07-01T00:00:00Z"),
            "",
        )
        .unwrap();
        let (_, mut b) = permit();
        b.permit_id = "PPT-2".into();
        b.nationality = None;
        b.transition(
            &program,
            PermitState::Denied,
            "o",
            ts("2021-06-20T00:00:00Z"),
            "late",
        )
        .unwrap();
        let stock = counts_by_state(&[a.clone(), b.clone()], ts("2021-12-31T00:00:00Z"));
        let cells: Vec<(PermitState, &str, u64)> = stock
            .iter()
            .map(|c| (c.state, c.nationality.as_str(), c.permits))
            .collect();
        assert_eq!(
            cells,
            vec![
                (PermitState::BiometricsTaken, "VEN", 1),
                (PermitState::Denied, "UNK", 1)
            ]
        );
        let flows = counts_by_month(&[a, b]);
        let cells: Vec<(&str, PermitState, u64)> = flows
            .iter()
            .map(|c| (c.month.as_str(), c.state, c.permits))
            .collect();
        assert_eq!(
            cells,
            vec![
                ("2021-06", PermitState::PreRegistered, 1),
                ("2021-06", PermitState::PreRegistered, 1),
                ("2021-06", PermitState::Denied, 1),
                ("2021-07", PermitState::BiometricsTaken, 1)
            ]
        );
    }
}
