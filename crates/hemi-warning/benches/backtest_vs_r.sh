#!/bin/sh
# backtest_vs_r.sh -- the forecast backtest (selection origins 2019-12..2021-12 and test
# origins 2022-01..2024-04, horizons 1-6, series averaging >= 500 a month; naive, ETS,
# theta and their median) timed beside the R `forecast` reference script doing the same,
# in one invocation. Usage, from the repository root:
#   sh crates/hemi-warning/benches/backtest_vs_r.sh
set -eu
target="${CARGO_TARGET_DIR:-target}"
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "uptime_before $(uptime)"
cargo build --release -q -p hemi-warning --example forecast_backtest
"$target/release/examples/forecast_backtest" select reference > /tmp/hemi_backtest_select.txt
"$target/release/examples/forecast_backtest" test reference > /tmp/hemi_backtest_test.txt
head -1 /tmp/hemi_backtest_select.txt
head -1 /tmp/hemi_backtest_test.txt
/usr/bin/time -f "r_wall_s %e r_max_rss_kb %M" Rscript \
  crates/hemi-warning/test_data/forecast_ref/backtest_forecast.R data/flows /tmp/hemi_r_backtest.csv
grep '^# seconds' /tmp/hemi_r_backtest.csv
echo "uptime_after $(uptime)"
