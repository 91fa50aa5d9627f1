//! Permits under regularisation programs: created pre-registered, moved through the
//! domain's state machine (`hemi_registry::permit`) with actor, time and reason; an
//! illegal move is refused and nothing is written. Counts by state, month and
//! nationality reach the public only through the deployment's disclosure control.

use hemi_core::roles::groups;
use hemi_disclosure::{CellIdentity, ProtectedTable, Rule, TableCounts};
use hemi_registry::date::Timestamp;
use hemi_registry::permit::{counts_by_month, counts_by_state, Permit, PermitState, Program};
use hemi_store::registry::PermitRow;

use super::persons::in_scope;
use super::{random_id, require};
use crate::{Actor, App, AppError, Result};

/// The programs permits may be created under.
pub fn programs() -> Vec<Program> {
    vec![Program::colombia_etpv()]
}

fn program(program_id: &str) -> Result<Program> {
    let all = programs();
    all.iter()
        .find(|p| p.program_id == program_id.trim())
        .cloned()
        .ok_or_else(|| {
            let ids: Vec<&str> = all.iter().map(|p| p.program_id.as_str()).collect();
            AppError::not_found(
                "program",
                program_id,
                format!("programs: {}", ids.join(", ")),
            )
        })
}

/// A permit as officers read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PermitView {
    /// Permit id.
    pub permit_id: String,
    /// Holder's record.
    pub person_id: String,
    /// Program.
    pub program_id: String,
    /// Current state.
    pub state: String,
    /// States it may move to next.
    pub next_states: Vec<String>,
    /// End of validity once issued.
    pub valid_until: Option<String>,
    /// Every transition.
    pub history: Vec<hemi_registry::permit::Transition>,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("a stored permit is unreadable: {e}"))
}

fn permit_of(row: &PermitRow) -> Result<Permit> {
    Ok(Permit {
        permit_id: row.permit_id.clone(),
        person_id: row.person_id.clone(),
        program_id: row.program_id.clone(),
        nationality: hemi_core::Iso3::parse(&row.nationality).ok(),
        history: serde_json::from_str(&row.history).map_err(corrupt)?,
        valid_until: row
            .valid_until
            .as_deref()
            .map(hemi_registry::date::Date::parse)
            .transpose()
            .map_err(corrupt)?,
    })
}

impl PermitView {
    /// From a stored row.
    pub fn from_row(row: &PermitRow) -> Result<PermitView> {
        let permit = permit_of(row)?;
        Ok(PermitView {
            permit_id: row.permit_id.clone(),
            person_id: row.person_id.clone(),
            program_id: row.program_id.clone(),
            state: permit.state().as_str().to_owned(),
            next_states: permit
                .state()
                .next_states()
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            valid_until: row.valid_until.clone(),
            history: permit.history,
        })
    }
}

fn row_of(permit: &Permit, created_at: i64, updated_at: i64) -> Result<PermitRow> {
    Ok(PermitRow {
        permit_id: permit.permit_id.clone(),
        person_id: permit.person_id.clone(),
        program_id: permit.program_id.clone(),
        nationality: permit
            .nationality
            .map_or_else(|| "UNK".to_owned(), |n| n.as_str().to_owned()),
        state: permit.state().as_str().to_owned(),
        valid_until: permit.valid_until.map(|d| d.to_string()),
        history: serde_json::to_string(&permit.history).map_err(corrupt)?,
        created_at,
        updated_at,
    })
}

fn refused(e: hemi_registry::RegistryError) -> AppError {
    AppError::refused(
        "state",
        e.to_string(),
        "`hemi registry show PERSON` lists the permit's next states",
    )
}

/// Registry statistics as published: permits by state and nationality now, and
/// transitions by month and state, each cell perturbed; totals from perturbed cells.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegistryStatistics {
    /// Rows by nationality, columns by state (the stock).
    pub by_state: ProtectedTable,
    /// Rows by state, columns by month (transitions into each state: the flow).
    pub by_month: ProtectedTable,
    /// The disclosure rule to print beside them.
    pub rule: Rule,
}

impl App {
    /// Pre-register a permit for a record under a program.
    pub async fn create_permit(
        &self,
        person_id: &str,
        program_id: &str,
        actor: &Actor,
    ) -> Result<PermitView> {
        require(actor, groups::REGISTRY, "create permits")?;
        let keys = self.registry_keys()?;
        let program = program(program_id)?;
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let person_id = person_id.trim();
        let row = tx.registry_person(person_id).await?.ok_or_else(|| {
            AppError::not_found(
                "person",
                person_id,
                "`hemi registry search NAME` finds records",
            )
        })?;
        if !in_scope(actor, &row.office) {
            return Err(AppError::Forbidden(format!(
                "record {person_id} belongs to another office"
            )));
        }
        let view = super::persons::decrypt_row(&keys, &row)?;
        let permit = Permit::pre_register(
            &random_id("PER"),
            person_id,
            &program,
            view.person.nationalities.first().copied(),
            &actor.label(),
            Timestamp(actor.at),
        )
        .map_err(refused)?;
        let stored = row_of(&permit, actor.at, actor.at)?;
        tx.insert_registry_permit(&stored).await?;
        tx.audit(&actor.audit(
            "registry_permit_created",
            &permit.permit_id,
            format!(
                "record {person_id}; program {}; pre_registered",
                program.program_id
            ),
        ))
        .await?;
        tx.commit().await?;
        PermitView::from_row(&stored)
    }

