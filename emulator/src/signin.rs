//! The sign-in state machine after the first factor, shared by InitiateAuth (`auth.rs`), the
//! choice-based first factors (`choice.rs`) and the challenge answers (`challenges.rs`): the
//! developer guide's "User pool authentication flow".
//!
//! ```text
//! first factor proven
//!   → account state (disabled, unconfirmed, reset required, NEW_PASSWORD_REQUIRED)
//!   → custom challenges (CUSTOM_AUTH)
//!   → remembered device (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER; skips MFA)
//!   → MFA (SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA | SELECT_MFA_TYPE | MFA_SETUP; none after
//!     a passkey that counts as MFA, `passkey_mfa.rs`)
//!   → tokens (+ NewDeviceMetadata when device tracking is on)
//! ```
//! Each step is a session that awaits one answer ([`Awaiting`]). SRP starts here too (B is a
//! 3072-bit exponentiation, made with the state let go).

use crate::access::check_secret_hash;
use crate::call::Call;
use crate::codes::send_mfa_code;
use crate::config::{ClientConfig, MfaConfiguration, MfaFactor, TriggerKind, UserStatus};
use crate::error::*;
use crate::issue::tokens_response;
use crate::shared::Tx;
use crate::state::*;
use crate::triggers::{Define, TokenSource};
use crate::util::*;
use cognito_proto::srp::server::ServerEphemeral;
use cognito_proto::srp::SrpA;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The pool and app client a sign-in runs for, and the call it came with.
pub struct Flow<'a> {
    pub call: &'a Call,
    pub pool: &'a str,
    pub client: &'a ClientConfig,
}

/// AuthParameters or ChallengeResponses.
pub struct Params(pub BTreeMap<String, String>);

impl Params {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    pub fn need(&self, k: &str) -> ApiResult<&str> {
        self.get(k).ok_or_else(|| missing(k))
    }
}

/// Opens a session awaiting `awaiting`; returns its id (the `Session` string).
pub fn open_session(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>, awaiting: Awaiting) -> String {
    let s = AuthSession {
        pool: f.pool.to_string(),
        client: f.client.id.clone(),
        username: username.to_string(),
        expires: db.now_of(f.pool) + f.client.auth_session_validity_minutes.max(3) * 60,
        device_key,
        awaiting,
    };
    let id = opaque_token(180);
    db.runtime.sessions.insert(id.clone(), s);
    id
}

pub fn challenge(name: &str, session: Option<String>, params: Value) -> Value {
    let mut v = json!({"ChallengeName": name, "ChallengeParameters": params});
    if let Some(s) = session {
        v["Session"] = json!(s);
    }
    v
}

/// A wrong password or proof: counted toward the lock-out.
pub fn fail_sign_in(db: &mut Db, pool: &str, username: &str) -> ApiError {
    if let Ok(u) = db.user_mut(pool, username) {
        u.failed_sign_ins += 1;
    }
    bad_credentials()
}

pub fn locked(db: &Db, pool: &str, username: &str) -> ApiResult<()> {
    let p = db.pool(pool)?;
    if p.users.get(username).is_some_and(|u| u.failed_sign_ins >= p.config.max_failed_sign_ins) {
        return Err(not_authorized("Password attempts exceeded"));
    }
    Ok(())
}

/// Checks a password with the state let go (the verifier is a 3072-bit exponentiation).
pub fn password_matches(tx: &mut Tx, pool: &str, username: &str, password: &str) -> ApiResult<bool> {
    let p = tx.pool(pool)?;
    let check = p.user(username)?.password_check(p.name());
    let password = password.to_string();
    Ok(tx.compute(move || check.matches(&password)))
}

/// A new password's verifier, computed with the state let go (as [`password_matches`]).
pub fn new_verifier(tx: &mut Tx, pool: &str, username: &str, password: &str) -> ApiResult<PasswordVerifier> {
    let name = tx.pool(pool)?.name().to_string();
    let (username, password) = (username.to_string(), password.to_string());
    Ok(tx.compute(move || PasswordVerifier::compute(&name, &username, &password)))
}

/// Account-state checks once the first factor is proven; `true` when the user must set a new
/// password.
pub fn must_change_password(db: &Db, pool: &str, username: &str) -> ApiResult<bool> {
    let p = db.pool(pool)?;
    let u = p.user(username)?;
    if !u.enabled {
        return Err(not_authorized("User is disabled."));
    }
    match u.status {
        UserStatus::Unconfirmed => Err(fail(Exception::UserNotConfirmed, "User is not confirmed.")),
        UserStatus::ResetRequired => Err(fail(Exception::PasswordResetRequired, "Password reset required for the user")),
        UserStatus::ForceChangePassword if u.temp_password_expires.is_some_and(|t| t <= p.now()) => {
            Err(not_authorized("Temporary password has expired and must be reset by an administrator."))
        }
        UserStatus::ForceChangePassword => Ok(true),
        UserStatus::Confirmed | UserStatus::ExternalProvider => Ok(false),
    }
}

