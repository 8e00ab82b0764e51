// debugtape report: draws the aggregated data embedded in this page. No network access.
"use strict";
(function () {
  const S = JSON.parse(document.getElementById("dt-summary").textContent);
  // Snapshot details are the large part of the page: each chunk is parsed when first needed.
  const CHUNKS = {};
  const detail = (i) => {
    const k = Math.floor(i / S.detail_chunk);
    if (!CHUNKS[k]) { const el = document.getElementById("dt-d" + k); CHUNKS[k] = el ? JSON.parse(el.textContent) : []; }
    return CHUNKS[k][i % S.detail_chunk];
  };
  const N = S.names;
  const COLORS = ["#2f6fdf", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#1098ad", "#e67700", "#5c940d"];
  const REASON_COLORS = { breakpoint: "#2f6fdf", snappoint: "#1098ad", watchpoint: "#862e9c", step: "#5c940d",
    signal: "#c92a2a", crash: "#c92a2a", exception: "#d9480f", manual: "#e67700", exit: "#495057" };
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const short = (h) => (h ? String(h).slice(0, 10) : "");
  const fmtT = (t) => (t < 60 ? t.toFixed(t < 10 ? 2 : 1) + "s" : Math.floor(t / 60) + "m" + (t % 60).toFixed(0).padStart(2, "0") + "s");
  const wall = (epoch) => new Date(epoch * 1000).toISOString().replace("T", " ").slice(0, 19);
  const sessLabel = (s) => (s.name ? s.name + " " : "") + "[" + s.id.slice(0, 8) + "]";
  // The flame graph counts thread stacks: a sample of a 2-thread program gives two of them.
  const sampleEvents = (s) => (s.counts || {}).samples;
  const stackUnit = (s) => (sampleEvents(s) != null && sampleEvents(s) !== s.samples ? "thread stacks" : "samples");
  const samplesText = (s) => (stackUnit(s) === "samples" ? s.samples + " samples" : sampleEvents(s) + " samples (" + s.samples + " thread stacks)");

  // Flat list of all snapshots, in session order: {s: session index, k: index within session, i: detail index}
  const SNAPS = [];
  S.sessions.forEach((s, si) => { for (let k = 0; k < s.snaps.i.length; k++) SNAPS.push({ s: si, k: k, i: s.snaps.i[k] }); });
  const snapField = (x, f) => S.sessions[x.s].snaps[f][x.k];
  const nameOf = (idx) => (idx < 0 ? "" : N[idx]);
  const BP_LABEL = {};
  S.breakpoints.forEach((b) => { BP_LABEL[b.key] = b.label; });
  const bpLabel = (key) => BP_LABEL[key] || key || "";

  function commitText(c) {
    if (!c || typeof c !== "object") return c ? esc(c) : "<span class=muted>no commit</span>";
    const head = c.head || c.hash || c.commit;
    return "<code>" + esc(short(head)) + "</code>" + (c.branch ? " on " + esc(c.branch) : "") +
      (c.dirty ? " <span class=trunc>dirty" + (c.diff_hash ? " " + esc(short(c.diff_hash)) : "") + "</span>" : "");
  }

  // ---- header
  $("#title").textContent = S.title;
  document.title = S.title;
  $("#generated").textContent = "generated " + S.generated + " · " + S.sessions.length + " session(s) · " + S.snapshots + " snapshot(s)";
  $("#sessions").innerHTML = S.sessions.map((s, si) =>
    '<div class="card" style="--c:' + COLORS[si % COLORS.length] + '"><b>' + esc(sessLabel(s)) + "</b> " +
    '<span class="muted">' + esc(s.tool) + " · " + esc(s.status) + "</span><br>" +
    (s.started ? esc(s.started) : "") + " · " + fmtT(s.duration) + "<br>" + commitText(s.commit) + "<br>" +
    s.snaps.i.length + " snapshots · " + samplesText(s) +
    (s.meta && s.meta.program ? '<br><span class="mono">' + esc(s.meta.program) + "</span>" : "") + "</div>").join("");

  // ---- tabs
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("#tabs button").forEach((x) => x.classList.toggle("on", x === b));
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("on", t.id === "tab-" + b.dataset.tab));
    if (b.dataset.tab === "flame") drawFlame();
  }));

  // ---- timeline
  let filterText = "";
  const matches = (x) => {
    if (!filterText) return true;
    const hay = (nameOf(snapField(x, "sym")) + " " + nameOf(snapField(x, "loc")) + " " + nameOf(snapField(x, "r")) + " " +
      bpLabel(nameOf(snapField(x, "bp"))) + " " + nameOf(snapField(x, "th"))).toLowerCase();
    return filterText.split(/\s+/).every((w) => hay.includes(w));
  };

  function drawTimeline() {
    const aligned = $("#aligned").checked;
    let lo = Infinity, hi = -Infinity;
    S.sessions.forEach((s) => {
      const base = aligned ? 0 : (s.t0 || 0);
      lo = Math.min(lo, base); hi = Math.max(hi, base + s.duration);
    });
    if (!aligned) S.changes.forEach((c) => { lo = Math.min(lo, c.t); hi = Math.max(hi, c.t); });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    const span = Math.max(hi - lo, 1e-3);
    const pct = (t) => (((t - lo) / span) * 100).toFixed(3) + "%";
    const parts = [];
    S.sessions.forEach((s, si) => {
      const base = aligned ? 0 : (s.t0 || 0);
      parts.push('<div class="lane" data-s="' + si + '"><span class="lane-label">' + esc(sessLabel(s)) + " · " + s.snaps.i.length +
        ' snapshots</span><div class="lane-body">');
      const sn = s.snaps;
      for (let k = 0; k < sn.i.length; k++) {
        const r = N[sn.r[k]];
        parts.push('<i class="snap" data-i="' + sn.i[k] + '" style="left:' + pct(base + sn.t[k]) + ";--c:" + (REASON_COLORS[r] || "#868e96") +
          '" title="' + esc(r + " · " + N[sn.sym[k]] + " " + N[sn.loc[k]] + " · t=" + fmtT(sn.t[k])) + '"></i>');
      }
      s.notes.forEach((n) => parts.push('<span class="note-mark" style="left:' + pct(base + n.t) + '" title="' + esc(n.text) + '">✎</span>'));
      parts.push("</div></div>");
    });
    if (!aligned && S.changes.length) { // on the wall clock, file changes and commits get a lane of their own
      parts.push('<div class="lane" id="changes-lane"><span class="lane-label">file changes and commits · ' + S.changes.length + '</span><div class="lane-body">');
      S.changes.forEach((c) => parts.push('<span class="chg" style="left:' + pct(c.t) + '" title="' +
        esc((c.type === "vcs_commit" ? "commit " + short(c.hash) + " " + (c.message || "") : (c.kind || "changed") + " " + c.path) + " · " + c.ts) + '"></span>'));
      parts.push("</div></div>");
    }
    const ticks = [];
    for (let j = 0; j <= 6; j++) {
      const t = lo + (span * j) / 6;
      ticks.push('<span style="left:' + ((j / 6) * 100) + '%">' + (aligned ? fmtT(t) : wall(t).slice(11)) + "</span>");
    }
    parts.push('<div class="axis">' + ticks.join("") + "</div>");
    $("#timeline").innerHTML = parts.join("");
    applyFilter();
  }

  let listShown = 0, listRows = [];
  function applyFilter() {
    listRows = SNAPS.filter(matches);
    const visible = new Set(listRows.map((x) => x.i));
    let shown = 0;
    document.querySelectorAll("#timeline .snap").forEach((el) => {
      const on = visible.has(+el.dataset.i);
      el.classList.toggle("hide", !on);
      if (on) shown++;
    });
    $("#snap-count").textContent = shown + " of " + SNAPS.length + " snapshots shown";
    $("#timeline").dataset.shown = String(shown);
    $("#snap-list tbody").innerHTML = "";
    listShown = 0;
    moreRows();
  }
  function moreRows() {
    const chunk = listRows.slice(listShown, listShown + 300);
    listShown += chunk.length;
    $("#snap-list tbody").insertAdjacentHTML("beforeend", chunk.map((x) =>
      '<tr data-i="' + x.i + '"><td>' + esc(sessLabel(S.sessions[x.s])) + '</td><td class="num">' + fmtT(snapField(x, "t")) +
      '</td><td class="num">' + snapField(x, "seq") + "</td><td>" + esc(nameOf(snapField(x, "r"))) + "</td><td>" +
      esc(bpLabel(nameOf(snapField(x, "bp")))) + "</td><td>" + esc(nameOf(snapField(x, "sym"))) + " <span class=muted>" +
      esc(nameOf(snapField(x, "loc"))) + "</span></td><td>" + esc(nameOf(snapField(x, "th"))) + "</td></tr>").join(""));
    $("#more").hidden = listShown >= listRows.length;
  }
  $("#more").addEventListener("click", moreRows);
  let filterTimer = 0;
  $("#filter").addEventListener("input", (e) => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { filterText = e.target.value.trim().toLowerCase(); applyFilter(); }, 120);
  });
  $("#aligned").addEventListener("change", drawTimeline);
  $("#timeline").addEventListener("click", (e) => { const el = e.target.closest(".snap"); if (el) showSnapshot(+el.dataset.i); });
  $("#snap-list tbody").addEventListener("click", (e) => { const tr = e.target.closest("tr"); if (tr) showSnapshot(+tr.dataset.i); });

  // ---- values and snapshot detail
  function fmtVal(v, depth) {
    depth = depth || 0;
    if (v === null) return "null";
    if (typeof v !== "object") return typeof v === "string" ? esc(v) : esc(JSON.stringify(v));
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0].charAt(0) === "$")
      return '<span class="special">&lt;' + esc(keys[0].slice(1).replace("_", " ")) + (v[keys[0]] === true ? "" : " " + esc(v[keys[0]])) + "&gt;</span>";
    const pad = "  ".repeat(depth + 1), end = "  ".repeat(depth);
    if (Array.isArray(v)) return v.length ? "[\n" + v.map((x) => pad + fmtVal(x, depth + 1)).join(",\n") + "\n" + end + "]" : "[]";
    return keys.length ? "{\n" + keys.map((k) => pad + esc(k) + ": " + fmtVal(v[k], depth + 1)).join(",\n") + "\n" + end + "}" : "{}";
  }
  function varsTable(title, vars, types) {
    if (!vars || typeof vars !== "object") return "";
    const keys = Object.keys(vars);
    if (!keys.length) return "";
    return '<table class="vars" data-kind="' + title + '"><thead><tr><th colspan="3">' + title + "</th></tr></thead><tbody>" +
      keys.map((k) => '<tr><td class="mono">' + esc(k) + '</td><td class="type">' + esc((types || {})[k] || "") +
        '</td><td class="val mono">' + fmtVal(vars[k]) + "</td></tr>").join("") + "</tbody></table>";
  }
  const blameOf = (f) => (f.blame && typeof f.blame === "object" ? f.blame.commit || f.blame.hash : typeof f.blame === "string" ? f.blame : null);
  function frameHtml(f) {
    const where = (f.file || f.module || "") + (f.line ? ":" + f.line : "");
    return '<div class="frame"><h4>#' + esc(f.index != null ? f.index : "") + " " + esc(f.symbol || f.address || "??") +
      ' <span class="muted mono">' + esc(where) + "</span>" +
      (blameOf(f) ? ' <span class="muted">line last changed in <code>' + esc(short(blameOf(f))) + "</code></span>" : "") +
      "</h4>" + (f.src != null ? '<pre class="src">' + esc(f.line) + "  " + esc(f.src) + "</pre>" : "") +
      varsTable("args", f.args, f.types) + varsTable("locals", f.locals, f.types) + "</div>";
  }
  function showSnapshot(i) {
    const d = detail(i);
    if (!d) return;
    document.querySelectorAll(".snap.sel, #snap-list tr.sel").forEach((el) => el.classList.remove("sel"));
    document.querySelectorAll('[data-i="' + i + '"]').forEach((el) => el.classList.add("sel"));
    const s = S.sessions[d.session];
    const th = d.thread && typeof d.thread === "object" ? (d.thread.name || "") + " (" + d.thread.id + ")" : (d.thread || "");
    let h = "<h3>" + esc(d.reason || "snapshot") + (d.bp ? " at " + esc(bpLabel(d.bp)) : "") + "</h3>" +
      '<div class="muted">' + esc(sessLabel(s)) + " · seq " + d.seq + " · " + esc(d.ts) + (th ? " · thread " + esc(th) : "") +
      (d.snap_id ? " · id <code>" + esc(String(d.snap_id).slice(0, 12)) + "</code>" : "") + "</div>" +
      "<div>" + commitText(d.commit || s.commit) + "</div>";
    if (d.signal) h += "<div>signal <b>" + esc(d.signal) + "</b></div>";
    if (d.exception) h += "<div>exception <b>" + esc(d.exception.type) + "</b>: " + esc(d.exception.message) + "</div>";
    if (d.note) h += "<div>✎ " + esc(d.note) + "</div>";
    if (d.truncation && d.truncation.length)
      h += '<div class="trunc">cut: ' + d.truncation.map((t) => esc(t.path + " (" + t.why + (t.kept != null ? ", kept " + t.kept + " of " + t.total : "") + ")")).join("; ") + "</div>";
    h += d.frames.map(frameHtml).join("") || '<p class="muted">no frames</p>';
    const box = $("#detail");
    box.innerHTML = h;
    box.dataset.i = String(i);
    box.scrollTop = 0;
  }

  // ---- breakpoints, side by side
  function drawBreakpoints() {
    const head = "<thead><tr><th>breakpoint</th>" + S.sessions.map((s) => '<th class="num">' + esc(sessLabel(s)) + "</th>").join("") + "<th></th></tr></thead>";
    const rows = S.breakpoints.map((b, bi) => "<tr><td>" + esc(b.label) + "</td>" + S.sessions.map((s, si) => {
      const n = s.hits[b.key] || 0, rec = (s.recorded_hits || {})[b.key];
      return '<td class="num" data-bp="' + bi + '" data-s="' + si + '">' + n + (rec > 0 && rec !== n ? ' <span class="muted" title="hit count reported by the debugger">(' + rec + ")</span>" : "") + "</td>";
    }).join("") + '<td><button data-cmp="' + bi + '">compare</button></td></tr>').join("");
    $("#bp-table").innerHTML = head + "<tbody>" + (rows || '<tr><td class="muted">no breakpoints recorded</td></tr>') + "</tbody>";
  }
  function nthHit(si, key, nth) {
    const s = S.sessions[si], bpIdx = N.indexOf(key);
    let seen = 0;
    for (let k = 0; k < s.snaps.i.length; k++) if (s.snaps.bp[k] === bpIdx && ++seen === nth) return s.snaps.i[k];
    return -1;
  }
  $("#bp-table").addEventListener("click", (e) => {
    const cmp = e.target.closest("[data-cmp]");
    const nth = Math.max(1, +$("#nth").value || 1);
    if (cmp) return compare(S.breakpoints[+cmp.dataset.cmp], nth);
    const td = e.target.closest("td[data-bp]");
    if (!td) return;
    const i = nthHit(+td.dataset.s, S.breakpoints[+td.dataset.bp].key, nth);
    if (i >= 0) { document.querySelector('#tabs [data-tab="timeline"]').click(); showSnapshot(i); }
  });
  function compare(bp, nth) {
    const cols = S.sessions.map((s, si) => ({ s: s, i: nthHit(si, bp.key, nth) }));
    const tops = cols.map((c) => (c.i >= 0 ? (detail(c.i).frames[0] || {}) : null));
    const names = new Set();
    tops.forEach((f) => f && Object.keys(Object.assign({}, f.args, f.locals)).forEach((k) => names.add(k)));
    const val = (f, k) => (f ? JSON.stringify((f.locals || {})[k] !== undefined ? f.locals[k] : (f.args || {})[k]) : undefined);
    const rows = [...names].map((k) => {
      const vals = tops.map((f) => val(f, k));
      const differ = new Set(vals).size > 1;
      return "<tr" + (differ ? ' class="diff"' : "") + '><td class="mono">' + esc(k) + "</td>" + tops.map((f) =>
        '<td class="val mono">' + (f ? fmtVal((f.locals || {})[k] !== undefined ? f.locals[k] : (f.args || {})[k]) : "") + "</td>").join("") + "</tr>";
    }).join("");
    $("#compare").innerHTML = "<h3>" + esc(bp.label) + " · hit " + nth + "</h3><table><thead><tr><th>variable</th>" +
      cols.map((c) => "<th>" + esc(sessLabel(c.s)) + "<br>" + commitText(c.s.commit) + (c.i < 0 ? "<br><span class=muted>no such hit</span>" : "") + "</th>").join("") +
      "</tr></thead><tbody>" + rows + "</tbody></table>";
  }

  // ---- flame graph and hot spots
  const flameSel = $("#flame-session");
  flameSel.innerHTML = S.sessions.map((s, si) => '<option value="' + si + '">' + esc(sessLabel(s)) + " · " + samplesText(s) + "</option>").join("");
  const firstWithSamples = S.sessions.findIndex((s) => s.samples > 0);
  if (firstWithSamples >= 0) flameSel.value = String(firstWithSamples);
  let zoom = null;
  const hue = (name) => { let h = 0; for (let j = 0; j < name.length; j++) h = (h * 31 + name.charCodeAt(j)) | 0; return 20 + (Math.abs(h) % 40); };
  function drawFlame() {
    const s = S.sessions[+flameSel.value];
    const box = $("#flame");
    if (!s || !s.flame) { box.innerHTML = '<p class="muted" style="padding:8px">no sampled stacks in this session</p>'; box.style.height = "auto"; drawHot(s); return; }
    const root = zoom || s.flame, W = box.clientWidth || 1000, parts = [];
    let maxDepth = 0;
    (function walk(node, x, depth) {
      const w = (node[1] / root[1]) * W;
      if (w < 0.5) return;
      maxDepth = Math.max(maxDepth, depth);
      const name = N[node[0]];
      parts.push('<div class="fb" style="left:' + x.toFixed(1) + "px;top:" + depth * 18 + "px;width:" + w.toFixed(1) +
        "px;background:hsl(" + hue(name) + ',85%,65%)" title="' + esc(name + " — " + node[1] + " " + stackUnit(s) + " (" + ((node[1] / s.flame[1]) * 100).toFixed(1) + "%)") +
        '" data-path="' + esc(pathOf(node)) + '">' + (w > 30 ? esc(name) : "") + "</div>");
      let cx = x;
      node[2].forEach((c) => { walk(c, cx, depth + 1); cx += (c[1] / root[1]) * W; });
    })(root, 0, 0);
    box.style.height = (maxDepth + 1) * 18 + 4 + "px";
    box.innerHTML = parts.join("");
    $("#flame-info").textContent = samplesText(s) + (zoom ? " · zoomed on " + N[zoom[0]] : "");
    drawHot(s);
  }
  const parents = new Map();
  function pathOf(node) { // identity of a node for zooming: indices are stable within one tree
    if (!parents.has(node)) { let id = parents.size; parents.set(node, id); }
    return parents.get(node);
  }
  $("#flame").addEventListener("click", (e) => {
    const el = e.target.closest(".fb");
    if (!el) return;
    const id = +el.dataset.path;
    for (const [node, nid] of parents) if (nid === id) { zoom = node; break; }
    drawFlame();
  });
  $("#flame-reset").addEventListener("click", () => { zoom = null; drawFlame(); });
  flameSel.addEventListener("change", () => { zoom = null; drawFlame(); });
  function drawHot(s) {
    const total = s ? s.samples : 0;
    $("#hot").innerHTML = '<thead><tr><th>function</th><th>file</th><th class="num">self</th><th class="num">self %</th><th class="num">total</th><th class="num">total %</th></tr></thead><tbody>' +
      (s ? s.hot : []).map((r) => '<tr><td class="mono">' + esc(r.symbol) + '</td><td class="mono muted">' + esc(r.file) + '</td><td class="num">' + r.self +
        '</td><td class="num">' + ((r.self / total) * 100).toFixed(1) + '</td><td class="num">' + r.total + '</td><td class="num">' +
        ((r.total / total) * 100).toFixed(1) + "</td></tr>").join("") + "</tbody>";
  }

  // ---- changes and notes
  function drawChanges() {
    const items = S.sessions.map((s) => ({ t: s.t0 || 0, html: "<td>" + esc(s.started || "") + "</td><td>run</td><td><b>" + esc(sessLabel(s)) + "</b> started at " + commitText(s.commit) + "</td>" }))
      .concat(S.changes.map((c) => ({ t: c.t, html: "<td>" + esc(c.ts) + "</td><td>" + esc(c.type === "vcs_commit" ? "commit" : c.kind || "changed") + "</td><td>" +
        (c.type === "vcs_commit" ? "<code>" + esc(short(c.hash)) + "</code> " + esc(c.message || "") + ' <span class="muted">' + esc(c.author || "") +
          (c.files != null ? " · " + esc(c.files) + " file(s)" : "") + (c.source === "git" ? " · from git: made between the runs, not recorded" : "") + "</span>"
          : '<span class="mono">' + esc(c.path) + "</span>" + (c.dest ? " → " + esc(c.dest) : "")) + "</td>" })));
    items.sort((a, b) => a.t - b.t);
    $("#changes").innerHTML = "<thead><tr><th>when</th><th>what</th><th></th></tr></thead><tbody>" + items.map((x) => "<tr>" + x.html + "</tr>").join("") + "</tbody>";
  }
  function drawNotes() {
    const rows = [];
    S.sessions.forEach((s) => s.notes.forEach((n) => rows.push("<tr" + (n.snap != null ? ' data-i="' + n.snap + '"' : "") + "><td>" + esc(sessLabel(s)) + '</td><td class="num">' + fmtT(n.t) + "</td><td>" + esc(n.text) + "</td></tr>")));
    $("#notes").innerHTML = "<thead><tr><th>session</th><th>t</th><th>note</th></tr></thead><tbody>" + (rows.join("") || '<tr><td class="muted">no notes</td></tr>') + "</tbody>";
  }
  $("#notes").addEventListener("click", (e) => { const tr = e.target.closest("tr[data-i]"); if (tr) { document.querySelector('#tabs [data-tab="timeline"]').click(); showSnapshot(+tr.dataset.i); } });

  drawTimeline();
  drawBreakpoints();
  drawChanges();
  drawNotes();
  document.body.dataset.ready = "1";
  window.__debugtapeReady = performance.now();
})();
