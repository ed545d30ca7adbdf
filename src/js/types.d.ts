
/** A key/value store for tokens; methods may return values or Promises. */
export interface AuthStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export interface HostedUiOptions {
  /** e.g. "myapp.auth.us-east-1.amazoncognito.com" or "https://auth.example.com" */
  domain: string;
  /** A callback URL registered on the app client (exact match). */
  redirectSignIn: string;
  /** A sign-out URL registered on the app client; defaults to redirectSignIn. */
  redirectSignOut?: string;
  /** Default: openid email profile aws.cognito.signin.user.admin */
  scopes?: string[];
  /** Relative paths a redirect sign-in may return to; "/app/*" matches a prefix. Default ["/"]. */
  allowedReturnPaths?: string[];
}

/** `document.cookie` storage (like Amplify's CookieStorage): sub-domains can share a session. */
export interface CookieStorageOptions {
  /** e.g. "example.com" to share with its sub-domains; host-only when absent. */
  domain?: string;
  /** Default "/". */
  path?: string;
  /** Default: set on https pages. */
  secure?: boolean;
  /** Default "lax". */
  sameSite?: "strict" | "lax" | "none";
  /** Days, default 365. */
  expires?: number;
}

/** Key-value pairs for the pool's Lambda triggers (`ClientMetadata`). */
export type ClientMetadata = Record<string, string>;

export interface CognitoAuthOptions {
  /** "<region>_<id>", e.g. "us-east-1_AbC123" */
  userPoolId: string;
  clientId: string;
  /** Only for confidential clients (a browser cannot keep a secret): adds SECRET_HASH. */
  clientSecret?: string;
  /** cognito-idp endpoint; default https://cognito-idp.<region>.amazonaws.com/ */
  endpoint?: string;
  /**
   * Accepted token issuer(s); default derived from endpoint, or both of a pool's public forms
   * (https://cognito-idp.<region>.amazonaws.com/<pool> and https://issuer-cognito-idp.…).
   */
  issuer?: string | string[];
  /** Allow a plain-http endpoint on a non-loopback host (trusted test networks only). */
  allowInsecureEndpoint?: boolean;
  hostedUi?: HostedUiOptions;
  /** Default "localStorage". */
  storage?: "localStorage" | "sessionStorage" | "memory" | { cookie: CookieStorageOptions } | AuthStorage;
  /** Each request is given up after this long, body included (ms, default 15000). */
  requestTimeoutMs?: number;
  /** Extra headers on every request to Cognito (the JSON API and the hosted-UI endpoints). */
  headers?: Record<string, string>;
  /** The app client rotates refresh tokens: refresh with GetTokensFromRefreshToken. */
  refreshTokenRotation?: boolean;
  /**
   * User migration (a `userMigration` Lambda trigger): when an SRP sign-in is answered with
   * `UserNotFoundException`, try once more with `USER_PASSWORD_AUTH`, the only flow in which the
   * trigger sees the password. The app client must allow `ALLOW_USER_PASSWORD_AUTH`. Default false.
   */
  migrateUsers?: boolean;
  /** Verify every token received (JWKS + WebCrypto). Default true. */
  verifyTokens?: boolean;
  /** Refresh this long before expiry (seconds, default 60). */
  refreshMarginSeconds?: number;
  /** Retries for throttling, 5xx and network failures where safe (default 3, max 10). */
  maxRetries?: number;
  /** How many accounts may be signed in at once (`signIn({ addAccount: true })`), 1–50. Default 5. */
  maxAccounts?: number;
  /** Name for remembered devices (default: the browser's user agent). */
  deviceName?: string;
  /** Issuer shown by authenticator apps for TOTP (default: the pool name). */
  appName?: string;
  /** An identity pool ("<region>:<uuid>") for AWS credentials (getCredentials, signRequest, fetchSigned). */
  identityPoolId?: string;
  /** cognito-identity endpoint; default https://cognito-identity.<region>.amazonaws.com/ */
  identityEndpoint?: string;
  /** Guest (unauthenticated) credentials when nobody is signed in. Default false. */
  allowGuestAccess?: boolean;
}

export type AuthFlow = "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "CUSTOM_WITH_SRP" | "CUSTOM_WITHOUT_SRP" | "USER_AUTH";

/** A first factor of choice-based sign-in (`flow: 'USER_AUTH'`). */
export type AuthFactor = "PASSWORD" | "PASSWORD_SRP" | "EMAIL_OTP" | "SMS_OTP" | "WEB_AUTHN";

