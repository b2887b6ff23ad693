/* The announcement form's map: a click adds a polygon point or sets a circle's centre, by the chosen
   target kind. A file, because the CSP forbids inline scripts. No base-map tiles: works offline; the
   communes are listed in the form instead. */
(function () {
  "use strict";
  var el = document.getElementById("ann-map");
  if (!el || !window.L) {
    return;
  }
  var map = window.L.map(el, { zoomSnap: 0.25 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.setView([21.0285, 105.8542], 11);
  var polygonField = document.getElementById("ann-polygon");
  var lat = document.getElementById("ann-circle-lat");
  var lon = document.getElementById("ann-circle-lon");
  var radius = document.getElementById("ann-circle-radius");
  var layer = window.L.layerGroup().addTo(map);
  function kind() {
    var checked = document.querySelector('input[name="target_kind"]:checked');
    return checked ? checked.value : "communes";
  }
  function points() {
    return (polygonField.value || "").split(/\s+/).filter(Boolean).map(function (pair) {
      var parts = pair.split(",");
      return [parseFloat(parts[0]), parseFloat(parts[1])];
    });
  }
  function draw() {
    layer.clearLayers();
    if (kind() === "polygon") {
      var pts = points();
      if (pts.length > 1) {
        window.L.polygon(pts, { color: "#b5121b" }).addTo(layer);
      }
      pts.forEach(function (p) { window.L.circleMarker(p, { radius: 4, color: "#b5121b" }).addTo(layer); });
    } else if (kind() === "circle" && lat.value && lon.value) {
      var km = parseFloat((radius.value || "1").replace(",", ".")) || 1;
      window.L.circle([parseFloat(lat.value), parseFloat(lon.value)], { radius: km * 1000, color: "#b5121b" }).addTo(layer);
    }
  }
  map.on("click", function (e) {
    var pair = e.latlng.lat.toFixed(6) + "," + e.latlng.lng.toFixed(6);
    if (kind() === "polygon") {
      polygonField.value = (polygonField.value ? polygonField.value + " " : "") + pair;
    } else {
      var circle = document.querySelector('input[name="target_kind"][value="circle"]');
      if (circle) { circle.checked = true; }
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
    }
    draw();
  });
  [polygonField, lat, lon, radius].forEach(function (input) { input.addEventListener("change", draw); });
  document.querySelectorAll('input[name="target_kind"]').forEach(function (r) { r.addEventListener("change", draw); });
  document.getElementById("ann-clear").addEventListener("click", function () {
    polygonField.value = "";
    lat.value = "";
    lon.value = "";
    draw();
  });
  draw();
})();
