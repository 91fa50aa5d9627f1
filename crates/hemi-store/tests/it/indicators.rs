//! Burden-sharing indicators read from stored context tables, checked against the
//! figures their publishers printed (`crates/hemi-indicators/test_data/published_figures.csv`).

use crate::import;
use hemi_indicators::{compute, Measure, Options, RankBy};
use hemi_store::Store;
use hemi_testing::{data, repo_root, store_test, TestDb};

use crate::parse;

/// The bundled file cut to the rows `keep` accepts (header kept), so each backend
/// imports thousands of rows rather than hundreds of thousands.
fn cut(profile: &str, relative: &str, keep: impl Fn(&[&str]) -> bool) -> hemi_store::ImportItem {
    let text = std::fs::read_to_string(data(relative)).unwrap();
    let mut lines = text.lines();
    let mut out = String::from(lines.next().unwrap());
    out.push('\n');
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        if keep(&fields) {
            out.push_str(line);
            out.push('\n');
        }
    }
    parse(profile, relative, out.as_bytes())
}

async fn store_with_context(db: &TestDb) -> Store {
    let store = Store::open(&db.url).await.unwrap();
    let items = vec![
        cut(
            "undesa_migrant_stocks",
            "context/undesa_international_migrant_stocks.csv",
            |f| f[1] == "2024",
        ),
        cut(
            "unhcr_displaced_stocks",
            "context/unhcr_forcibly_displaced_stocks.csv",
            |f| f[1] == "2023",
        ),
        cut(
            "world_bank_indicators",
            "context/world_bank_indicators.csv",
            |f| (f[1] == "pop" || f[1] == "gdp") && f[2] >= "2022",
        ),
    ];
    import(&store, items, "2026-11-26T00:00:00Z", || {})
        .await
        .unwrap();
    store
}

#[derive(Debug, serde::Deserialize)]
struct Published {
    id: String,
    publication: String,
    host: String,
    origin: String,
    year: i32,
    measure: String,
    published_value: f64,
    relation: String,
    tolerance_pct: f64,
    ratio_min: Option<f64>,
    ratio_max: Option<f64>,
}

fn published() -> Vec<Published> {
    let path = repo_root().join("crates/hemi-indicators/test_data/published_figures.csv");
    csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect()
}

store_test!(
    indicators_match_published_figures,
    |db: TestDb| async move {
        let store = store_with_context(&db).await;
        assert_eq!(
            store.indicator_years(Measure::Undesa).await.unwrap(),
            [2024]
        );
        let figures = published();
        assert!(figures.len() >= 9);
        for f in &figures {
            let measure = if f.measure == "undesa" {
                Measure::Undesa
            } else {
                Measure::Unhcr
            };
            let origin = (!f.origin.is_empty()).then(|| f.origin.clone());
            // IDPs are stored with the host as origin; they are read without an origin filter.
            let asked_origin = if f.measure == "unhcr_idps" {
                None
            } else {
                origin.clone()
            };
            let inputs = store
                .indicator_inputs(measure, f.year, asked_origin.as_deref(), 1)
                .await
                .unwrap();
            let options = Options {
                measure,
                year: f.year,
                origin: asked_origin,
                region: None,
                max_denominator_lag_years: 1,
                rank_by: RankBy::Per1000,
            };
            let rows = compute(
                &inputs.counts,
                &inputs.population,
                &inputs.gdp_usd,
                &options,
            )
            .rows;
            let ours: f64 = rows
                .iter()
                .filter(|r| f.host == "*" || r.host == f.host)
                .map(|r| {
                    if f.measure == "unhcr_idps" {
                        r.idps.unwrap_or(0.0)
                    } else {
                        r.hosted
                    }
                })
                .sum();
            let ratio = ours / f.published_value;
            let within = (ratio - 1.0).abs() * 100.0 <= f.tolerance_pct;
            match f.relation.as_str() {
                "match" => assert!(
                    within,
                    "{}: {} publishes {}, we have {ours} ({:+.1}%)",
                    f.id,
                    f.publication,
                    f.published_value,
                    (ratio - 1.0) * 100.0
                ),
                "gap" => {
                    let (lo, hi) = (f.ratio_min.unwrap(), f.ratio_max.unwrap());
                    assert!(
                        !within && (lo..=hi).contains(&ratio),
                        "{}: documented gap {lo}..{hi} of {}, we have {ours} (ratio {ratio:.3})",
                        f.id,
                        f.published_value
                    );
                }
                other => panic!("{}: relation {other:?}", f.id),
            }
        }
    }
);

store_test!(
    indicators_ratios_and_missing_denominators,
    |db: TestDb| async move {
        let store = store_with_context(&db).await;
        let options = |lag| Options {
            measure: Measure::Undesa,
            year: 2024,
            origin: Some("VEN".into()),
            region: Some("Americas".into()),
            max_denominator_lag_years: lag,
            rank_by: RankBy::Per1000,
        };
        // The World Bank table ends in 2023: for 2024 counts, same-year ratios do not exist.
        let same_year = store
            .indicator_inputs(Measure::Undesa, 2024, Some("VEN"), 0)
            .await
            .unwrap();
        assert!(same_year.population.is_empty() && !same_year.counts.is_empty());
        let strict = compute(
            &same_year.counts,
            &same_year.population,
            &same_year.gdp_usd,
            &options(0),
        );
        assert!(strict
            .rows
            .iter()
            .all(|r| r.per_1000.is_none() && r.rank.is_none()));

        let inputs = store
            .indicator_inputs(Measure::Undesa, 2024, Some("VEN"), 1)
            .await
            .unwrap();
        let result = compute(
            &inputs.counts,
            &inputs.population,
            &inputs.gdp_usd,
            &options(1),
        );
        let col = result.rows.iter().find(|r| r.host == "COL").unwrap();
        assert_eq!(col.hosted, 2_904_873.0);
        assert_eq!(col.population_year, Some(2023));
        assert_eq!(col.population, Some(52_321_152.000000015));
        // 2,904,873 / 52,321,152 * 1000 and 2,904,873 / 363,493.8 (USD million, current).
        assert!(
            (col.per_1000.unwrap() - 55.52).abs() < 0.01,
            "{:?}",
            col.per_1000
        );
        assert!(
            (col.per_usd_million.unwrap() - 7.99).abs() < 0.01,
            "{:?}",
            col.per_usd_million
        );
        // Aruba and Curaçao host more Venezuelans per inhabitant than Colombia does.
        let rank = |host: &str| {
            result
                .rows
                .iter()
                .find(|r| r.host == host)
                .and_then(|r| r.rank)
        };
        assert!(rank("ABW") < rank("COL") && rank("COL").is_some());
        assert!(result.rows.iter().all(|r| r.host != "ESP"), "Americas only");
        assert!(result.unrecognised.is_empty());
    }
);
