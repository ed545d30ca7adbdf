// preTokenGeneration Lambda trigger (V1_0): adds a `plan` claim to the ID token, which the SDK's
// `currentUser()` and `getSession()` then show. An unchanged Lambda handler.
export const handler = async (event) => {
  event.response.claimsOverrideDetails = {
    claimsToAddOrOverride: { plan: event.request.userAttributes.name === 'Ada Lovelace' ? 'legacy' : 'free' },
  };
  return event;
};
