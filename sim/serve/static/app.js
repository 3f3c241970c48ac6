// sim wallboard: loads /api/meta and /api/snapshot, then follows /api/feed (server-sent events).
// Plain JavaScript, no build step, nothing fetched from outside the server.
// window.__wallboard exposes counters and render latencies (tests and bench/bench_serve.py).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const wb = (window.__wallboard = {
    ready: false, messages: 0, notifications: 0, resyncs: 0, latency: [], render: [], apply: [],
  });
  const MAX_SAMPLES = 20000;
  const MAX_ROWS = 150;
  const ROWS_PER_MESSAGE = 20;

  let colors = {};
  let priority = [];
  let simTime = null, simAt = 0, speed = 1, paused = false, finished = false;
  let snapEvents = -1;
  let source = null;
  const agents = new Map(); // id -> tile
  const queues = new Map(); // DN@Switch -> panel
  const stats = new Map();  // "stat_type|object" -> line
  const statCards = new Map();

  // ---------------------------------------------------------------- formatting
  const pad = (n) => String(n).padStart(2, "0");
  function fmtDur(s) {
    if (s == null || !isFinite(s) || s < 0) s = 0;
    s = Math.floor(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
  }
  function fmtVal(v) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(1);
    if (typeof v === "object") return Object.entries(v).map(([k, n]) => `${k}:${n}`).join(" ") || "{}";
    return String(v);
  }
  function isDark(hex) {
    const n = parseInt(hex.slice(1), 16);
    const r = n >> 16, g = (n >> 8) & 255, b = n & 255;
    return 0.299 * r + 0.587 * g + 0.114 * b < 140;
  }
  const number = (dn) => (dn ? dn.split("@")[0] : "");
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function now() {
    if (simTime == null) return null;
    if (paused || finished || speed == null) return simTime;
    return simTime + ((performance.now() - simAt) / 1000) * speed;
  }

  // ---------------------------------------------------------------- header and controls
  function setRun(m) {
    simTime = m.time; simAt = performance.now();
    speed = m.speed; paused = m.paused; finished = m.finished;
    const state = finished ? "finished" : paused ? "paused" : "running";
    const badge = $("state");
    badge.textContent = state; badge.className = "badge " + state;
    $("events").textContent = `${m.events.toLocaleString("en")} events`;
    $("pause").textContent = paused ? "Resume" : "Pause";
    $("step").disabled = !paused || finished;
    for (const b of $("speeds").children) {
      const s = b.dataset.speed === "max" ? null : Number(b.dataset.speed);
      b.classList.toggle("active", s === speed);
    }
    const body = document.body.dataset;
    body.events = m.events; body.paused = paused; body.finished = finished;
  }
  function tickClock() {
    const t = now();
    if (t == null) return;
    const d = new Date(t * 1000);
    $("clock").textContent = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    $("date").textContent = d.toISOString().slice(0, 10) + " UTC";
  }
  async function control(body) {
    const r = await fetch("/api/control", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (r.ok) setRun(await r.json());
  }
  $("pause").onclick = () => control({ action: paused ? "resume" : "pause" });
  $("step").onclick = () => control({ action: "step" });
  for (const b of $("speeds").children) b.onclick = () => control({ action: "speed", speed: b.dataset.speed });

  // ---------------------------------------------------------------- agents
  const legendCounts = {};
  function legend() {
    // built once, then only the counts change (a rebuilt legend would re-lay out the grid)
    const box = $("legend");
    if (!box.childElementCount) {
      for (const s of priority) {
        const item = el("span");
        item.dataset.legend = s;
        const sw = el("i");
        sw.style.background = colors[s];
        legendCounts[s] = el("b", "", "0");
        item.append(sw, `${s} `, legendCounts[s]);
        box.append(item);
      }
    }
    const counts = {};
    for (const t of agents.values()) counts[t.status] = (counts[t.status] || 0) + 1;
    for (const s of priority) {
      const text = String(counts[s] || 0);
      if (legendCounts[s].textContent !== text) legendCounts[s].textContent = text;
    }
    $("agent-count").textContent = `${agents.size} agents, low → high priority`;
  }
  // One section per agent group: the browser skips the sections off screen
  // (content-visibility), which keeps 2,000 tiles cheap.
  const teamOf = new Map();
  const teams = new Map();
  function team(name, size) {
    let box = teams.get(name);
    if (!box) {
      const section = el("section", "team");
      section.dataset.team = name;
      section.append(el("h3", "", size ? `${name} · ${size}` : name));
      box = el("div", "tiles");
      section.append(box);
      $("agents").append(section);
      teams.set(name, box);
    }
    return box;
  }
  function setAgent(a) {
    let t = agents.get(a.id);
    if (!t) {
      const e = el("div", "agent");
      e.dataset.agent = a.id;
      const id = el("div", "id", a.id);
      const meta = el("div", "meta");
      const dn = el("span", "dn");
      const time = el("span", "time");
      meta.append(dn, time);
      e.append(id, meta);
      (teamOf.get(a.id) || team("Agents")).append(e);
      t = { e, dn, time, shown: "" };
      agents.set(a.id, t);
      tileOf.set(e, t);
      onScreen.observe(e);
    }
    t.since = a.since;
    if (t.status !== a.status) {
      t.status = a.status;
      const c = colors[a.status] || "#000000";
      t.e.style.background = c;
      t.e.classList.toggle("dark", isDark(c));
      t.e.dataset.status = a.status;
      t.e.title = `${a.id}: ${a.status}`;
    }
    const n = number(a.dn);
    if (t.dn.textContent !== n) t.dn.textContent = n;
    t.e.dataset.dn = a.dn || "";
    showTime(t, now());
  }
  function showTime(a, t) {
    const text = a.since == null || t == null ? "" : fmtDur(t - a.since);
    if (text !== a.shown) { a.time.textContent = text; a.shown = text; }
  }
  // Only the tiles on screen get their time in status each second: re-laying out 2,000 of
  // them costs the page about 160 ms a time; the others catch up when scrolled into view.
  const tileOf = new Map();
  const visible = new Set();
  const onScreen = new IntersectionObserver((entries) => {
    for (const en of entries) {
      const tile = tileOf.get(en.target);
      if (en.isIntersecting) { visible.add(tile); showTime(tile, now()); } else visible.delete(tile);
    }
  });
  function updateTimes() {
    const t = now();
    if (t == null) return;
    for (const a of visible) showTime(a, t);
    for (const q of queues.values()) {
      if (q.waitingN > 0) q.oldest.textContent = `oldest ${fmtDur(q.oldestAt == null ? 0 : t - q.oldestAt)}`;
    }
  }

  // ---------------------------------------------------------------- queues
  function setQueue(q) {
    let p = queues.get(q.dn);
    if (!p) {
      const e = el("div", "queue");
      e.dataset.queue = q.dn;
      const head = el("div");
      head.append(el("span", "name", q.dn), el("span", "type", q.type));
      const main = el("div", "main");
      const waiting = el("span", "waiting");
      const oldest = el("span", "oldest");
      main.append(waiting, el("span", "", "waiting"), oldest);
      const dl = el("div", "counts");
      const cells = {};
      for (const k of ["entered", "distributed", "abandoned", "answered"]) {
        const item = el("span");
        cells[k] = el("b");
        cells[k].dataset.count = k;
        item.append(cells[k], ` ${k}`);
        dl.append(item);
      }
      e.append(head, main, dl);
      $("queues").append(e);
      p = { waiting, oldest, cells };
      queues.set(q.dn, p);
    }
    p.waitingN = q.waiting;
    p.waiting.textContent = String(q.waiting);
    p.waiting.dataset.value = q.waiting;
    p.waiting.classList.toggle("hot", q.waiting > 0);
    p.oldestAt = q.waiting > 0 && simTime != null ? simTime - q.oldest_wait : null;
    p.oldest.textContent = q.waiting > 0 ? `oldest ${fmtDur(q.oldest_wait)}` : "";
    for (const k in p.cells) p.cells[k].textContent = String(q[k]);
  }

  // ---------------------------------------------------------------- statistics
  function statCard(st) {
    let card = statCards.get(st);
    if (!card) {
      card = el("div", "stat");
      card.dataset.statType = st;
      card.append(el("h3", "", st.replaceAll("_", " ")));
      $("stats").append(card);
      statCards.set(st, card);
    }
    return card;
  }
  function spark(line) {
    const pts = line.hist;
    const nums = pts.filter((v) => typeof v === "number");
    if (nums.length < 2) { line.poly.setAttribute("points", ""); return; }
    const lo = Math.min(...nums), hi = Math.max(...nums), span = hi - lo || 1;
    const step = 96 / Math.max(1, pts.length - 1);
    const out = [];
    pts.forEach((v, i) => {
      if (typeof v === "number") out.push(`${(i * step).toFixed(1)},${(22 - ((v - lo) / span) * 20).toFixed(1)}`);
    });
    line.poly.setAttribute("points", out.join(" "));
  }
  function setStat(s, push) {
    const key = `${s.stat_type}|${s.object}`;
    let line = stats.get(key);
    if (!line) {
      const e = el("div", "line");
      e.dataset.stat = key;
      e.title = `${s.stat_type} of ${s.object_type} ${s.object}`;
      const val = el("span", "val");
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("viewBox", "0 0 96 24");
      const poly = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
      svg.append(poly);
      e.append(el("span", "obj", s.object), val, svg);
      statCard(s.stat_type).append(e);
      line = { val, poly, hist: [] };
      stats.set(key, line);
    }
    line.val.textContent = fmtVal(s.value);
    line.val.dataset.value = JSON.stringify(s.value);
    if (push) {
      line.hist.push(typeof s.value === "number" ? s.value : null);
      if (line.hist.length > 60) line.hist.shift();
      spark(line);
    }
  }

  // ---------------------------------------------------------------- ticker
  const MARK = { start: ["+", "start"], end: ["−", "end"], retro: ["*", "moment"], moment: ["*", "moment"] };
  function rowItem(r) {
    const li = el("li");
    li.dataset.dn = r.dn || "";
    const head = el("div", "head");
    head.append(el("span", "t", r.clock), el("span", "dn", number(r.dn) || r.switch), el("span", "ev", r.event));
    li.append(head);
    if (r.attributes.length) li.append(el("div", "attrs", r.attributes.join("  ")));
    if (r.actions.length || r.problems.length) {
      const acts = el("div", "acts");
      for (const [kind, name] of r.actions) {
        const [mark, cls] = MARK[kind] || ["*", "moment"];
        acts.append(el("span", cls, `${mark} ${name}`));
      }
      for (const p of r.problems) acts.append(el("span", "problem", `! ${p}`));
      li.append(acts);
    }
    for (const s of r.statuses) li.append(el("div", "st", s.replace(" -> ", " → ")));
    return li;
  }
  function addRows(rows) {
    const list = $("rows");
    const frag = document.createDocumentFragment();
    for (let i = rows.length - 1; i >= 0; i--) frag.append(rowItem(rows[i]));
    list.prepend(frag);
    while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
  }

  // ---------------------------------------------------------------- data
  async function loadSnapshot() {
    const snap = await (await fetch("/api/snapshot")).json();
    snapEvents = snap.events;
    setRun(snap);
    for (const a of snap.agents) setAgent(a);
    legend();
    for (const q of snap.queues) setQueue(q);
    const hist = snap.history || {};
    for (const s of snap.stats) {
      setStat(s, false);
      const line = stats.get(`${s.stat_type}|${s.object}`);
      line.hist = (hist[`${s.stat_type}|${s.object}`] || []).slice();
      spark(line);
    }
    $("notified").textContent = snap.stats.length ? `notified ${snap.notifications_total} times` : "waiting for the first notification";
    if (!wb.ready) { $("rows").textContent = ""; addRows(snap.recent || []); }
    updateTimes(); tickClock();
    wb.ready = true;
  }

  function onMessage(e) {
    const t0 = performance.now();
    const m = JSON.parse(e.data);
    wb.messages++;
    if (m.resync && wb.messages > 1) { wb.resyncs++; loadSnapshot(); }
    setRun(m);
    const fresh = m.events >= snapEvents;    // older deltas are already in the snapshot
    if (fresh) {
      for (const a of m.agents) setAgent(a);
      if (m.agents.length) legend();
      for (const q of m.queues) setQueue(q);
    }
    for (const n of m.notifications) {
      for (const s of n.stats) setStat(s, true);
      wb.notifications++;
    }
    if (m.notifications.length) $("notified").textContent = `notified ${m.notifications_total} times`;
    addRows(m.rows);
    if (m.resync && m.dropped) { const d = $("drops"); d.hidden = false; d.textContent = `${m.dropped} updates dropped (slow tab)`; }
    tickClock();   // the times in status move once a second (a timer): 2,000 tiles stay cheap
    document.body.dataset.notifications = wb.notifications;
    if (m.notifications.length || m.agents.length) {
      if (wb.apply.length < MAX_SAMPLES) wb.apply.push(performance.now() - t0);
      // measured once the browser has laid out and painted the update
      requestAnimationFrame(() => setTimeout(() => {
        if (wb.render.length < MAX_SAMPLES) wb.render.push(performance.now() - t0);
        if (m.notifications.length && wb.latency.length < MAX_SAMPLES) wb.latency.push(Date.now() - m.server_ms);
      }, 0));
    }
  }

  function connect() {
    if (source) source.close();
    const f = new FormData($("filter"));
    const q = new URLSearchParams({ rows: String(ROWS_PER_MESSAGE) });
    for (const k of ["agent", "dn", "conn"]) { const v = (f.get(k) || "").trim(); if (v) q.set(k, v); }
    source = new EventSource("/api/feed?" + q.toString());
    source.onmessage = onMessage;
    source.onerror = () => { $("state").textContent = "disconnected"; $("state").className = "badge"; };
  }
  let filterTimer = null;
  $("filter").addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { $("rows").textContent = ""; connect(); }, 400);
  });
  $("filter").addEventListener("submit", (e) => e.preventDefault());

  async function start() {
    const meta = await (await fetch("/api/meta")).json();
    colors = meta.colors; priority = meta.priority;
    for (const st of meta.stat_types) statCard(st.name).title = st.description || st.name;
    for (const t of meta.teams) {
      const box = team(t.name, t.agents.length);
      for (const id of t.agents) teamOf.set(id, box);
    }
    connect();
    await loadSnapshot();
    setInterval(() => { updateTimes(); tickClock(); }, 1000);
  }
  start();
})();
