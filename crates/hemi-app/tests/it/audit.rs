//! The audit log as evidence: every change is chained; a row changed, removed or
//! reordered behind the application's back is found and named.

use hemi_core::Role;
use hemi_store::AuditFilter;
use hemi_testing::{store_test, TestBackend, TestDb};

use super::{app, operator};

async fn raw(db: &TestDb, sql: &str) {
    // An attacker with database access, bypassing the application (and, on SQLite and
    // PostgreSQL, dropping the append-only triggers first).
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        TestBackend::Sqlite => format!("sqlite://{}", db.url),
        TestBackend::Postgres => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

store_test!(
    a_tampered_audit_row_is_caught_by_verify,
    |db: TestDb| async move {
        let app = app(&db).await;
        for (i, name) in ["ana", "ben", "caro"].iter().enumerate() {
            app.add_user(
                name,
                Role::Secretariat,
                None,
                None,
                "a long enough password",
                &operator(i as i64),
            )
            .await
            .unwrap();
        }
        let check = app.verify_audit_chain(None).await.unwrap();
        assert_eq!((check.entries, check.first_broken.clone()), (3, None));

        // The application cannot change or remove an entry.
        let store_pool_update = sqlx_update_refused(&db).await;
        assert!(store_pool_update, "the append-only trigger refuses UPDATE");

        let drop_triggers = match db.backend {
            TestBackend::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete"
            }
            TestBackend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        raw(&db, drop_triggers).await;
        raw(
            &db,
            "UPDATE audit_log SET detail = 'role=admin' WHERE seq = 2",
        )
        .await;
        let broken = app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .unwrap();
        assert_eq!(broken.seq, 2, "{broken:?}");
        assert!(broken.reason.contains("changed"), "{broken:?}");
    }
);

async fn sqlx_update_refused(db: &TestDb) -> bool {
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        TestBackend::Sqlite => format!("sqlite://{}", db.url),
        TestBackend::Postgres => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 1")
        .execute(&pool)
        .await
        .is_err()
        && sqlx::query("DELETE FROM audit_log WHERE seq = 3")
            .execute(&pool)
            .await
            .is_err();
    pool.close().await;
    refused
}

store_test!(
    removed_and_rewritten_tails_are_caught,
    |db: TestDb| async move {
        let app = app(&db).await;
        for (i, name) in ["ana", "ben", "caro", "dan"].iter().enumerate() {
            app.add_user(
                name,
                Role::Secretariat,
                None,
                None,
                "a long enough password",
                &operator(i as i64),
            )
            .await
            .unwrap();
        }
        let published = app.verify_audit_chain(None).await.unwrap().head.hash;
        let drop_triggers = match db.backend {
            TestBackend::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete"
            }
            TestBackend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        raw(&db, drop_triggers).await;
        // The last entry removed: the head no longer matches.
        raw(&db, "DELETE FROM audit_log WHERE seq = 4").await;
        let broken = app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .unwrap();
        assert_eq!(broken.seq, 4, "{broken:?}");
        // The head rewritten to fit: a published head still proves it.
        raw(&db, "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3) WHERE id = 1").await;
        assert_eq!(
            app.verify_audit_chain(None).await.unwrap().first_broken,
            None
        );
        let caught = app
            .verify_audit_chain(Some(&published))
            .await
            .unwrap()
            .first_broken
            .unwrap();
        assert!(caught.reason.contains("rewritten"), "{caught:?}");
        // An entry in the middle removed.
        raw(&db, "DELETE FROM audit_log WHERE seq = 2").await;
        let gap = app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .unwrap();
        assert_eq!(gap.seq, 2, "{gap:?}");
        assert!(gap.reason.contains("missing"), "{gap:?}");
        let page = app
            .audit_log(&AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 1]);
    }
);
