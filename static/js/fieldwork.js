/* What every Fieldwork script shares: the `Fieldwork` namespace, the names the page and the service worker must
 * agree on, the page's words, and a debug log.
 *
 * This file runs in the page (first of the <script defer> tags in templates/base.html) and in the service worker
 * (importScripts), so a constant defined here is the one both use. The page's parts read the document only when
 * asked, never while this file loads, which keeps it usable in the worker.
 *
 * The page's words come from JSON blocks (templates/partials/sync_bar.html), so no script carries English
 * or names an operation type:
 *   #ui-strings       every message the scripts show, translated; counted ones as one text per plural category
 *                     (picked with Intl.PluralRules for <html lang>: Welsh has six).
 *   #date-words       the names of weekdays and months, for the times the scripts write (clock).
 *   #operation-types  per operation type, what the page needs of the server's table of operation types: the
 *                     section it redraws, whether it carries device time, what names the thing it changes, its
 *                     "done" message, and the form's behaviour (a versioned text, a choice, the next type).
 *
 * Debugging: `localStorage.fieldworkDebug = "1"` in the console turns on Fieldwork.log, "0" turns it off; it is
 * read on every call, so no reload is needed.
 */
(function (scope) {
  "use strict";

  // The service worker's cache of this person's pages, and the entry in it naming whose pages they are.
  var PAGES_CACHE = "pages";
  var USER_KEY_URL = "/__fieldwork/current-user";

  function debugging() {
    try { return scope.localStorage.getItem("fieldworkDebug") === "1"; } catch (e) { return false; }
  }

  function log() {
    if (debugging()) console.debug.apply(console, ["[fieldwork]"].concat(Array.prototype.slice.call(arguments)));
  }

  var blocks = {};

  /* A JSON block of the page, read once; {} where the page has none (signed out, the offline page). */
  function pageJson(id) {
    if (!(id in blocks)) {
      try { blocks[id] = JSON.parse(document.getElementById(id).textContent); } catch (e) { blocks[id] = {}; }
    }
    return blocks[id];
  }

  /* What the page knows of an operation type; {} for a type it was not told about. */
  function operationType(type) {
    return pageJson("operation-types")[type] || {};
  }

  function fill(text, values) {
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  var plurals = null;

  /* The page's message `key` with its {placeholders} filled in; a counted one in the plural form of values.count. */
  function say(key, values) {
    var text = pageJson("ui-strings")[key];
    if (text === undefined) { log("no ui-string", key); return ""; }
    if (typeof text === "object") {
      if (!plurals && scope.Intl && Intl.PluralRules) plurals = new Intl.PluralRules(document.documentElement.lang);
      var category = plurals ? plurals.select(values.count) : (values.count === 1 ? "one" : "other");
      text = text[category] || text.other;
    }
    return fill(text, values);
  }

  function twoDigits(number) {
    return (number < 10 ? "0" : "") + number;
  }

  /* A time as the page writes times: now, or the given ISO time. Today's is a time of day ("20:14", as the server
     writes them); another day's names the day too ("Gwen 4 Rhag, 20:14"), so a change left waiting since
     yesterday does not read as made this evening. The names are the page's (#date-words, from Babel): Chromium's
     Intl has no Welsh dates and would write them in English. */
  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    var time = twoDigits(date.getHours()) + ":" + twoDigits(date.getMinutes());
    var names = pageJson("date-words");
    if (date.toDateString() === new Date().toDateString() || !names.weekdays) return time;
    return say("another_day", { weekday: names.weekdays[date.getDay()], day: date.getDate(),
                                month: names.months[date.getMonth()], time: time });
  }

  /* Whose page this is: the opaque key the server puts on the body of a signed-in page, or null. */
  function userKey() {
    return document.body.getAttribute("data-user-key");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /* A renewed token goes everywhere the page keeps one: the meta tag (htmx, the outbox) and every form. */
  function setCsrfToken(token) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.content = token;
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = token; });
  }

  /* Why the server refused an operation, in the server's own (translated) words, for one line of text. A message
     about the whole change (marshmallow's "_schema") names no field. */
  /* A field as the page words it ("body" is "Note"), in a refusal's reason; its code where the page has no word. */
  function fieldName(path) {
    return (pageJson("waiting-words").fields || {})[path] || path;
  }

  function refusal(record) {
    var result = record.result || {};
    if (result.reason) return say(result.reason);
    var flat = [];
    (function walk(value, path) {
      if (Array.isArray(value)) {
        flat.push((path && path !== "_schema" ? fieldName(path) + ": " : "") + value.join(" "));
        return;
      }
      if (value && typeof value === "object") {
        Object.keys(value).forEach(function (key) { walk(value[key], path ? path + "." + key : key); });
      } else if (value) { flat.push(String(value)); }
    })(result.errors || {}, "");
    return flat.join("; ") || "?";
  }

  /* What to say of a refused operation: "forbidden" usually comes with no reason (it must not tell whether the
     thing exists), but a change to a closed review says why, and that is shown like a rejection's reason. */
  function refusedText(record) {
    var result = record.result || {};
    if (record.state === "rejected" || (record.state === "forbidden" && result.errors)) {
      return say("rejected", { reason: refusal(record) });
    }
    return say(record.state);
  }

  scope.Fieldwork = {
    PAGES_CACHE: PAGES_CACHE, USER_KEY_URL: USER_KEY_URL, log: log, operationType: operationType, fill: fill,
    say: say, clock: clock, userKey: userKey, csrfToken: csrfToken, setCsrfToken: setCsrfToken, refusal: refusal,
    refusedText: refusedText
  };
})(self);
