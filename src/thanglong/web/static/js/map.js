/* Commune map: draws Hanoi's 126 communes from /api/v1/geo/communes as a population-density choropleth.
   Loaded as a file because the Content-Security-Policy forbids inline scripts. No base-map tiles unless
   the page names a tile URL, so the map works on networks without internet access. */
(function () {
  "use strict";

  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") {
    return;
  }
  var d = el.dataset;
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  var fmt = new Intl.NumberFormat(d.locale || "vi-VN", { maximumFractionDigits: 0 });
  var fmt2 = new Intl.NumberFormat(d.locale || "vi-VN", { maximumFractionDigits: 2 });
  /* Density classes in people per km²: Hanoi ranges from rural communes under 1,000 to wards above 40,000. */
  var BREAKS = [1000, 2500, 5000, 10000, 20000, 40000];
  var COLOURS = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];
  var layersByCode = {};
  var selected = null;

  function colour(density) {
    for (var i = 0; i < BREAKS.length; i++) {
      if (density < BREAKS[i]) {
        return COLOURS[i];
      }
    }
    return COLOURS[COLOURS.length - 1];
  }

  function density(p) {
    return p.area_km2 > 0 ? p.population / p.area_km2 : 0;
  }

  function baseStyle(feature) {
    return {
      color: "#555",
      weight: 0.8,
      fillColor: colour(density(feature.properties)),
      fillOpacity: 0.8,
    };
  }

  function kindLabel(kind) {
    return kind === "phuong" ? d.labelPhuong : d.labelXa;
  }

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  /* Popups are built from DOM nodes, never from HTML strings, so data can't inject markup. */
  function popup(p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(text("strong", p.name));
    var dl = document.createElement("dl");
    var rows = [
      [d.labelCode, p.code],
      [d.labelKind, kindLabel(p.kind)],
      [d.labelArea, fmt2.format(p.area_km2) + " km²"],
      [d.labelPopulation, fmt.format(p.population)],
      [d.labelDensity, fmt.format(density(p)) + " " + d.labelPeoplePerKm2],
    ];
    rows.forEach(function (row) {
      dl.appendChild(text("dt", row[0]));
      dl.appendChild(text("dd", row[1]));
    });
    box.appendChild(dl);
    return box;
  }

  function highlight(layer) {
    if (selected && selected !== layer) {
      selected.setStyle({ weight: 0.8, color: "#555" });
    }
    selected = layer;
    layer.setStyle({ weight: 3, color: "#1f4e8c" });
    layer.bringToFront();
  }

  function legend() {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      box.appendChild(text("strong", d.labelLegend));
      for (var i = 0; i < COLOURS.length; i++) {
        var row = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = COLOURS[i];
        row.appendChild(swatch);
        var low = i === 0 ? 0 : BREAKS[i - 1];
        var label = i < BREAKS.length ? fmt.format(low) + " – " + fmt.format(BREAKS[i]) : "≥ " + fmt.format(low);
        row.appendChild(document.createTextNode(label));
        box.appendChild(row);
      }
      return box;
    };
    return control;
  }

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (d.tileUrl) {
    L.tileLayer(d.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  map.setView([21.0285, 105.8542], 10);
  var status = document.getElementById("map-search-status");
  var count = document.getElementById("commune-count");

  fetch(d.geojsonUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      var drawn = 0;
      var layer = L.geoJSON(collection, {
        style: baseStyle,
        attribution: d.labelAttribution,
        onEachFeature: function (feature, polygon) {
          var p = feature.properties;
          layersByCode[p.code] = polygon;
          drawn += 1;
          polygon.bindTooltip(p.name, { sticky: true });
          polygon.bindPopup(function () {
            return popup(p);
          });
          polygon.on("click", function () {
            highlight(polygon);
          });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      legend().addTo(map);
      count.textContent = String(drawn);
      el.dataset.loaded = "true";
    })
    .catch(function () {
      count.textContent = "0";
      status.textContent = d.labelLoadError;
    });

  function zoomTo(code) {
    var polygon = layersByCode[code];
    if (!polygon) {
      return;
    }
    map.fitBounds(polygon.getBounds(), { maxZoom: 15 });
    highlight(polygon);
    polygon.openPopup(polygon.getBounds().getCenter());
  }

  var results = document.getElementById("map-results");
  document.getElementById("map-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("map-search-input").value.trim();
    results.textContent = "";
    status.textContent = "";
    if (!q) {
      return;
    }
    fetch(d.searchUrl + "?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (reply) {
        if (!reply.ok) {
          status.textContent = lang === "en" ? reply.body.message_en : reply.body.message;
          return;
        }
        var hits = reply.body.results;
        if (hits.length === 0) {
          status.textContent = d.labelNoMatch;
          return;
        }
        status.textContent = d.labelFound;
        hits.forEach(function (hit) {
          var item = document.createElement("li");
          var button = text("button", hit.name + " (" + hit.code + ")");
          button.type = "button";
          button.dataset.code = hit.code;
          button.addEventListener("click", function () {
            zoomTo(hit.code);
          });
          item.appendChild(button);
          results.appendChild(item);
        });
        zoomTo(hits[0].code);
      })
      .catch(function () {
        status.textContent = d.labelLoadError;
      });
  });
})();
