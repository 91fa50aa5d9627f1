//! Response protocols as data: a playbook maps triggers on a confirmed early-warning
//! event (the confirmation itself, a country role, a size threshold) to tasks for named
//! states and agencies, each due within hours or days, and says whom an overdue task
//! escalates to.
//!
//! Seed 001 asks for "Federal Emergency Management Agency-like (FEMA) protocols" that
//! the Task Force oversees once it notifies agencies of an emerging event. The files
//! live in `playbooks/` (format in `playbooks/README.md`); parsing never panics and
//! every problem names the file and line.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::{line_of, GovernanceError, Result};

/// Country roles a `role` trigger may name (those of `hemi_warning::roles`).
pub const ROLES: [&str; 5] = [
    "sending",
    "transit",
    "inferred_transit",
    "transit_receiving",
    "receiving",
];

/// What makes a rule fire when an event is confirmed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// Every confirmed event.
    EventConfirmed,
    /// Once per country holding this role in the event.
    Role {
        /// Role name.
        role: String,
    },
    /// Events whose largest monthly count reaches this size.
    Size {
        /// Threshold.
        min_size: f64,
    },
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::EventConfirmed => f.write_str("event_confirmed"),
            Trigger::Role { role } => write!(f, "role={role}"),
            Trigger::Size { min_size } => write!(f, "size>={min_size}"),
        }
    }
}

/// One task template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskTemplate {
    /// Who: a state (ISO3), an agency, or `{country}` for the country a role trigger matched.
    pub assignee: String,
    /// What to do.
    pub what: String,
    /// Seconds allowed from confirmation.
    pub due_within_seconds: i64,
    /// Who an overdue task goes to.
    pub escalate_to: String,
}

/// A trigger and the tasks it creates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// When.
    pub trigger: Trigger,
    /// What.
    pub tasks: Vec<TaskTemplate>,
}

/// One playbook file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Playbook {
    /// Name (unique in a set).
    pub name: String,
    /// What kind of event it is for.
    pub description: String,
    /// Nationalities of the events it applies to; empty means every event.
    pub nationalities: Vec<String>,
    /// Rules, in file order.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaybook {
    name: String,
    description: String,
    #[serde(default)]
    nationalities: Vec<String>,
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    trigger: Spanned<String>,
    role: Option<Spanned<String>>,
    min_size: Option<Spanned<f64>>,
    task: Vec<Spanned<RawTask>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    assignee: String,
    what: String,
    due_within: Spanned<String>,
    #[serde(default = "default_escalation")]
    escalate_to: String,
}

fn default_escalation() -> String {
    "Task Force".into()
}

/// Parse `72h`, `3d` or `2w` into seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = number.trim().parse().ok().filter(|n| *n > 0)?;
    match unit {
        "h" => Some(n * 3600),
        "d" => Some(n * 86_400),
        "w" => Some(n * 7 * 86_400),
        _ => None,
    }
}

