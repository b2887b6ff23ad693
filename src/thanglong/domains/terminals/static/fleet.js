/* The terminal page's health chart (2 ok, 1 degraded, 0 fault, -1 offline), from the JSON the page
   embeds. A file, because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";
  var canvas = document.getElementById("fl-chart");
  var source = document.getElementById("fl-history");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var points = JSON.parse(source.textContent || "[]");
  if (!points.length) {
    return;
  }
  var d = canvas.dataset;
  var clock = new Intl.DateTimeFormat(d.locale || "vi-VN", {
    day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh",
  });
  var names = { "-1": d.labelOffline, "0": d.labelFault, "1": d.labelDegraded, "2": d.labelOk };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: points.map(function (p) { return clock.format(new Date(p.at)); }),
      datasets: [{ label: d.labelSeries, data: points.map(function (p) { return p.value; }), stepped: true,
                   borderColor: "#1f5fa8", pointRadius: 2 }],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: -1, max: 2, ticks: { stepSize: 1, callback: function (v) { return names[String(v)] || v; } } } },
      plugins: { legend: { display: false } },
    },
  });
})();
