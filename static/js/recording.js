// The visit page's forms under htmx. Each form posts an operation to /visits/<id>/ops and the answer is that
// section of the page again (visits/recording/views.py). Without JavaScript the same forms post and redirect.
(function () {
  "use strict";

  function isOpForm(element) {
    return Boolean(element && element.closest && element.closest("form[data-op-type]"));
  }

  // htmx swaps only 2xx answers. A form that was not accepted (400) or not allowed (403) answers with its
  // section showing why, so let those through -- but not a JSON answer such as {"error": "csrf"}.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    var type = detail.xhr.getResponseHeader("Content-Type") || "";
    if ((status === 400 || status === 403) && type.indexOf("text/html") === 0 && isOpForm(detail.elt)) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // A page left open past its CSRF token's life: renew the token once and send the form again (DESIGN section 9),
  // rather than leaving the person with a button that does nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest && detail.elt.closest("form[data-op-type]");
    if (!form || detail.xhr.status !== 400 || form.getAttribute("data-csrf-renewed")) return;
    var body;
    try { body = JSON.parse(detail.xhr.responseText); } catch (e) { return; }
    if (!body || body.error !== "csrf") return;
    form.setAttribute("data-csrf-renewed", "1");
    fetch("/api/csrf", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
      .then(function (answer) {
        window.Fieldwork.setCsrfToken(answer.csrf_token);
        htmx.trigger(form, "submit");
      })
      // No token to be had (the session has gone too): send it as it is, and the answer says to sign in.
      .catch(function () { htmx.trigger(form, "submit"); });
  });

  // The button that was pressed is gone with the old section: move focus to the answer so it is heard.
  document.addEventListener("htmx:afterSettle", function () {
    var message = document.querySelector("[data-focus-after-swap]");
    if (message) {
      message.removeAttribute("data-focus-after-swap");
      message.focus();
    }
  });
})();
