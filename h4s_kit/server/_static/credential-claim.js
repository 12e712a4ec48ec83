// The served book's credential control (h4s_kit/server/credential_claim.py puts this script into quiz pages;
// the static book has none).  After the module's closing quiz is passed, the server says so
// (POST <api>status) and a region offers the credential: an optional name field and a
// "Get your credential" button; the credential comes from POST <api>claim and is downloaded as
// JSON and as a badge SVG with the credential baked in.  The server decides eligibility; this script only asks.
(function () {
  "use strict";
  var API = __H4S_CREDENTIALS_API__;
  var m = /\/modules\/([0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*)\//.exec(location.pathname);
  if (!m || !window.fetch) return;
  var module = m[1];
  var box = null;
  var asking = false;

  function post(action, body) {
    return fetch(API + action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.error || ("the server answered " + r.status));
        return data;
      });
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function download(name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", { href: url, download: name }, name);
    return a;
  }

  function show(after) {
    if (box) return;
    var id = "h4s-credential-" + module;
    box = el("section", { class: "h4s-credential", "aria-labelledby": id + "-title" });
    box.style.cssText = "border:2px solid #12355b;border-radius:6px;padding:1rem;margin:1.5rem 0;";
    box.appendChild(el("h2", { id: id + "-title" }, "Your credential"));
    box.appendChild(el("p", {}, "You passed the closing quiz. You can get an Open Badges credential for this " +
      "module: a signed file and a badge image that you can share with an employer or keep in a wallet."));
    var label = el("label", { for: id + "-name" }, "Name to print on the credential (optional)");
    var input = el("input", { id: id + "-name", type: "text", autocomplete: "name", maxlength: "100" });
    input.style.cssText = "display:block;margin:.25rem 0 .75rem;padding:.3rem;max-width:24rem;width:100%;";
    var hint = el("p", { id: id + "-hint" }, "Leave it empty and the credential names nobody; it then holds a " +
      "code that only this course can match to you. The name is kept in the credential only.");
    input.setAttribute("aria-describedby", id + "-hint");
    var button = el("button", { type: "button", class: "h4s-credential-get" }, "Get your credential");
    button.style.cssText = "padding:.4rem .9rem;";
    var status = el("p", { role: "status", "aria-live": "polite", class: "h4s-credential-status" });
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(hint);
    box.appendChild(button);
    box.appendChild(status);
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "Making your credential\u2026";
      post("claim", { module: module, name: input.value }).then(function (data) {
        var json = download(data.files[0], JSON.stringify(data.credential, null, 2) + "\n", "application/json");
        var svg = download(data.files[1], data.svg, "image/svg+xml");
        status.textContent = "Your credential is ready and downloading. Download again: ";
        status.appendChild(json);
        status.appendChild(document.createTextNode(" (credential, JSON) and "));
        status.appendChild(svg);
        status.appendChild(document.createTextNode(" (badge image, SVG)."));
        json.click();
        svg.click();
      }).catch(function (e) {
        status.textContent = "Your credential could not be made: " + e.message;
      }).then(function () { button.disabled = false; });
    });
    after.parentNode.insertBefore(box, after.nextSibling);
  }

  function ask(after) {
    if (box || asking) return;
    asking = true;
    post("status", { module: module }).then(function (s) {
      remember(!!(s.issuer && s.eligible));
      if (s.issuer && s.eligible) show(after);
    }).catch(function () { /* no credential offer: the quiz works as before */ }).then(function () {
      asking = false;
    });
  }

  function lastQuiz() {
    var all = document.querySelectorAll(".h4s-quiz");
    return all.length ? all[all.length - 1] : null;
  }

  document.addEventListener("h4s:graded", function (ev) {
    var d = ev.detail || {};
    if (d.module && d.module !== module) return;
    var root = ev.target && ev.target.closest ? (ev.target.closest(".h4s-quiz") || ev.target) : lastQuiz();
    if (root) ask(root);
  });
  // A page load asks the server only where this browser saw the offer before (a passed closing quiz): the other
  // pages make no request for it (the page-weight budget: one request per next page); a graded answer asks.
  var KEY = "h4s-credential:" + module;
  function remember(yes) {
    try { if (yes) localStorage.setItem(KEY, "1"); else localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  }
  function seenBefore() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function start() { var q = lastQuiz(); if (q && seenBefore()) ask(q); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
