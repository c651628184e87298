/**
 * Auth0 custom-database "Login" script for Corbado.Oidc (docs/auth0-custom-db.md).
 *
 * The application signs the user in with a passkey, receives the passkey backend's signedPasskeyData, and sends it to
 * Auth0 as the password of a Resource Owner / Universal Login request with the user's identifier as the username.
 * This script asks Corbado.Oidc to verify the hint (signature, issuer, lifetime, single use, optional consumption at
 * the passkey backend) and returns the verified user. It holds no JWT code of its own.
 *
 * Auth0 settings (Database connection > Custom Database > Settings):
 *   CORBADO_OIDC_URL            the issuer, e.g. https://idp.example.com
 *   CORBADO_OIDC_CLIENT_ID      a client registered with --allow-passkey-verification
 *   CORBADO_OIDC_CLIENT_SECRET  its secret
 *   CORBADO_OIDC_MATCH_USERNAME "true" to require the hint's subject to equal the username Auth0 passes
 */
async function login(username, password, callback) {
  const base = configuration.CORBADO_OIDC_URL.replace(/\/+$/, '');
  const credentials = Buffer.from(
    encodeURIComponent(configuration.CORBADO_OIDC_CLIENT_ID) + ':' + encodeURIComponent(configuration.CORBADO_OIDC_CLIENT_SECRET),
  ).toString('base64');
  const body = { signedPasskeyData: password };
  if (configuration.CORBADO_OIDC_MATCH_USERNAME === 'true') {
    body.expectedSubject = username;
  }

  let response;
  try {
    response = await fetch(base + '/api/v1/passkey-logins/verify', {
      method: 'POST',
      headers: { Authorization: 'Basic ' + credentials, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
  } catch (error) {
    return callback(new Error('The passkey login could not be verified right now.'));
  }

  if (response.status === 400) {
    // A refused hint (replayed, expired, forged…): for Auth0 this is a wrong password.
    return callback(new WrongUsernameOrPasswordError(username, 'The passkey login could not be verified.'));
  }

  if (!response.ok) {
    return callback(new Error('The passkey login could not be verified (HTTP ' + response.status + ').'));
  }

  const identity = await response.json();
  return callback(null, {
    user_id: identity.sub,
    email: identity.email,
    email_verified: identity.email_verified === true,
    name: identity.name,
    nickname: identity.preferred_username,
    app_metadata: { passkey_sub: identity.passkey_sub, passkey_credential_id: identity.credential_id },
  });
}
