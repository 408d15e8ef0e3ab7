#!/usr/bin/env bash
# Durability benchmarks over loopback (release build); numbers go into BENCHMARKS.md.
#  1. POST /events with page lists: no journal, --fsync batch and --fsync
#     always, interleaved in the same run (wrk -c4), then all three with 16
#     concurrent clients (group commit).
#  2. POST /snapshot of a 16 GiB machine with 4M charged frames, while a
#     client polls GET /healthz: the snapshot's times and the longest
#     /healthz reply meanwhile.
#   bash Benchmarks/durability.sh .build/release/memcgd
set -euo pipefail
BIN=${1:-.build/release/memcgd}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
DUR=${DUR:-5}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.05; done; return 1; }
rps() { awk '/Requests\/sec/ {print $2}'; }

# Each body charges 1,000 listed pages and uncharges them (steady state).
python3 - "$WORK" <<'PY'
import json, sys
pages = list(range(200000, 201000))
json.dump({"events": [{"op": "anon_fault", "pid": 1, "pages": pages}, {"op": "unmap", "pid": 1, "pages": pages}]},
          open(f"{sys.argv[1]}/lists.json", "w"), separators=(",", ":"))
PY
declare -A PORT
for mode in none batch always; do
  PORT[$mode]=$(free_port)
  extra=(); [ $mode != none ] && extra=(--data-dir "$WORK/data-$mode" --fsync $mode --snapshot-every 64G)
  "$BIN" serve --port ${PORT[$mode]} --threads 2 --connections-per-ip 0 --log-level error "${extra[@]}" & PIDS+=($!)
  wait_up ${PORT[$mode]}
  curl -sf -XPOST http://127.0.0.1:${PORT[$mode]}/processes -d '{"pid":1,"container":"root"}' >/dev/null
done
for clients in 4 16; do
  echo "== POST /events, 2,000 listed page events per request, wrk -t2 -c$clients -d${DUR}s, 3 interleaved rounds"
  : >"$WORK/rounds"
  for round in 1 2 3; do
    for mode in none batch always; do
      r=$(BODY="$WORK/lists.json" wrk -t2 -c$clients -d${DUR}s -s "$HERE/post.lua" http://127.0.0.1:${PORT[$mode]}/events | rps)
      echo "$mode $r" >>"$WORK/rounds"
    done
  done
  python3 - "$WORK/rounds" <<'PY'
import sys, statistics
by = {}
for l in open(sys.argv[1]):
    m, r = l.split(); by.setdefault(m, []).append(float(r))
for m in ["none", "batch", "always"]:
    med = statistics.median(by[m])
    print(f"{m:7s}: median {med:>8,.0f} req/s = {med * 2000 / 1e6:5.2f} M events/s  (rounds {', '.join(f'{x:,.0f}' for x in by[m])})")
n = statistics.median(by["none"])
print(f"batch/none {statistics.median(by['batch']) / n:.2f} (target >= 0.80); always/none {statistics.median(by['always']) / n:.2f}")
PY
done
for p in "${PIDS[@]}"; do kill -TERM $p 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=()

echo "== POST /snapshot, 16 GiB machine, 4M charged frames, GET /healthz polled meanwhile"
P=$(free_port)
"$BIN" serve --port $P --memory 16G --threads 4 --connections-per-ip 0 --log-level error --data-dir "$WORK/data-snap" --snapshot-every 64G & PIDS+=($!)
wait_up $P
B=http://127.0.0.1:$P
for c in 0 1 2 3; do
  curl -sf -XPOST $B/containers -d "{\"name\":\"c$c\"}" >/dev/null
  curl -sf -XPOST $B/processes -d "{\"pid\":$((c + 1)),\"container\":\"c$c\"}" >/dev/null
  curl -sf -XPOST $B/events -d "{\"events\":[{\"op\":\"anon_fault\",\"pid\":$((c + 1)),\"page\":$((c * 1048576)),\"count\":1048576}]}" >/dev/null
done
curl -sf $B/stats | python3 -c 'import json,sys; print("charged frames:", json.load(sys.stdin)["charged_pages"])' || true
python3 - "$P" <<'PY'
import http.client, json, sys, threading, time
port = int(sys.argv[1]); stop = False; worst = [0.0]; n = [0]
def poll():
    c = http.client.HTTPConnection("127.0.0.1", port)
    while not stop:
        t = time.perf_counter(); c.request("GET", "/healthz"); r = c.getresponse(); r.read()
        worst[0] = max(worst[0], time.perf_counter() - t); n[0] += 1
for i in range(3):
    stop = False; worst[0] = 0.0; n[0] = 0
    th = threading.Thread(target=poll); th.start(); time.sleep(0.2)
    t = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60); c.request("POST", "/snapshot"); body = json.loads(c.getresponse().read())
    total = time.perf_counter() - t
    time.sleep(0.1); stop = True; th.join()
    print(f"snapshot {i + 1}: {total * 1000:.0f} ms end to end (copy {body['copy_ms']} ms under the shared lock, write {body['write_ms']} ms), "
          f"{body['bytes'] >> 20} MiB; GET /healthz answered {n[0]} times meanwhile, longest {worst[0] * 1000:.1f} ms")
PY
