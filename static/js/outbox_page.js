/* /outbox: everything waiting on this phone, drawn from the outbox (IndexedDB), since only the phone knows it.
 *
 *   - One item per change, oldest first: what it is, the visit it was made on (a link back), its text, and where
 *     it stands (waiting since when, or the server's reason for turning it back).
 *   - A change the server turned back (rejected, forbidden) can be fixed: its text opens here to edit and is
 *     saved as a new change that replaces it (outbox.add, `fixes`); one with no text to edit is made again on
 *     its visit's page ("Open the visit"), which also replaces it. A conflict opens the merge view.
 *   - Discarding asks first, in a dialog: a change is never dropped by one stray tap, nor silently.
 *   - The list is drawn again whenever the sync bar learns something new (the "fieldwork:outbox" event).
 * Words: #ui-strings and #waiting-words (waiting.js describes each change); the page's own in its template.
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var Outbox = window.FieldworkOutbox;
  var say = Fieldwork.say;
  var typeOf = Fieldwork.operationType;
  var user = Fieldwork.userKey();
  var list = document.getElementById("outbox-list");
  var FIXABLE = ["rejected", "forbidden"];
  var fixing = null;  // the op_id whose text is open for editing: a redraw keeps it open

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function tell(text) {
    var status = document.getElementById("outbox-status");
    status.textContent = text;
    status.hidden = false;
    status.focus();
  }

  /* The free-text fields of a change, as [{name, label, value}] ("prompts.<key>" for a note's headings). */
  function textFields(record) {
    var words = Fieldwork.waiting.words();
    var fields = [];
    Object.keys((record.data && record.data.prompts) || {}).forEach(function (key) {
      fields.push({ name: "prompts." + key, label: words.labels.prompt[key] || key, value: record.data.prompts[key] });
    });
    Object.keys(words.fields).forEach(function (name) {
      if (typeof record.data[name] === "string") {
        fields.push({ name: name, label: words.fields[name], value: record.data[name] });
      }
    });
    return fields;
  }

  /* Save the edited text as a new change that replaces the refused one. */
  function resend(record, form) {
    var data = JSON.parse(JSON.stringify(record.data));
    form.querySelectorAll("textarea").forEach(function (field) {
      var name = field.name;
      if (name.indexOf("prompts.") === 0) data.prompts[name.slice(8)] = field.value;
      else data[name] = field.value;
    });
    return Outbox.add(user, { type: record.type, base_version: record.base_version, data: data,
                              subject: record.subject, replaces: record.replaces, fixes: record.op_id,
                              about: record.about })
      .then(function () {
        fixing = null;
        tell(say("resent"));
        Fieldwork.sync.changed();
        return draw();
      });
  }

  function fixForm(record) {
    var form = element("form", "outbox-fix");
    form.noValidate = true;
    textFields(record).forEach(function (field, index) {
      var id = "fix-" + record.op_id + "-" + index;
      var wrapper = element("div", "field");
      var label = element("label", "", field.label);
      label.htmlFor = id;
      var area = element("textarea");
      area.id = id;
      area.name = field.name;
      area.rows = 4;
      area.value = field.value;
      wrapper.appendChild(label);
      wrapper.appendChild(area);
      form.appendChild(wrapper);
    });
    var send = element("button", "primary", say("send_again"));
    send.type = "submit";
    var cancel = element("button", "", say("cancel"));
    cancel.type = "button";
    cancel.addEventListener("click", function () { fixing = null; draw(); });
    form.appendChild(send);
    form.appendChild(cancel);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      resend(record, form).catch(function (error) { Fieldwork.log("not saved again", error); });
    });
    return form;
  }

  function askToDiscard(record) {
    var dialog = document.getElementById("discard-dialog");
    var summary = Fieldwork.waiting.describe(record);
    document.getElementById("discard-what").textContent = [summary.title].concat(summary.lines.map(function (line) {
      return line.text;
    })).join("\n");
    document.getElementById("discard-keep").onclick = function () { dialog.close(); };
    document.getElementById("discard-yes").onclick = function () {
      dialog.close();
      Outbox.remove(record.op_id).then(function () {
        tell(say("discarded"));
        return Fieldwork.sync.refreshBar();
      }).then(draw).catch(function (error) { Fieldwork.log("not discarded", error); });
    };
    dialog.showModal();
  }

  function visitLink(record) {
    var about = record.about || {};
    var url = about.url || (record.data.visit_id ? "/visits/" + encodeURIComponent(record.data.visit_id) : null);
    if (!url) return null;
    var link = element("a", "button small", say("open_visit"));
    link.href = url + "#" + (typeOf(record.type).section || "");
    if (about.title) link.appendChild(element("span", "visually-hidden", " " + about.title));
    return link;
  }

  function item(record) {
    var entry = element("li", "outbox-item " + record.state);
    entry.id = "op-" + record.op_id;
    var summary = Fieldwork.waiting.describe(record);
    var about = say("about_" + typeOf(record.type).section) || say("a_change");
    entry.appendChild(element("h2", "", summary.title && summary.title !== about
      ? say("change_title", { about: about, what: summary.title }) : about));
    if (record.about && record.about.title) entry.appendChild(element("p", "meta", record.about.title));
    var mark = element("p", "waiting-mark " + record.state, Fieldwork.waiting.markOf(record));
    mark.setAttribute("data-waiting-mark", record.state);
    entry.appendChild(mark);

    if (fixing === record.op_id) {
      entry.appendChild(fixForm(record));
      return entry;
    }
    summary.lines.forEach(function (line) {
      if (line.heading) entry.appendChild(element("h3", "", line.heading));
      entry.appendChild(element("p", "prewrap", line.text));
    });
    var actions = element("p", "actions");
    if (FIXABLE.indexOf(record.state) >= 0 && textFields(record).length) {
      var fix = element("button", "small", say("fix"));
      fix.type = "button";
      fix.addEventListener("click", function () {
        fixing = record.op_id;
        draw().then(function () {
          var first = document.querySelector("#op-" + record.op_id + " textarea");
          if (first) first.focus();
        });
      });
      actions.appendChild(fix);
    }
    if (record.state === "conflict" && record.data.note_id) {
      var merge = element("a", "button small", say("open_merge"));
      merge.href = "/notes/" + encodeURIComponent(record.data.note_id) + "/history";
      actions.appendChild(merge);
    } else {
      var link = visitLink(record);
      if (link) actions.appendChild(link);
    }
    var discard = element("button", "small", say("discard"));
    discard.type = "button";
    discard.addEventListener("click", function () { askToDiscard(record); });
    actions.appendChild(discard);
    entry.appendChild(actions);
    return entry;
  }

  function draw() {
    return Outbox.opsOf(user).then(function (ops) {
      ops.sort(function (a, b) { return a.seq - b.seq; });
      list.textContent = "";
      ops.forEach(function (record) { list.appendChild(item(record)); });
      document.getElementById("outbox-empty").hidden = ops.length > 0;
      if (window.location.hash && !list.getAttribute("data-drawn")) {
        var target = document.getElementById(window.location.hash.slice(1));
        if (target) target.scrollIntoView();
      }
      list.setAttribute("data-drawn", "1");
    }).catch(function (error) {
      Fieldwork.log("the outbox could not be read", error);
      tell(say("storage_failed"));
    });
  }

  if (list && user && Outbox) {
    draw();
    document.addEventListener("fieldwork:outbox", function () { if (!fixing) draw(); });
  }
})();
