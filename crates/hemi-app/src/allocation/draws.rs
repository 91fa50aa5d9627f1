//! The appointment lottery's stored workflows: register households (a file import),
//! open a draw (store the canonical list and rules, publish the commitment), run it
//! once the public value is known (publish the winners and the per-band statistics),
//! and verify a draw from its published files.
//!
//! The published files live apart from the committed texts: verification re-runs from
//! what the public was given and compares with what was committed, so a list changed
//! after the commitment fails, naming the first changed registration.

use hemi_allocation::lottery::{self, DrawStatistics, PublishedDraw, Registration, Verified};
use hemi_store::allocation::{DrawRow, NewDraw, RegistrationRow};

use super::blocking;
use crate::{Actor, App, AppError, Problems, Result};

/// Published file names, as VERIFY.md lists them.
pub const POLICY_FILE: &str = "policy.txt";
/// The commitment (published when the draw opens).
pub const COMMITMENT_FILE: &str = "commitment.txt";
/// The list drawn from (published after the draw).
pub const REGISTRATIONS_FILE: &str = "registrations.csv";
/// The public value the seed came from.
pub const PUBLIC_VALUE_FILE: &str = "public_value.txt";
/// The winners in order.
pub const RESULT_FILE: &str = "result.csv";

/// Re-runs per draw for the published selection probabilities; fewer for big lists so
/// a draw of 80,000 households still publishes in seconds.
fn simulations_for(households: usize) -> u32 {
    match households {
        0..=5_000 => 200,
        5_001..=30_000 => 50,
        _ => 10,
    }
}

/// What a registration import stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registered {
    /// Households stored.
    pub households: usize,
    /// People in them.
    pub people: u64,
}

/// A draw with everything published about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DrawView {
    /// The draw.
    pub draw: DrawRow,
    /// Published files (name, content), in the order VERIFY.md lists them.
    pub files: Vec<(String, String)>,
    /// Counts and selection probabilities by wait band and nationality, once drawn.
    pub statistics: Option<DrawStatistics>,
}

/// The outcome of a verification: the files reproduce the draw, or the first difference.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DrawVerification {
    /// The commitment matches and the re-run gives the published winners bit for bit.
    Verified(Verified),
    /// The first difference found.
    Failed {
        /// In words.
        difference: String,
    },
}

fn diagnostics(d: &hemi_core::Diagnostics) -> AppError {
    AppError::Invalid(Problems::from_diagnostics(d))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored {what} is unreadable: {e}"))
}

fn file_order(name: &str) -> usize {
    [
        POLICY_FILE,
        COMMITMENT_FILE,
        REGISTRATIONS_FILE,
        PUBLIC_VALUE_FILE,
        RESULT_FILE,
    ]
    .iter()
    .position(|f| *f == name)
    .unwrap_or(usize::MAX)
}

impl App {
    /// Register households from a private registrations file
    /// (`household_id,registered_on,members,preferred_ports,flags`). A household
    /// without members, a bad date or a duplicate id refuses the whole file.
    pub async fn register_households(
        &self,
        text: String,
        file: &str,
        actor: &Actor,
    ) -> Result<Registered> {
        let file_name = file.to_owned();
        let registrations = blocking("registration import", move || {
            lottery::parse_registrations(&text, &file_name).map_err(|d| diagnostics(&d))
        })
        .await?;
        if registrations.is_empty() {
            return Err(AppError::invalid(
                "file",
                format!("{file} has no registrations"),
                "one household a row after the header",
            ));
        }
        let rows: Vec<RegistrationRow> = registrations
            .iter()
            .map(|r| {
                Ok(RegistrationRow {
                    household_id: r.household_id.clone(),
                    registered_on: r.registered_on.to_string(),
                    people: r.members.len() as i64,
                    record: serde_json::to_string(r).map_err(|e| AppError::Internal(e.into()))?,
                })
            })
            .collect::<Result<_>>()?;
        let mut tx = self.store().begin().await?;
        let ids: Vec<String> = rows.iter().map(|r| r.household_id.clone()).collect();
        let existing = tx.registered_ids(&ids).await?;
        if let Some(first) = existing.first() {
            return Err(AppError::refused(
                "household_id",
                format!(
                    "{} household(s) are registered already, first {first:?}",
                    existing.len()
                ),
                "a household registers once; remove the rows already registered",
            ));
        }
        tx.insert_registrations(&rows, actor.at, &actor.label())
            .await?;
        let people: u64 = rows.iter().map(|r| r.people as u64).sum();
        tx.audit(&actor.audit(
            "households_registered",
            "lottery",
            format!("{} households ({people} people) from {file}", rows.len()),
        ))
        .await?;
        tx.commit().await?;
        Ok(Registered {
            households: rows.len(),
            people,
        })
    }

