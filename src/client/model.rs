//! The flows' inputs and results as Rust types. `js::convert` turns the JS objects of the
//! public API into these and back; nothing here knows a JS name.

pub use cognito_proto::challenge::{Answer, CodeDelivery, Factor, MfaType, NextStep, TotpSetup};
pub use cognito_proto::session::Session;
use cognito_proto::types::{Password, Username};

/// How `signIn` proves the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// USER_SRP_AUTH: the password never leaves the page.
    Srp,
    /// USER_PASSWORD_AUTH: the password goes to Cognito over TLS.
    Password,
    /// CUSTOM_AUTH, starting with SRP.
    CustomWithSrp,
    /// CUSTOM_AUTH, custom challenges only.
    CustomWithoutSrp,
    /// USER_AUTH (choice-based: passwords, one-time codes, passkeys), with the factor preferred
    /// (`PREFERRED_CHALLENGE`); without one, or one the user cannot use, Cognito asks
    /// SELECT_CHALLENGE.
    UserAuth(Option<Factor>),
}

impl Flow {
    pub fn needs_password(self) -> bool {
        match self {
            Flow::CustomWithoutSrp => false,
            Flow::UserAuth(f) => f.is_some_and(Factor::needs_password),
            _ => true,
        }
    }
}

/// `ClientMetadata`: key-value pairs for the pool's Lambda triggers.
pub type Metadata = Vec<(String, String)>;

#[derive(Clone, Debug)]
pub struct SignInInput {
    pub username: Username,
    /// Required for every flow but [`Flow::CustomWithoutSrp`].
    pub password: Option<Password>,
    pub flow: Flow,
    /// Sent with each request of the sign-in the SDK makes itself (InitiateAuth, and the SRP and
    /// device steps it answers).
    pub client_metadata: Metadata,
    /// `addAccount`: sign in another account while one is signed in (it becomes the current
    /// one; the others stay signed in).
    pub add_account: bool,
}

/// A step waiting for `confirmSignIn`, and when it stops being answerable.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingStep {
    pub step: NextStep,
    /// Local clock, ms since the epoch (Cognito allows 3 minutes between steps).
    pub expires_at_ms: f64,
}

/// What `signIn`, `confirmSignIn` and `autoSignIn` end with.
#[derive(Clone, Debug, PartialEq)]
pub enum SignInOutcome {
    SignedIn,
    Next(PendingStep),
}

#[derive(Clone, Debug)]
pub struct SignUpInput {
    pub username: Username,
    /// None: a passwordless user (pools with passwordless first factors).
    pub password: Option<Password>,
    pub attributes: Vec<(String, String)>,
    /// Remember the sign-up so that `autoSignIn` can follow `confirmSignUp`.
    pub auto_sign_in: bool,
    pub client_metadata: Metadata,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignUpOutcome {
    pub user_confirmed: bool,
    pub user_sub: Option<String>,
    pub code_delivery: Option<CodeDelivery>,
}

/// `confirmSignUp`: whether `autoSignIn` will now sign the user in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmSignUpOutcome {
    pub auto_sign_in: bool,
}

/// One factor's setting in `updateMfaPreference`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaChoice {
    Enabled,
    Disabled,
    Preferred,
    NotPreferred,
}

/// `updateMfaPreference`: the factors to change (others stay as they are).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MfaPreferenceUpdate {
    pub sms: Option<MfaChoice>,
    pub totp: Option<MfaChoice>,
    pub email: Option<MfaChoice>,
    /// Passkey MFA (`webAuthn: 'enabled' | 'disabled'`).
    pub web_authn: Option<bool>,
}

/// `fetchMfaPreference`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaPreference {
    pub enabled: Vec<MfaType>,
    pub preferred: Option<MfaType>,
    /// Passkey MFA in effect: Cognito reports no per-user setting, so this is what
    /// GetUserAuthFactors shows: for a user with MFA, WEB_AUTHN is an available factor only
    /// with passkey MFA on ("WEB_AUTHN is available as an MFA factor only when passkey MFA is
    /// enabled", API reference, GetUserAuthFactors).
    pub web_authn: bool,
}

