/* Thăng Long shell behaviour. Loaded as a file because the CSP forbids inline scripts. */
(function () {
  "use strict";

  /* On a phone the main navigation becomes a menu opened by the "Danh mục" button. */
  function setUpMenu() {
    var button = document.getElementById("menu-toggle");
    var nav = document.getElementById("mainnav");
    if (!button || !nav || !window.matchMedia) {
      return;
    }
    var phone = window.matchMedia("(max-width: 760px)");
    function apply() {
      button.hidden = !phone.matches;
      nav.classList.toggle("collapsible", phone.matches);
      if (!phone.matches) {
        nav.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
      }
    }
    button.addEventListener("click", function () {
      var open = !nav.classList.contains("open");
      nav.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (phone.addEventListener) {
      phone.addEventListener("change", apply);
    }
    apply();
  }
  setUpMenu();

  function formatNumber(value, locale, options) {
    try {
      return new Intl.NumberFormat(locale, options).format(value);
    } catch (err) {
      return String(value);
    }
  }

  /* Summarise the communes by kind and draw the home page chart; the section stays hidden on failure. */
  function drawCommuneFigures(section) {
    var locale = section.dataset.locale || "vi-VN";
    fetch("/api/v1/geo/communes", { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        var totals = { phuong: { count: 0, population: 0 }, xa: { count: 0, population: 0 } };
        (collection.features || []).forEach(function (feature) {
          var props = feature.properties || {};
          var bucket = totals[props.kind];
          if (bucket) {
            bucket.count += 1;
            bucket.population += Number(props.population) || 0;
          }
        });
        var units = section.dataset.labelUnits || "";
        document.getElementById("stat-phuong").textContent =
          formatNumber(totals.phuong.count, locale) + " " + units;
        document.getElementById("stat-xa").textContent = formatNumber(totals.xa.count, locale) + " " + units;
        document.getElementById("stat-population").textContent = formatNumber(
          totals.phuong.population + totals.xa.population,
          locale
        );
        section.hidden = false;
        var canvas = document.getElementById("commune-chart");
        if (!canvas || typeof window.Chart !== "function") {
          return;
        }
        /* Chart.js draws text on a canvas, so it must be told to use the page's Vietnamese-capable fonts. */
        var bodyStyle = window.getComputedStyle(document.body);
        window.Chart.defaults.font.family = bodyStyle.fontFamily;
        window.Chart.defaults.font.size = 13;
        window.Chart.defaults.color = bodyStyle.color;
        new window.Chart(canvas, {
          type: "bar",
          data: {
            labels: [
              section.dataset.labelPhuong + " (" + totals.phuong.count + ")",
              section.dataset.labelXa + " (" + totals.xa.count + ")",
            ],
            datasets: [
              {
                label: section.dataset.labelPopulation,
                data: [totals.phuong.population, totals.xa.population],
                backgroundColor: ["#b3151b", "#e0a526"],
                borderRadius: 6,
              },
            ],
          },
          options: {
            indexAxis: "y",
            maintainAspectRatio: false,
            animation: false,
            locale: locale,
            plugins: { legend: { display: false } },
            scales: {
              x: {
                beginAtZero: true,
                ticks: {
                  maxRotation: 0,
                  callback: function (value) {
                    return formatNumber(value, locale, { notation: "compact" });
                  },
                },
              },
            },
          },
        });
      })
      .catch(function () {
        section.hidden = true;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var figures = document.getElementById("commune-figures");
    if (figures) {
      drawCommuneFigures(figures);
    }
  });
})();
