// aws-amplify 6's returning-user page: configure, then fetchAuthSession from the stored tokens.
// Bundled alone with esbuild --bundle --minify, so the page loads only what this needs.
import { Amplify } from '@aws-amplify/core';
import { fetchAuthSession } from '@aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from '@aws-amplify/auth/cognito';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
try {
  // What aws-amplify's Amplify.configure does for the auth category: the token provider is
  // wired in and given the config.
  const config = { Auth: { Cognito: { userPoolId: cfg.userPoolId, userPoolClientId: cfg.clientId, userPoolEndpoint: cfg.endpoint } } };
  Amplify.configure(config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } });
  cognitoUserPoolsTokenProvider.setAuthConfig(config.Auth);
  const s = await fetchAuthSession();
  window.felt = { t: performance.now(), username: s.tokens?.accessToken?.payload?.username ?? null };
} catch (e) {
  window.felt = { error: String(e?.stack || e) };
}
