#!/usr/bin/env python3
"""Crash test of durability.md: concurrent writers post commands over real
HTTP to `memcgd serve --data-dir D --fsync always`; the server is killed
with SIGKILL at a random moment; after a restart on the same directory the
state must equal that of a fresh memcgd fed exactly the acknowledged
commands, plus each writer's one in-flight command wholly or not at all.

Each writer owns a container, its pids and a range of page numbers, so the
writers' commands commute and the expected state of each container is its
writer's acknowledged commands in that writer's order.

usage: crash.py MEMCGD [--runs N] [--seed S] [--writers W]
"""
import argparse, http.client, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

# The writers commute only while no machine-wide resource runs out: anon
# pages are per process, so one writer's full stream can hold about 44 MiB
# of swap, and at 64M four writers filled it past ~1,400 commands each,
# when one writer's swap-out started to fail because of another's. 1G
# leaves room for eight writers (the soak); main() checks the margin.
MACHINE = ["--memory", "256M", "--swap", "1G"]
SWAP_BYTES = 1 << 30

def start(binary, port, data_dir, log):
    args = [binary, "serve", "--port", str(port), "--threads", "8", "--connections-per-ip", "0"] + MACHINE
    if data_dir:
        args += ["--data-dir", data_dir, "--fsync", "always"]
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/healthz")
            if c.getresponse().status == 200: return p
        except OSError:
            pass
        if p.poll() is not None: raise SystemExit(f"memcgd exited with {p.returncode} at start")
        time.sleep(0.05)
    raise SystemExit("memcgd did not start")

def request(port, method, path, body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=json.dumps(body) if body is not None else None)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data

def writer_commands(w, rng, n):
    """A writer's command stream: its container, processes, page events
    (ranges and lists, anon and file, mlock, unmap, free), limit writes, reclaim, exits."""
    name = f"w{w}"; base = w * 4000; pids = []; next_pid = 1000 * (w + 1)
    cmds = [("POST", "/containers", {"name": name, "limits": {"max": f"{rng.choice([2, 4, 8])}M"}})]
    for _ in range(n):
        r = rng.random()
        if r < 0.08 or not pids:
            next_pid += 1; pids.append(next_pid)
            cmds.append(("POST", "/processes", {"pid": next_pid, "container": name}))
        elif r < 0.11 and len(pids) > 1:
            pid = pids.pop(rng.randrange(len(pids))); cmds.append(("DELETE", f"/processes/{pid}", None))
        elif r < 0.16:
            cmds.append(("PUT", f"/containers/{name}/limits", {"max": f"{rng.choice([1, 2, 3, 6, 12])}M"}))
        elif r < 0.19:
            cmds.append(("POST", f"/containers/{name}/reclaim", {"bytes": rng.choice([4096, 65536, 1 << 20])}))
        else:
            evs = []
            for _ in range(rng.randint(1, 4)):
                op = rng.choice(["anon_fault", "anon_fault", "file_fault", "pagecache_add", "unmap", "access", "mlock", "free"])
                ev = {"op": op}
                if op not in ("pagecache_add", "access", "free"): ev["pid"] = rng.choice(pids)
                if rng.random() < 0.5:
                    ev["page"] = base + rng.randrange(3900); ev["count"] = rng.randint(1, 64)
                    ev["count"] = min(ev["count"], base + 4000 - ev["page"])
                else:
                    ev["pages"] = [base + rng.randrange(4000) for _ in range(rng.randint(1, 40))]
                evs.append(ev)
            cmds.append(("POST", "/events", {"events": evs, "list_evicted": rng.random() < 0.5}))
    return cmds

def run_writers(port, streams):
    acked = [[] for _ in streams]; inflight = [None] * len(streams)
    def go(i):
        for cmd in streams[i]:
            inflight[i] = cmd
            try:
                status, _ = request(port, *cmd)
            except (OSError, http.client.HTTPException):
                return  # the server died: `cmd` stays in flight
            inflight[i] = None
            if status >= 500: raise SystemExit(f"writer {i}: {status} for {cmd}")
            acked[i].append(cmd)
    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(streams))]
    for t in threads: t.start()
    return threads, acked, inflight

