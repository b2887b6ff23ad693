/* The city map: draws every layer the reader may see (listed by /api/v1/map/layers), each toggled by
   its checkbox in the page, styled and labelled as its domain declared it. Layers that ask for it are
   queried for the visible area after every move, and reloaded every refresh_seconds.
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
  var locale = d.locale || "vi-VN";
  var formats = {
    integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    decimal: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
  };
  /* Times are shown in Hanoi time, whatever the reader's computer is set to. */
  var clock = new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZone: "Asia/Ho_Chi_Minh",
  });
  var states = {};
  var selected = null;
  var fitted = false;
  var count = document.getElementById("commune-count");
  var searchStatus = document.getElementById("map-search-status");

  function pick(item, key) {
    return lang === "en" ? item[key + "_en"] : item[key];
  }

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function statusOf(name) {
    return document.querySelector('[data-layer-status="' + CSS.escape(name) + '"]');
  }

  function rampColour(ramp, value) {
    if (typeof value !== "number") {
      return ramp.colors[0];
    }
    for (var i = 0; i < ramp.breaks.length; i++) {
      if (value < ramp.breaks[i]) {
        return ramp.colors[i];
      }
    }
    return ramp.colors[ramp.colors.length - 1];
  }

  /* A line has no fill: its choropleth colour is its stroke's (a road segment coloured by its level of service). */
  function styleFor(def) {
    var style = def.style;
    return function (feature) {
      var fill = style.choropleth
        ? rampColour(style.choropleth, feature.properties[style.choropleth.property])
        : style.fillColor;
      /* A line has no fill: a choropleth colours its stroke (road segments by level of service). */
      var line = def.geometry === "line" || (feature.geometry && /LineString$/.test(feature.geometry.type));
      var stroke = line && style.choropleth ? fill : style.color;
      return { color: stroke, weight: style.weight, fillColor: fill, fillOpacity: style.fillOpacity };
    };
  }

  function formatted(field, value) {
    if (value === null || value === undefined) {
      return "–";
    }
    var shown = formats[field.format] && typeof value === "number" ? formats[field.format].format(value) : String(value);
    var unit = pick(field, "unit");
    return unit ? shown + " " + unit : shown;
  }

  /* Popups are built from DOM nodes, never from HTML strings, so data can't inject markup. */
  function popup(def, p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(text("strong", p.label || p.name || ""));
    var dl = document.createElement("dl");
    def.fields.forEach(function (field) {
      dl.appendChild(text("dt", pick(field, "label")));
      dl.appendChild(text("dd", formatted(field, p[field.property])));
    });
    box.appendChild(dl);
    return box;
  }

  function highlight(state, layer) {
    if (selected && selected.layer !== layer) {
      selected.state.group.resetStyle(selected.layer);
    }
    selected = { state: state, layer: layer };
    layer.setStyle({ weight: 3, color: "#1f4e8c" });
    layer.bringToFront();
  }

  /* Readers who asked their system for less motion get no fades or zoom animations. */
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(el, {
    zoomSnap: 0.25,
    attributionControl: true,
    fadeAnimation: !still,
    zoomAnimation: !still,
    markerZoomAnimation: !still,
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (d.tileUrl) {
    L.tileLayer(d.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  map.setView([21.0285, 105.8542], 10);

  /* A layer asks for the visible area padded by half a screen on each side, and is asked again after a
     move only when the view leaves what it holds: a popup that pans the map a little (or a small drag)
     keeps the shapes, and the popup, where they are. */
  function bboxParam(b) {
    var clamp = function (v, lim) {
      return Math.max(-lim, Math.min(lim, v)).toFixed(5);
    };
    return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)].join(",");
  }

  function setStatus(state, message) {
    var node = statusOf(state.def.name);
    if (node) {
      node.textContent = message;
    }
  }

  function load(state) {
    var def = state.def;
    if (!state.on) {
      return;
    }
    if (map.getZoom() < def.min_zoom) {
      state.group.clearLayers();
      setStatus(state, d.labelZoomIn);
      return;
    }
    if (state.controller) {
      state.controller.abort();
    }
    var controller = new AbortController();
    state.controller = controller;
    var area = map.getBounds().pad(0.5);
    var url = def.url + (def.bbox ? "?bbox=" + encodeURIComponent(bboxParam(area)) : "");
    state.box.dataset.state = "loading";
    fetch(url, { headers: { Accept: "application/geo+json" }, signal: controller.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        if (!state.on || state.controller !== controller) {
          return;
        }
        /* The feature whose popup is open gets it back on its redrawn shape. */
        var open = null;
        state.group.eachLayer(function (shape) {
          if (shape.isPopupOpen() && shape.feature && shape.feature.id !== undefined) {
            open = { id: shape.feature.id, at: shape.getPopup().getLatLng() };
          }
        });
        state.byId = {};
        state.group.clearLayers();
        state.group.addData(collection);
        state.area = def.bbox ? area : null;
        state.zoom = map.getZoom();
        if (open && state.byId[open.id]) {
          state.byId[open.id].openPopup(open.at);
        }
        var n = collection.features.length;
        state.box.dataset.features = String(n);
        state.box.dataset.state = "loaded";
        state.loads += 1;
        state.box.dataset.loads = String(state.loads);
        setStatus(state, def.refresh_seconds > 0 ? d.labelUpdated + " " + clock.format(new Date()) : "");
        /* The map opens on the communes layer, or on the layer the page names (data-fit-layer). */
        if (!fitted && n > 0 && def.name === (d.fitLayer || d.communesLayer)) {
          fitted = true;
          map.fitBounds(state.group.getBounds(), { maxZoom: 17 });
        }
        if (def.name === d.communesLayer) {
          count.textContent = String(n);
          el.dataset.loaded = "true";
        }
      })
      .catch(function (error) {
        if (error.name === "AbortError") {
          return;
        }
        state.box.dataset.state = "error";
        setStatus(state, d.labelLoadError);
      });
  }

  function show(state) {
    state.on = true;
    state.group.addTo(map);
    load(state);
    if (state.def.refresh_seconds > 0) {
      state.timer = window.setInterval(function () {
        if (!document.hidden) {
          load(state);
        }
      }, state.def.refresh_seconds * 1000);
    }
  }

  function hide(state) {
    state.on = false;
    window.clearInterval(state.timer);
    if (state.controller) {
      state.controller.abort();
    }
    if (selected && selected.state === state) {
      selected = null;
    }
    state.group.clearLayers();
    state.area = null;
    map.removeLayer(state.group);
    state.box.dataset.state = "off";
    state.box.dataset.features = "0";
    setStatus(state, "");
    if (state.def.name === d.communesLayer) {
      count.textContent = "0";
    }
  }

  function setUp(def, index) {
    var checkbox = document.querySelector('input[data-layer="' + CSS.escape(def.name) + '"]');
    if (!checkbox) {
      return;
    }
    /* One pane per layer, stacked in the registry's order, so a test or a stylesheet can find each. */
    var paneName = "layer" + index;
    var pane = map.createPane(paneName);
    pane.style.zIndex = String(400 + index);
    pane.dataset.layer = def.name;
    var state = { def: def, on: false, loads: 0, byId: {}, box: checkbox.closest("[data-layer-box]") };
    state.group = L.geoJSON(null, {
      pane: paneName,
      style: styleFor(def),
      attribution: def.name === d.communesLayer ? d.labelAttribution : undefined,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { pane: paneName, radius: def.style.radius });
      },
      onEachFeature: function (feature, shape) {
        var p = feature.properties || {};
        if (feature.id !== undefined) {
          state.byId[feature.id] = shape;
        }
        shape.bindTooltip(p.label || p.name || "", { sticky: true });
        shape.bindPopup(function () {
          return popup(def, p);
        });
        shape.on("click", function () {
          highlight(state, shape);
        });
      },
    });
    states[def.name] = state;
    checkbox.addEventListener("change", function () {
      if (checkbox.checked) {
        show(state);
      } else {
        hide(state);
      }
    });
    if (checkbox.checked) {
      show(state);
    } else {
      state.box.dataset.state = "off";
    }
  }

  map.on("moveend", function () {
    Object.keys(states).forEach(function (name) {
      var state = states[name];
      if (!state.on || !(state.def.bbox || state.def.min_zoom > 0)) {
        return;
      }
      var holds = state.area && state.area.contains(map.getBounds()) && state.zoom === map.getZoom();
      if (!holds) {
        load(state);
      }
    });
  });

  fetch(d.layersUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (body) {
      body.layers.forEach(setUp);
      el.dataset.ready = "true";
    })
    .catch(function () {
      count.textContent = "0";
      searchStatus.textContent = d.labelLoadError;
    });

  function zoomTo(hit) {
    var communes = states[d.communesLayer];
    var shape = communes && communes.on ? communes.byId[hit.code] : null;
    if (!shape) {
      map.setView([hit.lat, hit.lon], 14);
      return;
    }
    map.fitBounds(shape.getBounds(), { maxZoom: 15 });
    highlight(communes, shape);
    shape.openPopup(shape.getBounds().getCenter());
  }

  var results = document.getElementById("map-results");
  document.getElementById("map-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("map-search-input").value.trim();
    results.textContent = "";
    searchStatus.textContent = "";
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
          searchStatus.textContent = lang === "en" ? reply.body.message_en : reply.body.message;
          return;
        }
        var hits = reply.body.results;
        if (hits.length === 0) {
          searchStatus.textContent = d.labelNoMatch;
          return;
        }
        searchStatus.textContent = d.labelFound;
        hits.forEach(function (hit) {
          var item = document.createElement("li");
          var button = text("button", hit.name + " (" + hit.code + ")");
          button.type = "button";
          button.dataset.code = hit.code;
          button.addEventListener("click", function () {
            zoomTo(hit);
          });
          item.appendChild(button);
          results.appendChild(item);
        });
        zoomTo(hits[0]);
      })
      .catch(function () {
        searchStatus.textContent = d.labelLoadError;
      });
  });
})();
