//! The registry's keys: a ring of encryption keys (the last encrypts, all decrypt, so a
//! rotation adds a line) and one blind-index key, read from a key file the operator
//! keeps outside the database. Before any registry workflow reads or writes, every key
//! id the database has seen is checked against a value encrypted under it, so a wrong
//! key file refuses to start instead of writing records nobody can read.

use std::path::Path;

use hemi_registry::crypto::{BlindIndexer, Key, KeyRing, NONCE_BYTES};
use rand::RngCore;

use crate::{AppError, Result};

/// What a key check encrypts.
const CHECK_PLAINTEXT: &str = "hemi registry key check";

/// The encryption ring and the blind-index key.
#[derive(Clone)]
pub struct RegistryKeys {
    ring: KeyRing,
    index: BlindIndexer,
}

impl std::fmt::Debug for RegistryKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RegistryKeys(current {:?}, index {:?}, <redacted>)",
            self.ring.current().id(),
            self.index.key_id()
        )
    }
}

fn bad_key(file: &str, message: impl Into<String>) -> AppError {
    AppError::Refused(crate::Problems::one(hemi_core::Diagnostic {
        file: file.to_owned(),
        line: 0,
        field: "registry key".into(),
        message: message.into(),
        hint: "give the key file with HEMI_REGISTRY_KEY_FILE (`hemi registry keygen` makes one); registry workflows do not run without the right key".into(),
    }))
}

/// Fresh random bytes for a nonce.
pub(crate) fn nonce() -> [u8; NONCE_BYTES] {
    let mut bytes = [0u8; NONCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

impl RegistryKeys {
    /// Parse a key file: `KEYID hex:<64 hex digits>` lines for encryption keys, oldest
    /// first (the last encrypts), and one `index KEYID hex:...` line for the blind-index
    /// key; `#` starts a comment. `file` names the file in errors (never the keys).
    pub fn parse(text: &str, file: &str) -> Result<RegistryKeys> {
        let mut encryption = String::new();
        let mut index = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if let Some(rest) = trimmed.strip_prefix("index ") {
                let Some((id, value)) = rest.trim().split_once(char::is_whitespace) else {
                    return Err(bad_key(
                        file,
                        "the index line must read `index KEYID hex:...`",
                    ));
                };
                if index.is_some() {
                    return Err(bad_key(file, "more than one index key"));
                }
                index =
                    Some(Key::parse(id, value.trim()).map_err(|e| bad_key(file, e.to_string()))?);
            } else {
                encryption.push_str(line);
                encryption.push('\n');
            }
        }
        let ring = KeyRing::parse(&encryption).map_err(|e| bad_key(file, e.to_string()))?;
        let index = index.ok_or_else(|| bad_key(file, "no `index KEYID hex:...` line"))?;
        if ring.current().id() == index.id() {
            return Err(bad_key(file, "the index key needs an id of its own"));
        }
        Ok(RegistryKeys {
            ring,
            index: BlindIndexer::new(index),
        })
    }

    /// Read and parse a key file.
    pub fn load(path: &Path) -> Result<RegistryKeys> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad_key(&name, format!("cannot be read: {e}")))?;
        RegistryKeys::parse(&text, &name)
    }

    /// A new key file's text with fresh random keys, ids made from `label`
    /// (e.g. a date): `enc-LABEL` and `index-LABEL`.
    pub fn generate(label: &str) -> String {
        let hex_key = || {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            hex::encode(bytes)
        };
        format!(
            "# hemi registry keys. Keep this file secret and backed up: without it the records cannot be read.\n\
             # Encryption keys, oldest first; the last encrypts. Rotate by adding a line below.\n\
             enc-{label} hex:{}\n\
             # The blind-index key (search); never rotate it without re-indexing.\n\
             index index-{label} hex:{}\n",
            hex_key(),
            hex_key()
        )
    }

    /// The ring.
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// The blind indexer.
    pub fn index(&self) -> &BlindIndexer {
        &self.index
    }

    /// Encrypt a field bound to `context`.
    pub fn encrypt(&self, plaintext: &str, context: &str) -> String {
        self.ring.encrypt(plaintext, context, nonce())
    }

    /// Decrypt a field; a failure is ours (a tampered row or a missing old key).
    pub fn decrypt(&self, envelope: &str, context: &str) -> Result<String> {
        self.ring.decrypt(envelope, context).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "a registry record cannot be decrypted: {e}"
            ))
        })
    }

    /// Check the keys against the database's key checks; add checks for keys not seen
    /// before. Refuses on a wrong key (its check does not decrypt) or a missing one.
    pub(crate) async fn verify(&self, tx: &mut hemi_store::Tx, at: i64) -> Result<()> {
        let checks = tx.registry_key_checks().await?;
        let mut seen_current = false;
        let mut seen_index = false;
        for (key_id, kind, value) in &checks {
            match kind.as_str() {
                "index" => {
                    if key_id != self.index.key_id() {
                        return Err(bad_key("", format!(
                            "the records are indexed under key {key_id:?}, the key file holds index key {:?}",
                            self.index.key_id()
                        )));
                    }
                    if self
                        .index
                        .index(
                            hemi_registry::crypto::BlindIndexKind::ExactName,
                            CHECK_PLAINTEXT,
                        )
                        .as_deref()
                        != Some(value.as_str())
                    {
                        return Err(bad_key(
                            "",
                            format!(
                                "index key {key_id:?} is not the key the records were indexed with"
                            ),
                        ));
                    }
                    seen_index = true;
                }
                _ => {
                    match self.ring.decrypt(value, "registry_key_check") {
                        Ok(text) if text == CHECK_PLAINTEXT => {}
                        Ok(_) | Err(hemi_registry::RegistryError::DecryptionFailed { .. }) => {
                            return Err(bad_key("", format!("encryption key {key_id:?} is not the key the records were written with")));
                        }
                        Err(e) => {
                            return Err(bad_key(
                                "",
                                format!("encryption key {key_id:?} is needed: {e}"),
                            ))
                        }
                    }
                    if key_id == self.ring.current().id() {
                        seen_current = true;
                    }
                }
            }
        }
        if !seen_current {
            let value = self
                .ring
                .encrypt(CHECK_PLAINTEXT, "registry_key_check", nonce());
            tx.insert_registry_key_check(self.ring.current().id(), "encryption", &value, at)
                .await?;
        }
        if !seen_index {
            let value = self
                .index
                .index(
                    hemi_registry::crypto::BlindIndexKind::ExactName,
                    CHECK_PLAINTEXT,
                )
                .expect("the check text normalises to something");
            tx.insert_registry_key_check(self.index.key_id(), "index", &value, at)
                .await?;
        }
        Ok(())
    }
}
