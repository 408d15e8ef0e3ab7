#!/usr/bin/env bash
# Adversarial checks (issue 8) against the real memcgd binary on loopback:
# deep trees, unauthenticated and oversized bodies, the shared body budget,
# long batches, slowloris, parsing cost, strict HTTP parsing, %00 paths,
# authentication order and start-up refusals. Bounded: at most 5 minutes.
#   bash tests/adversarial/run.sh .build/release/memcgd
#   python3 tests/adversarial/attacks.py BIN --measure   # numbers for BENCHMARKS.md, any build
set -euo pipefail
BIN=$(realpath "${1:?usage: run.sh path/to/memcgd}")
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
timeout --signal=KILL 300 python3 attacks.py "$BIN"
