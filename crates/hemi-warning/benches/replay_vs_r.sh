#!/bin/sh
# replay_vs_r.sh -- the full early-warning replay (2019-01..2024-04, all 416 watched
# series, all five detectors, rules and events) timed beside R surveillance 1.20.3 doing
# the same detector calls, in one invocation: ours, then R, then ours again (so a change
# of machine load during R's minutes shows). Figures go to BENCHMARKS.md.
# Usage, from the repository root: sh crates/hemi-warning/benches/replay_vs_r.sh [R_RUNS]
set -eu
target="${CARGO_TARGET_DIR:-target}"
runs="${1:-1}"
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "uptime_before $(uptime)"
cargo build --release -q -p hemi-warning --example replay_bench
"$target/release/examples/replay_bench" 5 | sed 's/^/hemi_before_/'
/usr/bin/time -f "r_wall_s %e r_max_rss_kb %M" \
  Rscript crates/hemi-warning/test_data/r_replay/replay_surveillance.R data/flows "$runs" | sed 's/^/r_/'
"$target/release/examples/replay_bench" 5 | sed 's/^/hemi_after_/'
echo "uptime_after $(uptime)"
