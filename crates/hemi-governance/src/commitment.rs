//! Commitments with measurable progress, and their assessment at each ministerial.
//!
//! Seed 001: at each ministerial "each state and international organization would
//! provide an assessment of their voluntary commitments ... including whether the
//! country will continue these policies until the next ministerial meeting".

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::{GovernanceError, Result};

/// A commitment to record, as typed by the secretariat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCommitment {
    /// The state (ISO3) or organisation that commits.
    pub owner: String,
    /// Pillar key.
    pub pillar: String,
    /// What, in words.
    pub title: String,
    /// What the numbers count, e.g. `permits`, `visas`, `USD`.
    pub unit: String,
    /// Value at the baseline date.
    pub baseline_value: f64,
    /// Baseline date, `YYYY-MM-DD`.
    pub baseline_date: String,
    /// Target value.
    pub target_value: f64,
    /// Date the target is due, `YYYY-MM-DD`.
    pub target_date: String,
    /// Ids of commitments this one needs (e.g. funding it relies on).
    pub depends_on: Vec<i64>,
}

impl NewCommitment {
    /// Refuse a commitment without owner or unit, with bad dates, or a target date that
    /// is not after the baseline date.
    pub fn validate(&self) -> Result<(Date, Date)> {
        if self.owner.trim().is_empty() {
            return Err(GovernanceError::MissingOwner);
        }
        if self.unit.trim().is_empty() {
            return Err(GovernanceError::MissingUnit);
        }
        if self.title.trim().is_empty() {
            return Err(GovernanceError::Invalid {
                field: "title".into(),
                message: "the commitment has no title".into(),
            });
        }
        if !self.baseline_value.is_finite() || !self.target_value.is_finite() {
            return Err(GovernanceError::Invalid {
                field: "target".into(),
                message: "baseline and target must be numbers".into(),
            });
        }
        let baseline = Date::parse(&self.baseline_date)?;
        let target = Date::parse(&self.target_date)?;
        if target <= baseline {
            return Err(GovernanceError::TargetBeforeBaseline {
                baseline: baseline.to_string(),
                target: target.to_string(),
            });
        }
        Ok((baseline, target))
    }

    /// The summary the declaration keeps, once the store has given it an id.
    pub fn summary(&self, id: i64) -> Result<CommitmentSummary> {
        let (_, target) = self.validate()?;
        Ok(CommitmentSummary {
            id,
            owner: self.owner.clone(),
            pillar: self.pillar.clone(),
            title: self.title.clone(),
            target_value: self.target_value,
            unit: self.unit.clone(),
            target_date: target,
            status: "active".into(),
            depends_on: self.depends_on.clone(),
            arrangement: None,
        })
    }
}

/// What the declaration records of a commitment (progress lives beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentSummary {
    /// Id given by the store.
    pub id: i64,
    /// Owner: a signatory code.
    pub owner: String,
    /// Pillar key.
    pub pillar: String,
    /// What.
    pub title: String,
    /// Target.
    pub target_value: f64,
    /// Unit.
    pub unit: String,
    /// Due date.
    pub target_date: Date,
    /// `active`, `stopped`, `complete` or `withdrawn`.
    pub status: String,
    /// Commitments this one needs.
    pub depends_on: Vec<i64>,
    /// Alternate arrangement recorded when its owner withdrew.
    pub arrangement: Option<String>,
}

/// The five-level assessment made at a ministerial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    /// Nothing done yet.
    NotStarted,
    /// Some progress.
    Limited,
    /// Most of the way.
    Substantial,
    /// Target met.
    Complete,
    /// The owner withdrew the commitment.
    Withdrawn,
}

impl Assessment {
    /// Every level, in order.
    pub const ALL: [Assessment; 5] = [
        Assessment::NotStarted,
        Assessment::Limited,
        Assessment::Substantial,
        Assessment::Complete,
        Assessment::Withdrawn,
    ];

