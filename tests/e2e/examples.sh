#!/usr/bin/env bash
# Replays every spec in examples/workloads/ with `memcgd replay --format json`
# and checks the claim its README line makes, on the numbers of the summary.
# Usage: examples.sh path/to/memcgd   (ok/FAIL lines; exit 1 on a failure)
set -euo pipefail
BIN=${1:?usage: examples.sh path/to/memcgd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
failed=0
for f in "$ROOT"/examples/workloads/*.yaml; do
  n=$(basename "$f" .yaml)
  if ! "$BIN" replay "$f" --format json >"$WORK/$n.json" 2>"$WORK/$n.err"; then
    echo "FAIL - replay $n: $(cat "$WORK/$n.err")"; failed=$((failed + 1)); continue
  fi
done
[ "$(ls "$ROOT"/examples/workloads/*.yaml | wc -l)" -ge 5 ] || { echo "FAIL - fewer than 5 example workloads"; failed=$((failed + 1)); }
python3 - "$WORK" <<'PY' || failed=$((failed + 1))
import json, os, sys
work = sys.argv[1]
M = 1 << 20
bad = 0
def load(name):
    d = json.load(open(os.path.join(work, name + ".json")))
    return d, {c["name"]: c for c in d["containers"]}
def check(name, claim, ok):
    global bad
    print(("ok   - " if ok else "FAIL - ") + f"{name}: {claim}")
    bad += not ok

d, c = load("leaking-service")
kills = d["oom_kills"]
check("leaking-service", f"web is OOM-killed after about 3 min 20 s, and again after its restart (kills at {[k['t'] for k in kills]} s)",
      len(kills) == 2 and all(k["container"] == "web" for k in kills) and 190 <= kills[0]["t"] <= 215 and [k["pid"] for k in kills] == [100, 101])
check("leaking-service", "web's usage reached its 256M max", c["web"]["peak_usage_bytes"] == 256 * M)

d, c = load("cache-and-batch")
app = c["app"]
check("cache-and-batch", f"app's cache grew to its 512M data set, then the batch read took it down to {app['usage_bytes'] // M}M",
      app["peak_usage_bytes"] >= 500 * M and app["usage_bytes"] < app["peak_usage_bytes"] // 2)
check("cache-and-batch", f"app refaults what reclaim took ({app['refaults']} refaults, {app['evictions']} evictions), and no one is killed",
      app["refaults"] > 0 and app["evictions"] > 0 and not d["oom_kills"])

d, c = load("prefork")
check("prefork", f"web is charged 128M + 4 x 16M = 192M, not 5 x 128M (usage {c['web']['usage_bytes'] // M}M, {d['cows']} COW copies)",
      c["web"]["peak_usage_bytes"] == 192 * M and d["cows"] == 4 * 16 * M // 4096)

d, c = load("postgres-shared-buffers")
check("postgres-shared-buffers", f"the first toucher is charged: db {c['db']['usage_bytes'] // M}M, reports {c['reports']['usage_bytes'] // M}M",
      c["db"]["usage_bytes"] == 128 * M and c["reports"]["usage_bytes"] == 64 * M)

d, c = load("jvm-heap-under-high")
j = c["jvm"]
check("jvm-heap-under-high", f"high events ({j['high_events']}) hold the 1G heap near 640M (peak {j['peak_usage_bytes'] // M}M), cold pages in swap ({j['peak_swap_bytes'] // M}M), no OOM kill",
      j["high_events"] > 0 and j["peak_usage_bytes"] <= 641 * M and j["peak_swap_bytes"] > 0 and j["oom_kills"] == 0 and not d["oom_kills"])
sys.exit(1 if bad else 0)
PY
[ "$failed" = 0 ]
