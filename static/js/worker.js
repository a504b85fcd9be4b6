/* The page's side of the service worker: register it, offer a new version, and keep this person's pages.
 *
 *   - Registers /sw.js. On every online signed-in load (the first one is right after sign-in) asks it to keep
 *     this person's coming days, so they open with no signal.
 *   - A new worker waits; the update bar offers "Update", and the page reloads once the new one has taken over,
 *     so a worker is never swapped under a half-written form.
 *   - Tells it this page's language (<html lang>) on every load, signed in or not: it fetches the offline page
 *     again when the one it keeps is in another language (the person switched), and says its own few words in it.
 *   - Asks the browser to keep this site's storage (the outbox) even when the phone runs short of space.
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var user = Fieldwork.userKey();
  var registration = null;
  var updateRequested = false;

  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      registration = reg;
      if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
      reg.addEventListener("updatefound", function () {
        var incoming = reg.installing;
        if (!incoming) return;
        incoming.addEventListener("statechange", function () {
          if (incoming.state === "installed" && navigator.serviceWorker.controller) offerUpdate(incoming);
        });
      });
    }).catch(function (error) { Fieldwork.log("no service worker; the app still works online", error); });

    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (updateRequested && !reloading) { reloading = true; window.location.reload(); }
    });
  }

  function offerUpdate(worker) {
    var bar = document.getElementById("update-bar");
    if (!bar) return;
    bar.hidden = false;
    document.getElementById("update-now").onclick = function () {
      updateRequested = true;
      worker.postMessage({ type: "skip-waiting" });
    };
  }

  /* Fetch this person's coming days into the worker's cache (again: what was sent changes what they show). */
  function keepPages() {
    if (!user || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "keep-pages", userKey: user });
    });
  }

  /* The worker keeps the offline page, and shows its own few words, in the language of the pages it was last
     told about (service_worker/sw.js, "page-language"). */
  function tellLanguage() {
    var lang = document.documentElement.lang;
    if (!lang || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "page-language", lang: lang });
    });
  }

  /* Where the browser has Background Sync, the worker flushes the outbox even after this page is closed. */
  function requestBackgroundSync() {
    if (registration && registration.sync) {
      registration.sync.register("outbox").catch(function (error) { Fieldwork.log("no background sync", error); });
    }
  }

  if ("serviceWorker" in navigator) {
    register();
    if (navigator.onLine) keepPages();
    tellLanguage();
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});

  Fieldwork.worker = { keepPages: keepPages, requestBackgroundSync: requestBackgroundSync };
})();
