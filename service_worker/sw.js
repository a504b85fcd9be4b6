/* Fieldwork service worker. Served at /sw.js (root scope, never HTTP-cached); the server puts a `BUILD`
 * constant above this line (visits/offline/views.py): the version (a hash of every static file and of this
 * worker), the app-shell URLs, the scripts it imports, the offline page, and its own few words in every language.
 * The names the page must agree on (the pages cache, the user-key URL) come from static/js/fieldwork.js, which
 * both the page and this worker load.
 *
 * Caching plan
 *   shell-<version>  The app shell (CSS, JS, htmx, icons, manifest, offline page), precached at install.
 *                    Cache first; matched ignoring ?v= so pages cached before a deploy still find their assets.
 *                    A new version fills a new cache; activating it deletes every older shell cache.
 *                    The offline page is one copy for whoever uses the phone (nothing of the person in it), in
 *                    the language its request had (the `lang` cookie, or the account's choice: visits/i18n.py).
 *                    Every page load tells us its <html lang>
 *                    ("page-language"); when the kept offline page's Content-Language differs (the person switched
 *                    to Cymraeg or back), it is fetched again, so a page never kept is answered in their language;
 *                    so is the manifest (its description is translated and it carries no language of its own).
 *                    The language is kept here too (LANGUAGE_URL), for the words this worker shows by itself.
 *   pages            The signed-in person's own pages: itinerary days and visit pages. After login and on every
 *                    online load the page asks us to fetch the coming days (/api/offline-pages) so they open
 *                    with no signal; that list is kept here too (KEPT_LIST_URL), and it is the only thing that
 *                    decides what may be stored: what stays on a phone is the minimum (DESIGN section 9), not
 *                    every page the person happened to open. Navigations go to the network first
 *                    (NAV_TIMEOUT_MS); a page on the list is stored on success, any other page (a note's
 *                    history, a colleague's visit the lead opened) never is, whether or not the latest prefetch
 *                    worked; with no list yet nothing is stored. On failure a kept page is served, and a page
 *                    never kept gets the offline page. The list each prefetch brings replaces the last, and any
 *                    page no longer on it (a past day, a visit off their team, a visit of a review that has been
 *                    closed) is deleted then. A page the server answers with X-Fieldwork-Forget (a visit of a
 *                    closed review) is deleted at once, whatever the list says.
 *                    The lead and the link officer are given a copy of each day holding their own visits only.
 *                    Pages are stored only when the server marks them with X-Fieldwork-User; a different
 *                    person's mark empties the cache first, so one phone never shows one person another's
 *                    pages (the list goes with them). Logout empties it (message "clear-user-data"), and so does
 *                    a navigation that the server answers with the sign-in page (the session has ended).
 *                    /outbox (what is waiting on this phone) is on every person's list: a shell with nothing of
 *                    the server's in it, whose list the page draws from IndexedDB (static/js/outbox_page.js).
 *                    Kept pages are in the language they were fetched in: every online load fetches them all again
 *                    (keep-pages), so the first load after a language change brings them in the new one.
 *   (nothing else)   /api/* and every non-GET request go straight to the network: writes travel through the
 *                    IndexedDB outbox (static/js/outbox.js), never through a cache.
 *
 * Updates: a new worker installs and then waits; the page shows "Update" and sends "skip-waiting" when the person
 * chooses, so a worker is never swapped under a half-written form. The outbox lives in IndexedDB, which an
 * update does not touch.
 *
 * Background Sync: where the browser has it, a "outbox" sync event flushes the outbox from here, using the same
 * outbox script as the page.
 *
 * Words: the worker shows almost nothing by itself; what it does (the last-resort text when even the offline page
 * is missing, an alert's title when the alert has none) comes in BUILD.words in every language, and it picks the
 * one of the last page it was told about (all of them, Welsh first, before any page has told it).
 *
 * Alerts (Web Push, DESIGN section 13): a `push` event carries {"kind", "title", "body", "url"} (encrypted by the
 * server for this browser, decrypted by the browser); it is shown as a notification at once, nothing is cached
 * and nothing is kept beyond the notification itself. The payload holds no name, address or note (it shows on a
 * locked screen). Alerts about the same thing (kind and url) replace each other and buzz again (tag, renotify).
 * A tap (`notificationclick`) focuses a window of the app and navigates it to the alert's page, or opens one;
 * only a path on this site is followed (anything else opens the itinerary).
 */
/* global BUILD, Fieldwork, FieldworkOutbox */
"use strict";

importScripts(...BUILD.scripts);

