//! Criterion bench: every detector over every point of a ~64-month real series
//! (Mexico, Haitians, first 64 months), as a monitoring run would do.

use criterion::{criterion_group, criterion_main, Criterion};
use hemi_warning::{all_detectors, GlrNb, GlrNbConfig};

fn series() -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test_data/series/mexico_hti.csv"
    );
    let text = std::fs::read_to_string(path).expect("fixture series");
    text.lines()
        .skip(1)
        .take(64)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let counts = series();
    for d in all_detectors() {
        c.bench_function(&format!("{}/64 months, every point", d.name()), |b| {
            b.iter(|| d.assess_all(std::hint::black_box(&counts)))
        });
    }
    let glr = GlrNb::new(GlrNbConfig::default());
    c.bench_function("glrnb/64 months, one sequential run", |b| {
        b.iter(|| glr.run(std::hint::black_box(&counts), counts.len() - 1))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
