// system-stats status page charts: draws /history as hand-made SVG line
// charts (1 h / 24 h toggle, time axis, hover readout, event markers) and
// lists /events. Served at /charts.js, embedded in the agent; no library.
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const CHARTS = [
    { title: "CPU", unit: "%", max: 100, series: [["cpu_percent", "CPU"]] },
    { title: "Memory / swap", unit: "%", max: 100, series: [["memory_percent", "memory"], ["swap_percent", "swap"]] },
    { title: "Temperature", unit: "°C", series: [["cpu_temperature_c", "SoC"]] },
    { title: "Load (1 min)", unit: "", series: [["load1", "load1"]] },
    { title: "Network", unit: "B/s", series: [["net_recv_bytes_per_s", "↓ receive"], ["net_sent_bytes_per_s", "↑ send"]] },
    { title: "Disk I/O", unit: "B/s", series: [["disk_read_bytes_per_s", "read"], ["disk_write_bytes_per_s", "write"]] },
    { title: "Disk usage", unit: "%", max: 100, series: [["disk_percent", "used"]] },
  ];
  let range = "1h", data = null, events = [];
  const H = 120, PAD = { l: 60, r: 8, t: 8, b: 20 };
  const $ = (id) => document.getElementById(id);

  function svg(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  function fmt(v, unit) {
    if (v == null) return "–";
    if (unit === "B/s") {
      const u = ["B/s", "KiB/s", "MiB/s", "GiB/s"];
      let i = 0;
      while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
      return v.toFixed(i && v < 100 ? 1 : 0) + " " + u[i];
    }
    return (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(unit === "" ? 2 : 1)) + (unit ? " " + unit : "");
  }
  function hhmm(t, seconds) {
    const d = new Date(t * 1000);
    const p = (n) => String(n).padStart(2, "0");
    return p(d.getHours()) + ":" + p(d.getMinutes()) + (seconds ? ":" + p(d.getSeconds()) : "");
  }
  // the time an event is marked at: its start, else when the agent saw it
  function eventTime(e) { return e.started_at ?? e.seen_at; }

  function draw(box, chart) {
    const W = Math.max(200, box.clientWidth);
    const t = data.t, n = t.length, t0 = t[0], t1 = t[n - 1];
    const x = (ts) => PAD.l + (W - PAD.l - PAD.r) * (n > 1 ? (ts - t0) / (t1 - t0) : 1);
    let top = chart.max || 0;
    for (const [name] of chart.series) {
      for (const k of [name, name + "_max"]) (data[k] || []).forEach((v) => { if (v != null && v > top) top = v; });
    }
    if (!chart.max) top = top > 0 ? top * 1.1 : 1;
    const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / top);
    const s = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart", "data-range": range });
    s.append(svg("line", { x1: PAD.l, x2: W - PAD.r, y1: y(0), y2: y(0), class: "axis" }));
    s.append(svg("text", { x: PAD.l - 4, y: PAD.t + 8, class: "label end" }, fmt(top, chart.unit)));
    s.append(svg("text", { x: PAD.l - 4, y: y(0), class: "label end" }, "0"));
    // time axis: every 10 min (1 h) or 3 h (24 h), on whole local times
    const every = range === "1h" ? 600 : 10800;
    const off = new Date(t0 * 1000).getTimezoneOffset() * 60;
    for (let ts = Math.ceil((t0 - off) / every) * every + off; ts <= t1; ts += every) {
      const px = x(ts);
      s.append(svg("line", { x1: px, x2: px, y1: PAD.t, y2: y(0), class: "grid" }));
      s.append(svg("text", { x: px, y: H - 6, class: "label mid", "data-t": ts }, hhmm(ts)));
    }
    chart.series.forEach(([name], i) => {
      for (const key of range === "24h" ? [name + "_max", name] : [name]) {
        const vals = data[key] || [];
        let d = "", points = 0, pen = "M";
        vals.forEach((v, k) => {
          if (v == null) { pen = "M"; return; }
          d += pen + x(t[k]).toFixed(1) + "," + y(v).toFixed(1);
          pen = "L";
          points++;
        });
        s.append(svg("path", { d, class: "line s" + i + (key.endsWith("_max") ? " max" : ""), "data-series": key, "data-points": points }));
      }
    });
    // event markers: a red tick on the time axis where each event began
    events.forEach((e) => {
      const et = eventTime(e);
      if (et < t0 || et > t1 + data.step) return;
      const px = x(Math.min(et, t1));
      s.append(svg("path", { d: "M" + px + "," + (y(0) + 1) + "l-4,7h8z", class: "event-marker", "data-kind": e.kind },
        null));
      s.lastChild.append(svg("title", {}, e.message));
    });
    // hover readout: the nearest point's time and values
    const cursor = svg("line", { y1: PAD.t, y2: y(0), class: "cursor", visibility: "hidden" });
    const readout = svg("text", { x: PAD.l + 4, y: PAD.t + 10, class: "readout" });
    s.append(cursor, readout);
    const hover = (clientX) => {
      const r = s.getBoundingClientRect();
      const frac = (clientX - r.left - PAD.l) / (W - PAD.l - PAD.r);
      let k = Math.max(0, Math.min(n - 1, Math.round(frac * (n - 1))));
      // snap to the nearest slot with a value (the newest slot may be empty yet)
      const first = data[chart.series[0][0]] || [];
      for (let d = 1; first[k] == null && d <= 12; d++) {
        if (first[k - d] != null) k -= d; else if (first[k + d] != null) k += d;
      }
      cursor.setAttribute("x1", x(t[k])); cursor.setAttribute("x2", x(t[k]));
      cursor.setAttribute("visibility", "visible");
      readout.textContent = hhmm(t[k], range === "1h") + "  " + chart.series
        .map(([name, label]) => label + " " + fmt((data[name] || [])[k], chart.unit) +
          (range === "24h" ? " (max " + fmt((data[name + "_max"] || [])[k], chart.unit) + ")" : "")).join("  ");
    };
    s.addEventListener("mousemove", (ev) => hover(ev.clientX));
    s.addEventListener("touchmove", (ev) => { if (ev.touches[0]) hover(ev.touches[0].clientX); }, { passive: true });
    s.addEventListener("mouseleave", () => { cursor.setAttribute("visibility", "hidden"); readout.textContent = ""; });
    box.replaceChildren(s);
  }

  function drawAll() {
    if (!data) return;
    const grid = $("charts");
    if (grid.children.length !== CHARTS.length) {
      grid.replaceChildren(...CHARTS.map((c, i) => {
        const fig = document.createElement("figure");
        fig.className = "chart-box";
        fig.innerHTML = "<figcaption></figcaption><div class=plot id=plot" + i + "></div>";
        fig.firstChild.textContent = c.title;
        return fig;
      }));
    }
    CHARTS.forEach((c, i) => draw($("plot" + i), c));
  }

  function listEvents() {
    const ul = $("events");
    ul.replaceChildren(...events.slice(0, 20).map((e) => {
      const li = document.createElement("li");
      li.className = e.ongoing ? "ongoing" : "";
      const when = e.started_at != null ? new Date(e.started_at * 1000).toLocaleString() :
        "before " + new Date(e.seen_at * 1000).toLocaleString();
      li.textContent = when + " — " + e.message;
      return li;
    }));
    if (!events.length) ul.innerHTML = "<li class=muted>no events</li>";
  }

  async function load() {
    let wait = range === "1h" ? 5000 : 60000;
    try {
      const [h, ev] = await Promise.all([
        fetch("/history?range=" + range, { cache: "no-store" }),
        fetch("/events", { cache: "no-store" }),
      ]);
      if (h.status === 404) { $("history").hidden = true; return; }
      if (!h.ok) throw new Error("HTTP " + h.status);
      data = await h.json();
      if (ev.ok) events = (await ev.json()).events || [];
      drawAll();
      listEvents();
    } catch (e) {
      $("history-status").textContent = "history unavailable (" + e.message + ")";
      wait = 5000;
    }
    clearTimeout(load.timer);
    load.timer = setTimeout(load, wait);
  }

  document.querySelectorAll("#range button").forEach((b) => b.addEventListener("click", () => {
    range = b.dataset.range;
    document.querySelectorAll("#range button").forEach((o) => o.setAttribute("aria-pressed", o === b));
    load();
  }));
  let resized = null;
  window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(drawAll, 150); });
  load();
})();
