//! Prints the figures reported in BENCHMARKS.md and the report: what the attacker's LP
//! recovers from the old method's outputs, how wide the new method keeps every count,
//! what the noise costs, and how long protecting and auditing take.
//!
//! Run: `cargo run --release -p hemi-disclosure --example figures`

#[path = "../tests/it/before.rs"]
#[allow(dead_code)]
mod before;
#[path = "../tests/it/data.rs"]
#[allow(dead_code)]
mod data;
#[path = "../tests/it/publish.rs"]
#[allow(dead_code)]
mod publish;

use std::collections::BTreeMap;
use std::time::Instant;

use hemi_disclosure::{audit, AuditReport, NoiseParameters, Protector};
use hemi_indicators::{Measure, RankBy};
use publish::*;

/// Same tolerance helper as the tests.
pub fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + b.abs())
}

const WIDTH: f64 = hemi_disclosure::DEFAULT_PROTECTION_WIDTH_PEOPLE;

fn summary(report: &AuditReport) -> String {
    let pinned = report
        .intervals
        .iter()
        .filter(|i| i.width_people == 0.0)
        .count();
    let min_width = report
        .intervals
        .iter()
        .map(|i| i.width_people)
        .fold(f64::INFINITY, f64::min);
    format!(
        "{} audited, {} pinned to one value, {} narrower than {WIDTH}, min width {min_width}, {} LPs",
        report.intervals.len(),
        pinned,
        report.too_narrow.len(),
        report.linear_programs_solved
    )
}

