/* "Get alerts on this phone" (DESIGN section 13): subscribing this browser to Web Push, on a tap only.
 *
 * Plan
 *   - The block (templates/push/_button.html, [data-push]) stays hidden until this script has looked: it then says
 *     one of on / off / blocked / not supported, with its words from the block's data-text-* attributes.
 *     "On" needs both: this browser has a subscription, and the server has it for this sign-in (data-server-on;
 *     signing out removes it there).
 *   - Tap "Get alerts on this phone": Notification.requestPermission() (the browser's prompt comes from the tap,
 *     never on page load); granted, the server's VAPID key (data-key-url) → pushManager.subscribe({userVisibleOnly:
 *     true, applicationServerKey}) → POST its toJSON() to data-subscriptions-url with X-CSRFToken. A subscription
 *     the browser already has is reused (re-posted: the server moves it to whoever is signed in now), unless it
 *     was made with another key.
 *   - Tap "Turn off alerts on this phone": DELETE data-subscriptions-url, then the browser's subscription goes.
 *   - Where the block has data-hide-when-on (the itinerary), it hides itself once alerts are on.
 */
(function () {
  "use strict";

  var block = document.querySelector("[data-push]");
  if (!block) return;
  var status = block.querySelector(".push-state");
  var onButton = block.querySelector('[data-push-action="on"]');
  var offButton = block.querySelector('[data-push-action="off"]');

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
      window.isSecureContext;
  }

  function show(state) {
    block.dataset.state = state;
    status.textContent = block.getAttribute("data-text-" + state) || "";
    onButton.disabled = offButton.disabled = state === "working";
    if (state === "working") return;  // the buttons stay where they are (and keep the focus) while it works
    onButton.hidden = !(state === "off" || state === "failed");
    offButton.hidden = state !== "on";
    block.hidden = state === "on" && block.hasAttribute("data-hide-when-on");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function sameKey(subscription, key) {
    var had = subscription.options && subscription.options.applicationServerKey;
    if (!had) return true;
    var a = new Uint8Array(had);
    if (a.length !== key.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== key[i]) return false;
    return true;
  }

  function registration() {
    return navigator.serviceWorker.getRegistration().then(function (found) {
      return found || navigator.serviceWorker.ready;
    });
  }

  function send(method, body) {
    return fetch(block.getAttribute("data-subscriptions-url"), {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (!response.ok) throw new Error("server answered " + response.status);
      return response;
    });
  }

  function turnOn() {
    show("working");
    Notification.requestPermission().then(function (permission) {
      if (permission === "denied") return show("blocked");
      if (permission !== "granted") return show("off");
      return Promise.all([
        registration(),
        fetch(block.getAttribute("data-key-url"), { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error("no key");
          return r.json();
        })
      ]).then(function (both) {
        var reg = both[0];
        var key = toBytes(both[1].publicKey);
        return reg.pushManager.getSubscription().then(function (existing) {
          if (existing && sameKey(existing, key)) return existing;
          var gone = existing ? existing.unsubscribe() : Promise.resolve();
          return gone.then(function () {
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          });
        });
      }).then(function (subscription) {
        return send("POST", subscription.toJSON());
      }).then(function () {
        block.setAttribute("data-server-on", "1");
        show("on");
      });
    }).catch(function () { show("failed"); });
  }

  function turnOff() {
    show("working");
    send("DELETE").then(function () {
      block.setAttribute("data-server-on", "0");
      return registration().then(function (reg) { return reg.pushManager.getSubscription(); });
    }).then(function (subscription) {
      return subscription ? subscription.unsubscribe() : true;
    }).then(function () { show("off"); }, function () { show("on"); });
  }

  if (!supported()) {
    show("unsupported");
    return;
  }
  onButton.addEventListener("click", turnOn);
  offButton.addEventListener("click", turnOff);
  if (Notification.permission === "denied") {
    show("blocked");
    return;
  }
  registration().then(function (reg) {
    return reg.pushManager.getSubscription();
  }).then(function (subscription) {
    var on = subscription && Notification.permission === "granted" && block.getAttribute("data-server-on") === "1";
    show(on ? "on" : "off");
  }).catch(function () { show("off"); });
})();
