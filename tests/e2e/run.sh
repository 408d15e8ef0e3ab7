#!/usr/bin/env bash
# End-to-end checks against the real memcgd binary on loopback:
#   1. promtool check metrics on /metrics (default names), no duplicate series,
#      deleted containers' series gone; the cAdvisor names lint only as documented;
#   2. a real Prometheus server scrapes memcgd and sees the expected usage;
#   3. schemathesis checks the live server against openapi/openapi.yaml;
#   4. promtool check rules on dashboards/alerts.yml; the dashboard is valid JSON;
#   5. the example workloads' claims, and the leaking service's OOM alert firing in Prometheus.
set -euo pipefail
BIN=${1:?usage: run.sh path/to/memcgd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
passed=0; failed=0
ok()   { echo "ok   - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_memcgd() {  # start_memcgd PORT [flags...]
  local port=$1; shift
  "$BIN" serve --port "$port" --memory 1G --swap 64M "$@" >"$WORK/memcgd-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "memcgd did not start"; cat "$WORK/memcgd-$port.log"; exit 1
}

workload() {  # a workload with containers, limits, events, reclaim, OOM and a deletion
  local b=$1
  curl -sf -XPOST "$b/containers" -d '{"name":"web","limits":{"max":"4M"}}' >/dev/null
  curl -sf -XPOST "$b/containers" -d '{"name":"batch"}' >/dev/null
  curl -sf -XPOST "$b/containers" -d '{"name":"tmp","parent":"batch","limits":{"max":"1M"}}' >/dev/null
  curl -sf -XPOST "$b/processes" -d '{"pid":100,"container":"web"}' >/dev/null
  curl -sf -XPOST "$b/processes" -d '{"pid":200,"container":"tmp"}' >/dev/null
  curl -sf -XPOST "$b/events" -d '{"events":[{"op":"pagecache_add","pid":100,"page":0,"count":2000},{"op":"anon_fault","pid":100,"page":5000,"count":300}]}' >/dev/null
  curl -sf -XPOST "$b/events" -d '{"events":[{"op":"insert_page","pid":200,"page":9000,"count":400}]}' >/dev/null
  curl -sf -XPOST "$b/containers" -d '{"name":"gone"}' >/dev/null
  curl -sf -XPOST "$b/processes" -d '{"pid":300,"container":"gone"}' >/dev/null
  curl -sf -XPOST "$b/events" -d '{"events":[{"op":"file_fault","pid":300,"pages":[20000,20001,20002]}]}' >/dev/null
  curl -sf "$b/metrics" >/dev/null   # the deleted container had series once
  curl -sf -XDELETE "$b/processes/300" >/dev/null
  curl -sf -XDELETE "$b/containers/gone" >/dev/null
}

# 1. promtool on the default names.
P1=$(free_port); start_memcgd "$P1"; B1="http://127.0.0.1:$P1"
workload "$B1"
curl -sf -D "$WORK/h1" "$B1/metrics" -o "$WORK/m1"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$WORK/h1" && ok "metrics content type" || fail "metrics content type: $(grep -i content-type "$WORK/h1")"
if promtool check metrics <"$WORK/m1" >"$WORK/lint1" 2>&1; then ok "promtool check metrics (default names)"; else fail "promtool: $(cat "$WORK/lint1")"; fi
dups=$(grep -v '^#' "$WORK/m1" | sed -E 's/ [^ ]+$//' | sort | uniq -d | head -5)
[ -z "$dups" ] && ok "no duplicate series" || fail "duplicate series: $dups"
grep -q 'container="gone"' "$WORK/m1" && fail "deleted container still has series" || ok "deleted container's series are gone"
api_usage=$(curl -sf "$B1/containers/web/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["usage"])')
grep -q "^memcg_usage_bytes{container=\"web\"} $api_usage\$" "$WORK/m1" && [ "$api_usage" -gt 4000000 ] && ok "usage of web ($api_usage) as the API reports it" || fail "usage of web: api $api_usage, metrics $(grep '^memcg_usage_bytes{container="web"}' "$WORK/m1")"
grep -q '^memcg_events_total{container="tmp",event="oom_kill"} 1$' "$WORK/m1" && ok "oom_kill counted in tmp" || fail "oom_kill: $(grep 'container="tmp",event="oom_kill"' "$WORK/m1")"
grep -q '^memcg_limit_bytes{container="batch"}' "$WORK/m1" && fail "unlimited container has a limit series" || ok "no limit series when unlimited"

# cAdvisor names: only the documented lint findings.
P2=$(free_port); start_memcgd "$P2" --metrics-compat cadvisor; B2="http://127.0.0.1:$P2"
workload "$B2"
curl -sf "$B2/metrics" -o "$WORK/m2"
promtool check metrics <"$WORK/m2" >"$WORK/lint2" 2>&1 || true
unexpected=$(grep -vE '^container_memory_(failcnt|rss|cache|swap|mapped_file) ' "$WORK/lint2" | grep -v '^$' || true)
[ -z "$unexpected" ] && ok "cadvisor names lint only as documented" || fail "unexpected promtool findings: $unexpected"
grep -q '^container_spec_memory_limit_bytes{id="/batch/tmp",name="tmp"} 1048576$' "$WORK/m2" && ok "cadvisor limit with id path" || fail "cadvisor limit: $(grep container_spec_memory_limit_bytes "$WORK/m2" | head -3)"
grep -q '^container_spec_memory_limit_bytes{id="/batch",name="batch"} 0$' "$WORK/m2" && ok "cadvisor unlimited is 0" || fail "cadvisor unlimited"
curl -sf -XPOST "$B2/containers" -d '{"name":"k8s","labels":{"io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.name":"web-0","io.kubernetes.container.name":"nginx","image":"nginx:1.27"}}' >/dev/null
curl -sf "$B2/metrics" -o "$WORK/m2b"
grep -q '^container_memory_working_set_bytes{container="nginx",id="/k8s",image="nginx:1.27",name="k8s",namespace="prod",pod="web-0"} 0$' "$WORK/m2b" \
  && ok "cadvisor series carry namespace, pod, container, image from the labels" || fail "cadvisor k8s labels: $(grep 'working_set_bytes{.*k8s' "$WORK/m2b")"
grep -q '^machine_memory_bytes 1073741824$' "$WORK/m2b" && ok "machine_memory_bytes with cadvisor names" || fail "machine_memory_bytes: $(grep machine_memory "$WORK/m2b")"
promtool check metrics <"$WORK/m2b" 2>&1 | grep -vE '^container_memory_(failcnt|rss|cache|swap|mapped_file) ' | grep -v '^$' >"$WORK/lint2b" || true
[ ! -s "$WORK/lint2b" ] && ok "labels and machine_memory_bytes lint clean" || fail "promtool: $(cat "$WORK/lint2b")"

# 2. A real Prometheus scrapes memcgd.
P3=$(free_port); PP=$(free_port)
start_memcgd "$P3"; B3="http://127.0.0.1:$P3"
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: memcgd
    static_configs:
      - targets: ["127.0.0.1:$P3"]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PP" >"$WORK/prometheus.log" 2>&1 &
PROM=$!; PIDS+=($PROM)
curl -sf -XPOST "$B3/containers" -d '{"name":"web","limits":{"max":"64M"}}' >/dev/null
curl -sf -XPOST "$B3/processes" -d '{"pid":1,"container":"web"}' >/dev/null
curl -sf -XPOST "$B3/events" -d '{"events":[{"op":"anon_fault","pid":1,"page":0,"count":1234}]}' >/dev/null
want=$((1234 * 4096)); got=""
for _ in $(seq 60); do
  got=$(curl -sf "http://127.0.0.1:$PP/api/v1/query" --data-urlencode 'query=memcg_usage_bytes{container="web"}' \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
  [ "$got" = "$want" ] && break
  sleep 0.5
done
[ "$got" = "$want" ] && ok "Prometheus sees memcg_usage_bytes{container=\"web\"} = $want" || { fail "Prometheus query gave '$got', want $want"; tail -5 "$WORK/prometheus.log"; }
kill -TERM $PROM; wait $PROM 2>/dev/null && ok "prometheus stopped cleanly" || ok "prometheus stopped"

# 3. schemathesis with every check (also: schema-valid requests accepted, schema-violating ones
#    refused) against the spec the server serves (the repository's, with this machine's frames as
#    the largest count). Two rules are beyond JSON Schema: a range's page + count must fit in 64 bits,
#    and schemathesis's stateful phase feeds names it read in replies (root) to the routes that refuse
#    root. So POST /events runs without positive_data_acceptance and the stateful phase is left out;
#    every other operation gets every check.
P4=$(free_port); start_memcgd "$P4" --memory 64M; B4="http://127.0.0.1:$P4"
ST=${ST:-st}   # the Makefile passes the venv's
STARGS=(--url "$B4" --checks all --phases examples,coverage,fuzzing --max-examples 30 --seed 1 --generation-deterministic --workers 1)
#    A workload spec's cross references (a process's container, fork_of) are beyond JSON Schema
#    too, so POST /workloads runs without positive_data_acceptance as well.
if $ST run "$B4/openapi.yaml" "${STARGS[@]}" --exclude-path /events --exclude-path /workloads --exclude-path '/workloads/{id}' >"$WORK/st.log" 2>&1 &&
   $ST run "$B4/openapi.yaml" "${STARGS[@]}" --include-path /events --exclude-checks positive_data_acceptance >>"$WORK/st.log" 2>&1 &&
   $ST run "$B4/openapi.yaml" "${STARGS[@]}" --include-path-regex '^/workloads' --exclude-checks positive_data_acceptance >>"$WORK/st.log" 2>&1; then
  ok "schemathesis --checks all: live server matches openapi.yaml ($(grep -Eo '[0-9]+ generated' "$WORK/st.log" | tr '\n' ' '))"
else
  fail "schemathesis"; tail -80 "$WORK/st.log"
fi

# 3b. The v2 controls in /metrics, and v1 beside it.
P5=$(free_port); start_memcgd "$P5" --memory 64M; B5="http://127.0.0.1:$P5"
curl -sf -XPOST "$B5/containers" -d '{"name":"cache","limits":{"high":"1M","low":"256K","min":"128K","swap_max":"2M"}}' >/dev/null
curl -sf -XPOST "$B5/processes" -d '{"pid":1,"container":"cache"}' >/dev/null
curl -sf -XPOST "$B5/events" -d '{"events":[{"op":"pagecache_add","pid":1,"page":0,"count":1000}]}' >/dev/null
curl -sf "$B5/metrics" -o "$WORK/m5"
promtool check metrics <"$WORK/m5" >"$WORK/lint5" 2>&1 && ok "promtool check metrics (v2 controls)" || fail "promtool v2: $(cat "$WORK/lint5")"
for want in 'memcg_high_bytes{container="cache"} 1048576' 'memcg_low_bytes{container="cache"} 262144' \
            'memcg_min_bytes{container="cache"} 131072' 'memcg_swap_max_bytes{container="cache"} 2097152' \
            'memcg_min_bytes{container="root"} 0'; do
  grep -qF "$want" "$WORK/m5" && ok "metrics: $want" || fail "metrics: no $want"
done
high=$(grep -F 'memcg_events_total{container="cache",event="high"}' "$WORK/m5" | awk '{print $2}')
[ "${high:-0}" -gt 0 ] && ok "high events counted ($high)" || fail "high events: '$high'"
grep -q '^memcg_high_bytes{container="root"}' "$WORK/m5" && fail "unlimited high has a series" || ok "no high series when unlimited"
curl -sf "$B5/machine" | grep -q '"cgroup":"v2"' && ok "default interface is v2" || fail "machine cgroup"
P6=$(free_port); MEMCGD_CGROUP=v1 start_memcgd "$P6" --memory 64M; B6="http://127.0.0.1:$P6"
curl -sf "$B6/machine" | grep -q '"cgroup":"v1"' && ok "MEMCGD_CGROUP=v1" || fail "v1 machine"
code=$(curl -s -o "$WORK/v1" -w '%{http_code}' -XPOST "$B6/containers" -d '{"name":"a","limits":{"high":"1M"}}')
[ "$code" = 400 ] && grep -q EOPNOTSUPP "$WORK/v1" && ok "v1 refuses high with EOPNOTSUPP" || fail "v1 high: $code $(cat "$WORK/v1")"

# 4. Alert rules and dashboard.
promtool check rules "$ROOT/dashboards/alerts.yml" >"$WORK/rules" 2>&1 && ok "promtool check rules alerts.yml" || fail "rules: $(cat "$WORK/rules")"
(cd "$ROOT/dashboards" && promtool test rules alerts_test.yml) >"$WORK/rtest" 2>&1 && ok "promtool test rules alerts_test.yml" || fail "rule tests: $(cat "$WORK/rtest")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"]' "$ROOT/dashboards/memcgd.json" && ok "dashboard is valid JSON" || fail "dashboard JSON"

# Graceful shutdown: SIGTERM, exit 0, logged.
# The signal goes only once the server answers (a fixed sleep raced its start).
SPORT=$(free_port)
"$BIN" serve --port "$SPORT" --memory 64M >"$WORK/stop.log" 2>&1 & SP=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SPORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$SPORT/healthz" >/dev/null || fail "SIGTERM: the server never answered"
kill -TERM $SP
if wait $SP && grep -q stopped "$WORK/stop.log"; then ok "SIGTERM: exit 0 and logged"; else fail "SIGTERM shutdown: $(cat "$WORK/stop.log")"; fi

# Listening addresses: localhost and IPv6 literals; healthcheck follows the serve flags.
HP=$(free_port)
"$BIN" serve --host :: --port "$HP" --memory 64M --address-file "$WORK/addr" >"$WORK/v6.log" 2>&1 & V6=$!; PIDS+=($V6)
for _ in $(seq 50); do [ -s "$WORK/addr" ] && break; sleep 0.1; done
curl -sf -g "http://[::1]:$HP/healthz" >/dev/null && ok "--host :: answers on ::1" || fail "--host :: over IPv6"
curl -sf "http://127.0.0.1:$HP/healthz" >/dev/null && ok "--host :: answers on 127.0.0.1 too" || fail "--host :: over IPv4"
MEMCGD_ADDRESS_FILE="$WORK/addr" MEMCGD_PORT=1 "$BIN" healthcheck && ok "healthcheck follows the address file serve wrote (port $HP)" || fail "healthcheck with the address file"
"$BIN" healthcheck --host ::1 --port "$HP" && ok "healthcheck --host ::1 --port" || fail "healthcheck --host ::1"
"$BIN" healthcheck --host localhost --port "$HP" && ok "healthcheck --host localhost" || fail "healthcheck --host localhost"
set +e; "$BIN" healthcheck --port "$(free_port)"; rc=$?; set -e
[ "$rc" = 1 ] && ok "healthcheck on a port nobody serves: exit 1" || fail "healthcheck nobody: exit $rc"
kill -TERM $V6; wait $V6 2>/dev/null || true
[ ! -e "$WORK/addr" ] && ok "address file removed on exit" || fail "address file left behind"
LP=$(free_port)
# cgroup v1, where lowering max below unreclaimable usage is refused (EBUSY).
"$BIN" serve --cgroup v1 --host localhost --port "$LP" --memory 64M --swap 0 --log-format json >"$WORK/json.log" 2>&1 & LS=$!; PIDS+=($LS)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$LP/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://localhost:$LP/healthz" >/dev/null && ok "--host localhost" || fail "--host localhost"
BL="http://127.0.0.1:$LP"
curl -sf -XPOST "$BL/containers" -d '{"name":"small","limits":{"max":"64K"}}' >/dev/null
curl -sf -XPOST "$BL/processes" -d '{"pid":77,"container":"small"}' >/dev/null
curl -sf -XPOST "$BL/events" -d '{"events":[{"op":"mlock","pid":77,"page":1},{"op":"anon_fault","pid":77,"page":0,"count":8},{"op":"mlock","pid":77,"page":0,"count":8}]}' >/dev/null
curl -s -XPUT "$BL/containers/small/limits" -d '{"max":"4K"}' >/dev/null
curl -sf -XPOST "$BL/events" -d '{"events":[{"op":"insert_page","pid":77,"page":100,"count":20}]}' >/dev/null
kill -TERM $LS; wait $LS 2>/dev/null || true
grep -q '"level":"info".*"msg":"oom kill".*"pid":77' "$WORK/json.log" && ok "OOM kill logged at info with pid 77 as a number" || fail "oom kill log: $(cat "$WORK/json.log")"
grep -q '"code":"EBUSY".*"msg":"limit write refused"\|"msg":"limit write refused"' "$WORK/json.log" && grep '"msg":"limit write refused"' "$WORK/json.log" | grep -q '"code":"EBUSY"' \
  && ok "refused limit write logged at info with its code" || fail "limit refusal log: $(cat "$WORK/json.log")"
grep '"msg":"listening"' "$WORK/json.log" | grep -q "\"port\":$LP[,}]" && ok "JSON log lines write numbers as numbers" || fail "json numbers: $(grep listening "$WORK/json.log")"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/json.log" && ok "every JSON log line parses" || fail "json log lines"

# Reclaim lists chosen apart from the interface (model.md 5.3): a container at
# its 80K limit holds anon pages 0-14 and file pages 100-104 interleaved in
# time, no swap; one more anon fault evicts exactly the five file pages in
# both modes, but only split leaves the anon pages unlooked-at (pgscan 5)
# where seed rotates them until its budget of two looks per page is spent (40).
lru_check() {  # lru_check WANT_LRU WANT_CGROUP WANT_SWAPPINESS WANT_PGSCAN [env...] -- [flags...]
  local want_lru=$1 want_cg=$2 want_sw=$3 want_scan=$4; shift 4
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local port; port=$(free_port)
  env "${envs[@]}" "$BIN" serve --port "$port" --memory 64M --swap 0 "$@" >"$WORK/lru-$port.log" 2>&1 &
  local pid=$!; PIDS+=($pid)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local b="http://127.0.0.1:$port" what="serve ${envs[*]} $*"
  curl -sf "$b/machine" | python3 -c 'import json,sys; m=json.load(sys.stdin); a=sys.argv[1:]; sys.exit(0 if [m["lru"], m["cgroup"], str(m["swappiness"])] == a else 1)' \
    "$want_lru" "$want_cg" "$want_sw" && ok "$what: GET /machine says lru $want_lru, cgroup $want_cg, swappiness $want_sw" \
    || fail "$what: GET /machine $(curl -s "$b/machine")"
  curl -sf -XPOST "$b/containers" -d '{"name":"jvm","limits":{"max":"80K"}}' >/dev/null
  curl -sf -XPOST "$b/processes" -d '{"pid":5,"container":"jvm"}' >/dev/null
  curl -sf -XPOST "$b/events" -d '{"events":[{"op":"anon_fault","pid":5,"page":0,"count":5},{"op":"file_fault","pid":5,"page":100,"count":2},
    {"op":"anon_fault","pid":5,"page":5,"count":5},{"op":"file_fault","pid":5,"page":102,"count":2},
    {"op":"anon_fault","pid":5,"page":10,"count":5},{"op":"file_fault","pid":5,"page":104}]}' >/dev/null
  local reply; reply=$(curl -sf -XPOST "$b/events" -d '{"events":[{"op":"anon_fault","pid":5,"page":15}],"list_evicted":true}')
  echo "$reply" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r["evicted"]["pages"] == [100,101,102,103,104] else 1)' \
    && ok "$what: the charge evicts exactly the file pages, oldest first" || fail "$what: evicted $reply"
  local scan; scan=$(curl -sf "$b/containers/jvm/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stat"]["pgscan"])')
  [ "$scan" = "$want_scan" ] && ok "$what: pgscan $scan" || fail "$what: pgscan $scan, want $want_scan"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}
