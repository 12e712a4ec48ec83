/* h4s web book: small run-time fixes (most fixes are made in the HTML at build time).
 *
 * Sidebars on a narrow screen: pydata-sphinx-theme 0.17 opens the site navigation (and the page's contents)
 * in a dialog, but binds only the first .primary-toggle / .secondary-toggle of the page, which sit in its own
 * top bar; sphinx-book-theme 1.3 shows its own buttons in the article header, and the book hides the
 * theme's top bar (h4s-book.css), so on a phone those buttons did nothing.  A click on them, while the
 * sidebar is off screen, is handed to the theme's button. */
(function () {
  "use strict";
  function forward(kind, sidebarId) {
    const theirs = document.querySelector("#pst-header ." + kind);
    if (!theirs) return;
    document.querySelectorAll("." + kind).forEach(function (btn) {
      if (btn === theirs) return;
      btn.addEventListener("click", function (e) {
        const side = document.getElementById(sidebarId);
        const shown = side && side.getBoundingClientRect().width > 0 && side.getBoundingClientRect().right > 0 &&
          side.getBoundingClientRect().left < window.innerWidth && getComputedStyle(side).visibility !== "hidden";
        if (shown) return;
        e.preventDefault();
        theirs.click();
      });
    });
  }
  function init() {
    forward("primary-toggle", "pst-primary-sidebar");
    forward("secondary-toggle", "pst-secondary-sidebar");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* "Keep this module offline" (issue 21).  The service worker (sw.js at the book's root, written by the build)
 * is registered only when a learner keeps a module: until then nothing changes for the page.  Keeping a
 * module stores, in the Cache API, the page and every file of this origin it loaded (stylesheet, scripts,
 * images, the icon font); the service worker answers from there when the network fails, and shows
 * offline.html for a page that was not kept.  The list of kept modules shows their size and removes them;
 * removing the last one unregisters the service worker. */
(function () {
  "use strict";
  const PREFIX = "h4s-module-";
  function kb(n) { return n < 1000 ? n + " bytes" : (n / 1000).toFixed(n < 10000 ? 1 : 0) + " KB"; }
  async function sizeOf(name) {
    const cache = await caches.open(name);
    let total = 0;
    for (const req of await cache.keys()) {
      const res = await cache.match(req, {ignoreVary: true});
      if (res) total += (await res.clone().blob()).size;
    }
    return total;
  }
  function urlsOfPage() {
    const urls = new Set([location.href.split("#")[0]]);
    const add = (raw) => {
      if (!raw) return;
      const u = new URL(raw, location.href);
      if (u.origin === location.origin && !/^\/(api|live|trainer)\//.test(u.pathname)) urls.add(u.href.split("#")[0]);
    };
    document.querySelectorAll('link[rel="stylesheet"][href], script[src], img[src]').forEach(
      (el) => add(el.getAttribute("href") || el.getAttribute("src")));
    performance.getEntriesByType("resource").forEach((e) => {
      if (e.initiatorType !== "fetch" && e.initiatorType !== "xmlhttprequest" && e.initiatorType !== "beacon") add(e.name);
    });
    return Array.from(urls);
  }
  function init() {
    const box = document.querySelector("aside.h4s-offline");
    if (!box || !("serviceWorker" in navigator) || !window.caches || !window.isSecureContext) return;
    const root = new URL(document.documentElement.getAttribute("data-content_root") || "./", location.href);
    const id = box.getAttribute("data-h4s-module");
    const button = box.querySelector(".h4s-keep");
    const status = box.querySelector(".h4s-offline-status");
    const list = box.querySelector(".h4s-kept-list");
    let words = {};
    try { words = JSON.parse(box.getAttribute("data-h4s-words") || "{}"); } catch (e) { /* the build writes it */ }
    // the page's words (its language; h4s_kit/translate/_book.py BOOK_WORDS), {name} filled in
    const say = (key, fill) => String(words[key] || key).replace(/\{(\w+)\}/g, (m, k) => (fill && k in fill ? fill[k] : m));
    const metaUrl = (mid) => new URL("h4s-kept/" + mid + ".json", root).href;
    async function refresh() {
      const names = (await caches.keys()).filter((n) => n.indexOf(PREFIX) === 0).sort();
      list.textContent = "";
      for (const name of names) {
        const mid = name.slice(PREFIX.length);
        const cache = await caches.open(name);
        const metaRes = await cache.match(metaUrl(mid), {ignoreVary: true});
        const meta = metaRes ? await metaRes.json() : {title: mid, url: null};
        const li = document.createElement("li");
        const label = document.createElement(meta.url ? "a" : "span");
        label.textContent = meta.title;
        if (meta.url) label.href = meta.url;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "h4s-kept-remove";
        remove.textContent = say("remove");
        remove.setAttribute("aria-label", say("remove_label", {title: meta.title}));
        remove.addEventListener("click", async () => {
          await caches.delete(name);
          if (mid === id) status.textContent = say("removed");
          await refresh();
        });
        li.append(label, " (" + kb(await sizeOf(name)) + ") ", remove);
        list.append(li);
      }
      if (!names.length) {
        const li = document.createElement("li");
        li.textContent = say("none");
        list.append(li);
        const reg = await navigator.serviceWorker.getRegistration(root.href);
        if (reg) await reg.unregister();
      }
      const kept = names.indexOf(PREFIX + id) >= 0;
      button.textContent = say(kept ? "update" : "keep");
      box.setAttribute("data-h4s-kept", kept ? "true" : "false");
      return names;
    }
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = say("saving");
      try {
        await navigator.serviceWorker.register(new URL("sw.js", root).href, {scope: root.href});
        await navigator.serviceWorker.ready;
        const name = PREFIX + id;
        await caches.delete(name);
        const cache = await caches.open(name);
        await cache.addAll(urlsOfPage().map((u) => new Request(u, {cache: "reload", credentials: "same-origin"})));
        const title = (document.querySelector("h1") || document).textContent.replace("#", "").trim();
        await cache.put(metaUrl(id), new Response(JSON.stringify({title: title, url: location.href.split("#")[0]}),
                                                  {headers: {"Content-Type": "application/json"}}));
        status.textContent = say("kept", {size: kb(await sizeOf(name))});
      } catch (err) {
        status.textContent = say("failed", {error: err && err.message ? err.message : String(err)});
      } finally {
        button.disabled = false;
        await refresh();
      }
    });
    box.hidden = false;
    refresh();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
