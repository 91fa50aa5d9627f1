//! Field encryption at rest and blind indexes for search, as pure functions: the caller
//! supplies key bytes and nonces (from its own key file and OS random source).
//!
//! - Encryption: XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`; draft-irtf-cfrg-xchacha).
//!   Its 24-byte nonce is long enough to draw at random per field without a counter.
//!   The associated data binds a ciphertext to its key id and to a caller context
//!   (table, column, record id), so a ciphertext copied to another row fails to decrypt.
//! - Envelope text: `v1:KEYID:NONCE_B64:CIPHERTEXT_B64` (URL-safe base64, no padding).
//!   Key ids travel with the ciphertext, so a ring holding old and new keys decrypts
//!   both while new writes use the newest key; `reencrypt` moves a field to it.
//! - Blind indexes: HMAC-SHA256 (RFC 2104) of a normalised value under a separate index
//!   key, so equality search works on ciphertext columns without a plaintext index.

use crate::RegistryError;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Bytes in a key (256 bits); shorter keys are refused.
pub const KEY_BYTES: usize = 32;
/// Bytes in an XChaCha20-Poly1305 nonce.
pub const NONCE_BYTES: usize = 24;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A 256-bit key with its id; the bytes are wiped when dropped.
#[derive(Clone)]
pub struct Key {
    id: String,
    bytes: Zeroizing<[u8; KEY_BYTES]>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({:?}, <redacted>)", self.id)
    }
}

impl Key {
    /// A key from raw bytes; refused unless exactly 32 bytes and the id is a plain token.
    pub fn from_bytes(id: &str, bytes: &[u8]) -> Result<Key, RegistryError> {
        check_key_id(id)?;
        if bytes.len() != KEY_BYTES {
            return Err(RegistryError::BadKey {
                key_id: id.to_owned(),
                reason: format!(
                    "a key is {KEY_BYTES} bytes (256 bits); this one is {} bytes",
                    bytes.len()
                ),
            });
        }
        if bytes.iter().all(|b| *b == bytes[0]) {
            return Err(RegistryError::BadKey {
                key_id: id.to_owned(),
                reason: "every byte is the same; generate the key from a random source".to_owned(),
            });
        }
        let mut arr = Zeroizing::new([0u8; KEY_BYTES]);
        arr.copy_from_slice(bytes);
        Ok(Key {
            id: id.to_owned(),
            bytes: arr,
        })
    }

    /// A key from text: `hex:<64 hex digits>`, `base64:<44 characters>`, or bare hex.
    pub fn parse(id: &str, text: &str) -> Result<Key, RegistryError> {
        let t = text.trim();
        let bad = |reason: String| RegistryError::BadKey {
            key_id: id.to_owned(),
            reason,
        };
        let bytes = Zeroizing::new(if let Some(b64) = t.strip_prefix("base64:") {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .or_else(|_| B64.decode(b64.trim()))
                .map_err(|e| bad(format!("not valid base64 ({e})")))?
        } else {
            let h = t.strip_prefix("hex:").unwrap_or(t);
            hex::decode(h).map_err(|e| {
                bad(format!(
                    "not valid hex ({e}); write hex:<64 hex digits> or base64:<key>"
                ))
            })?
        });
        Key::from_bytes(id, &bytes)
    }

    /// The key id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn check_key_id(id: &str) -> Result<(), RegistryError> {
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(RegistryError::BadKey {
            key_id: id.to_owned(),
            reason: "a key id is 1 to 64 letters, digits, '-' or '_'".to_owned(),
        });
    }
    Ok(())
}

/// Keys by id; the newest (last added) encrypts, all decrypt.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<Key>,
}

