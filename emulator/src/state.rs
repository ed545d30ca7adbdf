//! The emulator's data: pools, clients, users, devices, codes, refresh tokens and delivered
//! messages (persisted with `--data`), plus short-lived sign-in state (not persisted).

use crate::config::{ClientConfig, DeviceTracking, MfaFactor, PoolConfig, UserConfig, UserStatus};
use crate::tokens::{Key, StoredKey};
use crate::util::*;
use cognito_proto::srp::mont::U3072;
use cognito_proto::srp::server::{verifier, ServerEphemeral};
use cognito_proto::srp::{unpadded_hex, Salt, SrpA};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub sub: String,
    pub attributes: BTreeMap<String, String>,
    /// SRP salt and verifier (the password itself is never stored).
    pub salt_hex: Option<String>,
    pub verifier_hex: Option<String>,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: i64,
    pub modified: i64,
    pub groups: Vec<String>,
    pub temp_password_expires: Option<i64>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub totp_device_name: Option<String>,
    pub totp_enabled: bool,
    pub sms_enabled: bool,
    pub email_enabled: bool,
    pub preferred_mfa: Option<MfaFactor>,
    pub failed_sign_ins: u32,
    /// Federated identities (`identities` claim).
    pub identities: Vec<serde_json::Value>,
    /// Registered passkeys.
    #[serde(default)]
    pub passkeys: Vec<crate::webauthn::Passkey>,
}

impl User {
    pub fn new(username: &str, now: i64) -> User {
        User {
            username: username.to_string(),
            sub: uuid(),
            attributes: BTreeMap::new(),
            salt_hex: None,
            verifier_hex: None,
            status: UserStatus::Unconfirmed,
            enabled: true,
            created: now,
            modified: now,
            groups: vec![],
            temp_password_expires: None,
            totp_secret: None,
            totp_pending: None,
            totp_device_name: None,
            totp_enabled: false,
            sms_enabled: false,
            email_enabled: false,
            preferred_mfa: None,
            failed_sign_ins: 0,
            identities: vec![],
            passkeys: vec![],
        }
    }

    pub fn set_password(&mut self, pool_name: &str, password: &str) {
        let salt = Salt::from_bytes(&random_bytes::<16>());
        let v = verifier(&salt, pool_name, &self.username, password);
        self.salt_hex = Some(salt.to_hex());
        self.verifier_hex = Some(unpadded_hex(&v.to_be_bytes()));
        self.failed_sign_ins = 0;
    }

    pub fn salt(&self) -> Option<Salt> {
        Salt::from_hex(self.salt_hex.as_deref()?).ok()
    }

    pub fn verifier(&self) -> Option<U3072> {
        let bytes = cognito_proto::codec::hex_decode(self.verifier_hex.as_deref()?)?;
        U3072::from_be_bytes(&bytes)
    }

