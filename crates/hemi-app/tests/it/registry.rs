//! The stored registry on both backends: registering links a new record against the
//! records it shares a name sound, date, document or phone with; personal fields are
//! encrypted at rest; every change and read is in the audit chain; permits move through
//! the lifecycle only; caseworkers' decisions are kept; a wrong key refuses and writes
//! nothing.

use hemi_app::registry::persons::PersonInput;
use hemi_app::registry::RegistryKeys;
use hemi_app::{Actor, AppError};
use hemi_core::Role;
use hemi_store::AuditFilter;
use hemi_testing::{store_test, TestDb};

use super::app;

const AT: i64 = 1_780_000_000; // 2026-05-28

fn officer() -> Actor {
    Actor::cli("officer", None).at(AT)
}

fn keys() -> RegistryKeys {
    RegistryKeys::parse(&RegistryKeys::generate("t1"), "test.keys").unwrap()
}

fn jose() -> PersonInput {
    PersonInput {
        given_name: "José".into(),
        second_given_name: "Luis".into(),
        first_surname: "García".into(),
        second_surname: "Pérez".into(),
        sex: "M".into(),
        date_of_birth: "1988-04-12".into(),
        nationality: "VEN".into(),
        document_type: "passport".into(),
        document_number: "123456789".into(),
        phone: "+57 300 555 0101".into(),
        municipality: "Cúcuta".into(),
        office: "cucuta".into(),
        ..PersonInput::default()
    }
}

