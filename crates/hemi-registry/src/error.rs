//! The crate's error type: every variant carries the input that failed.

/// Everything that can go wrong in the registry domain outside of file parsing
/// (file problems are reported as `hemi_core::Diagnostic`s instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A date that does not exist on the calendar (e.g. 2021-02-30) or is malformed.
    #[error("{text:?} is not a valid date: {reason}")]
    InvalidDate {
        /// The text as given.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// A nationality code that is not in the reference code list.
    #[error("{code:?} is not an ISO 3166-1 alpha-3 country code in the reference list")]
    UnknownNationality {
        /// The code as given.
        code: String,
    },
    /// A document number that fails the check digit its issuer defines.
    #[error("document {number:?} ({document_type}) fails its check digit: {reason}")]
    CheckDigit {
        /// The document number as given.
        number: String,
        /// Document type name.
        document_type: String,
        /// Which rule failed.
        reason: String,
    },
    /// A key that could not be parsed or is too short.
    #[error("key {key_id:?}: {reason}")]
    BadKey {
        /// Key id (never the key itself).
        key_id: String,
        /// Why it was refused.
        reason: String,
    },
    /// Ciphertext that does not decrypt with the named key: wrong key or tampered data.
    #[error(
        "field encrypted with key {key_id:?} does not decrypt: wrong key or tampered ciphertext"
    )]
    DecryptionFailed {
        /// Key id named in the ciphertext envelope.
        key_id: String,
    },
    /// A ciphertext names a key id the key ring does not hold.
    #[error("no key {key_id:?} in the key ring; load the key that encrypted this field")]
    UnknownKeyId {
        /// The key id named in the envelope.
        key_id: String,
    },
    /// A ciphertext envelope that is not in the `v1:KEYID:NONCE:CIPHERTEXT` format.
    #[error("malformed ciphertext envelope {envelope:?}: {reason}")]
    MalformedCiphertext {
        /// The envelope (ciphertext only, never plaintext).
        envelope: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A permit transition the lifecycle does not allow.
    #[error("permit {permit_id:?}: transition from {from} to {to} is not allowed; allowed from {from}: {allowed}")]
    IllegalTransition {
        /// Permit id.
        permit_id: String,
        /// Current state.
        from: String,
        /// Requested state.
        to: String,
        /// The states reachable from `from`, comma-separated.
        allowed: String,
    },
    /// A transition dated before the permit's previous transition.
    #[error("permit {permit_id:?}: transition to {to} at {at} is earlier than the previous one at {previous}")]
    TransitionOutOfOrder {
        /// Permit id.
        permit_id: String,
        /// Requested state.
        to: String,
        /// Requested time.
        at: String,
        /// Time of the previous transition.
        previous: String,
    },
    /// A transition without the actor or reason the lifecycle requires.
    #[error("permit {permit_id:?}: transition to {to} needs {missing}")]
    TransitionIncomplete {
        /// Permit id.
        permit_id: String,
        /// Requested state.
        to: String,
        /// What was missing ("an actor", "a reason").
        missing: String,
    },
    /// A regularisation program whose settings contradict each other.
    #[error("program {program:?}: {reason}")]
    InvalidProgram {
        /// Program name.
        program: String,
        /// What is wrong.
        reason: String,
    },
    /// A linkage setting out of range.
    #[error("linkage setting {setting}: {value} {reason}")]
    InvalidSetting {
        /// Setting name.
        setting: String,
        /// Value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A stored linkage model that does not fit the settings it is used with.
    #[error("linkage model does not fit: {reason}")]
    ModelMismatch {
        /// What differs.
        reason: String,
    },
}
