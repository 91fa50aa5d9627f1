//! No look-ahead: the assessment of month `t` depends on `counts[..=t]` only.

use crate::support::{series, SERIES};
use hemi_warning::{all_detectors, Status};

#[test]
fn assess_never_reads_the_future() {
    let counts = series("panama_hti");
    for d in all_detectors() {
        for t in 0..counts.len() {
            assert_eq!(
                d.assess(&counts, t),
                d.assess(&counts[..=t], t),
                "{} t={t}",
                d.name()
            );
        }
    }
}

#[test]
fn future_values_do_not_matter() {
    // Replacing everything after t by garbage (even invalid values) changes nothing.
    let counts = series("usa_hti");
    for d in all_detectors() {
        for t in (0..counts.len()).step_by(5) {
            let mut poisoned = counts.clone();
            for v in poisoned.iter_mut().skip(t + 1) {
                *v = f64::NAN;
            }
            assert_eq!(
                d.assess(&counts, t),
                d.assess(&poisoned, t),
                "{} t={t}",
                d.name()
            );
        }
    }
}

#[test]
fn registry_names_are_stable() {
    let names: Vec<_> = all_detectors().iter().map(|d| d.name()).collect();
    assert_eq!(
        names,
        ["farrington", "ears_c1", "ears_c2", "ears_c3", "glrnb"]
    );
}

#[test]
fn early_points_have_no_bound_on_every_series() {
    for name in SERIES {
        let counts = series(name);
        for d in all_detectors() {
            let a = d.assess(&counts, 0);
            assert!(
                matches!(a.status, Status::InsufficientHistory { available: 1, .. }),
                "{}",
                d.name()
            );
            assert!(a.upper.is_none() && a.expected.is_none() && !a.alarm);
        }
    }
}

#[test]
fn gaps_are_reported_not_guessed() {
    let mut counts = series("honduras_cub");
    counts[30] = f64::NAN; // a month nobody filled
    for d in all_detectors() {
        let a = d.assess(&counts, 40);
        assert!(
            matches!(a.status, Status::InvalidInput { at: 30 }) || d.name().starts_with("ears"),
            "{} {:?}",
            d.name(),
            a.status
        );
        assert!(!a.alarm || a.status == Status::Ok);
    }
}
