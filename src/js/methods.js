/*! cognito-wasm: async methods */
// The asynchronous methods of CognitoAuth. Each calls the wasm's one entry point with its own
// index (CognitoAuth::call in src/js/mod.rs hands the call to the part of the package that
// carries the method): one export and one copy of the Promise glue in the wasm instead of one
// per method. A part's modules are fetched before its first call (loader.js), then the wasm is
// told (`preload`). The list is the declarations' (the CognitoAuth interface of
// src/js/types.d.ts), written in by scripts/finish-pkg.mjs: [name, index, part].
import { importVerified, loadPart } from './__wasm_split.js';

const METHODS = /*@methods*/ [];
const PRELOAD = METHODS.find(([n]) => n === 'preload')[1];
for (const [m, i, part] of METHODS) install(m, i, part);

// The parts whose modules are in (per page: a module serves every CognitoAuth).
const ready = new Map([['main', Promise.resolve()]]);
function enter(auth, part) {
  let r = ready.get(part);
  if (!r) {
    r = loadPart(part).then(
      () => auth.__call(PRELOAD, part),
      (e) => {
        ready.delete(part);
        throw Object.assign(sdkError('NetworkError', `cannot load the ${part} part of cognito-wasm (its .wasm file, next to cognito_wasm.js, could not be fetched or compiled: ${e && e.message}): try again`), { retryable: true });
      },
    );
    ready.set(part, r);
  }
  return r;
}

// A method named like the others (stack traces, devtools), not enumerable, like class methods.
// Async, so misuse rejects like every other failure instead of throwing synchronously.
function install(m, i, part) {
  Object.defineProperty(CognitoAuth.prototype, m, {
    value: { async [m](input) {
      if (!(this instanceof CognitoAuth)) {
        throw sdkError('ConfigError', `${m} was called without its CognitoAuth (a detached method?): call auth.${m}(…) or bind it`);
      }
      // wasm-bindgen zeroes the pointer in free().
      if (!this.__wbg_ptr) throw sdkError('InvalidStateError', `${m} was called after free()`);
      if (m === 'preload') {
        const p = typeof input === 'string' && METHODS.some(([, , q]) => q === input) ? input : 'main';
        if (p === 'main') return this.__call(i, input);
        // The part's first load tells this client (enter); later, this client is told here.
        const loaded = ready.has(p);
        return enter(this, p).then(() => (loaded ? this.__call(i, p) : undefined)).then(() => undefined);
      }
      if (!SHARED.has(m)) return enter(this, part).then(() => this.__call(i, input));
      let calls = running.get(this);
      if (!calls) running.set(this, (calls = new Map()));
      const key = shareKey(m, input);
      let call = calls.get(key);
      if (!call) {
        call = enter(this, part).then(() => this.__call(i, input));
        calls.set(key, call);
        call.finally(() => calls.delete(key)).catch(() => {});
      }
      return call;
    } }[m],
    writable: true,
    configurable: true,
  });
}

// An identical call made while one runs (a double click, React StrictMode's double effect)
// shares it and its result: repeating it would fail on a used session or state, or do the
// work twice. Kept here rather than in the wasm: a few hundred bytes of JS instead of a KB.
const SHARED = new Set(['signIn', 'confirmSignIn', 'handleRedirectCallback']);
const running = new WeakMap();

// The key of a call; a unique object when the input cannot be serialised (the wasm then
// rejects it with a ConfigError, unshared).
function shareKey(m, input) {
  try {
    if (m !== 'handleRedirectCallback') return m + JSON.stringify(input === undefined ? null : input);
    // A callback is its state, whether the URL is given or read from the address bar (which
    // the first call cleans).
    const u = new URL(input == null ? location.href : input);
    return m + (u.searchParams.get('state') || new URLSearchParams(u.hash.slice(1)).get('state'));
  } catch {
    return typeof input === 'string' ? m + input : {};
  }
}

function sdkError(name, message) {
  return Object.assign(new Error(message), { name, retryable: false });
}

// signRequest, fetchSigned and presignUrl take the request apart in JS (the body's SHA-256 by
// WebCrypto) around the wasm's signing: src/js/aws.js, a module of its own fetched with the
// aws part on first use (with its integrity, like the wasm), so that the other pages do not load it.
let awsModule;
for (const m of ['signRequest', 'fetchSigned', 'presignUrl']) {
  Object.defineProperty(CognitoAuth.prototype, m, {
    value: { async [m](...args) {
      if (!(this instanceof CognitoAuth)) throw sdkError('ConfigError', `${m} was called without its CognitoAuth (a detached method?)`);
      if (!this.__wbg_ptr) throw sdkError('InvalidStateError', `${m} was called after free()`);
      // Kept in a local: a failed load resets awsModule (the next call tries again) before
      // this call gets to await it.
      const mod = (awsModule ||= importVerified('cognito_wasm_aws.js').catch((e) => {
        awsModule = undefined;
        throw Object.assign(sdkError('NetworkError', `cannot load the aws part of cognito-wasm (cognito_wasm_aws.js): ${e.message}`), { retryable: true });
      }));
      // An unhandled rejection until awaited below (after the wasm half): say it is handled.
      mod.catch(() => {});
      await enter(this, 'aws');
      const call = (name, input) => this.__call(METHODS.find(([n]) => n === name)[1], input);
      return (await mod)[m](this, call, sdkError, ...args);
    } }[m],
    writable: true,
    configurable: true,
  });
}

