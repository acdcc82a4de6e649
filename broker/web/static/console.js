// Staff console: the copy button of a client secret shown once. The page
// works without it (the secret can be selected and copied by hand).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var b = document.getElementById("copy-secret");
    if (!b) return;
    b.addEventListener("click", function () {
      var v = document.getElementById(b.getAttribute("data-copy")).textContent;
      var status = document.getElementById("copy-status");
      var done = function () { status.textContent = b.getAttribute("data-copied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(v).then(done, function () { select(v); done(); });
      } else {
        select(v);
        done();
      }
    });
    function select() {
      var r = document.createRange();
      r.selectNodeContents(document.getElementById(b.getAttribute("data-copy")));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
      try { document.execCommand("copy"); } catch (e) { /* selected: copy by hand */ }
    }
  });
})();
