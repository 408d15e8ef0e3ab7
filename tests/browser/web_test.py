#!/usr/bin/env python3
"""The web view in a real browser: Debian's chromium and chromium-driver,
driven by selenium, against a live memcgd on loopback.

    python tests/browser/web_test.py path/to/memcgd OUTDIR

Checks: the page loads with no console errors; a container created over the
API appears; its usage number equals the API's; an OOM kill shows up after a
refresh; the chart has samples; it fits a phone-width screen; with
--auth-token the token field works and is kept in session storage.
Screenshots go to OUTDIR (1280x800 and phone width)."""
import json, os, socket, subprocess, sys, time, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BIN, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
passed = failed = 0


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("ok   -", what)
    else:
        failed += 1
        print("FAIL -", what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(*flags):
    port = free_port()
    log = open(os.path.join(OUT, f"memcgd-{port}.log"), "w")
    p = subprocess.Popen([BIN, "serve", "--port", str(port), "--memory", "256M", "--swap", "16M", *flags], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return p, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("memcgd did not start")


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        text = r.read()
        return json.loads(text) if text else None


def fmt_bytes(b):  # the page's fmtBytes
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    v, i = float(b), 0
    while abs(v) >= 1024 and i < len(units) - 1:
        v /= 1024
        i += 1
    return f"{b} B" if i == 0 else f"{v:.1f} {units[i]}"


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
              "--force-device-scale-factor=1", "--hide-scrollbars"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def wait(d, cond, timeout=8.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = cond(d)
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.1)
    return None


def click(d, selector):
    """Clicks an element found afresh (the page redraws every second)."""
    return wait(d, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True)


def refreshes(d):
    return int(d.execute_script("return document.body.dataset.refreshes || '0'"))


def after_refresh(d):
    n = refreshes(d)
    return wait(d, lambda d: refreshes(d) > n)


def console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def viewport(d, w, h, mobile):
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile})


