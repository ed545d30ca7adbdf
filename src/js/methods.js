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
  Object.defineProperty(CognitoAuth.prototype, m, {
    value: { [m](input) { return this.__call(m, input); } }[m],
    writable: true,
    configurable: true,
  });
}