    /// Name as stored and typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Assessment::NotStarted => "not_started",
            Assessment::Limited => "limited",
            Assessment::Substantial => "substantial",
            Assessment::Complete => "complete",
            Assessment::Withdrawn => "withdrawn",
        }
    }

    /// Parse a name (`not started` and `not-started` are accepted too).
    pub fn parse(text: &str) -> Result<Assessment> {
        let norm = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Assessment::ALL
            .into_iter()
            .find(|a| a.as_str() == norm)
            .ok_or_else(|| GovernanceError::Invalid {
                field: "level".into(),
                message: format!(
                    "{text:?} is not an assessment level; use not_started, limited, substantial, complete or withdrawn"
                ),
            })
    }

    /// The level suggested by progress: share of the way from baseline to target.
    pub fn suggested(share: Option<f64>) -> Assessment {
        match share {
            None => Assessment::NotStarted,
            Some(s) if s >= 1.0 => Assessment::Complete,
            Some(s) if s >= 0.5 => Assessment::Substantial,
            Some(s) if s > 0.0 => Assessment::Limited,
            Some(_) => Assessment::NotStarted,
        }
    }
}

impl fmt::Display for Assessment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the owner continues the commitment until the next ministerial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContinueDecision {
    /// Keep going.
    Continue,
    /// Stop.
    Stop,
}

impl ContinueDecision {
    /// Name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContinueDecision::Continue => "continue",
            ContinueDecision::Stop => "stop",
        }
    }

    /// Parse `continue` or `stop`.
    pub fn parse(text: &str) -> Result<ContinueDecision> {
        match text.trim().to_ascii_lowercase().as_str() {
            "continue" => Ok(ContinueDecision::Continue),
            "stop" => Ok(ContinueDecision::Stop),
            _ => Err(GovernanceError::Invalid {
                field: "decision".into(),
                message: format!("{text:?} is not continue or stop"),
            }),
        }
    }

    /// The commitment status after an assessment at this level with this decision:
    /// `None` when it stays as it is.
    pub fn status_after(self, level: Assessment) -> Option<&'static str> {
        match (level, self) {
            (Assessment::Withdrawn, _) => Some("withdrawn"),
            (Assessment::Complete, _) => Some("complete"),
            (_, ContinueDecision::Stop) => Some("stopped"),
            _ => None,
        }
    }
}

/// Share of the way from baseline to target reached by `value` (1.0 = target met);
/// `None` when baseline and target are equal.
pub fn progress_share(baseline: f64, target: f64, value: f64) -> Option<f64> {
    let span = target - baseline;
    (span != 0.0).then(|| (value - baseline) / span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colombia() -> NewCommitment {
        NewCommitment {
            owner: "COL".into(),
            pillar: "P1".into(),
            title: "regularisation permits to Venezuelans".into(),
            unit: "permits".into(),
            baseline_value: 0.0,
            baseline_date: "2022-06-10".into(),
            target_value: 1_500_000.0,
            target_date: "2022-08-31".into(),
            depends_on: vec![],
        }
    }

    #[test]
    fn bad_commitments_are_refused() {
        assert!(colombia().validate().is_ok());
        let mut c = colombia();
        c.owner = " ".into();
        assert_eq!(c.validate().unwrap_err(), GovernanceError::MissingOwner);
        let mut c = colombia();
        c.unit.clear();
        assert_eq!(c.validate().unwrap_err(), GovernanceError::MissingUnit);
        let mut c = colombia();
        c.target_date = "2022-05-31".into();
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "target date 2022-05-31 is not after baseline date 2022-06-10"
        );
    }

    #[test]
    fn levels_and_decisions() {
        assert_eq!(
            Assessment::parse("Not started").unwrap(),
            Assessment::NotStarted
        );
        assert!(Assessment::parse("great").is_err());
        assert_eq!(progress_share(0.0, 1_500_000.0, 1_200_000.0), Some(0.8));
        assert_eq!(Assessment::suggested(Some(0.8)), Assessment::Substantial);
        assert_eq!(Assessment::suggested(Some(1.0)), Assessment::Complete);
        assert_eq!(
            ContinueDecision::Stop.status_after(Assessment::Limited),
            Some("stopped")
        );
        assert_eq!(
            ContinueDecision::Continue.status_after(Assessment::Substantial),
            None
        );
    }
}
