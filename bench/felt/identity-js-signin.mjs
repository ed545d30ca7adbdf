// amazon-cognito-identity-js 6.3's sign-in page: CognitoUser.authenticateUser (SRP). Bundled
// alone with esbuild --bundle --minify. `endpoint` points the pool at the emulator.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';

const cfg = JSON.parse(document.getElementById('felt-config').textContent);
const pool = new CognitoUserPool({ UserPoolId: cfg.userPoolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });
const user = new CognitoUser({ Username: cfg.username, Pool: pool });
user.authenticateUser(new AuthenticationDetails({ Username: cfg.username, Password: cfg.password }), {
  onSuccess: (session) => {
    window.felt = { t: performance.now(), signedIn: session.isValid() };
  },
  onFailure: (e) => {
    window.felt = { error: String(e?.stack || e) };
  },
  // Any other callback (MFA, new password, ...) means the sign-in did not finish.
  mfaRequired: () => (window.felt = { error: 'mfaRequired' }),
  totpRequired: () => (window.felt = { error: 'totpRequired' }),
  newPasswordRequired: () => (window.felt = { error: 'newPasswordRequired' }),
});