    /// Move a permit to `to` through the lifecycle; illegal moves are refused.
    pub async fn transition_permit(
        &self,
        permit_id: &str,
        to: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<PermitView> {
        require(actor, groups::REGISTRY, "change permits")?;
        let keys = self.registry_keys()?;
        let to_state = PermitState::parse(to.trim()).ok_or_else(|| {
            let names: Vec<&str> = PermitState::ALL.iter().map(PermitState::as_str).collect();
            AppError::invalid(
                "state",
                format!("{to:?} is not a permit state"),
                format!("use one of {}", names.join(", ")),
            )
        })?;
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let permit_id = permit_id.trim();
        let row = tx.registry_permit(permit_id).await?.ok_or_else(|| {
            AppError::not_found(
                "permit",
                permit_id,
                "`hemi registry show PERSON` lists a person's permits",
            )
        })?;
        let person = tx.registry_person(&row.person_id).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("permit {permit_id} has no record"))
        })?;
        if !in_scope(actor, &person.office) {
            return Err(AppError::Forbidden(format!(
                "permit {permit_id} belongs to another office"
            )));
        }
        let program = program(&row.program_id)?;
        let mut permit = permit_of(&row)?;
        let from = permit.state();
        permit
            .transition(
                &program,
                to_state,
                &actor.label(),
                Timestamp(actor.at),
                reason.trim(),
            )
            .map_err(refused)?;
        let stored = row_of(&permit, row.created_at, actor.at)?;
        if !tx.update_registry_permit(&stored, &row.state).await? {
            return Err(AppError::refused(
                "state",
                format!("permit {permit_id} was changed meanwhile"),
                "reload and try again",
            ));
        }
        tx.audit(&actor.audit(
            "registry_permit_transition",
            permit_id,
            format!(
                "{} → {}{}",
                from.as_str(),
                to_state.as_str(),
                if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", reason.trim())
                }
            ),
        ))
        .await?;
        tx.commit().await?;
        PermitView::from_row(&stored)
    }

    /// Registry statistics for the public, through disclosure control.
    pub async fn registry_statistics(&self) -> Result<RegistryStatistics> {
        let rows = self.store().registry_permits().await?;
        let permits = rows.iter().map(permit_of).collect::<Result<Vec<_>>>()?;
        let protector = self.protector().await?;
        let now = Timestamp(crate::time::now_unix());
        let states: Vec<String> = PermitState::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        let stock = counts_by_state(&permits, now);
        let mut nationalities: Vec<String> = stock.iter().map(|c| c.nationality.clone()).collect();
        nationalities.sort();
        nationalities.dedup();
        let mut counts = vec![vec![0u64; states.len()]; nationalities.len()];
        for c in &stock {
            let r = nationalities.binary_search(&c.nationality).unwrap_or(0);
            let k = PermitState::ALL
                .iter()
                .position(|s| *s == c.state)
                .unwrap_or(0);
            counts[r][k] += c.permits;
        }
        let by_state = protector
            .protect_table(&TableCounts {
                base: CellIdentity::new("registry").with("statistic", "permits_by_state"),
                row_dimension: "nationality".into(),
                row_keys: nationalities,
                column_dimension: "state".into(),
                column_keys: states.clone(),
                columns_are_periods: false,
                counts_people: counts,
            })
            .map_err(|e| AppError::Internal(anyhow::anyhow!("disclosure control: {e}")))?;
        let flow = counts_by_month(&permits);
        let mut months: Vec<String> = flow.iter().map(|c| c.month.clone()).collect();
        months.sort();
        months.dedup();
        // Every month from the first to the last, so an empty month is not a tell.
        let months = fill_months(&months);
        let mut counts = vec![vec![0u64; months.len()]; states.len()];
        for c in &flow {
            let r = PermitState::ALL
                .iter()
                .position(|s| *s == c.state)
                .unwrap_or(0);
            if let Ok(k) = months.binary_search(&c.month) {
                counts[r][k] += c.permits;
            }
        }
        let by_month = protector
            .protect_table(&TableCounts {
                base: CellIdentity::new("registry").with("statistic", "transitions_by_month"),
                row_dimension: "state".into(),
                row_keys: states,
                column_dimension: "month".into(),
                column_keys: months,
                columns_are_periods: true,
                counts_people: counts,
            })
            .map_err(|e| AppError::Internal(anyhow::anyhow!("disclosure control: {e}")))?;
        Ok(RegistryStatistics {
            rule: by_state.rule.clone(),
            by_state,
            by_month,
        })
    }
}

fn fill_months(months: &[String]) -> Vec<String> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        months.first().and_then(|m| parse(m)),
        months.last().and_then(|m| parse(m)),
    ) else {
        return months.to_vec();
    };
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && out.len() < 1200 {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m == 13 {
            m = 1;
            y += 1;
        }
    }
    out
}
