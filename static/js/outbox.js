/* The outbox: every change made on this phone, kept in IndexedDB until the server has answered it.
 *
 * Plan
 *   - A change is written here first (state "waiting"), then shown, then sent. Nothing is sent that is not
 *     stored, so closing the tab, losing signal or a server failure loses nothing.
 *   - flush() sends waiting operations in order, in batches, to POST /api/sync. An operation leaves the outbox
 *     only when the server answered it: "applied" and "duplicate" (already applied) remove it; "rejected",
 *     "conflict" and "forbidden" keep it, marked, until the person deals with it.
 *   - 401: the session has gone (409: someone else is signed in now). Everything stays; the page asks the
 *     person to sign in; flushing resumes after.
 *   - 400 {"error": "csrf"}: the page's token expired while offline; fetch a new one and retry once.
 *   - 413: the batch was too big; send half.
 *   - Network error or 5xx: try again later with backoff (2 s doubling, at most 5 minutes).
 *   - Each operation carries the key of the person who made it; a flush sends only the signed-in person's.
 *   - Operations go in the order they were made: each takes the next number of a counter kept in the database,
 *     never the phone's clock, which may be corrected between a check-in and its check-out.
 *   - Failures reject with an Error: StorageError (IndexedDB refused or failed), SyncError (the server's answer
 *     means "sign in" or "try later"; its `outcome` says which).
 * The same file runs in the page and in the service worker (Background Sync, after fieldwork.js), so there is one
 * flush. It knows nothing of operation types: what makes two operations the same change comes with each one.
 */