    /// Recomputes the verifier from a candidate password (USER_PASSWORD_AUTH, ChangePassword).
    pub fn password_matches(&self, pool_name: &str, password: &str) -> bool {
        match (self.salt(), self.verifier()) {
            (Some(salt), Some(v)) => {
                let cand = verifier(&salt, pool_name, &self.username, password);
                cognito_proto::crypto::ct_eq(&cand.to_be_bytes(), &v.to_be_bytes())
            }
            _ => false,
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn verified(&self, name: &str) -> bool {
        self.attr(&format!("{name}_verified")) == Some("true")
    }

    /// MFA factors enabled for this user, preferred first.
    pub fn mfa_factors(&self, pool: &PoolConfig) -> Vec<MfaFactor> {
        let offered = |m: MfaFactor| pool.mfa_methods.contains(&m);
        let mut v = vec![];
        if self.totp_enabled && self.totp_secret.is_some() && offered(MfaFactor::Totp) {
            v.push(MfaFactor::Totp);
        }
        if self.sms_enabled && self.attr("phone_number").is_some() && offered(MfaFactor::Sms) {
            v.push(MfaFactor::Sms);
        }
        if self.email_enabled && self.attr("email").is_some() && offered(MfaFactor::Email) {
            v.push(MfaFactor::Email);
        }
        if let Some(p) = self.preferred_mfa {
            if let Some(i) = v.iter().position(|m| *m == p) {
                let m = v.remove(i);
                v.insert(0, m);
            }
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Device {
    pub key: String,
    pub group_key: String,
    pub username: String,
    pub client_id: String,
    /// Set by ConfirmDevice.
    pub salt_hex: Option<String>,
    pub verifier_hex: Option<String>,
    pub name: Option<String>,
    pub remembered: bool,
    pub created: i64,
    pub modified: i64,
    pub last_auth: i64,
    pub last_ip: String,
}

impl Device {
    pub fn confirmed(&self) -> bool {
        self.verifier_hex.is_some()
    }
    pub fn verifier(&self) -> Option<U3072> {
        let bytes = cognito_proto::codec::hex_decode(self.verifier_hex.as_deref()?)?;
        U3072::from_be_bytes(&bytes)
    }
}

/// A one-time code sent to a user (sign-up, attribute verification, password reset).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub expires: i64,
    pub attempts: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub pool: String,
    pub client: String,
    pub username: String,
    pub device_key: Option<String>,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires: i64,
    pub revoked: bool,
    /// When rotation replaced this token (GetTokensFromRefreshToken with rotation on).
    pub rotated_at: Option<i64>,
    pub scopes: Vec<String>,
    /// Issued by the OAuth endpoints (tokens carry only the granted scopes).
    pub hosted: bool,
}

/// Why a message was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageKind {
    SignUp,
    Resend,
    AttributeVerification,
    ForgotPassword,
    Mfa,
    TemporaryPassword,
    /// A user created by userMigration (unless its `messageAction` is SUPPRESS).
    Welcome,
}

/// How a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Medium {
    Email,
    Sms,
}

impl Medium {
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Email => "EMAIL",
            Medium::Sms => "SMS",
        }
    }
}

/// A message Cognito would have e-mailed or texted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: u64,
    pub pool_id: String,
    pub username: String,
    pub destination: String,
    pub medium: Medium,
    pub kind: MessageKind,
    pub code: String,
    pub text: String,
    pub link: Option<String>,
    /// The customMessage trigger's `emailSubject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pool {
    pub config: PoolConfig,
    pub clients: BTreeMap<String, ClientConfig>,
    pub users: BTreeMap<String, User>,
    pub devices: BTreeMap<String, Device>,
    /// (username, purpose) → code; purpose is SIGN_UP, FORGOT_PASSWORD or VERIFY:<attribute>.
    pub codes: BTreeMap<String, Code>,
    /// Seconds added to the wall clock for this pool (tests move time forward).
    pub clock_offset: i64,
    pub id_kid: String,
    pub access_kid: String,
    /// Keys published in the JWKS (current ones and those rotated out).
    pub jwks_kids: Vec<String>,
}

impl Pool {
    pub fn now(&self) -> i64 {
        system_now() + self.clock_offset
    }
    pub fn name(&self) -> &str {
        self.config.id.split_once('_').map(|(_, n)| n).unwrap_or("")
    }
    pub fn code_key(username: &str, purpose: &str) -> String {
        format!("{username}\u{1f}{purpose}")
    }

    /// Finds a user by username or, when the pool allows it, an alias / username attribute.
    pub fn find_user(&self, typed: &str) -> Option<&User> {
        self.find_username(typed).and_then(|u| self.users.get(&u))
    }

    pub fn find_username(&self, typed: &str) -> Option<String> {
        let eq = |a: &str, b: &str| {
            if self.config.case_sensitive {
                a == b
            } else {
                a.to_lowercase() == b.to_lowercase()
            }
        };
        if let Some(u) = self.users.values().find(|u| eq(&u.username, typed)) {
            return Some(u.username.clone());
        }
        for attr in &self.config.username_attributes {
            if let Some(u) = self.users.values().find(|u| u.attr(attr).is_some_and(|v| eq(v, typed))) {
                return Some(u.username.clone());
            }
        }
        for attr in &self.config.alias_attributes {
            // An alias signs in only once verified (preferred_username needs no verification).
            if let Some(u) = self
                .users
                .values()
                .find(|u| u.attr(attr).is_some_and(|v| eq(v, typed)) && (attr == "preferred_username" || u.verified(attr)))
            {
                return Some(u.username.clone());
            }
        }
        None
    }