// CognitoAuth.fromAmplifyConfig(config, options): the options from an Amplify configuration —
// Gen 2 amplify_outputs.json ({auth: {user_pool_id, …}}), Gen 1 aws-exports.js
// ({aws_user_pools_id, …}) or Amplify v6's ResourcesConfig ({Auth: {Cognito: {…}}}) — merged
// with `options` (which win: storage, endpoint, allowedReturnPaths, …). A field it cannot carry
// over is a ConfigError naming it. Pool settings (password policy, MFA, attributes) are the
// pool's business, not the client's, and are skipped.
CognitoAuth.fromAmplifyConfig = function fromAmplifyConfig(config, options) {
  return new CognitoAuth({ ...amplifyOptions(config), ...options });
};

// Per shape: the path of its auth section; its names for pool, client, identity pool, guest
// access; the path of its OAuth section and that section's names for domain, scopes, sign-in and
// sign-out redirects, response type. Other fields are the pool's own settings (skipped) or, in
// the auth section, refused by name.
const SHAPES = [
  ['auth', 'user_pool_id user_pool_client_id identity_pool_id unauthenticated_identities_enabled', 'oauth', 'domain scopes redirect_sign_in_uri redirect_sign_out_uri response_type'],
  ['Auth.Cognito', 'userPoolId userPoolClientId identityPoolId allowGuestAccess userPoolEndpoint', 'loginWith.oauth', 'domain scopes redirectSignIn redirectSignOut responseType'],
  ['', 'aws_user_pools_id aws_user_pools_web_client_id aws_cognito_identity_pool_id', 'oauth', 'domain scope redirectSignIn redirectSignOut responseType'],
];
const SKIPPED = /^(aws_region|mfa\w*|standard_required_attributes|username\w*|user_verification_types|groups|password\w*|identity_providers|providers|region|signUpVerificationMethod|userAttributes|email|phone|loginWith|oauth|aws_cognito_(?!identity)\w+|aws_mandatory_sign_in)$/;

function amplifyOptions(c) {
  const fail = (field, why) => {
    throw sdkError('ConfigError', `fromAmplifyConfig: ${field} ${why}`);
  };
  const at = (o, path) => path.split('.').reduce((v, k) => v && (k ? v[k] : v), o);
  const [where, names, oauthAt, oauthNames] = SHAPES.find((s) => c && at(c, s[0]) && at(at(c, s[0]), s[1].split(' ')[0])) ||
    fail('config', 'has no user pool id');
  const name = (path) => (where ? where + '.' : '') + path;
  const fields = (o, list, prefix) => {
    const n = list.split(' ');
    // Gen 1 keeps everything at the top level: only its Cognito fields are checked there.
    for (const k in o) if (!n.includes(k) && !SKIPPED.test(k) && (where || prefix || /^aws_(cognito|user_pools)_/.test(k))) fail(name(prefix + k), 'has no cognito-wasm equivalent');
    return n.map((k) => o[k]);
  };
  const a = at(c, where);
  const [userPoolId, clientId, identityPoolId, guests, endpoint] = fields(a, names, '');
  if (!clientId) fail(name(names.split(' ')[1]), 'is missing');
  const out = { userPoolId, clientId };
  if (endpoint) out.endpoint = endpoint.replace(/\/?$/, '/');
  if (identityPoolId) out.identityPoolId = identityPoolId;
  if (identityPoolId && guests) out.allowGuestAccess = true;
  const o = at(a, oauthAt);
  if (o && o.domain) {
    const [domain, scopes, signIn, signOut, type] = fields(o, oauthNames, oauthAt + '.');
    const field = (i) => name(oauthAt + '.' + oauthNames.split(' ')[i]);
    if (type && type !== 'code') fail(field(4), `"${type}" is not supported (only "code")`);
    // Amplify lists a redirect per environment and uses the one on this page's origin; so does this.
    const pick = (list, i) => {
      const urls = (Array.isArray(list) ? list : String(list || '').split(',')).map((u) => u.trim()).filter((u) => /^https?:\/\//.test(u));
      return urls.find((u) => new URL(u).origin === location.origin) || urls[0] || fail(field(i), 'has no http(s) URL');
    };
    out.hostedUi = { domain: /^https?:/.test(domain) ? domain : `https://${domain}`, redirectSignIn: pick(signIn, 2), redirectSignOut: pick(signOut, 3) };
    if (scopes && scopes.length) out.hostedUi.scopes = scopes;
  }
  return out;
}