interface SignInBase {
  username: string;
  clientMetadata?: ClientMetadata;
  /**
   * Sign in another account while one is signed in: it becomes the current account and the
   * others stay signed in (at most `maxAccounts`; past it, AccountLimitError before any request).
   * Without it, signIn while signed in is an InvalidStateError.
   */
  addAccount?: boolean;
}

export type SignInOptions = SignInBase &
  (
    | { /** Default USER_SRP_AUTH. */ flow?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "CUSTOM_WITH_SRP"; password: string }
    | { flow: "CUSTOM_WITHOUT_SRP"; password?: undefined }
    /** Choice-based sign-in with a password (PASSWORD sends it over TLS, PASSWORD_SRP never does). */
    | { flow: "USER_AUTH"; preferredChallenge: "PASSWORD" | "PASSWORD_SRP"; password: string }
    /**
     * Choice-based sign-in without a password: EMAIL_OTP / SMS_OTP answer with a code step,
     * WEB_AUTHN signs in with a passkey in this one call; none (or one the user cannot use)
     * answers SELECT_CHALLENGE.
     */
    | { flow: "USER_AUTH"; preferredChallenge?: "EMAIL_OTP" | "SMS_OTP" | "WEB_AUTHN"; password?: undefined }
  );

export interface CodeDelivery {
  destination: string | null;
  deliveryMedium: "EMAIL" | "SMS" | null;
  attributeName: string | null;
}

export type MfaType = "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA";

interface StepBase {
  /** When the step stops being answerable (ms since the epoch). */
  expiresAt: number;
}

export type NextStep = StepBase &
  (
    | { challenge: "NEW_PASSWORD_REQUIRED"; requiredAttributes: string[]; userAttributes: Record<string, string> }
    | { challenge: "SMS_MFA" | "EMAIL_OTP" | "SMS_OTP"; codeDeliveryDetails: { destination: string | null; deliveryMedium: string | null } }
    | { challenge: "SOFTWARE_TOKEN_MFA"; friendlyDeviceName?: string }
    | { challenge: "SELECT_MFA_TYPE"; allowedMfaTypes: MfaType[] }
    | { challenge: "MFA_SETUP"; allowedMfaTypes: MfaType[]; totpSetup?: TotpSetup }
    | { challenge: "CUSTOM_CHALLENGE"; parameters: Record<string, string> }
    /** USER_AUTH: answer with `confirmSignIn({ factor, password? })`. */
    | { challenge: "SELECT_CHALLENGE"; availableChallenges: AuthFactor[] }
  );

export type SignInResult = { signedIn: true } | { signedIn: false; nextStep: NextStep };

export interface ConfirmSignInOptions {
  /** SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, and MFA_SETUP with TOTP. */
  code?: string;
  /** NEW_PASSWORD_REQUIRED */
  newPassword?: string;
  /** NEW_PASSWORD_REQUIRED: required attributes. */
  attributes?: Record<string, string>;
  /** SELECT_MFA_TYPE */
  mfaType?: "SMS" | "EMAIL" | "TOTP" | MfaType;
  /** MFA_SETUP by e-mail */
  email?: string;
  /** MFA_SETUP with TOTP: name of the authenticator. */
  deviceName?: string;
  /** CUSTOM_CHALLENGE */
  answer?: string;
  /**
   * SELECT_CHALLENGE: one of `availableChallenges` (with `password` for PASSWORD and
   * PASSWORD_SRP). WEB_AUTHN runs the passkey ceremony inside this call.
   */
  factor?: AuthFactor;
  /** SELECT_CHALLENGE with PASSWORD or PASSWORD_SRP. */
  password?: string;
  /** Any other challenge: raw ChallengeResponses. */
  challengeResponses?: Record<string, string>;
  clientMetadata?: ClientMetadata;
}

export interface SignUpOptions {
  username: string;
  /** Leave out for a passwordless user (pools that allow EMAIL_OTP, SMS_OTP or WEB_AUTHN). */
  password?: string;
  attributes?: Record<string, string>;
  /** Sign in after confirmSignUp with autoSignIn() (survives a reload; no password is kept). */
  autoSignIn?: boolean;
  clientMetadata?: ClientMetadata;
}

export interface SignUpResult {
  userConfirmed: boolean;
  userSub: string | null;
  codeDelivery: CodeDelivery | null;
}

