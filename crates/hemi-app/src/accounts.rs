//! Accounts without HTTP: password hashing, tokens, login with its limits, and the
//! account changes the CLI and the web share. Every change is audited.
//!
//! Logins are limited per account and per client address with counters charged
//! *before* the password is checked (one upsert returns the new count), so parallel
//! attempts cannot all pass a limit each read before the others wrote. Password
//! hashing (argon2id, about 19 MiB and tens of milliseconds each) runs on the blocking
//! pool behind a semaphore, so a flood of logins queues instead of exhausting memory.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hemi_core::Role;
use hemi_store::{NewUser, StoredUser};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Actor, App, AppError, Result};

/// Attempts allowed per account within [`LOGIN_WINDOW_SECONDS`].
pub const MAX_LOGIN_ATTEMPTS_PER_ACCOUNT: i64 = 5;
/// Failed attempts allowed per client address within the window, whatever the names
/// (one password sprayed over many accounts).
pub const MAX_LOGIN_FAILURES_PER_ADDRESS: i64 = 20;
/// The login limits' window: 15 minutes.
pub const LOGIN_WINDOW_SECONDS: i64 = 15 * 60;
/// Shortest password accepted (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (NIST SP 800-63B asks to allow at least 64).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest user name.
pub const MAX_USER_NAME_CHARS: usize = 64;
/// Password hashes computed at once; beyond this, logins wait.
pub const CONCURRENT_PASSWORD_HASHES: usize = 2;
/// How long a login waits for a hashing slot before the server says it is busy.
pub const HASH_QUEUE_WAIT: Duration = Duration::from_secs(5);
/// Lowest zxcvbn score (0 to 4) a new password needs: 3 is "safely unguessable,
/// moderate protection from an offline slow-hash attack".
pub const MIN_PASSWORD_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// What a login attempt came to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Credentials accepted.
    Accepted(StoredUser),
    /// Wrong name or password, or a disabled account (not told apart, on purpose).
    Rejected,
    /// Too many recent attempts for this account or from this address.
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

/// Compare secrets in constant time (`subtle`).
pub fn secrets_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Argon2id hash of a password as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot hash password: {e}")))
}

/// True when a password matches a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The password rule of NIST SP 800-63B §3.1.1.2: long enough, not only spaces, and not
/// a common or easily guessed password (checked with zxcvbn's dictionaries of common
/// passwords, names and words, and the user's own name). No composition rules.
pub fn check_password(password: &str, user_name: &str) -> Result<()> {
    let chars = password.chars().count();
    let bad = |message: String, hint: &str| Err(AppError::invalid("password", message, hint));
    if chars < MIN_PASSWORD_CHARS {
        return bad(
            format!("has {chars} characters; at least {MIN_PASSWORD_CHARS} are needed"),
            "a few unrelated words make a long password that is easy to remember",
        );
    }
    if chars > MAX_PASSWORD_CHARS {
        return bad(
            format!("has {chars} characters; at most {MAX_PASSWORD_CHARS} are accepted"),
            "choose a shorter password",
        );
    }
    if password.trim().is_empty() {
        return bad(
            "is only spaces".into(),
            "choose a password with letters or digits",
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &[user_name]);
    if estimate.score() < MIN_PASSWORD_SCORE {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "it is a common or easily guessed password".into());
        return bad(
            format!("is too easy to guess: {why}"),
            "add another unrelated word, or use a password manager's generated password",
        );
    }
    Ok(())
}

fn check_user_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.chars().count() > MAX_USER_NAME_CHARS
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err(AppError::invalid(
            "name",
            format!(
                "{:?} is not a valid user name",
                name.chars().take(80).collect::<String>()
            ),
            format!("use 1-{MAX_USER_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"),
        ));
    }
    Ok(())
}

/// Scopes an account of a role needs: a country for national officers, an office for
/// office-scoped roles, neither for the others.
fn check_scopes(
    role: Role,
    country: Option<&str>,
    office: Option<&str>,
) -> Result<(Option<String>, Option<String>)> {
    let country = match (
        role.is_country_scoped(),
        country.map(str::trim).filter(|c| !c.is_empty()),
    ) {
        (true, None) => {
            return Err(AppError::invalid(
                "country",
                format!("{} accounts need the country they report for", role.label()),
                "give --country ISO3, e.g. PAN",
            ))
        }
        (true, Some(c)) => Some(crate::check::country(c, "country")?),
        (false, Some(_)) => {
            return Err(AppError::invalid(
                "country",
                "only national officers are scoped to a country",
                "leave the country out for this role",
            ))
        }
        (false, None) => None,
    };
    let office = match (role.is_office_scoped(), office.map(str::trim).filter(|o| !o.is_empty())) {
        (true, None) => {
            return Err(AppError::invalid(
                "office",
                format!("{} accounts need the office they work in", role.label()),
                "give --office, e.g. SMO-COL-BOG (a Safe Mobility Office) or the registry office's code",
            ))
        }
        (true, Some(o)) => {
            crate::check::bounded(o, "office", 64)?;
            Some(o.to_owned())
        }
        (false, Some(_)) => {
            return Err(AppError::invalid(
                "office",
                format!("{} accounts are not scoped to an office", role.label()),
                "leave the office out for this role",
            ))
        }
        (false, None) => None,
    };
    Ok((country, office))
}