impl KeyRing {
    /// A ring of keys, oldest first; refused when empty or when an id repeats.
    pub fn new(keys: Vec<Key>) -> Result<KeyRing, RegistryError> {
        if keys.is_empty() {
            return Err(RegistryError::BadKey {
                key_id: String::new(),
                reason: "the key ring is empty; refusing to run without an encryption key"
                    .to_owned(),
            });
        }
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].iter().any(|o| o.id == k.id) {
                return Err(RegistryError::BadKey {
                    key_id: k.id.clone(),
                    reason: "this key id appears twice".to_owned(),
                });
            }
        }
        Ok(KeyRing { keys })
    }

    /// Parse a key file: one `KEYID hex:...` or `KEYID base64:...` per line, oldest first
    /// (the last is the current key); `#` starts a comment line.
    pub fn parse(text: &str) -> Result<KeyRing, RegistryError> {
        let mut keys = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((id, value)) = line.split_once(char::is_whitespace) else {
                return Err(RegistryError::BadKey {
                    key_id: format!("line {}", number + 1),
                    reason: "expected `KEYID hex:<64 hex digits>` or `KEYID base64:<key>`"
                        .to_owned(),
                });
            };
            keys.push(Key::parse(id, value)?);
        }
        KeyRing::new(keys)
    }

    /// The key new ciphertexts use.
    pub fn current(&self) -> &Key {
        self.keys.last().expect("a key ring is never empty")
    }

    fn get(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Encrypt `plaintext` with the current key. `context` (e.g. "person.given_name:P123")
    /// is authenticated, not stored: decrypting needs the same context. `nonce` must be
    /// 24 fresh random bytes from the caller; never reuse one with the same key.
    pub fn encrypt(&self, plaintext: &str, context: &str, nonce: [u8; NONCE_BYTES]) -> String {
        let key = self.current();
        let cipher = XChaCha20Poly1305::new(key.bytes.as_ref().into());
        let aad = associated_data(&key.id, context);
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        format!(
            "v1:{}:{}:{}",
            key.id,
            B64.encode(nonce),
            B64.encode(ciphertext)
        )
    }

    /// Decrypt an envelope made by `encrypt` with the same `context`. A wrong key, a wrong
    /// context or a changed byte fails the Poly1305 tag: an error, never garbage.
    pub fn decrypt(&self, envelope: &str, context: &str) -> Result<String, RegistryError> {
        let parsed = Envelope::parse(envelope)?;
        let key = self
            .get(parsed.key_id)
            .ok_or_else(|| RegistryError::UnknownKeyId {
                key_id: parsed.key_id.to_owned(),
            })?;
        let cipher = XChaCha20Poly1305::new(key.bytes.as_ref().into());
        let aad = associated_data(&key.id, context);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&parsed.nonce),
                    Payload {
                        msg: &parsed.ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| RegistryError::DecryptionFailed {
                    key_id: key.id.clone(),
                })?,
        );
        String::from_utf8(plain.to_vec()).map_err(|_| RegistryError::DecryptionFailed {
            key_id: key.id.clone(),
        })
    }

    /// The key id an envelope was written with.
    pub fn key_id_of(envelope: &str) -> Result<String, RegistryError> {
        Ok(Envelope::parse(envelope)?.key_id.to_owned())
    }

    /// Whether an envelope is already under the current key (nothing to re-encrypt).
    pub fn is_current(&self, envelope: &str) -> Result<bool, RegistryError> {
        Ok(Envelope::parse(envelope)?.key_id == self.current().id)
    }

    /// Re-encrypt an envelope under the current key (key rotation); the caller passes a
    /// fresh nonce. Envelopes already under the current key are re-encrypted too, so the
    /// caller decides with `is_current` whether to skip them.
    pub fn reencrypt(
        &self,
        envelope: &str,
        context: &str,
        nonce: [u8; NONCE_BYTES],
    ) -> Result<String, RegistryError> {
        let plain = Zeroizing::new(self.decrypt(envelope, context)?);
        Ok(self.encrypt(&plain, context, nonce))
    }
}

fn associated_data(key_id: &str, context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(key_id.len() + context.len() + 4);
    aad.extend_from_slice(b"v1\0");
    aad.extend_from_slice(key_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(context.as_bytes());
    aad
}

struct Envelope<'a> {
    key_id: &'a str,
    nonce: [u8; NONCE_BYTES],
    ciphertext: Vec<u8>,
}

