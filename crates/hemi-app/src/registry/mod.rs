//! The migrant registry: file-mode linkage ([`files`]: synthesise, de-duplicate,
//! evaluate) and the stored registry: person records encrypted at rest under the
//! operator's [keys](keys::RegistryKeys) and searchable through blind indexes
//! ([`persons`]), permits and disclosure-controlled statistics ([`permits`]), and the
//! caseworker's [`review`] queue. Every change and every read of a person record is
//! in the audit chain, in the same transaction.

pub mod demo;
pub mod files;
pub mod keys;
pub mod permits;
pub mod persons;
pub mod review;

use std::sync::Arc;

use hemi_registry::linkage::{LinkSession, Model, NoProgress, ReviewReason, Settings};
use rand::RngCore;

use crate::{Actor, App, AppError, Result};

pub use keys::RegistryKeys;

/// The u-sampling seed of stored-registry linkage (an input, so runs repeat).
pub(crate) const LINKAGE_SEED: u64 = 42;

/// People in the synthetic registry a new deployment's linkage model is trained on
/// (until the registry holds enough records of its own, the m and u of a realistic
/// synthetic registry are a better start than EM on a handful of records).
pub const MODEL_TRAINING_PEOPLE: usize = 3_000;

pub(crate) fn require(actor: &Actor, roles: &[hemi_core::Role], what: &str) -> Result<()> {
    if roles.contains(&actor.role()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "a {} may not {what}",
            actor.role().label().to_lowercase()
        )))
    }
}

/// A random id with a prefix: `P-3fa9c2d1e0`.
pub(crate) fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 5];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}-{}", hex::encode(bytes))
}

pub(crate) fn review_reason_text(reason: &ReviewReason) -> String {
    match reason {
        ReviewReason::GreyZone => "grey_zone".into(),
        ReviewReason::PersonFieldsDisagree => "person_fields_disagree".into(),
        ReviewReason::MergeRefused(r) => format!("merge_refused: {r:?}").to_lowercase(),
    }
}

impl App {
    /// Give the registry its keys (read by the adapter from the key file). Without them
    /// every registry workflow refuses.
    pub fn set_registry_keys(&self, keys: RegistryKeys) {
        let _ = self.registry_key_slot().set(Arc::new(keys));
    }

    /// True once keys were given.
    pub fn has_registry_keys(&self) -> bool {
        self.registry_key_slot().get().is_some()
    }

    pub(crate) fn registry_keys(&self) -> Result<Arc<RegistryKeys>> {
        self.registry_key_slot().get().cloned().ok_or_else(|| {
            AppError::Refused(crate::Problems::field(
                "registry key",
                "no registry key file was given",
                "set HEMI_REGISTRY_KEY_FILE to the key file (`hemi registry keygen --out FILE` makes one); registry workflows do not run without it",
            ))
        })
    }

    /// The stored linkage model, trained first on a synthetic registry when there is none.
    pub(crate) async fn registry_model(&self) -> Result<Model> {
        let mut tx = self.store().begin().await?;
        if let Some(json) = tx.latest_registry_model().await? {
            return serde_json::from_str(&json).map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "the stored linkage model is unreadable: {e}"
                ))
            });
        }
        drop(tx);
        let model = tokio::task::spawn_blocking(|| {
            let registry = hemi_registry::synth::synth(MODEL_TRAINING_PEOPLE, 0.1, LINKAGE_SEED);
            LinkSession::dedupe_owned(
                registry.records,
                &Settings::registry(LINKAGE_SEED),
                &[],
                &NoProgress,
            )
            .map(|(session, _)| session.model().clone())
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("training failed: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("training failed: {e}")))?;
        let json = serde_json::to_string(&model)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot store the model: {e}")))?;
        let mut tx = self.store().begin().await?;
        // Two first registrations at once: the first model stored wins.
        if let Some(json) = tx.latest_registry_model().await? {
            return serde_json::from_str(&json).map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "the stored linkage model is unreadable: {e}"
                ))
            });
        }
        let trained_on =
            format!("synthetic registry, {MODEL_TRAINING_PEOPLE} people, seed {LINKAGE_SEED}");
        tx.insert_registry_model(&json, &trained_on, crate::time::now_unix())
            .await?;
        tx.audit(&Actor::system().audit("registry_model_trained", "linkage model", trained_on))
            .await?;
        tx.commit().await?;
        Ok(model)
    }
}
