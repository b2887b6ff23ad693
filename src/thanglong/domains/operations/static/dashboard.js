/* The dashboard's chart: a series' bucket averages with its rules' threshold bands (red) and the
   periods its alarms were open (orange) drawn behind the line. A file, because the CSP forbids inline
   scripts; the data comes from /api/v1/operations/series/{series}/chart. */
(function () {
  "use strict";

  var BAND = "rgba(198, 40, 40, 0.15)";
  var ALARM = "rgba(239, 108, 0, 0.18)";

  function index(times, moment) {
    /* The fractional position of an instant among the buckets' starts, for the category axis. */
    if (!times.length) {
      return 0;
    }
    if (moment <= times[0]) {
      return 0;
    }
    for (var i = 1; i < times.length; i++) {
      if (moment < times[i]) {
        return i - 1 + (moment - times[i - 1]) / (times[i] - times[i - 1]);
      }
    }
    return times.length - 1;
  }

  var shading = {
    id: "alarmShading",
    beforeDatasetsDraw: function (chart, args, options) {
      var area = chart.chartArea;
      var x = chart.scales.x;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      ctx.save();
      (options.bands || []).forEach(function (band) {
        var top = band.high === null ? area.top : Math.max(area.top, y.getPixelForValue(band.high));
        var bottom = band.low === null ? area.bottom : Math.min(area.bottom, y.getPixelForValue(band.low));
        if (bottom > top) {
          ctx.fillStyle = BAND;
          ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        }
      });
      (options.periods || []).forEach(function (period) {
        var left = Math.max(area.left, x.getPixelForValue(period.from));
        var right = Math.min(area.right, x.getPixelForValue(period.to));
        ctx.fillStyle = ALARM;
        ctx.fillRect(left, area.top, Math.max(right - left, 2), area.bottom - area.top);
      });
      ctx.restore();
    },
  };

  function draw(canvas, body) {
    var d = canvas.dataset;
    var locale = d.locale || "vi-VN";
    var clock = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
    var times = body.buckets.map(function (b) { return Date.parse(b.at); });
    var values = body.buckets.map(function (b) { return b.avg; });
    var end = Date.parse(body.end);
    var periods = body.alarms.map(function (a) {
      return { from: index(times, Date.parse(a.start)), to: index(times, a.end ? Date.parse(a.end) : end) };
    });
    var limits = [];
    body.bands.forEach(function (b) {
      if (b.low !== null) { limits.push(b.low); }
      if (b.high !== null) { limits.push(b.high); }
    });
    var all = values.concat(limits);
    var datasets = [
      { label: d.labelValue + (body.unit ? " (" + body.unit + ")" : ""), data: values, borderColor: "#1f5fa8",
        backgroundColor: "#1f5fa8", pointRadius: values.length > 40 ? 0 : 2, tension: 0.2 },
    ];
    /* Each band's limit as a dashed line, so the legend names it and it shows on a flat series too. */
    body.bands.forEach(function (b) {
      var level = b.low !== null ? b.low : b.high;
      datasets.push({ label: d.labelBand + " " + b.label, data: values.map(function () { return level; }),
        borderColor: "#c62828", backgroundColor: BAND, borderDash: [6, 4], pointRadius: 0 });
    });
    var bodyStyle = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = bodyStyle.fontFamily;
    window.Chart.defaults.color = bodyStyle.color;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: times.map(function (t) { return clock.format(new Date(t)); }), datasets: datasets },
      plugins: [shading],
      options: {
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        plugins: { legend: { labels: { boxWidth: 12 } }, alarmShading: { bands: body.bands, periods: periods } },
        scales: {
          x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } },
          y: { suggestedMin: all.length ? Math.min.apply(null, all) * 0.9 : 0,
               suggestedMax: all.length ? Math.max.apply(null, all) * 1.1 : 1 },
        },
      },
    });
    canvas.dataset.buckets = String(values.length);
    canvas.dataset.bands = String(body.bands.length);
    canvas.dataset.alarms = String(body.alarms.length);
    canvas.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("dash-chart");
    if (!canvas || typeof window.Chart !== "function") {
      return;
    }
    fetch(canvas.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (body) { draw(canvas, body); })
      .catch(function () {
        document.getElementById("dash-chart-note").textContent = canvas.dataset.labelError;
      });
  });
})();
