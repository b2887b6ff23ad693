/* The reach page: when the live figures are swapped in (htmx, after a terminals.reach event), redraw
   the map layer too, by switching its checkbox off and on (map.js then reloads the layer's GeoJSON).
   Loaded as a file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "reach-body") {
      return;
    }
    var box = document.querySelector('input[data-layer="terminals.reach"]');
    if (!box || !box.checked) {
      return;
    }
    box.checked = false;
    box.dispatchEvent(new Event("change"));
    box.checked = true;
    box.dispatchEvent(new Event("change"));
  });
})();
