// Live pages (htmx SSE extension): remember each stream's last event id, so that a stream htmx opens
// anew after an error resumes where it stopped (a new EventSource sends no Last-Event-ID of its own),
// and mark the element holding sse-connect with data-live="open" or "closed" for the page to show.
(function () {
  "use strict";
  var lastIds = {};

  function follow(url, source) {
    var channels = new URL(url, window.location.href).searchParams.get("channels") || "";
    ["ready", "reset"].concat(channels.split(",")).forEach(function (type) {
      type = type.trim();
      if (!type) { return; }
      source.addEventListener(type, function (event) {
        if (event.lastEventId) { lastIds[url] = event.lastEventId; }
      });
    });
  }

  htmx.createEventSource = function (url) {
    var full = url;
    if (lastIds[url]) {
      full += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastIds[url]);
    }
    var source = new EventSource(full, { withCredentials: true });
    follow(url, source);
    return source;
  };

  document.addEventListener("htmx:sseOpen", function (event) {
    event.target.setAttribute("data-live", "open");
  });
  document.addEventListener("htmx:sseError", function (event) {
    event.target.setAttribute("data-live", "closed");
  });
})();
