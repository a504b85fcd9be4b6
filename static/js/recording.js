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

  // The button that was pressed is gone with the old section: move focus to the answer so it is heard.
  document.addEventListener("htmx:afterSettle", function () {
    var message = document.querySelector("[data-focus-after-swap]");
    if (message) {
      message.removeAttribute("data-focus-after-swap");
      message.focus();
    }
  });
})();
