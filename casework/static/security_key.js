// Security keys and passkeys (WebAuthn): templates/second_factor/*.html. A button carries
// data-mode ("create" to register a key, "get" to sign in with one), data-options (where to
// fetch the options) and data-verify (where to send the browser's answer). The server keeps
// the challenge; this file only converts between JSON and the browser's ArrayBuffers.

function toBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "===".slice((base64.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function toText(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  bytes.forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function creationOptions(o) {
  o.challenge = toBytes(o.challenge);
  o.user.id = toBytes(o.user.id);
  o.excludeCredentials = (o.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }));
  return o;
}

function requestOptions(o) {
  o.challenge = toBytes(o.challenge);
  o.allowCredentials = (o.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }));
  return o;
}

function answer(credential) {
  const r = credential.response;
  const out = { id: credential.id, rawId: toText(credential.rawId), type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(), response: {} };
  for (const name of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (r[name]) out.response[name] = toText(r[name]);
  }
  if (r.getTransports) out.response.transports = r.getTransports();
  return out;
}

async function post(url, body, csrf) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return { ok: response.ok, data };
}

function showError(message) {
  const box = document.getElementById("security-key-error");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  box.focus();
}

async function run(button) {
  const csrf = button.dataset.csrf;
  const nameField = document.getElementById("key-name");
  const options = await post(button.dataset.options, {}, csrf);
  if (!options.ok) { showError(options.data.message || "Your security key could not be used. Try again."); return; }
  let credential;
  try {
    credential = button.dataset.mode === "create"
      ? await navigator.credentials.create({ publicKey: creationOptions(options.data) })
      : await navigator.credentials.get({ publicKey: requestOptions(options.data) });
  } catch (e) {
    showError("Your security key was not used. Try again, or use a code instead.");
    return;
  }
  const body = { credential: answer(credential) };
  if (nameField) body.name = nameField.value;
  const result = await post(button.dataset.verify, body, csrf);
  if (result.ok && result.data.redirect) { window.location.assign(result.data.redirect); return; }
  showError(result.data.message || "Your security key could not be used. Try again.");
}

for (const button of document.querySelectorAll("[data-security-key]")) {
  if (!window.PublicKeyCredential) { button.hidden = true; continue; }
  button.hidden = false;
  button.addEventListener("click", (event) => { event.preventDefault(); run(button); });
}
