//! Accounts, sessions, API tokens, login counters, pending uploads and the server's own
//! secrets: storage only.
//!
//! This module never sees a user's secret: callers hand in argon2 hashes of passwords
//! and SHA-256 hashes of tokens. What a role may do is decided in `hemi-core` and
//! `hemi-app`, not here. Every change to an account is written with its audit entry in
//! one transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{AuditEvent, Backend, Result, Store, StoreError};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredUser {
    /// Account id.
    pub id: i64,
    /// Login name, unique.
    pub name: String,
    /// Role name as stored (the server parses it).
    pub role: String,
    /// Country (ISO3) a national officer is scoped to.
    pub country: Option<String>,
    /// Office a pathways or registry officer works in.
    pub office: Option<String>,
    /// Argon2 PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// When the account was disabled, Unix seconds; `None` while active.
    pub disabled_at: Option<i64>,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// Country scope.
    pub country: Option<String>,
    /// Office scope.
    pub office: Option<String>,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// An upload validated and waiting for its commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUploadRow {
    /// Random id, hex.
    pub id: String,
    /// Who uploaded it.
    pub user_id: i64,
    /// When, Unix seconds.
    pub created_at: i64,
    /// File name as sent.
    pub file_name: String,
    /// Profile that validated it.
    pub profile: String,
    /// The bytes.
    pub content: Vec<u8>,
}

const USER_COLUMNS: &str =
    "u.id, u.name, u.role, u.country, u.password_hash, u.created_at, u.disabled_at, u.office";

fn user_from_row(row: &AnyRow) -> StoredUser {
    StoredUser {
        id: row.get(0),
        name: row.get(1),
        role: row.get(2),
        country: row.get(3),
        password_hash: row.get(4),
        created_at: row.get(5),
        disabled_at: row.get(6),
        office: row.get(7),
    }
}

impl Store {
    /// Create an account and audit it in one transaction. `None` when the name is taken.
    pub async fn insert_user(&self, user: &NewUser, audit: &AuditEvent) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query("SELECT id FROM app_user WHERE name = $1")
            .bind(&user.name)
            .fetch_optional(tx.conn())
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let row = sqlx::query(
            "INSERT INTO app_user (name, role, country, office, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&user.name)
        .bind(&user.role)
        .bind(user.country.clone())
        .bind(user.office.clone())
        .bind(&user.password_hash)
        .bind(audit.at)
        .fetch_one(tx.conn())
        .await?;
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(Some(row.get(0)))
    }

