#!/usr/bin/env bash
# The live player (release build): (1) does it keep up at speed 1000 with the
# leaking-service example, and how far behind does a spec of 1.2M page
# accesses per virtual minute fall at speeds 10 to 1000; (2) GET
# /containers/{name}/stats with wrk while a player runs, against the same
# with none (interleaved rounds). The numbers go into BENCHMARKS.md.
#   bash Benchmarks/player.sh .build/release/memcgd
set -euo pipefail
BIN=${1:-.build/release/memcgd}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
DUR=${DUR:-5}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.05; done; return 1; }
P=$(free_port); B=http://127.0.0.1:$P
"$BIN" serve --port "$P" --threads 2 --memory 8G --swap 2G --log-level error & PIDS+=($!)
wait_up "$P"

# Polls workload $1 until it ends; prints its wall time, virtual time and the largest lag seen.
follow() {
  local id=$1 maxlag=0 r
  while :; do
    r=$(curl -sf "$B/workloads/$id")
    maxlag=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(max(float(sys.argv[2]), r["lag_seconds"]))' "$r" "$maxlag")
    case "$r" in *'"state":"running"'*) sleep 0.05 ;; *) break ;; esac
  done
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); d=r["duration_seconds"]/r["speed"]
print("  state %s, %s virtual s in %s wall s (paced: %.2f s), %d pages, %d records, %d kills, largest lag seen %.2f virtual s"
      % (r["state"], r["virtual_seconds"], r["wall_seconds"], d, r["pages"], r["records_applied"], r["oom_kills"], float(sys.argv[2])))' "$r" "$maxlag"
}

echo "== leaking-service at speed 1000"
curl -sf -XPOST "$B/workloads" --data-binary "speed: 1000
$(cat "$ROOT/examples/workloads/leaking-service.yaml")" >/dev/null
follow 1

# 20000 page accesses per virtual second (1.2M a virtual minute), zipf over a 256M heap, 60 s.
spec() { cat <<Y
speed: $1
containers: [{name: $2, limits: {max: 1G}}]
processes:
  - {pid: $3, container: $2, phases: [{for: 2s, grow: {anon: 256M}}, {for: 58s, touch: {anon: 256M, pattern: zipf, theta: 0.99, rate: 20000/s}}]}
Y
}
id=1
for s in 10 100 1000; do
  id=$((id + 1))
  echo "== 1.2M accesses per virtual minute at speed $s"
  curl -sf -XPOST "$B/workloads" --data-binary "$(spec "$s" "z$s" $((1000 + s)))" >/dev/null
  follow "$id"
done

echo "== GET /containers/front/stats, wrk -t1 -c16 -d${DUR}s, with and without a player at speed 1 and 10 (20000 accesses per virtual second)"
curl -sf -XPOST "$B/containers" -d '{"name":"front","limits":{"max":"1G"}}' >/dev/null
rps() { awk '/Requests\/sec/ {print $2}'; }
n=0
for round in 1 2 3; do
  for mode in none 1 10; do
    if [ "$mode" != none ]; then
      n=$((n + 1)); id=$((id + 1))
      curl -sf -XPOST "$B/workloads" --data-binary "$(spec "$mode" "b$n" $((5000 + n)) | sed 's/58s/100000s/')" >/dev/null
      sleep 1
    fi
    r=$(wrk -t1 -c16 -d"${DUR}s" "$B/containers/front/stats" | rps)
    extra=""
    if [ "$mode" != none ]; then
      w=$(curl -sf -XDELETE "$B/workloads/$id")
      extra=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("(player: %d pages, lag %s s)" % (r["pages"], r["lag_seconds"]))' "$w")
    fi
    echo "  round $round, player ${mode/none/off}: $r req/s $extra"
  done
done
