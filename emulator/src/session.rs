//! Short-lived state, never persisted: a sign-in between its challenges (keyed by the
//! `Session` string or the SRP SECRET_BLOCK), the hosted UI's pages and its session cookie,
//! OAuth authorization codes, passkey registrations, AWS credentials issued by identity pools,
//! and injected faults. Each entry carries its expiry; `Db::prune` removes the expired ones.

use crate::config::MfaFactor;
use cognito_proto::srp::mont::U3072;
use cognito_proto::srp::server::ServerEphemeral;
use cognito_proto::srp::SrpA;
use serde::Deserialize;

/// Server-side state of an SRP exchange, keyed by the SECRET_BLOCK handed to the client.
#[derive(Clone, Debug)]
pub struct SrpState {
    pub pool: String,
    pub client: String,
    pub username: String,
    pub a: SrpA,
    pub server: ServerEphemeral,
    pub v: U3072,
    pub created: i64,
    pub device_key: Option<String>,
    /// CUSTOM_AUTH with SRP first: continue with custom challenges.
    pub custom: bool,
    /// Unknown user under PreventUserExistenceErrors: always fails.
    pub phantom: bool,
}

/// What a sign-in session waits for: the challenge it was issued with, and that challenge's
/// own state.
#[derive(Clone, Debug)]
pub enum Awaiting {
    NewPassword,
    /// A code sent by SMS or e-mail (SMS_MFA, EMAIL_OTP). `setup_email`: MFA_SETUP by e-mail,
    /// verifying this address.
    SentCode {
        factor: MfaFactor,
        code: String,
        attempts: u32,
        setup_email: Option<String>,
    },
    Totp {
        attempts: u32,
    },
    SelectMfaType,
    /// MFA_SETUP; with TOTP, the secret being associated and whether VerifySoftwareToken took
    /// its first code.
    MfaSetup {
        totp_secret: Option<String>,
        totp_verified: bool,
    },
    Custom {
        round: usize,
        attempts: u32,
    },
    /// CUSTOM_CHALLENGE created by the createAuthChallenge trigger: the rounds so far (the
    /// define trigger's `session`), and what verifyAuthChallengeResponse gets.
    CustomTrigger {
        log: Vec<serde_json::Value>,
        private: serde_json::Value,
        metadata: String,
    },
    DeviceSrp,
    /// DEVICE_PASSWORD_VERIFIER: the SRP exchange and the SECRET_BLOCK handed out.
    DeviceVerifier {
        srp: Box<SrpState>,
        block: String,
    },
    /// The session of a just-confirmed sign-up (InitiateAuth USER_AUTH auto sign-in).
    AutoSignIn,
    /// USER_AUTH without a usable preference: one of these first factors.
    SelectChallenge {
        available: Vec<String>,
    },
    /// USER_AUTH by a one-time code as the first factor (EMAIL_OTP / SMS_OTP).
    OtpSignIn {
        sms: bool,
        code: String,
        attempts: u32,
    },
    /// USER_AUTH by passkey: the assertion for this challenge (base64url).
    WebAuthn {
        challenge: String,
    },
}

impl Awaiting {
    /// The `ChallengeName` an answer to this session must carry.
    pub fn challenge(&self) -> &'static str {
        match self {
            Awaiting::NewPassword => "NEW_PASSWORD_REQUIRED",
            Awaiting::SentCode { factor, .. } => factor.as_str(),
            Awaiting::Totp { .. } => "SOFTWARE_TOKEN_MFA",
            Awaiting::SelectMfaType => "SELECT_MFA_TYPE",
            Awaiting::MfaSetup { .. } => "MFA_SETUP",
            Awaiting::Custom { .. } | Awaiting::CustomTrigger { .. } => "CUSTOM_CHALLENGE",
            Awaiting::DeviceSrp => "DEVICE_SRP_AUTH",
            Awaiting::DeviceVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
            Awaiting::AutoSignIn => "AUTO_SIGN_IN",
            Awaiting::SelectChallenge { .. } => "SELECT_CHALLENGE",
            Awaiting::OtpSignIn { sms: true, .. } => "SMS_OTP",
            Awaiting::OtpSignIn { sms: false, .. } => "EMAIL_OTP",
            Awaiting::WebAuthn { .. } => "WEB_AUTHN",
        }
    }
}

/// A multi-step sign-in, keyed by the `Session` string.
#[derive(Clone, Debug)]
pub struct AuthSession {
    pub pool: String,
    pub client: String,
    pub username: String,
    pub expires: i64,
    pub device_key: Option<String>,
    pub awaiting: Awaiting,
}

/// A hosted-UI sign-in between its pages (new password, confirmation, MFA), keyed by a hidden
/// form field.
#[derive(Clone, Debug)]
pub struct HostedStep {
    pub pool: String,
    pub client: String,
    pub username: String,
    pub page: HostedPage,
    pub expires: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostedPage {
    NewPassword,
    Confirm,
    Totp { attempts: u32 },
    SentCode { factor: MfaFactor, code: String, attempts: u32 },
}

impl HostedPage {
    /// The form's `step` field.
    pub fn name(&self) -> &'static str {
        match self {
            HostedPage::NewPassword => "NEW_PASSWORD",
            HostedPage::Confirm => "CONFIRM",
            HostedPage::Totp { .. } => "SOFTWARE_TOKEN_MFA",
            HostedPage::SentCode { factor, .. } => factor.as_str(),
        }
    }
}

/// An OAuth authorization code (single use, 5 minutes).
#[derive(Clone, Debug)]
pub struct AuthCode {
    pub pool: String,
    pub client: String,
    pub username: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub expires: i64,
    pub auth_time: i64,
}

/// The hosted UI's own sign-in session (cookie on the emulator's origin, 1 hour).
#[derive(Clone, Debug)]
pub struct HostedSession {
    pub pool: String,
    pub username: String,
    pub expires: i64,
    pub auth_time: i64,
}

/// A fault to inject: the next `count` calls of `target` (or of any target when empty) answer
/// with this exception (TooManyRequestsException, InternalErrorException; `status` sets the
/// HTTP status) — or, with `delayMs`, are carried out normally and answered that much later (a
/// slow network: tests of races between calls).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// The operation (any when absent or empty).
    #[serde(default, deserialize_with = "operation_name")]
    pub target: Option<cognito_proto::api::Op>,
    /// Only requests for this pool (tests running side by side do not take each other's faults).
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default = "throttle", deserialize_with = "exception_name")]
    pub exception: crate::error::Exception,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}
fn throttle() -> crate::error::Exception {
    crate::error::Exception::TooManyRequests
}
fn operation_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<cognito_proto::api::Op>, D::Error> {
    let name = String::deserialize(d)?;
    if name.is_empty() {
        return Ok(None);
    }
    cognito_proto::api::Op::parse(&name).map(Some).ok_or_else(|| serde::de::Error::custom(format!("unknown operation {name}")))
}
fn exception_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::error::Exception, D::Error> {
    String::deserialize(d).map(|name| crate::error::Exception::parse(&name))
}

/// Temporary AWS credentials handed out by GetCredentialsForIdentity.
#[derive(Clone, Debug)]
pub struct IssuedCredentials {
    pub secret: String,
    pub session_token: String,
    pub expiration: i64,
    pub identity_pool: String,
    pub identity_id: String,
    pub authenticated: bool,
}

/// A passkey registration between its start and its completion (single use, 5 minutes).
#[derive(Clone, Debug)]
pub struct PendingRegistration {
    pub challenge: String,
    pub client: String,
    pub expires: i64,
}
