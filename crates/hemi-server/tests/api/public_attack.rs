//! The attacker of issue 11, from outside: every public table the demo serves (each
//! portal table of every reporting country, measure and year with monthly data by
//! nationality; the burden-sharing indicators of both measures for the world, the
//! Americas and single origins) fetched over the JSON API on real bundled data, checked
//! to be functions of the perturbed cells only, then handed to the linear-programming
//! audit: no count may be narrowed to fewer than five possible values.

use std::collections::BTreeMap;
use std::sync::Arc;

use hemi_app::flows::{ImportFile, ImportOptions};
use hemi_app::progress::NoProgress;
use hemi_app::public::PROTECTION_WIDTH_PEOPLE;
use hemi_disclosure::{audit, AttackerModel, NoiseParameters, Protector, Unknown};
use hemi_indicators::{CellKind, Measure};
use hemi_store::SeriesFilter;

use super::{get_as, operator, TestApp};

/// Real bundled tables, cut to the years the public pages show so the test stays quick:
/// every monthly flow table, the newest stock year of each measure, denominators from 2020.
pub async fn import_real_public_data(app: &TestApp) {
    let root = hemi_testing::repo_root().join("data");
    let cut = |file: &str, keep: &dyn Fn(&[&str]) -> bool| {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let mut lines = text.lines();
        let mut out = String::from(lines.next().unwrap());
        out.push('\n');
        for line in lines.filter(|l| keep(&l.split(',').collect::<Vec<_>>())) {
            out.push_str(line);
            out.push('\n');
        }
        ImportFile::Bytes {
            name: file.rsplit('/').next().unwrap().to_owned(),
            content: Arc::new(out.into_bytes()),
        }
    };
    let mut files = vec![
        cut("context/undesa_international_migrant_stocks.csv", &|f| {
            f[1] == "2024"
        }),
        cut("context/unhcr_forcibly_displaced_stocks.csv", &|f| {
            f[1] == "2024"
        }),
        cut("context/world_bank_indicators.csv", &|f| f[2] >= "2020"),
    ];
    for entry in std::fs::read_dir(root.join("flows")).unwrap() {
        files.push(ImportFile::Path(entry.unwrap().path()));
    }
    app.app
        .import(
            &files,
            ImportOptions::default(),
            Arc::new(NoProgress),
            &operator(),
        )
        .await
        .unwrap();
}

/// What the attacker knows: the published noise parameters (not the key).
fn attackers_protector() -> Protector {
    Protector::new(
        NoiseParameters::default(),
        b"the attacker guesses some other key!",
    )
    .unwrap()
}