impl<'a> Envelope<'a> {
    fn parse(text: &'a str) -> Result<Envelope<'a>, RegistryError> {
        let bad = |reason: &str| RegistryError::MalformedCiphertext {
            envelope: text.chars().take(80).collect(),
            reason: reason.to_owned(),
        };
        let mut parts = text.split(':');
        if parts.next() != Some("v1") {
            return Err(bad(
                "expected v1:KEYID:NONCE:CIPHERTEXT (is this a plaintext value?)",
            ));
        }
        let (Some(key_id), Some(nonce), Some(ct), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected four ':'-separated parts"));
        };
        let nonce = B64.decode(nonce).map_err(|_| bad("nonce is not base64"))?;
        let nonce: [u8; NONCE_BYTES] =
            nonce.try_into().map_err(|_| bad("nonce is not 24 bytes"))?;
        let ciphertext = B64
            .decode(ct)
            .map_err(|_| bad("ciphertext is not base64"))?;
        if ciphertext.len() < 16 {
            return Err(bad("ciphertext is shorter than its 16-byte tag"));
        }
        Ok(Envelope {
            key_id,
            nonce,
            ciphertext,
        })
    }
}

/// What a blind index is computed over; each kind normalises its value its own way and
/// is domain-separated in the HMAC input, so equal texts of two kinds never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlindIndexKind {
    /// Full name folded (accents, case, punctuation, particles): exact-name search.
    ExactName,
    /// Spanish phonetic code of each name part: fuzzy search by sound.
    PhoneticName,
    /// Date of birth as written by `PartialDate` (YYYY, YYYY-MM or YYYY-MM-DD).
    DateOfBirth,
    /// Document number without spaces or dashes, upper case.
    DocumentNumber,
    /// Phone's last 8 digits.
    Phone,
}

impl BlindIndexKind {
    fn label(&self) -> &'static str {
        match self {
            BlindIndexKind::ExactName => "exact_name",
            BlindIndexKind::PhoneticName => "phonetic_name",
            BlindIndexKind::DateOfBirth => "date_of_birth",
            BlindIndexKind::DocumentNumber => "document_number",
            BlindIndexKind::Phone => "phone",
        }
    }

    /// The normalised value that is hashed (empty means: no index for this value).
    pub fn normalise(&self, value: &str) -> String {
        match self {
            BlindIndexKind::ExactName => crate::text::surname_key(value),
            BlindIndexKind::PhoneticName => crate::text::tokens(value)
                .iter()
                .map(|t| crate::phonetic::spanish_phonetic(t))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            BlindIndexKind::DateOfBirth => crate::date::PartialDate::parse(value)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            BlindIndexKind::DocumentNumber => crate::text::document_key(value),
            BlindIndexKind::Phone => crate::text::phone_key(value),
        }
    }
}

/// Computes blind indexes under one HMAC key (keep it apart from the encryption keys).
#[derive(Debug, Clone)]
pub struct BlindIndexer {
    key: Key,
}

impl BlindIndexer {
    /// An indexer under `key`.
    pub fn new(key: Key) -> BlindIndexer {
        BlindIndexer { key }
    }

    /// The index key's id (store it beside the index so a rotation can be detected).
    pub fn key_id(&self) -> &str {
        self.key.id()
    }