async fn audit_actions(app: &hemi_app::App) -> Vec<String> {
    app.store()
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

store_test!(
    register_search_show_and_a_duplicate_joins_its_person,
    |db: TestDb| async move {
        let app = app(&db).await;
        // No key: refused before anything is written.
        let err = app.register_person(&jose(), &officer()).await.unwrap_err();
        assert!(matches!(err, AppError::Refused(_)), "{err}");
        app.set_registry_keys(keys());

        let first = app.register_person(&jose(), &officer()).await.unwrap();
        assert!(!first.matched_existing);
        assert_eq!(first.cluster_id, first.person_id);
        // The same person again, with a nickname and a new phone: joins the person.
        let again = PersonInput {
            given_name: "Pepe".into(),
            phone: "+57 311 000 0000".into(),
            ..jose()
        };
        let second = app.register_person(&again, &officer()).await.unwrap();
        assert!(second.candidates >= 1);
        assert!(second.matched_existing, "{second:?}");
        assert_eq!(second.cluster_id, first.person_id);
        // Someone else entirely.
        let other = PersonInput {
            given_name: "Wei".into(),
            second_given_name: String::new(),
            first_surname: "Zhang".into(),
            second_surname: String::new(),
            sex: "F".into(),
            date_of_birth: "1975".into(),
            nationality: "CHN".into(),
            document_type: String::new(),
            document_number: String::new(),
            phone: String::new(),
            ..jose()
        };
        let third = app.register_person(&other, &officer()).await.unwrap();
        assert!(!third.matched_existing);

        // Fuzzy search: a misspelt surname finds both records of José, first.
        let hits = app.search_persons("Jose Garsia", &officer()).await.unwrap();
        let ids: Vec<&str> = hits.iter().map(|h| h.person_id.as_str()).collect();
        assert!(
            ids.contains(&first.person_id.as_str()) && ids.contains(&second.person_id.as_str()),
            "{hits:?}"
        );
        assert!(!ids.contains(&third.person_id.as_str()), "{hits:?}");

        let shown = app.show_person(&first.person_id, &officer()).await.unwrap();
        assert_eq!(shown.record.display_name, "José Luis García Pérez");
        assert_eq!(shown.same_person, vec![second.person_id.clone()]);

        // Encrypted at rest: no personal value in the stored row.
        let row = app
            .store()
            .registry_person(&first.person_id)
            .await
            .unwrap()
            .unwrap();
        for plain in ["García", "Garcia", "1988-04-12", "123456789"] {
            assert!(!row.record.contains(plain), "{plain} stored in plaintext");
        }
        assert!(row.record.starts_with("v1:enc-t1:"));

        let actions = audit_actions(&app).await;
        for action in [
            "registry_person_registered",
            "registry_search",
            "registry_person_read",
            "registry_model_trained",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
        assert!(app
            .verify_audit_chain(None)
            .await
            .unwrap()
            .first_broken
            .is_none());

        // Bad input: impossible date, unknown nationality, failing check digit.
        let bad = PersonInput {
            date_of_birth: "1990-02-30".into(),
            nationality: "VXN".into(),
            document_type: "cedula".into(),
            document_issuer: "ECU".into(),
            document_number: "1710034066".into(),
            ..jose()
        };
        let before = app.store().registry_counts().await.unwrap();
        match app.register_person(&bad, &officer()).await.unwrap_err() {
            AppError::Invalid(p) => {
                let fields: Vec<&str> = p.diagnostics.iter().map(|d| d.field.as_str()).collect();
                assert!(
                    fields.contains(&"date_of_birth") && fields.contains(&"nationality"),
                    "{p}"
                );
                assert!(fields.contains(&"document_number"), "{p}");
            }
            other => panic!("{other}"),
        }
        assert_eq!(app.store().registry_counts().await.unwrap(), before);

        // A registration officer of another office sees nothing of this one.
        let elsewhere = Actor::web(
            9,
            "ana",
            Role::RegistrationOfficer,
            None,
            Some("quito".into()),
            "127.0.0.1",
        )
        .at(AT);
        assert!(matches!(
            app.show_person(&first.person_id, &elsewhere).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(app
            .search_persons("Jose Garcia", &elsewhere)
            .await
            .unwrap()
            .is_empty());
        let watch = Actor::web(10, "w", Role::WatchOfficer, None, None, "127.0.0.1").at(AT);
        assert!(matches!(
            app.search_persons("Jose", &watch).await,
            Err(AppError::Forbidden(_))
        ));
    }
);

store_test!(
    a_wrong_key_refuses_and_writes_nothing,
    |db: TestDb| async move {
        let app = app(&db).await;
        app.set_registry_keys(keys());
        let first = app.register_person(&jose(), &officer()).await.unwrap();
        let before = (
            app.store().registry_counts().await.unwrap(),
            audit_actions(&app).await.len(),
        );
        drop(app);
        let app = super::app(&db).await;
        app.set_registry_keys(keys()); // fresh random keys: not the ones the records use
        for result in [
            app.register_person(&jose(), &officer()).await.map(|_| ()),
            app.show_person(&first.person_id, &officer())
                .await
                .map(|_| ()),
            app.search_persons("Jose", &officer()).await.map(|_| ()),
        ] {
            match result {
                Err(AppError::Refused(p)) => assert!(p.to_string().contains("registry key"), "{p}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            (
                app.store().registry_counts().await.unwrap(),
                audit_actions(&app).await.len()
            ),
            before
        );
    }
);

store_test!(
    permits_follow_the_lifecycle_and_statistics_are_protected,
    |db: TestDb| async move {
        let app = app(&db).await;
        app.set_registry_keys(keys());
        let person = app.register_person(&jose(), &officer()).await.unwrap();
        let permit = app
            .create_permit(&person.person_id, "col-etpv", &officer())
            .await
            .unwrap();
        assert_eq!(permit.state, "pre_registered");
        // Out of order: refused, nothing written.
        let err = app
            .transition_permit(&permit.permit_id, "issued", "", &officer())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Refused(_)), "{err}");
        assert!(err.to_string().contains("biometrics_taken"), "{err}");
        let stored = app
            .store()
            .registry_permit(&permit.permit_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.state, "pre_registered");
        for (to, at) in [
            ("biometrics_taken", AT + 10),
            ("approved", AT + 20),
            ("issued", AT + 30),
        ] {
            let view = app
                .transition_permit(&permit.permit_id, to, "", &officer().at(at))
                .await
                .unwrap();
            assert_eq!(view.state, to);
        }
        let issued = app
            .store()
            .registry_permit(&permit.permit_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(issued.valid_until.as_deref(), Some("2031-05-30"));
        // Revocation needs a reason.
        let err = app
            .transition_permit(&permit.permit_id, "revoked", " ", &officer().at(AT + 40))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("reason"), "{err}");
        assert!(matches!(
            app.transition_permit(&permit.permit_id, "flying", "", &officer())
                .await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            app.create_permit(&person.person_id, "nope", &officer())
                .await,
            Err(AppError::NotFound { .. })
        ));
        let shown = app
            .show_person(&person.person_id, &officer())
            .await
            .unwrap();
        assert_eq!(shown.permits.len(), 1);
        assert_eq!(shown.permits[0].history.len(), 4);
        assert_eq!(shown.permits[0].history[3].actor, "cli:officer");

        let stats = app.registry_statistics().await.unwrap();
        assert_eq!(stats.by_state.column_keys.len(), 9);
        assert!(stats.rule.method.contains("cell-key"), "{:?}", stats.rule);
        assert_eq!(
            stats.by_state.grand_total_people,
            stats.by_state.row_totals_people.iter().sum::<u64>()
        );
        let actions = audit_actions(&app).await;
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "registry_permit_transition")
                .count(),
            3
        );
    }
);

store_test!(
    review_decisions_are_kept_and_respected,
    |db: TestDb| async move {
        let app = app(&db).await;
        app.set_registry_keys(keys());
        let first = app.register_person(&jose(), &officer()).await.unwrap();
        // A doubtful record: same surnames and date of birth, another given name, no
        // document or phone (a brother? the same man?).
        let doubtful = PersonInput {
            given_name: "Rafael".into(),
            second_given_name: String::new(),
            document_type: String::new(),
            document_number: String::new(),
            phone: String::new(),
            ..jose()
        };
        let second = app.register_person(&doubtful, &officer()).await.unwrap();
        let queue = app.review_queue(true, &officer()).await.unwrap();
        assert_eq!(queue.len(), 1, "{second:?} {queue:?}");
        let item = &queue[0];
        assert!(item
            .explanation
            .as_ref()
            .is_some_and(|e| !e.fields.is_empty()));
        assert!(!second.matched_existing);
        // A registration officer (not a caseworker) may not resolve.
        let registrar = Actor::web(3, "reg", Role::RegistrationOfficer, None, None, "").at(AT);
        assert!(matches!(
            app.resolve_review(item.id, true, "", &registrar).await,
            Err(AppError::Forbidden(_))
        ));
        let caseworker = Actor::web(4, "case", Role::Caseworker, None, None, "").at(AT + 100);
        let decided = app
            .resolve_review(item.id, true, "same passport photo", &caseworker)
            .await
            .unwrap();
        assert_eq!(decided.decision.as_deref(), Some("same_person"));
        assert!(matches!(
            app.resolve_review(item.id, false, "", &caseworker).await,
            Err(AppError::Refused(_))
        ));
        let merged = app
            .show_person(&second.person_id, &officer())
            .await
            .unwrap();
        let first_now = app.show_person(&first.person_id, &officer()).await.unwrap();
        assert_eq!(merged.record.cluster_id, first_now.record.cluster_id);
        assert_eq!(first_now.same_person, vec![second.person_id.clone()]);
        assert!(app.review_queue(true, &officer()).await.unwrap().is_empty());
        let all = app.review_queue(false, &officer()).await.unwrap();
        assert_eq!(all[0].decided_by.as_deref(), Some("case"));
        assert!(audit_actions(&app)
            .await
            .iter()
            .any(|a| a == "registry_review_resolved"));
    }
);