pub fn new_password_challenge(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    let p = db.pool(f.pool)?;
    let u = p.user(username)?;
    let visible: Map<String, Value> =
        u.attributes.iter().filter(|(k, _)| *k != "sub" && !k.ends_with("_verified")).map(|(k, v)| (k.clone(), json!(v))).collect();
    let required: Vec<String> =
        p.config.required_attributes.iter().filter(|a| u.attr(a).is_none()).map(|a| format!("userAttributes.{a}")).collect();
    let params = json!({"USER_ID_FOR_SRP": username, "userAttributes": Value::Object(visible).to_string(), "requiredAttributes": json!(required).to_string()});
    let session = open_session(db, f, username, device_key, Awaiting::NewPassword);
    Ok(challenge("NEW_PASSWORD_REQUIRED", Some(session), params))
}

/// CUSTOM_AUTH driven by the define/create/verify triggers: define decides over `log` (the
/// rounds so far), create makes the next CUSTOM_CHALLENGE.
pub fn custom_trigger_step(tx: &mut Tx, f: &Flow, username: &str, log: Vec<Value>, device_key: Option<String>) -> ApiResult<Value> {
    match crate::triggers::define_auth_challenge(tx, f.call, f.pool, username, &log)? {
        Define::Fail => Err(bad_credentials()),
        Define::Tokens => after_password(tx, f, username, device_key, TokenSource::Authentication),
        Define::Challenge(name) if name == "PASSWORD_VERIFIER" => {
            Err(lambda_response("DefineAuthChallenge: PASSWORD_VERIFIER only follows SRP_A"))
        }
        Define::Challenge(_) => {
            let created = crate::triggers::create_auth_challenge(tx, f.call, f.pool, username, &log)?;
            let mut public = created.public;
            public["USERNAME"] = json!(username);
            let awaiting = Awaiting::CustomTrigger { log, private: created.private, metadata: created.metadata };
            let session = open_session(tx, f, username, device_key, awaiting);
            Ok(challenge("CUSTOM_CHALLENGE", Some(session), public))
        }
    }
}

/// The rounds the define trigger sees after SRP.
fn srp_rounds() -> Vec<Value> {
    ["SRP_A", "PASSWORD_VERIFIER"].iter().map(|n| json!({"challengeName": n, "challengeResult": true, "challengeMetadata": ""})).collect()
}

/// The first CUSTOM_CHALLENGE: from the pool's define/create/verify triggers when it has them
/// (the define trigger sees the SRP rounds when the sign-in began with SRP), else the config's
/// built-in questions.
pub fn first_custom_challenge(tx: &mut Tx, f: &Flow, username: &str, after_srp: bool) -> ApiResult<Value> {
    if crate::triggers::configured(tx, f.pool, TriggerKind::DefineAuthChallenge) {
        let log = if after_srp { srp_rounds() } else { Vec::new() };
        return custom_trigger_step(tx, f, username, log, None);
    }
    custom_challenge(tx, f, username, 0, 0)
}

/// A built-in custom round (`customAuth` in the config).
pub fn custom_challenge(db: &mut Db, f: &Flow, username: &str, round: usize, attempts: u32) -> ApiResult<Value> {
    let cfg = db.pool(f.pool)?.config.custom_auth.clone();
    let q = cfg.challenges.get(round).ok_or_else(|| lambda_response("No custom challenge configured"))?;
    let params = json!({
        "USERNAME": username,
        "question": q.question,
        "round": (round + 1).to_string(),
        "rounds": cfg.challenges.len().to_string(),
        "attemptsLeft": (cfg.max_attempts.saturating_sub(attempts)).to_string(),
    });
    let session = open_session(db, f, username, None, Awaiting::Custom { round, attempts });
    Ok(challenge("CUSTOM_CHALLENGE", Some(session), params))
}

/// Whether the sign-in still owes its MFA step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mfa {
    Due,
    /// The first factor was multi-factor itself (a passkey under passkey MFA, `passkey_mfa.rs`).
    Satisfied,
}

/// A proven first factor clears the failed sign-ins.
fn clear_failures(db: &mut Db, pool: &str, username: &str) -> ApiResult<()> {
    if db.user(pool, username)?.failed_sign_ins != 0 {
        db.user_mut(pool, username)?.failed_sign_ins = 0;
    }
    Ok(())
}

