/*! cognito-wasm: async methods */
// The asynchronous methods of CognitoAuth. Each calls the wasm's one entry point with its own
// name (CognitoAuth::call in src/js/mod.rs dispatches): one export and one copy of the Promise
// glue in the wasm instead of one per method. scripts/finish-pkg.mjs appends this to the
// package's module; the types are the `CognitoAuth` interface in src/js/types.d.ts.
for (const m of [
  'signIn', 'confirmSignIn', 'getPendingSignIn', 'autoSignIn', 'getSession', 'signOut',
  'signUp', 'confirmSignUp', 'confirmSignUpFromLink', 'resendSignUpCode',
  'forgotPassword', 'confirmForgotPassword', 'changePassword',
  'getUserAttributes', 'updateUserAttributes', 'verifyUserAttribute', 'sendUserAttributeVerificationCode', 'deleteUserAttributes', 'deleteUser',
  'setUpTotp', 'verifyTotpSetup', 'updateMfaPreference', 'fetchMfaPreference',
  'rememberDevice', 'forgetDevice', 'fetchDevices',
  'registerPasskey', 'listPasskeys', 'deletePasskey', 'fetchAuthFactors',
  'signInWithRedirect', 'authorizeUrl', 'handleRedirectCallback', 'verifyToken',
]) install(m);

// A method named like the others (stack traces, devtools), not enumerable, like class methods.
// Async, so misuse rejects like every other failure instead of throwing synchronously.
function install(m) {
  Object.defineProperty(CognitoAuth.prototype, m, {
    value: { async [m](input) {
      if (!(this instanceof CognitoAuth)) {
        throw sdkError('ConfigError', `${m} was called without its CognitoAuth (a detached method?): call auth.${m}(…) or bind it`);
      }
      // wasm-bindgen zeroes the pointer in free().
      if (!this.__wbg_ptr) throw sdkError('InvalidStateError', `${m} was called after free()`);
      if (!SHARED.has(m)) return this.__call(m, input);
      let calls = running.get(this);
      if (!calls) running.set(this, (calls = new Map()));
      const key = shareKey(m, input);
      let call = calls.get(key);
      if (!call) {
        call = this.__call(m, input);
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