    pub fn check_password_policy(&self, password: &str) -> ApiResult<()> {
        let p = &self.config.password_policy;
        let fail = |m: &str| Err(err("InvalidPasswordException", format!("Password did not conform with policy: {m}")));
        if password.chars().count() < p.minimum_length {
            return fail("Password not long enough");
        }
        if password.len() > 256 || password.starts_with(char::is_whitespace) || password.ends_with(char::is_whitespace) {
            return Err(invalid_param("Password must be at most 256 characters and not begin or end with whitespace"));
        }
        if p.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
            return fail("Password must have uppercase characters");
        }
        if p.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
            return fail("Password must have lowercase characters");
        }
        if p.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if p.require_symbols && !password.chars().any(|c| "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ".contains(c)) {
            return fail("Password must have symbol characters");
        }
        Ok(())
    }

    pub fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.clients.get(id)
    }

    pub fn token_validity(&self, client: &ClientConfig) -> crate::config::TokenValidity {
        client.token_validity.clone().unwrap_or_else(|| self.config.token_validity.clone())
    }

    pub fn device_tracking(&self) -> bool {
        self.config.device_tracking != DeviceTracking::Off
    }
}

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
    #[serde(default)]
    pub target: String,
    /// Only requests for this pool (tests running side by side do not take each other's faults).
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default = "throttle")]
    pub exception: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}
fn throttle() -> String {
    "TooManyRequestsException".into()
}