(function (scope) {
  "use strict";

  var Fieldwork = scope.Fieldwork;
  var DB_NAME = "fieldwork";
  // 2: operations are numbered by a counter (meta "seq") instead of the time they were made.
  var DB_VERSION = 2;
  var BATCH_SIZE = 50;
  var MAX_BACKOFF_MS = 5 * 60 * 1000;
  // Answers that leave an operation here for the person to fix or discard (a conflict is settled by a merge).
  var REFUSED = ["rejected", "forbidden"];

  class StorageError extends Error {
    constructor(cause) {
      super("outbox storage failed: " + (cause && cause.name ? cause.name : "unknown"));
      this.name = "StorageError";
      this.cause = cause;
    }
  }

  class SyncError extends Error {
    constructor(outcome) {
      super("sync stopped: " + outcome);
      this.name = "SyncError";
      this.outcome = outcome;  // "login" (sign in again) or "retry" (try later)
    }
  }

  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function (event) {
          var db = request.result;
          if (event.oldVersion < 1) {
            db.createObjectStore("ops", { keyPath: "op_id" }).createIndex("by_user", ["user", "seq"]);
            db.createObjectStore("meta");
          }
          if (event.oldVersion === 1) numberInOrder(request.transaction);
        };
        request.onsuccess = function () {
          var db = request.result;
          // Another tab or the worker deleting the database must not be blocked by us.
          db.onversionchange = function () { db.close(); dbPromise = null; };
          resolve(db);
        };
        request.onerror = function () { dbPromise = null; reject(new StorageError(request.error)); };
        request.onblocked = function () { Fieldwork.log("outbox upgrade waits for another tab to close it"); };
      });
    }
    return dbPromise;
  }

  /* Version 1 ordered operations by a time-based seq: keep that order, as counter numbers 1, 2, 3, ... */
  function numberInOrder(tx) {
    var ops = tx.objectStore("ops");
    var request = ops.getAll();
    request.onsuccess = function () {
      var old = request.result.sort(function (a, b) { return a.seq - b.seq; });
      old.forEach(function (record, index) { record.seq = index + 1; ops.put(record); });
      tx.objectStore("meta").put(old.length, "seq");
    };
  }

  /* One transaction over the named store(s); resolves to what the action passed to done(). */
  function run(storeNames, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx;
        try { tx = db.transaction(storeNames, mode); } catch (error) { reject(new StorageError(error)); return; }
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(new StorageError(tx.error)); };
        tx.onabort = function () { reject(new StorageError(tx.error)); };
        var stores = Array.isArray(storeNames) ? storeNames.map(function (name) { return tx.objectStore(name); })
          : [tx.objectStore(storeNames)];
        action.apply(null, stores.concat(function (value) { result = value; }));
      });
    });
  }

  function opsOf(user) {
    return run("ops", "readonly", function (store, done) {
      var request = store.index("by_user").getAll(userRange(user));
      request.onsuccess = function () { done(request.result); };
    });
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function userRange(user) {
    return IDBKeyRange.bound([user, -Infinity], [user, Infinity]);
  }

  /* Store a new operation. `op.subject` names the thing it changes (operations with the same subject change the
     same thing) and `op.replaces` says that an unsent one of the same subject is replaced rather than queued
     twice: one save of a note's newest text avoids a needless conflict with ourselves. `op.fixes` names a
     refused operation this one corrects, which goes. The look-up, the counter and the write are one
     transaction, and takeBatch marks operations sent in one transaction too, so an operation already handed to
     the network is never rewritten under its op_id. */
  function add(user, op) {
    var record = {
      op_id: op.op_id || uuid(), type: op.type, base_version: op.base_version === undefined ? null : op.base_version,
      data: op.data, subject: op.subject || null, replaces: Boolean(op.replaces), user: user, seq: null,
      state: "waiting", sent: false, created_at: new Date().toISOString(), result: null,
      // Where it was made (the visit's title and page), for the list of what waits (/outbox); never sent.
      about: op.about || null
    };
    return run(["ops", "meta"], "readwrite", function (store, meta, done) {
      var request = store.index("by_user").getAll(userRange(user));
      request.onsuccess = function () {
        // A change made again (or fixed) supersedes the refused ones it names or shares its subject with: the
        // server answered those, so the new one goes under a new op_id rather than theirs.
        request.result.filter(function (old) {
          return REFUSED.indexOf(old.state) >= 0 &&
            (old.op_id === op.fixes || (record.subject && old.subject === record.subject));
        }).forEach(function (old) { store.delete(old.op_id); });
        var replaceable = request.result.filter(function (old) {
          return record.replaces && record.subject && old.replaces && old.subject === record.subject &&
            !old.sent && old.state === "waiting";
        })[0];
        if (replaceable) {
          record.op_id = replaceable.op_id;
          record.seq = replaceable.seq;
          record.base_version = replaceable.base_version;
          store.put(record);
          done(record);
          return;
        }
        var counter = meta.get("seq");
        counter.onsuccess = function () {
          record.seq = (counter.result || 0) + 1;
          meta.put(record.seq, "seq");
          store.put(record);
          done(record);
        };
      };
    });
  }

  /* The next waiting operations, marked as sent in the same transaction that reads them: what is returned is
     exactly what is stored under those op_ids. */
  function takeBatch(user, size) {
    return run("ops", "readwrite", function (store, done) {
      var request = store.index("by_user").getAll(userRange(user));
      request.onsuccess = function () {
        var batch = request.result.filter(function (o) { return o.state === "waiting"; }).slice(0, size);
        batch.forEach(function (o) { o.sent = true; store.put(o); });
        done(batch);
      };
    });
  }

  function remove(opId) {
    return run("ops", "readwrite", function (store, done) { store.delete(opId); done(true); });
  }

  function update(record) {
    return run("ops", "readwrite", function (store, done) { store.put(record); done(record); });
  }

  function getMeta(key) {
    return run("meta", "readonly", function (store, done) {
      var request = store.get(key);
      request.onsuccess = function () { done(request.result); };
    });
  }

  function setMeta(key, value) {
    return run("meta", "readwrite", function (store, done) { store.put(value, key); done(value); });
  }

  /* Signing out removes that person's operations only: on a shared phone another person's unsent work waits
     for them. The database itself goes once nobody's work is left in it. */
  function deleteUser(user) {
    return run("ops", "readwrite", function (store, done) {
      var request = store.index("by_user").getAllKeys(userRange(user));
      request.onsuccess = function () {
        request.result.forEach(function (key) { store.delete(key); });
        var left = store.count();
        left.onsuccess = function () { done(left.result); };
      };
    }).then(function (left) { return left ? null : deleteAll(); });
  }

  function deleteAll() {
    var close = dbPromise ? dbPromise.then(function (db) { db.close(); }) : Promise.resolve();
    dbPromise = null;
    return close.then(function () {
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    });
  }

  /* What the person should see: counts by state and when everything last reached the server. */
  function status(user) {
    return Promise.all([opsOf(user), getMeta("synced:" + user), getMeta("needs-login")]).then(function (parts) {
      var ops = parts[0];
      var count = function (states) { return ops.filter(function (o) { return states.indexOf(o.state) >= 0; }).length; };
      return {
        waiting: count(["waiting"]), attention: count(["rejected", "conflict", "forbidden"]),
        lastSynced: parts[1] || null, needsLogin: parts[2] === user, ops: ops
      };
    });
  }

  /* Every request names whose changes it carries: a page left open by someone whose session has gone must not
     send their changes under the session of whoever signed in next (the server answers 409). */
  function fetchToken(fetchImpl, user) {
    return fetchImpl("/api/csrf", { credentials: "same-origin",
                                    headers: { "Accept": "application/json", "X-Fieldwork-User": user } })
      .then(function (response) {
        if (response.status === 401 || response.status === 409) throw new SyncError("login");
        if (!response.ok) throw new SyncError("retry");
        return response.json();
      })
      .then(function (body) { return body.csrf_token; });
  }

  function send(batch, token, fetchImpl, user) {
    var ops = batch.map(function (o) { return { op_id: o.op_id, type: o.type, base_version: o.base_version, data: o.data }; });
    return fetchImpl("/api/sync", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token || "",
                 "X-Fieldwork-User": user },
      body: JSON.stringify({ ops: ops })
    });
  }

  /* Apply the server's answers: only an answered operation changes state or leaves the outbox. */
  function settle(batch, results) {
    var byId = {};
    results.forEach(function (r) { byId[r.op_id] = r; });
    return batch.reduce(function (chain, op) {
      var result = byId[op.op_id];
      if (!result) return chain;
      var outcome = result.status === "duplicate" ? (result.first_status || "applied") : result.status;
      if (outcome === "applied" && op.data.resolves_conflict) {
        // The merge is stored: the conflict copies it settled need nobody's attention any more.
        return chain.then(function () { return remove(op.op_id); })
          .then(function () { return opsOf(op.user); })
          .then(function (ops) {
            return Promise.all(ops.filter(function (o) {
              return o.state === "conflict" && op.subject && o.subject === op.subject;
            }).map(function (o) { return remove(o.op_id); }));
          });
      }
      if (outcome === "applied") return chain.then(function () { return remove(op.op_id); });
      op.state = outcome;
      op.result = result;
      return chain.then(function () { return update(op); });
    }, Promise.resolve());
  }

  var flushing = null;

  /* Send this person's waiting operations. Resolves to {sent, outcome, answers}; outcome is "done", "login",
     "retry" (try later) or "offline"; answers are the server's results. Rejects only with a StorageError. */
  function flush(options) {
    if (flushing) return flushing;
    var user = options.user;
    var fetchImpl = options.fetch || scope.fetch.bind(scope);
    var token = options.csrfToken;
    var renewed = false;
    var size = BATCH_SIZE;
    var sent = 0;
    var answers = [];

    function round() {
      return takeBatch(user, size).then(function (batch) {
        if (!batch.length) return { sent: sent, outcome: "done", answers: answers };
        return send(batch, token, fetchImpl, user)
          .then(function (response) {
            if (response.status === 401 || response.status === 409) {
              return setMeta("needs-login", user).then(function () { return { sent: sent, outcome: "login" }; });
            }
            if (response.status === 413 && size > 1) { size = Math.max(1, Math.floor(size / 2)); return round(); }
            if (response.status === 413) {
              // One operation alone is too big to send: keep it, marked, for the person to shorten or discard.
              var tooBig = batch[0];
              tooBig.state = "rejected";
              tooBig.result = { status: "rejected", reason: "too_long" };  // a ui-strings key, shown by the page
              return update(tooBig).then(round);
            }
            if (response.status === 400) {
              return response.json().catch(function () { return {}; }).then(function (body) {
                if (body.error === "csrf" && !renewed) {
                  renewed = true;
                  return fetchToken(fetchImpl, user).then(function (fresh) {
                    token = fresh;
                    if (options.onToken) options.onToken(fresh);
                    return round();
                  });
                }
                return { sent: sent, outcome: "retry" };
              });
            }
            if (!response.ok) return { sent: sent, outcome: "retry" };
            return response.json().then(function (body) {
              sent += batch.length;
              answers = answers.concat(body.results || []);
              var ids = batch.map(function (op) { return op.op_id; });
              var progress = (body.results || []).some(function (r) { return ids.indexOf(r.op_id) >= 0; });
              // An answer that settles nothing (a proxy's page, a half-deployed server) would loop for ever.
              if (!progress) return { sent: sent, outcome: "retry", answers: answers };
              return settle(batch, body.results || []).then(function () {
                return Promise.all([setMeta("synced:" + user, new Date().toISOString()), setMeta("needs-login", null)]);
              }).then(round);
            });
          });
      }).catch(function (error) {
        // A storage failure here is not "offline": it is passed on, so the page can say so (flushNow).
        if (error instanceof StorageError) throw error;
        Fieldwork.log("flush stopped", error);
        return { sent: sent, outcome: error instanceof SyncError ? error.outcome : "offline", answers: answers };
      });
    }

    flushing = round().then(function (result) { flushing = null; return result; },
                            function (error) { flushing = null; throw error; });
    return flushing;
  }

  /* Background Sync: the worker knows whose pages it keeps; it fetches its own token. */
  function flushFromWorker() {
    return caches.open(Fieldwork.PAGES_CACHE)
      .then(function (cache) { return cache.match(Fieldwork.USER_KEY_URL); })
      .then(function (hit) { return hit ? hit.text() : null; })
      .then(function (user) {
        if (!user) return null;
        return fetchToken(scope.fetch.bind(scope), user)
          .then(function (token) { return flush({ user: user, csrfToken: token }); })
          .then(function (result) {
            // Rejecting tells the browser to fire the sync event again later.
            if (result.outcome === "retry" || result.outcome === "offline") throw new SyncError("retry");
            return result;
          });
      });
  }

  function backoff(attempt) {
    return Math.min(MAX_BACKOFF_MS, 2000 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
  }

  scope.FieldworkOutbox = {
    add: add, remove: remove, opsOf: opsOf, status: status, flush: flush, flushFromWorker: flushFromWorker,
    deleteUser: deleteUser, backoff: backoff, uuid: uuid
  };
})(typeof self !== "undefined" ? self : this);
