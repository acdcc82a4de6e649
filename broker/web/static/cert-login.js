// gjjid certificate login page script.
//
// CA component adapter contract. A CA's browser component (a localhost
// service speaking GM/T 0020 "SOF_*" calls, or anything else) is wrapped
// by a small adapter script that registers itself before or after this
// one loads:
//
//   (window.gjjidCertAdapters = window.gjjidCertAdapters || []).push({
//     name: "BJCA",                      // button label
//     available: async () => true,       // is the component running?
//     // The signing certificate: base64 DER or PEM (PEM may add the chain).
//     certificate: async () => "MIIC...",
//     // Sign the challenge's UTF-8 bytes exactly as given, with the key of
//     // that certificate: RSA PKCS#1 v1.5 SHA-256 (or SHA-1), ECDSA SHA-256
//     // (DER or r||s), SM2 with SM3 and the default ID 1234567812345678
//     // (DER or r||s); or a PKCS#7/CMS SignedData, detached or attached.
//     sign: async (challenge) => ({ signature: "base64...", format: "raw" }) // or "pkcs7"
//   });
//   window.dispatchEvent(new Event("gjjid-cert-adapter"));  // if registered late
//
// The page posts id, csrf, challenge, certificate, signature and format to
// the form's action. The challenge is single use, valid for two minutes
// and bound to this browser's login attempt. Without JavaScript, the
// manual fields take the same values (e.g. from openssl).
(function () {
  "use strict";
  var box = document.getElementById("cert-adapters");
  var form = document.getElementById("cert-form");
  if (!box || !form) { return; }
  var challenge = box.getAttribute("data-challenge");
  var en = box.getAttribute("data-lang") === "en";
  var shown = [];

  // The form's submit button has id "submit", which shadows form.submit:
  // call the prototype's method.
  function post() { HTMLFormElement.prototype.submit.call(form); }

  function fail(msg) {
    var e = document.getElementById("error");
    if (!e) {
      e = document.createElement("div");
      e.id = "error"; e.className = "error"; e.setAttribute("role", "alert");
      form.parentNode.insertBefore(e, form);
    }
    e.textContent = msg;
  }

  async function use(a) {
    try {
      var cert = await a.certificate();
      var s = await a.sign(challenge);
      form.elements.certificate.value = cert;
      form.elements.signature.value = s.signature;
      form.elements.format.value = s.format || "";
      post();
    } catch (err) {
      fail((en ? "The certificate component failed: " : "证书组件调用失败：") + (err && err.message ? err.message : err));
    }
  }

  // gjjidCertSubmit lets a signer (the dev demo signer) submit directly.
  window.gjjidCertSubmit = function (cert, signature, format) {
    form.elements.certificate.value = cert;
    form.elements.signature.value = signature;
    form.elements.format.value = format || "";
    post();
  };
  window.gjjidCertChallenge = challenge;

  async function refresh() {
    var list = window.gjjidCertAdapters || [];
    for (var i = 0; i < list.length; i++) {
      var a = list[i];
      if (shown.indexOf(a) >= 0) { continue; }
      shown.push(a);
      var ok = false;
      try { ok = await a.available(); } catch (e) { ok = false; }
      if (!ok) { continue; }
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn";
      b.textContent = (en ? "Sign in with " : "使用 ") + a.name + (en ? "" : " 证书签名登录");
      b.addEventListener("click", use.bind(null, a));
      box.appendChild(b);
    }
  }
  window.addEventListener("gjjid-cert-adapter", refresh);
  refresh();
})();
