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