export interface ConfirmSignUpResult {
  confirmed: true;
  /** autoSignIn() will sign the user in. */
  autoSignIn: boolean;
}

export interface CodeDeliveryResult {
  codeDelivery: CodeDelivery | null;
}

export interface UpdateAttributesResult {
  codeDeliveries: CodeDelivery[];
}

export interface Session {
  username: string;
  idToken: string;
  accessToken: string;
  /** When the first of the two tokens expires, local clock (ms since the epoch). */
  expiresAt: number;
}

export interface SignOutOptions {
  /** GlobalSignOut: revoke every session of the current account's user. */
  global?: boolean;
  /** Hosted-UI sessions: go to the hosted UI's /logout afterwards (default true). */
  redirect?: boolean;
  /** End every signed-in account, not only the current one. */
  allAccounts?: boolean;
}

/** A signed-in account (`listAccounts`). */
export interface AccountSummary {
  username: string;
  sub: string | null;
  email?: string;
  /** The account `getSession()` and every account method act for. */
  current: boolean;
  /** When its tokens expire, local clock (ms since the epoch). */
  expiresAt: number;
  /** When it was last made the current account (ms since the epoch; 0 before the SDK kept the list). */
  lastUsedAt: number;
}

export interface CurrentUser {
  username: string;
  sub: string | null;
  /** Attributes from the ID token. */
  attributes: Record<string, unknown>;
}

/** The parts of the package (see `preload`). */
export type PartName = "main" | "signIn" | "accounts" | "account" | "hosted" | "verify" | "aws";

/** Temporary AWS credentials of the identity pool. */
export interface AwsCredentials {
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch. */
  expiration: number;
  /** For a signed-in user (false: a guest). */
  authenticated: boolean;
}

/** The AWS service and region a request is signed for, e.g. `{ service: 's3', region: 'eu-west-1' }`. */
export interface SigningScope {
  /** The signing name: s3, execute-api, lambda, geo, iotdevicegateway, ... */
  service: string;
  region: string;
}

/** A request as plain data (or pass a `Request`). */
export interface PlainRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | ArrayBuffer | ArrayBufferView | Blob | URLSearchParams | null;
}

/** Event types by group. */
export interface AuthEventMap {
  /** `accountSwitched`: another signed-in account became the current one (every tab hears it). */
  session: "signedIn" | "signedOut" | "tokenRefresh" | "tokenRefreshFailure" | "accountSwitched";
  credentials: "credentialsRefresh" | "credentialsRefreshFailure";
  /** A request throttled (TooManyRequestsException) or failed in transit, tried again after
   * `retry.delayMs` (this tab only; at most `maxRetries` times). */
  network: "retrying";
}

export interface AuthEvent {
  type: AuthEventMap[keyof AuthEventMap];
  username: string | null;
  error?: { name: CognitoErrorName; message: string };
  /** Set when the event happened in another tab. */
  fromOtherTab?: true;
  /** `retrying` only: the operation, the attempt about to be made (2: the first retry), and
   * the pause before it. */
  retry?: { operation: string; attempt: number; delayMs: number };
}

export type IdentityProvider = "COGNITO" | "Google" | "Facebook" | "LoginWithAmazon" | "SignInWithApple" | (string & {});

export interface AuthorizeOptions {
  provider?: IdentityProvider;
  /** Relative path (on allowedReturnPaths) to return to after the callback. Default "/". */
  returnTo?: string;
  loginHint?: string;
  lang?: string;
  prompt?: "none" | "login" | "consent" | "select_account";
  idpIdentifier?: string;
  /** `signInWithRedirect`: the account that signs in joins the signed-in ones (see `signIn`'s `addAccount`). */
  addAccount?: boolean;
}

export interface RedirectResult {
  signedIn: true;
  returnTo: string;
}

export interface TotpSetup {
  secretCode: string;
  /** otpauth://totp/... for a QR code */
  uri: string;
}

export type MfaSetting = "ENABLED" | "DISABLED" | "PREFERRED" | "NOT_PREFERRED";

export interface MfaPreferenceUpdate {
  sms?: MfaSetting;
  totp?: MfaSetting;
  email?: MfaSetting;
  /**
   * Passkey MFA (Cognito, 2026-04): a passkey sign-in with user verification then counts as
   * MFA. Needs the pool's WebAuthnConfiguration.FactorConfiguration =
   * MULTI_FACTOR_WITH_USER_VERIFICATION and another MFA method on for the user (else Cognito's
   * InvalidParameterException, explained).
   */
  webAuthn?: "enabled" | "disabled";
}

