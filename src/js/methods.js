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
  'signInWithRedirect', 'authorizeUrl', 'handleRedirectCallback', 'verifyToken',
]) {
  // A method named like the others (stack traces, devtools), not enumerable, like class methods.
  // Async, so misuse rejects like every other failure instead of throwing synchronously.
  Object.defineProperty(CognitoAuth.prototype, m, {
    value: { async [m](input) {
      if (!(this instanceof CognitoAuth)) {
        throw sdkError('ConfigError', `${m} was called without its CognitoAuth (a detached method?): call auth.${m}(…) or bind it`);
      }
      // wasm-bindgen zeroes the pointer in free().
      if (!this.__wbg_ptr) throw sdkError('InvalidStateError', `${m} was called after free()`);
      return this.__call(m, input);
    } }[m],
    writable: true,
    configurable: true,
  });
}

function sdkError(name, message) {
  return Object.assign(new Error(message), { name, retryable: false });
}
