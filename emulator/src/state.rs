//! The emulator's data: pools with their app clients, users, devices and codes; identity pools;
//! signing keys; refresh tokens (by hash: the token itself is never kept) and revoked token
//! families; delivered messages. These persist with `--data` (`store.rs` writes each changed
//! row: the high-churn maps are [`Table`]s, and the rarer changes are marked by the methods
//! that make them). Short-lived sign-in state is in [`Runtime`] (`session.rs`), never saved.

use crate::config::{ClientConfig, DeviceTracking, IdentityPoolConfig, MfaFactor, PoolConfig, UserConfig, UserStatus};
use crate::error::*;
use crate::quotas::{Limiter, Rates};
pub use crate::session::*;
use crate::table::Table;
use crate::tokens::{Key, StoredKey};
use crate::util::*;
use cognito_proto::srp::mont::U3072;
use cognito_proto::srp::server::verifier;
use cognito_proto::srp::{unpadded_hex, Salt};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::sync::Arc;

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
    /// `WebAuthnMfaSettings.Enabled` (SetUserMFAPreference): passkey MFA (`passkey_mfa.rs`).
    #[serde(default)]
    pub web_authn_mfa: bool,
}

/// A password's SRP salt and verifier, computed away from the state (a 3072-bit modular
/// exponentiation): `v = g^x mod N`, `x = H(salt | H(poolName | username | ":" | password))`.
#[derive(Clone, Debug)]
pub struct PasswordVerifier {
    pub salt_hex: String,
    pub verifier_hex: String,
}

impl PasswordVerifier {
    pub fn compute(pool_name: &str, username: &str, password: &str) -> PasswordVerifier {
        let salt = Salt::from_bytes(&random_bytes::<16>());
        let v = verifier(&salt, pool_name, username, password);
        PasswordVerifier { salt_hex: salt.to_hex(), verifier_hex: unpadded_hex(&v.to_be_bytes()) }
    }
}

/// What checking a candidate password needs, taken out of the state so the check runs unlocked.
pub struct PasswordCheck {
    salt: Option<Salt>,
    verifier: Option<U3072>,
    pool_name: String,
    username: String,
}

