#!/usr/bin/env bash
# Replay benchmark (issue 12): a logical trace of N page accesses (zipf,
# 2/3 anonymous writes and reads, 1/3 page-cache reads) under a limit that
# forces reclaim, replayed by `memcgd replay` (reading the trace from disk
# included), against libCacheSim's LRU (PyPI libcachesim, in a venv under
# .build) on the same sequence of pages; then whatif over 8 values with
# --jobs 1 and --jobs 2. Usage: Benchmarks/replay.sh .build/release/memcgd [N]
set -euo pipefail
BIN=${1:-.build/release/memcgd}
N=${2:-10000000}
DIR=.build/bench-replay
mkdir -p "$DIR"
VENV=.build/bench-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import libcachesim' 2>/dev/null || "$VENV/bin/pip" install -q libcachesim
if [ ! -s "$DIR/trace-$N.jsonl" ]; then
  python3 - "$N" "$DIR" <<'PY'
import random, sys, itertools
n = int(sys.argv[1]); d = sys.argv[2]
pages = 1 << 19                      # 2 GiB of distinct pages
rnd = random.Random(12)
w = [1.0 / (i + 1) ** 0.9 for i in range(pages)]
cum = list(itertools.accumulate(w))
perm = list(range(pages)); rnd.shuffle(perm)
with open(f"{d}/trace-{n}.jsonl", "w") as f, open(f"{d}/trace-{n}.txt", "w") as g:
    f.write('{"memcgd_trace":1,"machine":{"memory":"8G","swap":"4G"}}\n')
    f.write('{"op":"container","name":"app","limits":{"max":"1G"}}\n{"op":"spawn","pid":1,"container":"app"}\n')
    out = []; txt = []
    for k in rnd.choices(range(pages), cum_weights=cum, k=n):
        p = perm[k]
        if p % 3 == 0:
            out.append('{"op":"file","pid":1,"file":"data","offset":%d,"len":4096}\n' % (p * 4096)); txt.append("%d\n" % (p + (1 << 40)))
        else:
            out.append('{"op":"anon","pid":1,"addr":%d,"len":4096,"write":%s}\n' % (p * 4096, "true" if p % 3 == 1 else "false")); txt.append("%d\n" % p)
        if len(out) >= 100000: f.write("".join(out)); g.write("".join(txt)); out = []; txt = []
    f.write("".join(out)); g.write("".join(txt))
PY
fi
T="$DIR/trace-$N.jsonl"
now() { date +%s.%N; }
t0=$(now); "$BIN" replay "$T" --format json > "$DIR/replay.json"; t1=$(now)
memcgd_s=$(echo "$t1 - $t0" | bc -l)
lcs_s=$("$VENV/bin/python" - "$DIR/trace-$N.txt" <<'PY'
import sys, time, libcachesim as lcs
t0 = time.time()
r = lcs.TraceReader(sys.argv[1], lcs.TraceType.PLAIN_TXT_TRACE)
c = lcs.LRU(cache_size=262144 * 1, reader=None)
ratio = c.process_trace(r)
print("%.3f %s" % (time.time() - t0, ratio[0] if isinstance(ratio, tuple) else ratio))
PY
)
echo "memcgd replay: $N page accesses in ${memcgd_s}s = $(echo "$N / $memcgd_s / 1000000" | bc -l | cut -c1-5) M/s"
echo "libCacheSim LRU (262144 objects = 1 GiB of pages): ${lcs_s% *}s = $(echo "$N / ${lcs_s% *} / 1000000" | bc -l | cut -c1-5) M/s, miss ratio ${lcs_s#* }"
echo "ratio (libCacheSim time / memcgd time, JSON trace): $(echo "${lcs_s% *} / $memcgd_s" | bc -l | cut -c1-5)"
"$BIN" trace pack "$T" -o "$DIR/trace.mtrace" 2>/dev/null
t0=$(now); "$BIN" replay "$DIR/trace.mtrace" --format json > "$DIR/replay-packed.json"; t1=$(now)
packed_s=$(echo "$t1 - $t0" | bc -l)
echo "memcgd replay (trace pack form): ${packed_s}s = $(echo "$N / $packed_s / 1000000" | bc -l | cut -c1-5) M/s; ratio to libCacheSim $(echo "${lcs_s% *} / $packed_s" | bc -l | cut -c1-5)"
grep -o '"refaults":[0-9]*' "$DIR/replay.json" | head -1
# whatif over 8 values, 1 job vs 2 jobs, on a fifth of the trace, and 8 separate replays.
M=$((N / 5)); head -n $((M + 3)) "$T" > "$DIR/small.jsonl"; "$BIN" trace pack "$DIR/small.jsonl" -o "$DIR/small.mtrace" 2>/dev/null
t0=$(now); "$BIN" whatif "$DIR/small.mtrace" --vary app.max=256M..2G/8 --jobs 1 > "$DIR/w1.txt"; t1=$(now)
"$BIN" whatif "$DIR/small.mtrace" --vary app.max=256M..2G/8 --jobs 2 > "$DIR/w2.txt"; t2=$(now)
echo "whatif 8 values on $M accesses: --jobs 1 $(echo "$t1 - $t0" | bc -l | cut -c1-6)s, --jobs 2 $(echo "$t2 - $t1" | bc -l | cut -c1-6)s, speed-up $(echo "($t1 - $t0) / ($t2 - $t1)" | bc -l | cut -c1-5)"
# The issue's baseline: the same 8 values as 8 separate replays, one after another.
t3=$(now); for v in 256M 512M 768M 1G 1280M 1536M 1792M 2G; do "$BIN" replay "$DIR/small.mtrace" --set app.max=$v --format json > /dev/null; done; t4=$(now)
echo "8 sequential replays: $(echo "$t4 - $t3" | bc -l | cut -c1-6)s; whatif --jobs 2 is $(echo "($t4 - $t3) / ($t2 - $t1)" | bc -l | cut -c1-5)x faster"
diff <(tail -n +2 "$DIR/w1.txt") <(tail -n +2 "$DIR/w2.txt") >/dev/null && echo "tables equal"
