"""Helpers for the adversarial checks: start memcgd, raw sockets, RSS, timing.

Standard library only (a fresh Debian 12 has python3 but no pip)."""
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    """One memcgd process on a free loopback port; stopped by `stop()`."""

    def __init__(self, binary, *flags, memory="1G"):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="memcgd-adv-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([binary, "serve", "--port", str(self.port), "--memory", memory,
                                      "--log-level", "error", *flags],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if self.get("/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("memcgd did not start: " + open(self.log.name).read()[-2000:])

    def alive(self):
        return self.proc.poll() is None

    def peak_rss_mb(self):
        """VmHWM: the process's peak resident set so far, in MB."""
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
            c.request(method, path, body=data, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def get(self, path, timeout=30, headers=None):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def time_until_served(self, path="/stats", limit=30.0, headers=None, source=None):
        """Seconds until a fresh client gets a 200 for `path` (or `limit`)."""
        t0 = time.time()
        while time.time() - t0 < limit:
            try:
                s = connect(self.port, source=source, timeout=max(0.2, limit - (time.time() - t0)))
                h = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{h}\r\n".encode())
                reply = read_reply(s, timeout=max(0.2, limit - (time.time() - t0)))
                s.close()
                if reply.startswith(b"HTTP/1.1 200"):
                    return time.time() - t0
            except OSError:
                pass
            time.sleep(0.05)
        return limit

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self.log.name)


def connect(port, source=None, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_reply(s, timeout=10):
    """Reads until the peer closes or a whole reply (headers + Content-Length) arrived."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                if len(rest) >= length:
                    break
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def raw(port, text, timeout=5):
    """Sends raw bytes, returns (reply bytes, closed-by-server?)."""
    s = connect(port, timeout=timeout)
    s.sendall(text if isinstance(text, bytes) else text.encode())
    reply = read_reply(s, timeout)
    s.settimeout(1)
    try:
        closed = s.recv(1) == b""
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    s.close()
    return reply, closed


def status_of(reply):
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def push_body(port, head, total, chunked, limit_s=10.0, source=None):
    """Sends `head` then up to `total` body bytes as fast as the server takes
    them; returns (bytes the server accepted, reply, seconds)."""
    s = connect(port, source=source)
    s.sendall(head.encode())
    s.settimeout(0.5)
    sent, chunk, t0 = 0, b"x" * 65536, time.time()
    framed = (b"%x\r\n" % len(chunk)) + chunk + b"\r\n"
    while sent < total and time.time() - t0 < limit_s:
        try:
            s.sendall(framed if chunked else chunk)
            sent += len(chunk)
        except socket.timeout:
            break  # the server stopped reading
        except (BrokenPipeError, ConnectionResetError):
            break
    reply = read_reply(s, timeout=2)
    s.close()
    return sent, reply, time.time() - t0