/// An identity of an identity pool: a guest one has no logins.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// `<provider>:<sub>` of each linked login.
    pub logins: Vec<String>,
    pub created: i64,
    pub modified: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdentityPool {
    pub config: crate::config::IdentityPoolConfig,
    pub identities: BTreeMap<String, Identity>,
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

#[derive(Default, Serialize, Deserialize)]
pub struct Db {
    pub pools: BTreeMap<String, Pool>,
    #[serde(default)]
    pub identity_pools: BTreeMap<String, IdentityPool>,
    pub keys: Vec<StoredKey>,
    pub refresh_tokens: HashMap<String, RefreshRecord>,
    /// origin_jti values revoked by GlobalSignOut / RevokeToken / DeleteUser.
    pub revoked_origins: Vec<String>,
    pub messages: Vec<Message>,
    pub next_message: u64,
    /// Requests per pool and operation (tests count refreshes with this).
    pub stats: BTreeMap<String, BTreeMap<String, u64>>,
    #[serde(skip)]
    pub runtime: Runtime,
}

/// A passkey registration between its start and its completion (single use, 5 minutes).
#[derive(Clone, Debug)]
pub struct PendingRegistration {
    pub challenge: String,
    pub client: String,
    pub expires: i64,
}

#[derive(Default)]
pub struct Runtime {
    pub keys: HashMap<String, Key>,
    pub srp: HashMap<String, SrpState>,
    pub sessions: HashMap<String, AuthSession>,
    pub hosted_steps: HashMap<String, HostedStep>,
    pub auth_codes: HashMap<String, AuthCode>,
    pub hosted: HashMap<String, HostedSession>,
    pub faults: Vec<Fault>,
    /// AWS credentials issued, by access key id (checked by the SigV4 endpoint).
    pub aws_credentials: HashMap<String, IssuedCredentials>,
    /// Objects PUT through the SigV4 endpoint's S3 (`bucket/key` → content type and bytes).
    pub s3_objects: HashMap<String, (String, Vec<u8>)>,
    /// StartWebAuthnRegistration's challenge per user (`pool \u{1f} username`), until completed.
    pub registrations: HashMap<String, PendingRegistration>,
    /// Do not print delivered messages (in-process test servers).
    pub quiet: bool,
    /// The call being answered: its ClientMetadata and app client (for trigger events).
    pub call_metadata: Option<serde_json::Value>,
    pub call_client: Option<String>,
    pub call_op: Option<String>,
    /// Recent trigger invocations (`GET /_emulator/triggers`).
    pub trigger_log: Vec<crate::triggers::Invocation>,
    /// preTokenGeneration's triggerSource for the tokens about to be issued (set by the step
    /// that leads to them; TokenGeneration_Authentication otherwise).
    pub token_source: Option<&'static str>,
    /// The customMessage trigger's subject for the message about to be delivered.
    pub message_subject: Option<String>,
}

impl Db {
    /// Restores key material after loading from disk.
    pub fn load_keys(&mut self) -> Result<(), String> {
        for s in &self.keys {
            let k = Key::from_stored(s)?;
            self.runtime.keys.insert(k.kid.clone(), k);
        }
        Ok(())
    }

    pub fn add_key(&mut self, key: Key) -> Result<String, String> {
        let kid = key.kid.clone();
        self.keys.push(key.to_stored()?);
        self.runtime.keys.insert(kid.clone(), key);
        Ok(kid)
    }

    /// Creates an identity pool from its configuration.
    pub fn add_identity_pool(&mut self, mut cfg: crate::config::IdentityPoolConfig) -> ApiResult<String> {
        if cfg.id.is_empty() {
            let region = cfg
                .providers
                .first()
                .and_then(|p| p.user_pool_id.split_once('_'))
                .map(|(r, _)| r.to_string())
                .unwrap_or("us-east-1".into());
            cfg.id = format!("{region}:{}", uuid());
        }
        let valid = cfg.id.split_once(':').is_some_and(|(r, u)| !r.is_empty() && u.len() == 36);
        if !valid {
            return Err(invalid_param(format!("Invalid identity pool id {} (expected <region>:<uuid>)", cfg.id)));
        }
        if self.identity_pools.contains_key(&cfg.id) {
            return Err(err("ResourceConflictException", format!("Identity pool {} already exists", cfg.id)));
        }
        let id = cfg.id.clone();
        self.identity_pools.insert(id.clone(), IdentityPool { config: cfg, identities: BTreeMap::new() });
        Ok(id)
    }

    /// Creates a pool from its configuration, with the given signing keys.
    pub fn add_pool(&mut self, mut cfg: PoolConfig, id_kid: &str, access_kid: &str) -> ApiResult<String> {
        if cfg.id.is_empty() {
            cfg.id = format!("us-east-1_{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 9));
        }
        if cognito_proto::types::UserPoolId::parse(&cfg.id).is_err() {
            return Err(invalid_param(format!("Invalid user pool id {}", cfg.id)));
        }
        if cfg.issuer.as_ref().is_some_and(|i| !i.ends_with(&format!("/{}", cfg.id))) {
            return Err(invalid_param(format!("issuer must end with /{}", cfg.id)));
        }
        if self.pools.contains_key(&cfg.id) {
            return Err(err("ResourceExistsException", format!("User pool {} already exists", cfg.id)));
        }
        let mut clients = BTreeMap::new();
        for mut c in std::mem::take(&mut cfg.clients) {
            if c.id.is_empty() {
                c.id = random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 26);
            }
            if self.find_client(&c.id).is_some() || clients.contains_key(&c.id) {
                return Err(err("ResourceExistsException", format!("App client {} already exists", c.id)));
            }
            clients.insert(c.id.clone(), c);
        }
        let users = std::mem::take(&mut cfg.users);
        let id = cfg.id.clone();
        let mut pool = Pool {
            config: cfg,
            clients,
            users: BTreeMap::new(),
            devices: BTreeMap::new(),
            codes: BTreeMap::new(),
            clock_offset: 0,
            id_kid: id_kid.to_string(),
            access_kid: access_kid.to_string(),
            jwks_kids: vec![id_kid.to_string(), access_kid.to_string()],
        };
        for u in users {
            seed_user(&mut pool, u)?;
        }
        self.pools.insert(id.clone(), pool);
        Ok(id)
    }

    pub fn find_client(&self, client_id: &str) -> Option<(&Pool, &ClientConfig)> {
        self.pools.values().find_map(|p| p.clients.get(client_id).map(|c| (p, c)))
    }

    pub fn pool_of_client(&self, client_id: &str) -> ApiResult<String> {
        self.find_client(client_id)
            .map(|(p, _)| p.config.id.clone())
            .ok_or_else(|| err("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")))
    }

    pub fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools.get(id).ok_or_else(|| err("ResourceNotFoundException", format!("User pool {id} does not exist.")))
    }

    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools.get_mut(id).ok_or_else(|| err("ResourceNotFoundException", format!("User pool {id} does not exist.")))
    }

    pub fn count(&mut self, pool: &str, what: &str) {
        *self.stats.entry(pool.to_string()).or_default().entry(what.to_string()).or_default() += 1;
    }

    pub fn is_revoked(&self, origin_jti: &str) -> bool {
        self.revoked_origins.iter().any(|o| o == origin_jti)
    }

    /// Revokes every refresh token (and the tokens derived from it) of a user.
    pub fn revoke_user(&mut self, pool: &str, username: &str) {
        let mut origins = vec![];
        for r in self.refresh_tokens.values_mut() {
            if r.pool == pool && r.username == username && !r.revoked {
                r.revoked = true;
                origins.push(r.origin_jti.clone());
            }
        }
        self.revoked_origins.extend(origins);
    }

    /// Records a message Cognito would have sent, and prints it.
    #[allow(clippy::too_many_arguments)]
    pub fn deliver(
        &mut self,
        pool_id: &str,
        username: &str,
        destination: &str,
        medium: Medium,
        kind: MessageKind,
        code: &str,
        text: String,
        link: Option<String>,
        now: i64,
    ) {
        self.next_message += 1;
        let m = Message {
            id: self.next_message,
            pool_id: pool_id.into(),
            username: username.into(),
            destination: destination.into(),
            medium,
            kind,
            code: code.into(),
            text,
            link,
            subject: self.runtime.message_subject.take(),
            time: now,
        };
        // Printing is best effort: a closed stdout must not take the server down.
        if !self.runtime.quiet {
            let _ = writeln!(std::io::stdout(), "{}", serde_json::json!({"message": &m}));
        }
        self.messages.push(m);
        if self.messages.len() > 10_000 {
            self.messages.drain(..1_000);
        }
    }
}