/// After the first factor: password change, custom rounds, device, MFA, tokens.
pub fn after_first_factor(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>, custom: bool) -> ApiResult<Value> {
    clear_failures(tx, f.pool, username)?;
    if must_change_password(tx, f.pool, username)? {
        return new_password_challenge(tx, f, username, device_key);
    }
    if custom {
        // After SRP (the only first factor with `custom`).
        return first_custom_challenge(tx, f, username, true);
    }
    after_password(tx, f, username, device_key, TokenSource::Authentication)
}

/// After a first factor that counts as MFA too: as [`after_first_factor`], with no MFA step.
pub fn after_multi_factor(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    clear_failures(tx, f.pool, username)?;
    if must_change_password(tx, f.pool, username)? {
        return new_password_challenge(tx, f, username, device_key);
    }
    device_step(tx, f, username, device_key, TokenSource::Authentication, Mfa::Satisfied)
}

/// Device check, then MFA, then tokens.
pub fn after_password(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>, source: TokenSource) -> ApiResult<Value> {
    device_step(tx, f, username, device_key, source, Mfa::Due)
}

fn device_step(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>, source: TokenSource, mfa: Mfa) -> ApiResult<Value> {
    let p = tx.pool(f.pool)?;
    let (true, Some(key)) = (p.device_tracking(), device_key) else { return mfa_or_tokens(tx, f, username, None, source, mfa) };
    match p.devices.get(&key) {
        Some(d) if d.username == username && d.confirmed() && d.remembered => {
            let session = open_session(tx, f, username, Some(key), Awaiting::DeviceSrp);
            Ok(challenge("DEVICE_SRP_AUTH", Some(session), json!({"USERNAME": username})))
        }
        // Known but not remembered: no MFA skip, no new device either.
        Some(d) if d.username == username && d.confirmed() => mfa_or_tokens(tx, f, username, Some(key), source, mfa),
        _ => Err(fail(Exception::ResourceNotFound, "Device does not exist.")),
    }
}

fn mfa_or_tokens(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>, source: TokenSource, mfa: Mfa) -> ApiResult<Value> {
    match mfa {
        Mfa::Due => mfa_step(tx, f, username, device_key, source),
        Mfa::Satisfied => tokens_response(tx, f.call, f.pool, f.client, username, device_key, source),
    }
}

/// The challenge for one factor: a code sent now, or the authenticator app.
pub fn issue_mfa_challenge(tx: &mut Tx, f: &Flow, username: &str, factor: MfaFactor, device_key: Option<String>) -> ApiResult<Value> {
    let (params, awaiting) = if factor == MfaFactor::Totp {
        let name = tx.user(f.pool, username)?.totp_device_name.clone().unwrap_or_default();
        (json!({"USERNAME": username, "FRIENDLY_DEVICE_NAME": name}), Awaiting::Totp { attempts: 0 })
    } else {
        let (code, params) = send_mfa_code(tx, f.call, f.pool, username, factor, None)?;
        (params, Awaiting::SentCode { factor, code, attempts: 0, setup_email: None })
    };
    let session = open_session(tx, f, username, device_key, awaiting);
    Ok(challenge(factor.as_str(), Some(session), params))
}

/// MFA as the pool and the user have it configured, or the tokens.
fn mfa_step(tx: &mut Tx, f: &Flow, username: &str, device_key: Option<String>, source: TokenSource) -> ApiResult<Value> {
    let p = tx.pool(f.pool)?;
    let mode = p.config.mfa_configuration;
    let user = p.user(username)?;
    let (factors, preferred) = (user.mfa_factors(&p.config), user.preferred_mfa);
    match (mode, factors.first()) {
        (MfaConfiguration::Off, _) | (MfaConfiguration::Optional, None) => {
            tokens_response(tx, f.call, f.pool, f.client, username, device_key, source)
        }
        (MfaConfiguration::On, None) => {
            let can: Vec<&str> = p.config.mfa_methods.iter().filter(|m| **m != MfaFactor::Sms).map(|m| m.as_str()).collect();
            let params = json!({"MFAS_CAN_SETUP": json!(can).to_string(), "USERNAME": username});
            let session = open_session(tx, f, username, device_key, Awaiting::MfaSetup { totp_secret: None, totp_verified: false });
            Ok(challenge("MFA_SETUP", Some(session), params))
        }
        (_, Some(&first)) if factors.len() == 1 || preferred.is_some() => issue_mfa_challenge(tx, f, username, first, device_key),
        _ => {
            let names: Vec<&str> = factors.iter().map(|m| m.as_str()).collect();
            let session = open_session(tx, f, username, device_key, Awaiting::SelectMfaType);
            Ok(challenge("SELECT_MFA_TYPE", Some(session), json!({"MFAS_CAN_CHOOSE": json!(names).to_string(), "USERNAME": username})))
        }
    }
}