fn main() {
    let protector = Protector::new(
        NoiseParameters::default(),
        b"hemi-disclosure figures: not a secret key",
    )
    .unwrap();
    let denominators = data::denominators();

    println!("## Portal tables (nationality x month, every reporting country and year)");
    for (reporting, file) in data::FLOW_FILES {
        for (year, rows) in data::monthly_by_nationality(file) {
            let table = PortalTable::new(reporting, year, &rows);
            let cells: Vec<Vec<f64>> = table
                .counts
                .iter()
                .map(|r| r.iter().map(|&v| v as f64).collect())
                .collect();
            let old = before::protect(&cells, before::THRESHOLD);
            let (model, hidden) = portal_before_model(&table, &old);
            let before_report = audit(&model, &hidden, WIDTH, &|_, _| {});
            let start = Instant::now();
            let new = protector.protect_table(&table.counts()).unwrap();
            let protect_ms = start.elapsed().as_secs_f64() * 1e3;
            let (model, all) = portal_after_model(&table, &new, &protector);
            let start = Instant::now();
            let after_report = audit(&model, &all, WIDTH, &|_, _| {}).unwrap();
            let audit_ms = start.elapsed().as_secs_f64() * 1e3;
            let true_total: u64 = table.counts.iter().flatten().sum();
            let total_error = new.grand_total_people as f64 - true_total as f64;
            let (mut changed, mut abs_noise, mut n) = (0, 0u64, 0);
            let shown: BTreeMap<&String, &Vec<u64>> =
                new.row_keys.iter().zip(&new.cells_people).collect();
            for (k, nat) in table.nationalities.iter().enumerate() {
                for j in 0..12 {
                    let p = shown.get(nat).map_or(0, |r| r[j]);
                    let t = table.counts[k][j];
                    changed += usize::from(p != t);
                    abs_noise += p.abs_diff(t);
                    n += 1;
                }
            }
            println!(
                "{reporting} {year}: {} rows; before: {}; after: {}; protect {protect_ms:.3} ms, audit {audit_ms:.1} ms; {:.1}% of cells changed, mean |noise| {:.2}, grand total {} vs true {true_total} ({:+.0})",
                table.nationalities.len(),
                before_report.map(|r| summary(&r)).unwrap_or_else(|e| format!("LP error {e}")),
                summary(&after_report),
                100.0 * changed as f64 / n as f64,
                abs_noise as f64 / n as f64,
                new.grand_total_people,
                total_error,
            );
        }
    }

    println!(
        "## Portal tables with ABS-style totals (each total perturbed as its own cell, not summed)"
    );
    let (mut narrowed, mut audited, mut worst) = (0, 0, f64::INFINITY);
    for (reporting, file) in data::FLOW_FILES {
        for (year, rows) in data::monthly_by_nationality(file) {
            let table = PortalTable::new(reporting, year, &rows);
            let base = hemi_disclosure::CellIdentity::new("flows").with("reporting", reporting);
            let months = table.months();
            let mut m = hemi_disclosure::AttackerModel::new();
            let mut cells = Vec::new();
            let mut columns: Vec<Vec<hemi_disclosure::Unknown>> = vec![Vec::new(); 12];
            let published = |m: &mut hemi_disclosure::AttackerModel,
                             name: String,
                             id: hemi_disclosure::CellIdentity,
                             count: u64| {
                let u = m.unknown(&name);
                m.published_perturbed(u, protector.protect_count(&id, count), &protector)
                    .unwrap();
                u
            };
            let mut column_sums = [0u64; 12];
            for (k, n) in table.nationalities.iter().enumerate() {
                let mut line = Vec::new();
                for j in 0..12 {
                    let id = base
                        .clone()
                        .with("nationality", n)
                        .with("month", &months[j]);
                    let u = published(&mut m, format!("{n}/{j}"), id, table.counts[k][j]);
                    line.push(u);
                    columns[j].push(u);
                    column_sums[j] += table.counts[k][j];
                }
                let row_total: u64 = table.counts[k].iter().sum();
                let t = published(
                    &mut m,
                    format!("{n}/total"),
                    base.clone().with("nationality", n).with("month", "total"),
                    row_total,
                );
                m.sum_equals(t, &line);
                cells.extend(line);
            }
            let mut column_totals = Vec::new();
            for j in 0..12 {
                let t = published(
                    &mut m,
                    format!("total/{j}"),
                    base.clone()
                        .with("nationality", "total")
                        .with("month", &months[j]),
                    column_sums[j],
                );
                m.sum_equals(t, &columns[j]);
                column_totals.push(t);
            }
            let grand = published(
                &mut m,
                "total/total".into(),
                base.clone()
                    .with("nationality", "total")
                    .with("month", "total"),
                column_sums.iter().sum(),
            );
            m.sum_equals(grand, &column_totals);
            let report = audit(&m, &cells, WIDTH, &|_, _| {}).unwrap();
            narrowed += report.too_narrow.len();
            audited += report.intervals.len();
            worst = report
                .intervals
                .iter()
                .map(|i| i.width_people)
                .fold(worst, f64::min);
        }
    }
    println!("all portal tables: {audited} cells audited, {narrowed} narrower than {WIDTH}, narrowest {worst}");

    for (measure, year) in [
        (Measure::Undesa, 2024),
        (Measure::Undesa, 2020),
        (Measure::Unhcr, 2024),
    ] {
        println!("## /api/indicators, {measure} {year}, world scope");
        let counts = match measure {
            Measure::Undesa => data::undesa_counts(year),
            Measure::Unhcr => data::unhcr_counts(year),
        };
        let base = base_cells(&counts, measure);
        let mut origins: Vec<Option<String>> = base.keys().map(|(_, o)| Some(o.clone())).collect();
        origins.sort();
        origins.dedup();
        let with_totals: Vec<Option<String>> = origins.iter().cloned().chain([None]).collect();

        let views = before_views(&counts, &denominators, measure, year, &origins, &RANKINGS);
        let (model, hidden) = before_model(&views, true, false);
        let start = Instant::now();
        match audit(&model, &hidden, WIDTH, &|_, _| {}) {
            Ok(r) => println!(
                "before, ranks and ratios (every origin, 3 rankings): {} ({:.1} s)",
                summary(&r),
                start.elapsed().as_secs_f64()
            ),
            Err(e) => println!("before, ranks: LP error {e}"),
        }
        let views = before_views(
            &counts,
            &denominators,
            measure,
            year,
            &with_totals,
            &[RankBy::Hosted],
        );
        let (model, hidden) = before_model(&views, false, true);
        match audit(&model, &hidden, WIDTH, &|_, _| {}) {
            Ok(r) => println!("before, host totals minus origins: {}", summary(&r)),
            Err(e) => println!("before, totals: LP error {e}"),
        }

        let start = Instant::now();
        let perturbed = perturbed_counts(&protector, measure, year, &base);
        let perturb_ms = start.elapsed().as_secs_f64() * 1e3;
        let start = Instant::now();
        let totals = hemi_indicators::compute(
            &perturbed,
            &denominators.0,
            &denominators.1,
            &hemi_indicators::Options {
                measure,
                year,
                origin: None,
                region: None,
                max_denominator_lag_years: 1,
                rank_by: RankBy::Per1000,
            },
        );
        let compute_ms = start.elapsed().as_secs_f64() * 1e3;
        let truth = hemi_indicators::compute(
            &counts,
            &denominators.0,
            &denominators.1,
            &hemi_indicators::Options {
                measure,
                year,
                origin: None,
                region: None,
                max_denominator_lag_years: 1,
                rank_by: RankBy::Per1000,
            },
        );
        let true_top: Vec<&str> = truth
            .rows
            .iter()
            .take(10)
            .map(|r| r.host.as_str())
            .collect();
        let new_top: Vec<&str> = totals
            .rows
            .iter()
            .take(10)
            .map(|r| r.host.as_str())
            .collect();
        let true_by_host: BTreeMap<&str, f64> = truth
            .rows
            .iter()
            .map(|r| (r.host.as_str(), r.hosted))
            .collect();
        let worst_relative = totals
            .rows
            .iter()
            .filter_map(|r| {
                true_by_host
                    .get(r.host.as_str())
                    .filter(|t| **t >= 1000.0)
                    .map(|t| (r.hosted - t).abs() / t)
            })
            .fold(0.0, f64::max);
        let views = after_views(
            &perturbed,
            &denominators,
            measure,
            year,
            &with_totals,
            &RANKINGS,
        );
        let (model, cells) = after_model(&views, &base, &protector);
        let start = Instant::now();
        let report = audit(&model, &cells, WIDTH, &|_, _| {}).unwrap();
        println!(
            "after: {} ({:.1} s); perturbing {} base cells {perturb_ms:.2} ms, host totals + ratios + ranks {compute_ms:.2} ms; top 10 by per_1000 identical: {}; worst relative error of a host total >= 1000: {:.4}%",
            summary(&report),
            start.elapsed().as_secs_f64(),
            base.len(),
            true_top == new_top,
            100.0 * worst_relative
        );
    }

    println!("## Serving times (median of repeated runs)");
    let median = |mut samples: Vec<f64>| {
        samples.sort_by(f64::total_cmp);
        samples[samples.len() / 2]
    };
    let build: Vec<f64> = (0..50)
        .map(|_| {
            let start = Instant::now();
            let p = Protector::new(
                NoiseParameters::default(),
                b"hemi-disclosure figures: not a secret key",
            )
            .unwrap();
            std::hint::black_box(&p);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "Protector::new (ptable D=5, V=3, js=2): {:.3} ms",
        median(build)
    );
    let flows = data::monthly_by_nationality(data::FLOW_FILES[0].1);
    let table = PortalTable::new("PAN", 2023, &flows[&2023]).counts();
    let portal: Vec<f64> = (0..200)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(protector.protect_table(&table).unwrap());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "protect_table PAN 2023 ({} x 12 cells): {:.3} ms",
        table.row_keys.len(),
        median(portal)
    );
    let counts = data::undesa_counts(2024);
    let base = base_cells(&counts, Measure::Undesa);
    let year: Vec<f64> = (0..20)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(perturbed_counts(&protector, Measure::Undesa, 2024, &base));
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "protect_count over UN DESA 2024 ({} base cells): {:.3} ms",
        base.len(),
        median(year)
    );
}