/// A remembered device of the user (ListDevices).
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    pub key: String,
    pub name: Option<String>,
    /// This browser's device.
    pub current: bool,
    pub attributes: Vec<(String, String)>,
    /// Epoch seconds as Cognito wrote them (possibly fractional; kept as text: nothing is
    /// rounded on the way).
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub last_authenticated_at: Option<String>,
}

/// A passkey of the user (ListWebAuthnCredentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub credential_id: String,
    pub friendly_name: Option<String>,
    pub relying_party_id: Option<String>,
    pub authenticator_attachment: Option<String>,
    pub transports: Vec<String>,
    /// Epoch seconds as Cognito wrote them.
    pub created_at: Option<String>,
}

/// `fetchAuthFactors` (GetUserAuthFactors): how the user can sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFactors {
    /// First factors for USER_AUTH: PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN.
    pub configured: Vec<String>,
    /// MFA enabled: SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA.
    pub mfa: Vec<String>,
    pub preferred_mfa: Option<String>,
}

/// `handleRedirectCallback`: the allow-listed path the sign-in started from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectOutcome {
    pub return_to: String,
}

/// The signed-in user, from the ID token.
#[derive(Clone, Debug, PartialEq)]
pub struct CurrentUser {
    pub username: String,
    pub sub: Option<String>,
    /// The ID token's user attributes (registered claims left out), a JSON object's text.
    pub attributes: String,
}

/// A signed-in account (`listAccounts`).
#[derive(Clone, Debug, PartialEq)]
pub struct AccountInfo {
    pub username: String,
    pub sub: Option<String>,
    pub email: Option<String>,
    pub current: bool,
    /// When its tokens expire (ms since the epoch, as `Session::expires_at_ms`).
    pub expires_at_ms: f64,
    /// When it was last made the current account (ms since the epoch; 0: before the SDK kept
    /// the list).
    pub last_used_at_ms: f64,
}

/// What happened to the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SignedIn,
    SignedOut,
    TokenRefresh,
    TokenRefreshFailure,
    /// New AWS credentials (this tab only).
    CredentialsRefresh,
    CredentialsRefreshFailure,
    /// Another account became the current one (`switchAccount`, or the current one signed
    /// out while others stay signed in): every tab hears it.
    AccountSwitched,
    /// A request was throttled or failed in transit and is tried again after a pause (this tab
    /// only; `AuthEvent::retry` says which, when and why).
    Retrying,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignedIn => "signedIn",
            EventKind::SignedOut => "signedOut",
            EventKind::TokenRefresh => "tokenRefresh",
            EventKind::TokenRefreshFailure => "tokenRefreshFailure",
            EventKind::CredentialsRefresh => "credentialsRefresh",
            EventKind::CredentialsRefreshFailure => "credentialsRefreshFailure",
            EventKind::AccountSwitched => "accountSwitched",
            EventKind::Retrying => "retrying",
        }
    }

    /// A kind other tabs announce.
    pub fn parse(s: &str) -> Option<EventKind> {
        [EventKind::SignedIn, EventKind::SignedOut, EventKind::TokenRefresh, EventKind::TokenRefreshFailure, EventKind::AccountSwitched]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// AWS credentials of an identity pool (`getCredentials`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub identity_id: String,
    pub aws: cognito_proto::sigv4::AwsCredentials,
    /// ms since the epoch.
    pub expiration_ms: i64,
    /// For a signed-in user (else a guest).
    pub authenticated: bool,
}

/// A request to sign (`signRequest`, `presignUrl`): the URL as the browser's URL gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInput {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// hex(SHA-256(body)).
    pub payload_hash: String,
    pub service: String,
    pub region: String,
    /// Presign, valid this many seconds (else sign with headers).
    pub expires_in: Option<u32>,
}

/// A signed request: the URL to send to and the headers to add (or a presigned URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Presigned: how long it is valid (capped at the credentials' remaining life), seconds.
    pub expires_in: Option<u32>,
}

/// An event for the app's listeners (`onAuthEvent`), in this tab or from another one.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthEvent {
    pub kind: EventKind,
    pub username: Option<String>,
    /// `(name, message)` of the error, for failures.
    pub error: Option<(String, String)>,
    pub from_other_tab: bool,
    /// For `Retrying`: the operation, the attempt about to be made (2 = the first retry) and
    /// the pause before it, ms.
    pub retry: Option<(&'static str, u32, u32)>,
}
