// aws-amplify 6's sign-in page: configure, then signIn (USER_SRP_AUTH). Bundled alone with
// esbuild --bundle --minify, so the page loads only what signIn needs.
import { Amplify } from '@aws-amplify/core';
import { signIn } from '@aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from '@aws-amplify/auth/cognito';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
try {
  // What aws-amplify's Amplify.configure does for the auth category: the token provider is
  // wired in and given the config.
  const config = { Auth: { Cognito: { userPoolId: cfg.userPoolId, userPoolClientId: cfg.clientId, userPoolEndpoint: cfg.endpoint } } };
  Amplify.configure(config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } });
  cognitoUserPoolsTokenProvider.setAuthConfig(config.Auth);
  const r = await signIn({ username: cfg.username, password: cfg.password, options: { authFlowType: 'USER_SRP_AUTH' } });
  window.felt = { t: performance.now(), signedIn: r.isSignedIn === true, step: r.isSignedIn ? null : r.nextStep?.signInStep };
} catch (e) {
  window.felt = { error: String(e?.stack || e) };
}
