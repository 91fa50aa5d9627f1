//! Accounts and logins: the limits hold under parallel attempts, bad input is refused
//! before any hashing or logging, and passwords follow NIST SP 800-63B.

use hemi_app::accounts::{
    LoginOutcome, MAX_LOGIN_ATTEMPTS_PER_ACCOUNT, MAX_LOGIN_FAILURES_PER_ADDRESS,
};
use hemi_core::Role;
use hemi_store::AuditFilter;
use hemi_testing::{store_test, TestDb};

use super::{app, operator};

const PASSWORD: &str = "a long enough password";

store_test!(
    login_rate_limit_holds_under_a_parallel_race,
    |db: TestDb| async move {
        let app = app(&db).await;
        app.add_user("admin", Role::Admin, None, None, PASSWORD, &operator(1))
            .await
            .unwrap();
        // 30 attempts at once from one address, the right password at number 25: the
        // counter is charged before the password is checked, so at most five are
        // evaluated, and the 25th (like every attempt past the fifth) is throttled.
        let mut handles = Vec::new();
        for i in 0..30 {
            let app = app.clone();
            let password = if i == 24 {
                PASSWORD.to_owned()
            } else {
                format!("wrong guess {i}")
            };
            handles.push(tokio::spawn(async move {
                (i, app.login("admin", &password, "10.0.0.9").await.unwrap())
            }));
        }
        let mut evaluated = 0;
        let mut accepted = Vec::new();
        for h in handles {
            let (i, outcome) = h.await.unwrap();
            match outcome {
                LoginOutcome::Throttled => {}
                LoginOutcome::Rejected => evaluated += 1,
                LoginOutcome::Accepted(_) => {
                    evaluated += 1;
                    accepted.push(i);
                }
            }
        }
        assert!(
            evaluated <= MAX_LOGIN_ATTEMPTS_PER_ACCOUNT as usize,
            "{evaluated} attempts evaluated"
        );
        // Only if the right password happened to be among the first five charged may it pass.
        assert!(accepted.len() <= 1);
        let entries = app
            .audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        let failed = entries
            .iter()
            .filter(|e| e.event.action == "login_failed")
            .count();
        let throttled = entries
            .iter()
            .filter(|e| e.event.action == "login_throttled")
            .count();
        assert_eq!(failed + accepted.len(), evaluated);
        // One entry when each limit (the account's at 6, the address's at 21) is crossed,
        // not one per throttled attempt.
        assert_eq!(
            throttled, 2,
            "throttled attempts write one entry per limit crossed, not one each"
        );
    }
);

store_test!(
    one_password_sprayed_over_many_names_is_limited,
    |db: TestDb| async move {
        let app = app(&db).await;
        let mut evaluated = 0;
        for i in 0..(MAX_LOGIN_FAILURES_PER_ADDRESS + 10) {
            match app
                .login(&format!("user{i}"), "Summer2024!", "10.0.0.7")
                .await
                .unwrap()
            {
                LoginOutcome::Throttled => {}
                _ => evaluated += 1,
            }
        }
        assert_eq!(evaluated, MAX_LOGIN_FAILURES_PER_ADDRESS);
        // Another address is not affected.
        assert!(matches!(
            app.login("user1", "x", "10.0.0.8").await.unwrap(),
            LoginOutcome::Rejected
        ));
    }
);

store_test!(
    a_one_megabyte_user_name_costs_nothing,
    |db: TestDb| async move {
        let app = app(&db).await;
        let huge = "u".repeat(1 << 20);
        for _ in 0..20 {
            assert!(matches!(
                app.login(&huge, "x", "10.0.0.5").await.unwrap(),
                LoginOutcome::Rejected
            ));
        }
        let entries = app
            .audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            entries.is_empty(),
            "over-long names are refused before any audit row"
        );
        // And as an account name it is bad input, with a short message.
        let e = app
            .add_user(&huge, Role::Admin, None, None, PASSWORD, &operator(1))
            .await
            .unwrap_err();
        assert!(e.to_string().len() < 500);
    }
);

store_test!(
    accounts_need_their_scopes_and_a_good_password,
    |db: TestDb| async move {
        let app = app(&db).await;
        let who = operator(1);
        assert_eq!(
            app.add_user("pa", Role::NationalOfficer, None, None, PASSWORD, &who)
                .await
                .unwrap_err()
                .field(),
            Some("country")
        );
        assert_eq!(
            app.add_user(
                "pa",
                Role::NationalOfficer,
                Some("PNA"),
                None,
                PASSWORD,
                &who
            )
            .await
            .unwrap_err()
            .field(),
            Some("country")
        );
        assert_eq!(
            app.add_user("smo", Role::PathwaysOfficer, None, None, PASSWORD, &who)
                .await
                .unwrap_err()
                .field(),
            Some("office")
        );
        for bad in ["          ", "password123", "short"] {
            assert_eq!(
                app.add_user("ana", Role::Secretariat, None, None, bad, &who)
                    .await
                    .unwrap_err()
                    .field(),
                Some("password"),
                "{bad:?}"
            );
        }
        app.add_user(
            "pa",
            Role::NationalOfficer,
            Some("pan"),
            None,
            PASSWORD,
            &who,
        )
        .await
        .unwrap();
        let pa = app.user("pa").await.unwrap();
        assert_eq!(pa.country.as_deref(), Some("PAN"));
        assert!(
            app.add_user("pa", Role::Admin, None, None, PASSWORD, &who)
                .await
                .is_err(),
            "taken"
        );
        // Changing one's password needs the current one; other sessions end.
        let e = app
            .change_own_password(pa.id, "wrong one", "marmalade orbit tractor", None, &who)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("current_password"));
        app.change_own_password(pa.id, PASSWORD, "marmalade orbit tractor", None, &who)
            .await
            .unwrap();
        assert!(matches!(
            app.login("pa", "marmalade orbit tractor", "10.1.1.1")
                .await
                .unwrap(),
            LoginOutcome::Accepted(_)
        ));
        let missing = app.user("px").await.unwrap_err();
        assert!(missing.to_string().contains("did you mean pa"), "{missing}");
    }
);
