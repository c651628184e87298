// openid-client (panva) as a relying party of the hosted passkey page, in two steps around the browser, as a web app
// keeps its login state in its session between the redirect and the callback. Driven by OpenIdClientHostedSignInTests.
//   node hosted-rp.mjs begin   builds the authorization URL without a hint (PKCE S256, state, nonce) and prints
//                              {"url", "state", "nonce", "codeVerifier"};
//   node hosted-rp.mjs finish  redeems OIDC_CALLBACK_URL with that state (OIDC_STATE, OIDC_NONCE, OIDC_CODE_VERIFIER):
//                              the code exchange validates the ID token against the server's JWKS; prints its claims
//                              and the userinfo answer.
// One JSON line on success; a non-zero exit with the error otherwise.
import * as client from 'openid-client';
import { required } from './env.mjs';

const issuer = new URL(required('OIDC_ISSUER'));
const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');
const redirectUri = required('OIDC_REDIRECT_URI');

// The test server's issuer is http on loopback (Development); a production issuer is https.
const config = await client.discovery(issuer, clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests],
});

const step = process.argv[2];
if (step === 'begin') {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  process.stdout.write(JSON.stringify({ url: url.href, state, nonce, codeVerifier }) + '\n');
} else if (step === 'finish') {
  const tokens = await client.authorizationCodeGrant(config, new URL(required('OIDC_CALLBACK_URL')), {
    pkceCodeVerifier: required('OIDC_CODE_VERIFIER'),
    expectedState: required('OIDC_STATE'),
    expectedNonce: required('OIDC_NONCE'),
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  process.stdout.write(JSON.stringify({ idToken: claims, userinfo }) + '\n');
} else {
  throw new Error('usage: node hosted-rp.mjs begin|finish');
}
