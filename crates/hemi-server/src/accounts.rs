//! Accounts without HTTP: password hashing, tokens, login with its rate limit, and the
//! account changes the CLI and the server share. Every change is audited.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hemi_store::{AuditEvent, NewUser, Store, StoredUser};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::access::Role;
use crate::unix_now;

/// Failed logins allowed per user name and client address within [`LOGIN_WINDOW_SECONDS`].
pub const MAX_LOGIN_FAILURES: i64 = 5;
/// The login rate limit's window: 15 minutes.
pub const LOGIN_WINDOW_SECONDS: i64 = 15 * 60;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Bad input, with what to do.
    #[error("{0}")]
    Invalid(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] hemi_store::StoreError),
}

/// What a login attempt came to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Credentials accepted.
    Accepted(StoredUser),
    /// Wrong name or password, or a disabled account (not told apart, on purpose).
    Rejected,
    /// Too many recent failures for this name from this address.
    Throttled,
}

/// A random secret: 32 bytes from the OS, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a session or API token: its SHA-256, hex. Tokens are long and
/// random, so a fast hash suffices (unlike passwords).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id hash of a password as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Invalid(format!("cannot hash password: {e}")))
}

/// True when a password matches a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

fn audit(actor: &str, action: &str, subject: &str, ip: &str, detail: String) -> AuditEvent {
    AuditEvent {
        at: unix_now(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        ip: ip.to_owned(),
        detail,
    }
}

/// Create an account. National officers need the reporting country they work for;
/// other roles must not have one.
pub async fn add_user(
    store: &Store,
    actor: &str,
    name: &str,
    role: Role,
    country: Option<&str>,
    password: &str,
) -> Result<i64, AccountError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err(AccountError::Invalid(format!(
            "user name {name:?}: use 1-64 letters, digits, '.', '_', '-' or '@'"
        )));
    }
    let country = country.map(|c| c.trim().to_uppercase());
    match (role, &country) {
        (Role::NationalOfficer, None) => {
            return Err(AccountError::Invalid(
                "national officers need --country ISO3 (the country they report for)".into(),
            ))
        }
        (Role::NationalOfficer, Some(c)) if !hemi_core::CountryCodes::bundled().contains(c) => {
            return Err(AccountError::Invalid(format!(
                "country {c:?} is not a known ISO3 code"
            )))
        }
        (Role::NationalOfficer, Some(_)) => {}
        (_, Some(_)) => {
            return Err(AccountError::Invalid(
                "only national officers are scoped to a country".into(),
            ))
        }
        (_, None) => {}
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let password = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AccountError::Invalid(format!("hashing failed: {e}")))??;
    let user = NewUser {
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        country: country.clone(),
        password_hash,
    };
    let detail = format!(
        "role={}{}",
        role.as_str(),
        country.map(|c| format!(" country={c}")).unwrap_or_default()
    );
    store
        .insert_user(&user, &audit(actor, "user_added", name, "", detail))
        .await?
        .ok_or_else(|| AccountError::Invalid(format!("a user named {name:?} already exists")))
}

/// Disable an account: its sessions end and its API tokens stop working.
pub async fn disable_user(store: &Store, actor: &str, name: &str) -> Result<(), AccountError> {
    if store
        .disable_user(
            name,
            &audit(actor, "user_disabled", name, "", String::new()),
        )
        .await?
    {
        Ok(())
    } else {
        Err(AccountError::Invalid(format!(
            "no active user named {name:?}"
        )))
    }
}

/// Issue an API token for an active account; returns the token, shown once and never stored.
pub async fn issue_api_token(
    store: &Store,
    actor: &str,
    name: &str,
    label: &str,
) -> Result<String, AccountError> {
    let user = store
        .user_by_name(name)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| AccountError::Invalid(format!("no active user named {name:?}")))?;
    let token = random_token();
    store
        .insert_api_token(
            &hash_token(&token),
            user.id,
            label,
            &audit(
                actor,
                "api_token_issued",
                name,
                "",
                format!("label={label}"),
            ),
        )
        .await?;
    Ok(token)
}

/// Check a login, counting failures per name and address; every attempt is audited.
pub async fn login(
    store: &Store,
    name: &str,
    password: &str,
    ip: &str,
) -> Result<LoginOutcome, AccountError> {
    let now = unix_now();
    let failures = store
        .count_audit_since("login_failed", name, ip, now - LOGIN_WINDOW_SECONDS)
        .await?;
    if failures >= MAX_LOGIN_FAILURES {
        store
            .record_audit(&audit(
                "anonymous",
                "login_throttled",
                name,
                ip,
                String::new(),
            ))
            .await?;
        return Ok(LoginOutcome::Throttled);
    }
    let user = store
        .user_by_name(name)
        .await?
        .filter(|u| u.disabled_at.is_none());
    // Verify against a real hash even for unknown names, so timing does not tell which exist.
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false);
    match user {
        Some(user) if matches => {
            store
                .record_audit(&audit(&user.name, "login_ok", name, ip, String::new()))
                .await?;
            Ok(LoginOutcome::Accepted(user))
        }
        _ => {
            store
                .record_audit(&audit("anonymous", "login_failed", name, ip, String::new()))
                .await?;
            Ok(LoginOutcome::Rejected)
        }
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password anyone has").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterx", &phc));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }
}