export interface MfaPreference {
  enabled: ("SMS" | "TOTP" | "EMAIL")[];
  preferred: "SMS" | "TOTP" | "EMAIL" | null;
  /**
   * Passkey MFA in effect: a passkey sign-in with user verification counts as MFA. Cognito
   * reports no per-user setting; this is what GetUserAuthFactors shows (for a user with another
   * MFA method, WEB_AUTHN is available only with passkey MFA on, and a passkey registered).
   */
  webAuthn: "enabled" | "disabled";
}

export interface Device {
  deviceKey: string;
  name: string | null;
  /** This browser's device. */
  current: boolean;
  attributes: Record<string, string>;
  createdAt: number | null;
  lastModifiedAt: number | null;
  lastAuthenticatedAt: number | null;
}

/** Every `name` a rejected Promise's Error can carry. */
export type CognitoErrorName =
  | "NotAuthorizedException"
  | "UserNotFoundException"
  | "UserNotConfirmedException"
  | "PasswordResetRequiredException"
  | "UsernameExistsException"
  | "AliasExistsException"
  | "InvalidPasswordException"
  | "InvalidParameterException"
  | "CodeMismatchException"
  | "ExpiredCodeException"
  | "LimitExceededException"
  | "TooManyRequestsException"
  | "TooManyFailedAttemptsException"
  | "ResourceNotFoundException"
  | "CodeDeliveryFailureException"
  | "EnableSoftwareTokenMFAException"
  | "SoftwareTokenMFANotFoundException"
  | "MFAMethodNotFoundException"
  | "RefreshTokenReuseException"
  | "UnsupportedOperationException"
  | "InternalErrorException"
  | "NetworkError"
  | "ProtocolError"
  | "PasskeyError"
  | "AccountLimitError"
  | "WebAuthnNotEnabledException"
  | "WebAuthnConfigurationMissingException"
  | "WebAuthnChallengeNotFoundException"
  | "WebAuthnRelyingPartyMismatchException"
  | "WebAuthnClientMismatchException"
  | "WebAuthnOriginNotAllowedException"
  | "WebAuthnCredentialNotSupportedException"
  | "InvalidStateError"
  | "TokenVerificationError"
  | "SrpProtocolError"
  | "InvalidIdentityPoolConfigurationException"
  | "ResourceConflictException"
  | "ConfigError"
  | "OAuthError"
  | "InvalidReturnPathError"
  | "StorageError"
  | (string & {});

export interface CognitoError extends Error {
  name: CognitoErrorName;
  /** True when the same call may succeed later (throttling, service faults, network). */
  retryable: boolean;
  /** TokenVerificationError: the check that failed (iss, aud, exp, signature, kid, ...). */
  check?: string;
  /**
   * OAuthError: the OAuth error code (access_denied, invalid_request, ...). PasskeyError:
   * NotSupported, NotAllowed (cancelled, timed out, or no matching passkey: the browser does
   * not say which), AlreadyRegistered, RelyingPartyMismatch, InvalidOptions, Failed.
   */
  code?: string;
  /** Cognito exceptions: the HTTP status. */
  status?: number;
}

export interface Passkey {
  credentialId: string;
  friendlyName: string | null;
  relyingPartyId: string | null;
  authenticatorAttachment: "platform" | "cross-platform" | null;
  transports: string[];
  /** Epoch seconds. */
  createdAt: number | null;
}

export interface AuthFactors {
  /**
   * The factors available to the user (GetUserAuthFactors): first factors for
   * `flow: 'USER_AUTH'`, and SOFTWARE_TOKEN (TOTP), which is only ever an MFA factor.
   */
  configured: ("PASSWORD" | "EMAIL_OTP" | "SMS_OTP" | "WEB_AUTHN" | "SOFTWARE_TOKEN")[];
  /** MFA factors enabled. */
  mfa: MfaType[];
  preferredMfa: MfaType | null;
}

/**
 * The asynchronous methods (merged into the `CognitoAuth` class). Every rejection is a
 * `CognitoError`. This interface is the one list of the package's methods: `@part` names the
 * part of the package that carries each one, fetched on the method's first use (or ahead of it:
 * `preload`); `@js` marks a method written in JS around the wasm.
 */