fn numbers(value: &serde_json::Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// Every cell a public answer showed, under one name, with the value shown: the same
/// cell must show the same value in every answer (no averaging of fresh noise).
#[derive(Default)]
struct Published {
    cells: BTreeMap<String, u64>,
}

impl Published {
    fn saw(&mut self, name: String, value: u64, answer: &str) {
        if let Some(before) = self.cells.insert(name.clone(), value) {
            assert_eq!(
                before, value,
                "{name} was {before} in one answer and {value} in {answer}"
            );
        }
    }
}

async fn portal_tables(
    app: &TestApp,
    model: &mut AttackerModel,
    published: &mut Published,
    protector: &Protector,
) -> Vec<Unknown> {
    let spans = app
        .store
        .list_series(&SeriesFilter {
            breakdown: Some("nationality".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut years: BTreeMap<(String, String), (i32, i32)> = BTreeMap::new();
    for s in spans.iter().filter(|s| s.first_period.len() == 7) {
        let (first, last) = (
            s.first_period[..4].parse().unwrap(),
            s.last_period[..4].parse().unwrap(),
        );
        let span = years
            .entry((s.reporting.clone(), s.measure.clone()))
            .or_insert((first, last));
        *span = (span.0.min(first), span.1.max(last));
    }
    assert!(
        years.len() >= 4,
        "the demo has monthly tables by nationality: {years:?}"
    );
    let blocked = u64::from(NoiseParameters::default().blocked_up_to_people);
    let mut protected = Vec::new();
    for ((reporting, measure), (first, last)) in &years {
        for year in *first..=*last {
            let uri = format!("/api/portal?reporting={reporting}&measure={measure}&year={year}");
            let answer = get_as(app, None, &uri).await;
            assert_eq!(answer.status, 200, "{uri}: {}", answer.body);
            let t = answer.json();
            let months: Vec<String> = t["months"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect();
            let mut column_sums = vec![0u64; months.len()];
            for row in t["rows"].as_array().unwrap() {
                let nationality = row["nationality"].as_str().unwrap();
                let cells = numbers(&row["months"]);
                assert_eq!(
                    row["total"].as_u64().unwrap(),
                    cells.iter().sum::<u64>(),
                    "{uri}: a row total is the sum of its published cells"
                );
                let mut parts = Vec::new();
                for ((month, &value), sum) in months.iter().zip(&cells).zip(&mut column_sums) {
                    assert!(
                        value == 0 || value > blocked,
                        "{uri}: {nationality} {month} shows {value}"
                    );
                    let name = format!("portal/{reporting}/{measure}/{nationality}/{month}");
                    published.saw(name.clone(), value, &uri);
                    let u = model.unknown(&name);
                    model.published_perturbed(u, value, protector).unwrap();
                    parts.push(u);
                    *sum += value;
                }
                let total = model.unknown(&format!(
                    "portal/{reporting}/{measure}/{nationality}/{year}"
                ));
                model.sum_equals(total, &parts);
                protected.extend(parts);
            }
            assert_eq!(
                numbers(&t["month_totals"]),
                column_sums,
                "{uri}: month totals are sums of published cells"
            );
        }
    }
    protected
}

/// The indicators answers of one measure: world and Americas, ranked three ways, and
/// single origins; every count must be the sum of the published cells of the host.
async fn indicator_answers(
    app: &TestApp,
    measure: Measure,
    model: &mut AttackerModel,
    published: &mut Published,
    protector: &Protector,
) -> Vec<Unknown> {
    let m = measure.as_str();
    let cells = app.app.public_stock_cells(measure, 2024, 2).await.unwrap();
    let mut hosted_sum: BTreeMap<&str, u64> = BTreeMap::new();
    let mut idps: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_origin: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut protected = Vec::new();
    let mut parts_of: BTreeMap<&str, Vec<Unknown>> = BTreeMap::new();
    for c in &cells.cells {
        let value = c.count as u64;
        assert_eq!(value as f64, c.count, "published cells are whole people");
        let name = match (c.kind, &c.origin) {
            (CellKind::Idp, _) => {
                idps.insert(&c.host, value);
                format!("stock/{m}/{}/idp", c.host)
            }
            (CellKind::Hosted, origin) => {
                *hosted_sum.entry(&c.host).or_default() += value;
                if let Some(o) = origin {
                    by_origin.insert((&c.host, o), value);
                }
                format!(
                    "stock/{m}/{}/{}",
                    c.host,
                    origin.as_deref().unwrap_or("ALL")
                )
            }
        };
        let u = model.unknown(&name);
        model.published_perturbed(u, value, protector).unwrap();
        if c.kind == CellKind::Hosted {
            parts_of.entry(&c.host).or_default().push(u);
        }
        protected.push(u);
    }
    for (host, parts) in &parts_of {
        let total = model.unknown(&format!("stock/{m}/{host}/total"));
        model.sum_equals(total, parts);
    }
    let origins = ["VEN", "COL", "HTI", "CUB", "NIC", "HND", "ALB", "SLV"];
    let mut uris: Vec<(String, Option<&str>)> = Vec::new();
    for scope in ["world", "americas"] {
        for rank_by in ["per_1000", "per_usd_million", "hosted"] {
            uris.push((
                format!("/api/indicators?measure={m}&year=2024&scope={scope}&rank_by={rank_by}"),
                None,
            ));
        }
        for o in origins {
            uris.push((
                format!("/api/indicators?measure={m}&year=2024&scope={scope}&origin={o}"),
                Some(o),
            ));
        }
    }
    let mut shown = 0;
    for (uri, origin) in &uris {
        let answer = get_as(app, None, uri).await;
        assert_eq!(answer.status, 200, "{uri}: {}", answer.body);
        let page = answer.json();
        for item in page["items"].as_array().unwrap() {
            let host = item["host"].as_str().unwrap();
            let hosted = item["hosted"].as_f64().unwrap();
            // A host shown with nobody hosted is there for its IDPs.
            let expected = match origin {
                Some(o) => by_origin.get(&(host, *o)).copied(),
                None => hosted_sum.get(host).copied(),
            };
            assert!(
                expected.is_some() || idps.contains_key(host),
                "{uri}: {host} is shown without a published cell"
            );
            assert_eq!(
                hosted as u64,
                expected.unwrap_or(0),
                "{uri}: {host} hosted is not made of the published cells"
            );
            published.saw(
                format!("{m}/{host}/{}", origin.unwrap_or("ALL")),
                hosted as u64,
                uri,
            );
            if let (Some(p), Some(r)) = (item["population"].as_f64(), item["per_1000"].as_f64()) {
                assert!(
                    (r - hosted / p * 1000.0).abs() <= 1e-9 * r.abs().max(1.0),
                    "{uri}: {host} per 1,000 is not of the published count"
                );
            }
            if let Some(i) = item["idps"].as_f64() {
                assert_eq!(
                    Some(i as u64),
                    idps.get(host).copied(),
                    "{uri}: {host} IDPs"
                );
            }
            shown += 1;
        }
    }
    assert!(shown > 500, "{m}: the answers showed {shown} rows");
    protected
}

pub async fn every_public_table_survives_the_attackers_audit(app: &TestApp) {
    import_real_public_data(app).await;
    let protector = attackers_protector();
    let mut model = AttackerModel::new();
    let mut published = Published::default();
    let mut protected = portal_tables(app, &mut model, &mut published, &protector).await;
    for measure in Measure::ALL {
        protected
            .extend(indicator_answers(app, measure, &mut model, &mut published, &protector).await);
    }
    assert!(protected.len() > 20_000, "{} cells", protected.len());
    let report = audit(&model, &protected, PROTECTION_WIDTH_PEOPLE, &|_, _| {}).unwrap();
    assert!(
        report.passed(),
        "{} of {} counts narrowed below {PROTECTION_WIDTH_PEOPLE} people, e.g. {:?}",
        report.too_narrow.len(),
        protected.len(),
        report.too_narrow.first()
    );
}
