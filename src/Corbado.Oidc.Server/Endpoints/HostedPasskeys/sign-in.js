// The hosted sign-in page: a passkey button (modal ceremony), conditional UI (autofill) where the browser has it,
// and a cancel that answers access_denied to the relying party.
"use strict";
(function () {
  const P = window.CorbadoPasskeys;
  const request = P.page.dataset.request;
  const button = document.getElementById("passkey");
  const cancel = document.getElementById("cancel");
  let conditional = null;

  async function ceremony(mediation) {
    const started = await P.post("/passkeys/sign-in/options", { request });
    if (!started.ok) {
      P.say("sign-in-expired");
      button.disabled = true;
      return false;
    }
    const options = { publicKey: P.requestOptions(started.json.publicKey) };
    if (mediation) {
      conditional = new AbortController();
      options.mediation = mediation;
      options.signal = conditional.signal;
    }
    const credential = await navigator.credentials.get(options);
    if (!mediation) P.say("sign-in-working");
    return await finish("/passkeys/sign-in/verify", started.json.ceremony, credential, "sign-in-failed");
  }

  // Sends the ceremony's answer; on success delivers the authorization response to the relying party.
  async function finish(path, ceremonyHandle, credential, failed) {
    const finished = await P.post(path, { request, ceremony: ceremonyHandle, credential: P.credentialJson(credential) });
    if (finished.ok) {
      P.say("sign-in-done");
      P.deliver(finished.json);
      return true;
    }
    P.say(finished.json.retry === false ? "sign-in-expired" : failed);
    return false;
  }

  async function startConditional() {
    try {
      if (PublicKeyCredential.isConditionalMediationAvailable && (await PublicKeyCredential.isConditionalMediationAvailable())) {
        await ceremony("conditional");
      }
    } catch (e) {
      // Aborted for the button's modal ceremony, or dismissed: the button still works.
    }
  }

  button.addEventListener("click", async () => {
    if (conditional) conditional.abort();
    button.disabled = true;
    P.say("sign-in-working");
    try {
      if (!(await ceremony(null))) {
        button.disabled = false;
      }
    } catch (e) {
      P.say("sign-in-failed");
      button.disabled = false;
      button.focus();
    }
  });

  // Open enrolment (Passkeys:OpenEnrolment): a new user creates a passkey, which signs them in.
  const signUp = document.getElementById("sign-up");
  if (signUp) {
    signUp.addEventListener("click", async () => {
      if (conditional) conditional.abort();
      signUp.disabled = true;
      try {
        const started = await P.post("/passkeys/sign-in/sign-up/options", { request });
        if (!started.ok) {
          P.say("sign-in-expired");
          return;
        }
        const credential = await navigator.credentials.create({ publicKey: P.creationOptions(started.json.publicKey) });
        if (!(await finish("/passkeys/sign-in/sign-up/verify", started.json.ceremony, credential, "sign-up-failed"))) {
          signUp.disabled = false;
        }
      } catch (e) {
        P.say("sign-up-failed");
        signUp.disabled = false;
        signUp.focus();
      }
    });
  }

  cancel.addEventListener("click", async () => {
    if (conditional) conditional.abort();
    const cancelled = await P.post("/passkeys/sign-in/cancel", { request });
    if (cancelled.ok) {
      P.deliver(cancelled.json);
    } else {
      P.say("sign-in-expired");
    }
  });

  if (!P.supported()) {
    P.say("unsupported");
    button.disabled = true;
  } else {
    startConditional();
  }
})();
