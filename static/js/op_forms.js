/* Forms into operations: a form marked data-op-type="<operation type>" never posts directly while the outbox
 * works. Its fields become an operation, written to the IndexedDB outbox first (outbox.js), shown at once as
 * waiting on the form, then flushed (sync_bar.js).
 *
 *   - The same rules as the server's form path (visits/recording/views.py, operation_from_form): the type is the
 *     form's data-op-type, `op_id` and `base_version` are the envelope, every other field is the operation's
 *     data ("prompts.<key>" and "answers.<code>" nest).
 *   - What a type does to its form comes from #operation-types (fieldwork.js): device time stamped on a timed
 *     one, a versioned text's form following the version its save will create, a choice's pressed button, the
 *     next type the form sends (check in, then check out).
 *   - A page opened from the cache predates the changes still in the outbox: they are laid over its forms, found
 *     by the fields that name the thing changed (the type's identity). A new text (a note) saved here is not:
 *     its form empties for the next one, and waiting.js lists it, marked waiting, where it can be edited.
 *   - Once the server has applied a change, its section of the visit page is redrawn from the server.
 *   - No IndexedDB (a private window, storage refused): the form posts through the server's form door instead.
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var Outbox = window.FieldworkOutbox;
  var say = Fieldwork.say;
  var typeOf = Fieldwork.operationType;
  var user = Fieldwork.userKey();
  var ENVELOPE = ["op_id", "base_version", "csrf_token"];
  // "prompts.<key>" (a setting observation) and "answers.<code>" (feedback) fields nest under data.<group>.
  var NESTED = ["prompts", "answers"];
  // Tick boxes sent as a list (the server's LIST_FIELDS): every value under the name, blanks left out.
  var LIST_FIELDS = ["themes"];

  function inputValue(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input && input.value;
  }

  /* What names the thing an operation changes, e.g. one note: operations with the same subject change it. */
  function subjectOf(type, data) {
    var identity = typeOf(type).identity || [];
    return identity.length ? JSON.stringify([type].concat(identity.map(function (key) { return String(data[key]); })))
      : null;
  }

  function operationFrom(form, submitter) {
    var type = form.getAttribute("data-op-type");
    var kind = typeOf(type);
    var fields = new FormData(form, submitter || undefined);
    var data = {};
    fields.forEach(function (value, name) {
      if (ENVELOPE.indexOf(name) >= 0) return;
      var group = name.indexOf(".") > 0 ? name.slice(0, name.indexOf(".")) : "";
      if (NESTED.indexOf(group) >= 0) {
        if (!value.trim()) return;
        data[group] = data[group] || {};
        data[group][name.slice(group.length + 1)] = value;
      } else if (LIST_FIELDS.indexOf(name) >= 0) {
        data[name] = data[name] || [];
        if (value.trim()) data[name].push(value);
      } else {
        data[name] = value;
      }
    });
    if (kind.timed && !data.at) data.at = new Date().toISOString();
    var base = fields.get("base_version");
    return { type: type, base_version: base === null || base === "" ? null : Number(base), data: data,
             subject: subjectOf(type, data), replaces: Boolean(kind.versioned_text),
             fixes: form.getAttribute("data-fixes") || null, about: aboutPage() };
  }

  /* Where a change was made, so the list of what waits (/outbox) can name the visit and lead back to it. */
  function aboutPage() {
    var heading = document.querySelector("main h1");
    return { title: heading ? heading.textContent.trim() : "", url: window.location.pathname };
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

  var STATE_TEXT = {
    waiting: function () { return say("saved_waiting"); },
    applied: function () { return say("saved_synced", { time: Fieldwork.clock() }); },
    rejected: function (record) { return say("rejected", { reason: Fieldwork.refusal(record) }); },
    conflict: function () { return say("conflict"); },
    forbidden: function (record) { return Fieldwork.refusedText(record); }
  };

  function showState(form, record) {
    var line = stateLine(form);
    line.className = "op-state " + record.state;
    if (STATE_TEXT[record.state]) line.textContent = STATE_TEXT[record.state](record);
  }

  /* A form for a new versioned text (a new note): there is no version yet to build on. */
  function isNewTextForm(form) {
    var base = form.querySelector('[name="base_version"]');
    return Boolean(typeOf(form.getAttribute("data-op-type")).versioned_text && base && base.value === "");
  }

  /* A page kept offline is reused, so each opening of a new-text form names a new thing of its own. */
  function freshIds() {
    document.querySelectorAll("form[data-op-type]").forEach(function (form) {
      if (!isNewTextForm(form) || form.hasAttribute("data-waiting-edit")) return;
      (typeOf(form.getAttribute("data-op-type")).identity || []).forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        if (input) input.value = Outbox.uuid();
      });
    });
  }

  /* After a versioned save the form edits that thing, expecting the version the save will create. Only a save
     still on its way will create it; a conflict or refusal creates none. */
  function followVersion(form, record, kind) {
    if (!kind.versioned_text || record.state !== "waiting") return;
    (kind.identity || []).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input) input.value = record.data[name];
    });
    var baseInput = form.querySelector('[name="base_version"]');
    if (baseInput) baseInput.value = String((record.base_version || 0) + 1);
  }

  function pressChoice(form, record, kind) {
    if (!kind.choice) return;
    form.querySelectorAll('button[name="' + kind.choice + '"]').forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === record.data[kind.choice] ? "true" : "false");
    });
  }

  /* Checked in on this phone: the same form now checks out, as the server's page would once it knew. */
  function sendNext(form, record, kind) {
    if (!kind.then || record.state !== "waiting") return;
    form.setAttribute("data-op-type", kind.then);
    var button = form.querySelector('button[type="submit"]');
    if (button) button.textContent = kind.then_label;
  }

  function reflect(form, record) {
    var kind = typeOf(record.type);
    followVersion(form, record, kind);
    pressChoice(form, record, kind);
    showState(form, record);
    sendNext(form, record, kind);
  }

  /* The form on this page that made (or would make) this change, or null. */
  function formFor(record) {
    var kind = typeOf(record.type);
    var identity = kind.identity || [];
    var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-op-type="' + record.type + '"]'));
    var match = forms.filter(function (form) {
      // A new-text form is for the next new text, never one already saved (waiting.js lists those).
      return identity.length && !isNewTextForm(form) && !form.hasAttribute("data-waiting-edit") &&
        identity.every(function (key) { return String(inputValue(form, key)) === String(record.data[key]); });
    })[0];
    return match || null;
  }

  /* A waiting versioned text goes back into its form, so the person sees (and edits) what they wrote. */
  function fillText(form, record) {
    if (!typeOf(record.type).versioned_text) return;
    Object.keys(record.data).forEach(function (name) {
      if (name === "prompts") {
        Object.keys(record.data.prompts || {}).forEach(function (key) {
          var field = form.querySelector('[name="prompts.' + key + '"]');
          if (field) field.value = record.data.prompts[key];
        });
        return;
      }
      if (LIST_FIELDS.indexOf(name) >= 0) {
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
          box.checked = record.data[name].indexOf(box.value) >= 0;
        });
        return;
      }
      // A choice made with radio buttons (a note's conversation language, the Welsh active offer): the one
      // whose value was sent is checked again; its value must never be overwritten.
      var radios = form.querySelectorAll('input[type="radio"][name="' + name + '"]');
      if (radios.length) {
        radios.forEach(function (radio) { radio.checked = radio.value === String(record.data[name]); });
        return;
      }
      var field = form.querySelector('[name="' + name + '"]');
      if (field && field.type !== "hidden" && field.tagName !== "BUTTON") field.value = record.data[name];
    });
  }

  function overlayPending() {
    return Outbox.opsOf(user).then(function (ops) {
      ops.forEach(function (record) {
        var form = formFor(record);
        if (!form) return;
        fillText(form, record);
        reflect(form, record);
      });
      if (Fieldwork.waiting) Fieldwork.waiting.show(ops);
    });
  }

  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  /* A form that makes a new thing each time (a note, a concern, a need: the server's form key ends ":new"). */
  function makesNewThings(form) {
    if (isNewTextForm(form)) return !form.hasAttribute("data-waiting-edit");
    try { return /:new$/.test(new URL(form.action).searchParams.get("form") || ""); } catch (e) { return false; }
  }

  /* The new thing is safe on the phone (waiting.js lists it): the form empties, naming a new thing of its own,
     for the next one. */
  function startAfresh(form, record) {
    form.reset();
    form.querySelectorAll('input[type="hidden"]').forEach(function (input) {
      if (input.name !== "op_id" && UUID.test(input.value)) input.value = Outbox.uuid();
    });
    showState(form, record);
    // "Saved" is about the one just listed: once the next is being written, the line would mislead.
    form.addEventListener("input", function clear() {
      var line = form.querySelector("[data-op-state]");
      if (line) line.remove();
      form.removeEventListener("input", clear);
    });
  }

  /* An operation's state changed without it leaving the outbox (refused, in conflict): say so on its form. */
  function showAnswer(record) {
    var form = formFor(record);
    if (form) reflect(form, record);
  }

  function announce(section, text) {
    var notice = document.createElement("p");
    notice.className = "notice";
    notice.setAttribute("role", "status");
    notice.setAttribute("tabindex", "-1");
    notice.textContent = text;
    var heading = section.querySelector("h2");
    if (heading) heading.insertAdjacentElement("afterend", notice); else section.prepend(notice);
    notice.focus();
  }

  function redrawSection(id, item) {
    var url = document.getElementById(id).getAttribute("data-refresh-url");
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
        var done = typeOf(item.record.type).done;
        if (done) announce(imported, Fieldwork.fill(done, { version: item.answer.version || "",
                                                            time: Fieldwork.clock(item.record.data.at) }));
      });
  }

  /* Once the server has applied changes made on this page ([{record, answer}]), redraw their sections from the
     server (each names its own URL, data-refresh-url), so what is shown is what was stored. */
  function showApplied(applied) {
    var changed = {};
    applied.forEach(function (item) {
      var id = typeOf(item.record.type).section;
      if (id && document.getElementById(id)) changed[id] = item;
    });
    return Promise.all(Object.keys(changed).map(function (id) { return redrawSection(id, changed[id]); }))
      .then(function () {
        freshIds();
        return overlayPending();
      })
      .catch(function (error) { Fieldwork.log("a section was not redrawn; the next load shows it", error); });
  }

  function onSubmit(event) {
    var form = event.target.closest ? event.target.closest("form[data-op-type]") : null;
    if (!form || form.hasAttribute("data-direct")) return;
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    var newThing = makesNewThings(form);
    Outbox.add(user, operationFrom(form, submitter)).then(function (record) {
      if (newThing) startAfresh(form, record); else reflect(form, record);
      if (Fieldwork.waiting) Fieldwork.waiting.refresh(form, record);
      // The page's own script may move on once the change is safe on the phone (feedback.js: thank-you screen).
      form.dispatchEvent(new CustomEvent("fieldwork:queued", { detail: record }));
      Fieldwork.sync.changed();
    }, function (error) {
      Fieldwork.log("outbox refused the change; posting the form instead", error);
      // The same operation through the server's form door (htmx, or a plain post), rather than lose it.
      form.setAttribute("data-direct", "");
      // After this submit event has finished: a form ignores requestSubmit while it is still firing one.
      setTimeout(function () { if (submitter) form.requestSubmit(submitter); else form.requestSubmit(); }, 0);
    });
  }

  if (user && Outbox) {
    document.addEventListener("submit", onSubmit, true);
    freshIds();
  }

  Fieldwork.forms = { overlayPending: overlayPending, showAnswer: showAnswer, showApplied: showApplied,
                      fillText: fillText, formFor: formFor };
})();