impl Playbook {
    /// Parse one file; `file` only labels errors.
    pub fn parse(file: &str, text: &str) -> Result<Playbook> {
        let err = |at: usize, message: String, hint: &str| GovernanceError::File {
            file: file.to_owned(),
            line: line_of(text, at),
            message,
            hint: hint.to_owned(),
        };
        let raw: RawPlaybook = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().trim().to_owned(),
                "a playbook has name, description, and [[rule]] tables with [[rule.task]]s (playbooks/README.md)",
            )
        })?;
        if raw.name.trim().is_empty() {
            return Err(err(
                0,
                "the playbook has no name".into(),
                "set name = \"...\"",
            ));
        }
        let mut rules = Vec::new();
        for rule in raw.rule {
            let rule_at = rule.span().start;
            let rule = rule.into_inner();
            let trigger_at = rule.trigger.span().start;
            let trigger = match rule.trigger.get_ref().as_str() {
                "event_confirmed" => Trigger::EventConfirmed,
                "role" => {
                    let Some(role) = rule.role else {
                        return Err(err(
                            trigger_at,
                            "trigger \"role\" names no role".into(),
                            "add role = \"transit\" (or sending, receiving ...)",
                        ));
                    };
                    if !ROLES.contains(&role.get_ref().as_str()) {
                        return Err(err(
                            role.span().start,
                            format!("unknown role {:?}", role.get_ref()),
                            &format!("use one of {}", ROLES.join(", ")),
                        ));
                    }
                    Trigger::Role {
                        role: role.into_inner(),
                    }
                }
                "size" => {
                    let Some(size) = rule.min_size.filter(|s| *s.get_ref() > 0.0) else {
                        return Err(err(
                            trigger_at,
                            "trigger \"size\" needs a positive min_size".into(),
                            "add min_size = 10000 (people in the event's largest month)",
                        ));
                    };
                    Trigger::Size {
                        min_size: size.into_inner(),
                    }
                }
                other => {
                    return Err(err(
                        trigger_at,
                        format!("unknown trigger {other:?}"),
                        "use event_confirmed, role or size",
                    ))
                }
            };
            if rule.task.is_empty() {
                return Err(err(
                    rule_at,
                    "a rule without tasks".into(),
                    "add [[rule.task]] tables",
                ));
            }
            let mut tasks = Vec::new();
            for task in rule.task {
                let at = task.span().start;
                let task = task.into_inner();
                if task.assignee.trim().is_empty() || task.what.trim().is_empty() {
                    return Err(err(
                        at,
                        "a task needs an assignee and what to do".into(),
                        "set assignee and what",
                    ));
                }
                if task.assignee.contains("{country}") && !matches!(trigger, Trigger::Role { .. }) {
                    return Err(err(
                        at,
                        "{country} in a task whose trigger is not a role".into(),
                        "use trigger = \"role\" or name the assignee",
                    ));
                }
                let Some(seconds) = parse_duration(task.due_within.get_ref()) else {
                    return Err(err(
                        task.due_within.span().start,
                        format!(
                            "due_within {:?} is not a duration",
                            task.due_within.get_ref()
                        ),
                        "write hours, days or weeks: \"72h\", \"3d\", \"2w\"",
                    ));
                };
                tasks.push(TaskTemplate {
                    assignee: task.assignee,
                    what: task.what,
                    due_within_seconds: seconds,
                    escalate_to: task.escalate_to,
                });
            }
            rules.push(Rule { trigger, tasks });
        }
        Ok(Playbook {
            name: raw.name,
            description: raw.description,
            nationalities: raw
                .nationalities
                .into_iter()
                .map(|n| n.to_uppercase())
                .collect(),
            rules,
        })
    }
}

/// The playbooks in force.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PlaybookSet {
    /// By file order.
    pub playbooks: Vec<Playbook>,
}

impl PlaybookSet {
    /// Parse files given as (name, text); a later file with the same playbook name
    /// replaces the earlier one (a `--playbooks-dir` file overrides a bundled one).
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<PlaybookSet> {
        let mut set = PlaybookSet::default();
        for (file, text) in files {
            let p = Playbook::parse(file, text)?;
            set.playbooks.retain(|q| q.name != p.name);
            set.playbooks.push(p);
        }
        Ok(set)
    }
}

/// What is known of an event when it is confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFacts {
    /// Event id, e.g. `HTI-2021-05`.
    pub event_id: String,
    /// Nationality (ISO3, or `ALL`).
    pub nationality: String,
    /// (country, role) pairs.
    pub roles: Vec<(String, String)>,
    /// Largest monthly count among its alerts.
    pub size: f64,
    /// When it was confirmed, Unix seconds.
    pub confirmed_at: i64,
}

