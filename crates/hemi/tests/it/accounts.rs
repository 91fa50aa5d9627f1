//! `hemi users` and `hemi audit`: accounts changed by the operator (recorded as
//! `cli:<os user>`, with `--as` beside it), the password rule, and the audit log's hash
//! chain verified, then tampered with and caught. On SQLite and PostgreSQL.

use hemi_testing::{store_test, TestBackend, TestDb};

use super::*;

/// A password the rule (zxcvbn score >= 3) accepts.
const GOOD: &str = "marmalade orbit tractor";

fn add(db: &TestDb, name: &str, role: &str, password: &str) -> Output {
    hemi_with_stdin(
        db,
        &["users", "add", name, "--role", role, "--password-stdin"],
        &format!("{password}\n"),
    )
}

store_test!(users_are_changed_by_the_operator, |db: TestDb| async move {
    // The password rule: common or short passwords are refused.
    let weak = add(&db, "ana", "watch_officer", "password123");
    assert_eq!(weak.status.code(), Some(2), "{}", stderr(&weak));
    assert!(
        stderr(&weak).contains("password: is too easy to guess"),
        "{}",
        stderr(&weak)
    );
    assert!(stderr(&weak).contains("nothing was changed"));

    let added = add(&db, "ana", "watch_officer", GOOD);
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(stdout(&added), "", "a message, not a result");
    assert!(stderr(&added).contains("added ana (watch_officer)"));
    let list = ok(&db, &["users", "list", "--format", "csv"]);
    assert!(list.contains("\nana,watch_officer,,,"), "{list}");

    // Scopes are checked, names are matched with a suggestion.
    let no_country = refused(&db, &["users", "role", "ana", "--role", "national_officer"]);
    assert!(no_country.contains("--country: "), "{no_country}");
    let typo = hemi_with_stdin(
        &db,
        &["users", "passwd", "anna", "--password-stdin"],
        "another good passphrase here\n",
    );
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("user \"anna\" does not exist — did you mean ana?"),
        "{}",
        stderr(&typo)
    );

    let passwd = hemi_with_stdin(
        &db,
        &[
            "--as",
            "M. Rojas",
            "users",
            "passwd",
            "ana",
            "--password-stdin",
        ],
        "another good passphrase here\n",
    );
    assert!(passwd.status.success(), "{}", stderr(&passwd));
    let token = ok(&db, &["users", "token", "ana", "--label", "tests"]);
    assert!(
        token.trim().len() == 64 && token.trim().bytes().all(|b| b.is_ascii_hexdigit()),
        "one token on stdout: {token}"
    );
    ok(&db, &["users", "disable", "ana"]);
    let again = refused(&db, &["users", "disable", "ana"]);
    assert!(again.contains("already disabled"), "{again}");

    // The audit log names the operator, and the name given with --as beside it.
    let log = ok(
        &db,
        &["audit", "log", "--subject", "ana", "--format", "json"],
    );
    let log: serde_json::Value = serde_json::from_str(&log).unwrap();
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("user_disabled", "cli:tester"),
            ("api_token_issued", "cli:tester"),
            ("password_changed", "cli:tester as \"M. Rojas\""),
            ("user_added", "cli:tester"),
        ]
    );
});

/// Run SQL on the test database directly, as someone with the database file would.
async fn tamper(db: &TestDb, statements: &[&str]) {
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        TestBackend::Sqlite => format!("sqlite://{}", db.url),
        TestBackend::Postgres => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

store_test!(
    audit_chain_is_verified_and_tampering_caught,
    |db: TestDb| async move {
        for name in ["ana", "ben", "carla"] {
            let added = add(&db, name, "secretariat", GOOD);
            assert!(added.status.success(), "{}", stderr(&added));
        }
        let verified = ok(&db, &["audit", "verify", "--format", "csv"]);
        let head = ok(&db, &["audit", "head", "--format", "csv"]);
        let head_hash = head
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .to_owned();
        assert_eq!(
            verified,
            format!("entries,head_seq,head_hash,intact,first_broken\n3,3,{head_hash},yes,\n")
        );
        ok(&db, &["audit", "verify", "--expect-head", &head_hash]);
        let unknown = hemi(&db, &["audit", "verify", "--expect-head", &"ab".repeat(32)]);
        assert_eq!(unknown.status.code(), Some(1), "{}", stderr(&unknown));
        assert!(
            stderr(&unknown).contains("no entry has the head hash given"),
            "{}",
            stderr(&unknown)
        );
        let malformed = refused(&db, &["audit", "verify", "--expect-head", "abc"]);
        assert!(malformed.contains("--expect-head: \"abc\" is not a SHA-256 hash"));

        // Someone with the database edits the second entry: verify names it and exits 1.
        let drop_trigger = match db.backend {
            TestBackend::Sqlite => "DROP TRIGGER audit_log_no_update",
            TestBackend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        tamper(
            &db,
            &[
                drop_trigger,
                "UPDATE audit_log SET detail = 'role=admin' WHERE seq = 2",
            ],
        )
        .await;
        let broken = hemi(&db, &["audit", "verify", "--format", "csv"]);
        assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
        assert!(
            stderr(&broken).contains(
                "error: the audit log is broken at entry 2: its content does not match its hash"
            ),
            "{}",
            stderr(&broken)
        );
        assert!(stdout(&broken).ends_with(",no,2\n"), "{}", stdout(&broken));
    }
);
