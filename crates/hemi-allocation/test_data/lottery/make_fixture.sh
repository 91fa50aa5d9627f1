#!/bin/sh
# Makes the lottery fixture: the Rust example writes a published draw, then the
# independent Python verifier (stdlib only) re-runs it; its output is stored beside the
# files and compared with the Rust draw by tests/it/lottery.rs. Run from the crate folder.
set -e
cargo run --release --example make_lottery_fixture -- test_data/lottery
python3 verify/verify_draw.py test_data/lottery --print > test_data/lottery/python_output.txt
echo "python3 $(python3 -c 'import sys; print(sys.version.split()[0])')" > test_data/lottery/python_version.txt