/// Adds a configured seed user.
pub fn seed_user(pool: &mut Pool, u: UserConfig) -> ApiResult<()> {
    let now = pool.now();
    let name = pool.name().to_string();
    let mut user = User::new(&u.username, now);
    user.attributes = u.attributes.clone();
    user.attributes.insert("sub".into(), user.sub.clone());
    user.groups = u.groups.clone();
    user.enabled = u.enabled.unwrap_or(true);
    if let Some(p) = &u.password {
        user.set_password(&name, p);
        user.status = UserStatus::Confirmed;
    }
    if let Some(p) = &u.temporary_password {
        user.set_password(&name, p);
        user.status = UserStatus::ForceChangePassword;
        user.temp_password_expires = Some(now + pool.config.password_policy.temporary_password_validity_days * 86_400);
    }
    if let Some(s) = u.status {
        user.status = s;
    }
    if let Some(secret) = &u.totp_secret {
        user.totp_secret = Some(secret.clone());
        user.totp_enabled = true;
        user.preferred_mfa = Some(MfaFactor::Totp);
    }
    user.sms_enabled = u.mfa.contains(&MfaFactor::Sms);
    user.email_enabled = u.mfa.contains(&MfaFactor::Email);
    if pool.users.contains_key(&user.username) {
        return Err(err("UsernameExistsException", "User already exists"));
    }
    pool.users.insert(user.username.clone(), user);
    Ok(())
}
