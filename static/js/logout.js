/* Signing out does not silently lose work, and leaves nothing of the person on the phone.
 *
 *   - With changes not yet sent, the sign-out button asks first: sync now, stay, or (ticking that the changes
 *     will be lost) sign out anyway.
 *   - Signing out removes this person's kept pages and outbox; another person's unsent work on a shared phone
 *     stays for them.
 *   - A page reached with ?signed_out=1 (signed out even with scripts failing at the button) clears the kept pages.
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var Outbox = window.FieldworkOutbox;
  var say = Fieldwork.say;
  var user = Fieldwork.userKey();

  function clearThisDevice(userKey) {
    try { localStorage.removeItem("htmx-history-cache"); } catch (e) { /* private mode */ }
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    var viaWorker = worker ? new Promise(function (resolve) {
      var done = function (event) { if (event.data && event.data.type === "cleared") resolve(); };
      navigator.serviceWorker.addEventListener("message", done);
      worker.postMessage({ type: "clear-user-data", userKey: userKey });
      setTimeout(resolve, 3000);
    }) : Promise.resolve();
    return viaWorker.then(function () {
      var direct = [];
      if (Outbox && userKey) direct.push(Outbox.deleteUser(userKey));
      if (window.caches) direct.push(caches.delete(Fieldwork.PAGES_CACHE));
      return Promise.all(direct);
    });
  }

  /* Why they are still here after "Sync now": no connection, a sign-in needed, or changes the server turned back. */
  function stillHereBecause(after) {
    if (!after) return "logout_still_waiting";
    if (after.needsLogin) return "sign_in";
    return after.waiting ? "logout_still_waiting" : "logout_needs_attention";
  }

  function guardLogout() {
    var form = document.querySelector('form[action="/logout"]');
    var dialog = document.getElementById("logout-dialog");
    if (!form || !dialog) return;
    var leaving = false;

    function leave() {
      leaving = true;
      // Signing out must not depend on storage that refuses to open: clear what can be cleared, then go.
      clearThisDevice(user).catch(function (error) { Fieldwork.log("not all cleared", error); })
        .then(function () { form.submit(); });
    }

    function ask(unsent) {
      document.getElementById("logout-text").textContent = say("logout_waiting", { count: unsent });
      var confirm = document.getElementById("logout-confirm");
      var anyway = document.getElementById("logout-anyway");
      confirm.checked = false;
      anyway.disabled = true;
      confirm.onchange = function () { anyway.disabled = !confirm.checked; };
      anyway.onclick = function () { dialog.close(); leave(); };
      document.getElementById("logout-cancel").onclick = function () { dialog.close(); };
      document.getElementById("logout-sync").onclick = function () {
        Fieldwork.sync.flushNow().then(function (after) {
          if (after && !after.waiting && !after.attention) { dialog.close(); leave(); return; }
          document.getElementById("logout-text").textContent = say(stillHereBecause(after));
        });
      };
      dialog.showModal();
    }

    form.addEventListener("submit", function (event) {
      if (leaving) return;
      event.preventDefault();
      Outbox.status(user).then(function (state) {
        var unsent = state.waiting + state.attention;
        if (unsent) ask(unsent); else leave();
      }, leave);  // an outbox that cannot be read (storage refused) holds nothing to lose
    });
  }

  // Outboxes are not touched here: the button already removed the person's own, and a lapsed session's waits for
  // its owner to sign in again.
  if (!user && /[?&]signed_out=1/.test(window.location.search)) clearThisDevice(null);
  if (user && Outbox) guardLogout();
})();
