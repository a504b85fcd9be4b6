/* Changes waiting on this phone, shown where the person looks for them: they must read as saved, and be findable.
 *
 *   - The visit page: each note saved here and not yet on the server is listed with the visit's notes, marked
 *     "Waiting to send — saved on this phone 20:14", and can be edited there (the same note: its waiting
 *     operation is replaced, or followed by a new one if it was already handed to the network). A new concern or
 *     need is listed in its section the same way; a check-in or -out, and any other change of this page whose
 *     form does not show it, is listed at the top of its section. Attendance shows on its own buttons (op_forms).
 *   - What each change says (describe) is shared with the list of everything waiting (/outbox, outbox_page.js).
 *   - Every word comes from the page: #ui-strings (Fieldwork.say) and #waiting-words (labels of codes and the
 *     names of text fields, visits/offline/views.py).
 * The list is drawn again whenever op_forms.js lays the outbox over the page (load, after each flush) and after
 * each change; it is never the server's record of anything, so every item carries its waiting mark.
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var Outbox = window.FieldworkOutbox;
  var say = Fieldwork.say;
  var typeOf = Fieldwork.operationType;
  var user = Fieldwork.userKey();
  var REFUSED = ["rejected", "conflict", "forbidden"];
  var wordsCache = null;

  function words() {
    if (!wordsCache) {
      try { wordsCache = JSON.parse(document.getElementById("waiting-words").textContent); } catch (e) { wordsCache = {}; }
      wordsCache.labels = wordsCache.labels || {};
      wordsCache.fields = wordsCache.fields || {};
    }
    return wordsCache;
  }

  function labelOf(kind, code) {
    var set = words().labels[kind] || {};
    return set[code] || String(code || "");
  }

  /* Where the change stands, in a few words: waiting since when, or why the server turned it back. */
  function markOf(record) {
    if (record.state === "waiting") return say("waiting_since", { time: Fieldwork.clock(record.created_at) });
    if (record.state === "conflict") return say("conflict");
    return Fieldwork.refusedText(record);
  }

  /* A note's change: the one type whose section is the notes (the page names the types, not this script). */
  function isNote(record) {
    return typeOf(record.type).section === "notes";
  }

  /* {title, lines: [{heading, text}]} for one change, from its data and the page's words. */
  function describe(record) {
    var data = record.data || {};
    var section = typeOf(record.type).section;
    var title = say("about_" + section) || say("a_change");
    var lines = [];
    if (isNote(record)) {
      title = labelOf("note_kind", data.kind);
      Object.keys(data.prompts || {}).forEach(function (key) {
        if (String(data.prompts[key]).trim()) lines.push({ heading: labelOf("prompt", key), text: data.prompts[key] });
      });
    } else if (data.category && data.rating) {
      title = labelOf("concern_category", data.category) + " · " + labelOf("rating", data.rating);
    } else if (data.type && data.need_id) {
      title = labelOf("need_type", data.type) + (data.status ? " · " + labelOf("need_status", data.status) : "");
    } else if (data.status && data.participant_id) {
      lines.push({ heading: "", text: labelOf("attendance_status", data.status) });
    } else if (typeOf(record.type).timed && data.at && typeOf(record.type).done) {
      lines.push({ heading: "", text: Fieldwork.fill(typeOf(record.type).done, { time: Fieldwork.clock(data.at),
                                                                                   version: "" }) });
    }
    Object.keys(words().fields).forEach(function (name) {
      if (typeof data[name] === "string" && data[name].trim()) {
        lines.push({ heading: words().fields[name], text: data[name], field: name });
      }
    });
    return { title: title, lines: lines };
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function markElement(record) {
    var mark = element("p", "waiting-mark " + record.state, markOf(record));
    mark.setAttribute("data-waiting-mark", record.state);
    return mark;
  }

  function appendLines(container, lines, level) {
    lines.forEach(function (line) {
      if (line.heading) container.appendChild(element(level || "h4", "", line.heading));
      container.appendChild(element("p", "prewrap", line.text));
    });
  }

  /* The newest operation for each note (a note edited while a save is on its way has two). */
  function newestPerNote(ops) {
    var newest = {};
    ops.forEach(function (record) {
      var id = record.data.note_id;
      if (!newest[id] || newest[id].seq < record.seq) newest[id] = record;
    });
    return Object.keys(newest).map(function (id) { return newest[id]; })
      .sort(function (a, b) { return a.seq - b.seq; });
  }

  function pageVisitId() {
    var input = document.querySelector('form[data-op-type] input[name="visit_id"]');
    return input ? String(input.value) : null;
  }

  function madeHere(record, visitId) {
    if (record.data.visit_id !== undefined) return String(record.data.visit_id) === visitId;
    return Boolean(record.about && record.about.url === window.location.pathname);
  }

  /* The visit's new-note form: the pattern an edit form is made from. */
  function newNoteForm() {
    var forms = document.querySelectorAll('#notes form.note-form[data-op-type]');
    return Array.prototype.filter.call(forms, function (form) {
      var base = form.querySelector('[name="base_version"]');
      return !form.hasAttribute("data-waiting-edit") && base && base.value === "";
    })[0] || null;
  }

  var edits = 0;

  /* A form for a waiting note: the new-note form again, named apart, holding the waiting text. */
  function editForm(record) {
    var pattern = newNoteForm();
    if (!pattern) return null;
    var form = pattern.cloneNode(true);
    var prefix = "waiting-" + (++edits);
    form.setAttribute("data-waiting-edit", record.op_id);
    if (REFUSED.indexOf(record.state) >= 0) form.setAttribute("data-fixes", record.op_id);
    form.querySelectorAll("[data-op-state], .error-summary, .field-error").forEach(function (node) { node.remove(); });
    ["id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attribute) {
      form.querySelectorAll("[" + attribute + "]").forEach(function (node) {
        node.setAttribute(attribute, node.getAttribute(attribute).split("new-note").join(prefix));
      });
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    form.reset();
    form.querySelectorAll("textarea").forEach(function (field) { field.value = ""; });
    form.querySelectorAll('input[type="checkbox"]').forEach(function (box) { box.checked = false; });
    form.querySelector('[name="note_id"]').value = record.data.note_id;
    var kind = form.querySelector('select[name="kind"]');
    if (kind) kind.value = record.data.kind;
    // Unsent: this save replaces it (outbox.add keeps its version). Sent but unanswered: the edit follows it, on
    // the version it will create. Refused: it is made again, from the same version.
    var base = record.state === "waiting" && record.sent ? (record.base_version || 0) + 1 : record.base_version;
    form.querySelector('[name="base_version"]').value = base === null || base === undefined ? "" : String(base);
    Fieldwork.forms.fillText(form, record);
    var cancel = element("button", "", say("cancel"));
    cancel.type = "button";
    cancel.addEventListener("click", function () { show(); });
    form.appendChild(cancel);
    return form;
  }

  function noteItem(record) {
    var article = element("article", "note waiting-item " + record.state);
    article.setAttribute("data-waiting-item", record.op_id);
    article.id = "waiting-note-" + record.data.note_id;
    var summary = describe(record);
    var heading = element("h3", "", summary.title);
    heading.id = article.id + "-title";
    article.setAttribute("aria-labelledby", heading.id);
    article.appendChild(heading);
    article.appendChild(markElement(record));
    var body = element("div", "waiting-text");
    appendLines(body, summary.lines);
    article.appendChild(body);
    if (record.state === "conflict" || !newNoteForm()) return article;
    var actions = element("p", "actions");
    var edit = element("button", "", say("edit_waiting"));
    edit.type = "button";
    edit.addEventListener("click", function () {
      var form = editForm(record);
      if (!form) return;
      body.replaceWith(form);
      actions.remove();
      var first = form.querySelector("textarea, select");
      if (first) first.focus();
    });
    actions.appendChild(edit);
    article.appendChild(actions);
    return article;
  }

  /* A change to a note the page already shows (an edit saved here): the note says what waits to replace it. */
  function markShownNote(article, record) {
    var block = element("div", "waiting-edit");
    block.setAttribute("data-waiting-item", record.op_id);
    block.appendChild(markElement(record));
    appendLines(block, describe(record).lines);
    var heading = article.querySelector("h3");
    if (heading && heading.nextSibling) article.insertBefore(block, heading.nextSibling); else article.appendChild(block);
  }

  function showNotes(ops, visitId) {
    var section = document.getElementById("notes");
    if (!section) return;
    var notes = newestPerNote(ops.filter(function (r) {
      return isNote(r) && String(r.data.visit_id) === visitId;
    }));
    var before = document.getElementById("new-note-title");
    notes.forEach(function (record) {
      var shown = document.getElementById("note-" + record.data.note_id);
      if (shown) { if (!shown.querySelector("form")) markShownNote(shown, record); return; }
      var item = noteItem(record);
      if (before && before.parentNode === section) section.insertBefore(item, before); else section.appendChild(item);
    });
  }

  function simpleItem(record, tag) {
    var item = element(tag || "li", "waiting-item " + record.state);
    item.setAttribute("data-waiting-item", record.op_id);
    var summary = describe(record);
    item.appendChild(element("p", "waiting-title", summary.title));
    item.appendChild(markElement(record));
    appendLines(item, summary.lines, "p");
    return item;
  }

  /* A need or concern raised here, in its section's list; anything else of this page, at its section's top. */
  function showOthers(ops, visitId) {
    var lists = {};
    ops.forEach(function (record) {
      var kind = typeOf(record.type);
      if (isNote(record) || !madeHere(record, visitId)) return;
      var section = kind.section && document.getElementById(kind.section);
      if (!section) return;
      if (record.data.category && record.data.rating && record.data.concern_id &&
          !document.getElementById("concern-" + record.data.concern_id)) {
        var heading = section.querySelector("h2");
        heading.insertAdjacentElement("afterend", simpleItem(record, "article"));
        return;
      }
      // Attendance shows on the person's own buttons, and a form that already says where its change stands
      // needs no more; a check-in is listed even so, with its time.
      if (Fieldwork.forms.formFor(record) && (kind.choice || !kind.timed)) return;
      if (!lists[kind.section]) {
        lists[kind.section] = element("ul", "waiting-list");
        lists[kind.section].setAttribute("data-waiting-list", "");
        section.querySelector("h2").insertAdjacentElement("afterend", lists[kind.section]);
      }
      lists[kind.section].appendChild(simpleItem(record));
    });
  }

  var latest = [];

  /* Draw the waiting items afresh from `ops` (this person's outbox), or from the last ones seen. */
  function show(ops) {
    if (ops) latest = ops;
    document.querySelectorAll("[data-waiting-item], [data-waiting-list]").forEach(function (node) { node.remove(); });
    var visitId = pageVisitId();
    if (!visitId) return;
    var kept = latest.filter(function (record) { return record.state === "waiting" || REFUSED.indexOf(record.state) >= 0; });
    showNotes(kept, visitId);
    showOthers(kept, visitId);
    // "No notes yet." and the like would contradict a waiting one listed beside it.
    document.querySelectorAll("[data-none-yet]").forEach(function (none) {
      var section = none.closest("section");
      none.hidden = Boolean(section && section.querySelector("[data-waiting-item]"));
    });
  }

  /* A change was just stored from `form`: list it (an edit form goes with the old item it replaced). */
  function refresh() {
    return Outbox.opsOf(user).then(show).catch(function (error) { Fieldwork.log("waiting list not drawn", error); });
  }

  Fieldwork.waiting = { show: show, refresh: refresh, describe: describe, markOf: markOf, words: words };
})();
