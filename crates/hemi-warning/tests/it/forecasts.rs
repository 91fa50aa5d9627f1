//! One forecast per series and month, the backtest on real series, the reference run
//! of R `forecast` (fixture `test_data/forecast_ref/r_backtest.csv`, made by
//! `test_data/forecast_ref/backtest_forecast.R`), and which corridors qualify.

use std::collections::HashMap;

use hemi_core::Period;
use hemi_warning::forecast::{
    backtest, corridor_qualification, forecast, BacktestRow, BacktestSeries, BacktestSpec, Method,
    CHOSEN_METHOD,
};

use crate::realdata::{all_watched_series, series};

/// Relative tolerance of our ETS and theta MASE against R's (different optimisers and
/// initial states: augurs-ets vs forecast::ets, our least-squares SES vs forecast::ses).
const REFERENCE_REL_TOL: f64 = 0.15;

fn spec(which: &str) -> BacktestSpec {
    if which == "select" {
        BacktestSpec::SELECTION
    } else {
        BacktestSpec::TEST
    }
}

fn set() -> Vec<BacktestSeries> {
    all_watched_series()
        .into_iter()
        .map(|series| BacktestSeries {
            series,
            upstream: None,
        })
        .collect()
}

#[test]
fn one_forecast_per_series_and_month() {
    let usa = series("USA", "HTI");
    let as_of = Period::Month(2021, 9);
    let rows = forecast(&usa, as_of, 6).unwrap();
    assert_eq!(rows.len(), 6);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.month, as_of.offset(i as i32 + 1));
        assert_eq!(r.method, CHOSEN_METHOD.name());
        assert!(
            r.lower80 <= r.point && r.point <= r.upper80 && r.lower80 >= 0.0,
            "{r:?}"
        );
    }
    // Intervals widen with the horizon.
    assert!(rows[5].upper80 - rows[5].lower80 > rows[0].upper80 - rows[0].lower80);
    // Future values are never read.
    let mut poisoned = usa.clone();
    let t = usa.index_of(as_of).unwrap();
    for v in poisoned.values.iter_mut().skip(t + 1) {
        *v = 1e9;
    }
    assert_eq!(forecast(&poisoned, as_of, 6).unwrap(), rows);
}

/// `(period, method, horizon) -> (forecasts, mase, coverage, interval score)` from R.
type Reference = HashMap<(String, String, usize), (usize, f64, f64, f64)>;

fn reference() -> Reference {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test_data/forecast_ref/r_backtest.csv"),
    )
    .unwrap();
    let num = |s: &str| {
        if s == "NA" {
            f64::NAN
        } else {
            s.parse().unwrap()
        }
    };
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (f[0].to_owned(), f[1].to_owned(), f[2].parse().unwrap()),
                (
                    f[3].parse::<f64>().unwrap() as usize,
                    num(f[4]),
                    num(f[5]),
                    num(f[6]),
                ),
            )
        })
        .collect()
}

fn print(which: &str, rows: &[BacktestRow], r: &Reference) {
    let naive = rows.iter().find(|x| x.method == "naive").unwrap().mase();
    let r_naive = r[&(which.to_owned(), "naive".to_owned(), 0)].1;
    for row in rows {
        let reference = r.get(&(which.to_owned(), row.method.to_owned(), 0));
        println!(
            "{which} {:<12} n {} MASE {:.3} ({:.3}x naive) coverage {:.3} interval score {:.1} | R: {}",
            row.method,
            row.pooled.forecasts,
            row.mase(),
            row.mase() / naive,
            row.pooled.coverage80,
            row.pooled.interval_score80,
            reference.map_or("–".into(), |x| format!(
                "MASE {:.3} ({:.3}x naive) coverage {:.3} interval score {:.1}",
                x.1,
                x.1 / r_naive,
                x.2,
                x.3
            ))
        );
        for h in &row.by_horizon {
            let rh = r.get(&(which.to_owned(), row.method.to_owned(), h.horizon));
            println!(
                "    h{} MASE {:.3} coverage {:.3} score {:.1} | R {}",
                h.horizon,
                h.mase,
                h.coverage80,
                h.interval_score80,
                rh.map_or("–".into(), |x| format!(
                    "{:.3} {:.3} {:.1}",
                    x.1, x.2, x.3
                ))
            );
        }
    }
}

/// The same backtest as the R reference: the naive forecasts are identical by
/// construction, so their MASE must agree to rounding (this checks the series set,
/// the selection by level, the scale and the outcomes); ETS and theta agree within
/// `REFERENCE_REL_TOL`. Both periods; figures printed for data/labels/README.md.
#[test]
fn backtest_matches_the_r_forecast_reference() {
    let r = reference();
    let set = set();
    for which in ["select", "test"] {
        let rows = backtest(&set, &spec(which), &Method::SINGLE, &|_, _| {});
        print(which, &rows, &r);
        for row in &rows {
            let Some(x) = r.get(&(which.to_owned(), row.method.to_owned(), 0)) else {
                continue;
            };
            assert_eq!(row.pooled.forecasts, x.0, "{which} {}", row.method);
            let rel = (row.mase() - x.1).abs() / x.1;
            let tol = if row.method == "naive" {
                1e-9
            } else {
                REFERENCE_REL_TOL
            };
            assert!(
                rel <= tol,
                "{which} {}: ours {} R {} (rel {rel})",
                row.method,
                row.mase(),
                x.1
            );
        }
    }
}

/// The corridor projection is offered only where its own backtest (origins and
/// outcomes before the month shown) beats naive; the answer does not read later data.
#[test]
fn corridors_qualify_only_where_they_beat_naive() {
    let as_of = Period::Month(2023, 12);
    let pairs: Vec<BacktestSeries> = ["HTI", "VEN", "CUB", "ECU", "CHN"]
        .iter()
        .flat_map(|n| {
            ["HND", "MEX", "USA"]
                .into_iter()
                .map(move |c| BacktestSeries {
                    series: series(c, n),
                    upstream: Some(series("PAN", n)),
                })
        })
        .collect();
    let from = Period::Month(2021, 6);
    let q = corridor_qualification(&pairs, from, as_of.offset(-1), as_of, 3);
    for c in &q {
        println!(
            "{} -> {}: corridor MASE {:.3} coverage {:.2} | naive MASE {:.3} coverage {:.2} | offered {}",
            c.upstream, c.downstream, c.corridor.mase, c.corridor.coverage80, c.naive.mase, c.naive.coverage80, c.qualifies
        );
        assert_eq!(c.qualifies, c.corridor.mase < c.naive.mase);
        assert_eq!(c.corridor.forecasts, c.naive.forecasts);
    }
    assert_eq!(q.len(), 15);
    let cut: Vec<BacktestSeries> = pairs
        .iter()
        .map(|b| BacktestSeries {
            series: b.series.cut_at(as_of),
            upstream: b.upstream.as_ref().map(|u| u.cut_at(as_of)),
        })
        .collect();
    assert_eq!(
        corridor_qualification(&cut, from, as_of.offset(-1), as_of, 3),
        q
    );
}