const SHELL_CACHE = `shell-${BUILD.version}`;
const { PAGES_CACHE, USER_KEY_URL } = Fieldwork;
// The pages this person may keep, as the server last listed them (JSON: hrefs), beside the pages themselves.
const KEPT_LIST_URL = "/__fieldwork/kept-pages";
// The language of the pages last shown (their <html lang>, e.g. "cy" or "en-GB"), beside the shell it matches.
const LANGUAGE_URL = "/__fieldwork/page-language";
const NAV_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(BUILD.shell.map((url) => new Request(url, { credentials: "same-origin" }))))
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "skip-waiting") {
    self.skipWaiting();
  } else if (message.type === "keep-pages") {
    event.waitUntil(keepPages(message.userKey));
  } else if (message.type === "page-language") {
    event.waitUntil(followPageLanguage(message.lang));
  } else if (message.type === "clear-user-data") {
    event.waitUntil(clearUserData(message.userKey).then(() => reply(event, { type: "cleared" })));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(FieldworkOutbox.flushFromWorker());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(shellFirst(request));
  }
});

function reply(event, body) {
  if (event.source && event.source.postMessage) event.source.postMessage(body);
}

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

/* Page-cache changes run one at a time, and a store that began before a logout's clearing is dropped:
   otherwise a page fetched just before signing out could land in the cache just after it was emptied. */
let generation = 0;
let queue = Promise.resolve();

