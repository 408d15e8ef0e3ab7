#!/usr/bin/env bash
# Longer crash soak: many kill points with more writers (default 300 runs,
# 8 writers). usage: soak.sh path/to/memcgd [runs] [seed]
set -euo pipefail
BIN=${1:?usage: soak.sh path/to/memcgd [runs] [seed]}
RUNS=${2:-300}
SEED=${3:-$RANDOM$RANDOM}
exec python3 "$(dirname "$0")/crash.py" "$BIN" --runs "$RUNS" --writers 8 --seed "$SEED"