/// The user a name means, or the error the pool gives for an unknown one.
pub fn known_user(db: &Db, pool: &str, typed: &str) -> ApiResult<String> {
    let p = db.pool(pool)?;
    p.find_username(typed).ok_or_else(|| if p.config.prevent_user_existence_errors { bad_credentials() } else { user_not_found() })
}

/// The verifier SRP runs against: the user's, or (an unknown user under
/// PreventUserExistenceErrors) a stable fake one for this name, so probing learns nothing.
struct SrpUser {
    username: String,
    salt: cognito_proto::srp::Salt,
    v: cognito_proto::srp::mont::U3072,
    phantom: bool,
}

fn srp_user(db: &Db, pool: &str, typed: &str) -> ApiResult<SrpUser> {
    let p = db.pool(pool)?;
    match p.find_user(typed) {
        Some(u) if u.verifier_hex.is_some() => {
            let salt = u.salt().ok_or_else(|| internal("bad salt"))?;
            let v = u.verifier().ok_or_else(|| internal("bad verifier"))?;
            Ok(SrpUser { username: u.username.clone(), salt, v, phantom: false })
        }
        Some(_) => Err(bad_credentials()),
        None if p.config.prevent_user_existence_errors => {
            let h = cognito_proto::crypto::sha256(&[pool.as_bytes(), typed.as_bytes()]);
            let salt = cognito_proto::srp::Salt::from_bytes(&h[..16]);
            let fake_id = cognito_proto::codec::hex_encode(&h[16..32]);
            let v = cognito_proto::srp::server::verifier(&salt, "", &fake_id, "");
            Ok(SrpUser { username: fake_id, salt, v, phantom: true })
        }
        None => Err(user_not_found()),
    }
}

/// CUSTOM_AUTH that starts with SRP_A asks the define trigger whether PASSWORD_VERIFIER follows.
fn srp_then_custom(tx: &mut Tx, f: &Flow, username: &str) -> ApiResult<()> {
    let log = [json!({"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": ""})];
    match crate::triggers::define_auth_challenge(tx, f.call, f.pool, username, &log)? {
        Define::Challenge(n) if n == "PASSWORD_VERIFIER" => Ok(()),
        Define::Fail => Err(bad_credentials()),
        _ => Err(lambda_response("DefineAuthChallenge: after SRP_A the challenge must be PASSWORD_VERIFIER")),
    }
}

/// USER_SRP_AUTH (or CUSTOM_AUTH starting with SRP_A) → PASSWORD_VERIFIER.
/// `pre_auth`: run preAuthentication (not when USER_AUTH already did).
pub fn srp_start(tx: &mut Tx, f: &Flow, params: &Params, custom: bool, pre_auth: bool) -> ApiResult<Value> {
    let typed = params.need("USERNAME")?;
    check_secret_hash(tx, &f.client.id, typed, params.get("SECRET_HASH"))?;
    let a = SrpA::from_hex(params.need("SRP_A")?).map_err(|e| invalid_param(format!("Invalid SRP_A: {}", e.message())))?;
    let u = srp_user(tx, f.pool, typed)?;
    if !u.phantom {
        locked(tx, f.pool, &u.username)?;
    }
    if pre_auth {
        // SRP hides the password: no userMigration here, exactly as in Cognito.
        crate::triggers::pre_authentication(tx, f.call, f.pool, &u.username, u.phantom)?;
    }
    if custom && !u.phantom && crate::triggers::configured(tx, f.pool, TriggerKind::DefineAuthChallenge) {
        srp_then_custom(tx, f, &u.username)?;
    }
    let v = u.v;
    let server = tx.compute(move || ServerEphemeral::from_random(random_bytes::<32>(), &v)).map_err(|e| internal(e.message()))?;
    let (block, b_hex, now) = (random_base64(96), server.public().to_hex(), tx.now_of(f.pool));
    let state = SrpState {
        pool: f.pool.to_string(),
        client: f.client.id.clone(),
        username: u.username.clone(),
        a,
        server,
        v: u.v,
        created: now,
        device_key: params.get("DEVICE_KEY").map(String::from),
        custom,
        phantom: u.phantom,
    };
    tx.runtime.srp.insert(block.clone(), state);
    let params =
        json!({"SALT": u.salt.to_hex(), "SRP_B": b_hex, "SECRET_BLOCK": block, "USER_ID_FOR_SRP": u.username, "USERNAME": u.username});
    Ok(challenge("PASSWORD_VERIFIER", None, params))
}
