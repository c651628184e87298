// The enrolment page: one registration ceremony for the user the single-use link stands for.
"use strict";
(function () {
  const P = window.CorbadoPasskeys;
  const token = P.page.dataset.token;
  const button = document.getElementById("create");
  const name = document.getElementById("name");

  button.addEventListener("click", async () => {
    button.disabled = true;
    P.say("enrol-working");
    try {
      const started = await P.post("/passkeys/enrol/options", { token });
      if (!started.ok) {
        P.say("enrol-failed");
        return;
      }
      const credential = await navigator.credentials.create({ publicKey: P.creationOptions(started.json.publicKey) });
      const finished = await P.post("/passkeys/enrol/verify", {
        token,
        ceremony: started.json.ceremony,
        credential: P.credentialJson(credential),
        name: name.value,
      });
      if (finished.ok) {
        P.say("enrol-done");
        name.disabled = true;
        return;
      }
      P.say("enrol-failed");
      button.disabled = finished.json.retry === false;
    } catch (e) {
      P.say("enrol-failed");
      button.disabled = false;
      button.focus();
    }
  });

  if (!P.supported()) {
    P.say("unsupported");
    button.disabled = true;
  }
})();
