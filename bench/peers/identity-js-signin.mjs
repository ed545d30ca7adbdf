// amazon-cognito-identity-js doing the same job as cognito-wasm's signIn + getSession.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';

export function signIn({ userPoolId, clientId, endpoint, username, password }) {
  const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((ok, fail) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => {
        user.signOut();
        ok(session.getAccessToken().getJwtToken());
      },
      onFailure: fail,
    }),
  );
}
