//! The three attacks of issue 11 that worked against the portal and `/api/indicators`,
//! each run against the old method (it leaks) and the new one (the audit passes), on the
//! bundled data.

use std::collections::BTreeMap;

use hemi_disclosure::{audit, AuditReport, NoiseParameters, Protector};
use hemi_indicators::Measure;

use crate::before;
use crate::data;
use crate::publish::{
    after_model, after_views, base_cells, before_model, before_views, perturbed_counts,
    portal_after_model, portal_before_model, PortalTable, RANKINGS,
};
use crate::WIDTH;

fn protector() -> Protector {
    Protector::new(NoiseParameters::default(), crate::TEST_KEY).unwrap()
}

/// Exactly the unknowns pinned to a single whole number.
fn pinned(report: &AuditReport) -> Vec<&str> {
    report
        .intervals
        .iter()
        .filter(|i| i.width_people == 0.0)
        .map(|i| i.name.as_str())
        .collect()
}

fn check_interval(report: &AuditReport, name: &str, minimum: f64, maximum: f64) {
    let interval = report
        .interval(name)
        .unwrap_or_else(|| panic!("{name} was not audited"));
    assert!(
        interval.minimum_people >= minimum - 1e-6 && interval.maximum_people <= maximum + 1e-6,
        "{name}: {interval:?}, expected within {minimum}..={maximum}"
    );
}

#[test]
fn rank_attack_on_indicators_pins_liechtenstein_alb_before_and_nothing_after() {
    let counts = data::undesa_counts(2024);
    let denominators = data::denominators();
    let origins = [Some("ALB".to_owned())];

    // Before: the row is blanked but keeps rank 24 between HUN and LBY.
    let views = before_views(
        &counts,
        &denominators,
        Measure::Undesa,
        2024,
        &origins,
        &RANKINGS,
    );
    let by_per_1000 = &views[0].items;
    let at = by_per_1000.iter().position(|i| i.host == "LIE").unwrap();
    assert!(by_per_1000[at].suppressed && by_per_1000[at].rank == Some(24));
    assert_eq!(
        (
            by_per_1000[at - 1].host.as_str(),
            by_per_1000[at + 1].host.as_str()
        ),
        ("HUN", "LBY")
    );
    let (model, hidden) = before_model(&views, true, false);
    let report = audit(&model, &hidden, WIDTH, &|_, _| {}).unwrap();
    check_interval(&report, "LIE/ALB", 1.83, 2.43);
    assert!(
        pinned(&report).contains(&"LIE/ALB"),
        "{:?}",
        report.interval("LIE/ALB")
    );
    assert!(!report.passed());

    // After: every ALB cell perturbed, ratios and ranks from perturbed counts.
    let protector = protector();
    let base: BTreeMap<(String, String), u64> = base_cells(&counts, Measure::Undesa)
        .into_iter()
        .filter(|((_, origin), _)| origin == "ALB")
        .collect();
    let perturbed = perturbed_counts(&protector, Measure::Undesa, 2024, &base);
    let views = after_views(
        &perturbed,
        &denominators,
        Measure::Undesa,
        2024,
        &origins,
        &RANKINGS,
    );
    let (model, cells) = after_model(&views, &base, &protector);
    let report = audit(&model, &cells, WIDTH, &|_, _| {}).unwrap();
    assert!(report.passed(), "{:?}", report.too_narrow);
    assert!(report.interval("LIE/ALB").unwrap().width_people >= WIDTH);
}

#[test]
fn host_total_minus_published_origins_pins_denmark_in_the_central_african_republic_before_and_nothing_after(
) {
    let counts = data::undesa_counts(2024);
    let denominators = data::denominators();
    let base = base_cells(&counts, Measure::Undesa);
    let mut origins: Vec<Option<String>> = base.keys().map(|(_, o)| Some(o.clone())).collect();
    origins.sort();
    origins.dedup();
    origins.push(None);
    // One ranking suffices for the subtraction; the rank attack is the test above.
    let rankings = [hemi_indicators::RankBy::Hosted];

    let views = before_views(
        &counts,
        &denominators,
        Measure::Undesa,
        2024,
        &origins,
        &rankings,
    );
    let (model, hidden) = before_model(&views, false, true);
    let report = audit(&model, &hidden, WIDTH, &|_, _| {}).unwrap();
    check_interval(&report, "CAF/DNK", 1.0, 1.0);
    assert!(pinned(&report).len() >= 7, "{:?}", pinned(&report));

    let protector = protector();
    let perturbed = perturbed_counts(&protector, Measure::Undesa, 2024, &base);
    let views = after_views(
        &perturbed,
        &denominators,
        Measure::Undesa,
        2024,
        &origins,
        &rankings,
    );
    let (model, cells) = after_model(&views, &base, &protector);
    let report = audit(&model, &cells, WIDTH, &|_, _| {}).unwrap();
    assert!(report.passed(), "{:?}", report.too_narrow);
    assert!(report.interval("CAF/DNK").unwrap().width_people >= WIDTH);
}

#[test]
fn portal_rows_columns_and_margins_pin_kyrgyz_nationals_in_panama_2023_before_and_nothing_after() {
    let flows = data::monthly_by_nationality(data::FLOW_FILES[0].1);
    let table = PortalTable::new("PAN", 2023, &flows[&2023]);

    let cells: Vec<Vec<f64>> = table
        .counts
        .iter()
        .map(|r| r.iter().map(|&v| v as f64).collect())
        .collect();
    let published = before::protect(&cells, before::THRESHOLD);
    let (model, hidden) = portal_before_model(&table, &published);
    let report = audit(&model, &hidden, WIDTH, &|_, _| {}).unwrap();
    check_interval(&report, "KGZ/2023-05", 2.0, 2.0);
    check_interval(&report, "KGZ/2023-12", 5.0, 5.0);
    assert!(!report.passed());

    let protector = protector();
    let published = protector.protect_table(&table.counts()).unwrap();
    let (model, cells) = portal_after_model(&table, &published, &protector);
    let report = audit(&model, &cells, WIDTH, &|_, _| {}).unwrap();
    assert!(report.passed(), "{:?}", report.too_narrow);
    assert_eq!(report.intervals.len(), table.nationalities.len() * 12);
}