    /// Replace an account's password hash and end its other sessions, audited.
    /// `keep_session` (a session token hash) survives: the user who changed their
    /// password stays logged in where they did it. `false` when no active account.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE app_user SET password_hash = $1 WHERE id = $2 AND disabled_at IS NULL",
        )
        .bind(password_hash)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(tx.conn())
            .await?;
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Change an account's role and scopes, audited. `false` when no such account.
    pub async fn set_role(
        &self,
        user_id: i64,
        role: &str,
        country: Option<&str>,
        office: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done =
            sqlx::query("UPDATE app_user SET role = $1, country = $2, office = $3 WHERE id = $4")
                .bind(role)
                .bind(country)
                .bind(office)
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An account by login name, active or not.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<StoredUser>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.name = $1");
        Ok(sqlx::query(&sql)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from_row))
    }

    /// Every account, by name.
    pub async fn list_users(&self) -> Result<Vec<StoredUser>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user u ORDER BY u.name");
        Ok(sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect())
    }

    /// True when an active account has this role.
    pub async fn has_active_user_with_role(&self, role: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM app_user WHERE role = $1 AND disabled_at IS NULL")
                .bind(role)
                .fetch_one(&self.pool)
                .await?;
        Ok(row.get::<i64, _>(0) > 0)
    }

    /// Disable an account: end its sessions, revoke its tokens, audit it. `false` when
    /// there is no such active account.
    pub async fn disable_user(&self, name: &str, audit: &AuditEvent) -> Result<bool> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT id FROM app_user WHERE name = $1 AND disabled_at IS NULL")
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = row else { return Ok(false) };
        let id: i64 = row.get(0);
        sqlx::query("UPDATE app_user SET disabled_at = $1 WHERE id = $2")
            .bind(audit.at)
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(audit.at)
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Start a browser session.
    pub async fn insert_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The active account and CSRF token of an unexpired session.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(StoredUser, String)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (user_from_row(&r), r.get(8))))
    }

    /// End a session, and drop every expired one while at it.
    pub async fn delete_session(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM user_session WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Register an API token (by hash) for an account, audited.
    pub async fn insert_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        label: &str,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO api_token (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .bind(audit.at)
            .execute(tx.conn())
            .await?;
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The active account an unrevoked API token belongs to.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<StoredUser>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM api_token t JOIN app_user u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL"
        );
        Ok(sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from_row))
    }

    /// API tokens of an account (never the tokens: label, dates, revoked or not).
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<(i64, String, i64, Option<i64>)>> {
        let rows = sqlx::query(
            "SELECT id, label, created_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    /// Revoke one API token of an account, audited. `false` when none was active.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(audit.at)
        .bind(token_id)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Charge one login attempt to a counter and return the attempts in its window,
    /// this one included. One statement reads and writes, so concurrent attempts each
    /// see a distinct count. A window older than `window_start_after` starts afresh.
    pub async fn charge_login_attempt(
        &self,
        key: &str,
        now: i64,
        window_seconds: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
             window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
             RETURNING attempts",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_seconds)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    /// Take one attempt back from a counter (a success does not count against an address).
    pub async fn refund_login_attempt(&self, key: &str) -> Result<()> {
        sqlx::query(
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forget a counter (after a successful login) and every expired one.
    pub async fn clear_login_attempts(
        &self,
        key: &str,
        now: i64,
        window_seconds: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR window_start <= $2")
            .bind(key)
            .bind(now - window_seconds)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keep an upload until its commit. The user's oldest pending uploads beyond
    /// `max_per_user - 1` are dropped first, and everything older than `expired_before`.
    pub async fn insert_pending_upload(
        &self,
        upload: &PendingUploadRow,
        max_per_user: i64,
        expired_before: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM pending_upload WHERE created_at < $1")
            .bind(expired_before)
            .execute(tx.conn())
            .await?;
        let kept = sqlx::query(
            "SELECT id FROM pending_upload WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(upload.user_id)
        .fetch_all(tx.conn())
        .await?;
        for old in kept.iter().skip((max_per_user - 1).max(0) as usize) {
            sqlx::query("DELETE FROM pending_upload WHERE id = $1")
                .bind(old.get::<String, _>(0))
                .execute(tx.conn())
                .await?;
        }
        sqlx::query(
            "INSERT INTO pending_upload (id, user_id, created_at, file_name, profile, content) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&upload.id)
        .bind(upload.user_id)
        .bind(upload.created_at)
        .bind(&upload.file_name)
        .bind(&upload.profile)
        .bind(upload.content.clone())
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// Take a user's pending upload (it is removed), if it has not expired.
    pub async fn take_pending_upload(
        &self,
        id: &str,
        user_id: i64,
        expired_before: i64,
    ) -> Result<Option<PendingUploadRow>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, user_id, created_at, file_name, profile, content FROM pending_upload \
             WHERE id = $1 AND user_id = $2 AND created_at >= $3",
        )
        .bind(id)
        .bind(user_id)
        .bind(expired_before)
        .fetch_optional(tx.conn())
        .await?;
        let Some(r) = row else { return Ok(None) };
        sqlx::query("DELETE FROM pending_upload WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(Some(PendingUploadRow {
            id: r.get(0),
            user_id: r.get(1),
            created_at: r.get(2),
            file_name: r.get(3),
            profile: r.get(4),
            content: r.get(5),
        }))
    }

    /// A server secret by name, made by `make` and stored on first use. Concurrent
    /// first uses agree: the first insert wins and everyone reads it back.
    pub async fn secret(&self, name: &str, make: impl FnOnce() -> String) -> Result<String> {
        sqlx::query(
            "INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(make())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM app_secret WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }
}

/// Create a fresh PostgreSQL schema and return a URL whose connections use it, so that
/// tests running in parallel on one database never see each other's tables. Lives here
/// because this crate is the only one that writes SQL.
pub async fn create_postgres_schema(base_url: &str, schema: &str) -> Result<String> {
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::UnsupportedUrl(format!(
            "schema name {schema:?}: use a-z, 0-9 and _"
        )));
    }
    let (url, backend) = crate::normalise_url(base_url)?;
    if backend != Backend::Postgres {
        return Err(StoreError::UnsupportedUrl(base_url.to_owned()));
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&pool)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await?;
    pool.close().await;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
}