procs = []
d = browser()
try:
    srv, B = start()
    procs.append(srv)
    call(B, "POST", "/containers", {"name": "batch", "labels": {"namespace": "jobs"}})
    d.get(B + "/")
    ok(wait(d, lambda d: refreshes(d) >= 1), "the page loads and refreshes itself")
    ok(d.title == "memcgd", "title is memcgd")
    errs = console_errors(d)
    ok(not errs, f"no console errors on load {errs[:3]}")
    frames_used = int(d.find_element(By.ID, "m-frames").get_attribute("data-used"))
    m = call(B, "GET", "/machine")
    ok(frames_used == m["total_pages"] - m["free_pages"], f"machine frames used shown ({frames_used})")

    # A container created over the API appears, with the API's usage.
    call(B, "POST", "/containers", {"name": "web", "limits": {"max": "8M"}, "labels": {"pod": "web-0", "namespace": "prod"}})
    call(B, "POST", "/processes", {"pid": 100, "container": "web"})
    call(B, "POST", "/events", {"events": [{"op": "pagecache_add", "pid": 100, "page": 0, "count": 1500},
                                           {"op": "anon_fault", "pid": 100, "page": 5000, "count": 700},
                                           {"op": "pagecache_add", "pid": 100, "page": 9000, "count": 40, "shmem": True}]})
    # Drop some page cache, so usage is below max_usage and the limit (no number shown by accident).
    call(B, "POST", "/events", {"events": [{"op": "pagecache_remove", "page": 0, "count": 300}]})
    row = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '[data-container="web"]'))
    ok(row is not None, "container web created over the API appears")
    after_refresh(d)
    api_usage = call(B, "GET", "/containers/web")["usage"]
    cell = d.find_element(By.CSS_SELECTOR, '[data-container="web"] .usage')
    web = call(B, "GET", "/containers/web")
    ok(0 < api_usage < web["max_usage"] and api_usage < web["limits"]["max"], f"usage {api_usage} differs from max_usage and max")
    ok(int(cell.get_attribute("data-bytes")) == api_usage and api_usage > 0,
       f"usage of web on the page ({cell.get_attribute('data-bytes')}) equals the API's ({api_usage})")
    ok(cell.text == fmt_bytes(api_usage), f"usage text '{cell.text}' is {fmt_bytes(api_usage)}")
    ws = call(B, "GET", "/containers/web/stats")["working_set"]
    ok(int(d.find_element(By.CSS_SELECTOR, '[data-container="web"] .ws-val').get_attribute("data-bytes")) == ws, f"working set {ws} as the API's")
    click(d, '[data-container="web"]')
    ok(wait(d, lambda d: d.find_element(By.ID, "d-usage").get_attribute("data-bytes") == str(api_usage)), "selected: detail usage equals the API's")
    ok(wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '#procs [data-pid="100"]')), "the processes of the selected container are listed")
    ok("pod=web-0" in d.find_element(By.ID, "sel-labels").text, "labels shown")
    ok(wait(d, lambda d: int(d.find_element(By.ID, "chart").get_attribute("data-samples") or 0) >= 1), "the chart has samples as soon as it is shown")

    # An OOM kill shows up after a refresh.
    call(B, "POST", "/containers", {"name": "tmp", "parent": "batch", "limits": {"max": "1M"}})
    call(B, "POST", "/processes", {"pid": 200, "container": "tmp"})
    wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '[data-container="tmp"]'))
    after_refresh(d)
    r = call(B, "POST", "/events", {"events": [{"op": "insert_page", "pid": 200, "page": 20000, "count": 400}]})
    ok(len(r["oom_kills"]) == 1, "the API reports one OOM kill")
    kills = call(B, "GET", "/containers/tmp/stats")["events"]["oom_kill"]
    chip = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '[data-container="tmp"] [data-event="oom_kill"]'))
    ok(chip is not None and int(chip.get_attribute("data-value")) == kills == 1, "oom_kill 1 shows on tmp after a refresh")
    ok(chip is not None and "changed" in chip.get_attribute("class"), "the new OOM kill is highlighted as changed")
    # A workload of page cache for the chart to show something moving.
    for i in range(4):
        call(B, "POST", "/events", {"events": [{"op": "pagecache_add", "pid": 100, "page": 30000 + i * 300, "count": 300}]})
        after_refresh(d)
    click(d, '[data-container="web"]')
    after_refresh(d)
    after_refresh(d)
    d.save_screenshot(os.path.join(OUT, "web-1280x800.png"))
    ok(d.execute_script("return document.documentElement.scrollWidth") <= 1280, "no horizontal scroll at 1280x800")

    # Phone width.
    viewport(d, 390, 844, True)
    after_refresh(d)
    after_refresh(d)
    sw = d.execute_script("return document.documentElement.scrollWidth")
    ok(sw <= 390, f"fits a phone-width screen (scrollWidth {sw})")
    d.save_screenshot(os.path.join(OUT, "web-phone.png"))
    full = d.execute_script("return document.documentElement.scrollHeight")
    viewport(d, 390, min(full, 4000), True)
    after_refresh(d)
    d.save_screenshot(os.path.join(OUT, "web-phone-full.png"))
    viewport(d, 1280, 800, False)
    errs = console_errors(d)
    ok(not errs, f"no console errors after the whole run {errs[:3]}")

    # With --auth-token: the page asks, the token field works, session storage keeps it.
    srv2, B2 = start("--auth-token", "s3cret-token")
    procs.append(srv2)
    call(B2, "POST", "/containers", {"name": "guarded"}, token="s3cret-token")
    d.get(B2 + "/")
    ok(wait(d, lambda d: d.find_element(By.ID, "banner").is_displayed()), "without a token the page says it needs one")
    ok(not d.find_elements(By.CSS_SELECTOR, '[data-container="guarded"]'), "and shows no container")
    d.get_log("browser")  # the 401s of the first try are expected
    d.find_element(By.ID, "token").send_keys("s3cret-token")
    click(d, "#auth button")
    ok(wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '[data-container="guarded"]')), "with the token the containers appear")
    ok(d.execute_script("return sessionStorage.getItem('memcgd-token')") == "s3cret-token", "the token is in session storage")
    d.refresh()
    ok(wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '[data-container="guarded"]')), "after a reload the session's token is used")
    errs = console_errors(d)
    ok(not errs, f"no console errors once the token is set {errs[:3]}")
finally:
    d.quit()
    for p in procs:
        p.terminate()
        p.wait(timeout=10)

print(f"browser: {passed} passed, {failed} failed; screenshots in {OUT}")
sys.exit(1 if failed else 0)
