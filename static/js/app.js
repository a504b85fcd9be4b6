// Page behaviour that htmx does not cover. No inline script anywhere (strict CSP): everything lives here.
(function () {
  "use strict";

  // Every htmx request carries the CSRF token from the page, as the server expects (DESIGN section 7).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = window.Fieldwork.csrfToken();
  });

  // After a day is swapped in, move focus to its heading so keyboard and screen-reader users hear the new day.
  // (After an outerHTML swap the event's target is the replaced node, so look the heading up afresh.)
  document.addEventListener("htmx:afterSettle", function () {
    var heading = document.querySelector("#day h1[tabindex]");
    if (heading && document.activeElement !== heading) heading.focus();
  });

  // The language switch is drawn with the page; after htmx has moved to another day (push-url) its link would name
  // the old address. Read the address as it is now, at the moment of the click, and only change `lang`.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".language-switch a[hreflang]");
    if (!link) return;
    var query = new URLSearchParams(window.location.search);
    query.set("lang", link.getAttribute("hreflang"));
    link.setAttribute("href", "?" + query.toString());
  });

  // With no signal htmx cannot fetch the next day; a plain navigation can, from the service worker's cache.
  document.addEventListener("htmx:sendError", function (event) {
    var link = event.detail && event.detail.elt;
    if (link && link.tagName === "A" && link.href) window.location.assign(link.href);
  });
})();