    /// Open a draw under a policy (canonical `policy.txt`): the households registered
    /// up to its closing day become the list, both texts are stored and the commitment
    /// is published. `public_value_source` says where the value the seed comes from will
    /// be read (declared now, known only after registration closes).
    pub async fn open_draw(
        &self,
        policy_text: &str,
        policy_file: &str,
        public_value_source: &str,
        actor: &Actor,
    ) -> Result<DrawRow> {
        let policy =
            lottery::parse_policy(policy_text, policy_file).map_err(|d| diagnostics(&d))?;
        lottery::check_policy(&policy)
            .map_err(|e| super::allocation_error(e, &Default::default()))?;
        if public_value_source.trim().is_empty() {
            return Err(AppError::invalid(
                "public_value_source",
                "say where the public value will come from",
                "e.g. \"national lottery results of 2024-06-02\"; it must be fixed after registration closes",
            ));
        }
        let mut tx = self.store().begin().await?;
        let closed_on = policy.registration_closed_on.to_string();
        let stored = tx.registrations_until(&closed_on).await?;
        if stored.is_empty() {
            return Err(AppError::refused(
                "registrations",
                format!("no household registered on or before {closed_on}"),
                "register households first: `hemi appointments register FILE`",
            ));
        }
        let public: Vec<_> = stored
            .iter()
            .map(|r| serde_json::from_str::<Registration>(&r.record).map(|r| r.public()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| corrupt("registration", e))?;
        let policy_canonical = lottery::canonical_policy(&policy);
        let registrations_text = lottery::canonical_registrations(&public);
        let commitment = lottery::commitment_of_texts(&policy_canonical, &registrations_text);
        let people: i64 = public.iter().map(|r| i64::from(r.people)).sum();
        let id = tx
            .insert_draw(
                &NewDraw {
                    draw_date: &policy.draw_date.to_string(),
                    registration_closed_on: &closed_on,
                    policy_text: &policy_canonical,
                    registrations_text: &registrations_text,
                    commitment: &commitment,
                    households: public.len() as i64,
                    people,
                    public_value_source: public_value_source.trim(),
                },
                actor.at,
                &actor.label(),
            )
            .await?;
        tx.publish(id, POLICY_FILE, &policy_canonical, actor.at)
            .await?;
        tx.publish(id, COMMITMENT_FILE, &format!("{commitment}\n"), actor.at)
            .await?;
        tx.audit(&actor.audit(
            "draw_opened",
            &format!("draw {id}"),
            format!(
                "{} households ({people} people) for {}; commitment {commitment}",
                public.len(),
                policy.draw_date
            ),
        ))
        .await?;
        let row = tx
            .draw(id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("draw {id} vanished")))?;
        tx.commit().await?;
        Ok(row)
    }

