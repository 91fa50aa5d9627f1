//! SQL storage for Hemisphere, on an embedded SQLite file or a PostgreSQL server.
//!
//! One code path serves both backends through sqlx's `Any` driver, with only SQL that
//! PostgreSQL-compatible distributed engines (Citus, CockroachDB) run as well. The
//! schema lives in numbered migrations (`migrations/{sqlite,postgres}`), applied by
//! [`Store::open`].
//!
//! This crate is SQL and nothing else: one repository module per area (flows, warning,
//! accounts, audit, governance, indicators, jobs, allocation) turns rows into values and values
//! into rows. It decides no rule — what may be written is decided by the domain crates,
//! called from `hemi-app`, which composes several writes into one [`Tx`] when a change
//! and its audit entry must commit together.
//!
//! Architecture invariant: this is the only crate that writes SQL (a tidy test checks
//! that no other crate depends on sqlx).
#![deny(missing_docs)]

mod accounts;
pub mod allocation;
mod audit;
pub mod governance;
mod import;
mod indicators;
mod jobs;
pub mod pathways;
mod query;
pub mod registry;
mod warning;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Transaction};

pub use accounts::{create_postgres_schema, NewUser, PendingUploadRow, StoredUser};
pub use audit::{
    entry_hash as audit_entry_hash, AuditEntry, AuditEvent, AuditFilter, AuditHead, GENESIS_HASH,
};
pub use import::{ImportItem, ImportOutcome, LatestBatch};
pub use indicators::IndicatorInputs;
pub use jobs::{JobRow, JobState};
pub use query::{
    DataVersion, ObservationRow, Page, SeriesColumn, SeriesFilter, SeriesSummary, SumRow,
};
pub use warning::{
    AlertRow, DeliveryAttemptRow, EventTransitionRow, NewAlert, NotificationRow,
    PendingNotification, SubscriberRow,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL (or a compatible engine).
    Postgres,
}

/// Storage failures. None of them carries a connection string: a URL with a password
/// must never reach a log or an error chain.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend (the URL itself is redacted).
    #[error("unsupported database url {0:?}: use a file path, sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    /// The database could not be reached or refused a statement.
    #[error("database error: {}", redact_error(.0))]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("could not apply migrations: {}", redact_text(&.0.to_string()))]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (e.g. a JSON column from an older version).
    #[error("stored {what} is unreadable: {message}")]
    Corrupt {
        /// What was being read.
        what: String,
        /// Why it failed.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Hide the password of any `scheme://user:password@host` in a text.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme) = rest.find("://") {
        let (head, tail) = rest.split_at(scheme + 3);
        out.push_str(head);
        // The userinfo ends at the first '@' before any '/', whitespace or quote.
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                let userinfo = &tail[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                rest = &tail[at..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

fn redact_error(e: &sqlx::Error) -> String {
    redact_text(&e.to_string())
}

/// A connection pool plus the backend it talks to.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// One transaction: several repository writes that commit together or not at all
/// (a change and its audit entry, an import and its audit entry). Dropped without
/// [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
}

impl Tx {
    /// Make every write of this transaction durable.
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

/// Turn what a user typed into a URL sqlx understands: a bare path means a SQLite file.
pub fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_owned(), Backend::Postgres))
    } else if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let with_mode = if rest.contains("mode=") {
            format!("sqlite://{rest}")
        } else if rest.contains('?') {
            format!("sqlite://{rest}&mode=rwc")
        } else {
            format!("sqlite://{rest}?mode=rwc")
        };
        Ok((with_mode, Backend::Sqlite))
    } else if !url.contains("://") && !url.is_empty() {
        Ok((format!("sqlite://{url}?mode=rwc"), Backend::Sqlite))
    } else {
        Err(StoreError::UnsupportedUrl(redact_text(url)))
    }
}

impl Store {
    /// Connect and bring the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers (the web app) run while an import writes; NORMAL
                        // sync is safe in WAL mode against process crashes.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        let store = Store { pool, backend };
        store.chain_legacy_audit_events().await?;
        Ok(store)
    }

    /// Begin a transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            backend: self.backend,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Close every connection (flushes the SQLite WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Build `($1, $2, ...), ($k, ...)` for a multi-row insert of `rows` rows of `columns` values.
///
/// On SQLite the placeholders are anonymous `?`: sqlx's SQLite driver looks each
/// numbered parameter up by name, a linear search per parameter, which made a
/// 4,000-parameter insert quadratic (83% of import time). Positional `?` binds in order.
pub(crate) fn values_placeholders(rows: usize, columns: usize, backend: Backend) -> String {
    let mut text = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            text.push(',');
        }
        text.push('(');
        for c in 0..columns {
            if c > 0 {
                text.push(',');
            }
            match backend {
                Backend::Sqlite => text.push('?'),
                Backend::Postgres => {
                    text.push('$');
                    text.push_str(&(r * columns + c + 1).to_string());
                }
            }
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalise_url("hemi.db").unwrap().0,
            "sqlite://hemi.db?mode=rwc"
        );
        assert_eq!(
            normalise_url("sqlite://x.db").unwrap().0,
            "sqlite://x.db?mode=rwc"
        );
        assert_eq!(
            normalise_url("postgres://u@h/db").unwrap().1,
            Backend::Postgres
        );
        assert!(normalise_url("mysql://x").is_err());
    }

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact_text("error connecting to postgres://u:hunter2@h:5432/db: refused"),
            "error connecting to postgres://u:***@h:5432/db: refused"
        );
        assert_eq!(redact_text("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_text("no url here"), "no url here");
        assert_eq!(
            redact_text("a postgres://a:b@c/d and mysql://e:f@g"),
            "a postgres://a:***@c/d and mysql://e:***@g"
        );
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            values_placeholders(2, 2, Backend::Postgres),
            "($1,$2),($3,$4)"
        );
        assert_eq!(values_placeholders(2, 2, Backend::Sqlite), "(?,?),(?,?)");
    }
}
