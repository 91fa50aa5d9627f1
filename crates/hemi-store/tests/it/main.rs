//! Storage tests, each run on SQLite and on PostgreSQL: imports, vintages, queries.

mod indicators;

use hemi_flows::{parse_table, ParsedTable, ProfileSet};
use hemi_store::{ImportItem, SeriesFilter, Store};
use hemi_testing::{data, repo_root, store_test, TestDb};

fn profiles() -> ProfileSet {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo_root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    ProfileSet::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap()
}

fn parse(profile: &str, file_name: &str, bytes: &[u8]) -> ImportItem {
    let set = profiles();
    let profile = set.get(profile).unwrap().clone();
    let table: ParsedTable = parse_table(
        &profile,
        file_name,
        bytes,
        hemi_core::CountryCodes::bundled(),
    )
    .unwrap();
    ImportItem::Observations { profile, table }
}

/// Store items in one transaction, as `hemi_app` does (without its audit entry).
async fn import(
    store: &Store,
    items: Vec<ImportItem>,
    imported_at: &str,
    before_commit: impl FnOnce(),
) -> hemi_store::Result<Vec<hemi_store::ImportOutcome>> {
    let mut tx = store.begin().await?;
    let outcomes = tx.import(items, imported_at).await?;
    before_commit();
    tx.commit().await?;
    Ok(outcomes)
}

fn bundled(profile: &str, relative: &str) -> ImportItem {
    parse(profile, relative, &std::fs::read(data(relative)).unwrap())
}

async fn total(
    store: &Store,
    reporting: &str,
    from: &str,
    to: &str,
    nationality: Option<&str>,
) -> f64 {
    let filter = SeriesFilter {
        reporting: Some(reporting.into()),
        nationality: nationality.map(Into::into),
        breakdown: Some("nationality".into()),
        from: Some(from.into()),
        to: Some(to.into()),
        ..Default::default()
    };
    store
        .sums(&filter, false)
        .await
        .unwrap()
        .iter()
        .map(|r| r.value)
        .sum()
}