impl PasswordCheck {
    /// Recomputes the verifier from a candidate password (USER_PASSWORD_AUTH, ChangePassword).
    pub fn matches(&self, password: &str) -> bool {
        match (&self.salt, &self.verifier) {
            (Some(salt), Some(v)) => {
                let cand = verifier(salt, &self.pool_name, &self.username, password);
                cognito_proto::crypto::ct_eq(&cand.to_be_bytes(), &v.to_be_bytes())
            }
            _ => false,
        }
    }
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
            web_authn_mfa: false,
        }
    }

    /// A new password (its verifier computed by [`PasswordVerifier::compute`]).
    pub fn set_verifier(&mut self, v: PasswordVerifier) {
        self.salt_hex = Some(v.salt_hex);
        self.verifier_hex = Some(v.verifier_hex);
        self.failed_sign_ins = 0;
    }

    pub fn salt(&self) -> Option<Salt> {
        Salt::from_hex(self.salt_hex.as_deref()?).ok()
    }

    pub fn verifier(&self) -> Option<U3072> {
        let bytes = cognito_proto::codec::hex_decode(self.verifier_hex.as_deref()?)?;
        U3072::from_be_bytes(&bytes)
    }

    /// The password check for this user in a pool named `pool_name`.
    pub fn password_check(&self, pool_name: &str) -> PasswordCheck {
        PasswordCheck { salt: self.salt(), verifier: self.verifier(), pool_name: pool_name.into(), username: self.username.clone() }
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
        if let Some(i) = self.preferred_mfa.and_then(|p| v.iter().position(|m| *m == p)) {
            let m = v.remove(i);
            v.insert(0, m);
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

/// A refresh token's key: a hash of the token (the token itself is never stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenHash(pub [u8; 16]);

impl TokenHash {
    /// The first 16 bytes of SHA-256(token): a token has over 2,000 random bits, so finding
    /// another token with the same 128 bits is out of reach.
    pub fn of(token: &str) -> TokenHash {
        let h = cognito_proto::crypto::sha256(&[token.as_bytes()]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&h[..16]);
        TokenHash(out)
    }
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

/// Messages kept (the oldest are dropped past this).
const MAX_MESSAGES: usize = 10_000;

/// A pool: its own settings (read through `Deref`), and its users, devices and codes.
pub struct Pool {
    pub settings: PoolSettings,
    pub users: Table<String, User>,
    pub devices: Table<String, Device>,
    /// (username, purpose) → code; purpose is SIGN_UP, FORGOT_PASSWORD or VERIFY:<attribute>.
    pub codes: Table<String, Code>,
}

/// A pool's own settings, saved as one row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PoolSettings {
    pub config: PoolConfig,
    pub clients: BTreeMap<String, ClientConfig>,
    /// Seconds added to the wall clock for this pool (tests move time forward).
    pub clock_offset: i64,
    pub id_kid: String,
    pub access_kid: String,
    /// Keys published in the JWKS (current ones and those rotated out).
    pub jwks_kids: Vec<String>,
}

impl std::ops::Deref for Pool {
    type Target = PoolSettings;
    fn deref(&self) -> &PoolSettings {
        &self.settings
    }
}

impl std::ops::DerefMut for Pool {
    fn deref_mut(&mut self) -> &mut PoolSettings {
        &mut self.settings
    }
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

    /// A pool with these settings and no users, devices or codes yet.
    pub fn from_settings(settings: PoolSettings) -> Pool {
        Pool { settings, users: Table::default(), devices: Table::default(), codes: Table::default() }
    }

    /// A user by canonical username.
    pub fn user(&self, username: &str) -> ApiResult<&User> {
        self.users.get(username).ok_or_else(user_not_found)
    }

    pub fn user_mut(&mut self, username: &str) -> ApiResult<&mut User> {
        self.users.get_mut(username).ok_or_else(user_not_found)
    }

    /// Finds a user by username or, when the pool allows it, an alias / username attribute.
    pub fn find_user(&self, typed: &str) -> Option<&User> {
        self.find_username(typed).and_then(|u| self.users.get(&u))
    }

    pub fn find_username(&self, typed: &str) -> Option<String> {
        if self.users.contains_key(typed) {
            return Some(typed.to_string());
        }
        let folded = typed.to_lowercase();
        let eq = |a: &str| if self.config.case_sensitive { a == typed } else { a == typed || a.to_lowercase() == folded };
        if let Some(u) = self.users.values().find(|u| eq(&u.username)) {
            return Some(u.username.clone());
        }
        for attr in &self.config.username_attributes {
            if let Some(u) = self.users.values().find(|u| u.attr(attr).is_some_and(eq)) {
                return Some(u.username.clone());
            }
        }
        // An alias signs in only once verified (preferred_username needs no verification).
        self.config.alias_attributes.iter().find_map(|attr| {
            let usable = |u: &&User| u.attr(attr).is_some_and(eq) && (attr == "preferred_username" || u.verified(attr));
            self.users.values().find(usable).map(|u| u.username.clone())
        })
    }

    pub fn check_password_policy(&self, password: &str) -> ApiResult<()> {
        let p = &self.config.password_policy;
        let fail = |m: &str| Err(crate::error::fail(Exception::InvalidPassword, format!("Password did not conform with policy: {m}")));
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

    /// The longest an access token of this pool lives (any of its clients).
    pub fn longest_access_token(&self) -> i64 {
        let own = self.clients.values().filter_map(|c| c.token_validity.as_ref()).map(|t| t.access_token_seconds);
        own.chain([self.config.token_validity.access_token_seconds]).max().unwrap_or(3600)
    }

    pub fn device_tracking(&self) -> bool {
        self.config.device_tracking != DeviceTracking::Off
    }

    /// Builds a pool from its configuration, seed users included (their verifiers computed
    /// here: call this before taking the state). Client ids are generated where empty.
    pub fn build(mut cfg: PoolConfig, id_kid: &str, access_kid: &str) -> ApiResult<Pool> {
        if cfg.id.is_empty() {
            cfg.id = format!("us-east-1_{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 9));
        }
        if cognito_proto::types::UserPoolId::parse(&cfg.id).is_err() {
            return Err(invalid_param(format!("Invalid user pool id {}", cfg.id)));
        }
        if cfg.issuer.as_ref().is_some_and(|i| !i.ends_with(&format!("/{}", cfg.id))) {
            return Err(invalid_param(format!("issuer must end with /{}", cfg.id)));
        }
        let mut clients = BTreeMap::new();
        for mut c in std::mem::take(&mut cfg.clients) {
            if c.id.is_empty() {
                c.id = random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 26);
            }
            if clients.contains_key(&c.id) {
                return Err(invalid_param(format!("App client {} already exists", c.id)));
            }
            clients.insert(c.id.clone(), c);
        }
        let users = std::mem::take(&mut cfg.users);
        let kids = vec![id_kid.to_string(), access_kid.to_string()];
        let header =
            PoolSettings { config: cfg, clients, clock_offset: 0, id_kid: id_kid.into(), access_kid: access_kid.into(), jwks_kids: kids };
        let mut pool = Pool::from_settings(header);
        for u in users {
            let user = seed_user(&pool, u)?;
            if pool.users.contains_key(&user.username) {
                return Err(fail(Exception::UsernameExists, "User already exists"));
            }
            pool.users.insert(user.username.clone(), user);
        }
        Ok(pool)
    }
}

/// A configured seed user (or one created by AdminCreateUser or userMigration), as a user of
/// `pool`: its password's verifier is computed here.
pub fn seed_user(pool: &Pool, u: UserConfig) -> ApiResult<User> {
    let now = pool.now();
    let mut user = User::new(&u.username, now);
    user.attributes = u.attributes;
    user.attributes.insert("sub".into(), user.sub.clone());
    user.groups = u.groups;
    user.enabled = u.enabled.unwrap_or(true);
    if let Some(p) = &u.password {
        user.set_verifier(PasswordVerifier::compute(pool.name(), &u.username, p));
        user.status = UserStatus::Confirmed;
    }
    if let Some(p) = &u.temporary_password {
        user.set_verifier(PasswordVerifier::compute(pool.name(), &u.username, p));
        user.status = UserStatus::ForceChangePassword;
        user.temp_password_expires = Some(now + pool.config.password_policy.temporary_password_validity_days * 86_400);
    }
    if let Some(s) = u.status {
        user.status = s;
    }
    if let Some(secret) = u.totp_secret {
        user.totp_secret = Some(secret);
        user.totp_enabled = true;
        user.preferred_mfa = Some(MfaFactor::Totp);
    }
    user.sms_enabled = u.mfa.contains(&MfaFactor::Sms);
    user.email_enabled = u.mfa.contains(&MfaFactor::Email);
    Ok(user)
}

/// An identity of an identity pool: a guest one has no logins.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// `<provider>:<sub>` of each linked login.
    pub logins: Vec<String>,
    pub created: i64,
    pub modified: i64,
}

pub struct IdentityPool {
    pub config: IdentityPoolConfig,
    pub identities: Table<String, Identity>,
}

/// Everything short-lived (not persisted).
#[derive(Default)]
pub struct Runtime {
    pub keys: HashMap<String, Arc<Key>>,
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
    /// Do not print delivered messages and trigger calls (in-process test servers).
    pub quiet: bool,
    /// Recent trigger invocations (`GET /_emulator/triggers`).
    pub trigger_log: Vec<crate::lambda::Invocation>,
    /// Requests per pool and operation (tests count refreshes with this), for this run.
    pub stats: BTreeMap<String, BTreeMap<String, u64>>,
    /// Request-rate buckets (`quotas.rs`).
    pub limiter: Limiter,
}

/// What changed outside the [`Table`]s since the last save.
#[derive(Default)]
pub struct Changes {
    /// Pools added or removed: all their rows are written again (or deleted).
    pub pools_replaced: BTreeSet<String>,
    /// Pools whose own settings (clock, keys) changed.
    pub pool_settings: BTreeSet<String>,
    /// Identity pools added.
    pub identity_pools: BTreeSet<String>,
    /// Keys before this index are saved.
    pub keys_saved: usize,
    /// Messages up to this id are saved.
    pub messages_saved: u64,
}

#[derive(Default)]
pub struct Db {
    pub pools: BTreeMap<String, Pool>,
    pub identity_pools: BTreeMap<String, IdentityPool>,
    pub keys: Vec<StoredKey>,
    pub refresh_tokens: Table<TokenHash, RefreshRecord>,
    /// origin_jti values revoked by GlobalSignOut / RevokeToken / DeleteUser, each until the
    /// last token of that family has expired.
    pub revoked_origins: Table<String, i64>,
    pub messages: Vec<Message>,
    pub next_message: u64,
    /// Request-rate quotas of pools without their own (`quotas.rs`).
    pub quotas: Rates,
    pub changes: Changes,
    pub runtime: Runtime,
}

impl Db {
    pub fn add_key(&mut self, key: Key) -> Result<String, String> {
        let kid = key.kid.clone();
        self.keys.push(key.to_stored()?);
        self.runtime.keys.insert(kid.clone(), Arc::new(key));
        Ok(kid)
    }

    /// The key with this `kid`, to sign or verify with (outside the lock).
    pub fn key(&self, kid: &str) -> ApiResult<Arc<Key>> {
        self.runtime.keys.get(kid).cloned().ok_or_else(|| internal("signing key missing"))
    }

    /// The signing keys new pools get (the first two).
    pub fn default_kids(&self) -> ApiResult<(String, String)> {
        match self.keys.as_slice() {
            [a, b, ..] => Ok((a.kid.clone(), b.kid.clone())),
            _ => Err(internal("no signing keys")),
        }
    }

    /// Creates an identity pool from its configuration.
    pub fn add_identity_pool(&mut self, mut cfg: IdentityPoolConfig) -> ApiResult<String> {
        if cfg.id.is_empty() {
            let region = cfg.providers.first().and_then(|p| p.user_pool_id.split_once('_')).map(|(r, _)| r).unwrap_or("us-east-1");
            cfg.id = format!("{region}:{}", uuid());
        }
        let valid = cfg.id.split_once(':').is_some_and(|(r, u)| !r.is_empty() && u.len() == 36);
        if !valid {
            return Err(invalid_param(format!("Invalid identity pool id {} (expected <region>:<uuid>)", cfg.id)));
        }
        if self.identity_pools.contains_key(&cfg.id) {
            return Err(fail(Exception::ResourceConflict, format!("Identity pool {} already exists", cfg.id)));
        }
        let id = cfg.id.clone();
        self.identity_pools.insert(id.clone(), IdentityPool { config: cfg, identities: Table::default() });
        self.changes.identity_pools.insert(id.clone());
        Ok(id)
    }

    /// Adds a pool built by [`Pool::build`]; its id and its clients' ids must be new.
    pub fn insert_pool(&mut self, pool: Pool) -> ApiResult<String> {
        let id = pool.config.id.clone();
        if self.pools.contains_key(&id) {
            return Err(invalid_param(format!("User pool {id} already exists")));
        }
        if let Some(c) = pool.clients.keys().find(|c| self.find_client(c).is_some()) {
            return Err(invalid_param(format!("App client {c} already exists")));
        }
        self.pools.insert(id.clone(), pool);
        self.changes.pools_replaced.insert(id.clone());
        Ok(id)
    }

    pub fn remove_pool(&mut self, id: &str) {
        if self.pools.remove(id).is_some() {
            self.changes.pools_replaced.insert(id.to_string());
            self.refresh_tokens.retain(|_, r| r.pool != id);
            self.runtime.limiter.forget(id);
        }
    }

    /// A pool whose own settings (clock, keys) are about to change.
    pub fn pool_settings_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.changes.pool_settings.insert(id.to_string());
        self.pool_mut(id)
    }

    pub fn find_client(&self, client_id: &str) -> Option<(&Pool, &ClientConfig)> {
        self.pools.values().find_map(|p| p.clients.get(client_id).map(|c| (p, c)))
    }

    pub fn pool_of_client(&self, client_id: &str) -> ApiResult<String> {
        self.find_client(client_id).map(|(p, _)| p.config.id.clone()).ok_or_else(|| client_not_found(client_id))
    }

    pub fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools.get(id).ok_or_else(|| pool_not_found(id))
    }

    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools.get_mut(id).ok_or_else(|| pool_not_found(id))
    }

    pub fn user(&self, pool: &str, username: &str) -> ApiResult<&User> {
        self.pool(pool)?.user(username)
    }

    pub fn user_mut(&mut self, pool: &str, username: &str) -> ApiResult<&mut User> {
        self.pool_mut(pool)?.user_mut(username)
    }

    /// The pool's clock (the system's for an unknown pool).
    pub fn now_of(&self, pool: &str) -> i64 {
        self.pools.get(pool).map(Pool::now).unwrap_or_else(system_now)
    }

    /// A pool's token issuer: `<base>/<poolId>`, or the pool's `issuer` (which ends in
    /// `/<poolId>`, as both of Cognito's issuer forms do).
    pub fn issuer(&self, base: &str, pool: &str) -> String {
        match self.pools.get(pool).and_then(|p| p.config.issuer.clone()) {
            Some(i) => i,
            None => format!("{base}/{pool}"),
        }
    }

    /// The quotas of a pool: its own, else the emulator's.
    pub fn quotas_of(&self, pool: &str) -> &Rates {
        self.pools.get(pool).and_then(|p| p.config.quotas.as_ref()).unwrap_or(&self.quotas)
    }

    pub fn count(&mut self, pool: &str, what: &str) {
        *self.runtime.stats.entry(pool.to_string()).or_default().entry(what.to_string()).or_default() += 1;
    }

    pub fn is_revoked(&self, origin_jti: &str) -> bool {
        self.revoked_origins.contains_key(origin_jti)
    }

    /// Revokes a token family: its access tokens are refused until the last one has expired.
    pub fn revoke_origin(&mut self, pool: &str, origin_jti: &str) {
        let until = self.pools.get(pool).map(|p| p.now() + p.longest_access_token()).unwrap_or_else(|| system_now() + 86_400);
        self.revoked_origins.insert(origin_jti.to_string(), until);
    }

    /// Revokes a refresh token issued to `client`, with its token family; `false` (nothing
    /// revoked) when it was issued to another client. An unknown token is `true`: nothing to do.
    pub fn revoke_refresh_token(&mut self, token: &str, client: &str) -> bool {
        let Some(r) = self.refresh_tokens.get_mut(&TokenHash::of(token)) else { return true };
        if r.client != client {
            return false;
        }
        r.revoked = true;
        let (pool, origin) = (r.pool.clone(), r.origin_jti.clone());
        self.revoke_origin(&pool, &origin);
        true
    }

    /// Revokes every refresh token (and the tokens derived from it) of a user.
    pub fn revoke_user(&mut self, pool: &str, username: &str) {
        let mut origins = vec![];
        let theirs = |r: &RefreshRecord| r.pool == pool && r.username == username && !r.revoked;
        self.refresh_tokens.update_where(theirs, |r| {
            r.revoked = true;
            origins.push(r.origin_jti.clone());
        });
        for o in origins {
            self.revoke_origin(pool, &o);
        }
    }

    /// Records a message Cognito would have sent (numbered here), and prints it.
    pub fn deliver(&mut self, mut m: Message) {
        self.next_message += 1;
        m.id = self.next_message;
        // Printing is best effort: a closed stdout must not take the server down.
        if !self.runtime.quiet {
            let _ = writeln!(std::io::stdout(), "{}", serde_json::json!({"message": &m}));
        }
        self.messages.push(m);
        if self.messages.len() > MAX_MESSAGES {
            self.messages.drain(..1_000);
        }
    }

    /// Records a message about `username` of `pool`, sent to `destination` at `time` (see
    /// [`Db::deliver`]).
    #[allow(clippy::too_many_arguments)]
    pub fn send_message(
        &mut self,
        pool: &str,
        username: &str,
        destination: String,
        medium: Medium,
        kind: MessageKind,
        code: String,
        text: Text,
        time: i64,
    ) {
        let Text { text, link, subject } = text;
        self.deliver(Message {
            id: 0,
            pool_id: pool.into(),
            username: username.into(),
            destination,
            medium,
            kind,
            code,
            text,
            link,
            subject,
            time,
        });
    }
}

