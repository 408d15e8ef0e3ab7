#!/usr/bin/env bash
# The live player seen from Prometheus: memcgd plays the leaking-service
# example at speed 20 (its first OOM kill comes after about 10 s of wall
# time), and a real Prometheus, with deploy/prometheus/prometheus.yml
# (target and intervals set for the test) and dashboards/alerts.yml, scrapes
# it. Passes when Prometheus's API reports ContainerOOMKill firing for "web"
# and memcg_usage_bytes{container="web"} rose over time before that.
# Usage: workload.sh path/to/memcgd   (prints ok/FAIL lines; exit 1 on a failure)
set -euo pipefail
BIN=${1:?usage: workload.sh path/to/memcgd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
failed=0
ok()   { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

MP=$(free_port); PP=$(free_port)
# The deploy config with only the target, the intervals and the rules' path changed.
sed -e "s/memcgd:8080/127.0.0.1:$MP/" -e 's/_interval: 15s/_interval: 1s/' -e "s#^  - /etc/prometheus/alerts.yml\$#  - $WORK/alerts.yml#" \
  "$ROOT/deploy/prometheus/prometheus.yml" >"$WORK/prometheus.yml"
cp "$ROOT/dashboards/alerts.yml" "$WORK/alerts.yml"
changed=$(diff "$ROOT/deploy/prometheus/prometheus.yml" "$WORK/prometheus.yml" | grep -c '^>' || true)
[ "$changed" = 4 ] && ok "test Prometheus config = deploy/prometheus/prometheus.yml with 4 lines set for the test" \
  || fail "deriving the test config changed $changed lines, want 4 (target, 2 intervals, rules path)"

"$BIN" serve --port "$MP" --memory 1G --swap 0 --workload "$ROOT/examples/workloads/leaking-service.yaml" --speed 20 \
  >"$WORK/memcgd.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$MP/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$MP/workloads/1" | grep -q '"state":"running"' && ok "serve --workload: workload 1 running" \
  || fail "serve --workload: $(curl -s "http://127.0.0.1:$MP/workloads/1") $(tail -3 "$WORK/memcgd.log")"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PP" >"$WORK/prometheus.log" 2>&1 & PIDS+=($!)
START=$(date +%s)

# Wait (at most 90 s) for the alert to fire.
firing=""
for _ in $(seq 180); do
  firing=$(curl -sf "http://127.0.0.1:$PP/api/v1/alerts" | python3 -c '
import json, sys
alerts = json.load(sys.stdin)["data"]["alerts"]
print(" ".join(a["labels"]["container"] for a in alerts
               if a["labels"].get("alertname") == "ContainerOOMKill" and a["state"] == "firing"))' 2>/dev/null || true)
  [ "$firing" = web ] && break
  sleep 0.5
done
if [ "$firing" = web ]; then
  ok "Prometheus reports ContainerOOMKill firing for web after $(( $(date +%s) - START )) s"
else
  fail "ContainerOOMKill not firing for web within 90 s (got '$firing'); workload: $(curl -s "http://127.0.0.1:$MP/workloads/1")"
  tail -5 "$WORK/prometheus.log"
fi

# The usage Prometheus stored: it rose, sample after sample, before the kill.
NOW=$(date +%s)
curl -sf "http://127.0.0.1:$PP/api/v1/query_range" --data-urlencode 'query=memcg_usage_bytes{container="web"}' \
  --data-urlencode "start=$START" --data-urlencode "end=$NOW" --data-urlencode step=1 >"$WORK/range.json" || true
if python3 - "$WORK/range.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
v = [float(x[1]) for x in r[0]["values"]] if r else []
best = run = 0
for a, b in zip(v, v[1:]):
    run = run + 1 if b > a else 0
    best = max(best, run)
print(f"  usage samples (MiB): {[round(x / 2**20) for x in v]}")
sys.exit(0 if best >= 3 and max(v) > 200 * 2**20 else 1)
PY
then ok "memcg_usage_bytes{container=\"web\"} rose over at least 3 scrapes in a row, past 200M"
else fail "memcg_usage_bytes{container=\"web\"} did not rise as the leak does: $(head -c 400 "$WORK/range.json")"; fi
curl -sf "http://127.0.0.1:$PP/api/v1/query" --data-urlencode 'query=memcgd_workload_virtual_seconds' | grep -q '"workload":"1"' \
  && ok "Prometheus has memcgd_workload_virtual_seconds{workload=\"1\"}" || fail "no memcgd_workload_virtual_seconds in Prometheus"

[ "$failed" = 0 ]
