// customMessage Lambda trigger: the sign-up code as a link to the app, which confirms with
// `auth.confirmSignUpFromLink(location.href)`. An unchanged Lambda handler: deploy it as is, or
// run it in the emulator through emulator/adapters/lambda_adapter.mjs (see triggers.json).
//
// Cognito fills `{####}` with the code; the message must contain it. (Cognito uses a custom
// e-mail text only when the pool sends e-mail through Amazon SES; the emulator always does.)

// Where the link points. A real handler uses the app's fixed URL; the demo passes its own origin
// as ClientMetadata `linkBase`, accepted only for local addresses so a caller cannot make the
// pool e-mail a link to a site of its choosing.
const DEFAULT_BASE = process.env.CONFIRM_LINK_BASE || 'http://127.0.0.1:8080/';
const local = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//;

export const handler = async (event) => {
  const { triggerSource, request, userName } = event;
  if (triggerSource === 'CustomMessage_SignUp' || triggerSource === 'CustomMessage_ResendCode') {
    const asked = request.clientMetadata?.linkBase;
    const base = asked && local.test(asked) ? asked : DEFAULT_BASE;
    const link = `${base}?username=${encodeURIComponent(userName)}&code=${request.codeParameter}`;
    event.response.emailSubject = 'Confirm your account';
    event.response.emailMessage = `Welcome, ${userName}! Confirm your account: ${link} (or enter the code ${request.codeParameter})`;
    event.response.smsMessage = `Your confirmation code is ${request.codeParameter}`;
  }
  return event;
};