def state(port, w):
    name = f"w{w}"
    _, c = request(port, "GET", f"/containers/{name}")
    _, s = request(port, "GET", f"/containers/{name}/stats")
    _, p = request(port, "GET", "/processes")
    procs = [x for x in json.loads(p)["processes"] if x["container"] == name] if p else []
    return {"container": json.loads(c) if c else None, "stats": json.loads(s) if s else None, "processes": procs}

def engine_stats(port):
    _, s = request(port, "GET", "/stats")
    return json.loads(s)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary"); ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None); ap.add_argument("--writers", type=int, default=4)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    print(f"crash test: {a.runs} kill points, {a.writers} writers, seed {seed} (rerun with --seed {seed})", flush=True)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="memcgd-crash-")
    log = open(os.path.join(work, "memcgd.log"), "ab")
    failures = 0
    ref_port = free_port(); ref = start(a.binary, ref_port, None, log)
    try:
        for run in range(a.runs):
            data = os.path.join(work, f"data{run}"); os.mkdir(data)
            port = free_port(); srv = start(a.binary, port, data, log)
            streams = [writer_commands(w, random.Random(rng.randrange(1 << 30)), 3000) for w in range(a.writers)]
            threads, acked, inflight = run_writers(port, streams)
            delay = rng.uniform(0.05, 1.0)
            time.sleep(delay)
            srv.send_signal(signal.SIGKILL); srv.wait()
            for t in threads: t.join()
            port = free_port(); srv = start(a.binary, port, data, log)
            # Reference: a fresh engine fed the acknowledged commands, writer by writer.
            request(ref_port, "POST", "/machine/reset", {})
            chosen = []
            ok = True
            for w in range(a.writers):
                for cmd in acked[w]: request(ref_port, *cmd)
                got = state(port, w)
                if state(ref_port, w) != got:
                    if inflight[w] is not None:
                        request(ref_port, *inflight[w])
                        if state(ref_port, w) == got:
                            chosen.append(w); continue
                    ok = False
                    print(f"FAIL run {run} (seed {seed}): writer {w} differs after {len(acked[w])} acknowledged commands, in flight {inflight[w]}")
            used = engine_stats(port)["swap_used_bytes"]
            if used > SWAP_BYTES // 2:
                ok = False
                print(f"FAIL run {run} (seed {seed}): swap {used} bytes used of {SWAP_BYTES}: the machine is too small for the writers to commute")
            if ok:
                # In-flight commands that left their container as it was (a
                # refused write, a no-op) show only in the engine counters:
                # some subset of them was applied, each wholly.
                undecided = [w for w in range(a.writers) if inflight[w] is not None and w not in chosen]
                want = engine_stats(port)
                found = False
                for mask in range(1 << len(undecided)):
                    extra = [undecided[i] for i in range(len(undecided)) if mask >> i & 1]
                    if mask:
                        request(ref_port, "POST", "/machine/reset", {})
                        for w in range(a.writers):
                            for cmd in acked[w]: request(ref_port, *cmd)
                            if w in chosen or w in extra: request(ref_port, *inflight[w])
                    if engine_stats(ref_port) == want:
                        found = True; break
                if not found:
                    ok = False
                    print(f"FAIL run {run} (seed {seed}): GET /stats differs: recovered {want}, reference {engine_stats(ref_port)}")
            srv.send_signal(signal.SIGTERM); srv.wait(timeout=30)
            n = sum(len(x) for x in acked)
            if ok:
                print(f"ok   - run {run}: killed after {delay:.2f}s, {n} acknowledged, {sum(1 for x in inflight if x)} in flight, {len(chosen)} of them applied", flush=True)
            else:
                failures += 1
            shutil.rmtree(data, ignore_errors=True)
    finally:
        ref.terminate(); ref.wait()
    if failures:
        print(f"{failures} of {a.runs} runs failed (seed {seed}); log in {work}/memcgd.log"); sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)
    print(f"crash test passed: {a.runs} kill points (seed {seed})")

if __name__ == "__main__":
    main()
