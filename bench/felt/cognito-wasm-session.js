// A returning user's page: tokens are in localStorage; the page asks for the session.
// Served as is (not bundled): it loads /pkg/ exactly as a user's page would.
import init, { CognitoAuth } from '/pkg/cognito_wasm.js';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
try {
  await init();
  const auth = new CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint });
  const s = await auth.getSession();
  window.felt = { t: performance.now(), username: s?.username ?? null };
} catch (e) {
  window.felt = { error: String(e?.stack || e) };
}
