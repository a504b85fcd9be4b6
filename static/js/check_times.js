/* Check-in and check-out far from the visit's time (issue 12): ask before the change goes into the outbox.
 *
 *   - The check form carries its "near" window as two UTC instants (data-near-from, data-near-until, worked out
 *     by visits/attendance/check_times.py, clock changes included) and the question for each type the form may
 *     send (data-ask: JSON by operation type). The phone only compares its own clock with the two instants, so
 *     this works offline and knows nothing of time zones.
 *   - Yes: a hidden `confirmed` field goes with the change, for the type asked about only (the same form sends a
 *     check-out next). No: nothing is queued or sent.
 *   - It listens on window in the capture phase, so it answers before the outbox (op_forms.js) and htmx see the
 *     submit, and can stop them.
 *   - The "Undo" beside a fresh check-out (data-undo-until) goes once its minutes are up, on a page left open or
 *     opened from the phone's cache; the server refuses a late undo anyway.
 */
(function () {
  "use strict";

  function questionFor(form, type) {
    try { return JSON.parse(form.getAttribute("data-ask") || "{}")[type] || ""; } catch (e) { return ""; }
  }

  function isNear(form, now) {
    var from = Date.parse(form.getAttribute("data-near-from"));
    var until = Date.parse(form.getAttribute("data-near-until"));
    return isNaN(from) || isNaN(until) || (now >= from && now <= until);
  }

  function confirmedField(form) {
    return form.querySelector('input[name="confirmed"][data-confirmed-for]');
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-near-from")) return;
    var type = form.getAttribute("data-op-type");
    var submitter = event.submitter;
    if (submitter && submitter.name === "confirmed") return;  // "Check in anyway": already said
    var field = confirmedField(form);
    if (field && field.getAttribute("data-confirmed-for") === type) return;  // asked for this very change
    if (field) field.remove();  // a yes for the check-in is no yes for the check-out
    if (isNear(form, Date.now())) return;
    var question = questionFor(form, type);
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirmed";
    field.value = "true";
    field.setAttribute("data-confirmed-for", type);
    form.appendChild(field);
  }

  function hideLateUndo() {
    document.querySelectorAll("[data-undo-until]").forEach(function (block) {
      var until = Date.parse(block.getAttribute("data-undo-until"));
      if (isNaN(until) || block.querySelector("[data-op-state]")) return;  // already sent: its state shows
      var left = until - Date.now();
      if (left <= 0) { block.hidden = true; return; }
      setTimeout(hideLateUndo, Math.min(left + 500, 60000));
    });
  }

  window.addEventListener("submit", onSubmit, true);
  hideLateUndo();
  // The check section is redrawn after a change: look again at what it now offers.
  document.addEventListener("htmx:afterSettle", hideLateUndo);
})();
