//! The forecast backtest of every watched series averaging at least 500 a month
//! (12 months up to each origin). Usage:
//! `cargo run --release -p hemi-warning --example forecast_backtest -- select` (origins
//! 2019-12..2021-12, outcomes up to 2021-12: the method selection) or `-- test`
//! (origins 2022-01..2024-04: the out-of-sample figures). Prints per method and horizon,
//! and the wall-clock time of the backtest (a benchmark, never asserted). A second
//! argument `reference` runs only the methods of the R reference, for timing.
#[path = "../tests/it/realdata.rs"]
#[allow(dead_code)]
mod realdata;

use hemi_warning::forecast::{backtest, BacktestSeries, BacktestSpec, Method};

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "select".into());
    // `reference`: only the methods the R reference runs (naive, ETS, theta, their
    // median), for timing beside it; default: every single-series method.
    let methods: Vec<Method> = match std::env::args().nth(2).as_deref() {
        Some("reference") => vec![
            Method::Naive,
            Method::Ets,
            Method::Theta,
            Method::Combination,
        ],
        _ => Method::SINGLE.to_vec(),
    };
    let spec = if which == "select" {
        BacktestSpec::SELECTION
    } else {
        BacktestSpec::TEST
    };
    let set: Vec<BacktestSeries> = realdata::all_watched_series()
        .into_iter()
        .map(|series| BacktestSeries {
            series,
            upstream: None,
        })
        .collect();
    let started = std::time::Instant::now();
    let rows = backtest(&set, &spec, &methods, &|_, _| {});
    let secs = started.elapsed().as_secs_f64();
    let naive = rows
        .iter()
        .find(|r| r.method == "naive")
        .unwrap()
        .pooled
        .mase;
    println!("{which}: origins {}..{}, {secs:.2} s", spec.from, spec.to);
    for r in &rows {
        println!(
            "{:<12} series {:>3} n {:>5} MASE {:.3} (x naive {:.3}) cover {:.3} winkler {:.2}",
            r.method,
            r.series_count,
            r.pooled.forecasts,
            r.pooled.mase,
            r.pooled.mase / naive,
            r.pooled.coverage80,
            r.pooled.interval_score80
        );
        let line: Vec<String> = r
            .by_horizon
            .iter()
            .map(|h| format!("h{} {:.3}/{:.2}", h.horizon, h.mase, h.coverage80))
            .collect();
        println!("             {}", line.join("  "));
    }
}
