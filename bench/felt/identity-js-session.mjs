// amazon-cognito-identity-js 6.3's returning-user page: getCurrentUser().getSession from the
// stored tokens. Bundled alone with esbuild --bundle --minify.
import { CognitoUserPool } from 'amazon-cognito-identity-js';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
const pool = new CognitoUserPool({ UserPoolId: cfg.userPoolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });
const user = pool.getCurrentUser();
if (!user) {
  window.felt = { t: performance.now(), username: null };
} else {
  user.getSession((e, session) => {
    window.felt = e ? { error: String(e?.stack || e) } : { t: performance.now(), username: session.getAccessToken().payload.username ?? null };
  });
}
