/* An intersection's plans page: a bar chart of each what-if run's mean delay per plan with its 95 % interval.
   A file, because the CSP forbids inline scripts; the data is in the canvas's data attributes. */
(function () {
  "use strict";

  function draw(canvas) {
    var d = canvas.dataset;
    var results = JSON.parse(d.results || "[]");
    var labels = [];
    var table = canvas.closest(".whatif-run").querySelector("table");
    results.forEach(function (r) {
      var row = table.querySelector('tr[data-key="' + r.key + '"] td:nth-child(2)');
      var name = row ? row.firstChild.textContent.trim() : r.name;
      // Long plan names would squeeze the bars on a phone: the table beside the chart has them whole.
      labels.push(name.length > 22 ? name.slice(0, 21) + "…" : name);
    });
    var delay = results.map(function (r) { return r.metrics.mean_delay_s.mean; });
    var ci = results.map(function (r) {
      var m = r.metrics.mean_delay_s;
      return m.half_width === null ? null : [m.mean - m.half_width, m.mean + m.half_width];
    });
    var style = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = style.fontFamily;
    window.Chart.defaults.color = style.color;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          // The current plan's bar is outlined (one fill colour, so the legend shows the bars' colour).
          { label: d.labelDelay, data: delay, order: 1, backgroundColor: "#1f5fa8", borderColor: "#111111",
            borderWidth: results.map(function (r) { return r.current ? 2 : 0; }) },
          // The interval drawn over the bar (a lower order is drawn on top), thin, from low to high.
          { label: d.labelCi, data: ci, order: 0, backgroundColor: "#ef6c00", barPercentage: 0.18, grouped: false },
        ],
      },
      options: {
        maintainAspectRatio: false, animation: false, indexAxis: "y",
        scales: { x: { beginAtZero: true } },
      },
    });
    canvas.dataset.drawn = String(results.length);
  }

  function drawAll() {
    document.querySelectorAll("canvas.whatif-chart").forEach(function (canvas) {
      if (!canvas.dataset.drawn) { draw(canvas); }
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.body.addEventListener("htmx:afterSwap", drawAll);
})();