store_test!(
    bundled_flows_match_published_totals,
    |db: TestDb| async move {
        let store = Store::open(&db.url).await.unwrap();
        let items = vec![
            bundled(
                "panama_darien_nationality",
                "flows/panama_darien_transits_by_nationality.csv",
            ),
            bundled(
                "usa_swb_encounters",
                "flows/usa_southwest_border_encounters.csv",
            ),
            bundled(
                "mexico_presented_nationality",
                "flows/mexico_irregular_presented_by_nationality.csv",
            ),
        ];
        let outcomes = import(&store, items, "2026-11-26T00:00:00Z", || {})
            .await
            .unwrap();
        assert!(outcomes.iter().all(|o| o.vintage == Some(1)));
        // Panama SNM yearly Darién totals; CBP September 2021; UPM 2023 bulletin.
        assert_eq!(
            total(&store, "PAN", "2022", "2022-12", None).await,
            248_284.0
        );
        assert_eq!(
            total(&store, "PAN", "2023", "2023-12", None).await,
            520_085.0
        );
        assert_eq!(
            total(&store, "USA", "2021-09", "2021-09", None).await,
            192_001.0
        );
        assert_eq!(
            total(&store, "USA", "2021-09", "2021-09", Some("HTI")).await,
            17_638.0
        );
        assert_eq!(
            total(&store, "MEX", "2023-01", "2023-12", None).await,
            778_907.0
        );

        let pan_hti = store
            .list_series(&SeriesFilter {
                reporting: Some("PAN".into()),
                nationality: Some("HTI".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(pan_hti.len(), 1);
        assert_eq!(
            pan_hti[0].first_period, "2011",
            "annual totals kept as annual (first Haitians in 2011)"
        );
        assert_eq!(pan_hti[0].last_period, "2024-04");
    }
);

store_test!(
    identical_reimport_changes_nothing,
    |db: TestDb| async move {
        let store = Store::open(&db.url).await.unwrap();
        let item = || {
            bundled(
                "honduras_entries_nationality",
                "flows/honduras_irregular_entries_by_nationality.csv",
            )
        };
        import(&store, vec![item()], "2026-11-26T00:00:00Z", || {})
            .await
            .unwrap();
        let before = store.counts().await.unwrap();
        let outcome = import(&store, vec![item()], "2026-11-27T00:00:00Z", || {})
            .await
            .unwrap()
            .remove(0);
        assert!(outcome.identical);
        assert_eq!(outcome.vintage, None);
        assert_eq!(store.counts().await.unwrap(), before);
    }
);

store_test!(
    revision_is_a_new_vintage_and_old_state_stays_readable,
    |db: TestDb| async move {
        let store = Store::open(&db.url).await.unwrap();
        let first = b"month,nationality,count\n2021-08,HTI,100\n2021-09,HTI,200\n2021-09,CUB,7\n";
        // The publisher revises September, adds October and drops CUB (which must be kept).
        let second =
            b"month,nationality,count\n2021-08,HTI,100\n2021-09,HTI,250\n2021-10,HTI,300\n";
        let file = "honduras_irregular_entries_by_nationality.csv";
        let o1 = import(
            &store,
            vec![parse("honduras_entries_nationality", file, first)],
            "t1",
            || {},
        )
        .await
        .unwrap();
        assert_eq!((o1[0].new, o1[0].vintage), (3, Some(1)));
        let o2 = import(
            &store,
            vec![parse("honduras_entries_nationality", file, second)],
            "t2",
            || {},
        )
        .await
        .unwrap();
        assert_eq!(
            (o2[0].new, o2[0].changed, o2[0].unchanged, o2[0].absent),
            (1, 1, 1, 1)
        );
        assert_eq!(o2[0].vintage, Some(2));

        let at = |vintage: Option<i64>| SeriesFilter {
            reporting: Some("HND".into()),
            nationality: Some("HTI".into()),
            vintage,
            ..Default::default()
        };
        let latest: Vec<(String, f64)> = store
            .sums(&at(None), true)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.period, r.value))
            .collect();
        assert_eq!(
            latest,
            vec![
                ("2021-08".into(), 100.0),
                ("2021-09".into(), 250.0),
                ("2021-10".into(), 300.0)
            ]
        );
        let first_state: Vec<(String, f64)> = store
            .sums(&at(Some(1)), true)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.period, r.value))
            .collect();
        assert_eq!(
            first_state,
            vec![("2021-08".into(), 100.0), ("2021-09".into(), 200.0)]
        );
        let cub = SeriesFilter {
            nationality: Some("CUB".into()),
            ..Default::default()
        };
        assert_eq!(
            store.sums(&cub, true).await.unwrap()[0].value,
            7.0,
            "a month absent from a release is kept"
        );

        // Going back to the first release is a third vintage, not a no-op.
        let o3 = import(
            &store,
            vec![parse("honduras_entries_nationality", file, first)],
            "t3",
            || {},
        )
        .await
        .unwrap();
        assert_eq!((o3[0].changed, o3[0].vintage), (1, Some(3)));
    }
);

store_test!(
    totals_only_sum_the_nationality_breakdown,
    |db: TestDb| async move {
        let store = Store::open(&db.url).await.unwrap();
        import(
            &store,
            vec![bundled(
                "usa_swb_encounters",
                "flows/usa_southwest_border_encounters.csv",
            )],
            "t",
            || {},
        )
        .await
        .unwrap();
        let month = |m: &str| SeriesFilter {
            reporting: Some("USA".into()),
            from: Some(m.into()),
            to: Some(m.into()),
            ..Default::default()
        };
        // Before FY2020 CBP published only demographic rows; from 2019-10 rows carry a
        // citizenship. The two are separate breakdowns and never summed together.
        let before = store.sums(&month("2018-10"), false).await.unwrap();
        assert_eq!(
            before
                .iter()
                .map(|r| r.breakdown.as_str())
                .collect::<Vec<_>>(),
            ["demographic"]
        );
        let after = store.sums(&month("2021-09"), false).await.unwrap();
        assert_eq!(
            after
                .iter()
                .map(|r| r.breakdown.as_str())
                .collect::<Vec<_>>(),
            ["nationality"]
        );
        assert_eq!(after[0].value, 192_001.0);
    }
);

store_test!(countries_reference_loads_once, |db: TestDb| async move {
    let store = Store::open(&db.url).await.unwrap();
    let set = profiles();
    let profile = set.get("countries").unwrap().clone();
    let item = || ImportItem::Countries {
        profile: profile.clone(),
        file_name: "countries.csv".into(),
        sha256: "x".into(),
        bytes: 1,
        countries: hemi_core::CountryCodes::bundled()
            .all()
            .into_iter()
            .cloned()
            .collect(),
    };
    let first = import(&store, vec![item()], "t", || {})
        .await
        .unwrap()
        .remove(0);
    assert!(first.new > 250);
    let second = import(&store, vec![item()], "t", || {})
        .await
        .unwrap()
        .remove(0);
    assert_eq!((second.new, second.changed), (0, 0));
});
