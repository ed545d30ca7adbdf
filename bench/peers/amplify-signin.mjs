// @aws-amplify/auth v6 doing the same job as cognito-wasm's signIn + getSession.
import { Amplify } from '@aws-amplify/core';
import { fetchAuthSession, signIn as amplifySignIn, signOut } from '@aws-amplify/auth';

let configured = '';
export async function signIn({ userPoolId, clientId, endpoint, username, password }) {
  if (configured !== userPoolId) {
    Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: endpoint } } });
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
