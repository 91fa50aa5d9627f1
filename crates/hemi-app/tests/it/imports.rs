//! Imports through the application layer: all or nothing, audited in the same
//! transaction, identical files recognised, directories without tables refused, and
//! notes files in a directory skipped.

use std::sync::Arc;

use hemi_app::flows::{expand_paths, ImportFile, ImportOptions, SeriesQuery};
use hemi_app::progress::NoProgress;
use hemi_app::AppError;
use hemi_store::AuditFilter;
use hemi_testing::{data, repo_root, store_test, TestDb};

use super::{app, operator};

store_test!(
    imports_are_audited_with_their_vintage,
    |db: TestDb| async move {
        let app = app(&db).await;
        let file = vec![ImportFile::Path(data(
            "flows/honduras_irregular_entries_total.csv",
        ))];
        let report = app
            .import(
                &file,
                ImportOptions::default(),
                Arc::new(NoProgress),
                &operator(10),
            )
            .await
            .unwrap();
        assert_eq!(report.files[0].outcome.vintage, Some(1));
        let again = app
            .import(
                &file,
                ImportOptions::default(),
                Arc::new(NoProgress),
                &operator(11),
            )
            .await
            .unwrap();
        assert!(again.files[0].outcome.identical);
        let audit = app
            .audit_log(&AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            audit.len(),
            1,
            "an identical file changes nothing and is not an import"
        );
        assert!(
            audit[0].event.detail.contains("vintage=1"),
            "{:?}",
            audit[0]
        );
        assert_eq!(audit[0].event.actor, "cli:tester");
    }
);

store_test!(
    a_directory_import_skips_notes_and_refuses_empty_directories,
    |db: TestDb| async move {
        let app = app(&db).await;
        // data/ holds tables and the labelled surges, which are not a publisher table.
        let files = expand_paths(&[
            repo_root().join("data/labels"),
            data("flows/honduras_irregular_entries_total.csv"),
        ])
        .unwrap();
        let report = app
            .import(
                &files,
                ImportOptions::default(),
                Arc::new(NoProgress),
                &operator(10),
            )
            .await
            .unwrap();
        assert_eq!(report.files.len(), 1);
        assert!(
            report.skipped.iter().any(|s| s.ends_with("surges.csv")),
            "{:?}",
            report.skipped
        );
        let only_labels = expand_paths(&[repo_root().join("data/labels")]).unwrap();
        let e = app
            .import(
                &only_labels,
                ImportOptions::default(),
                Arc::new(NoProgress),
                &operator(11),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)), "{e}");
        let empty = tempfile::tempdir().unwrap();
        let e = expand_paths(&[empty.path().to_path_buf()]).unwrap_err();
        assert!(e.to_string().contains("without .csv files"), "{e}");
    }
);

store_test!(a_spreadsheet_is_named_as_such, |db: TestDb| async move {
    let app = app(&db).await;
    let file = vec![ImportFile::Bytes {
        name: "flows.xlsx".into(),
        content: Arc::new(b"PK\x03\x04\x14\x00\x06\x00rest".to_vec()),
    }];
    let e = app
        .import(
            &file,
            ImportOptions::default(),
            Arc::new(NoProgress),
            &operator(10),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("spreadsheet") && e.to_string().contains("CSV UTF-8"),
        "{e}"
    );
});

store_test!(
    series_selectors_are_checked_against_what_is_stored,
    |db: TestDb| async move {
        let app = app(&db).await;
        let file = vec![ImportFile::Path(data(
            "flows/panama_darien_transits_by_nationality.csv",
        ))];
        app.import(
            &file,
            ImportOptions::default(),
            Arc::new(NoProgress),
            &operator(10),
        )
        .await
        .unwrap();
        let q = |reporting: &str, nationality: Option<&str>| SeriesQuery {
            reporting: Some(reporting.into()),
            nationality: nationality.map(Into::into),
            ..Default::default()
        };
        assert!(app.series_filter(&q("pan", Some("hti"))).await.is_ok());
        let e = app.series_filter(&q("XYZ", None)).await.unwrap_err();
        assert_eq!(e.field(), Some("reporting"));
        let e = app.series_filter(&q("USA", None)).await.unwrap_err();
        assert!(e.to_string().contains("no stored series"), "{e}");
        let e = app
            .series_filter(&SeriesQuery {
                from: Some("2022-01".into()),
                to: Some("2021-01".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("to"));
        let e = app
            .series_filter(&SeriesQuery {
                vintage: Some(7),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(e.to_string().contains("vintages run from 1 to 1"), "{e}");
    }
);
