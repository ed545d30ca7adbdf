// @aws-amplify/auth v6 doing the same job as cognito-wasm's signIn + getSession.
import { Amplify } from '@aws-amplify/core';
import { fetchAuthSession, signIn as amplifySignIn, signOut } from '@aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from '@aws-amplify/auth/cognito';

let configured = '';
export async function signIn({ userPoolId, clientId, endpoint, username, password }) {
  if (configured !== userPoolId) {
    // What aws-amplify's configure does for the auth category: the token provider is wired in.
    const config = { Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: endpoint } } };
    Amplify.configure(config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider } });
    cognitoUserPoolsTokenProvider.setAuthConfig(config.Auth);
    configured = userPoolId;
  }
  const r = await amplifySignIn({ username, password });
  if (!r.isSignedIn) throw new Error(`not signed in: ${r.nextStep.signInStep}`);
  return r;
}

export async function after() {
  await fetchAuthSession();
  await signOut();
}
