//! The caseworker's review queue: pairs the linkage could not decide, each with its
//! field-by-field explanation. A decision is kept with who made it, when and why, and
//! every later linkage run respects it (a "same person" pair is merged, a "different
//! people" pair never is).

use hemi_core::roles::groups;
use hemi_registry::linkage::PairExplanation;
use hemi_store::registry::ReviewRow;

use super::persons::{decrypt_row, in_scope};
use super::require;
use crate::{Actor, App, AppError, Result};

/// Most items one page of the queue shows.
pub const MAX_REVIEW_ITEMS: i64 = 200;

/// A review item with both records' names, for the caseworker.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewView {
    /// Id.
    pub id: i64,
    /// One record.
    pub record_a: String,
    /// Its name.
    pub name_a: String,
    /// The other record.
    pub record_b: String,
    /// Its name.
    pub name_b: String,
    /// Why it is queued.
    pub reason: String,
    /// Match probability.
    pub match_probability: f64,
    /// Field-by-field weights.
    pub explanation: Option<PairExplanation>,
    /// `same_person` / `different_people`, or `None` while open.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Why.
    pub decision_reason: Option<String>,
}

impl App {
    /// Review items (open only, or every one), with the names of both records; the
    /// records shown are audited as read.
    pub async fn review_queue(&self, open_only: bool, actor: &Actor) -> Result<Vec<ReviewView>> {
        require(actor, groups::CASEWORKERS, "work on the review queue")?;
        let keys = self.registry_keys()?;
        let rows = self
            .store()
            .registry_reviews(open_only, MAX_REVIEW_ITEMS)
            .await?;
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let mut out = Vec::new();
        for row in rows {
            let (Some(a), Some(b)) = (
                tx.registry_person(&row.record_a).await?,
                tx.registry_person(&row.record_b).await?,
            ) else {
                continue;
            };
            if !in_scope(actor, &a.office) && !in_scope(actor, &b.office) {
                continue;
            }
            let name_a = decrypt_row(&keys, &a)?.display_name;
            let name_b = decrypt_row(&keys, &b)?.display_name;
            out.push(view(row, name_a, name_b));
        }
        if !out.is_empty() {
            let ids: Vec<String> = out
                .iter()
                .map(|v| format!("{} {}", v.record_a, v.record_b))
                .collect();
            tx.audit(&actor.audit(
                "registry_review_listed",
                &format!("{} items", out.len()),
                format!("records shown: {}", ids.join(" ")),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Decide a review item. `same_person` merges the two records' persons (the second
    /// record's person joins the first's); otherwise they are kept apart for good.
    pub async fn resolve_review(
        &self,
        id: i64,
        same_person: bool,
        reason: &str,
        actor: &Actor,
    ) -> Result<ReviewView> {
        require(actor, groups::CASEWORKERS, "resolve review items")?;
        let keys = self.registry_keys()?;
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let row = tx.registry_review(id).await?.ok_or_else(|| {
            AppError::not_found(
                "review item",
                id.to_string(),
                "`hemi registry review list` lists open items",
            )
        })?;
        if let Some(decision) = &row.decision {
            return Err(AppError::refused(
                "review",
                format!(
                    "item {id} was decided already ({decision}, by {})",
                    row.decided_by.clone().unwrap_or_default()
                ),
                "decisions are kept; nothing was changed",
            ));
        }
        let (Some(a), Some(b)) = (
            tx.registry_person(&row.record_a).await?,
            tx.registry_person(&row.record_b).await?,
        ) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "review item {id} names a missing record"
            )));
        };
        if !in_scope(actor, &a.office) && !in_scope(actor, &b.office) {
            return Err(AppError::Forbidden(format!(
                "review item {id} belongs to another office"
            )));
        }
        let decision = if same_person {
            "same_person"
        } else {
            "different_people"
        };
        tx.decide_registry_review(id, decision, &actor.label(), actor.at, reason.trim())
            .await?;
        let mut merged = 0;
        if same_person && a.cluster_id != b.cluster_id {
            merged = tx
                .merge_registry_clusters(&b.cluster_id, &a.cluster_id)
                .await?;
        }
        tx.audit(&actor.audit(
            "registry_review_resolved",
            &format!("review {id}"),
            format!(
                "{} and {}: {decision}{}{}",
                row.record_a,
                row.record_b,
                if merged > 0 {
                    format!("; {merged} records moved to person {}", a.cluster_id)
                } else {
                    String::new()
                },
                if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!("; {}", reason.trim())
                }
            ),
        ))
        .await?;
        let decided = tx.registry_review(id).await?.expect("just written");
        let name_a = decrypt_row(&keys, &a)?.display_name;
        let name_b = decrypt_row(&keys, &b)?.display_name;
        tx.commit().await?;
        Ok(view(decided, name_a, name_b))
    }
}

fn view(row: ReviewRow, name_a: String, name_b: String) -> ReviewView {
    ReviewView {
        id: row.id,
        record_a: row.record_a,
        name_a,
        record_b: row.record_b,
        name_b,
        reason: row.reason,
        match_probability: row.match_probability,
        explanation: serde_json::from_str(&row.explanation).ok(),
        decision: row.decision,
        decided_by: row.decided_by,
        decision_reason: row.decision_reason,
    }
}
