// Live status of the QR login page: Server-Sent Events, or long polls where
// EventSource is missing or the stream fails. No framework; the page works
// on what the server renders, this only keeps it current.
(function () {
  "use strict";
  var root = document.getElementById("qr");
  if (!root) { return; }
  var status = document.getElementById("qr-status");
  var refresh = document.getElementById("qr-refresh");
  var form = document.getElementById("qr-complete");
  var state = "waiting";
  var done = false;

  function text(s, name) {
    var t = status.getAttribute("data-text-" + s) || s;
    return t.replace("{name}", name || "");
  }

  function show(s) {
    if (done) { return; }
    state = s.state;
    root.setAttribute("data-state", s.state);
    status.setAttribute("data-state", s.state);
    status.textContent = text(s.state, s.name);
    switch (s.state) {
      case "confirmed":
        if (!s.ticket) { return; }
        done = true;
        form.elements.ticket.value = s.ticket;
        form.submit();
        return;
      case "cancelled":
      case "expired":
      case "consumed":
        done = true;
        refresh.hidden = false;
        return;
    }
  }

  function retrying() {
    status.textContent = text("retrying");
  }

  var pollDelay = 0;
  function poll() {
    if (done) { return; }
    var url = root.getAttribute("data-poll") + "&state=" + encodeURIComponent(state);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 404 || r.status === 429) {
        show({ state: "expired" });
        return null;
      }
      if (!r.ok) { throw new Error("status " + r.status); }
      return r.json();
    }).then(function (s) {
      if (!s) { return; }
      pollDelay = 0;
      show(s);
      poll();
    }).catch(function () {
      retrying();
      pollDelay = Math.min(pollDelay ? pollDelay * 2 : 1000, 10000);
      setTimeout(poll, pollDelay);
    });
  }

  function stream() {
    var es = new EventSource(root.getAttribute("data-events"));
    es.addEventListener("status", function (e) {
      var s = JSON.parse(e.data);
      show(s);
      if (done || s.state === "confirmed") { es.close(); }
    });
    es.onerror = function () {
      if (done) { es.close(); return; }
      // The stream broke (a proxy that buffers, a dropped connection):
      // go on with long polls, which work through anything.
      es.close();
      retrying();
      poll();
    };
  }

  if (typeof window.EventSource === "function") {
    stream();
  } else {
    poll();
  }
})();
