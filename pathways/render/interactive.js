/* pathways interactive maps: draws each map whose data sit in a JSON script block of class pw-imap-data next to
   its empty div of class pw-imap. No import, no network access, no eval; every text from the data is set with
   textContent (never parsed as HTML). Written for pathways (pathways/render/interactive.py). */
(function () {
  "use strict";
  if (window.pathwaysMaps && window.pathwaysMaps.boot) { window.pathwaysMaps.boot(); return; }

  var probe = document.createElement("div");
  probe.innerHTML = "<svg></svg>";           // the HTML parser gives <svg> its namespace: no URI written here
  var NS = probe.firstChild.namespaceURI;

  function svg(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) { if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function h(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function short(s) { s = String(s).replace(/\s+/g, " "); return s.length > 200 ? s.slice(0, 199) + "\u2026" : s; }
  function pct(x) { return Math.round(x * 100) + " %"; }

  function init(root, D) {
    var W = D.words, state = {
      ni: D.start[0], pi: D.start[1], measure: D.measure, on: {}, layout: null, view: null,
      time: 0, playing: false, rel: D.time === "relative", speed: 1, last: null
    };
    D.highlights.forEach(function (x) { state.on[x.key] = x.on; });

    // ---- controls
    var bar = h("div", "pw-bar", root);
    var title = h("strong", null, bar, D.title);
    title.style.marginRight = "8px";
    function slider(label, n, value, onchange) {
      var lab = h("label", null, bar);
      h("span", null, lab, label);
      var input = h("input", null, lab);
      input.type = "range"; input.min = 0; input.max = n - 1; input.step = 1; input.value = value;
      var out = h("output", null, lab);
      input.addEventListener("input", function () { onchange(+input.value); });
      return {input: input, out: out};
    }
    var sn = slider(W.nodes, D.node_stops.length, state.ni, function (v) { state.ni = v; draw(); });
    sn.input.className = "pw-nodes-slider";
    var sp = slider(W.paths, D.path_stops.length, state.pi, function (v) { state.pi = v; draw(); });
    sp.input.className = "pw-paths-slider";
    var modes = h("span", null, bar);
    var bFreq = h("button", "pw-frequency", modes, W.frequency), bPerf = h("button", "pw-performance", modes,
                                                                             W.performance);
    bFreq.type = bPerf.type = "button";
    bFreq.addEventListener("click", function () { state.measure = "frequency"; restyle(); });
    bPerf.addEventListener("click", function () { state.measure = "performance"; restyle(); });
    var hl = h("span", null, bar);
    D.highlights.forEach(function (x) {
      var lab = h("label", null, hl);
      lab.title = x.label;
      var c = h("input", "pw-hl", lab);
      c.type = "checkbox"; c.checked = x.on; c.setAttribute("data-key", x.key);
      var sw = h("span", null, lab, "\u2014\u2014");
      sw.style.color = x.colour; sw.style.fontWeight = "bold";
      h("span", null, lab, x.label);
      c.addEventListener("change", function () { state.on[x.key] = c.checked; restyle(); });
    });
    var zoom = h("span", null, bar);
    var bIn = h("button", "pw-zoom-in", zoom, "+"), bOut = h("button", "pw-zoom-out", zoom, "\u2212"),
        bFit = h("button", "pw-fit", zoom, W.fit);
    bIn.type = bOut.type = bFit.type = "button";
    bIn.title = W.zoom_in; bOut.title = W.zoom_out;

    // ---- the picture
    var view = h("div", "pw-view", root);
    var pic = svg("svg", {"class": "pw-svg", role: "img", "aria-label": D.title, preserveAspectRatio: "xMidYMid meet"},
                  view);
    var gLanes = svg("g", {"class": "pw-lanes"}, pic), gEdges = svg("g", {"class": "pw-edges"}, pic),
        gNodes = svg("g", {"class": "pw-nodes"}, pic), gTokens = svg("g", {"class": "pw-tokens"}, pic);
    var tip = h("div", "pw-tip", view);
    var caption = h("div", "pw-caption", root), help = h("div", "pw-caption", root, W.help);
    help.style.paddingTop = "0";

    function setView(v) {
      state.view = v;
      pic.setAttribute("viewBox", v.x + " " + v.y + " " + v.w + " " + v.h);
    }
    function fit() {
      var L = state.layout, pad = 12;
      setView({x: -pad, y: -pad, w: Math.max(L.w, 1) + 2 * pad, h: Math.max(L.h, 1) + 2 * pad});
    }
    function toWorld(clientX, clientY) {
      var p = pic.createSVGPoint(); p.x = clientX; p.y = clientY;
      var m = pic.getScreenCTM();
      return m ? p.matrixTransform(m.inverse()) : {x: 0, y: 0};
    }
    function zoomAt(f, cx, cy) {
      var v = state.view, w = v.w / f, hh = v.h / f;
      if (w < 40 || w > 20 * Math.max(state.layout.w, 100)) { return; }
      setView({x: cx - (cx - v.x) / f, y: cy - (cy - v.y) / f, w: w, h: hh});
    }
    function zoomCentre(f) { var v = state.view; zoomAt(f, v.x + v.w / 2, v.y + v.h / 2); }
    bIn.addEventListener("click", function () { zoomCentre(1.25); });
    bOut.addEventListener("click", function () { zoomCentre(0.8); });
    bFit.addEventListener("click", fit);
    view.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toWorld(ev.clientX, ev.clientY);
      zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, {passive: false});
    var drag = null;
    view.addEventListener("mousedown", function (ev) {
      if (ev.button !== 0) { return; }
      drag = {x: ev.clientX, y: ev.clientY, v: state.view};
      view.classList.add("pw-drag");
    });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) { return; }
      var r = pic.getBoundingClientRect(), v = drag.v;
      var s = Math.max(v.w / r.width, v.h / r.height);
      setView({x: v.x - (ev.clientX - drag.x) * s, y: v.y - (ev.clientY - drag.y) * s, w: v.w, h: v.h});
    });
    window.addEventListener("mouseup", function () { drag = null; view.classList.remove("pw-drag"); });

    function showTip(ev, heading, rows) {
      tip.textContent = "";
      h("b", null, tip, heading);
      var t = h("table", null, tip);
      rows.forEach(function (r) { var tr = h("tr", null, t); h("td", null, tr, r[0]); h("td", null, tr, r[1]); });
      tip.style.display = "block";
      moveTip(ev);
    }
    function moveTip(ev) {
      var r = view.getBoundingClientRect();
      var x = ev.clientX - r.left + 14, y = ev.clientY - r.top + 14;
      if (x + tip.offsetWidth > r.width) { x = Math.max(0, ev.clientX - r.left - tip.offsetWidth - 10); }
      if (y + tip.offsetHeight > r.height) { y = Math.max(0, ev.clientY - r.top - tip.offsetHeight - 10); }
      tip.style.left = x + "px"; tip.style.top = y + "px";
    }
    function hideTip() { tip.style.display = "none"; }
    function hover(g, heading, rows) {
      g.addEventListener("mouseenter", function (ev) { showTip(ev, heading, rows); });
      g.addEventListener("mousemove", moveTip);
      g.addEventListener("mouseleave", hideTip);
    }

    var edgeEls = {}, nodePos = {};
    function draw() {
      var li = D.grid[state.ni][state.pi], L = D.layouts[li];
      var first = state.layout === null;
      state.layout = L; state.li = li;
      sn.out.textContent = Math.min(D.node_stops[state.ni], D.n_nodes_total) + " / " + D.n_nodes_total;
      sp.out.textContent = pct(D.path_stops[state.pi]);
      [gLanes, gEdges, gNodes].forEach(function (g) { g.textContent = ""; });
      edgeEls = {}; nodePos = {};
      L.lanes.forEach(function (x) {
        var g = svg("g", {"class": "pw-lane"}, gLanes);
        svg("rect", {x: x[1], y: x[2], width: x[3], height: x[4], rx: 8, fill: x[5], stroke: "#c9d1d8"}, g);
        var t = svg("text", {x: x[6], y: x[7] + 4, "font-size": 11, "font-weight": "bold", fill: "#1f2a33",
                             "font-family": "Helvetica, Arial, sans-serif"}, g);
        t.textContent = x[0];
      });
      L.edges.forEach(function (x) {
        var E = D.edges[x[0]];
        var g = svg("g", {"class": "pw-edge", "data-edge": x[0]}, gEdges);
        svg("path", {"class": "pw-hit", d: x[1], "stroke-width": 12}, g);
        var line = svg("path", {"class": "pw-line", d: x[1], fill: "none"}, g);
        var head = x[2] ? svg("polygon", {points: x[2]}, g) : null;
        var label = null;
        if (x[3]) {
          label = svg("text", {x: x[3][0], y: x[3][1] + 3, "text-anchor": "middle", "font-size": 9,
                               "font-family": "Helvetica, Arial, sans-serif"}, g);
        }
        edgeEls[x[0]] = {g: g, line: line, head: head, label: label, width: x[4], E: E, len: null};
        hover(g, E.title, E.tip);
      });
      L.nodes.forEach(function (x) {
        var N = D.nodes[x[0]], cx = x[1], cy = x[2], w = x[3], hh = x[4];
        nodePos[x[0]] = [cx, cy, w, hh];
        var g = svg("g", {"class": "pw-node", "data-node": x[0]}, gNodes);
        if (N.terminal) {
          svg("ellipse", {cx: cx, cy: cy, rx: w / 2, ry: hh / 2, fill: x[5], stroke: x[5]}, g);
          var t0 = svg("text", {x: cx, y: cy + 3, "text-anchor": "middle", "font-size": 9, fill: "#fff",
                                "font-family": "Helvetica, Arial, sans-serif"}, g);
          t0.textContent = N.name;
        } else {
          svg("rect", {x: cx - w / 2, y: cy - hh / 2, width: w, height: hh, rx: 6, fill: x[5], stroke: "#8896a3"}, g);
          var t1 = svg("text", {x: cx, y: cy - 1, "text-anchor": "middle", "font-size": 11, "font-weight": "bold",
                                fill: "#1f2a33", "font-family": "Helvetica, Arial, sans-serif"}, g);
          t1.textContent = short(N.name);
          var t2 = svg("text", {x: cx, y: cy + 11, "text-anchor": "middle", "font-size": 9, fill: "#1f2a33",
                                "font-family": "Helvetica, Arial, sans-serif"}, g);
          t2.textContent = N.count;
        }
        hover(g, N.name, N.tip);
      });
      caption.textContent = L.caption;
      root.setAttribute("data-layout", li);
      root.setAttribute("data-nodes", L.nodes.length);
      root.setAttribute("data-edges", L.edges.length);
      if (first || !state.keepView) { fit(); }
      restyle();
      placeTokens();
    }

    function restyle() {
      bFreq.setAttribute("aria-pressed", state.measure === "frequency");
      bPerf.setAttribute("aria-pressed", state.measure === "performance");
      for (var k in edgeEls) {
        var e = edgeEls[k], E = e.E, colour = "#6b7780", width = e.width, dash = null;
        if (E.terminal) { colour = "#9aa5ae"; width = 1.2; dash = "5,3"; }
        for (var i = 0; i < D.highlights.length; i++) {
          var key = D.highlights[i].key;
          if (state.on[key] && E.flags.indexOf(key) >= 0) {
            if (colour === "#6b7780") { colour = D.highlights[i].colour; }
            if (key === "long_waits") { width = e.width + 2; }
          }
        }
        e.line.setAttribute("stroke", colour);
        e.line.setAttribute("stroke-width", width);
        if (dash) { e.line.setAttribute("stroke-dasharray", dash); }
        if (e.head) { e.head.setAttribute("fill", colour); e.head.setAttribute("stroke", colour); }
        if (e.label) {
          e.label.textContent = state.measure === "performance" ? E.perf : E.freq;
          e.label.setAttribute("fill", colour === "#6b7780" || E.terminal ? "#3b4650" : colour);
        }
      }
      caption.textContent = state.layout.caption + " \u00b7 " + (state.measure === "performance" ? W.what_perf
                                                                                                : W.what_freq);
      root.setAttribute("data-measure", state.measure);
    }

    // ---- the animation
    var A = D.animation, tokens = [], span = [0, 1], timeInput = null, timeOut = null, bPlay = null;
    function prepare() {
      if (!A) { return; }
      var byToken = [];
      A.moves.forEach(function (m) { (byToken[m[0]] = byToken[m[0]] || []).push(m); });
      tokens = byToken.map(function (ms, i) {
        var c = svg("circle", {"class": "pw-token", r: 4.5, stroke: "#fff", "stroke-width": 1, display: "none"},
                    gTokens);
        return {moves: ms, start: A.starts[i], el: c, jitter: [((i * 37) % 17) - 8, ((i * 53) % 13) - 6]};
      });
      setSpan();
    }
    function setSpan() {
      var lo = Infinity, hi = -Infinity;
      tokens.forEach(function (t) {
        var off = state.rel ? t.start : 0;
        t.moves.forEach(function (m) { lo = Math.min(lo, m[2] - off); hi = Math.max(hi, m[3] - off); });
      });
      if (state.rel) { lo = 0; }
      if (!isFinite(lo)) { lo = 0; hi = 1; }
      span = [lo, Math.max(hi, lo + 1)];
      state.time = span[0];
    }
    function find(ms, T) {                   // the last move starting at or before T
      var a = 0, b = ms.length - 1, k = -1;
      while (a <= b) { var m = (a + b) >> 1; if (ms[m][2] <= T) { k = m; a = m + 1; } else { b = m - 1; } }
      return k;
    }
    function pointOn(e, frac) {
      if (e.len === null) { e.len = e.line.getTotalLength(); }
      return e.line.getPointAtLength(Math.max(0, Math.min(1, frac)) * e.len);
    }
    function placeTokens() {
      if (!A) { return; }
      var shown = 0;
      tokens.forEach(function (t) {
        var T = state.time + (state.rel ? t.start : 0), k = find(t.moves, T), p = null, m, g = 0;
        if (k >= 0) {
          m = t.moves[k]; g = m[4];
          if (T <= m[3]) {
            var e = edgeEls[m[1]];
            if (e) { p = pointOn(e, m[3] > m[2] ? (T - m[2]) / (m[3] - m[2]) : 1); }
          } else if (k + 1 < t.moves.length && D.edges[t.moves[k + 1][1]].s === D.edges[m[1]].t) {
            var n = nodePos[D.edges[m[1]].t];       // resting in the unit between two moves
            if (n) { p = {x: n[0] + t.jitter[0] * n[2] / 40, y: n[1] + t.jitter[1] * n[3] / 30}; }
          }
        }
        if (p) {
          t.el.setAttribute("cx", p.x.toFixed(1)); t.el.setAttribute("cy", p.y.toFixed(1));
          t.el.setAttribute("fill", A.groups[g][1]);
          t.el.setAttribute("display", "inline"); shown++;
        } else {
          t.el.setAttribute("display", "none");
        }
      });
      if (timeInput) {
        timeInput.value = Math.round(1000 * (state.time - span[0]) / (span[1] - span[0]));
        timeOut.textContent = timeText(state.time);
      }
      root.setAttribute("data-time", state.time.toFixed(2));
      root.setAttribute("data-tokens", shown);
    }
    function timeText(T) {
      if (state.rel) { return W.day + " " + Math.floor(T / 24); }
      var o = A.origin, d = new Date(Date.UTC(o[0], o[1] - 1, o[2]) + Math.floor(T) * 3600000);
      function two(x) { return (x < 10 ? "0" : "") + x; }
      return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + " " +
             two(d.getUTCHours()) + ":00";
    }
    function tick(now) {
      if (!state.playing) { return; }
      var dt = state.last === null ? 0 : Math.min(now - state.last, 200);
      state.last = now;
      state.time += (span[1] - span[0]) / 45000 * dt * state.speed;   // the whole span in 45 s at speed 1
      if (state.time >= span[1]) { state.time = span[1]; setPlaying(false); }
      placeTokens();
      if (state.playing) { window.requestAnimationFrame(tick); }
    }
    function setPlaying(on) {
      state.playing = on; state.last = null;
      if (bPlay) { bPlay.textContent = on ? W.pause : W.play; bPlay.setAttribute("aria-pressed", on); }
      root.setAttribute("data-playing", on ? "1" : "0");
      if (on) { window.requestAnimationFrame(tick); }
    }
    if (A) {
      var ab = h("div", "pw-bar pw-anim", root);
      h("strong", null, ab, W.animation);
      bPlay = h("button", "pw-play", ab, W.play); bPlay.type = "button";
      bPlay.addEventListener("click", function () {
        if (!state.playing && state.time >= span[1]) { state.time = span[0]; }
        setPlaying(!state.playing);
      });
      var tl = h("label", null, ab);
      timeInput = h("input", "pw-time", tl);
      timeInput.type = "range"; timeInput.min = 0; timeInput.max = 1000; timeInput.step = 1; timeInput.value = 0;
      timeOut = h("output", null, tl);
      timeInput.addEventListener("input", function () {
        state.time = span[0] + (span[1] - span[0]) * (+timeInput.value) / 1000; placeTokens();
      });
      var clock = h("span", null, ab);
      var bAbs = h("button", "pw-calendar", clock, W.calendar), bRel = h("button", "pw-relative", clock, W.relative);
      bAbs.type = bRel.type = "button";
      function setClock(rel) {
        state.rel = rel; bAbs.setAttribute("aria-pressed", !rel); bRel.setAttribute("aria-pressed", rel);
        setSpan(); placeTokens();
      }
      bAbs.addEventListener("click", function () { setClock(false); });
      bRel.addEventListener("click", function () { setClock(true); });
      var sl = h("label", null, ab);
      h("span", null, sl, W.speed);
      var speed = h("select", "pw-speed", sl);
      [0.25, 0.5, 1, 2, 4].forEach(function (s) {
        var o = h("option", null, speed, s + "\u00d7"); o.value = s; if (s === 1) { o.selected = true; }
      });
      speed.addEventListener("change", function () { state.speed = +speed.value; });
      var keys = h("div", "pw-keys", root);
      h("span", null, keys, A.colour + ":");
      A.groups.forEach(function (g) { var s = h("span", null, keys); h("i", null, s).style.background = g[1];
                                       h("span", null, s, g[0]); });
      h("div", "pw-caption", root, A.caption);
      bAbs.setAttribute("aria-pressed", !state.rel); bRel.setAttribute("aria-pressed", state.rel);
    }

    state.keepView = false;
    draw();
    prepare();
    placeTokens();
    var rep = root.getAttribute("data-replaces");
    if (rep && document.getElementById(rep)) {
      document.getElementById(rep).classList.add("pw-replaced");
      document.documentElement.classList.add("pw-live-ready");
    }
    return {
      state: state, draw: draw, placeTokens: placeTokens, setPlaying: setPlaying,
      setTime: function (T) { state.time = T; placeTokens(); }, span: function () { return span.slice(); }
    };
  }

  var maps = {};
  function boot() {
    var blocks = document.querySelectorAll("script.pw-imap-data");
    for (var i = 0; i < blocks.length; i++) {
      var id = blocks[i].getAttribute("data-for"), root = document.getElementById(id);
      if (!root || root.getAttribute("data-ready")) { continue; }
      root.setAttribute("data-ready", "1");
      maps[id] = init(root, JSON.parse(blocks[i].textContent));
    }
  }
  window.pathwaysMaps = {boot: boot, maps: maps};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); } else { boot(); }
})();