/// A message's words: its text, the first link in it, and the e-mail subject.
pub struct Text {
    pub text: String,
    pub link: Option<String>,
    pub subject: Option<String>,
}

/// Seconds expired AWS credentials are kept after their expiration: AWS reads an expired
/// session token as ExpiredToken (the caller should renew), not as a key it never issued, and
/// so does the emulator for a day, whenever pruning runs.
const EXPIRED_CREDENTIALS_KEPT: i64 = 86_400;

impl Db {
    /// Removes what has expired: refresh tokens (and those bound to a device that is gone),
    /// codes, revoked token families, devices never confirmed once no access token that could
    /// confirm them is valid, sign-in sessions, the hosted UI's sessions and pages, authorization
    /// codes, passkey registrations and AWS credentials (a day after they expire). The data keeps
    /// what is live.
    pub fn prune(&mut self) {
        for pool in self.pools.values_mut() {
            let now = pool.now();
            pool.codes.retain(|_, c| c.expires > now);
            let cutoff = now - pool.longest_access_token();
            pool.devices.retain(|_, d| d.confirmed() || d.created > cutoff);
        }
        let pools = &self.pools;
        let live = |r: &RefreshRecord| {
            let Some(p) = pools.get(&r.pool) else { return false };
            let device_ok = !p.device_tracking() || r.device_key.as_ref().is_none_or(|k| p.devices.contains_key(k));
            r.expires > p.now() && device_ok
        };
        self.refresh_tokens.retain(|_, r| live(r));
        let now = system_now();
        self.revoked_origins.retain(|_, until| *until > now);
        self.prune_runtime();
    }

    fn prune_runtime(&mut self) {
        let now_of = |pool: &str| self.pools.get(pool).map(Pool::now);
        let alive = |pool: &str, expires: i64| now_of(pool).is_some_and(|now| expires > now);
        let rt = &mut self.runtime;
        rt.sessions.retain(|_, s| alive(&s.pool, s.expires));
        // A SECRET_BLOCK is answered within the client's session validity (at most 15 minutes).
        rt.srp.retain(|_, s| alive(&s.pool, s.created + 900));
        rt.hosted_steps.retain(|_, s| alive(&s.pool, s.expires));
        rt.hosted.retain(|_, s| alive(&s.pool, s.expires));
        rt.auth_codes.retain(|_, c| alive(&c.pool, c.expires));
        rt.registrations.retain(|key, r| key.split('\u{1f}').next().is_some_and(|pool| alive(pool, r.expires)));
        let now = system_now();
        rt.aws_credentials.retain(|_, c| c.expiration + EXPIRED_CREDENTIALS_KEPT > now);
    }
}
