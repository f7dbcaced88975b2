// The QR code on a notice links to /progress/?number=…#code=…: the query code rides in the
// fragment, which browsers never send to a server (no logs, no referrers). Move it into
// the form, drop it from the address bar and history, and look the case up.
(function () {
  "use strict";
  var match = /(?:^#|&)code=([A-Za-z0-9]{1,16})(?:&|$)/.exec(window.location.hash);
  if (!match) { return; }
  var form = document.getElementById("progress-form");
  if (!form) { return; }
  history.replaceState(null, "", window.location.pathname + window.location.search);
  form.elements.code.value = match[1];
  if (form.elements.number.value) { form.submit(); }
})();
