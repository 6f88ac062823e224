"""Static CSS and JavaScript of the HTML report (extract.report.page).

Kept apart from the Python so the page code reads as one piece.  The script
never puts article data into markup: every string from the data goes into the
page through textContent, .title or SVG text nodes.
"""

CSS = r"""
:root { --fg:#1d232b; --muted:#667085; --line:#d9dee5; --bg:#f6f7f9; --panel:#fff; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; color:var(--fg); background:var(--bg); }
header.top { padding:12px 20px; background:#22303f; color:#fff; display:flex; gap:24px; align-items:baseline;
             flex-wrap:wrap; }
header.top h1 { font-size:18px; margin:0; }
header.top .stats { color:#c9d3de; }
#errors { display:none; background:#fde8e8; color:#8a1c1c; padding:8px 20px; white-space:pre-wrap; }
#layout { display:grid; grid-template-columns: 300px minmax(0,1fr) 320px; gap:16px; padding:16px 20px; align-items:start; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:12px; }
#filters { position:sticky; top:12px; max-height:calc(100vh - 24px); overflow:auto; }
#filters h2, #side h2, .chart h3 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted);
             margin:10px 0 6px; }
#filters h2:first-child { margin-top:0; }
#filters label.cat { display:flex; align-items:center; gap:6px; padding:1px 0; cursor:pointer; }
#filters label.cat .n { margin-left:auto; color:var(--muted); font-variant-numeric:tabular-nums; }
.swatch { width:12px; height:12px; border-radius:3px; display:inline-block; flex:none; }
#filters select { width:100%; padding:4px; font:inherit; }
#filters .buttons { display:flex; gap:6px; margin:4px 0; }
#filters button { font:inherit; font-size:12px; padding:2px 8px; cursor:pointer; }
#summary { margin-top:10px; color:var(--muted); }
#charts { display:grid; grid-template-columns: 1fr 1fr; gap:12px; margin-bottom:16px; }
#charts .chart.wide { grid-column: 1 / span 2; }
.chart svg { width:100%; height:auto; display:block; }
.chart svg text { font-size:11px; fill:#344054; }
.chart .axis line, .chart .axis path { stroke:#98a2b3; }
.chart .grid { stroke:#eaecf0; }
.chart .empty { color:var(--muted); padding:20px 0; }
.chart .controls { display:flex; gap:8px; align-items:center; }
details.doc { margin-bottom:12px; }
details.doc > summary { cursor:pointer; list-style:none; }
details.doc > summary::-webkit-details-marker { display:none; }
details.doc > summary h2 { display:inline; font-size:16px; margin:0; }
details.doc > summary::before { content:"▸ "; color:var(--muted); }
details.doc[open] > summary::before { content:"▾ "; }
.doc .meta { color:var(--muted); font-size:12px; margin:2px 0 8px; }
.doc .meta .count { font-weight:600; color:var(--fg); }
.doc .note { background:#fff6e0; border-left:3px solid #f0b429; padding:4px 8px; margin:6px 0; font-size:12px; }
.doc .body { white-space:pre-wrap; word-break:break-word; font-size:15px; line-height:1.8; max-height:70vh; overflow:auto;
             border-top:1px solid var(--line); padding-top:8px; }
mark.hl { border-radius:3px; padding:0 1px; cursor:pointer; color:inherit; box-shadow: inset 0 -2px rgba(0,0,0,.25); }
mark.hl.off { background:transparent !important; box-shadow:none; cursor:auto; }
mark.hl.sel { outline:2px solid #101828; }
/* the words behind the selected claim's fields */
.w-region, .w-year, .w-category, .w-kind, .w-target { border-bottom:3px solid; }
.w-region { border-bottom-color:#1565c0; } .w-year { border-bottom-color:#2e7d32; }
.w-category { border-bottom-color:#6a1b9a; } .w-kind { border-bottom-color:#ef6c00; }
.w-target { border-bottom-color:#c62828; }
dd .w-region, dd .w-year, dd .w-category, dd .w-kind, dd .w-target { border-bottom-width:2px; }
#side { position:sticky; top:12px; max-height:calc(100vh - 24px); overflow:auto; }
#detail dl { display:grid; grid-template-columns: 96px 1fr; gap:2px 8px; margin:0; font-size:13px; }
#detail dt { color:var(--muted); }
#detail dd { margin:0; word-break:break-word; }
#detail .claim + .claim { border-top:1px solid var(--line); margin-top:8px; padding-top:8px; }
#detail .hint, .chart .hint { color:var(--muted); font-size:12px; }
ul.unplaced { font-size:13px; }
@media (max-width: 1100px) { #layout { grid-template-columns: 1fr; } #filters, #side { position:static; max-height:none; } }
"""

