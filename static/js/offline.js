/* The page's side of working offline: the service worker, the sync bar, forms that write to the outbox, and a
 * logout that does not silently lose work.
 *
 * Plan
 *   - Registers /sw.js. After sign-in and on every online load, asks it to keep this person's coming days.
 *     A new worker waits; the update bar offers "Update", and the page reloads once it has taken over.
 *   - Forms marked data-op-type="<operation type>" never post directly: their fields become an operation that
 *     is written to the IndexedDB outbox first (static/js/outbox.js), shown at once as waiting, then flushed.
 *     Field names are the operation's data keys ("prompts.<key>" nests; base_version goes on the operation).
 *   - Flush on load, on `online`, when the page becomes visible, right after a change, through Background Sync
 *     where the browser has it, and otherwise on a backoff timer (at most 5 minutes).
 *   - The sync bar always says where things stand; "needs your attention" lists what the server refused.
 *   - Logout with changes waiting asks first. Logout removes this person's cached pages and outbox.
 */
(function () {
  "use strict";

  var Outbox = window.FieldworkOutbox;
  var body = document.body;
  var user = body.getAttribute("data-user-key");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("ui-strings").textContent); } catch (e) { /* signed out */ }

  // A counted message comes as one text per plural category of the page's language (visits/i18n.py).
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;

  function say(key, values) {
    var text = strings[key] || key;
    if (typeof text === "object") {
      var category = plurals ? plurals.select(values.count) : (values.count === 1 ? "one" : "other");
      text = text[category] || text.other;
    }
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function setCsrfToken(token) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.content = token;
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = token; });
  }

  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString(document.documentElement.lang || "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  // ---- service worker ------------------------------------------------------------------------------------

  var registration = null;

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
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
    }).catch(function () { /* the app still works online */ });

    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (updateRequested && !reloading) { reloading = true; window.location.reload(); }
    });
    if (user && navigator.onLine) keepPages();
  }

  function keepPages() {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "keep-pages", userKey: user });
    });
  }

  var updateRequested = false;

  function offerUpdate(worker) {
    var bar = document.getElementById("update-bar");
    if (!bar) return;
    bar.hidden = false;
    document.getElementById("update-now").onclick = function () {
      updateRequested = true;
      worker.postMessage({ type: "skip-waiting" });
    };
  }

  // ---- forms into operations -----------------------------------------------------------------------------

  // The same rules as the server's form path (visits/recording/views.py, operation_from_form): the type is the
  // form's data-op-type, `op_id` and `base_version` are the envelope, and every other field is the operation's.
  var STAMPED = ["visit.check_in", "visit.check_out", "attendance.set"];
  var SKIPPED = ["op_id", "base_version", "csrf_token"];

  function operationFrom(form, submitter) {
    var type = form.getAttribute("data-op-type");
    var fields = new FormData(form, submitter || undefined);
    var data = {};
    fields.forEach(function (value, name) {
      if (SKIPPED.indexOf(name) >= 0) return;
      if (name.indexOf("prompts.") === 0) {
        if (!value.trim()) return;
        data.prompts = data.prompts || {};
        data.prompts[name.slice(8)] = value;
      } else {
        data[name] = value;
      }
    });
    if (STAMPED.indexOf(type) >= 0 && !data.at) data.at = new Date().toISOString();
    var base = fields.get("base_version");
    return { type: type, base_version: base === null || base === "" ? null : Number(base), data: data };
  }

  function stateLine(form) {
    var line = form.querySelector("[data-op-state]");
    if (!line) {
      line = document.createElement("p");
      line.setAttribute("data-op-state", "");
      line.setAttribute("role", "status");
      line.className = "op-state";
      form.appendChild(line);
    }
    return line;
  }

  function showState(form, record) {
    var line = stateLine(form);
    line.className = "op-state " + record.state;
    if (record.state === "waiting") line.textContent = say("saved_waiting");
    else if (record.state === "applied") line.textContent = say("saved_synced", { time: clock() });
    else if (record.state === "rejected") line.textContent = say("rejected", { reason: describeErrors(record) });
    else if (record.state === "conflict") line.textContent = say("conflict");
    else if (record.state === "forbidden") line.textContent = say("forbidden");
  }

  function describeErrors(record) {
    var errors = (record.result && record.result.errors) || {};
    var flat = [];
    (function walk(value, path) {
      if (Array.isArray(value)) { flat.push((path ? path + ": " : "") + value.join(" ")); return; }
      if (value && typeof value === "object") {
        Object.keys(value).forEach(function (key) { walk(value[key], path ? path + "." + key : key); });
      } else if (value) { flat.push(String(value)); }
    })(errors, "");
    return flat.join("; ") || "?";
  }

  /* A form for a new note: a page kept offline is reused, so each opening gets a fresh note id of its own. */
  function isNewNoteForm(form) {
    var base = form.querySelector('[name="base_version"]');
    return form.getAttribute("data-op-type") === "note.save" && base && base.value === "";
  }

  function freshNoteIds() {
    document.querySelectorAll('form[data-op-type="note.save"]').forEach(function (form) {
      var noteInput = form.querySelector('[name="note_id"]');
      if (noteInput && isNewNoteForm(form)) noteInput.value = Outbox.uuid();
    });
  }

  /* After a note save the form edits that note, expecting the version the save will create. */
  function followNote(form, record) {
    // Only a save still on its way will create the next version; a conflict or refusal creates none.
    if (record.type !== "note.save" || record.state !== "waiting") return;
    var noteInput = form.querySelector('[name="note_id"]');
    if (noteInput) noteInput.value = record.data.note_id;
    var baseInput = form.querySelector('[name="base_version"]');
    if (baseInput) baseInput.value = String((record.base_version || 0) + 1);
  }

  function pressChoice(form, record) {
    if (record.type !== "attendance.set") return;
    form.querySelectorAll('button[name="status"]').forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === record.data.status ? "true" : "false");
    });
  }

  /* Checked in on this phone: the same form now checks out, as the server's page would once it knew. */
  function nextCheck(form, record) {
    if (record.type !== "visit.check_in" || record.state !== "waiting") return;
    form.setAttribute("data-op-type", "visit.check_out");
    var button = form.querySelector('button[type="submit"]');
    if (button) button.textContent = say("check_out");
  }

  function reflect(form, record) {
    followNote(form, record);
    pressChoice(form, record);
    showState(form, record);
    nextCheck(form, record);
  }

  function onSubmit(event) {
    var form = event.target.closest ? event.target.closest("form[data-op-type]") : null;
    if (!form || !user || !Outbox || form.hasAttribute("data-direct")) return;
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    var op = operationFrom(form, submitter);
    Outbox.add(user, op).then(function (record) {
      reflect(form, record);
      refreshBar();
      requestBackgroundSync();
      if (navigator.onLine) flushNow();
    }, function () {
      // No IndexedDB here (a private window, storage refused): post the form itself (htmx, or a plain post),
      // the same operation through the server's form door, rather than lose it.
      form.setAttribute("data-direct", "");
      // After this submit event has finished: a form ignores requestSubmit while it is still firing one.
      setTimeout(function () { if (submitter) form.requestSubmit(submitter); else form.requestSubmit(); }, 0);
    });
  }

  /* A page opened from the cache predates the changes still in the outbox: lay them over the forms. */
  function formFor(record) {
    var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-op-type="' + record.type + '"]'));
    var value = function (form, name) { var input = form.querySelector('[name="' + name + '"]'); return input && input.value; };
    var keys = { "note.save": ["note_id"], "attendance.set": ["visit_id", "participant_id"],
                 "visit.check_in": ["visit_id"], "visit.check_out": ["visit_id"] }[record.type] || [];
    var match = forms.filter(function (form) {
      return keys.length && keys.every(function (key) { return String(value(form, key)) === String(record.data[key]); });
    })[0];
    if (!match && record.type === "note.save") {
      match = forms.filter(function (form) {
        return isNewNoteForm(form) && String(value(form, "visit_id")) === String(record.data.visit_id);
      })[0];
    }
    return match || null;
  }

  function fillNote(form, record) {
    if (record.type !== "note.save") return;
    Object.keys(record.data).forEach(function (name) {
      if (name === "prompts") {
        Object.keys(record.data.prompts || {}).forEach(function (key) {
          var field = form.querySelector('[name="prompts.' + key + '"]');
          if (field) field.value = record.data.prompts[key];
        });
        return;
      }
      var field = form.querySelector('[name="' + name + '"]');
      if (field && field.type !== "hidden" && field.tagName !== "BUTTON") field.value = record.data[name];
    });
  }

  function overlayPending() {
    if (!user || !Outbox) return Promise.resolve();
    return Outbox.opsOf(user).then(function (ops) {
      ops.forEach(function (record) {
        var form = formFor(record);
        if (!form) return;
        fillNote(form, record);
        reflect(form, record);
      });
    });
  }

  // ---- flushing ------------------------------------------------------------------------------------------

  var attempt = 0;
  var retryTimer = null;

  function flushNow() {
    if (!user || !Outbox) return Promise.resolve();
    clearTimeout(retryTimer);
    setBar(say("sending"));
    var before = {};
    return Outbox.opsOf(user).then(function (ops) {
      ops.forEach(function (o) { before[o.op_id] = o; });
      return Outbox.flush({ user: user, csrfToken: csrfToken(), onToken: setCsrfToken });
    }).then(function (result) {
      if (result.outcome === "retry" || result.outcome === "offline") {
        retryTimer = setTimeout(flushNow, Outbox.backoff(attempt++));
      } else {
        attempt = 0;
      }
      var answered = {};
      (result.answers || []).forEach(function (answer) { answered[answer.op_id] = answer; });
      return Outbox.opsOf(user).then(function (after) {
        var still = {};
        var applied = [];
        after.forEach(function (o) { still[o.op_id] = o; });
        Object.keys(before).forEach(function (id) {
          if (!still[id] && answered[id]) {
            applied.push({ record: before[id], answer: answered[id] });
          } else if (still[id] && still[id].state !== before[id].state) {
            var form = formFor(still[id]);
            if (form) reflect(form, still[id]);
          }
        });
        if (result.sent && navigator.onLine) keepPages(); // the kept pages now show what was sent
        return refreshSections(applied).then(refreshBar);
      });
    });
  }

  /* Once the server has applied a change made on this page, redraw that part of the page from the server
     (the visit page's sections have ids), so what is shown is what was stored. */
  var SECTION_OF = { "note.save": "notes", "attendance.set": "attendance", "visit.check_in": "check",
                     "visit.check_out": "check", "need.set": "needs", "concern.raise": "concerns",
                     "concern.refer": "concerns" };

  function appliedMessage(record, answer) {
    var key = { "note.save": "note_saved", "attendance.set": "attendance_recorded", "need.set": "need_saved",
                "concern.raise": "concern_raised", "concern.refer": "concern_referred",
                "visit.check_in": "checked_in", "visit.check_out": "checked_out" }[record.type];
    return key ? say(key, { version: answer.version || "", time: clock(record.data.at) }) : "";
  }

  function refreshSections(applied) {
    var changed = {};
    applied.forEach(function (item) {
      var id = SECTION_OF[item.record.type];
      if (id && document.getElementById(id)) changed[id] = item;
    });
    // Each section names its own URL (data-refresh-url), so redrawing attendance does not re-read the notes.
    return Promise.all(Object.keys(changed).map(function (id) {
      var current = document.getElementById(id);
      var url = current.getAttribute("data-refresh-url");
      if (!url) return null;
      return fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var incoming = new DOMParser().parseFromString(html, "text/html").getElementById(id);
          if (!incoming || !document.getElementById(id)) return;
          var imported = document.importNode(incoming, true);
          document.getElementById(id).replaceWith(imported);
          if (window.htmx) window.htmx.process(imported);
          var text = appliedMessage(changed[id].record, changed[id].answer);
          if (text) announce(imported, text);
        });
    })).then(function () {
      freshNoteIds();
      return overlayPending();
    }).catch(function () { /* the change is stored; the page catches up on its next load */ });
  }

  function announce(section, text) {
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.setAttribute("tabindex", "-1");
    note.textContent = text;
    var heading = section.querySelector("h2");
    if (heading) heading.insertAdjacentElement("afterend", note); else section.prepend(note);
    note.focus();
  }

  function requestBackgroundSync() {
    if (registration && registration.sync) registration.sync.register("outbox").catch(function () {});
  }

  // ---- the sync bar --------------------------------------------------------------------------------------

  function setBar(text) {
    var bar = document.getElementById("sync-bar");
    if (!bar) return;
    bar.hidden = false;
    document.getElementById("sync-text").textContent = text;
  }

  function refreshBar() {
    if (!user || !Outbox) return Promise.resolve();
    return Outbox.status(user).then(function (state) {
      var parts = [];
      if (state.needsLogin) parts.push(say("sign_in"));
      else if (!navigator.onLine && state.waiting) parts.push(say("offline"));
      if (state.waiting) parts.push(say("waiting", { count: state.waiting }));
      if (state.attention) parts.push(say("attention", { count: state.attention }));
      if (!parts.length) parts.push(state.lastSynced ? say("synced_at", { time: clock(state.lastSynced) }) : say("nothing_yet"));
      setBar(parts.join(" · "));
      document.getElementById("sync-signin").hidden = !state.needsLogin;
      body.setAttribute("data-sync-waiting", String(state.waiting));
      body.setAttribute("data-sync-attention", String(state.attention));
      listAttention(state.ops.filter(function (o) { return ["rejected", "conflict", "forbidden"].indexOf(o.state) >= 0; }));
      return state;
    });
  }

  function listAttention(ops) {
    var section = document.getElementById("attention");
    var list = document.getElementById("attention-list");
    if (!section) return;
    section.hidden = ops.length === 0;
    list.textContent = "";
    ops.forEach(function (record) {
      var item = document.createElement("li");
      var text = document.createElement("p");
      text.textContent = record.type + " — " + (record.state === "rejected" ? say("rejected", { reason: describeErrors(record) }) : say(record.state));
      item.appendChild(text);
      if (record.state === "conflict" && record.data.note_id) {
        var link = document.createElement("a");
        link.className = "button small";
        link.href = "/notes/" + encodeURIComponent(record.data.note_id) + "/history";
        link.textContent = say("open_merge");
        item.appendChild(link);
      }
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "small";
      discard.textContent = say("discard");
      discard.addEventListener("click", function () { Outbox.remove(record.op_id).then(refreshBar); });
      item.appendChild(discard);
      list.appendChild(item);
    });
  }

  // ---- logout --------------------------------------------------------------------------------------------

  /* Signing out: this person's kept pages and outbox go (another person's unsent work on the phone stays). */
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
      if (window.caches) direct.push(caches.delete("pages"));
      return Promise.all(direct);
    });
  }

  function guardLogout() {
    var form = document.querySelector('form[action="/logout"]');
    var dialog = document.getElementById("logout-dialog");
    if (!form || !dialog || !Outbox) return;
    var leaving = false;
    form.addEventListener("submit", function (event) {
      if (leaving) return;
      event.preventDefault();
      Outbox.status(user).then(function (state) {
        var unsent = state.waiting + state.attention;
        if (!unsent) { leave(); return; }
        document.getElementById("logout-text").textContent = say("logout_waiting", { count: unsent });
        var confirm = document.getElementById("logout-confirm");
        var anyway = document.getElementById("logout-anyway");
        confirm.checked = false;
        anyway.disabled = true;
        confirm.onchange = function () { anyway.disabled = !confirm.checked; };
        anyway.onclick = function () { dialog.close(); leave(); };
        document.getElementById("logout-cancel").onclick = function () { dialog.close(); };
        document.getElementById("logout-sync").onclick = function () {
          flushNow().then(function (after) {
            if (after && !after.waiting && !after.attention) { dialog.close(); leave(); return; }
            // Say why they are still here: no connection, a sign-in needed, or changes the server turned back.
            var why = !after ? "logout_still_waiting" : after.needsLogin ? "sign_in"
              : after.waiting ? "logout_still_waiting" : "logout_needs_attention";
            document.getElementById("logout-text").textContent = say(why);
          });
        };
        dialog.showModal();
      }, leave);  // an outbox that cannot be read (storage refused) holds nothing to lose
    });
    function leave() {
      leaving = true;
      // Signing out must not depend on storage that refuses to open: clear what can be cleared, then go.
      clearThisDevice(user).catch(function () {}).then(function () { form.submit(); });
    }
  }

  // ---- start ---------------------------------------------------------------------------------------------

  registerWorker();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});

  // Signed out (even with scripts failing at the button): the kept pages go. Outboxes are not touched here:
  // the button already removed the person's own, and a lapsed session's waits for its owner to sign in again.
  if (!user && /[?&]signed_out=1/.test(window.location.search)) clearThisDevice(null);

  if (user && Outbox) {
    document.addEventListener("submit", onSubmit, true);
    document.getElementById("sync-now").addEventListener("click", flushNow);
    window.addEventListener("online", flushNow);
    window.addEventListener("offline", refreshBar);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") flushNow(); });
    guardLogout();
    freshNoteIds();
    overlayPending().then(refreshBar).then(function () { if (navigator.onLine) flushNow(); })
      .catch(function () { /* no IndexedDB: forms post directly (onSubmit), so there is no outbox to show */ });
  }

  window.FieldworkPage = { flushNow: flushNow, refreshBar: refreshBar, clearThisDevice: clearThisDevice };
})();
