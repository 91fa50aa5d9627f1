//! The roster: which stored series the early-warning system watches, as data.
//!
//! The Task Force's "roster of data" (seed 001) names, per reporting country, the flow
//! table whose nationality breakdown is watched, the returns table used to recognise a
//! transit/receiving country, and the diaspora-stock table used to find sending countries.

use serde::Deserialize;

use crate::rules::RulesError;

/// A watched flow: one reporting country's table of people counted by nationality.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchedFlow {
    /// Reporting country (ISO3).
    pub reporting: String,
    /// Source (profile) name.
    pub source: String,
    /// Measure within the source.
    pub measure: String,
}

/// A table read for context rather than watched.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextTable {
    /// Source (profile) name.
    pub source: String,
    /// Measure within the source.
    pub measure: String,
}

/// The whole roster file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Flows watched, upstream first along the main corridor.
    pub watch: Vec<WatchedFlow>,
    /// Returns tables by reporting country (for the transit/receiving role).
    #[serde(default)]
    pub returns: Vec<WatchedFlow>,
    /// Diaspora stocks (for the sending role).
    pub stocks: ContextTable,
    /// Hours within which an alert must reach subscribers after its data arrived.
    pub notify_within_hours: f64,
}

impl Roster {
    /// Parse and check a roster file.
    pub fn parse(file: &str, text: &str) -> Result<Roster, RulesError> {
        let line_of = |at: usize| text[..at.min(text.len())].lines().count().max(1);
        let roster: Roster = toml::from_str(text).map_err(|e| RulesError {
            file: file.to_owned(),
            line: e.span().map(|s| line_of(s.start)).unwrap_or(0),
            message: e.message().trim().to_owned(),
            hint: "see rules/roster.toml for the format".into(),
        })?;
        if roster.watch.is_empty() {
            return Err(RulesError {
                file: file.to_owned(),
                line: 0,
                message: "no [[watch]] entries".into(),
                hint: "watch at least one flow table".into(),
            });
        }
        if roster.notify_within_hours.is_nan() || roster.notify_within_hours <= 0.0 {
            return Err(RulesError {
                file: file.to_owned(),
                line: 0,
                message: "notify_within_hours must be positive".into(),
                hint: "the designated time frame, e.g. 24".into(),
            });
        }
        Ok(roster)
    }

    /// The watched flow upstream of `reporting` (the previous entry), for corridor models.
    pub fn upstream_of(&self, reporting: &str) -> Option<&WatchedFlow> {
        let i = self.watch.iter().position(|w| w.reporting == reporting)?;
        i.checked_sub(1).map(|j| &self.watch[j])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_roster_parses() {
        let text = include_str!("../../../rules/roster.toml");
        let roster = Roster::parse("rules/roster.toml", text).unwrap();
        assert_eq!(roster.watch[0].reporting, "PAN");
        assert_eq!(roster.upstream_of("USA").unwrap().reporting, "MEX");
        assert!(roster.upstream_of("PAN").is_none());
    }

    #[test]
    fn wrong_type_names_its_line() {
        let e = Roster::parse("r.toml", "# roster\nnotify_within_hours = \"soon\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
