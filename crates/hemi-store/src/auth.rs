//! Accounts, sessions, API tokens and the audit log: storage only.
//!
//! This module never sees a secret: callers hand in argon2 hashes of passwords and
//! SHA-256 hashes of tokens. What a role may do is decided by the server, not here.
//! The audit log is append-only: there is no function to change or delete an event.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

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
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    /// Unix seconds.
    pub at: i64,
    /// Who acted: a user name, `cli`, or `anonymous`.
    pub actor: String,
    /// What happened, e.g. `login_ok`, `login_failed`, `user_added`.
    pub action: String,
    /// The account acted on.
    pub subject: String,
    /// Client address; empty when the action came from the command line.
    pub ip: String,
    /// Free text.
    pub detail: String,
}

const USER_COLUMNS: &str =
    "u.id, u.name, u.role, u.country, u.password_hash, u.created_at, u.disabled_at";

fn user_from_row(row: &AnyRow) -> StoredUser {
    StoredUser {
        id: row.get(0),
        name: row.get(1),
        role: row.get(2),
        country: row.get(3),
        password_hash: row.get(4),
        created_at: row.get(5),
        disabled_at: row.get(6),
    }
}

pub(crate) async fn insert_audit<'e, E>(executor: E, event: &AuditEvent) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("INSERT INTO audit_event (at, actor, action, subject, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(event.at)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.subject)
        .bind(&event.ip)
        .bind(&event.detail)
        .execute(executor)
        .await?;
    Ok(())
}

impl Store {
    /// Create an account and audit it in one transaction. `None` when the name is taken.
    pub async fn insert_user(&self, user: &NewUser, audit: &AuditEvent) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let taken = sqlx::query("SELECT id FROM app_user WHERE name = $1")
            .bind(&user.name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let row = sqlx::query(
            "INSERT INTO app_user (name, role, country, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&user.name)
        .bind(&user.role)
        .bind(user.country.clone())
        .bind(&user.password_hash)
        .bind(audit.at)
        .fetch_one(&mut *tx)
        .await?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(Some(row.get(0)))
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
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT id FROM app_user WHERE name = $1 AND disabled_at IS NULL")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let id: i64 = row.get(0);
        sqlx::query("UPDATE app_user SET disabled_at = $1 WHERE id = $2")
            .bind(audit.at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(audit.at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut *tx, audit).await?;
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
        Ok(row.map(|r| (user_from_row(&r), r.get(7))))
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO api_token (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut *tx, audit).await?;
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

    /// Append one event to the audit log.
    pub async fn record_audit(&self, event: &AuditEvent) -> Result<()> {
        insert_audit(&self.pool, event).await
    }

    /// How many events of `action` about `subject` from `ip` happened at or after `since`:
    /// the login rate limit counts recent failures with it.
    pub async fn count_audit_since(
        &self,
        action: &str,
        subject: &str,
        ip: &str,
        since: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM audit_event WHERE action = $1 AND subject = $2 AND ip = $3 AND at >= $4",
        )
        .bind(action)
        .bind(subject)
        .bind(ip)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    /// The latest audit events, newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, ip, detail FROM audit_event ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEvent {
                at: r.get(0),
                actor: r.get(1),
                action: r.get(2),
                subject: r.get(3),
                ip: r.get(4),
                detail: r.get(5),
            })
            .collect())
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
