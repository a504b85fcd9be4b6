/* The visit page's folds (<details class="fold">) need no script to open and close. This only opens a fold that
 * holds a change still waiting on this phone, or one the server turned back, so the person sees it without
 * hunting: the marks are drawn by op_forms.js ([data-op-state]) and waiting.js ([data-waiting-item],
 * [data-waiting-mark]), whenever the outbox is laid over the page, so we watch for them appearing. A fold the
 * person closes stays closed until something new appears in it.
 */
(function () {
  "use strict";

  var MARKS = "[data-op-state], [data-waiting-item], [data-waiting-mark]";

  function openWhereMarked(nodes) {
    nodes.forEach(function (node) {
      if (node.nodeType !== 1) return;
      var marked = node.matches(MARKS) ? [node] : Array.prototype.slice.call(node.querySelectorAll(MARKS));
      marked.forEach(function (mark) {
        var fold = mark.closest("details.fold");
        if (fold && !fold.open) fold.open = true;
      });
    });
  }

  var main = document.querySelector("main") || document.body;
  openWhereMarked([main]);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) { openWhereMarked(Array.prototype.slice.call(change.addedNodes)); });
  }).observe(main, { childList: true, subtree: true });
})();
