/* Trend charts of the city scorecard. A file, because the CSP forbids inline scripts; the figures come
   from the page's <script type="application/json" id="scorecard-chart-data"> block. */
(function () {
  "use strict";

  function readData(block) {
    try {
      return JSON.parse(block.textContent || "{}");
    } catch (err) {
      return null;
    }
  }

  function draw(canvas, series, labels, locale) {
    var target = series.days.map(function () { return series.target; });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: series.days,
        datasets: [
          { label: labels.labelValue, data: series.values, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8",
            spanGaps: true, tension: 0.2, pointRadius: series.values.length > 30 ? 0 : 3 },
          /* With a single day there is no line to draw: the target is then a short red bar at its level. */
          { label: labels.labelTarget, data: target, borderColor: "#b3151b", backgroundColor: "#b3151b",
            borderDash: [6, 4], fill: false, pointStyle: "line",
            pointRadius: series.days.length < 2 ? 12 : 0, pointBorderWidth: 2 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        plugins: { legend: { display: true, labels: { boxWidth: 12 } } },
        scales: { x: { ticks: { maxTicksLimit: 4, maxRotation: 0 } } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("scorecard-chart-data");
    if (!block || typeof window.Chart !== "function") {
      return;
    }
    var data = readData(block);
    if (!data) {
      return;
    }
    var labels = block.dataset;
    var locale = labels.locale || "vi-VN";
    var bodyStyle = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = bodyStyle.fontFamily;
    window.Chart.defaults.color = bodyStyle.color;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var series = data[canvas.getAttribute("data-chart")];
      if (series && series.days && series.days.length) {
        draw(canvas, series, labels, locale);
      }
    });
  });
})();
