// openid-client (panva) as the relying party of Corbado.Oidc: discovery, the code flow with PKCE S256, nonce, state
// and login_hint, the back-channel code exchange (which validates the ID token against the server's JWKS) and userinfo.
// Driven by OpenIdClientRelyingPartyTests; prints one JSON line on success, exits non-zero with the error otherwise.
import * as client from 'openid-client';
import { required } from './env.mjs';

const issuer = new URL(required('OIDC_ISSUER'));
const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');
const redirectUri = required('OIDC_REDIRECT_URI');
const loginHint = required('OIDC_LOGIN_HINT');

// The test server's issuer is http on loopback (Development); a production issuer is https.
const config = await client.discovery(issuer, clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests],
});

const codeVerifier = client.randomPKCECodeVerifier();
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
const nonce = client.randomNonce();
const state = client.randomState();

const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email',
  code_challenge: codeChallenge,
  code_challenge_method: 'S256',
  nonce,
  state,
  login_hint: loginHint,
});

// The browser leg: the server answers /authorize with a redirect to the client's redirect_uri.
const authorization = await fetch(authorizationUrl, { redirect: 'manual' });
const location = authorization.headers.get('location');
if (authorization.status !== 302 || !location) {
  throw new Error(`/authorize answered ${authorization.status} without a redirect: ${await authorization.text()}`);
}

const callbackUrl = new URL(location, authorizationUrl);
const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
  pkceCodeVerifier: codeVerifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});

const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

process.stdout.write(JSON.stringify({
  nonce,
  callback: callbackUrl.origin + callbackUrl.pathname,
  issuerParameter: callbackUrl.searchParams.get('iss'),
  idToken: claims,
  userinfo,
}) + '\n');
