/* The easy-read questionnaire (templates/feedback/questionnaire.html), one question a screen.
 *
 * Plan
 *   - Without this script the page is one long form that posts to the server; with it, each <fieldset> step is
 *     shown alone, with Back and Next, and "Page n of m" announced. Keyboard: Tab to the choices, arrows
 *     between them, Enter (or Next) for the next screen; Enter on the last screen finishes.
 *   - Consent comes first: "No, thank you" ends at the thank-you screen and nothing is recorded or queued.
 *   - Finishing is an ordinary submit: op_forms.js turns the form into the operation its data-op-type names, in
 *     the outbox (the only way data leaves the phone), and tells us with a "fieldwork:queued" event; then the
 *     thank-you screen shows. Without the outbox, the form posts and the server shows its thank-you page.
 *   - "Ask someone else" clears the form and gives it fresh ids: a page kept offline is reused for every person.
 */
(function () {
  "use strict";

  var form = document.getElementById("feedback-form");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-fb-step]"));
  var nav = form.querySelector("[data-fb-nav]");
  var back = form.querySelector("[data-fb-back]");
  var next = form.querySelector("[data-fb-next]");
  var progress = form.querySelector("[data-fb-progress]");
  var thanks = document.getElementById("fb-thanks");
  var strings = JSON.parse(document.getElementById("fb-strings").textContent);
  var current = 0;

  function uuid() {
    if (window.FieldworkOutbox && window.FieldworkOutbox.uuid) return window.FieldworkOutbox.uuid();
    return window.crypto.randomUUID();
  }

  function freshIds() {
    form.querySelector('[name="feedback_id"]').value = uuid();
    form.querySelector('[name="op_id"]').value = uuid();
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    back.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    progress.textContent = strings.step.replace("{n}", String(current + 1)).replace("{total}", String(steps.length));
    if (focus) steps[current].focus();
  }

  function consent() {
    var chosen = form.querySelector('[name="consent"]:checked');
    return chosen ? chosen.value : "";
  }

  function sayOnStep(step, text) {
    var line = step.querySelector("[data-fb-error]");
    if (!line) {
      line = document.createElement("p");
      line.className = "field-error";
      line.setAttribute("data-fb-error", "");
      line.setAttribute("role", "alert");
      step.querySelector("legend").insertAdjacentElement("afterend", line);
    }
    line.textContent = text;
  }

  function showThanks(kind) {
    form.hidden = true;
    thanks.hidden = false;
    thanks.querySelector("[data-fb-thanks-saved]").hidden = kind !== "saved";
    thanks.querySelector("[data-fb-thanks-declined]").hidden = kind !== "declined";
    thanks.querySelector("h2").focus();
  }

  function forward() {
    if (steps[current].getAttribute("data-fb-step") === "consent") {
      var answer = consent();
      if (!answer) { sayOnStep(steps[current], strings.choose); return; }
      if (answer === "no") { showThanks("declined"); return; }
    }
    show(current + 1, true);
  }

  function startAgain() {
    form.reset();
    form.querySelectorAll("[data-fb-error], [data-op-state]").forEach(function (line) { line.remove(); });
    freshIds();
    thanks.hidden = true;
    form.hidden = false;
    show(0, true);
  }

  steps.forEach(function (step) { step.setAttribute("tabindex", "-1"); });
  freshIds();
  nav.hidden = false;
  progress.hidden = false;
  show(0, false);

  next.addEventListener("click", forward);
  back.addEventListener("click", function () { show(current - 1, true); });
  thanks.querySelector("[data-fb-again]").addEventListener("click", startAgain);
  // Before op_forms.js (it listens on the document): Enter before the last screen means "next", not "send".
  window.addEventListener("submit", function (event) {
    if (event.target !== form) return;
    if (current < steps.length - 1 || consent() !== "yes") {
      event.preventDefault();
      event.stopImmediatePropagation();
      forward();
    }
  }, true);
  form.addEventListener("fieldwork:queued", function () { showThanks("saved"); });
})();
