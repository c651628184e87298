// Shared helpers of the hosted passkey pages: base64url <-> bytes, the JSON calls, and the WebAuthn option and
// credential conversions (PublicKeyCredential.toJSON where the browser has it).
"use strict";
window.CorbadoPasskeys = (function () {
  const page = document.getElementById("page");

  function fromBase64Url(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4);
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
  }

  function toBase64Url(buffer) {
    if (!buffer) return null;
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(path, body) {
    const response = await fetch(page.dataset.base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const json = await response.json().catch(() => ({}));
    return { ok: response.ok, json };
  }

  function requestOptions(publicKey) {
    const options = Object.assign({}, publicKey);
    options.challenge = fromBase64Url(publicKey.challenge);
    options.allowCredentials = (publicKey.allowCredentials || []).map((c) => Object.assign({}, c, { id: fromBase64Url(c.id) }));
    return options;
  }

  function creationOptions(publicKey) {
    const options = Object.assign({}, publicKey);
    options.challenge = fromBase64Url(publicKey.challenge);
    options.user = Object.assign({}, publicKey.user, { id: fromBase64Url(publicKey.user.id) });
    options.excludeCredentials = (publicKey.excludeCredentials || []).map((c) => Object.assign({}, c, { id: fromBase64Url(c.id) }));
    return options;
  }

  function credentialJson(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
    if (r.authenticatorData) response.authenticatorData = toBase64Url(r.authenticatorData);
    if (r.signature) response.signature = toBase64Url(r.signature);
    if (r.userHandle) response.userHandle = toBase64Url(r.userHandle);
    if (r.attestationObject) response.attestationObject = toBase64Url(r.attestationObject);
    if (r.getTransports) response.transports = r.getTransports();
    return {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  }

  function say(key) {
    const status = document.getElementById("status");
    status.textContent = page.dataset["msg" + key.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())] || "";
  }

  function supported() {
    return typeof window.PublicKeyCredential === "function" && navigator.credentials;
  }

  // Delivers an authorization response as the hint flow's OpenIddict answer would: a redirect, or a posted form.
  function deliver(answer) {
    if (answer.mode === "form_post") {
      const form = document.createElement("form");
      form.method = "post";
      form.action = answer.uri;
      for (const [name, value] of Object.entries(answer.parameters)) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    } else {
      window.location.assign(answer.uri);
    }
  }

  return { page, post, requestOptions, creationOptions, credentialJson, say, supported, deliver };
})();
