//! Every row of every R fixture: expected, upper and score to 1e-6 relative, identical
//! alarms. Deliberate differences: none on these fixtures. For `glrnb` R's `upperbound`
//! (with `ret = "value"`) is the GLR statistic, compared with our `score`; our `upper`
//! is `None` (see crate docs).

use crate::support::{check, fixture, series, SERIES};
use hemi_warning::{
    Detector, Ears, EarsConfig, Farrington, FarringtonConfig, GlrNb, GlrNbConfig, Status,
};

/// Farrington configuration used by `make_fixtures.R` for a series of length `n`.
fn farrington_for(n: usize) -> FarringtonConfig {
    FarringtonConfig::monthly(if n >= 72 {
        3
    } else if n >= 54 {
        2
    } else {
        1
    })
}

fn compare(method: &str, make: impl Fn(usize) -> Box<dyn Detector>, score_from_upper: bool) -> f64 {
    let mut max_rel: f64 = 0.0;
    let mut rows_seen = 0;
    for name in SERIES {
        let counts = series(name);
        let det = make(counts.len());
        let rows = fixture(method, name);
        assert!(!rows.is_empty());
        for r in rows {
            let a = det.assess(&counts, r.t);
            let ctx = format!("{method}/{name} t={}", r.t);
            assert_eq!(a.observed, r.observed, "{ctx}: observed");
            if score_from_upper || r.upper.is_some() {
                assert_eq!(a.status, Status::Ok, "{ctx}");
            } else {
                // R gives NA: limit54 (Farrington) or a 0/0 statistic (EARS C3).
                assert!(
                    matches!(
                        a.status,
                        Status::TooFewCases { .. } | Status::Undefined { .. }
                    ),
                    "{ctx}: {:?}",
                    a.status
                );
                assert!(!a.alarm, "{ctx}: alarm without a bound");
            }
            max_rel = max_rel.max(check("expected", &ctx, a.expected, r.expected));
            if score_from_upper {
                max_rel = max_rel.max(check("statistic", &ctx, a.score, r.score));
                assert_eq!(a.upper, None);
            } else {
                max_rel = max_rel.max(check("upper", &ctx, a.upper, r.upper));
                max_rel = max_rel.max(check("score", &ctx, a.score, r.score));
            }
            assert_eq!(a.alarm, r.alarm.unwrap_or(false), "{ctx}: alarm");
            rows_seen += 1;
        }
    }
    eprintln!("{method}: {rows_seen} rows, max relative difference to R {max_rel:e}");
    max_rel
}

#[test]
fn farrington_matches_r() {
    compare(
        "farrington",
        |n| Box::new(Farrington::new(farrington_for(n))),
        false,
    );
}

#[test]
fn ears_c1_matches_r() {
    compare("ears_c1", |_| Box::new(Ears::new(EarsConfig::c1())), false);
}

#[test]
fn ears_c2_matches_r() {
    compare("ears_c2", |_| Box::new(Ears::new(EarsConfig::c2())), false);
}

#[test]
fn ears_c3_matches_r() {
    compare("ears_c3", |_| Box::new(Ears::new(EarsConfig::c3())), false);
}

#[test]
fn glrnb_matches_r() {
    compare(
        "glrnb",
        |_| Box::new(GlrNb::new(GlrNbConfig::default())),
        true,
    );
}

#[test]
fn glrnb_run_equals_pointwise_assess() {
    let counts = series("honduras_hti");
    let d = GlrNb::new(GlrNbConfig::default());
    let run = d.run(&counts, counts.len() - 1);
    for a in &run {
        assert_eq!(*a, d.assess(&counts, a.index));
    }
}

#[test]
fn assess_all_equals_pointwise_assess_for_every_detector() {
    // replay relies on this: the one-pass `assess_all` must give, for every month t,
    // exactly what assessing the series cut at t gives.
    for name in ["honduras_hti", "panama_hti", "usa_hti"] {
        let counts = series(name);
        for d in hemi_warning::all_detectors() {
            let all = d.assess_all(&counts);
            assert_eq!(all.len(), counts.len());
            for (t, a) in all.iter().enumerate() {
                assert_eq!(
                    *a,
                    d.assess(&counts[..=t], t),
                    "{} on {name} at {t}",
                    d.name()
                );
            }
        }
    }
}
