/* A segment's page: flow and speed over the last day, and the flow forecast after the last interval.
   A file, because the CSP forbids inline scripts; the data comes from /api/v1/traffic/segments/{code}/chart. */
(function () {
  "use strict";

  function draw(canvas, body) {
    var d = canvas.dataset;
    var clock = new Intl.DateTimeFormat(d.locale || "vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
    var label = function (iso) { return clock.format(new Date(Date.parse(iso))); };
    var speedAt = {};
    body.speed.forEach(function (p) { speedAt[p.at] = p.value; });
    var style = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = style.fontFamily;
    window.Chart.defaults.color = style.color;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: body.flow.map(function (p) { return label(p.at); }),
        datasets: [
          { label: d.labelFlow, data: body.flow.map(function (p) { return p.value; }), borderColor: "#1f5fa8",
            backgroundColor: "#1f5fa8", pointRadius: 0, yAxisID: "y" },
          { label: d.labelSpeed, data: body.flow.map(function (p) { return speedAt[p.at] === undefined ? null : speedAt[p.at]; }),
            borderColor: "#ef6c00", backgroundColor: "#ef6c00", pointRadius: 0, yAxisID: "y1" },
        ],
      },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } }, y: { beginAtZero: true },
                  y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } },
      },
    });
    canvas.dataset.points = String(body.flow.length);
    var recent = body.flow.slice(-12);
    var target = document.getElementById("traffic-forecast");
    var f = body.forecast;
    var note = document.getElementById("traffic-chart-note");
    if (!f.points.length) {
      note.textContent = d.labelNone;
    } else {
      note.textContent = d.labelMethod + " " + (d.lang === "en" ? f.method_en : f.method_vi);
    }
    var labels = recent.map(function (p) { return label(p.at); }).concat(f.points.map(function (p) { return "+" + p.minutes + "′ " + label(p.at); }));
    var observed = recent.map(function (p) { return p.value; }).concat(f.points.map(function () { return null; }));
    var ahead = recent.map(function (_, i) { return i === recent.length - 1 ? recent[i].value : null; })
      .concat(f.points.map(function (p) { return p.value; }));
    new window.Chart(target, {
      type: "line",
      data: { labels: labels, datasets: [
        { label: d.labelFlow, data: observed, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8", pointRadius: 2 },
        { label: d.labelForecast, data: ahead, borderColor: "#6a1b9a", backgroundColor: "#6a1b9a", borderDash: [6, 4], pointRadius: 3, spanGaps: true },
      ] },
      options: { maintainAspectRatio: false, animation: false, scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } }, y: { beginAtZero: true } } },
    });
    target.dataset.points = String(f.points.length);
    canvas.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("traffic-chart");
    if (!canvas || typeof window.Chart !== "function") {
      return;
    }
    fetch(canvas.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (body) { draw(canvas, body); })
      .catch(function () { document.getElementById("traffic-chart-note").textContent = canvas.dataset.labelError; });
  });
})();
