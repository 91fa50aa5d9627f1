//! SQL storage for Hemisphere, on an embedded SQLite file or a PostgreSQL server.
//!
//! One code path serves both backends through sqlx's `Any` driver: queries use `$1`
//! placeholders, which SQLite also understands, and only SQL that PostgreSQL-compatible
//! distributed engines (Citus, CockroachDB) run as well. The schema lives in numbered
//! migrations (`migrations/{sqlite,postgres}`), applied by [`Store::open`].
//!
//! Architecture invariant: this is the only crate that writes SQL. Domain crates hand
//! it values and receive values; they never see a connection.
#![deny(missing_docs)]

mod auth;
pub mod governance;
mod import;
pub mod indicators;
mod monitor;
mod query;
mod warning;
pub mod watch;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

pub use auth::{create_postgres_schema, AuditEvent, NewUser, StoredUser};
pub use import::{ImportItem, ImportOutcome, LatestBatch};
pub use indicators::IndicatorInputs;
pub use monitor::WatchFilter;
pub use query::{ObservationRow, SeriesFilter, SeriesSummary, SumRow};
pub use warning::{AlertRow, EventTransitionRow, NewAlert, NotificationRow, PendingNotification};

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

/// Storage failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend.
    #[error("unsupported database url {0:?}: use a file path, sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    /// The database could not be reached or refused a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A governance rule refused the change; nothing was written.
    #[error("{0}")]
    Refused(#[from] hemi_governance::GovernanceError),
}

/// Result alias for this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool plus the backend it talks to.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Replays already computed for a data version (see [`watch`]); shared by clones.
    replay_cache: std::sync::Arc<watch::ReplayCache>,
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
        Err(StoreError::UnsupportedUrl(url.to_owned()))
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
        Ok(Store {
            pool,
            backend,
            replay_cache: Default::default(),
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for crates that add their own tables through this crate's migrations.
    pub fn pool(&self) -> &AnyPool {
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
    fn placeholders() {
        assert_eq!(
            values_placeholders(2, 2, Backend::Postgres),
            "($1,$2),($3,$4)"
        );
        assert_eq!(values_placeholders(2, 2, Backend::Sqlite), "(?,?),(?,?)");
    }
}
