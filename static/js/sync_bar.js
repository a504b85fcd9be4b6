/* Flushing the outbox and the sync bar that says where things stand.
 *
 *   - Flush on load, on `online`, when the page becomes visible, right after a change, through Background Sync
 *     where the browser has it (worker.js), and otherwise on a backoff timer (at most 5 minutes).
 *   - The bar always ends on where things stand, never on "Sending…": a failing outbox (IndexedDB refused or
 *     broken) is said on the bar and tried again on the same timer.
 *   - "3 changes waiting" and "1 needs your attention" link to /outbox, the list of everything waiting here.
 *   - "Changes that need you" lists what the server refused, each with a way out: merge, or fix or discard it
 *     on /outbox (discarding asks first there: a change is never dropped by one stray tap).
 */
(function () {
  "use strict";

  var Fieldwork = window.Fieldwork;
  var Outbox = window.FieldworkOutbox;
  var say = Fieldwork.say;
  var user = Fieldwork.userKey();
  var NEEDS_ATTENTION = ["rejected", "conflict", "forbidden"];

  var attempt = 0;
  var retryTimer = null;

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flushNow, Outbox.backoff(attempt++));
  }

  /* Send what is waiting, then show the answers. Resolves to the outbox's status afterwards, or null when the
     outbox could not be read. */
  function flushNow() {
    clearTimeout(retryTimer);
    setBar(say("sending"));
    var before = {};
    return Outbox.opsOf(user).then(function (ops) {
      ops.forEach(function (o) { before[o.op_id] = o; });
      return Outbox.flush({ user: user, csrfToken: Fieldwork.csrfToken(), onToken: Fieldwork.setCsrfToken });
    }).then(function (result) {
      Fieldwork.log("flushed", result);
      if (result.outcome === "retry" || result.outcome === "offline") retryLater(); else attempt = 0;
      return showAnswers(before, result).then(refreshBar);
    }).catch(function (error) {
      Fieldwork.log("the outbox failed", error);
      setBar(say("storage_failed"));
      retryLater();
      return null;
    });
  }

  /* What the flush changed: applied operations have left the outbox, refused ones changed state in it. */
  function showAnswers(before, result) {
    var answered = {};
    (result.answers || []).forEach(function (answer) { answered[answer.op_id] = answer; });
    return Outbox.opsOf(user).then(function (after) {
      var still = {};
      var applied = [];
      after.forEach(function (o) { still[o.op_id] = o; });
      Object.keys(before).forEach(function (id) {
        if (!still[id] && answered[id]) applied.push({ record: before[id], answer: answered[id] });
        else if (still[id] && still[id].state !== before[id].state) Fieldwork.forms.showAnswer(still[id]);
      });
      if (result.sent && navigator.onLine) Fieldwork.worker.keepPages(); // the kept pages now show what was sent
      return Fieldwork.forms.showApplied(applied);
    });
  }

  /* A change was just stored: show it waiting and send it. */
  function changed() {
    refreshBar().catch(function (error) { Fieldwork.log("bar not refreshed", error); });
    Fieldwork.worker.requestBackgroundSync();
    if (navigator.onLine) flushNow();
  }

  /* `text`, and after it (joined by " · ") `linked`: the parts that lead to the list of what waits. */
  function setBar(text, linked) {
    var bar = document.getElementById("sync-bar");
    if (!bar) return;
    bar.hidden = false;
    var line = document.getElementById("sync-text");
    line.textContent = text;
    var outboxUrl = bar.getAttribute("data-outbox-url");
    if (!linked || !linked.length) return;
    if (text) line.appendChild(document.createTextNode(" · "));
    if (!outboxUrl || window.location.pathname === outboxUrl) {
      line.appendChild(document.createTextNode(linked.join(" · ")));
      return;
    }
    var link = document.createElement("a");
    link.href = outboxUrl;
    link.textContent = linked.join(" · ");
    line.appendChild(link);
  }

  function refreshBar() {
    return Outbox.status(user).then(function (state) {
      var parts = [];
      var linked = [];
      if (state.needsLogin) parts.push(say("sign_in"));
      else if (!navigator.onLine && state.waiting) parts.push(say("offline"));
      if (state.waiting) linked.push(say("waiting", { count: state.waiting }));
      if (state.attention) linked.push(say("attention", { count: state.attention }));
      if (!parts.length && !linked.length) {
        parts.push(state.lastSynced ? say("synced_at", { time: Fieldwork.clock(state.lastSynced) }) : say("nothing_yet"));
      }
      setBar(parts.join(" · "), linked);
      document.getElementById("sync-signin").hidden = !state.needsLogin;
      document.body.setAttribute("data-sync-waiting", String(state.waiting));
      document.body.setAttribute("data-sync-attention", String(state.attention));
      listAttention(state.ops.filter(function (o) { return NEEDS_ATTENTION.indexOf(o.state) >= 0; }));
      // The list of what waits (/outbox) draws itself again.
      document.dispatchEvent(new CustomEvent("fieldwork:outbox"));
      return state;
    });
  }

  /* One line per refused change: what it was about (its section's heading) and why it came back. */
  function attentionText(record) {
    var about = say("about_" + Fieldwork.operationType(record.type).section) || say("a_change");
    var why = Fieldwork.refusedText(record);
    return about + " — " + why;
  }

  function listAttention(ops) {
    var section = document.getElementById("attention");
    var list = document.getElementById("attention-list");
    if (!section) return;
    var outboxUrl = document.getElementById("sync-bar").getAttribute("data-outbox-url");
    // On /outbox the list itself shows them, with their ways out.
    section.hidden = ops.length === 0 || window.location.pathname === outboxUrl;
    list.textContent = "";
    ops.forEach(function (record) {
      var item = document.createElement("li");
      var text = document.createElement("p");
      text.textContent = attentionText(record);
      item.appendChild(text);
      if (record.state === "conflict" && record.data.note_id) {
        var link = document.createElement("a");
        link.className = "button small";
        link.href = "/notes/" + encodeURIComponent(record.data.note_id) + "/history";
        link.textContent = say("open_merge");
        item.appendChild(link);
      }
      var outboxUrl = document.getElementById("sync-bar").getAttribute("data-outbox-url");
      if (outboxUrl && window.location.pathname !== outboxUrl) {
        var fix = document.createElement("a");
        fix.className = "button small";
        fix.href = outboxUrl + "#op-" + record.op_id;
        fix.textContent = say("fix_or_discard");
        item.appendChild(fix);
      }
      list.appendChild(item);
    });
  }

  if (user && Outbox) {
    document.getElementById("sync-now").addEventListener("click", flushNow);
    window.addEventListener("online", flushNow);
    window.addEventListener("offline", refreshBar);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") flushNow(); });
    Fieldwork.forms.overlayPending().then(refreshBar).then(function () { if (navigator.onLine) flushNow(); })
      .catch(function (error) {
        // No IndexedDB: forms post directly (op_forms.js), so there is no outbox to show.
        Fieldwork.log("no outbox on this page", error);
      });
  }

  Fieldwork.sync = { flushNow: flushNow, refreshBar: refreshBar, changed: changed, showAnswers: showAnswers };
})();
