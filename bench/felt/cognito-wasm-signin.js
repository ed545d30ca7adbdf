// The sign-in page's own script, as the README shows it: init, a CognitoAuth, an SRP sign-in.
// Served as is (not bundled): it loads /pkg/ exactly as a user's page would. The page records
// when signIn resolves (ms since navigation start) in window.felt for bench/felt-speed.mjs.
import init, { CognitoAuth } from '/pkg/cognito_wasm.js';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
try {
  await init();
  const auth = new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint });
  const r = await auth.signIn({ username: cfg.username, password: cfg.password, flow: 'USER_SRP_AUTH' });
  window.felt = { t: performance.now(), signedIn: r.signedIn === true, step: r.signedIn ? null : JSON.stringify(r) };
} catch (e) {
  window.felt = { error: String(e?.stack || e) };
}
