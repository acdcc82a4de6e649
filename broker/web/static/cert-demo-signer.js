// gjjid development signer (served only by `gjjid dev`): stands in for a
// CA component. Choose the demo unit's key (unit-key.pem, PKCS#8 ECDSA
// P-256) and certificate (unit.pem) that `gjjid dev` wrote; the page signs
// the challenge with WebCrypto (ECDSA SHA-256, r||s) and submits.
(function () {
  "use strict";
  var input = document.getElementById("cert-demo-files");
  if (!input || !window.crypto || !window.crypto.subtle) { return; }

  function pemBody(text, type) {
    var re = new RegExp("-----BEGIN " + type + "-----([\\s\\S]*?)-----END " + type + "-----");
    var m = re.exec(text);
    return m ? m[1].replace(/\s+/g, "") : null;
  }
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }
  function b64(buf) {
    var s = "", v = new Uint8Array(buf);
    for (var i = 0; i < v.length; i++) { s += String.fromCharCode(v[i]); }
    return btoa(s);
  }

  input.addEventListener("change", async function () {
    var key = null, cert = null;
    for (var i = 0; i < input.files.length; i++) {
      var text = await input.files[i].text();
      key = key || pemBody(text, "PRIVATE KEY");
      if (pemBody(text, "CERTIFICATE")) { cert = text; }
    }
    if (!key || !cert) { return; }
    var k = await crypto.subtle.importKey("pkcs8", bytes(key), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    var sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k, new TextEncoder().encode(window.gjjidCertChallenge));
    window.gjjidCertSubmit(cert, b64(sig), "raw");
  });
})();
