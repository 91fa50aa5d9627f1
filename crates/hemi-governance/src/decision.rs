//! A session's decision as typed by a person (the CLI's flags, the secretariat's form)
//! turned into the typed [`Change`]s the declaration applies, so both ways of deciding
//! accept and refuse the same things.

use crate::declaration::{Alternate, Change, PillarKind, Signatory, SignatoryKind};
use crate::{Date, GovernanceError, Result};

/// What a decision asks for; every field optional, as a form or a command line gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionRequest {
    /// Add a pillar: `KEY=TITLE`.
    pub add_pillar: Option<String>,
    /// Kind of the added pillar: permanent, temporary or emergency.
    pub kind: Option<String>,
    /// Event an added emergency pillar responds to.
    pub event: Option<String>,
    /// Goals of an added or modified pillar, or the goals kept when narrowing.
    pub goals: Vec<String>,
    /// Change a pillar: `KEY` or `KEY=NEW TITLE`.
    pub modify_pillar: Option<String>,
    /// Keep a pillar in force.
    pub continue_pillar: Option<String>,
    /// Review date of the continued pillar.
    pub review_by: Option<String>,
    /// Keep only `goals` of a pillar.
    pub narrow_pillar: Option<String>,
    /// Close a pillar.
    pub close_pillar: Option<String>,
    /// Remove a pillar and its deliverables.
    pub remove_pillar: Option<String>,
    /// A state or organisation joins: `CODE=NAME`.
    pub add_signatory: Option<String>,
    /// The joining signatory is an international organisation.
    pub organisation: bool,
    /// A signatory withdraws.
    pub withdraw: Option<String>,
    /// Alternate arrangements of a withdrawal: `ID=ARRANGEMENT` or `ID=ARRANGEMENT@OWNER`.
    pub alternates: Vec<String>,
    /// A deliverable's status: `KEY=STATUS`.
    pub deliverable_status: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> GovernanceError {
    GovernanceError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn key_value<'a>(text: &'a str, field: &str) -> Result<(&'a str, &'a str)> {
    text.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .ok_or_else(|| invalid(field, format!("{text:?} is not KEY=VALUE")))
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl DecisionRequest {
    /// The typed changes asked for, in a fixed order. A joining signatory's date is
    /// the session's (`on`).
    pub fn changes(&self, on: &Date) -> Result<Vec<Change>> {
        let goals: Vec<String> = self
            .goals
            .iter()
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        let mut out = Vec::new();
        if let Some(spec) = given(&self.add_pillar) {
            let (key, title) = key_value(spec, "add_pillar")?;
            out.push(Change::AddPillar {
                key: key.to_owned(),
                title: title.to_owned(),
                kind: PillarKind::parse(given(&self.kind).unwrap_or("temporary"))?,
                goals: goals.clone(),
                event_id: given(&self.event).map(str::to_uppercase),
            });
        }
        if let Some(spec) = given(&self.modify_pillar) {
            let (key, title) = match spec.split_once('=') {
                Some((k, t)) => (k.trim(), Some(t.trim().to_owned())),
                None => (spec, None),
            };
            out.push(Change::ModifyPillar {
                key: key.to_owned(),
                title,
                goals: (!goals.is_empty()).then(|| goals.clone()),
            });
        }
        if let Some(key) = given(&self.narrow_pillar) {
            out.push(Change::NarrowPillar {
                key: key.to_owned(),
                keep_goals: goals.clone(),
            });
        }
        if let Some(key) = given(&self.continue_pillar) {
            out.push(Change::ContinuePillar {
                key: key.to_owned(),
                review_by: given(&self.review_by).map(Date::parse).transpose()?,
            });
        }
        if let Some(key) = given(&self.close_pillar) {
            out.push(Change::ClosePillar {
                key: key.to_owned(),
            });
        }
        if let Some(key) = given(&self.remove_pillar) {
            out.push(Change::RemovePillar {
                key: key.to_owned(),
            });
        }
        if let Some(spec) = given(&self.deliverable_status) {
            let (key, status) = key_value(spec, "deliverable_status")?;
            out.push(Change::SetDeliverableStatus {
                key: key.to_owned(),
                status: status.to_owned(),
            });
        }
        if let Some(spec) = given(&self.add_signatory) {
            let (code, name) = key_value(spec, "add_signatory")?;
            out.push(Change::AddSignatory {
                signatory: Signatory {
                    code: code.to_uppercase(),
                    name: name.to_owned(),
                    kind: if self.organisation {
                        SignatoryKind::Organisation
                    } else {
                        SignatoryKind::State
                    },
                    joined_on: on.clone(),
                    withdrew_on: None,
                },
            });
        }
        let alternates: Vec<&str> = self
            .alternates
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        if let Some(code) = given(&self.withdraw) {
            let mut parsed = Vec::new();
            for spec in alternates {
                let (id, rest) = key_value(spec, "alternate")?;
                let commitment_id: i64 = id
                    .parse()
                    .map_err(|_| invalid("alternate", format!("{id:?} is not a commitment id")))?;
                let (arrangement, new_owner) = match rest.rsplit_once('@') {
                    Some((text, owner)) => {
                        (text.trim().to_owned(), Some(owner.trim().to_uppercase()))
                    }
                    None => (rest.to_owned(), None),
                };
                parsed.push(Alternate {
                    commitment_id,
                    arrangement,
                    new_owner,
                });
            }
            out.push(Change::WithdrawSignatory {
                code: code.to_uppercase(),
                alternates: parsed,
            });
        } else if !alternates.is_empty() {
            return Err(invalid(
                "alternate",
                "an alternate arrangement needs a withdrawal",
            ));
        }
        if out.is_empty() {
            return Err(invalid(
                "decision",
                "no change given: add, modify, continue, narrow or close a pillar, change a deliverable's status, or a signatory joins or withdraws",
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> Date {
        Date::parse("2023-06-23").unwrap()
    }

    #[test]
    fn a_request_becomes_typed_changes() {
        let r = DecisionRequest {
            continue_pillar: Some("E-VEN".into()),
            review_by: Some("2024-06-30".into()),
            add_signatory: Some("xdn=Example Donor Network".into()),
            organisation: true,
            ..Default::default()
        };
        let changes = r.changes(&on()).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(
            matches!(&changes[1], Change::AddSignatory { signatory } if signatory.code == "XDN" && signatory.joined_on == on())
        );
    }

    #[test]
    fn bad_requests_name_the_field() {
        let field = |r: DecisionRequest| r.changes(&on()).unwrap_err().field().to_owned();
        assert_eq!(field(DecisionRequest::default()), "decision");
        assert_eq!(
            field(DecisionRequest {
                add_pillar: Some("P5".into()),
                ..Default::default()
            }),
            "add_pillar"
        );
        assert_eq!(
            field(DecisionRequest {
                alternates: vec!["4=x".into()],
                ..Default::default()
            }),
            "alternate"
        );
        assert_eq!(
            field(DecisionRequest {
                withdraw: Some("XDN".into()),
                alternates: vec!["four=x".into()],
                ..Default::default()
            }),
            "alternate"
        );
        assert_eq!(
            field(DecisionRequest {
                continue_pillar: Some("P1".into()),
                review_by: Some("next year".into()),
                ..Default::default()
            }),
            "date"
        );
    }
}
