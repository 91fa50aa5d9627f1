//! Who acts. Every change records its actor in the audit log, so the actor is never a
//! free text a caller types: on the web it is the logged-in account; on the command
//! line it is the operating-system account that runs `hemi` (which holds the database
//! itself), and a name given with `--as` is recorded beside it, marked as such.

use hemi_core::Role;

/// Where an action came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A logged-in web user or API token.
    Web {
        /// Account id.
        user_id: i64,
        /// Role.
        role: Role,
        /// Reporting country a national officer is scoped to.
        country: Option<String>,
        /// Office a pathways or registry officer is scoped to.
        office: Option<String>,
        /// Client address.
        ip: String,
    },
    /// The command line, run by an operator of the node.
    Cli {
        /// The operating-system account.
        operator: String,
        /// A name given with `--as` (e.g. the minister a secretary records for).
        acting_as: Option<String>,
    },
    /// The system itself (seeding, a scheduled job).
    System,
}

/// Who acts, and when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Account name (web), operator (CLI) or `system`.
    pub name: String,
    /// Where it came from.
    pub via: Via,
    /// When, Unix seconds.
    pub at: i64,
}

impl Actor {
    /// A web user.
    pub fn web(
        user_id: i64,
        name: &str,
        role: Role,
        country: Option<String>,
        office: Option<String>,
        ip: &str,
    ) -> Actor {
        Actor {
            name: name.to_owned(),
            via: Via::Web {
                user_id,
                role,
                country,
                office,
                ip: ip.to_owned(),
            },
            at: crate::time::now_unix(),
        }
    }

    /// A command-line operator, optionally recording for someone named with `--as`.
    pub fn cli(operator: &str, acting_as: Option<&str>) -> Actor {
        Actor {
            name: operator.to_owned(),
            via: Via::Cli {
                operator: operator.to_owned(),
                acting_as: acting_as
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            },
            at: crate::time::now_unix(),
        }
    }

    /// The node itself.
    pub fn system() -> Actor {
        Actor {
            name: "system".into(),
            via: Via::System,
            at: crate::time::now_unix(),
        }
    }

    /// The same actor at another time (tests and replays).
    pub fn at(mut self, at: i64) -> Actor {
        self.at = at;
        self
    }

    /// The actor as the audit log and the records show it: `ana` for a web user,
    /// `cli:root` for an operator, `cli:root as "M. Rojas"` when acting for someone.
    pub fn label(&self) -> String {
        match &self.via {
            Via::Web { .. } => self.name.clone(),
            Via::Cli {
                operator,
                acting_as: None,
            } => format!("cli:{operator}"),
            Via::Cli {
                operator,
                acting_as: Some(name),
            } => format!("cli:{operator} as {name:?}"),
            Via::System => "system".into(),
        }
    }

    /// Client address, empty off the web.
    pub fn ip(&self) -> &str {
        match &self.via {
            Via::Web { ip, .. } => ip,
            _ => "",
        }
    }

    /// The role of a web actor; operators on the command line hold the database and
    /// act as administrators.
    pub fn role(&self) -> Role {
        match &self.via {
            Via::Web { role, .. } => *role,
            Via::Cli { .. } | Via::System => Role::Admin,
        }
    }

    /// The reporting country a web actor is scoped to, if any.
    pub fn country(&self) -> Option<&str> {
        match &self.via {
            Via::Web { country, .. } => country.as_deref(),
            _ => None,
        }
    }

    /// The office a web actor is scoped to, if any.
    pub fn office(&self) -> Option<&str> {
        match &self.via {
            Via::Web { office, .. } => office.as_deref(),
            _ => None,
        }
    }

    /// An audit entry by this actor.
    pub fn audit(
        &self,
        action: &str,
        subject: &str,
        detail: impl Into<String>,
    ) -> hemi_store::AuditEvent {
        hemi_store::AuditEvent {
            at: self.at,
            actor: self.label(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            ip: self.ip().to_owned(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_where_an_action_came_from() {
        assert_eq!(Actor::cli("root", None).label(), "cli:root");
        assert_eq!(
            Actor::cli("root", Some("M. Rojas")).label(),
            "cli:root as \"M. Rojas\""
        );
        let web = Actor::web(1, "ana", Role::WatchOfficer, None, None, "127.0.0.1");
        assert_eq!(web.label(), "ana");
        assert_eq!(web.ip(), "127.0.0.1");
        assert_eq!(Actor::cli("root", None).role(), Role::Admin);
    }
}
