// Runs deploy/auth0/login.js as Auth0's custom-database runtime does: the script's source evaluated with the globals
// Auth0 provides (configuration, WrongUsernameOrPasswordError), then login(username, password, callback). Prints the
// callback's outcome as JSON. Environment: AUTH0_SCRIPT, CORBADO_OIDC_URL, CORBADO_OIDC_CLIENT_ID,
// CORBADO_OIDC_CLIENT_SECRET, LOGIN_USERNAME, LOGIN_PASSWORD, optional CORBADO_OIDC_MATCH_USERNAME.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

class WrongUsernameOrPasswordError extends Error {
  constructor(username, message) {
    super(message);
    this.name = 'WrongUsernameOrPasswordError';
    this.username = username;
  }
}

const configuration = {
  CORBADO_OIDC_URL: process.env.CORBADO_OIDC_URL,
  CORBADO_OIDC_CLIENT_ID: process.env.CORBADO_OIDC_CLIENT_ID,
  CORBADO_OIDC_CLIENT_SECRET: process.env.CORBADO_OIDC_CLIENT_SECRET,
  CORBADO_OIDC_MATCH_USERNAME: process.env.CORBADO_OIDC_MATCH_USERNAME ?? 'false',
};

const context = vm.createContext({ configuration, WrongUsernameOrPasswordError, Buffer, fetch, AbortSignal, encodeURIComponent, JSON });
vm.runInContext(readFileSync(process.env.AUTH0_SCRIPT, 'utf8'), context);

const outcome = await new Promise((resolve) => {
  context.login(process.env.LOGIN_USERNAME, process.env.LOGIN_PASSWORD, (error, profile) => resolve({ error, profile }));
});

console.log(JSON.stringify({
  error: outcome.error ? { name: outcome.error.name, message: outcome.error.message } : null,
  profile: outcome.profile ?? null,
}));
