// A relying party's validation of a Back-Channel Logout 1.0 logout token (§2.6), with panva's libraries: openid-client
// for discovery (the jwks_uri and the advertised support) and jose (openid-client's own JOSE layer) for the signature
// against the JWKS fetched over HTTP, typ, iss, aud and the time claims. Driven by BackchannelLogoutTests; prints one
// JSON line (protected header and payload) on success, exits non-zero with the error otherwise.
import * as client from 'openid-client';
import { required } from './env.mjs';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = new URL(required('OIDC_ISSUER'));
const clientId = required('OIDC_CLIENT_ID');
const logoutToken = required('LOGOUT_TOKEN');

// The test server's issuer is http on loopback (Development); a production issuer is https.
const config = await client.discovery(issuer, clientId, undefined, undefined, { execute: [client.allowInsecureRequests] });
const metadata = config.serverMetadata();
if (metadata.backchannel_logout_supported !== true || metadata.backchannel_logout_session_supported !== true) {
  throw new Error('discovery does not advertise back-channel logout with sessions');
}

const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
  issuer: metadata.issuer,
  audience: clientId,
  typ: 'logout+jwt',
  algorithms: ['RS256'],
  requiredClaims: ['iat', 'exp', 'jti', 'sub', 'sid', 'events'],
  maxTokenAge: '2 minutes',
});

// §2.6 steps 4 and 5: the logout event is present, a nonce is not.
const event = payload.events?.['http://schemas.openid.net/event/backchannel-logout'];
if (typeof event !== 'object' || event === null || Array.isArray(event)) {
  throw new Error('events lacks the back-channel logout event');
}
if ('nonce' in payload) {
  throw new Error('a logout token must not carry a nonce');
}

console.log(JSON.stringify({ protectedHeader, payload }));