function serial(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

async function navigate(request) {
  const started = generation;
  const network = fetch(request);
  try {
    const response = await withTimeout(network, NAV_TIMEOUT_MS);
    // Landing on the sign-in page at all means nobody is signed in here (a signed-in person is sent on from it).
    if (new URL(response.url).pathname === "/login") {
      // The server says the session has ended: the pages it let us keep go too (an outbox stays for its owner).
      await clearUserData(null);
      return response;
    }
    if (response.headers.get("X-Fieldwork-Forget")) {
      await forget(request);
      return response;
    }
    await remember(request, response.clone(), started);
    return response;
  } catch (error) {
    const cached = await cachedPage(request);
    if (cached) return cached;
    // Slow rather than absent: wait for the network after all before giving up.
    try { return await network; } catch (ignored) { /* offline */ }
    const shell = await caches.open(SHELL_CACHE);
    return (await shell.match(BUILD.offline, { ignoreVary: true })) || new Response(await say("offline_text"), {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

// --- The person's language (see "shell" and "Words" in the plan at the top) -----------------------------------

let pageLanguage = null;

async function lastPageLanguage() {
  if (pageLanguage === null) {
    const hit = await (await caches.open(SHELL_CACHE)).match(LANGUAGE_URL);
    pageLanguage = hit ? await hit.text() : "";
  }
  return pageLanguage;
}

/* BUILD.words' entry for a <html lang> ("cy", "en-GB"), or null for a language it has no words in. */
function wordsFor(lang) {
  const code = String(lang || "").toLowerCase().split("-")[0];
  return Object.prototype.hasOwnProperty.call(BUILD.words, code) ? BUILD.words[code] : null;
}

/* One of the worker's own texts in the language of the last page shown; every language's, Welsh first, when no
   page has said yet. */
async function say(key) {
  const words = wordsFor(await lastPageLanguage());
  if (words) return words[key];
  const codes = Object.keys(BUILD.words).sort((a, b) => (a === "cy" ? -1 : b === "cy" ? 1 : 0));
  return [...new Set(codes.map((code) => BUILD.words[code][key]))].join("\n\n");
}

/* A page was shown in `lang`: remember it, and fetch the offline page (and the manifest) again if the kept one is
   in another language. Best effort: with no signal the old one stays until the next page load. */
async function followPageLanguage(lang) {
  if (!lang) return;
  const shell = await caches.open(SHELL_CACHE);
  if (lang !== (await lastPageLanguage())) {
    pageLanguage = lang;
    await shell.put(LANGUAGE_URL, new Response(lang));
  }
  const kept = await shell.match(BUILD.offline, { ignoreVary: true });
  if (kept && kept.headers.get("Content-Language") === lang) return;
  // The offline page, and the manifest the page links (its description), both written in the language they were
  // fetched in; the manifest carries no language of its own, so it follows the offline page.
  try {
    for (const url of [BUILD.offline, BUILD.manifest]) {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok && !response.redirected) await shell.put(url, response);
    }
  } catch (error) {
    // offline: try again on the next page load
  }
}

async function cachedPage(request) {
  const cache = await caches.open(PAGES_CACHE);
  return cache.match(request, { ignoreVary: true });
}

async function currentUserKey() {
  const cache = await caches.open(PAGES_CACHE);
  const hit = await cache.match(USER_KEY_URL);
  return hit ? hit.text() : null;
}

/* Store a page only when the server said whose it is, after making sure the cache holds nobody else's, and only
   when it is on that person's list of pages to keep. */
function remember(request, response, started) {
  const userKey = response.headers.get("X-Fieldwork-User");
  if (!response.ok || response.redirected || !userKey) return Promise.resolve();
  return serial(async () => {
    if (started !== generation) return;
    await adoptUser(userKey);
    if (!(await keptList()).has(href(request.url))) return;
    const cache = await caches.open(PAGES_CACHE);
    await cache.put(request, response);
  });
}

function href(url) {
  const u = new URL(url, self.location.origin);
  u.hash = "";
  return u.href;
}

/* The hrefs this person may keep; empty before the first prefetch has brought a list. */
async function keptList() {
  const cache = await caches.open(PAGES_CACHE);
  const hit = await cache.match(KEPT_LIST_URL);
  return new Set(hit ? await hit.json() : []);
}

async function adoptUser(userKey) {
  if ((await currentUserKey()) === userKey) return;
  await caches.delete(PAGES_CACHE);
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(USER_KEY_URL, new Response(userKey));
}

/* Fetch the person's coming days into the cache. Best effort: a page that fails is simply tried next time. */
async function keepPages(userKey) {
  if (!userKey) return;
  const started = generation;
  // Marked as a prefetch, so the audit log records a copy kept on the device rather than a person reading.
  // Redirects are not followed: a session that ended meanwhile would otherwise fetch the sign-in page here,
  // and its fresh session cookie would replace the one of a sign-in form the person is filling in.
  const prefetch = { credentials: "same-origin", redirect: "manual", headers: { "X-Fieldwork-Prefetch": "1" } };
  const listing = await fetch("/api/offline-pages", prefetch);
  if (!listing.ok) return;
  // Someone else signed in meanwhile: their list is not this person's (their own page load asks for it).
  if (listing.headers.get("X-Fieldwork-User") !== userKey) return;
  const { urls } = await listing.json();
  await forgetPagesOtherThan(urls, started, userKey);
  for (const url of urls) {
    try {
      const response = await fetch(url, prefetch);
      if (response.headers.get("X-Fieldwork-User") !== userKey || started !== generation) return;
      await remember(new Request(url), response, started);
    } catch (error) {
      return; // the network went: keep what we have
    }
  }
}

/* The server no longer lets the phone keep this page (its review was closed): the copy kept goes. */
function forget(request) {
  return serial(async () => {
    const cache = await caches.open(PAGES_CACHE);
    await cache.delete(request, { ignoreVary: true });
  });
}

/* Pages that dropped off the person's list (days gone by, visits taken off their team) go: what stays on a phone
   is the minimum, and note text already synced is not kept longer than it is needed (DESIGN section 9). */
function forgetPagesOtherThan(urls, started, userKey) {
  const listed = urls.map(href);
  const keep = new Set(listed.concat([href(USER_KEY_URL), href(KEPT_LIST_URL)]));
  return serial(async () => {
    if (started !== generation) return;
    await adoptUser(userKey);
    const cache = await caches.open(PAGES_CACHE);
    await cache.put(KEPT_LIST_URL, new Response(JSON.stringify(listed), {
      headers: { "Content-Type": "application/json" } }));
    for (const request of await cache.keys()) {
      if (!keep.has(href(request.url))) await cache.delete(request);
    }
  });
}

function clearUserData(userKey) {
  generation += 1;
  return serial(async () => {
    await caches.delete(PAGES_CACHE);
    if (userKey) await FieldworkOutbox.deleteUser(userKey);
  });
}

// --- Alerts: Web Push and the notification's tap (see the plan at the top) -------------------------------------
const ALERT_ICON = "/static/icons/icon-192.png";

async function alertFromPush(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  return {
    kind: String(data.kind || "alert"),
    title: String(data.title || (await say("app_name"))),
    body: String(data.body || ""),
    url: sameOriginPath(data.url),
  };
}

// A path on this site, as an absolute URL; anything else (another origin, javascript:, "//host") is "/".
function sameOriginPath(url) {
  try {
    const target = new URL(String(url || "/"), self.location.origin);
    if (target.origin === self.location.origin && String(url || "/").startsWith("/")) {
      return target.pathname + target.search + target.hash;
    }
  } catch (error) {
    // not a URL at all
  }
  return "/";
}

self.addEventListener("push", (event) => {
  event.waitUntil(alertFromPush(event).then((alert) => self.registration.showNotification(alert.title, {
    body: alert.body,
    data: { url: alert.url, kind: alert.kind },
    tag: `${alert.kind}:${alert.url}`,
    renotify: true,
    requireInteraction: alert.kind === "overdue" || alert.kind === "duress",
    icon: ALERT_ICON,
    badge: ALERT_ICON,
  })));
});

// The tap's work, a function of its own so that it can be run (and tested) without a notification centre:
// a window of the app already open is navigated and focused; otherwise a new one opens.
async function openFromNotification(url) {
  const path = sameOriginPath(url);
  const target = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const mine = windows.filter((client) => new URL(client.url).origin === self.location.origin);
  for (const client of mine) {
    try {
      const focused = "focus" in client ? await client.focus().catch(() => client) : client;
      const landed = client.url === target ? focused : await (focused || client).navigate(target);
      if (landed) return landed.url;
    } catch (error) {
      // not controlled by this worker (navigate refuses): try the next, or open a window
    }
  }
  const opened = await self.clients.openWindow(target);
  return opened ? opened.url : null;
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  event.waitUntil(openFromNotification(data.url));
});
