#!/usr/bin/env bash
# HTTP benchmarks on loopback with wrk (release build). Prints requests/s,
# events/s and ratios; the numbers go into BENCHMARKS.md.
#   bash Benchmarks/http.sh .build/release/memcgd
set -euo pipefail
BIN=${1:-.build/release/memcgd}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
DUR=${DUR:-5}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
gcc -O2 -o "$WORK/bare" "$HERE/bare.c" $(pkg-config --cflags --libs libmicrohttpd)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
P_SMALL=$(free_port); P_MEMCGD=$(free_port); P_SAME=$(free_port)

wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1$2" >/dev/null && return 0; sleep 0.05; done; return 1; }
rps() { awk '/Requests\/sec/ {print $2}'; }

"$WORK/bare" $P_SMALL 2 & PIDS+=($!)
"$BIN" serve --port $P_MEMCGD --threads 2 --log-level error & PIDS+=($!)
wait_up $P_SMALL / ; wait_up $P_MEMCGD /healthz
B=http://127.0.0.1:$P_MEMCGD
curl -sf -XPOST $B/containers -d '{"name":"web","limits":{"max":"8G"}}' >/dev/null
curl -sf -XPOST $B/processes -d '{"pid":1,"container":"web"}' >/dev/null
curl -sf -XPOST $B/events -d '{"events":[{"op":"anon_fault","pid":1,"page":0,"count":100000}]}' >/dev/null

# A second bare server answers a constant of the same size as the stats reply.
curl -sf $B/containers/web/stats -o "$WORK/stats.json"
"$WORK/bare" $P_SAME 2 "$WORK/stats.json" & PIDS+=($!)
wait_up $P_SAME /
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
BARE_SAME=${PIDS[-1]}; MEMCGD=${PIDS[1]}; BARE_SMALL=${PIDS[0]}
echo "== GET, wrk -t2 -c32 -d${DUR}s, keep-alive, 5 interleaved rounds; stats reply $(stat -c %s "$WORK/stats.json") bytes"
: >"$WORK/rounds"
for round in 1 2 3 4 5; do
  for target in small same stats; do
    case $target in
      small) url=http://127.0.0.1:$P_SMALL/; pid=$BARE_SMALL ;;
      same)  url=http://127.0.0.1:$P_SAME/; pid=$BARE_SAME ;;
      stats) url=$B/containers/web/stats; pid=$MEMCGD ;;
    esac
    t0=$(cpu_ticks $pid)
    out=$(wrk -t2 -c32 -d${DUR}s "$url")
    t1=$(cpu_ticks $pid)
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$round $target $(echo "$out" | rps) $reqs $((t1 - t0))" >>"$WORK/rounds"
  done
done
python3 - "$WORK/rounds" "$(getconf CLK_TCK)" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
tck = int(sys.argv[2])
by = {}
for r, t, rps, reqs, ticks in rows:
    by.setdefault(t, []).append((float(rps), int(reqs), int(ticks)))
def med(t): return statistics.median(x[0] for x in by[t])
def cpu_us(t): return 1e6 * sum(x[2] for x in by[t]) / tck / sum(x[1] for x in by[t])
ratios = [s[0] / b[0] for s, b in zip(by["stats"], by["same"])]
for t, name in [("small", "bare handler, 15-byte reply"), ("same", "bare handler, same-size reply"), ("stats", "GET /containers/web/stats")]:
    print(f"{name:30s}: median {med(t):>9,.0f} req/s; server CPU {cpu_us(t):5.2f} us/request")
print(f"throughput ratio stats/bare(same size): per round {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f} (target >= 0.80)")
print(f"CPU-per-request ratio bare(same size)/stats: {cpu_us('same') / cpu_us('stats'):.2f}")
PY

# Ingestion: each body charges a batch and uncharges it again (steady state).
python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
pages = list(range(200000, 210000))
json.dump({"events": [{"op": "anon_fault", "pid": 1, "pages": pages}, {"op": "unmap", "pid": 1, "pages": pages}]},
          open(f"{w}/lists.json", "w"), separators=(",", ":"))
json.dump({"events": [{"op": "anon_fault", "pid": 1, "page": 300000, "count": 10000},
                      {"op": "unmap", "pid": 1, "page": 300000, "count": 10000}]}, open(f"{w}/ranges.json", "w"))
objs = [{"op": "anon_fault", "pid": 1, "page": p} for p in range(400000, 405000)] + \
       [{"op": "unmap", "pid": 1, "page": p} for p in range(400000, 405000)]
json.dump({"events": objs}, open(f"{w}/objects.json", "w"), separators=(",", ":"))
PY
echo "== POST /events, wrk -t2 -c4 -d${DUR}s, 20,000 / 20,000 / 10,000 events per request"
for kind in lists ranges objects; do
  per=20000; [ $kind = objects ] && per=10000
  r=$(BODY="$WORK/$kind.json" wrk -t2 -c4 -d${DUR}s -s "$HERE/post.lua" $B/events | rps)
  python3 -c "import sys; r=float(sys.argv[1]); print(f'{sys.argv[2]:8s}: {r:,.1f} req/s = {r*int(sys.argv[3])/1e6:.2f} M events/s ({sys.argv[4]} bytes/body)')" \
    "$r" "$kind" "$per" "$(stat -c %s "$WORK/$kind.json")"
done