impl App {
    async fn hash_off_thread(&self, password: String) -> Result<String> {
        let _slot = self.hashing_slot().await?;
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))?
    }

    async fn hashing_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
        match tokio::time::timeout(HASH_QUEUE_WAIT, self.hashing().acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Busy(
                "too many logins at once; try again in a few seconds".into(),
            )),
        }
    }

    /// Create an account, audited. National officers need their reporting country;
    /// pathways and registry roles their office.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        country: Option<&str>,
        office: Option<&str>,
        password: &str,
        actor: &Actor,
    ) -> Result<i64> {
        check_user_name(name)?;
        let (country, office) = check_scopes(role, country, office)?;
        check_password(password, name)?;
        let password_hash = self.hash_off_thread(password.to_owned()).await?;
        let user = NewUser {
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            country: country.clone(),
            office: office.clone(),
            password_hash,
        };
        let detail = format!(
            "role={}{}{}",
            role.as_str(),
            country.map(|c| format!(" country={c}")).unwrap_or_default(),
            office.map(|o| format!(" office={o}")).unwrap_or_default()
        );
        self.store()
            .insert_user(&user, &actor.audit("user_added", name, detail))
            .await?
            .ok_or_else(|| {
                AppError::refused(
                    "name",
                    format!("a user named {name:?} already exists"),
                    "choose another name",
                )
            })
    }

    /// An account by name, or not-found with a suggestion.
    pub async fn user(&self, name: &str) -> Result<StoredUser> {
        if let Some(u) = self.store().user_by_name(name).await? {
            return Ok(u);
        }
        let users = self.store().list_users().await?;
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        Err(AppError::not_found(
            "user",
            name,
            hemi_core::suggest::did_you_mean(name, &names, "`hemi users list` lists the accounts"),
        ))
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<StoredUser>> {
        Ok(self.store().list_users().await?)
    }

    /// Disable an account: its sessions end and its API tokens stop working.
    pub async fn disable_user(&self, name: &str, actor: &Actor) -> Result<()> {
        self.user(name).await?;
        if self
            .store()
            .disable_user(name, &actor.audit("user_disabled", name, ""))
            .await?
        {
            Ok(())
        } else {
            Err(AppError::refused(
                "name",
                format!("{name:?} is already disabled"),
                "`hemi users list` shows the accounts",
            ))
        }
    }

    /// Change an account's role and scopes, audited.
    pub async fn set_user_role(
        &self,
        name: &str,
        role: Role,
        country: Option<&str>,
        office: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let user = self.user(name).await?;
        let (country, office) = check_scopes(role, country, office)?;
        let detail = format!("{} -> {}", user.role, role.as_str());
        self.store()
            .set_role(
                user.id,
                role.as_str(),
                country.as_deref(),
                office.as_deref(),
                &actor.audit("user_role_changed", name, detail),
            )
            .await?;
        Ok(())
    }

    /// Set an account's password (an administrator resetting it, or `hemi users
    /// passwd`). Its sessions end, except `keep_session`.
    pub async fn set_password(
        &self,
        name: &str,
        password: &str,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let user = self.user(name).await?;
        check_password(password, name)?;
        let hash = self.hash_off_thread(password.to_owned()).await?;
        if !self
            .store()
            .set_password(
                user.id,
                &hash,
                keep_session,
                &actor.audit("password_changed", name, ""),
            )
            .await?
        {
            return Err(AppError::refused(
                "name",
                format!("{name:?} is disabled"),
                "enable the account first",
            ));
        }
        Ok(())
    }

    /// A user changing their own password: the current one must match.
    pub async fn change_own_password(
        &self,
        user_id: i64,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let user = self
            .store()
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.id == user_id && u.disabled_at.is_none())
            .ok_or_else(|| AppError::Forbidden("the account is disabled".into()))?;
        if current.chars().count() > MAX_PASSWORD_CHARS
            || !self.verify(current, &user.password_hash).await?
        {
            return Err(AppError::invalid(
                "current_password",
                "the current password is wrong",
                "type the password you logged in with",
            ));
        }
        if current == new {
            return Err(AppError::invalid(
                "new_password",
                "is the same as the current one",
                "choose a new password",
            ));
        }
        check_password(new, &user.name)?;
        let hash = self.hash_off_thread(new.to_owned()).await?;
        self.store()
            .set_password(
                user.id,
                &hash,
                keep_session,
                &actor.audit("password_changed", &user.name, "by the user"),
            )
            .await?;
        Ok(())
    }

    async fn verify(&self, password: &str, phc: &str) -> Result<bool> {
        let _slot = self.hashing_slot().await?;
        let (password, phc) = (password.to_owned(), phc.to_owned());
        Ok(
            tokio::task::spawn_blocking(move || verify_password(&password, &phc))
                .await
                .unwrap_or(false),
        )
    }

    /// Issue an API token for an active account; returns the token, shown once and
    /// never stored.
    pub async fn issue_api_token(&self, name: &str, label: &str, actor: &Actor) -> Result<String> {
        crate::check::bounded(label, "label", 100)?;
        let user = self.user(name).await?;
        if user.disabled_at.is_some() {
            return Err(AppError::refused(
                "name",
                format!("{name:?} is disabled"),
                "tokens are issued to active accounts",
            ));
        }
        let token = random_token();
        self.store()
            .insert_api_token(
                &hash_token(&token),
                user.id,
                label,
                &actor.audit("api_token_issued", name, format!("label={label}")),
            )
            .await?;
        Ok(token)
    }

    /// Check a login. Both limits are charged before the password is checked; a
    /// throttled attempt writes only its counters (no audit row each), an evaluated one
    /// is audited.
    pub async fn login(&self, name: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
        let now = crate::time::now_unix();
        // Over-long input is never hashed, counted or logged in full.
        if name.is_empty()
            || name.chars().count() > MAX_USER_NAME_CHARS
            || password.chars().count() > MAX_PASSWORD_CHARS
        {
            return Ok(LoginOutcome::Rejected);
        }
        let store = self.store();
        let account_key = format!("user:{}", name.to_lowercase());
        let address_key = format!("ip:{ip}");
        let for_account = store
            .charge_login_attempt(&account_key, now, LOGIN_WINDOW_SECONDS)
            .await?;
        let from_address = store
            .charge_login_attempt(&address_key, now, LOGIN_WINDOW_SECONDS)
            .await?;
        if for_account > MAX_LOGIN_ATTEMPTS_PER_ACCOUNT
            || from_address > MAX_LOGIN_FAILURES_PER_ADDRESS
        {
            // One audit row when a limit is first crossed, not one per attempt.
            if for_account == MAX_LOGIN_ATTEMPTS_PER_ACCOUNT + 1
                || from_address == MAX_LOGIN_FAILURES_PER_ADDRESS + 1
            {
                store
                    .record_audit(&hemi_store::AuditEvent {
                        at: now,
                        actor: "anonymous".into(),
                        action: "login_throttled".into(),
                        subject: name.to_owned(),
                        ip: ip.to_owned(),
                        detail: format!("{for_account} attempts for the account, {from_address} from the address in {} minutes", LOGIN_WINDOW_SECONDS / 60),
                    })
                    .await?;
            }
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
        let matches = self.verify(password, &phc).await?;
        let audit = |actor: &str, action: &str| hemi_store::AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: name.to_owned(),
            ip: ip.to_owned(),
            detail: String::new(),
        };
        match user {
            Some(user) if matches => {
                store
                    .clear_login_attempts(&account_key, now, LOGIN_WINDOW_SECONDS)
                    .await?;
                // A success refunds its charge to the address: the address limit counts failures.
                store.refund_login_attempt(&address_key).await?;
                store.record_audit(&audit(&user.name, "login_ok")).await?;
                Ok(LoginOutcome::Accepted(user))
            }
            _ => {
                store
                    .record_audit(&audit("anonymous", "login_failed"))
                    .await?;
                Ok(LoginOutcome::Rejected)
            }
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
        assert!(secrets_match(&a, &a.clone()));
        assert!(!secrets_match(&a, &b));
    }

    #[test]
    fn password_rule_follows_nist_800_63b() {
        assert!(check_password("short", "ana").is_err());
        assert!(check_password("          ", "ana").is_err(), "ten spaces");
        assert!(check_password("password123", "ana").is_err(), "common");
        assert!(
            check_password("anapassword1", "ana").is_err(),
            "built on the name"
        );
        assert!(check_password(&"x".repeat(300), "ana").is_err());
        assert!(check_password("a long enough password", "ana").is_ok());
        assert!(check_password("marmalade orbit tractor", "ana").is_ok());
    }
}
