/* Charts of the procedures statistics page (Decision 766). A file, because the CSP forbids inline scripts;
   the figures come from the page's <script type="application/json" id="stats-chart-data"> block. */
(function () {
  "use strict";

  var COLORS = { received: "#1f5fa8", onTime: "#2e7d32", late: "#b3151b", online: "#1f5fa8",
    full: "#6a3d9a", payment: "#e0a526" };

  function readData(block) {
    try {
      return JSON.parse(block.textContent || "{}");
    } catch (err) {
      return null;
    }
  }

  function setFonts() {
    /* Chart.js draws text on a canvas, so it must be told to use the page's Vietnamese-capable fonts. */
    var bodyStyle = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = bodyStyle.fontFamily;
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = bodyStyle.color;
  }

  function drawCounts(canvas, data, labels, locale) {
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.months,
        datasets: [
          { label: labels.labelReceived, data: data.received, backgroundColor: COLORS.received },
          { label: labels.labelOnTime, data: data.on_time, backgroundColor: COLORS.onTime },
          { label: labels.labelLate, data: data.late, backgroundColor: COLORS.late },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawShares(canvas, data, labels, locale) {
    var shares = data.shares || {};
    function line(label, values, color) {
      return { label: label, data: values || [], borderColor: color, backgroundColor: color, spanGaps: true,
        tension: 0.2 };
    }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.months,
        datasets: [
          line(labels.labelOnTimeRate, shares.on_time_rate, COLORS.onTime),
          line(labels.labelOnline, shares.online_share, COLORS.online),
          line(labels.labelFull, shares.full_process_share, COLORS.full),
          line(labels.labelPayment, shares.online_payment_share, COLORS.payment),
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("stats-chart-data");
    if (!block || typeof window.Chart !== "function") {
      return;
    }
    var data = readData(block);
    if (!data || !data.months) {
      return;
    }
    var labels = block.dataset;
    var locale = labels.locale || "vi-VN";
    setFonts();
    var counts = document.getElementById("chart-counts");
    var shares = document.getElementById("chart-shares");
    if (counts) {
      drawCounts(counts, data, labels, locale);
    }
    if (shares) {
      drawShares(shares, data, labels, locale);
    }
  });
})();