lru_check seed v2 60 40 -- --lru seed --cgroup v2
lru_check split v1 60 5 -- --lru split --cgroup v1
lru_check split v2 60 5 --
lru_check seed v1 60 40 -- --cgroup v1
lru_check seed v2 150 40 MEMCGD_LRU=seed MEMCGD_SWAPPINESS=150 --
# Settings without a default are read from the environment too.
TP=$(free_port)
MEMCGD_AUTH_TOKEN=s3cret "$BIN" serve --port "$TP" --memory 64M >"$WORK/token.log" 2>&1 & TK=$!; PIDS+=($TK)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$TP/healthz" >/dev/null && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TP/machine")
code2=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' "http://127.0.0.1:$TP/machine")
[ "$code" = 401 ] && [ "$code2" = 200 ] && ok "MEMCGD_AUTH_TOKEN: 401 without the token, 200 with it" || fail "MEMCGD_AUTH_TOKEN: $code / $code2"
kill -TERM $TK; wait $TK 2>/dev/null || true
for args in "serve --lru lru" "serve --swappiness 201" "serve --swappiness -1"; do
  set +e; "$BIN" $args >/dev/null 2>"$WORK/err"; rc=$?; set -e
  [ "$rc" = 64 ] && [ -s "$WORK/err" ] && ok "memcgd $args: exit 64 with a message" || fail "memcgd $args: exit $rc"
done

# Invalid flags and environment values: a message and exit code 64.
for args in "--port abc" "serve --memory 1Q" "serve --log-format xml" "serve --host 300.1.1.1" "serve --host nosuch..host"; do
  set +e; "$BIN" $args >/dev/null 2>"$WORK/err"; rc=$?; set -e
  [ "$rc" = 64 ] && [ -s "$WORK/err" ] && ok "memcgd $args: exit 64 with a message" || fail "memcgd $args: exit $rc"
done
set +e; MEMCGD_PORT=xyz "$BIN" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 64 ] && ok "MEMCGD_PORT=xyz: exit 64" || fail "MEMCGD_PORT=xyz: exit $rc"

# 5. The example workloads' claims (replay), and the live player seen by a real Prometheus.
for t in examples workload; do
  if bash "$ROOT/tests/e2e/$t.sh" "$BIN" >"$WORK/$t.log" 2>&1; then
    sed 's/^/  /' "$WORK/$t.log"; ok "tests/e2e/$t.sh"
  else
    sed 's/^/  /' "$WORK/$t.log"; fail "tests/e2e/$t.sh"
  fi
done

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
