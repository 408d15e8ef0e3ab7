#!/usr/bin/env python3
"""Adversarial checks of a memcgd binary over loopback (issue 8).

  attacks.py BINARY            run every attack, assert the bounded outcome
  attacks.py BINARY --measure  run them on any build (an old one too), print
                               numbers only (peak RSS, reply size, recovery)

Each attack gets its own server, so its peak RSS (VmHWM) is its own. Every
attack is bounded in time; the whole set takes well under two minutes."""
import json
import sys
import threading
import time

from lib import Server, connect, push_body, raw, read_reply, status_of

BIN = sys.argv[1]
MEASURE = "--measure" in sys.argv
ONLY = [a for a in sys.argv[2:] if not a.startswith("--")]
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
results, failures = [], []


def check(cond, what):
    if MEASURE:
        return
    print(("ok   - " if cond else "FAIL - ") + what)
    if not cond:
        failures.append(what)


def report(attack, **numbers):
    results.append((attack, numbers))
    print(f"# {attack}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in numbers.items()))


def deep_tree():
    """A chain of containers as deep as the server allows, then a cAdvisor scrape."""
    s = Server(BIN, "--metrics-compat", "cadvisor")
    try:
        want = 65 if not MEASURE else 600
        parent, depth, refused = None, 0, 0
        for i in range(want):
            body = {"name": f"n{i:04d}-" + "x" * 50, **({"parent": parent} if parent else {})}
            st, _ = s.request("POST", "/containers", body)
            if st != 201:
                refused = st
                break
            parent, depth = body["name"], depth + 1
        t0 = time.time()
        st, m = s.get("/metrics", timeout=120)
        scrape = time.time() - t0
        st2, lst = s.get("/containers", timeout=120)
        report("deep tree", depth=depth, refused_at=refused, scrape_bytes=len(m), scrape_s=scrape,
               list_bytes=len(lst), peak_rss_mb=s.peak_rss_mb())
        check(depth == 64 and refused == 400, f"depth stops at 64 with 400 (depth {depth}, status {refused})")
        check(st == 200 and len(m) < 4 << 20, f"cAdvisor scrape at depth 64 stays small ({len(m)} bytes)")
        check(st2 == 200 and len(lst) < 4 << 20, f"listing at depth 64 stays small ({len(lst)} bytes)")
    finally:
        s.stop()


def unauthenticated_bodies():
    """40 connections announce 15 MiB bodies without a token and never finish."""
    s = Server(BIN, "--auth-token", TOKEN, "--body-limit", "16M")
    socks, replies = [], []
    try:
        for _ in range(40):
            c = connect(s.port)
            c.sendall(b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 15728640\r\n\r\n")
            try:
                c.sendall(b"x" * (4 << 20))
            except OSError:
                pass
            socks.append(c)
        for c in socks:
            replies.append(status_of(read_reply(c, timeout=2)))
        rec = s.time_until_served("/healthz", limit=10)
        report("unauthenticated bodies", replies_401=replies.count(401), peak_rss_mb=s.peak_rss_mb(), recover_s=rec)
        check(replies.count(401) == 40, f"all 40 refused with 401 before the body ({replies.count(401)})")
        check(s.peak_rss_mb() < 150, f"peak RSS stays low ({s.peak_rss_mb():.0f} MB)")
    finally:
        for c in socks:
            c.close()
        s.stop()


def shared_buffer():
    """No token: 40 connections each hold 15 MiB of an unfinished body."""
    s = Server(BIN, "--body-limit", "16M")
    socks, statuses = [], []
    try:
        for _ in range(40):
            c = connect(s.port)
            c.sendall(b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 15728640\r\n\r\n")
            c.settimeout(0.3)
            try:
                c.sendall(b"x" * ((15 << 20) - 1))
            except OSError:
                pass
            socks.append(c)
        for c in socks:
            statuses.append(status_of(read_reply(c, timeout=0.3)))
        rec = s.time_until_served("/stats", limit=10)
        report("shared body budget", replies_503=statuses.count(503), peak_rss_mb=s.peak_rss_mb(), recover_s=rec)
        check(statuses.count(503) >= 30, f"bodies past the 64M budget get 503 ({statuses.count(503)} of 40)")
        check(s.peak_rss_mb() < 250, f"peak RSS bounded by the budget ({s.peak_rss_mb():.0f} MB)")
        check(rec < 2, f"other clients served meanwhile ({rec:.2f} s)")
    finally:
        for c in socks:
            c.close()
        s.stop()


def long_batch():
    """One batch of many single-page events; how long GET /stats waits."""
    s = Server(BIN)
    try:
        s.request("POST", "/processes", {"pid": 1, "container": "root"})
        ev = [{"op": op, "pid": 1, "page": 0, "count": 262144} for _ in range(100) for op in ("anon_fault", "unmap")]
        body = json.dumps({"events": ev}).encode()
        out = {}
        t = threading.Thread(target=lambda: out.update(r=s.request("POST", "/events", body, timeout=300)))
        t0 = time.time()
        t.start()
        time.sleep(0.05)
        rec = s.time_until_served("/stats", limit=60)
        t.join()
        took = time.time() - t0
        report("long batch", body_bytes=len(body), status=out["r"][0], batch_s=took, stats_wait_s=rec, peak_rss_mb=s.peak_rss_mb())
        check(out["r"][0] == 400 and b"max-batch-pages" in out["r"][1], f"52M single-page events refused with 400 ({out['r'][0]})")
        check(rec < 1, f"GET /stats served at once ({rec:.2f} s)")
    finally:
        s.stop()


def slowloris():
    """50 connections from 127.0.0.2 send one header byte a second."""
    flags = ["--connection-limit", "50"] + ([] if MEASURE else ["--request-timeout", "3", "--connections-per-ip", "20"])
    s = Server(BIN, *flags)
    socks, stop = [], threading.Event()
    try:
        for _ in range(50):
            try:
                c = connect(s.port, source="127.0.0.2", timeout=1)
                c.sendall(b"POST /events HTTP/1.1\r\nHost: x\r\n")
                socks.append(c)
            except OSError:
                pass

        def drip():
            while not stop.is_set():
                for c in socks:
                    try:
                        c.send(b"X")
                    except OSError:
                        pass
                time.sleep(1)
        threading.Thread(target=drip, daemon=True).start()
        time.sleep(0.5)
        rec = s.time_until_served("/stats", limit=15)
        time.sleep(max(0, 4.5 - rec))
        open_now = 0
        for c in socks:
            try:
                c.setblocking(False)
                open_now += c.recv(1) != b""
            except BlockingIOError:
                open_now += 1
            except OSError:
                pass
        report("slowloris", attacker_conns=len(socks), still_open_after_5s=open_now, recover_s=rec, peak_rss_mb=s.peak_rss_mb())
        check(open_now == 0, f"slow connections closed by the request deadline ({open_now} open after 5 s)")
        check(rec < 2, f"another client served during the attack ({rec:.2f} s)")
    finally:
        stop.set()
        for c in socks:
            c.close()
        s.stop()


def oversize_bodies():
    """--body-limit 1M: a chunked upload and a Content-Length of 2^63."""
    s = Server(BIN, "--body-limit", "1M")
    try:
        head = "POST /events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        sent, reply, took = push_body(s.port, head, 2 << 30, True, limit_s=5)
        big, closed = raw(s.port, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775808\r\n\r\nxx")
        report("oversize bodies", chunked_accepted_mb=sent / 2**20, chunked_s=took, cl_2e63_status=status_of(big),
               peak_rss_mb=s.peak_rss_mb())
        check(sent < 16 << 20, f"chunked upload stopped near the 1M limit ({sent / 2**20:.1f} MiB taken)")
        check(status_of(big) == 413 and closed, f"Content-Length 2^63 is 413 and closes ({status_of(big)})")
        check(s.alive(), "server still up")
    finally:
        s.stop()


def parsing_cost():
    """16 MB of small JSON objects to a route that builds a tree."""
    s = Server(BIN)
    try:
        body = b'{"name":"a","x":[' + b",".join([b'{"a":1}'] * 2_000_000) + b"]}"
        c = connect(s.port, timeout=120)
        t0 = time.time()
        c.sendall(f"POST /containers HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        try:
            c.sendall(body)
        except OSError:
            pass  # refused on the headers: the body is never read
        reply = read_reply(c, timeout=120)
        c.close()
        st = status_of(reply)
        report("parsing cost", body_mb=len(body) / 1e6, status=st, seconds=time.time() - t0, reply_bytes=len(reply),
               peak_rss_mb=s.peak_rss_mb())
        check(st == 413, f"a 14 MB body to POST /containers is 413 ({st})")
        check(s.peak_rss_mb() < 100, f"peak RSS stays low ({s.peak_rss_mb():.0f} MB)")
    finally:
        s.stop()


def protocol():
    """Strict parsing, %00 in paths, authentication order, small input rules."""
    s = Server(BIN, "--auth-token", TOKEN)
    a = f"Authorization: Bearer {TOKEN}\r\n"
    try:
        cases = [
            ("two Content-Lengths", f"POST /containers HTTP/1.1\r\nHost: x\r\n{a}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{{}}x", b"two Content-Length"),
            ("space before a colon", f"GET /stats HTTP/1.1\r\nHost: x\r\n{a}X-A : 1\r\n\r\n", b"space or a tab"),
            ("HTTP/1.1 without Host", f"GET /stats HTTP/1.1\r\n{a}\r\n", b"Host"),
        ]
        for what, text, want in cases:
            reply, closed = raw(s.port, text)
            check(status_of(reply) == 400 and want in reply, f"{what}: 400 ({status_of(reply)}, {reply[-90:]!r})")
        reply, closed = raw(s.port, f"POST /containers HTTP/1.1\r\nHost: x\r\n{a}Content-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + '0c\r\n{"name":"q"}\r\n0\r\n\r\n')
        check(closed, f"Content-Length with chunked: connection closed after the reply ({status_of(reply)})")
        s.request("POST", "/containers", {"name": "web"}, headers=AUTH)
        st, _ = s.request("DELETE", "/containers/web%00-x", headers=AUTH)
        st2, _ = s.get("/containers/web", headers=AUTH)
        check(st == 400 and st2 == 200, f"DELETE /containers/web%00-x is 400 and web stays ({st}, {st2})")
        check(s.get("/nope")[0] == 401 and s.request("POST", "/stats")[0] == 401, "unknown route and wrong method are 401 without a token")
        check(s.get("/nope", headers=AUTH)[0] == 404, "404 with the token")
        check(s.get("/stats", headers={"Authorization": f"bEaReR {TOKEN}"})[0] == 200, "the Bearer scheme is case-insensitive")
        check(s.get("/stats", headers={"Authorization": f"Bearer {TOKEN}x"})[0] == 401, "a longer token is refused")
        check(s.request("POST", "/processes", {"pid": 7, "parent_pid": 0}, headers=AUTH)[0] == 400, "parent_pid 0 is 400")
        check(s.request("POST", "/processes", {"pid": 7, "parent_pid": -1}, headers=AUTH)[0] == 400, "parent_pid -1 is 400")
        st, b = s.request("POST", "/events", {"events": [{"op": "anon_fault", "pid": 2**31, "page": 0}]}, headers=AUTH)
        check(st == 400, f"an event pid above the pid range is 400 ({st})")
        s.request("POST", "/processes", {"pid": 9, "container": "web"}, headers=AUTH)
        st, b = s.request("POST", "/events", b'{"ev\\u0065nts":[{"op":"anon_fault","p\\u0069d":9,"page":1}]}', headers=AUTH)
        check(st == 200 and json.loads(b)["applied"] == 1, f"escaped member names mean the same names ({st})")
        check(s.request("POST", "/containers", {"name": "."}, headers=AUTH)[0] == 400, "a container named . is refused")
        report("protocol", checks="see above")
    finally:
        s.stop()


def startup():
    import subprocess
    for args in (["--auth-token", ""], ["--memory", "8191G"]):
        try:
            p = subprocess.run([BIN, "serve", "--port", "0", *args], capture_output=True, timeout=5)
        except subprocess.TimeoutExpired:
            report("start-up " + " ".join(args), exit="none: still serving after 5 s")
            check(False, f"serve {' '.join(args)} exits 64")
            continue
        lines = [l for l in p.stderr.decode(errors="replace").splitlines() if l.strip()]
        report("start-up " + " ".join(args), exit=p.returncode, message=lines[0][:90] if lines else "")
        check(p.returncode == 64 and p.stderr, f"serve {' '.join(args)} exits 64 with a message ({p.returncode})")


ATTACKS = [deep_tree, unauthenticated_bodies, shared_buffer, long_batch, slowloris, oversize_bodies, parsing_cost, protocol, startup]
t_start = time.time()
for attack in ATTACKS:
    if ONLY and attack.__name__ not in ONLY:
        continue
    try:
        attack()
    except Exception as e:  # an attack that breaks the harness is a failure too
        print(f"FAIL - {attack.__name__}: {type(e).__name__}: {e}")
        failures.append(attack.__name__)
print(f"adversarial: {len(failures)} failed, {time.time() - t_start:.0f} s")
sys.exit(1 if failures and not MEASURE else 0)