export interface CognitoAuth {
  /**
   * The current tokens, refreshed first when they expire soon; null when signed out. Settles
   * in bounded time: on a stalled network, still-valid tokens after at most 3 s (the refresh
   * goes on in the background), else a retryable NetworkError after requestTimeoutMs.
   * @part main
   */
  getSession(options?: { forceRefresh?: boolean; clientMetadata?: ClientMetadata }): Promise<Session | null>;
  /**
   * Fetches and compiles a part before its first use (a login page: `preload('signIn')` while
   * the user types; the sign-in part then also opens the connection to the endpoint and
   * computes its SRP values ahead, at idle time).
   * Rejects with a retryable NetworkError when the part cannot be fetched.
   * @part main
   */
  preload(part: PartName): Promise<void>;
  /** Signs in (SRP by default). Resolves `{ signedIn: true }` or the next challenge step. @part signIn */
  signIn(options: SignInOptions): Promise<SignInResult>;
  /** Answers the pending challenge (MFA code, new password, TOTP setup, custom answer, ...). @part signIn */
  confirmSignIn(options: ConfirmSignInOptions): Promise<SignInResult>;
  /** The sign-in step waiting for `confirmSignIn` (also after a reload), or null. @part signIn */
  getPendingSignIn(): Promise<NextStep | null>;
  /** Signs in after `confirmSignUp` of a `signUp({ autoSignIn: true })`. @part signIn */
  autoSignIn(options?: { clientMetadata?: ClientMetadata }): Promise<SignInResult>;
  /**
   * Ends the current account (every account with `allAccounts`): revokes its refresh token
   * (or every session of the user with `global`), clears it in every tab, and for hosted-UI
   * sessions goes to the hosted UI's /logout unless `redirect: false`. The most recently used
   * other account, if any, becomes current (`accountSwitched`).
   * @part accounts
   */
  signOut(options?: SignOutOptions): Promise<{ redirecting?: true }>;
  /** The signed-in accounts (several accounts: `signIn({ addAccount: true })`). @part accounts */
  listAccounts(): Promise<AccountSummary[]>;
  /**
   * Makes a signed-in account (by username or sub) the current one in every tab
   * (`accountSwitched`); calls already running finish for the account they began with.
   * @part accounts
   */
  switchAccount(usernameOrSub: string): Promise<Session>;
  /** Registers a user (without `password`: a passwordless user). @part account */
  signUp(options: SignUpOptions): Promise<SignUpResult>;
  /** Confirms a sign-up with the code sent to the user. @part account */
  confirmSignUp(options: { username: string; code: string; clientMetadata?: ClientMetadata }): Promise<ConfirmSignUpResult>;
  /** Confirms from an e-mailed link carrying `username` and `code` (or `user_name`, `confirmation_code`). @part account */
  confirmSignUpFromLink(url: string): Promise<ConfirmSignUpResult>;
  /** Sends the sign-up code again. @part account */
  resendSignUpCode(options: { username: string; clientMetadata?: ClientMetadata }): Promise<CodeDeliveryResult>;
  /** Starts a password reset: a code is sent to the user. @part account */
  forgotPassword(options: { username: string; clientMetadata?: ClientMetadata }): Promise<CodeDeliveryResult>;
  /** Sets a new password with the reset code. @part account */
  confirmForgotPassword(options: { username: string; code: string; newPassword: string; clientMetadata?: ClientMetadata }): Promise<{}>;
  /** Changes the signed-in user's password. @part account */
  changePassword(options: { oldPassword: string; newPassword: string }): Promise<{}>;
  /** The signed-in user's attributes (GetUser). @part account */
  getUserAttributes(): Promise<Record<string, string>>;
  /** Changed e-mail addresses and phone numbers get a code: where each went. @part account */
  updateUserAttributes(options: { attributes: Record<string, string>; clientMetadata?: ClientMetadata }): Promise<UpdateAttributesResult>;
  /** Verifies an attribute with the code sent to it. @part account */
  verifyUserAttribute(options: { attributeName: string; code: string }): Promise<{}>;
  /** Sends a verification code for an attribute. @part account */
  sendUserAttributeVerificationCode(options: { attributeName: string; clientMetadata?: ClientMetadata }): Promise<CodeDeliveryResult>;
  /** Deletes attributes of the signed-in user. @part account */
  deleteUserAttributes(options: { attributeNames: string[] }): Promise<{}>;
  /** Deletes the user, then signs out locally. @part account */
  deleteUser(): Promise<{}>;
  /** Starts TOTP setup: the secret and an otpauth:// URI for a QR code. @part account */
  setUpTotp(options?: { issuer?: string }): Promise<TotpSetup>;
  /** Finishes TOTP setup with a first code from the authenticator app. @part account */
  verifyTotpSetup(options: { code: string; deviceName?: string }): Promise<{}>;
  /** Turns MFA methods on or off and chooses the preferred one. @part account */
  updateMfaPreference(options: MfaPreferenceUpdate): Promise<{}>;
  /** The MFA methods enabled and the preferred one. @part account */
  fetchMfaPreference(): Promise<MfaPreference>;
  /** Marks this browser's device as remembered (it then skips MFA). @part account */
  rememberDevice(): Promise<{}>;
  /** Forgets a device: this browser's by default. @part account */
  forgetDevice(options?: { deviceKey?: string }): Promise<{}>;
  /** The user's devices (every page). @part account */
  fetchDevices(): Promise<Device[]>;
  /** Registers a passkey for the signed-in user (the browser asks the user). @part account */
  registerPasskey(): Promise<{ credentialId: string }>;
  /** The signed-in user's passkeys (every page). @part account */
  listPasskeys(): Promise<Passkey[]>;
  /** Deletes one of the signed-in user's passkeys. @part account */
  deletePasskey(options: { credentialId: string }): Promise<{}>;
  /** How the signed-in user can sign in (GetUserAuthFactors). @part account */
  fetchAuthFactors(): Promise<AuthFactors>;
  /** Redirects to the hosted UI (PKCE S256, one-time state). @part hosted */
  signInWithRedirect(options?: AuthorizeOptions): Promise<{ redirecting: true }>;
  /** The hosted-UI authorize URL, for apps that navigate themselves. @part hosted */
  authorizeUrl(options?: AuthorizeOptions): Promise<string>;
  /** Completes a hosted-UI sign-in on the redirect page (the current URL by default). @part hosted */
  handleRedirectCallback(url?: string | null): Promise<RedirectResult>;
  /**
   * Verifies a Cognito JWT (signature with the issuer's JWKS, iss, token_use, audience,
   * expiry) and returns its claims.
   * @part verify
   */
  verifyToken(jwt: string): Promise<Record<string, unknown>>;
  /**
   * The identity pool's AWS credentials: the signed-in user's, a guest's (allowGuestAccess), or
   * null. Cached until 5 minutes before they expire; one request for concurrent callers.
   * @part aws
   */
  getCredentials(options?: { forceRefresh?: boolean }): Promise<AwsCredentials | null>;
  /** Signs a request (SigV4) with the current credentials: a Request gives a new Request. @part aws */
  signRequest(request: Request, scope: SigningScope): Promise<Request>;
  signRequest(request: PlainRequest, scope: SigningScope): Promise<Required<Pick<PlainRequest, "url" | "method" | "headers">> & Pick<PlainRequest, "body">>;
  /** fetch, signed with the current credentials. @part aws @js */
  fetchSigned(input: RequestInfo | URL, init: RequestInit | undefined, scope: SigningScope): Promise<Response>;
  /** A presigned URL (S3 GET/PUT); expiresIn (s, default 900) is capped at the credentials' remaining life. @part aws */
  presignUrl(url: string | URL, options: SigningScope & { expiresIn?: number; method?: "GET" | "PUT" }): Promise<{ url: string; expiresIn: number }>;
}


/** Gen 2 `amplify_outputs.json`, Gen 1 `aws-exports.js`, or Amplify v6's `Amplify.configure` object. */
export type AmplifyConfig = { auth: Record<string, unknown> } | { Auth: { Cognito: Record<string, unknown> } } | { aws_user_pools_id: string; [field: string]: unknown };

export declare namespace CognitoAuth {
  /**
   * Options from an Amplify configuration: user pool, app client, identity pool and guest
   * access, the OAuth domain, the redirect URLs (the one on this page's origin) and scopes;
   * `options` override them. Throws a `ConfigError` naming any field it cannot carry over
   * (e.g. `response_type: "token"`). Pool settings (password policy, MFA, attributes) are skipped.
   */
  function fromAmplifyConfig(config: AmplifyConfig, options?: Partial<CognitoAuthOptions>): CognitoAuth;
}
