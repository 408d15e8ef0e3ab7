// Generated from web/index.html by `make web`; a test keeps the two equal.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memcgd</title>
<link rel="icon" href="data:,">
<style>
:root {
  --bg: #f4f5f7; --panel: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
  --anon: #4f6bed; --file: #2fa37c; --shmem: #9b5de5; --swap: #f2a541; --unevict: #d1495b;
  --ws: #1d2330; --limit: #d1495b; --high: #f2a541; --low: #2fa37c; --min: #1f7a5a;
  --changed: #fff1b8; --accent: #4f6bed; --bad: #d1495b; --good: #2fa37c;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #12151b; --panel: #1b1f27; --ink: #e6e8ec; --muted: #98a2b3; --line: #2c323d; --ws: #e6e8ec; --changed: #5a4b12; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 20px; padding: 10px 16px; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 17px; white-space: nowrap; }
.brand small { font-weight: 400; color: var(--muted); font-size: 12px; margin-left: 6px; }
.machine { display: flex; gap: 18px; flex: 1 1 420px; flex-wrap: wrap; }
.meter { flex: 1 1 180px; min-width: 160px; }
.meter .lbl { display: flex; justify-content: space-between; font-size: 12px; color: var(--muted); }
.meter .lbl b { color: var(--ink); font-weight: 600; }
.track { position: relative; height: 10px; border-radius: 5px; background: var(--line); overflow: hidden; }
.track > span { position: absolute; top: 0; bottom: 0; }
form.auth { display: flex; gap: 6px; align-items: center; }
form.auth input { width: 150px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--ink); }
button { padding: 5px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--ink); cursor: pointer; font: inherit; }
button:hover { border-color: var(--accent); }
.dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; }
.dot.ok { background: var(--good); } .dot.err { background: var(--bad); }
.banner { margin: 10px 16px 0; padding: 8px 12px; border-radius: 6px; background: #fde2e4; color: #7a1020; }
main { display: grid; grid-template-columns: minmax(0, 1.05fr) minmax(0, 1fr); gap: 14px; padding: 14px 16px; align-items: start; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 8px; display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
h2 small, h3 small { color: var(--muted); font-weight: 400; font-size: 12px; }
h3 { font-size: 13px; margin: 0 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; color: var(--muted); margin: 2px 0 8px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.row { display: grid; grid-template-columns: minmax(90px, 1.1fr) minmax(120px, 2fr) 150px 150px; gap: 4px 10px; align-items: center;
       padding: 6px 6px; border-radius: 6px; cursor: pointer; border: 1px solid transparent; }
.row:hover { background: var(--bg); }
.row.sel { border-color: var(--accent); background: var(--bg); }
.row .name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-weight: 600; }
.row .name .tw { color: var(--muted); font-weight: 400; }
.bar { position: relative; height: 16px; border-radius: 4px; background: var(--line); overflow: visible; }
.bar .seg { position: absolute; top: 0; bottom: 0; }
.bar .unev { position: absolute; bottom: -3px; height: 3px; background: var(--unevict); }
.bar .mark { position: absolute; top: -3px; bottom: -3px; width: 2px; }
.bar .mark.max { background: var(--limit); } .bar .mark.high { background: var(--high); }
.bar .mark.low { background: var(--low); width: 0; border-left: 2px dashed var(--low); }
.bar .mark.min { background: var(--min); }
.nums { font-variant-numeric: tabular-nums; font-size: 13px; white-space: nowrap; }
.nums .sub { color: var(--muted); font-size: 12px; }
.events { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 4px; padding-left: var(--indent, 0); }
.chip { font-size: 11px; padding: 1px 6px; border-radius: 10px; background: var(--bg); border: 1px solid var(--line); color: var(--muted); font-variant-numeric: tabular-nums; }
.chip b { color: var(--ink); font-weight: 600; }
.chip.hot { border-color: var(--bad); }
.chip.changed, td.changed { background: var(--changed); }
.chip .delta, td .delta { color: var(--bad); font-weight: 700; margin-left: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 12px; margin-top: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; min-width: 0; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { text-align: right; padding: 3px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
.chart { position: relative; height: 210px; }
canvas { width: 100%; height: 100%; display: block; }
.labels { display: flex; flex-wrap: wrap; gap: 4px; }
.empty { color: var(--muted); font-style: italic; padding: 6px 0; }
.scroll { max-height: 260px; overflow: auto; }
.progress { height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; }
.progress > span { display: block; height: 100%; background: var(--accent); }
footer { padding: 4px 16px 16px; color: var(--muted); font-size: 12px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
@media (max-width: 860px) {
  main { grid-template-columns: 1fr; padding: 10px; gap: 10px; }
  header { padding: 10px; }
  .row { grid-template-columns: minmax(0, 1fr) auto; }
  .row .bar { grid-column: 1 / -1; grid-row: 2; }
  .row .nums.ws { grid-column: 1 / -1; grid-row: 3; }
  .row .nums.use { text-align: right; }
  form.auth { flex: 1 1 100%; } form.auth input { flex: 1; }
  .chart { height: 180px; }
}
</style>
</head>
<body>
<header>
  <div class="brand"><span class="dot" id="dot" title="connection"></span> memcgd<small id="version"></small></div>
  <div class="machine" id="machine"></div>
  <form class="auth" id="auth" autocomplete="off">
    <input id="token" type="password" placeholder="bearer token" aria-label="bearer token">
    <button type="submit">Use token</button>
  </form>
</header>
<div class="banner" id="banner" hidden></div>
<main>
  <section class="panel" id="tree-panel">
    <h2>Containers <small id="count"></small></h2>
    <div class="legend">
      <span><i style="background:var(--anon)"></i>anon</span><span><i style="background:var(--file)"></i>file</span>
      <span><i style="background:var(--shmem)"></i>shmem</span><span><i style="background:var(--swap)"></i>swap</span>
      <span><i style="background:var(--unevict)"></i>unevictable</span>
      <span><i style="background:var(--limit)"></i>max</span><span><i style="background:var(--high)"></i>high</span>
      <span><i style="background:var(--low)"></i>low</span><span><i style="background:var(--min)"></i>min</span>
    </div>
    <div id="tree" role="tree"></div>
  </section>
  <section class="panel" id="detail">
    <h2 id="sel-title">root</h2>
    <div class="labels" id="sel-labels"></div>
    <div class="legend"><span><i style="background:var(--anon)"></i>usage</span><span><i style="background:var(--ws)"></i>working set</span>
      <span><i style="background:var(--limit)"></i>max</span><span><i style="background:var(--high)"></i>high</span><span id="chart-note"></span></div>
    <div class="chart"><canvas id="chart" aria-label="usage and working set over the last 10 minutes"></canvas></div>
    <div class="cards">
      <div class="card"><h3>Memory</h3><table id="mem"></table></div>
      <div class="card"><h3>Events <small>local / subtree</small></h3><table id="ev"></table></div>
      <div class="card"><h3>Counters</h3><table id="ctr"></table></div>
      <div class="card"><h3>Processes <small id="proc-count"></small></h3><div class="scroll"><table id="procs"></table></div></div>
    </div>
  </section>
  <section class="panel" id="workloads-panel" hidden>
    <h2>Workloads</h2>
    <div id="workloads"></div>
  </section>
</main>
<footer>
  <span id="updated">not loaded yet</span>
  <button id="pause" type="button">Pause</button>
  <span>API: <a href="openapi.yaml">openapi.yaml</a> · <a href="metrics">metrics</a></span>
</footer>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const EVENTS = ["max", "high", "low", "oom", "oom_kill", "oom_group_kill"];
const HOT = new Set(["oom", "oom_kill", "oom_group_kill"]);
const KEEP_HIGHLIGHT_MS = 10000;
const MAX_STATS = 300;   // per-container stats fetched per refresh
const state = { selected: decodeURIComponent(location.hash.slice(1)) || "root", paused: false, prev: new Map(), changed: new Map(),
                containers: [], stats: new Map(), machine: null, hasWorkloads: false, timer: 0 };

function fmtBytes(b) {
  if (b === null || b === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = b, i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? b + " B" : v.toFixed(1) + " " + units[i];
}
const fmtInt = (n) => (n === null || n === undefined) ? "—" : Number(n).toLocaleString("en-US");
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v;
    else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function headers() {
  const t = sessionStorage.getItem("memcgd-token");
  return t ? { "Authorization": "Bearer " + t } : {};
}
class HTTPError extends Error { constructor(status, body) { super(body && body.detail || ("HTTP " + status)); this.status = status; } }
async function api(path) {
  const r = await fetch(path, { headers: headers(), cache: "no-store" });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new HTTPError(r.status, body);
  return body;
}

function showBanner(text) { const b = $("banner"); b.hidden = !text; b.textContent = text || ""; }

// Changes since the last refresh: remembered per key, highlighted for a while.
function noteChange(key, value, now) {
  const before = state.prev.get(key);
  state.prev.set(key, value);
  if (before !== undefined && value > before) state.changed.set(key, { delta: value - before, at: now });
  const c = state.changed.get(key);
  if (c && now - c.at > KEEP_HIGHLIGHT_MS) { state.changed.delete(key); return null; }
  return c || null;
}

function machineMeters(m) {
  const used = m.total_pages - m.free_pages, swapUsed = m.swap_bytes - m.swap_free_bytes;
  const box = $("machine"); box.replaceChildren();
  const meter = (label, usedText, freeText, frac, color, id) => el("div", { class: "meter", id },
    el("div", { class: "lbl" }, el("span", {}, label + " ", el("b", { text: usedText })), el("span", { text: freeText })),
    el("div", { class: "track" }, el("span", { style: `left:0;width:${(100 * frac).toFixed(2)}%;background:${color}` })));
  box.append(meter("frames used", fmtInt(used) + " (" + fmtBytes(used * m.page_size) + ")",
                   fmtInt(m.free_pages) + " free of " + fmtInt(m.total_pages), m.total_pages ? used / m.total_pages : 0, "var(--anon)", "m-frames"));
  box.append(meter("swap used", fmtBytes(swapUsed), m.swap_bytes ? fmtBytes(m.swap_free_bytes) + " free of " + fmtBytes(m.swap_bytes) : "no swap",
                   m.swap_bytes ? swapUsed / m.swap_bytes : 0, "var(--swap)", "m-swap"));
  $("m-frames").dataset.used = used; $("m-swap").dataset.bytes = swapUsed;
  $("version").textContent = "v" + m.version + (m.cgroup ? " · cgroup " + m.cgroup : "") + " · page " + fmtBytes(m.page_size);
}

// The tree: parents before children, in creation order (the API's list order).
function ordered(containers) {
  const byParent = new Map();
  for (const c of containers) { const p = c.parent || ""; if (!byParent.has(p)) byParent.set(p, []); byParent.get(p).push(c); }
  const out = [];
  const walk = (p, depth) => { for (const c of byParent.get(p) || []) { out.push([c, depth]); walk(c.name, depth + 1); } };
  walk("", 0);
  return out;
}

function usageBar(c, st, scale) {
  const bar = el("div", { class: "bar", title: "" });
  const t = st ? st.total_stat : null;
  const pct = (b) => Math.min(100, 100 * b / scale).toFixed(2) + "%";
  let x = 0;
  const seg = (b, color) => { if (b > 0) { bar.append(el("span", { class: "seg", style: `left:${pct(x)};width:${pct(b)};background:${color}` })); x += b; } };
  if (t) {
    seg(t.rss, "var(--anon)"); seg(t.cache - t.shmem, "var(--file)"); seg(t.shmem, "var(--shmem)"); seg(t.swap, "var(--swap)");
    if (t.unevictable > 0) bar.append(el("span", { class: "unev", style: `left:0;width:${pct(t.unevictable)}` }));
  } else seg(c.usage, "var(--anon)");
  const lim = c.limits || {};
  for (const k of ["min", "low", "high", "max"]) {
    const v = lim[k];
    if (v !== null && v !== undefined && v > 0 && v <= scale) bar.append(el("span", { class: "mark " + k, style: `left:calc(${pct(v)} - 1px)`, title: k + " " + fmtBytes(v) }));
  }
  bar.title = `usage ${fmtBytes(c.usage)}` + (t ? `: anon ${fmtBytes(t.rss)}, file ${fmtBytes(t.cache - t.shmem)}, shmem ${fmtBytes(t.shmem)}, swap ${fmtBytes(t.swap)}, unevictable ${fmtBytes(t.unevictable)}` : "");
  return bar;
}

function renderTree(now) {
  const tree = $("tree"), m = state.machine;
  tree.replaceChildren();
  const list = ordered(state.containers);
  $("count").textContent = list.length === 1 ? "1 container" : list.length + " containers";
  for (const [c, depth] of list) {
    const st = state.stats.get(c.name);
    const max = c.limits ? c.limits.max : null;
    const scale = Math.max(1, max || (m ? m.memory_bytes : c.usage));   // unlimited: against the machine
    const row = el("div", { class: "row" + (c.name === state.selected ? " sel" : ""), role: "treeitem", "data-container": c.name,
                            "aria-selected": String(c.name === state.selected), style: `--indent:${depth * 14}px` });
    row.append(el("div", { class: "name", style: `padding-left:${depth * 14}px`, title: c.path },
                  depth ? el("span", { class: "tw", text: "└ " }) : null, c.name));
    row.append(usageBar(c, st, scale));
    row.append(el("div", { class: "nums use" }, el("span", { class: "usage", "data-bytes": c.usage, text: fmtBytes(c.usage) }),
                  el("span", { class: "sub", text: " / " + (max === null || max === undefined ? "no limit" : fmtBytes(max)) })));
    const ws = st ? st.working_set : null;
    row.append(el("div", { class: "nums ws" }, el("span", { class: "sub", text: "ws " }), el("span", { class: "ws-val", "data-bytes": ws ?? "", text: fmtBytes(ws) }),
                  el("span", { class: "sub", text: " · failcnt " }), el("span", { class: "failcnt", text: fmtInt(c.failcnt) })));
    noteChange(c.name + "/failcnt", c.failcnt, now);
    const chips = el("div", { class: "events" });
    if (st) for (const k of EVENTS) {
      if (!(k in st.events)) continue;
      const v = st.events[k], ch = noteChange(c.name + "/ev/" + k, v, now);
      if (v === 0 && !ch) continue;
      chips.append(el("span", { class: "chip" + (HOT.has(k) ? " hot" : "") + (ch ? " changed" : ""), "data-event": k, "data-value": v },
                      k + " ", el("b", { text: fmtInt(v) }), ch ? el("span", { class: "delta", text: "+" + fmtInt(ch.delta) }) : null));
    }
    if (chips.childNodes.length) row.append(chips);
    row.addEventListener("click", () => select(c.name));
    tree.append(row);
  }
}

function kv(table, rows) {
  table.replaceChildren();
  for (const [k, v, attrs] of rows) table.append(el("tr", attrs || {}, el("td", { text: k }), el("td", { text: v })));
}

function renderDetail(now, procs, hist) {
  const c = state.containers.find((x) => x.name === state.selected);
  if (!c) return;
  const st = state.stats.get(c.name);
  $("sel-title").replaceChildren(c.name, el("small", { text: c.path + " · " + c.charge_type + " · " +
    (c.processes === 1 ? "1 process" : c.processes + " processes") + " · " + (c.children.length === 1 ? "1 child" : c.children.length + " children") }));
  const labels = $("sel-labels"); labels.replaceChildren();
  for (const [k, v] of Object.entries(c.labels || {})) labels.append(el("span", { class: "chip", text: k + "=" + v }));
  const lim = c.limits || {};
  const rows = [["usage", fmtBytes(c.usage), { id: "d-usage", "data-bytes": c.usage, title: fmtInt(c.usage) + " bytes" }],
                ["max_usage", fmtBytes(c.max_usage)]];
  for (const k of ["max", "high", "low", "min", "swap_max"]) if (k in lim) rows.push([k, lim[k] === null ? (k === "low" || k === "min" ? "all" : "unlimited") : fmtBytes(lim[k])]);
  if (st) {
    const t = st.total_stat;
    rows.push(["working set", fmtBytes(st.working_set), { id: "d-ws", "data-bytes": st.working_set }],
              ["anon", fmtBytes(t.rss)], ["file", fmtBytes(t.cache - t.shmem)], ["shmem", fmtBytes(t.shmem)],
              ["swap", fmtBytes(t.swap)], ["unevictable", fmtBytes(t.unevictable)], ["mapped file", fmtBytes(t.mapped_file)],
              ["active / inactive anon", fmtBytes(t.active_anon) + " / " + fmtBytes(t.inactive_anon)],
              ["active / inactive file", fmtBytes(t.active_file) + " / " + fmtBytes(t.inactive_file)]);
  }
  kv($("mem"), rows);
  const ev = $("ev"); ev.replaceChildren(el("tr", {}, el("th", { text: "event" }), el("th", { text: "local" }), el("th", { text: "subtree" })));
  if (st) for (const k of EVENTS) {
    if (!(k in st.events)) continue;
    const ch = state.changed.get(c.name + "/ev/" + k);
    const cell = el("td", { class: ch ? "changed" : "", "data-event": k, text: fmtInt(st.events[k]) });
    if (ch) cell.append(el("span", { class: "delta", text: "+" + fmtInt(ch.delta) }));
    ev.append(el("tr", {}, el("td", { text: k }), cell, el("td", { text: fmtInt(st.total_events[k]) })));
  }
  const t = st ? st.total_stat : {};
  kv($("ctr"), [["failcnt", fmtInt(c.failcnt)], ["pgpgin", fmtInt(t.pgpgin)], ["pgpgout", fmtInt(t.pgpgout)],
                ["pgfault", fmtInt(t.pgfault)], ["pgsteal", fmtInt(t.pgsteal)],
                ["hierarchical limit", st ? fmtBytes(st.hierarchical_memory_limit) : "—"]]);
  const pt = $("procs"); pt.replaceChildren();
  const mine = procs ? procs.filter((p) => p.container === c.name) : [];
  $("proc-count").textContent = procs ? (mine.length === 1 ? "1 process" : mine.length + " processes") : "";
  if (!mine.length) pt.append(el("tr", {}, el("td", { class: "empty", text: "no process in this container" })));
  else {
    pt.append(el("tr", {}, ...["pid", "mapped", "mappings", "pinned", "swap slots"].map((h) => el("th", { text: h }))));
    for (const p of mine.slice(0, 500)) pt.append(el("tr", { "data-pid": p.pid }, el("td", { text: String(p.pid) }), el("td", { text: fmtBytes(p.mapped_bytes) }),
      el("td", { text: fmtInt(p.mappings) }), el("td", { text: fmtInt(p.pinned_pages) }), el("td", { text: fmtInt(p.swap_slots) })));
  }
  drawChart(hist, lim);
}

function drawChart(hist, lim) {
  const cv = $("chart"), dpr = window.devicePixelRatio || 1;
  const w = cv.clientWidth, h = cv.clientHeight;
  if (!w || !h) return;
  cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr);
  const g = cv.getContext("2d"); g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
  const css = getComputedStyle(document.documentElement), col = (n) => css.getPropertyValue(n).trim();
  const samples = hist ? hist.samples : [];
  const L = 62, R = 8, T = 8, B = 22, pw = w - L - R, ph = h - T - B;
  const tEnd = samples.length ? samples[samples.length - 1].time_ms : Date.now(), tStart = tEnd - 600000;
  let top = 0;
  for (const s of samples) top = Math.max(top, s.usage, s.working_set);
  for (const k of ["max", "high"]) if (lim[k] && lim[k] < top * 4) top = Math.max(top, lim[k]);
  top = niceTop(top || 1);
  const X = (t) => L + pw * (t - tStart) / 600000, Y = (v) => T + ph * (1 - v / top);
  g.font = "11px system-ui, sans-serif"; g.fillStyle = col("--muted"); g.strokeStyle = col("--line"); g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = top * i / 4, y = Math.round(Y(v)) + 0.5;
    g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
    g.textAlign = "right"; g.textBaseline = "middle"; g.fillText(fmtBytes(v), L - 6, y);
  }
  g.textAlign = "center"; g.textBaseline = "top";
  for (let m = 10; m >= 0; m -= 2) g.fillText(m ? "-" + m + " min" : "now", Math.min(L + pw - 12, X(tEnd - m * 60000)), T + ph + 6);
  const line = (key, color, fill) => {
    if (!samples.length) return;
    g.beginPath();
    samples.forEach((s, i) => { const x = X(s.time_ms), y = Y(s[key]); if (i) g.lineTo(x, y); else g.moveTo(x, y); });
    if (fill) {
      g.lineTo(X(samples[samples.length - 1].time_ms), Y(0)); g.lineTo(X(samples[0].time_ms), Y(0)); g.closePath();
      g.globalAlpha = 0.22; g.fillStyle = color; g.fill(); g.globalAlpha = 1;
      g.beginPath(); samples.forEach((s, i) => { const x = X(s.time_ms), y = Y(s[key]); if (i) g.lineTo(x, y); else g.moveTo(x, y); });
    }
    g.strokeStyle = color; g.lineWidth = 2; g.stroke(); g.lineWidth = 1;
  };
  const limitLine = (k, color) => {
    const v = lim[k]; if (!v || v > top) return;
    g.setLineDash([5, 4]); g.strokeStyle = color; g.beginPath(); g.moveTo(L, Y(v)); g.lineTo(L + pw, Y(v)); g.stroke(); g.setLineDash([]);
  };
  limitLine("max", col("--limit")); limitLine("high", col("--high"));
  line("usage", col("--anon"), true); line("working_set", col("--ws"), false);
  $("chart-note").textContent = samples.length ? samples.length + " samples, 1 per second" : (hist && !hist.sampled ? "not sampled (too many containers)" : "no samples yet");
  cv.dataset.samples = samples.length;
}
function niceTop(v) {
  const p = Math.pow(2, Math.ceil(Math.log2(v)));
  return p * 0.75 >= v ? p * 0.75 : p;
}

function renderWorkloads(list) {
  const box = $("workloads"); box.replaceChildren();
  const items = Array.isArray(list) ? list : (list && list.workloads) || [];
  if (!items.length) { box.append(el("div", { class: "empty", text: "no workload running" })); return; }
  for (const w of items) {
    const done = w.records_done ?? 0, total = w.records_total ?? w.records ?? 0;
    const frac = total ? done / total : (w.progress ?? 0);
    box.append(el("div", { class: "card", "data-workload": w.id },
      el("div", {}, el("b", { text: (w.name || ("workload " + w.id)) }), " ", el("small", { text: w.state || "" })),
      el("div", { class: "progress" }, el("span", { style: `width:${(100 * Math.min(1, frac)).toFixed(1)}%` })),
      el("small", { text: `virtual time ${w.virtual_time ?? "—"} · records ${fmtInt(done)}${total ? " of " + fmtInt(total) : ""} · skipped ${fmtInt(w.records_skipped ?? 0)} · kills ${fmtInt(w.kills ?? 0)}` })));
  }
}

function select(name) {
  state.selected = name;
  history.replaceState(null, "", "#" + encodeURIComponent(name));
  refresh();
}

async function refresh() {
  clearTimeout(state.timer);
  const now = Date.now();
  try {
    const [machine, list] = await Promise.all([api("machine"), api("containers")]);
    state.machine = machine; state.containers = list.containers;
    if (!state.containers.some((c) => c.name === state.selected)) state.selected = "root";
    const names = state.containers.slice(0, MAX_STATS).map((c) => c.name);
    if (!names.includes(state.selected)) names.push(state.selected);
    const [stats, procs, hist, wl] = await Promise.all([
      Promise.all(names.map((n) => api("containers/" + encodeURIComponent(n) + "/stats").catch(() => null))),
      api("processes").catch(() => null),
      api("containers/" + encodeURIComponent(state.selected) + "/history").catch(() => null),
      state.hasWorkloads ? api("workloads").catch(() => null) : Promise.resolve(null)]);
    state.stats = new Map();
    names.forEach((n, i) => { if (stats[i]) state.stats.set(n, stats[i]); });
    machineMeters(machine); renderTree(now); renderDetail(now, procs && procs.processes, hist);
    if (state.hasWorkloads) { $("workloads-panel").hidden = false; renderWorkloads(wl); }
    $("dot").className = "dot ok"; showBanner("");
    $("updated").textContent = "updated " + new Date(now).toLocaleTimeString() + (state.paused ? " · paused" : " · every second");
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
  } catch (e) {
    $("dot").className = "dot err";
    if (e.status === 401) { showBanner("This memcgd needs a bearer token: enter it above (it stays in this tab's session storage)."); $("token").focus(); }
    else showBanner("Cannot reach memcgd: " + e.message);
  }
  if (!state.paused) state.timer = setTimeout(refresh, 1000);
}

$("auth").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const t = $("token").value.trim();
  if (t) sessionStorage.setItem("memcgd-token", t); else sessionStorage.removeItem("memcgd-token");
  $("token").value = ""; $("token").placeholder = t ? "token set for this tab" : "bearer token";
  refresh();
});
$("pause").addEventListener("click", () => {
  state.paused = !state.paused; $("pause").textContent = state.paused ? "Resume" : "Pause";
  if (!state.paused) refresh(); else clearTimeout(state.timer);
});
window.addEventListener("resize", () => refresh());
if (sessionStorage.getItem("memcgd-token")) $("token").placeholder = "token set for this tab";
// Workloads appear when the running memcgd has them (its spec lists /workloads).
fetch("openapi.yaml", { cache: "no-store" }).then((r) => r.ok ? r.text() : "").then((t) => { state.hasWorkloads = /^  \/workloads:/m.test(t); })
  .catch(() => {}).finally(refresh);
</script>
</body>
</html>
"""#
    static let bytes: [UInt8] = Array((html + "\n").utf8)
}
