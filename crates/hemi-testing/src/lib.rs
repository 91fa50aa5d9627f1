//! Test harness shared by the integration tests of every crate: a fresh database per
//! test on each backend, and paths into the repository's bundled data.
//!
//! `store_test!` runs one async test body twice, on an embedded SQLite file and on
//! PostgreSQL. PostgreSQL comes from `HEMI_TEST_DATABASE_URL`, defaulting to the
//! server every development and CI machine runs (127.0.0.1:5432, user postgres,
//! database test). Each test gets its own schema, so tests run in parallel; a test
//! that cannot reach PostgreSQL fails rather than silently passing.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// Base URL of the PostgreSQL test server.
pub fn postgres_base_url() -> String {
    std::env::var("HEMI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The repository root (where `data/` and `profiles/` live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// A bundled data file, e.g. `data("flows/honduras_irregular_entries_total.csv")`.
pub fn data(relative: &str) -> PathBuf {
    repo_root().join("data").join(relative)
}

/// Which backend a test database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// Embedded SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema on the PostgreSQL test server.
    Postgres,
}

/// A database for one test; the SQLite file or PostgreSQL schema is removed on drop.
pub struct TestDb {
    /// URL to hand to `Store::open` or `hemi --database-url`.
    pub url: String,
    /// Backend.
    pub backend: TestBackend,
    /// Temporary directory (also a working directory for CLI tests).
    pub dir: tempfile::TempDir,
    schema: Option<String>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Create an empty database on `backend`; `name` makes PostgreSQL schemas readable.
    pub async fn new(backend: TestBackend, name: &str) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            TestBackend::Sqlite => {
                let url = dir.path().join("hemi.db").display().to_string();
                TestDb {
                    url,
                    backend,
                    dir,
                    schema: None,
                }
            }
            TestBackend::Postgres => {
                let clean: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let schema = format!(
                    "t_{}_{}_{}",
                    &clean[..clean.len().min(40)],
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let base = postgres_base_url();
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&base)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL test server at {base} is not reachable: {e}")
                    });
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&pool)
                    .await
                    .unwrap();
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
                TestDb {
                    url,
                    backend,
                    dir,
                    schema: Some(schema),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee, so clean up on a thread of its own.
        let base = postgres_base_url();
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio_runtime() else { return };
            runtime.block_on(async move {
                if let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&base)
                    .await
                {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&pool)
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

pub use tokio;

/// Run an async test body once per backend: `store_test!(name, |db: TestDb| async move { ... });`
/// generates `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                $crate::run_on($crate::TestBackend::Sqlite, stringify!($name), $body);
            }

            #[test]
            fn postgres() {
                $crate::run_on($crate::TestBackend::Postgres, stringify!($name), $body);
            }
        }
    };
}

/// Run `body` with a fresh database on `backend`.
pub fn run_on<F, Fut>(backend: TestBackend, name: &str, body: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = TestDb::new(backend, name).await;
        body(db).await;
    });
}
