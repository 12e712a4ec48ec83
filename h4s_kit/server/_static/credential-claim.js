// The served book's credential control (h4s_kit/server/credential_claim.py puts this script into quiz pages;
// the static book has none).  After the module's closing quiz is passed, the server says so
// (POST <api>status) and a region offers the credential: an optional name field and a
// "Get your credential" button; the credential comes from POST <api>claim and is downloaded as
// JSON and as a badge SVG with the credential baked in.  The server decides eligibility; this script only asks.
// Its words are in the page's language: the server puts that language's translations of them (h4s.po, messages
// h4s_widgets._i18n.CREDENTIAL_MESSAGES) into S, and T() looks them up as the quiz interface's T() does.
(function () {
  "use strict";
  var API = __H4S_CREDENTIALS_API__;
  var S = __H4S_CREDENTIALS_STRINGS__;
  var MAX_NAME = 100;
  function T(id, vars) {
    var s = S[id] || id;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
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
        if (!r.ok) { var e = new Error(data.error || ("HTTP " + r.status)); e.status = r.status; throw e; }
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

  function download(name, text, type, label) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    return el("a", { href: url, download: name }, label);
  }

  function show(after) {
    if (box) return;
    var id = "h4s-credential-" + module;
    box = el("section", { class: "h4s-credential", "aria-labelledby": id + "-title" });
    box.style.cssText = "border:2px solid #12355b;border-radius:6px;padding:1rem;margin:1.5rem 0;";
    box.appendChild(el("h2", { id: id + "-title" }, T("Your credential")));
    box.appendChild(el("p", {}, T("You passed the closing quiz. You can get an Open Badges credential for this module: a signed file and a badge image to show an employer or keep in a digital wallet.")));
    var label = el("label", { for: id + "-name" }, T("Name to print on the credential (optional)"));
    var input = el("input", { id: id + "-name", type: "text", autocomplete: "name", maxlength: String(MAX_NAME) });
    input.style.cssText = "display:block;margin:.25rem 0 .75rem;padding:.3rem;max-width:24rem;width:100%;";
    var hint = el("p", { id: id + "-hint" }, T("Without a name, the credential holds only a code that this course can match to you. The course server does not keep the name: it is only in your files."));
    input.setAttribute("aria-describedby", id + "-hint");
    var button = el("button", { type: "button", class: "h4s-credential-get" }, T("Get your credential"));
    button.style.cssText = "padding:.4rem .9rem;";
    var status = el("p", { role: "status", "aria-live": "polite", class: "h4s-credential-status" });
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(hint);
    box.appendChild(button);
    box.appendChild(status);
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = T("Making your credential\u2026");
      post("claim", { module: module, name: input.value }).then(function (data) {
        var json = download(data.files[0], JSON.stringify(data.credential, null, 2) + "\n", "application/json",
                            T("credential (JSON)"));
        var svg = download(data.files[1], data.svg, "image/svg+xml", T("badge image (SVG)"));
        status.textContent = T("Your credential is ready and downloading. Download again:") + " ";
        status.appendChild(json);
        status.appendChild(document.createTextNode(", "));
        status.appendChild(svg);
        json.click();
        svg.click();
      }).catch(function (e) {
        // the learner's words, not the server's (which are English, for the log and for scripts)
        status.textContent = e.status === 403 ? T("Pass the closing quiz first.")
          : e.status === 400 && /^name:/.test(e.message) ? T("The name cannot be used: at most {n} characters, and letters, spaces and punctuation only.", { n: MAX_NAME })
          : T("Your credential could not be made just now. Try again in a minute, and tell your trainer if it goes on.");
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
