/* The device register's small map. A file, because the CSP forbids inline scripts; the points come from
   the page's <script type="application/json" id="devices-data"> block. No base-map tiles: works offline. */
(function () {
  "use strict";
  var el = document.getElementById("devices-map");
  var block = document.getElementById("devices-data");
  if (!el || !block || !window.L) {
    return;
  }
  var points;
  try {
    points = JSON.parse(block.textContent || "[]");
  } catch (err) {
    points = [];
  }
  var map = window.L.map(el, { zoomSnap: 0.25 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.setView([21.0285, 105.8542], 10);
  var bounds = [];
  points.forEach(function (p) {
    var marker = window.L.circleMarker([p.lat, p.lon], {
      radius: 6,
      color: p.active ? "#1f5fa8" : "#8a1c1c",
      fillOpacity: 0.7,
    }).addTo(map);
    var label = document.createElement("span");
    label.textContent = p.name + " (" + p.id + ")";
    marker.bindPopup(label);
    bounds.push([p.lat, p.lon]);
  });
  // A click on the map fills the registration form's coordinates (6 decimals: about 10 cm).
  var lon = document.getElementById("dev-lon");
  var lat = document.getElementById("dev-lat");
  var picked = null;
  if (lon && lat) {
    map.on("click", function (e) {
      lon.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      if (picked) {
        picked.setLatLng(e.latlng);
      } else {
        picked = window.L.circleMarker(e.latlng, { radius: 8, color: "#b5121b", fillOpacity: 0.3 }).addTo(map);
      }
      var details = lon.closest("details");
      if (details) {
        details.open = true;
      }
    });
  }
  // No animation: the map opens on its final view (an animated zoom draws the markers huge meanwhile).
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15, animate: false });
  } else if (bounds.length === 1) {
    map.setView(bounds[0], 14, { animate: false });
  }
})();
