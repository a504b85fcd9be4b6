/* Passkeys: the browser's half of WebAuthn, for buttons that carry their plan in data attributes (no inline script:
 * the CSP allows only files).
 *
 * Plan
 *   - A button with data-passkey="register" or "authenticate" is shown only where the browser has WebAuthn.
 *   - Click: POST data-options-url (the server makes the challenge and keeps it, once, in the session), turn the
 *     base64url fields into ArrayBuffers, ask navigator.credentials.create/get, turn the answer back into
 *     base64url JSON and POST it to data-verify-url. The answer's `redirect` is where to go next.
 *   - Every POST sends the page's CSRF token (meta csrf-token) in X-CSRFToken.
 *   - Failure (cancelled, no authenticator, refused by the server): the button stays and the message in
 *     data-failed is shown in the element named by data-error. Nothing is retried on its own.
 */
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) throw new Error(answer.message || String(response.status));
        return answer;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (d) { return Object.assign({}, d, { id: toBuffer(d.id) }); });
  }

  function register(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return navigator.credentials.create({ publicKey: options }).then(function (credential) {
      return {
        id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
        response: {
          clientDataJSON: toBase64url(credential.response.clientDataJSON),
          attestationObject: toBase64url(credential.response.attestationObject),
          transports: credential.response.getTransports ? credential.response.getTransports() : []
        },
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment || undefined
      };
    });
  }

  function authenticate(options) {
    options.challenge = toBuffer(options.challenge);
    if (options.allowCredentials) options.allowCredentials = descriptors(options.allowCredentials);
    return navigator.credentials.get({ publicKey: options }).then(function (credential) {
      return {
        id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
        response: {
          clientDataJSON: toBase64url(credential.response.clientDataJSON),
          authenticatorData: toBase64url(credential.response.authenticatorData),
          signature: toBase64url(credential.response.signature),
          userHandle: toBase64url(credential.response.userHandle)
        },
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment || undefined
      };
    });
  }

  function run(button) {
    var ceremony = button.getAttribute("data-passkey") === "register" ? register : authenticate;
    var error = document.getElementById(button.getAttribute("data-error"));
    if (error) error.hidden = true;
    button.disabled = true;
    post(button.getAttribute("data-options-url"))
      .then(ceremony)
      .then(function (credential) {
        var body = { credential: credential };
        var nameField = document.getElementById(button.getAttribute("data-name-field") || "");
        if (nameField) body.name = nameField.value;
        if (button.hasAttribute("data-next")) body.next = button.getAttribute("data-next");
        return post(button.getAttribute("data-verify-url"), body);
      })
      .then(function (answer) { window.location.assign(answer.redirect || "/"); })
      .catch(function () {
        button.disabled = false;
        if (error) {
          error.textContent = button.getAttribute("data-failed");
          error.hidden = false;
        }
      });
  }

  function start() {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-passkey]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { run(button); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