    /// Hex HMAC-SHA256 of the normalised value, or `None` when the value normalises to nothing.
    pub fn index(&self, kind: BlindIndexKind, value: &str) -> Option<String> {
        let normalised = kind.normalise(value);
        if normalised.is_empty() {
            return None;
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.bytes.as_ref())
            .expect("HMAC takes any key length");
        mac.update(kind.label().as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }

    /// One index per word for the phonetic kind (so "García López" is found by "Garsia"),
    /// the single index otherwise.
    pub fn search_terms(&self, kind: BlindIndexKind, value: &str) -> Vec<String> {
        match kind {
            BlindIndexKind::PhoneticName => crate::text::tokens(value)
                .iter()
                .filter_map(|t| self.index(kind, t))
                .collect(),
            _ => self.index(kind, value).into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "hex:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    fn ring(keys: &[(&str, &str)]) -> KeyRing {
        KeyRing::new(
            keys.iter()
                .map(|(id, k)| Key::parse(id, k).unwrap())
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn round_trip_and_wrong_key_fails_loudly() {
        let r = ring(&[("k1", K1)]);
        let env = r.encrypt("María José", "person.given:P1", [7; 24]);
        assert!(env.starts_with("v1:k1:"));
        assert!(!env.contains("Mar"));
        assert_eq!(r.decrypt(&env, "person.given:P1").unwrap(), "María José");
        // Wrong context (copied to another row) fails the tag.
        assert!(matches!(
            r.decrypt(&env, "person.given:P2"),
            Err(RegistryError::DecryptionFailed { .. })
        ));
        // A different key under the same id fails the tag.
        let other = ring(&[("k1", K2)]);
        assert!(matches!(
            other.decrypt(&env, "person.given:P1"),
            Err(RegistryError::DecryptionFailed { .. })
        ));
        // A flipped byte fails.
        let mut bytes = env.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(r
            .decrypt(&String::from_utf8(bytes).unwrap(), "person.given:P1")
            .is_err());
        assert!(matches!(
            r.decrypt("María", "x"),
            Err(RegistryError::MalformedCiphertext { .. })
        ));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let old = ring(&[("k1", K1)]);
        let env1 = old.encrypt("Pierre", "c", [1; 24]);
        let rotated = ring(&[("k1", K1), ("k2", K2)]);
        assert_eq!(rotated.decrypt(&env1, "c").unwrap(), "Pierre");
        assert!(!rotated.is_current(&env1).unwrap());
        let env2 = rotated.reencrypt(&env1, "c", [2; 24]).unwrap();
        assert_eq!(KeyRing::key_id_of(&env2).unwrap(), "k2");
        assert_eq!(rotated.decrypt(&env2, "c").unwrap(), "Pierre");
        // A ring without the old key names the missing id.
        let only_new = ring(&[("k2", K2)]);
        assert_eq!(
            only_new.decrypt(&env1, "c"),
            Err(RegistryError::UnknownKeyId {
                key_id: "k1".into()
            })
        );
    }

    #[test]
    fn keys_are_checked() {
        let check = |id: &str, text: &str, fragment: &str| {
            let e = Key::parse(id, text).unwrap_err().to_string();
            assert!(e.contains(fragment), "{e}");
        };
        check("k", "hex:0011", "this one is 2 bytes");
        check("k", "zz", "not valid hex");
        check("k", "base64:!!!", "not valid base64");
        check(
            "k",
            &format!("hex:{}", "00".repeat(32)),
            "every byte is the same",
        );
        check("bad id", K1, "a key id");
        assert!(Key::parse("k", "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_ok());
        assert!(KeyRing::parse("# none\n").is_err());
        let r = KeyRing::parse(&format!("# keys\nold {K1}\nnew {K2}\n")).unwrap();
        assert_eq!(r.current().id(), "new");
        assert!(KeyRing::parse(&format!("a {K1}\na {K2}\n")).is_err());
        assert!(format!("{:?}", r.current()).contains("redacted"));
    }

    #[test]
    fn blind_indexes_match_normalised_values_only() {
        let ix = BlindIndexer::new(Key::parse("ix", K2).unwrap());
        let a = ix
            .index(BlindIndexKind::ExactName, "José de la Cruz")
            .unwrap();
        let b = ix.index(BlindIndexKind::ExactName, "JOSE  CRUZ").unwrap();
        assert_eq!(a, b);
        assert_ne!(
            a,
            ix.index(BlindIndexKind::ExactName, "José Cruces").unwrap()
        );
        assert_eq!(
            ix.index(BlindIndexKind::PhoneticName, "Vásquez"),
            ix.index(BlindIndexKind::PhoneticName, "Basques")
        );
        assert_eq!(
            ix.index(BlindIndexKind::DateOfBirth, "14/03/1987"),
            ix.index(BlindIndexKind::DateOfBirth, "1987-03-14")
        );
        assert_eq!(
            ix.index(BlindIndexKind::DocumentNumber, "ab 12-3"),
            ix.index(BlindIndexKind::DocumentNumber, "AB123")
        );
        // Domain separation: the same text under two kinds gives two indexes.
        assert_ne!(
            ix.index(BlindIndexKind::DocumentNumber, "1987"),
            ix.index(BlindIndexKind::DateOfBirth, "1987")
        );
        // Another key gives another index.
        let ix2 = BlindIndexer::new(Key::parse("ix2", K1).unwrap());
        assert_ne!(
            ix.index(BlindIndexKind::Phone, "3001234567"),
            ix2.index(BlindIndexKind::Phone, "3001234567")
        );
        assert_eq!(ix.index(BlindIndexKind::DateOfBirth, "1987-02-30"), None);
        assert_eq!(
            ix.search_terms(BlindIndexKind::PhoneticName, "García López")
                .len(),
            2
        );
    }
}