# Runs first: collects errors so that tests (and readers) see them in the page.
ERRORS_JS = r"""
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push("error: " + (e.message || String(e))); });
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("rejection: " + String(e.reason)); });
(function () {
  var orig = console.error;
  console.error = function () {
    window.__errors.push("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return orig.apply(console, arguments);
  };
})();
"""

APP_JS = r"""
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const CLAIMS = DATA.claims, ARTICLES = DATA.articles;
  const PALETTE = DATA.palette;
  const OPEN_FIRST = 8;            // article bodies rendered up front; the rest on opening
  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
      else if (k === "style") Object.assign(e.style, v); else e[k] = v;
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  };
  const SVG = "http://www.w3.org/2000/svg";
  const sv = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text != null) e.textContent = String(text);
    return e;
  };
  const fmt = (v) => {
    if (v == null) return "";
    if (Math.abs(v) >= 1e4 || Number.isInteger(v)) return v.toLocaleString("en-US", {maximumFractionDigits: 2});
    return String(Math.round(v * 1e4) / 1e4);
  };
  const color = (cat) => PALETTE[cat] || "#cccccc";
  const valueText = (c) => fmt(c.value) + (c.value_max != null ? "–" + fmt(c.value_max) : "") + " " + c.unit;
  const summaryText = (c) => [c.category + ": " + valueText(c) + " (" + c.qualifier + ")",
    c.region || "(no region)", c.year != null ? String(c.year) : "(no year)", c.rule_id].join(" · ");

  // ---------- filter state ----------
  const state = { cats: new Set(DATA.categories), region: "", year: "", rule: "", onlyMatching: false };
  const NONE = "\u0000none";
  function passes(c) {
    if (!state.cats.has(c.category)) return false;
    if (state.region) {
      if (state.region === NONE) { if (c.region != null) return false; }
      else if (c.region == null || !c.region.startsWith(state.region)) return false;
    }
    if (state.year) {
      if (state.year === NONE) { if (c.year != null) return false; }
      else if (String(c.year) !== state.year) return false;
    }
    if (state.rule && c.rule_id !== state.rule) return false;
    return true;
  }
  let visible = new Set();

  // ---------- filters UI ----------
  const counts = (key) => { const m = new Map(); for (const c of CLAIMS) { const k = key(c); m.set(k, (m.get(k) || 0) + 1); } return m; };
  function buildFilters() {
    const box = $("cat-list");
    const catCounts = counts((c) => c.category);
    for (const cat of DATA.categories) {
      const cb = el("input", {type: "checkbox", checked: true, value: cat});
      cb.dataset.cat = cat;
      cb.addEventListener("change", () => { if (cb.checked) state.cats.add(cat); else state.cats.delete(cat); update(); });
      box.append(el("label", {class: "cat"}, cb, el("span", {class: "swatch", style: {background: color(cat)}}),
        el("span", {text: cat}), el("span", {class: "n", text: String(catCounts.get(cat) || 0)})));
    }
    $("cat-all").addEventListener("click", () => setCategories(DATA.categories));
    $("cat-none").addEventListener("click", () => setCategories([]));

    const regionSel = $("f-region");
    regionSel.append(el("option", {value: "", text: "all regions"}));
    for (const r of DATA.region_options) {
      regionSel.append(el("option", {value: r.path, text: "\u00a0\u00a0".repeat(r.depth) + r.name + " (" + r.n + ")"}));
    }
    if (CLAIMS.some((c) => c.region == null)) regionSel.append(el("option", {value: NONE, text: "(no region)"}));
    regionSel.addEventListener("change", () => { state.region = regionSel.value; update(); });

    const yearSel = $("f-year");
    yearSel.append(el("option", {value: "", text: "all years"}));
    const years = counts((c) => c.year);
    for (const y of [...years.keys()].filter((y) => y != null).sort((a, b) => a - b))
      yearSel.append(el("option", {value: String(y), text: y + " (" + years.get(y) + ")"}));
    if (years.has(null)) yearSel.append(el("option", {value: NONE, text: "(no year) (" + years.get(null) + ")"}));
    yearSel.addEventListener("change", () => { state.year = yearSel.value; update(); });

    const ruleSel = $("f-rule");
    ruleSel.append(el("option", {value: "", text: "all rules"}));
    const rules = counts((c) => c.rule_id);
    for (const r of [...rules.keys()].sort()) ruleSel.append(el("option", {value: r, text: r + " (" + rules.get(r) + ")"}));
    ruleSel.addEventListener("change", () => { state.rule = ruleSel.value; update(); });

    $("f-only").addEventListener("change", (e) => { state.onlyMatching = e.target.checked; update(); });
    $("f-reset").addEventListener("click", resetFilters);
  }
  function setCategories(cats) {
    state.cats = new Set(cats);
    for (const cb of document.querySelectorAll("#cat-list input")) cb.checked = state.cats.has(cb.dataset.cat);
    update();
  }
  function resetFilters() {
    state.region = state.year = state.rule = ""; state.onlyMatching = false;
    $("f-region").value = ""; $("f-year").value = ""; $("f-rule").value = ""; $("f-only").checked = false;
    setCategories(DATA.categories);
  }

  // ---------- articles ----------
  const byArticle = new Map(ARTICLES.map((a) => [a.path, []]));
  CLAIMS.forEach((c, i) => { c.i = i; if (!byArticle.has(c.article)) byArticle.set(c.article, []); byArticle.get(c.article).push(c); });
  const docs = [];  // {a, details, body, marks, countEl, rendered}

  function buildArticles() {
    const main = $("articles");
    ARTICLES.forEach((a, k) => {
      const claims = byArticle.get(a.path) || [];
      const countEl = el("span", {class: "count"});
      const meta = el("div", {class: "meta"}, countEl,
        el("span", {text: " · " + [a.path, a.published, a.source, a.status !== "ok" ? "status: " + a.status : null]
          .filter(Boolean).join(" · ")}));
      const details = el("details", {class: "doc panel"},
        el("summary", null, el("h2", {text: a.title || a.path})), meta);
      details.dataset.path = a.path;
      const doc = {a, claims, details, countEl, body: null, marks: [], rendered: false};
      details.addEventListener("toggle", () => { if (details.open) renderBody(doc); });
      if (k < OPEN_FIRST) details.open = true;
      docs.push(doc);
      main.append(details);
    });
  }

  function renderBody(doc) {
    if (doc.rendered) return;
    doc.rendered = true;
    const {a, claims, details} = doc;
    for (const n of a.notes) details.append(el("div", {class: "note", text: n}));
    if (a.text == null) {
      const ul = el("ul", {class: "unplaced"});
      for (const c of claims) ul.append(markedItem(doc, c, c.sentence));
      details.append(ul);
      applyDoc(doc);
      return;
    }
    const text = a.text;
    const placed = claims.filter((c) => c.js_start != null);
    const cuts = new Set([0, text.length]);
    for (const c of placed) { cuts.add(c.js_start); cuts.add(c.js_end); }
    // the words behind the claims' fields: their own pieces, underlined when a claim is picked
    const wordCuts = new Set();
    for (const c of placed) for (const w of c.words || []) { cuts.add(w.js_start); cuts.add(w.js_end); wordCuts.add(w.js_start); }
    doc.pieces = [];
    const bounds = [...cuts].sort((x, y) => x - y);
    const body = el("div", {class: "body"});
    // claims sorted by start; active set maintained with a sweep
    const starts = placed.slice().sort((x, y) => x.js_start - y.js_start);
    let si = 0; let active = [];
    for (let b = 0; b < bounds.length - 1; b++) {
      const s = bounds[b], e = bounds[b + 1];
      while (si < starts.length && starts[si].js_start <= s) active.push(starts[si++]);
      active = active.filter((c) => c.js_end > s);
      const seg = text.slice(s, e);
      if (!active.length) {
        const piece = wordCuts.size ? el("span", {text: seg}) : document.createTextNode(seg);
        if (wordCuts.size) doc.pieces.push({s, e, node: piece});
        body.append(piece);
        continue;
      }
      const m = el("mark", {class: "hl", text: seg});
      doc.pieces.push({s, e, node: m});
      m._claims = active.slice();
      m.addEventListener("click", () => showDetail(m));
      doc.marks.push(m);
      body.append(m);
    }
    details.append(body);
    const lost = claims.filter((c) => c.js_start == null);
    if (lost.length) {
      const ul = el("ul", {class: "unplaced"});
      for (const c of lost) ul.append(markedItem(doc, c, c.sentence));
      details.append(el("div", {class: "note", text: lost.length + " claim(s) could not be placed in the text:"}), ul);
    }
    doc.body = body;
    applyDoc(doc);
  }

  function markedItem(doc, c, context) {
    const m = el("mark", {class: "hl", text: c.text});
    m._claims = [c];
    m.addEventListener("click", () => showDetail(m));
    doc.marks.push(m);
    return el("li", null, m, el("span", {text: " — " + (context || "")}));
  }

  function applyDoc(doc) {
    const n = doc.claims.reduce((k, c) => k + (visible.has(c.i) ? 1 : 0), 0);
    doc.countEl.textContent = n + " / " + doc.claims.length + " claims";
    doc.details.hidden = state.onlyMatching && n === 0;
    for (const m of doc.marks) {
      const vis = m._claims.filter((c) => visible.has(c.i));
      if (vis.length) {
        m.classList.remove("off");
        m.style.background = color(vis[0].category);
        m.title = vis.map(summaryText).join("\n");
      } else {
        m.classList.add("off");
        m.style.background = "";
        m.title = "";
      }
      m.dataset.visible = vis.length ? "1" : "0";
    }
  }

  // ---------- detail panel ----------
  let selected = null;
  const FIELDS = [["text", "text"], ["value", (c) => valueText(c)], ["qualifier", "qualifier"], ["kind", "kind"],
    ["target", (c) => c.target ? "yes" : "no"], ["category", "category"], ["subject", "subject"],
    ["region", (c) => c.region ? c.region + (c.region_code ? " (" + c.region_code + ")" : "") : ""],
    ["region from", "region_source"],
    ["entity", "entity"], ["year", "year"], ["year from", "year_source"], ["baseline year", "baseline_year"], ["rule", "rule_id"],
    ["claim group", "claim_group"], ["article", "article"], ["offsets", (c) => c.start + "–" + c.end],
    ["sentence", "sentence"]];
  // the words behind a field, as underlined in the text; a cue that is no words says how
  const WORD_LABELS = [["region", "region words"], ["year", "year words"], ["category", "category cue"],
    ["kind", "kind cue"], ["target", "target cue"]];
  let underlined = [];
  function underline(c) {
    for (const [node, cls] of underlined) node.classList.remove(cls);
    underlined = [];
    const d = docs.find((x) => x.claims.includes(c));
    if (!d || !d.pieces) return;
    for (const w of c.words || []) {
      for (const p of d.pieces) {
        if (p.s >= w.js_start && p.e <= w.js_end) { p.node.classList.add("w-" + w.field); underlined.push([p.node, "w-" + w.field]); }
      }
    }
  }
  function wordsOf(c) {
    const rows = [];
    for (const [field, label] of WORD_LABELS) {
      const w = (c.words || []).find((x) => x.field === field);
      const how = field === "region" || field === "year" ? null : c[field + "_cue"];
      if (w) rows.push([label, el("span", {class: "w-" + field, text: w.text})]);
      else if (how) rows.push([label, el("span", {text: "(" + how + ")"})]);
    }
    return rows;
  }
  function showDetail(m) {
    const vis = m._claims.filter((c) => visible.has(c.i));
    if (!vis.length) return;
    if (selected) selected.classList.remove("sel");
    selected = m; m.classList.add("sel");
    underline(vis[0]);
    const box = $("detail");
    box.replaceChildren();
    for (const c of vis) {
      const dl = el("dl");
      for (const [label, f] of FIELDS) {
        const v = typeof f === "function" ? f(c) : c[f];
        if (v == null || v === "") continue;
        dl.append(el("dt", {text: label}), el("dd", {text: String(v)}));
      }
      for (const [label, node] of wordsOf(c)) dl.append(el("dt", {text: label}), el("dd", null, node));
      const sw = el("span", {class: "swatch", style: {background: color(c.category)}});
      box.append(el("div", {class: "claim"}, el("div", null, sw, el("b", {text: " " + c.category})), dl));
    }
  }

  // ---------- charts ----------
  function barChart(target, rows, opts) {
    target.replaceChildren();
    if (!rows.length) { target.append(el("div", {class: "empty", text: "no claims"})); return; }
    const W = 460, bar = 18, gap = 4, left = opts.left || 130, right = 40, top = 4;
    const H = top + rows.length * (bar + gap) + 4;
    const max = Math.max(...rows.map((r) => r.n));
    const svg = sv("svg", {viewBox: "0 0 " + W + " " + H, role: "img"});
    rows.forEach((r, k) => {
      const y = top + k * (bar + gap);
      const w = Math.max(1, (W - left - right) * r.n / max);
      const g = sv("g");
      g.append(sv("title", null, r.label + ": " + r.n));
      g.append(sv("text", {x: left - 6, y: y + bar - 5, "text-anchor": "end"}, r.label));
      g.append(sv("rect", {x: left, y, width: w, height: bar, rx: 2, fill: r.color || "#5b8def"}));
      g.append(sv("text", {x: left + w + 4, y: y + bar - 5}, r.n));
      svg.append(g);
    });
    target.append(svg);
  }

  // the timeline plots levels (kind "level"); changes are differences, not values of the metric
  const dated = (c) => c.year != null && c.kind === "level";
  function timelineMetrics() {
    const m = new Map(), yrs = new Map();
    for (const c of CLAIMS) if (dated(c)) {
      const k = c.category + "|" + c.unit;
      m.set(k, (m.get(k) || 0) + 1);
      if (!yrs.has(k)) yrs.set(k, new Set());
      yrs.get(k).add(c.year);
    }
    // metrics seen in more than one year first, then by number of claims
    return [...m.entries()].sort((x, y) => (yrs.get(y[0]).size > 1) - (yrs.get(x[0]).size > 1) || y[1] - x[1] ||
      (x[0] < y[0] ? -1 : 1));
  }
  function niceTicks(lo, hi, n) {
    const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((st) => st >= raw) || 10 * mag;
    const ticks = [];
    for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
    if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
    return ticks;
  }

  function timeline(target, metric) {
    target.replaceChildren();
    const [cat, unit] = metric.split("|");
    const pts = CLAIMS.filter((c) => visible.has(c.i) && dated(c) && c.category === cat && c.unit === unit);
    if (!pts.length) { target.append(el("div", {class: "empty", text: "no dated claims of this metric under the current filters"})); return; }
    const W = 940, H = 280, L = 70, R = 20, T = 12, B = 30;
    let x0 = Math.min(...pts.map((p) => p.year)), x1 = Math.max(...pts.map((p) => p.year));
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    let y0 = Math.min(0, ...pts.map((p) => p.value)), y1 = Math.max(...pts.map((p) => p.value_max != null ? p.value_max : p.value));
    if (y0 === y1) y1 = y0 + 1;
    const yt = niceTicks(y0, y1, 4);
    y0 = yt[0]; y1 = yt[yt.length - 1];
    const X = (v) => L + (W - L - R) * (v - x0) / (x1 - x0);
    const Y = (v) => T + (H - T - B) * (1 - (v - y0) / (y1 - y0));
    const svg = sv("svg", {viewBox: "0 0 " + W + " " + H, role: "img"});
    const axis = sv("g", {class: "axis"});
    for (const v of yt) {
      axis.append(sv("line", {x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: "grid"}));
      axis.append(sv("text", {x: L - 6, y: Y(v) + 4, "text-anchor": "end"}, fmt(v)));
    }
    const step = Math.max(1, Math.ceil((x1 - x0) / 12));
    for (let yr = Math.ceil(x0); yr <= x1; yr += step) {
      axis.append(sv("line", {x1: X(yr), x2: X(yr), y1: H - B, y2: H - B + 4}));
      axis.append(sv("text", {x: X(yr), y: H - B + 16, "text-anchor": "middle"}, yr));
    }
    axis.append(sv("line", {x1: L, x2: W - R, y1: H - B, y2: H - B}));
    axis.append(sv("text", {x: 4, y: T + 4}, unit));
    svg.append(axis);
    // one line per region: the mean value per year
    const byRegion = new Map();
    for (const p of pts) {
      const r = p.region || "(no region)";
      if (!byRegion.has(r)) byRegion.set(r, new Map());
      const ys = byRegion.get(r);
      if (!ys.has(p.year)) ys.set(p.year, []);
      ys.get(p.year).push(p.value);
    }
    for (const [r, ys] of byRegion) {
      if (ys.size < 2) continue;
      const seq = [...ys.entries()].sort((a, b) => a[0] - b[0])
        .map(([y, vs]) => X(y).toFixed(1) + "," + Y(vs.reduce((s, v) => s + v, 0) / vs.length).toFixed(1));
      const line = sv("polyline", {points: seq.join(" "), fill: "none", stroke: "#98a2b3", "stroke-width": 1.5});
      line.append(sv("title", null, r));
      svg.append(line);
    }
    for (const p of pts) {
      const dot = sv("circle", {cx: X(p.year).toFixed(1), cy: Y(p.value).toFixed(1), r: 4.5,
        fill: p.target ? "#ffffff" : color(p.category), stroke: "#1d232b", "stroke-width": p.target ? 1.5 : 0.6, class: "pt"});
      dot.append(sv("title", null, (p.region || "(no region)") + " " + p.year + ": " + valueText(p) +
        (p.target ? " (target)" : "") + " — " + p.article));
      dot.addEventListener("click", () => { const m = markOf(p); if (m) { m.scrollIntoView({block: "center"}); showDetail(m); } });
      svg.append(dot);
    }
    target.append(svg);
    target.append(el("div", {class: "hint", text: pts.length + " dated level claims; hollow dots are targets; " +
      "grey lines join a region's yearly means. Click a dot to find it in its article."}));
  }

  function markOf(c) {
    const d = docs.find((x) => x.a.path === c.article);
    if (!d) return null;
    d.details.open = true; renderBody(d);
    return d.marks.find((m) => m._claims.includes(c)) || null;
  }

  function drawCharts() {
    const vis = CLAIMS.filter((c) => visible.has(c.i));
    const catRows = DATA.categories.map((cat) => ({label: cat, n: vis.filter((c) => c.category === cat).length, color: color(cat)}))
      .filter((r) => r.n > 0).sort((a, b) => b.n - a.n);
    barChart($("chart-category"), catRows, {left: 130});
    const reg = new Map();
    for (const c of vis) { const r = c.region || "(no region)"; reg.set(r, (reg.get(r) || 0) + 1); }
    const regRows = [...reg.entries()].map(([label, n]) => ({label, n})).sort((a, b) => b.n - a.n || (a.label < b.label ? -1 : 1));
    const shown = regRows.slice(0, 15);
    if (regRows.length > 15) shown.push({label: "other " + (regRows.length - 15) + " regions",
      n: regRows.slice(15).reduce((s, r) => s + r.n, 0), color: "#b0b8c4"});
    barChart($("chart-region"), shown, {left: 210});
    const metricSel = $("f-metric");
    if (metricSel.value) timeline($("chart-timeline"), metricSel.value);
  }

  function buildMetricSelect() {
    const sel = $("f-metric");
    for (const [k, n] of timelineMetrics()) {
      const [cat, unit] = k.split("|");
      sel.append(el("option", {value: k, text: cat + " · " + unit + " (" + n + ")"}));
    }
    sel.addEventListener("change", drawCharts);
  }

  // ---------- update ----------
  function update() {
    visible = new Set(CLAIMS.filter(passes).map((c) => c.i));
    for (const d of docs) applyDoc(d);
    if (selected && selected.classList.contains("off")) { selected.classList.remove("sel"); selected = null;
      $("detail").replaceChildren(el("p", {class: "hint", text: "Click a highlighted number to see the claim."})); }
    $("summary").textContent = visible.size + " of " + CLAIMS.length + " claims shown, in " +
      docs.filter((d) => d.claims.some((c) => visible.has(c.i))).length + " of " + docs.length + " articles";
    drawCharts();
    showErrors();
  }

  function showErrors() {
    const box = $("errors");
    if (window.__errors.length) { box.style.display = "block"; box.textContent = window.__errors.join("\n"); }
  }

  // ---------- self-test (open the file with #selftest) ----------
  function selftest() {
    const r = {claims: CLAIMS.length, articles: ARTICLES.length};
    for (const d of docs) { d.details.open = true; renderBody(d); }
    const litMarks = () => [...document.querySelectorAll("mark.hl")].filter((m) => m.dataset.visible === "1");
    r.visibleBefore = visible.size;
    r.unplaced = CLAIMS.filter((c) => c.js_start == null).length;
    r.placedMismatch = 0;
    for (const d of docs) for (const c of d.claims) {
      if (c.js_start == null) continue;
      const t = d.marks.filter((m) => m._claims.includes(c)).map((m) => m.textContent).join("");
      if (t !== c.text) r.placedMismatch++;
    }
    r.titles = [...document.querySelectorAll("details.doc h2")].map((h) => h.textContent).join("\n");
    r.marksBefore = litMarks().length;
    const catCounts = counts((c) => c.category);
    const cat = [...catCounts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .map((e) => e[0]).find((c) => catCounts.get(c) < CLAIMS.length) || DATA.categories[0];
    r.filterCategory = cat;
    setCategories([cat]);
    r.visibleAfter = visible.size;
    r.marksAfter = litMarks().length;
    r.marksAfterCategories = [...new Set(litMarks().flatMap((m) => m._claims.filter((c) => visible.has(c.i)).map((c) => c.category)))];
    r.hiddenArticlesOnly = (() => { $("f-only").click(); const n = docs.filter((d) => d.details.hidden).length; $("f-only").click(); return n; })();
    const m = litMarks()[0];
    if (m) {
      m.click(); r.detail = $("detail").textContent;
      // the picked claim's words behind its fields, and what the text underlines
      const c = m._claims.find((x) => visible.has(x.i));
      r.clickedWords = (c.words || []).map((w) => [w.field, w.text]);
      r.underlinedWords = (c.words || []).map((w) => [w.field,
        [...document.querySelectorAll(".body .w-" + w.field)].map((n) => n.textContent).join("")]);
    }
    r.chartBars = document.querySelectorAll("#chart-category rect").length;
    resetFilters();
    r.timelinePoints = document.querySelectorAll("#chart-timeline circle.pt").length;
    r.visibleReset = visible.size;
    r.pwned = !!window.__pwned;
    r.images = document.images.length;
    r.scripts = document.scripts.length;
    r.bodyText = docs.map((d) => d.body ? d.body.textContent : "").join("\n\u0000\n");
    r.errors = window.__errors.slice();
    const out = el("pre", {id: "selftest-result", text: JSON.stringify(r)});
    out.hidden = true;
    document.body.append(out);
    document.title = "selftest: done";
  }

  buildFilters();
  buildArticles();
  buildMetricSelect();
  update();
  if (location.hash === "#selftest") selftest();
  showErrors();
})();
"""