/// A task created from a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTask {
    /// Event id.
    pub event_id: String,
    /// Playbook name.
    pub playbook: String,
    /// Stable key within the event, so instantiating twice creates nothing new.
    pub key: String,
    /// Trigger that created it.
    pub trigger: String,
    /// Who.
    pub assignee: String,
    /// What.
    pub what: String,
    /// Due, Unix seconds.
    pub due_at: i64,
    /// Who an overdue task escalates to.
    pub escalate_to: String,
}

/// The tasks every applicable playbook gives for a confirmed event.
pub fn instantiate(set: &PlaybookSet, facts: &EventFacts) -> Vec<NewTask> {
    let mut out = Vec::new();
    for p in &set.playbooks {
        if !p.nationalities.is_empty() && !p.nationalities.contains(&facts.nationality) {
            continue;
        }
        for (r, rule) in p.rules.iter().enumerate() {
            let countries: Vec<Option<&str>> = match &rule.trigger {
                Trigger::EventConfirmed => vec![None],
                Trigger::Size { min_size } if facts.size >= *min_size => vec![None],
                Trigger::Size { .. } => vec![],
                Trigger::Role { role } => facts
                    .roles
                    .iter()
                    .filter(|(_, r)| r == role)
                    .map(|(c, _)| Some(c.as_str()))
                    .collect(),
            };
            for country in countries {
                for (t, task) in rule.tasks.iter().enumerate() {
                    let assignee = task.assignee.replace("{country}", country.unwrap_or(""));
                    let what = task.what.replace("{country}", country.unwrap_or(""));
                    out.push(NewTask {
                        event_id: facts.event_id.clone(),
                        playbook: p.name.clone(),
                        key: format!("{}/{}/{}/{}", p.name, r + 1, t + 1, country.unwrap_or("-")),
                        trigger: rule.trigger.to_string(),
                        assignee,
                        what,
                        due_at: facts.confirmed_at + task.due_within_seconds,
                        escalate_to: task.escalate_to.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Open,
    /// Under way.
    InProgress,
    /// Done, with evidence.
    Done,
    /// No longer needed.
    Cancelled,
}

impl TaskStatus {
    /// Name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parse a name.
    pub fn parse(text: &str) -> Result<TaskStatus> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "open" => Ok(TaskStatus::Open),
            "in_progress" => Ok(TaskStatus::InProgress),
            "done" => Ok(TaskStatus::Done),
            "cancelled" | "canceled" => Ok(TaskStatus::Cancelled),
            _ => Err(GovernanceError::Invalid {
                field: "status".into(),
                message: format!(
                    "{text:?} is not a task status; use open, in_progress, done or cancelled"
                ),
            }),
        }
    }

    /// Still waiting for someone.
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }
}

/// The fields of a stored task escalation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    /// Id.
    pub id: i64,
    /// Status.
    pub status: TaskStatus,
    /// Assignee.
    pub assignee: String,
    /// Due, Unix seconds.
    pub due_at: i64,
    /// Escalation target.
    pub escalate_to: String,
}

/// An overdue task and whom it goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// Task id.
    pub task_id: i64,
    /// Who should have done it.
    pub assignee: String,
    /// Whom it escalates to.
    pub escalate_to: String,
    /// Hours past due (rounded down).
    pub overdue_hours: i64,
}

/// Open tasks past their due time at `now` (Unix seconds), most overdue first.
pub fn overdue(tasks: &[TaskState], now: i64) -> Vec<Escalation> {
    let mut out: Vec<Escalation> = tasks
        .iter()
        .filter(|t| t.status.is_open() && now > t.due_at)
        .map(|t| Escalation {
            task_id: t.id,
            assignee: t.assignee.clone(),
            escalate_to: t.escalate_to.clone(),
            overdue_hours: (now - t.due_at) / 3600,
        })
        .collect();
    out.sort_by(|a, b| {
        b.overdue_hours
            .cmp(&a.overdue_hours)
            .then(a.task_id.cmp(&b.task_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"name = "surge"
description = "test"
nationalities = ["hti"]

[[rule]]
trigger = "event_confirmed"
[[rule.task]]
assignee = "Task Force"
what = "notify receiving states"
due_within = "24h"

[[rule]]
trigger = "role"
role = "transit"
[[rule.task]]
assignee = "{country}"
what = "raise processing capacity in {country}"
due_within = "3d"
escalate_to = "L.A. Process secretariat"

[[rule]]
trigger = "size"
min_size = 10000
[[rule.task]]
assignee = "L.A. Process secretariat"
what = "call an emergency session"
due_within = "1w"
"#;

    fn facts(size: f64) -> EventFacts {
        EventFacts {
            event_id: "HTI-2021-05".into(),
            nationality: "HTI".into(),
            roles: vec![
                ("PAN".into(), "transit".into()),
                ("HND".into(), "transit".into()),
                ("USA".into(), "receiving".into()),
            ],
            size,
            confirmed_at: 1_000_000,
        }
    }

    #[test]
    fn parses_and_instantiates() {
        let set = PlaybookSet::from_files([("p.toml", BOOK)]).unwrap();
        let tasks = instantiate(&set, &facts(20_000.0));
        let summary: Vec<String> = tasks
            .iter()
            .map(|t| format!("{} {} {}", t.key, t.assignee, t.due_at - 1_000_000))
            .collect();
        assert_eq!(
            summary,
            vec![
                "surge/1/1/- Task Force 86400",
                "surge/2/1/PAN PAN 259200",
                "surge/2/1/HND HND 259200",
                "surge/3/1/- L.A. Process secretariat 604800",
            ]
        );
        assert_eq!(tasks[1].what, "raise processing capacity in PAN");
        assert_eq!(instantiate(&set, &facts(500.0)).len(), 3);
        let mut other = facts(500.0);
        other.nationality = "VEN".into();
        assert!(instantiate(&set, &other).is_empty());
    }

    #[test]
    fn unknown_trigger_names_file_and_line() {
        let text = BOOK.replace("trigger = \"size\"", "trigger = \"sized\"");
        let e = Playbook::parse("playbooks/x.toml", &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "playbooks/x.toml:22: unknown trigger \"sized\" — use event_confirmed, role or size"
        );
        let text = BOOK.replace("role = \"transit\"", "role = \"corridor\"");
        assert!(Playbook::parse("x", &text)
            .unwrap_err()
            .to_string()
            .starts_with("x:14: unknown role"));
        let text = BOOK.replace("\"3d\"", "\"soon\"");
        assert!(Playbook::parse("x", &text)
            .unwrap_err()
            .to_string()
            .starts_with("x:18: due_within"));
        let text = BOOK.replace("what = \"notify", "wat = \"notify");
        assert!(Playbook::parse("x", &text)
            .unwrap_err()
            .to_string()
            .starts_with("x:"));
    }

    #[test]
    fn escalation_is_a_function_of_now() {
        let tasks = vec![
            TaskState {
                id: 1,
                status: TaskStatus::Open,
                assignee: "PAN".into(),
                due_at: 100,
                escalate_to: "Task Force".into(),
            },
            TaskState {
                id: 2,
                status: TaskStatus::Done,
                assignee: "HND".into(),
                due_at: 100,
                escalate_to: "Task Force".into(),
            },
            TaskState {
                id: 3,
                status: TaskStatus::InProgress,
                assignee: "MEX".into(),
                due_at: 100 + 7200,
                escalate_to: "L.A. Process secretariat".into(),
            },
        ];
        assert!(overdue(&tasks, 100).is_empty());
        let e = overdue(&tasks, 100 + 3 * 3600);
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].task_id, e[0].overdue_hours, e[0].escalate_to.as_str()),
            (1, 3, "Task Force")
        );
        assert_eq!((e[1].task_id, e[1].overdue_hours), (3, 1));
        assert_eq!(parse_duration("72h"), Some(259_200));
        assert_eq!(parse_duration("0d"), None);
    }
}
