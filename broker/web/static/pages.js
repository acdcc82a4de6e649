// Pages for people (单位登录权限管理, 我的账号): field checks where the person
// types, mirroring the server's rules (connectors/ids, the agent password
// rules), errors announced and focused. The server checks everything again;
// without this script the pages work the same, one round trip later.
(function () {
  "use strict";
  var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var checkChars = "10X98765432";

  function clean(s, dropHyphens) {
    s = (s || "").replace(/[\uFF01-\uFF5E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    s = s.replace(/[\s\u3000]/g, "");
    return dropHyphens ? s.replace(/-/g, "") : s;
  }
  function mod112(n) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += (n.charCodeAt(i) - 48) * weights[i];
    return checkChars.charAt(sum % 11);
  }
  // GB 11643: 17 digits, a real birth date since 1900, the check character.
  function residentID(s) {
    var n = clean(s, false).toUpperCase();
    if (!/^[0-9]{17}[0-9X]$/.test(n)) return false;
    var y = +n.substr(6, 4), m = +n.substr(10, 2), d = +n.substr(12, 2);
    var dt = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d || dt.getTime() > Date.now()) return false;
    return mod112(n) === n.charAt(17);
  }
  var documents = {
    resident_id: residentID,
    hk_macao_permit: function (s) { return /^[HM]([0-9]{8}|[0-9]{10})$/.test(clean(s, true).toUpperCase()); },
    taiwan_permit: function (s) {
      var n = clean(s, true).replace(/（/g, "(").replace(/）/g, ")");
      var m = /^([0-9]{8})\(([0-9]{2})\)$/.exec(n);
      if (m) n = m[1] + m[2];
      return /^([0-9]{8}|[0-9]{10})$/.test(n);
    },
    foreign_permanent: function (s) {
      var n = clean(s, true).toUpperCase();
      if (/^[A-Z]{3}[0-9]{12}$/.test(n)) return true;
      return /^9[0-9]{16}[0-9X]$/.test(n) && mod112(n) === n.charAt(17);
    },
    passport: function (s) { var n = clean(s, true).toUpperCase(); return /^[A-Z0-9]{5,17}$/.test(n) && /[0-9]/.test(n); }
  };
  function mobile(s) {
    var m = clean(s, true);
    if (m.indexOf("+86") === 0) m = m.substr(3); else if (m.indexOf("0086") === 0 && m.length === 15) m = m.substr(4);
    return /^1[3-9][0-9]{9}$/.test(m) ? m : "";
  }
  // The agent password rules (accounts.ValidateAgentPassword).
  function agentPassword(pw, related) {
    if (!/^[0-9]{6}$/.test(pw)) return false;
    var up = true, down = true;
    for (var i = 1; i < 6; i++) {
      up = up && pw.charCodeAt(i) === pw.charCodeAt(i - 1) + 1;
      down = down && pw.charCodeAt(i) === pw.charCodeAt(i - 1) - 1;
    }
    if (pw.split(pw.charAt(0)).length === 7 || up || down) return false;
    if (pw.substr(0, 2) === pw.substr(2, 2) && pw.substr(2, 2) === pw.substr(4, 2)) return false;
    if (pw.substr(0, 3) === pw.substr(3, 3)) return false;
    for (var j = 0; j < related.length; j++) if (related[j] && related[j].toUpperCase().indexOf(pw) >= 0) return false;
    return true;
  }
  function val(form, name) { var el = form.elements[name]; return el ? el.value : ""; }

  var rules = {
    name: function (v) { var n = v.trim(); return n.length > 0 && Array.from(n).length <= 64; },
    id_number: function (v, form) { var t = documents[val(form, "id_type") || "resident_id"]; return !t || t(v); },
    mobile: function (v) { return mobile(v) !== ""; },
    password: function (v, form) { return agentPassword(v, [clean(val(form, "id_number"), false), mobile(val(form, "mobile"))]); },
    password2: function (v, form) { return v === val(form, "password"); },
    password6: function (v) { return /^[0-9]{6}$/.test(v); }
  };

  function show(el, msg) {
    var err = document.getElementById(el.id + "-error");
    if (msg) {
      el.setAttribute("aria-invalid", "true");
      if (err) { err.textContent = msg; err.hidden = false; }
    } else {
      el.removeAttribute("aria-invalid");
      if (err) { err.textContent = ""; err.hidden = true; }
    }
  }

  function validate(form) {
    var bad = [];
    var fields = form.querySelectorAll("[data-check]");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i], rule = rules[el.getAttribute("data-check")];
      var ok = !rule || rule(el.value, form);
      show(el, ok ? "" : el.getAttribute("data-error"));
      if (!ok) bad.push(el);
    }
    var summary = form.querySelector(".summary");
    if (summary) {
      summary.textContent = "";
      if (bad.length) {
        var ul = document.createElement("ul");
        bad.forEach(function (el) {
          var li = document.createElement("li"), a = document.createElement("a");
          var label = form.querySelector("label[for='" + el.id + "']");
          a.href = "#" + el.id;
          a.textContent = (label ? label.textContent + "：" : "") + el.getAttribute("data-error");
          li.appendChild(a); ul.appendChild(li);
        });
        summary.appendChild(ul);
      }
      summary.hidden = bad.length === 0;
    }
    return bad;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-validate]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (ev) {
        var bad = validate(ev.target);
        if (bad.length) { ev.preventDefault(); bad[0].focus(); }
      });
      forms[i].addEventListener("change", function (ev) {
        if (ev.target.getAttribute && ev.target.getAttribute("aria-invalid") === "true") {
          var rule = rules[ev.target.getAttribute("data-check")];
          if (!rule || rule(ev.target.value, ev.currentTarget)) show(ev.target, "");
        }
      });
    }
    // The server's verdict: focus the first field in error, or the page's
    // error, so a screen reader reads it and the keyboard is there.
    var first = document.querySelector("[aria-invalid=true]") || document.getElementById("page-error");
    if (first) first.focus();
  });
})();