    /// Run an open draw with the public value: publish the list, the value, the winners
    /// and the statistics. A draw runs once.
    pub async fn run_draw(&self, id: i64, public_value: &str, actor: &Actor) -> Result<DrawView> {
        let public_value = public_value.trim_end_matches('\n').to_owned();
        if public_value.trim().is_empty() {
            return Err(AppError::invalid(
                "public_value",
                "the public value is empty",
                "give the value published by the declared source",
            ));
        }
        let draw = self.draw_row(id).await?;
        if draw.drawn_at.is_some() {
            return Err(AppError::refused(
                "draw",
                format!("draw {id} was drawn already"),
                "a draw runs once; `hemi appointments show` shows its result",
            ));
        }
        let mut tx = self.store().begin().await?;
        let stored = tx.registrations_until(&draw.registration_closed_on).await?;
        let (policy_text, registrations_text) =
            (draw.policy_text.clone(), draw.registrations_text.clone());
        let value = public_value.clone();
        let (result, statistics) = blocking("draw", move || {
            let policy = lottery::parse_policy(&policy_text, POLICY_FILE)
                .map_err(|d| corrupt("policy", Problems::from_diagnostics(&d)))?;
            let listed =
                lottery::parse_published_registrations(&registrations_text, REGISTRATIONS_FILE)
                    .map_err(|d| corrupt("registrations", Problems::from_diagnostics(&d)))?;
            let ids: std::collections::HashSet<&str> =
                listed.iter().map(|r| r.household_id.as_str()).collect();
            let private: Vec<Registration> = stored
                .iter()
                .filter(|r| ids.contains(r.household_id.as_str()))
                .map(|r| serde_json::from_str(&r.record))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| corrupt("registration", e))?;
            let result = lottery::draw(&listed, &policy, &value)
                .map_err(|e| super::allocation_error(e, &Default::default()))?;
            let statistics = lottery::statistics(
                &private,
                &policy,
                &result,
                simulations_for(listed.len()),
                &|_, _| {},
            );
            Ok((result, statistics))
        })
        .await?;
        let statistics_json =
            serde_json::to_string(&statistics).map_err(|e| AppError::Internal(e.into()))?;
        if !tx
            .record_draw(
                id,
                &public_value,
                &result.seed,
                &statistics_json,
                actor.at,
                &actor.label(),
            )
            .await?
        {
            return Err(AppError::refused(
                "draw",
                format!("draw {id} was drawn already"),
                "a draw runs once",
            ));
        }
        tx.publish(id, REGISTRATIONS_FILE, &draw.registrations_text, actor.at)
            .await?;
        tx.publish(
            id,
            PUBLIC_VALUE_FILE,
            &format!("{public_value}\n"),
            actor.at,
        )
        .await?;
        tx.publish(id, RESULT_FILE, &lottery::result_csv(&result), actor.at)
            .await?;
        tx.audit(&actor.audit(
            "draw_run",
            &format!("draw {id}"),
            format!(
                "{} households selected; seed {} from public value {:?}",
                result.selections.len(),
                result.seed,
                public_value
            ),
        ))
        .await?;
        tx.commit().await?;
        self.draw_view(id).await
    }

    /// Every draw, newest first.
    pub async fn draws(&self) -> Result<Vec<DrawRow>> {
        Ok(self.store().draws().await?)
    }

    async fn draw_row(&self, id: i64) -> Result<DrawRow> {
        self.store().draw(id).await?.ok_or_else(|| {
            AppError::not_found(
                "draw",
                id.to_string(),
                "`hemi appointments draws` lists them",
            )
        })
    }

    /// A draw with its published files and statistics (what the public page shows).
    pub async fn draw_view(&self, id: i64) -> Result<DrawView> {
        let draw = self.draw_row(id).await?;
        let mut files = self.store().publications(id).await?;
        files.sort_by_key(|(name, _)| file_order(name));
        let statistics = draw
            .statistics
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("statistics", e))?;
        Ok(DrawView {
            draw,
            files,
            statistics,
        })
    }

    /// A draw as the public sees it: the nationality counts pass through the
    /// deployment's disclosure control (cell-key perturbation); the counts by wait band
    /// are shown exact because `registrations.csv`, which verification needs, already
    /// publishes every household's day and size.
    pub async fn public_draw_view(&self, id: i64) -> Result<DrawView> {
        let mut view = self.draw_view(id).await?;
        if let Some(stats) = &mut view.statistics {
            let protector = self.protector().await?;
            for g in &mut stats.by_nationality {
                let cell = |count: &str| {
                    hemi_disclosure::CellIdentity::new("lottery_draw")
                        .with("draw", id.to_string())
                        .with("nationality", g.group.clone())
                        .with("count", count)
                };
                g.households_registered = protector
                    .protect_count(&cell("households_registered"), g.households_registered);
                g.people_registered =
                    protector.protect_count(&cell("people_registered"), g.people_registered);
                g.households_selected =
                    protector.protect_count(&cell("households_selected"), g.households_selected);
                g.people_selected =
                    protector.protect_count(&cell("people_selected"), g.people_selected);
                g.selection_rate = if g.households_registered > 0 {
                    g.households_selected as f64 / g.households_registered as f64
                } else {
                    0.0
                };
            }
        }
        Ok(view)
    }

    /// Re-run a drawn draw from its published files and compare with what was committed.
    pub async fn verify_draw(&self, id: i64) -> Result<DrawVerification> {
        let view = self.draw_view(id).await?;
        if view.draw.drawn_at.is_none() {
            return Err(AppError::refused(
                "draw",
                format!("draw {id} is not drawn yet"),
                "verify after `hemi appointments draw`",
            ));
        }
        let file = |name: &str| {
            view.files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| c.clone())
                .unwrap_or_default()
        };
        let published = PublishedDraw {
            policy_text: file(POLICY_FILE),
            registrations_text: file(REGISTRATIONS_FILE),
            commitment: file(COMMITMENT_FILE),
            public_value: file(PUBLIC_VALUE_FILE).trim_end_matches('\n').to_owned(),
            result_text: file(RESULT_FILE),
        };
        let committed = (
            view.draw.policy_text.clone(),
            view.draw.registrations_text.clone(),
        );
        blocking("verification", move || {
            Ok(
                match lottery::verify(&published, Some((&committed.0, &committed.1))) {
                    Ok(v) => DrawVerification::Verified(v),
                    Err(hemi_allocation::AllocationError::Verification(d)) => {
                        DrawVerification::Failed {
                            difference: d.to_string(),
                        }
                    }
                    Err(other) => DrawVerification::Failed {
                        difference: other.to_string(),
                    },
                },
            )
        })
        .await
    }
}
