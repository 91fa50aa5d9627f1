//! Who works in Hemisphere: the staff roles and the groups of roles each capability
//! admits. Defined once here, outside HTTP, so the web app's route rules, the CLI's
//! account commands and the application layer's checks name the same roles.
//!
//! Anonymous visitors ("the public") have no role and no account.

use std::fmt;

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts; sees and uploads everything.
    Admin,
    /// L.A. Process secretariat: sessions, commitments, funding; sees every country's detail.
    Secretariat,
    /// Task Force watch officer: the early-warning board, events, reports.
    WatchOfficer,
    /// A member state's officer: uploads and sees detail for one reporting country only,
    /// and works on the response tasks assigned to that country.
    NationalOfficer,
    /// Safe Mobility Office, labour-pathway or sponsorship desk: screens and refers
    /// applicants of their own office.
    PathwaysOfficer,
    /// Port and asylum-office scheduler: appointment draws and interview schedules.
    Scheduler,
    /// Receiving-community coordinator: placement of arrivals in communities.
    PlacementCoordinator,
    /// Registry officer: registers people and moves permits along their lifecycle.
    RegistrationOfficer,
    /// Registry caseworker: resolves possible duplicate records.
    Caseworker,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::Secretariat,
        Role::WatchOfficer,
        Role::NationalOfficer,
        Role::PathwaysOfficer,
        Role::Scheduler,
        Role::PlacementCoordinator,
        Role::RegistrationOfficer,
        Role::Caseworker,
    ];

    /// The stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::WatchOfficer => "watch_officer",
            Role::NationalOfficer => "national_officer",
            Role::PathwaysOfficer => "pathways_officer",
            Role::Scheduler => "scheduler",
            Role::PlacementCoordinator => "placement_coordinator",
            Role::RegistrationOfficer => "registration_officer",
            Role::Caseworker => "caseworker",
        }
    }

    /// Parse a stored or typed name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Secretariat => "Secretariat",
            Role::WatchOfficer => "Watch officer",
            Role::NationalOfficer => "National officer",
            Role::PathwaysOfficer => "Pathways officer",
            Role::Scheduler => "Scheduler",
            Role::PlacementCoordinator => "Placement coordinator",
            Role::RegistrationOfficer => "Registration officer",
            Role::Caseworker => "Caseworker",
        }
    }

    /// True for roles whose accounts are tied to one reporting country.
    pub fn is_country_scoped(self) -> bool {
        matches!(self, Role::NationalOfficer)
    }

    /// True for roles whose accounts are tied to one office (a Safe Mobility Office,
    /// a registry office): they see that office's cases only.
    pub fn is_office_scoped(self) -> bool {
        matches!(
            self,
            Role::PathwaysOfficer | Role::RegistrationOfficer | Role::Caseworker
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        Role::parse(text).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            format!("{text:?} is not a role; use one of {}", names.join(", "))
        })
    }
}

/// The groups of roles each capability admits. Route rules, navigation and the
/// application layer all read these, so a role's reach is decided in one place.
pub mod groups {
    use super::Role;

    /// Every logged-in role.
    pub const STAFF: &[Role] = &Role::ALL;
    /// Who may upload tables: national officers (own country only) and administrators.
    pub const UPLOADERS: &[Role] = &[Role::Admin, Role::NationalOfficer];
    /// Who reads series detail (the explorer, the series API): national officers see
    /// their own country only; the operational desks of pathways, allocation and the
    /// registry have no need for other countries' detail.
    pub const SERIES_READERS: &[Role] = &[
        Role::Admin,
        Role::Secretariat,
        Role::WatchOfficer,
        Role::NationalOfficer,
        Role::PathwaysOfficer,
    ];
    /// Who reads the early-warning pages. National officers are left out: events span
    /// other countries' detail, which they may not read.
    pub const WATCH_READERS: &[Role] = &[Role::Admin, Role::Secretariat, Role::WatchOfficer];
    /// Who decides an event's status (confirm, response, close, dismiss).
    pub const WATCH_DECIDERS: &[Role] = &[Role::Admin, Role::WatchOfficer];
    /// Who runs the L.A. Process: sessions, decisions, commitments, funding.
    pub const SECRETARIAT: &[Role] = &[Role::Admin, Role::Secretariat];
    /// Who works on response tasks: the secretariat and watch officers on all of them,
    /// national officers on those assigned to their country.
    pub const TASK_WORKERS: &[Role] = &[
        Role::Admin,
        Role::Secretariat,
        Role::WatchOfficer,
        Role::NationalOfficer,
    ];
    /// Who works on pathways cases.
    pub const PATHWAYS: &[Role] = &[Role::Admin, Role::PathwaysOfficer];
    /// Who runs appointment draws and interview schedules.
    pub const SCHEDULERS: &[Role] = &[Role::Admin, Role::Scheduler];
    /// Who plans placements.
    pub const PLACEMENT: &[Role] = &[Role::Admin, Role::PlacementCoordinator];
    /// Who reads and changes person records in the registry.
    pub const REGISTRY: &[Role] = &[Role::Admin, Role::RegistrationOfficer, Role::Caseworker];
    /// Who resolves possible duplicates in the registry.
    pub const CASEWORKERS: &[Role] = &[Role::Admin, Role::Caseworker];
    /// Administrators only.
    pub const ADMINS: &[Role] = &[Role::Admin];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(Role::parse("public"), None);
        assert!("watch officer"
            .parse::<Role>()
            .unwrap_err()
            .contains("watch_officer"));
    }

    #[test]
    fn every_role_is_staff_and_admins_reach_every_group() {
        for group in [
            groups::UPLOADERS,
            groups::SERIES_READERS,
            groups::WATCH_READERS,
            groups::WATCH_DECIDERS,
            groups::SECRETARIAT,
            groups::TASK_WORKERS,
            groups::PATHWAYS,
            groups::SCHEDULERS,
            groups::PLACEMENT,
            groups::REGISTRY,
            groups::CASEWORKERS,
            groups::ADMINS,
        ] {
            assert!(group.contains(&Role::Admin));
            assert!(group.iter().all(|r| groups::STAFF.contains(r)));
        }
    }
}
