//! Sign-in: InitiateAuth, RespondToAuthChallenge, TOTP association, and the state machine
//! between them (the `InitiateAuth` / `RespondToAuthChallenge` API references and the developer
//! guide's "User pool authentication flow"):
//!
//! ```text
//! first factor (SRP | password | custom | auto sign-in | refresh)
//!   → account state (disabled, unconfirmed, reset required, NEW_PASSWORD_REQUIRED)
//!   → custom challenges (CUSTOM_AUTH)
//!   → remembered device (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER; skips MFA)
//!   → MFA (SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA | SELECT_MFA_TYPE | MFA_SETUP)
//!   → tokens (+ NewDeviceMetadata when device tracking is on)
//! ```
//! Each step is a session that awaits one answer ([`Awaiting`]); each answer has its own
//! function below. SRP is checked strictly: the claim is recomputed from the stored verifier,
//! TIMESTAMP must have Cognito's exact format and be within the pool's skew window,
//! SECRET_BLOCKs are single-use and bound to the client.

use crate::access::{authenticate, check_client_secret, check_secret_hash, client_of};
use crate::codes::send_mfa_code;
use crate::config::{ClientConfig, MfaConfiguration, MfaFactor, UserStatus};
use crate::issue::{check_refresh_device, issue_tokens, refresh_record, refresh_tokens, tokens_response, Issue};
use crate::request::{map_of, missing, opt, req, Ctx};
use crate::state::*;
use crate::util::*;
use cognito_proto::srp::server::ServerEphemeral;
use cognito_proto::srp::{SecretBlock, SrpA, SrpTimestamp};
use serde_json::{json, Map, Value};

/// The pool and app client a sign-in runs for, and the request it came with.
struct Flow<'a> {
    ctx: &'a Ctx,
    pool: &'a str,
    client: &'a ClientConfig,
}

fn flow_allowed(client: &ClientConfig, flow: &str) -> bool {
    let needed = match flow {
        "USER_SRP_AUTH" => "ALLOW_USER_SRP_AUTH",
        "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH",
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
        "CUSTOM_AUTH" => "ALLOW_CUSTOM_AUTH",
        "USER_AUTH" => "ALLOW_USER_AUTH",
        _ => return false,
    };
    client.explicit_auth_flows.iter().any(|f| f == needed || format!("ALLOW_{f}") == needed)
}

/// Opens a session awaiting `awaiting`; returns its id (the `Session` string).
fn open_session(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>, awaiting: Awaiting) -> String {
    let now = db.pools.get(f.pool).map(|p| p.now()).unwrap_or_else(system_now);
    let s = AuthSession {
        pool: f.pool.to_string(),
        client: f.client.id.clone(),
        username: username.to_string(),
        expires: now + f.client.auth_session_validity_minutes.max(3) * 60,
        device_key,
        awaiting,
    };
    let id = opaque_token(180);
    db.runtime.sessions.insert(id.clone(), s);
    id
}

fn challenge(name: &str, session: Option<String>, params: Value) -> Value {
    let mut v = json!({"ChallengeName": name, "ChallengeParameters": params});
    if let Some(s) = session {
        v["Session"] = json!(s);
    }
    v
}

fn fail_sign_in(db: &mut Db, pool: &str, username: &str) -> ApiError {
    if let Ok(p) = db.pool_mut(pool) {
        if let Some(u) = p.users.get_mut(username) {
            u.failed_sign_ins += 1;
        }
    }
    not_authorized("Incorrect username or password.")
}

fn locked(db: &Db, pool: &str, username: &str) -> ApiResult<()> {
    let p = db.pool(pool)?;
    if p.users.get(username).is_some_and(|u| u.failed_sign_ins >= p.config.max_failed_sign_ins) {
        return Err(not_authorized("Password attempts exceeded"));
    }
    Ok(())
}

/// Account-state checks once the first factor is proven; `true` when the user must set a new
/// password.
fn must_change_password(db: &Db, pool: &str, username: &str) -> ApiResult<bool> {
    let p = db.pool(pool)?;
    let u = p.users.get(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    if !u.enabled {
        return Err(not_authorized("User is disabled."));
    }
    match u.status {
        UserStatus::Unconfirmed => Err(err("UserNotConfirmedException", "User is not confirmed.")),
        UserStatus::ResetRequired => Err(err("PasswordResetRequiredException", "Password reset required for the user")),
        UserStatus::ForceChangePassword => {
            if u.temp_password_expires.is_some_and(|t| t <= p.now()) {
                return Err(not_authorized("Temporary password has expired and must be reset by an administrator."));
            }
            Ok(true)
        }
        UserStatus::Confirmed | UserStatus::ExternalProvider => Ok(false),
    }
}

fn new_password_challenge(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    let p = db.pool(f.pool)?;
    let u = &p.users[username];
    let visible: Map<String, Value> =
        u.attributes.iter().filter(|(k, _)| *k != "sub" && !k.ends_with("_verified")).map(|(k, v)| (k.clone(), json!(v))).collect();
    let required: Vec<String> =
        p.config.required_attributes.iter().filter(|a| u.attr(a).is_none()).map(|a| format!("userAttributes.{a}")).collect();
    let session = open_session(db, f, username, device_key, Awaiting::NewPassword);
    Ok(challenge(
        "NEW_PASSWORD_REQUIRED",
        Some(session),
        json!({"USER_ID_FOR_SRP": username, "userAttributes": Value::Object(visible).to_string(), "requiredAttributes": json!(required).to_string()}),
    ))
}

/// CUSTOM_AUTH driven by the define/create/verify triggers: define decides over `log` (the
/// rounds so far), create makes the next CUSTOM_CHALLENGE.
fn custom_trigger_step(db: &mut Db, f: &Flow, username: &str, log: Vec<Value>, device_key: Option<String>) -> ApiResult<Value> {
    use crate::triggers::Define;
    match crate::triggers::define_auth_challenge(db, f.pool, username, &log)? {
        Define::Fail => Err(not_authorized("Incorrect username or password.")),
        Define::Tokens => after_password(db, f, username, device_key),
        Define::Challenge(name) if name == "PASSWORD_VERIFIER" => {
            Err(err("InvalidLambdaResponseException", "DefineAuthChallenge: PASSWORD_VERIFIER only follows SRP_A"))
        }
        Define::Challenge(_) => {
            let (mut public, private, metadata) = crate::triggers::create_auth_challenge(db, f.pool, username, &log)?;
            public["USERNAME"] = json!(username);
            let session = open_session(db, f, username, device_key, Awaiting::CustomTrigger { log, private, metadata });
            Ok(challenge("CUSTOM_CHALLENGE", Some(session), public))
        }
    }
}

/// The first CUSTOM_CHALLENGE: from the pool's define/create/verify triggers when it has them
/// (the define trigger sees the SRP rounds when the sign-in began with SRP), else the config's
/// built-in questions.
fn first_custom_challenge(db: &mut Db, f: &Flow, username: &str, after_srp: bool) -> ApiResult<Value> {
    if crate::triggers::configured(db, f.pool, crate::triggers::Kind::DefineAuthChallenge) {
        let log = if after_srp { srp_rounds() } else { Vec::new() };
        return custom_trigger_step(db, f, username, log, None);
    }
    custom_challenge(db, f, username, 0, 0)
}

/// A built-in custom round (`customAuth` in the config).
fn custom_challenge(db: &mut Db, f: &Flow, username: &str, round: usize, attempts: u32) -> ApiResult<Value> {
    let cfg = db.pool(f.pool)?.config.custom_auth.clone();
    let q = cfg.challenges.get(round).ok_or_else(|| err("InvalidLambdaResponseException", "No custom challenge configured"))?;
    let session = open_session(db, f, username, None, Awaiting::Custom { round, attempts });
    Ok(challenge(
        "CUSTOM_CHALLENGE",
        Some(session),
        json!({
            "USERNAME": username,
            "question": q.question,
            "round": (round + 1).to_string(),
            "rounds": cfg.challenges.len().to_string(),
            "attemptsLeft": (cfg.max_attempts.saturating_sub(attempts)).to_string(),
        }),
    ))
}

/// After the first factor: password change, custom rounds, device, MFA, tokens.
fn after_first_factor(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>, custom: bool) -> ApiResult<Value> {
    if let Some(u) = db.pool_mut(f.pool)?.users.get_mut(username) {
        u.failed_sign_ins = 0;
    }
    if must_change_password(db, f.pool, username)? {
        return new_password_challenge(db, f, username, device_key);
    }
    if custom {
        // After SRP (the only first factor with `custom`).
        return first_custom_challenge(db, f, username, true);
    }
    after_password(db, f, username, device_key)
}

/// Device check, then MFA, then tokens.
fn after_password(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    let p = db.pool(f.pool)?;
    if let (true, Some(key)) = (p.device_tracking(), device_key.as_deref()) {
        match p.devices.get(key) {
            Some(d) if d.username == username && d.confirmed() => {
                if d.remembered {
                    let session = open_session(db, f, username, Some(key.to_string()), Awaiting::DeviceSrp);
                    return Ok(challenge("DEVICE_SRP_AUTH", Some(session), json!({"USERNAME": username})));
                }
                // Known but not remembered: no MFA skip, no new device either.
                return mfa_step(db, f, username, Some(key.to_string()));
            }
            _ => return Err(err("ResourceNotFoundException", "Device does not exist.")),
        }
    }
    mfa_step(db, f, username, None)
}

/// The challenge for one factor: a code sent now, or the authenticator app.
fn issue_mfa_challenge(db: &mut Db, f: &Flow, username: &str, factor: MfaFactor, device_key: Option<String>) -> ApiResult<Value> {
    let (params, awaiting) = if factor == MfaFactor::Totp {
        let name = db.pool(f.pool)?.users[username].totp_device_name.clone().unwrap_or_default();
        (json!({"USERNAME": username, "FRIENDLY_DEVICE_NAME": name}), Awaiting::Totp { attempts: 0 })
    } else {
        let (code, params) = send_mfa_code(db, f.pool, username, factor, None)?;
        (params, Awaiting::SentCode { factor, code, attempts: 0, setup_email: None })
    };
    let session = open_session(db, f, username, device_key, awaiting);
    Ok(challenge(factor.as_str(), Some(session), params))
}

/// MFA as the pool and the user have it configured, or the tokens.
fn mfa_step(db: &mut Db, f: &Flow, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    let p = db.pool(f.pool)?;
    let mode = p.config.mfa_configuration;
    if mode == MfaConfiguration::Off {
        return tokens_response(db, f.ctx, f.pool, f.client, username, device_key);
    }
    let factors = p.users[username].mfa_factors(&p.config);
    let preferred = p.users[username].preferred_mfa;
    if factors.is_empty() {
        if mode == MfaConfiguration::On {
            let can: Vec<&str> = p.config.mfa_methods.iter().filter(|m| **m != MfaFactor::Sms).map(|m| m.as_str()).collect();
            let session = open_session(db, f, username, device_key, Awaiting::MfaSetup { totp_secret: None, totp_verified: false });
            return Ok(challenge("MFA_SETUP", Some(session), json!({"MFAS_CAN_SETUP": json!(can).to_string(), "USERNAME": username})));
        }
        return tokens_response(db, f.ctx, f.pool, f.client, username, device_key);
    }
    if factors.len() == 1 || preferred.is_some() {
        return issue_mfa_challenge(db, f, username, factors[0], device_key);
    }
    let names: Vec<&str> = factors.iter().map(|m| m.as_str()).collect();
    let session = open_session(db, f, username, device_key, Awaiting::SelectMfaType);
    Ok(challenge("SELECT_MFA_TYPE", Some(session), json!({"MFAS_CAN_CHOOSE": json!(names).to_string(), "USERNAME": username})))
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth

pub fn initiate_auth(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let flow = req(body, "AuthFlow")?;
    let (pool, client) = client_of(db, client_id)?;
    let params = map_of(body, "AuthParameters")?;
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    if !matches!(flow, "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" | "CUSTOM_AUTH" | "USER_AUTH") {
        return Err(invalid_param(format!(
            "1 validation error detected: Value '{flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set"
        )));
    }
    if !flow_allowed(&client, flow) {
        return Err(invalid_param(format!("{flow} flow not enabled for this client")));
    }
    db.count(&pool, &format!("InitiateAuth:{flow}"));
    let f = Flow { ctx, pool: &pool, client: &client };
    match flow {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => refresh_via_initiate_auth(db, &f, &params),
        "USER_AUTH" => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let Some(session) = opt(body, "Session") else {
                return user_auth_start(db, &f, &params);
            };
            let s = db.runtime.sessions.remove(session).ok_or_else(|| not_authorized("Invalid session for the user."))?;
            let username = db.pool(&pool)?.find_username(typed);
            if !matches!(s.awaiting, Awaiting::AutoSignIn) || s.client != client.id || username.as_deref() != Some(s.username.as_str()) {
                return Err(not_authorized("Invalid session for the user."));
            }
            if s.expires <= db.pool(&pool)?.now() {
                return Err(not_authorized("Invalid session for the user, session is expired."));
            }
            after_first_factor(db, &f, &s.username, p("DEVICE_KEY").map(String::from), false)
        }
        "USER_PASSWORD_AUTH" => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let password = p("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
            let known = db.pool(&pool)?.find_username(typed);
            // An unknown user may come from userMigration, which sees the password here.
            let username = match known {
                Some(u) => {
                    crate::triggers::pre_authentication(db, &pool, &u, false)?;
                    u
                }
                None => match crate::triggers::migrate(db, &pool, typed, Some(password))? {
                    Some(u) => u,
                    None => {
                        let pl = db.pool(&pool)?;
                        return Err(if pl.config.prevent_user_existence_errors {
                            not_authorized("Incorrect username or password.")
                        } else {
                            err("UserNotFoundException", "User does not exist.")
                        });
                    }
                },
            };
            locked(db, &pool, &username)?;
            let pl = db.pool(&pool)?;
            if !pl.users[&username].password_matches(pl.name(), password) {
                return Err(fail_sign_in(db, &pool, &username));
            }
            after_first_factor(db, &f, &username, p("DEVICE_KEY").map(String::from), false)
        }
        "CUSTOM_AUTH" if p("CHALLENGE_NAME") != Some("SRP_A") => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let username = db.pool(&pool)?.find_username(typed).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
            crate::triggers::pre_authentication(db, &pool, &username, false)?;
            if must_change_password(db, &pool, &username)? {
                new_password_challenge(db, &f, &username, None)
            } else {
                first_custom_challenge(db, &f, &username, false)
            }
        }
        _ => srp_start(db, &f, &params, flow == "CUSTOM_AUTH", true),
    }
}

// ---------------------------------------------------------------------------------------------
// Choice-based sign-in (USER_AUTH): PREFERRED_CHALLENGE, or SELECT_CHALLENGE with
// AvailableChallenges; then PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN.

fn user_auth_start(db: &mut Db, f: &Flow, params: &Map<String, Value>) -> ApiResult<Value> {
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
    let pl = db.pool(f.pool)?;
    let Some(username) = pl.find_username(typed) else {
        return Err(if pl.config.prevent_user_existence_errors {
            not_authorized("Incorrect username or password.")
        } else {
            err("UserNotFoundException", "User does not exist.")
        });
    };
    locked(db, f.pool, &username)?;
    crate::triggers::pre_authentication(db, f.pool, &username, false)?;
    let pl = db.pool(f.pool)?;
    let available = crate::passkeys::first_factors(pl, &pl.users[&username]);
    if available.is_empty() {
        return Err(not_authorized("The user has no sign-in factor that this user pool allows."));
    }
    let device = p("DEVICE_KEY").map(String::from);
    match p("PREFERRED_CHALLENGE") {
        Some(c) if available.contains(&c) => start_factor(db, f, &username, c, params, device),
        // No preference, or one this user cannot use: the user chooses.
        _ => {
            let available: Vec<String> = available.into_iter().map(String::from).collect();
            let session = open_session(db, f, &username, device, Awaiting::SelectChallenge { available: available.clone() });
            let mut v = challenge("SELECT_CHALLENGE", Some(session), json!({"USERNAME": username}));
            v["AvailableChallenges"] = json!(available);
            Ok(v)
        }
    }
}

/// Starts (or, with PASSWORD, completes) one first factor of USER_AUTH. `params` are the
/// InitiateAuth AuthParameters or the SELECT_CHALLENGE ChallengeResponses.
fn start_factor(
    db: &mut Db,
    f: &Flow,
    username: &str,
    factor: &str,
    params: &Map<String, Value>,
    device: Option<String>,
) -> ApiResult<Value> {
    match factor {
        "PASSWORD" => {
            let password = params.get("PASSWORD").and_then(Value::as_str).ok_or_else(|| missing("PASSWORD"))?;
            let pl = db.pool(f.pool)?;
            if !pl.users[username].password_matches(pl.name(), password) {
                return Err(fail_sign_in(db, f.pool, username));
            }
            after_first_factor(db, f, username, device, false)
        }
        "PASSWORD_SRP" => srp_start(db, f, params, false, false),
        "EMAIL_OTP" | "SMS_OTP" => {
            let sms = factor == "SMS_OTP";
            let (code, params) = send_mfa_code(db, f.pool, username, if sms { MfaFactor::Sms } else { MfaFactor::Email }, None)?;
            let session = open_session(db, f, username, device, Awaiting::OtpSignIn { sms, code, attempts: 0 });
            Ok(challenge(factor, Some(session), params))
        }
        _ => {
            let pl = db.pool(f.pool)?;
            let cfg = &pl.config.web_authn;
            let challenge_b64 = cognito_proto::codec::base64url_encode(&random_bytes::<32>());
            let options = crate::webauthn::request_options(
                &challenge_b64,
                &cfg.relying_party_id,
                &pl.users[username].passkeys,
                &cfg.user_verification,
                cfg.timeout_ms,
            );
            let session = open_session(db, f, username, device, Awaiting::WebAuthn { challenge: challenge_b64 });
            Ok(challenge("WEB_AUTHN", Some(session), json!({"USERNAME": username, "CREDENTIAL_REQUEST_OPTIONS": options.to_string()})))
        }
    }
}

/// USER_SRP_AUTH (or CUSTOM_AUTH starting with SRP_A) → PASSWORD_VERIFIER.
/// `pre_auth`: run preAuthentication (not when USER_AUTH already did).
fn srp_start(db: &mut Db, f: &Flow, params: &Map<String, Value>, custom: bool, pre_auth: bool) -> ApiResult<Value> {
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
    check_secret_hash(db, &f.client.id, typed, p("SECRET_HASH"))?;
    let a_hex = p("SRP_A").ok_or_else(|| missing("SRP_A"))?;
    let a = SrpA::from_hex(a_hex).map_err(|e| invalid_param(format!("Invalid SRP_A: {}", e.message())))?;
    let pl = db.pool(f.pool)?;
    let now = pl.now();
    let (username, salt, v, phantom) = match pl.find_user(typed) {
        Some(u) if u.verifier_hex.is_some() => {
            let salt = u.salt().ok_or_else(|| err("InternalErrorException", "bad salt"))?;
            let v = u.verifier().ok_or_else(|| err("InternalErrorException", "bad verifier"))?;
            (u.username.clone(), salt, v, false)
        }
        Some(_) => return Err(not_authorized("Incorrect username or password.")),
        None if pl.config.prevent_user_existence_errors => {
            // A stable fake salt and id for this name, so probing learns nothing.
            let h = cognito_proto::crypto::sha256(&[f.pool.as_bytes(), typed.as_bytes()]);
            let salt = cognito_proto::srp::Salt::from_bytes(&h[..16]);
            let fake_id = cognito_proto::codec::hex_encode(&h[16..32]);
            let v = cognito_proto::srp::server::verifier(&salt, "", &fake_id, "");
            (fake_id, salt, v, true)
        }
        None => return Err(err("UserNotFoundException", "User does not exist.")),
    };
    if !phantom {
        locked(db, f.pool, &username)?;
    }
    if pre_auth {
        // SRP hides the password: no userMigration here, exactly as in Cognito.
        crate::triggers::pre_authentication(db, f.pool, &username, phantom)?;
    }
    if custom && !phantom && crate::triggers::configured(db, f.pool, crate::triggers::Kind::DefineAuthChallenge) {
        let log = [json!({"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": ""})];
        match crate::triggers::define_auth_challenge(db, f.pool, &username, &log)? {
            crate::triggers::Define::Challenge(n) if n == "PASSWORD_VERIFIER" => {}
            crate::triggers::Define::Fail => return Err(not_authorized("Incorrect username or password.")),
            _ => {
                return Err(err(
                    "InvalidLambdaResponseException",
                    "DefineAuthChallenge: after SRP_A the challenge must be PASSWORD_VERIFIER",
                ))
            }
        }
    }
    let server = ServerEphemeral::from_random(random_bytes::<32>(), &v).map_err(|e| err("InternalErrorException", e.message()))?;
    let block = random_base64(96);
    let b_hex = server.public().to_hex();
    db.runtime.srp.insert(
        block.clone(),
        SrpState {
            pool: f.pool.to_string(),
            client: f.client.id.clone(),
            username: username.clone(),
            a,
            server,
            v,
            created: now,
            device_key: p("DEVICE_KEY").map(String::from),
            custom,
            phantom,
        },
    );
    if db.runtime.srp.len() > 50_000 {
        let cutoff = now - 900;
        db.runtime.srp.retain(|_, s| s.created > cutoff);
    }
    Ok(challenge(
        "PASSWORD_VERIFIER",
        None,
        json!({"SALT": salt.to_hex(), "SRP_B": b_hex, "SECRET_BLOCK": block, "USER_ID_FOR_SRP": username, "USERNAME": username}),
    ))
}

/// TIMESTAMP must be exactly Cognito's format and close to the pool's clock.
fn check_timestamp(db: &Db, pool: &str, ts: &str) -> ApiResult<()> {
    let p = db.pool(pool)?;
    match SrpTimestamp::parse(ts) {
        Some(t) if (t - p.now()).abs() <= p.config.srp_timestamp_skew_seconds => Ok(()),
        _ => Err(not_authorized("Incorrect username or password.")),
    }
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge: one function per answer

/// The ChallengeResponses of one answer.
struct Responses(Map<String, Value>);

impl Responses {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).and_then(Value::as_str)
    }
    fn need(&self, k: &str) -> ApiResult<&str> {
        self.get(k).ok_or_else(|| missing(k))
    }
}

/// What an answer leads to: the next step (or tokens), or the same session again (a wrong code
/// that may be retried, a password the policy refused).
enum Outcome {
    Next(Value),
    Retry(Box<AuthSession>, ApiError),
}

pub fn respond_to_auth_challenge(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let name = req(body, "ChallengeName")?;
    let (pool, client) = client_of(db, client_id)?;
    let r = Responses(map_of(body, "ChallengeResponses")?);
    let typed = r.get("USERNAME").ok_or_else(|| missing("ChallengeResponses.USERNAME"))?;
    check_secret_hash(db, client_id, typed, r.get("SECRET_HASH"))?;
    db.count(&pool, &format!("RespondToAuthChallenge:{name}"));
    let f = Flow { ctx, pool: &pool, client: &client };
    if name == "PASSWORD_VERIFIER" {
        return answer_password_verifier(db, &f, typed, &r);
    }

    let session_id = opt(body, "Session").ok_or_else(|| missing("Session"))?.to_string();
    let s = db.runtime.sessions.remove(&session_id).ok_or_else(|| not_authorized("Invalid session for the user."))?;
    if s.expires <= db.pool(&pool)?.now() {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    if s.client != client.id || s.awaiting.challenge() != name {
        return Err(not_authorized("Invalid session for the user."));
    }
    if db.pool(&pool)?.find_username(typed).as_deref() != Some(s.username.as_str()) {
        return Err(not_authorized("Invalid session for the user."));
    }
    let outcome = match s.awaiting.clone() {
        Awaiting::NewPassword => answer_new_password(db, &f, s, &r)?,
        Awaiting::SentCode { factor, code, attempts, setup_email } => {
            answer_sent_code(db, &f, s, &r, factor, &code, attempts, setup_email)?
        }
        Awaiting::Totp { attempts } => answer_totp(db, &f, s, &r, attempts)?,
        Awaiting::SelectMfaType => answer_select_mfa_type(db, &f, s, &r)?,
        Awaiting::MfaSetup { totp_secret, totp_verified } => answer_mfa_setup(db, &f, s, &r, totp_secret, totp_verified)?,
        Awaiting::Custom { round, attempts } => Outcome::Next(answer_custom(db, &f, &s, &r, round, attempts)?),
        Awaiting::CustomTrigger { log, private, metadata } => {
            Outcome::Next(answer_custom_trigger(db, &f, &s, &r, log, &private, metadata)?)
        }
        Awaiting::DeviceSrp => Outcome::Next(answer_device_srp(db, &f, &s, &r)?),
        Awaiting::DeviceVerifier { srp, block } => Outcome::Next(answer_device_verifier(db, &f, &s, &r, &srp, &block)?),
        Awaiting::SelectChallenge { available } => answer_select_challenge(db, &f, s, &r, &available)?,
        Awaiting::OtpSignIn { sms, code, attempts } => answer_otp_sign_in(db, &f, s, &r, sms, &code, attempts)?,
        Awaiting::WebAuthn { challenge } => Outcome::Next(answer_web_authn(db, &f, &s, &r, &challenge)?),
        Awaiting::AutoSignIn => return Err(invalid_param(format!("Invalid challenge name {name}"))),
    };
    match outcome {
        Outcome::Next(v) => Ok(v),
        Outcome::Retry(s, e) => {
            db.runtime.sessions.insert(session_id, *s);
            Err(e)
        }
    }
}

/// PASSWORD_VERIFIER, keyed by its single-use SECRET_BLOCK (no Session at this step).
fn answer_password_verifier(db: &mut Db, f: &Flow, typed: &str, r: &Responses) -> ApiResult<Value> {
    let block_text = r.need("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = r.need("PASSWORD_CLAIM_SIGNATURE")?;
    let ts = r.need("TIMESTAMP")?;
    // Single use: removed whatever the outcome.
    let st = db.runtime.srp.remove(block_text).ok_or_else(|| not_authorized("Incorrect username or password."))?;
    let pl = db.pool(f.pool)?;
    let validity = f.client.auth_session_validity_minutes.max(3) * 60;
    if st.client != f.client.id || st.pool != f.pool || st.created + validity <= pl.now() {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    let same_user = st.phantom || pl.find_username(typed).as_deref() == Some(st.username.as_str());
    if !same_user {
        return Err(not_authorized("Incorrect username or password."));
    }
    check_timestamp(db, f.pool, ts)?;
    let block = SecretBlock::from_base64(block_text).map_err(|_| not_authorized("Incorrect username or password."))?;
    let ok = st
        .server
        .verify(&st.a, &st.v, db.pool(f.pool)?.name(), &st.username, &block, &SrpTimestamp::from_string(ts), signature)
        .unwrap_or(false);
    if !ok || st.phantom {
        return Err(fail_sign_in(db, f.pool, &st.username));
    }
    let device = r.get("DEVICE_KEY").map(String::from).or(st.device_key.clone());
    after_first_factor(db, f, &st.username, device, st.custom)
}

fn answer_new_password(db: &mut Db, f: &Flow, s: AuthSession, r: &Responses) -> ApiResult<Outcome> {
    let pw = r.need("NEW_PASSWORD")?;
    let pl = db.pool(f.pool)?;
    if let Err(e) = pl.check_password_policy(pw) {
        return Ok(Outcome::Retry(Box::new(s), e));
    }
    let attrs: Vec<(String, String)> =
        r.0.iter().filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_string(), v.as_str()?.to_string()))).collect();
    let u = &pl.users[&s.username];
    let missing_attr = pl.config.required_attributes.iter().find(|a| u.attr(a).is_none() && !attrs.iter().any(|(k, _)| k == *a)).cloned();
    if let Some(req_attr) = missing_attr {
        return Ok(Outcome::Retry(Box::new(s), invalid_param(format!("Invalid attributes given, {req_attr} is missing"))));
    }
    let name_of_pool = pl.name().to_string();
    let u = db.pool_mut(f.pool)?.users.get_mut(&s.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    u.set_password(&name_of_pool, pw);
    u.status = UserStatus::Confirmed;
    u.temp_password_expires = None;
    u.attributes.extend(attrs);
    db.runtime.token_source = Some("TokenGeneration_NewPasswordChallenge");
    Ok(Outcome::Next(after_password(db, f, &s.username, s.device_key.clone())?))
}

fn answer_select_challenge(db: &mut Db, f: &Flow, s: AuthSession, r: &Responses, available: &[String]) -> ApiResult<Outcome> {
    let answer = r.need("ANSWER")?;
    if !available.iter().any(|a| a == answer) {
        let e = invalid_param(format!("{answer} is not one of the AvailableChallenges: {}", available.join(", ")));
        return Ok(Outcome::Retry(Box::new(s), e));
    }
    if answer == "WEB_AUTHN" && r.get("CREDENTIAL").is_some() {
        // There are no request options (and so no challenge to sign) before WEB_AUTHN is issued.
        return Err(invalid_param("Answer SELECT_CHALLENGE with ANSWER=WEB_AUTHN alone, then the WEB_AUTHN challenge with CREDENTIAL"));
    }
    Ok(Outcome::Next(start_factor(db, f, &s.username, answer, &r.0, s.device_key.clone())?))
}

fn answer_otp_sign_in(db: &mut Db, f: &Flow, s: AuthSession, r: &Responses, sms: bool, code: &str, attempts: u32) -> ApiResult<Outcome> {
    let given = r.need(if sms { "SMS_OTP_CODE" } else { "EMAIL_OTP_CODE" })?;
    if !cognito_proto::crypto::ct_eq(code.as_bytes(), given.as_bytes()) {
        let code = code.to_string();
        return wrong_code(s, attempts, move |attempts| Awaiting::OtpSignIn { sms, code, attempts });
    }
    Ok(Outcome::Next(after_first_factor(db, f, &s.username, s.device_key.clone(), false)?))
}

/// WEB_AUTHN: the assertion (AuthenticationResponseJSON, as a JSON string) for the issued
/// challenge; any refusal is NotAuthorizedException and ends the session.
fn answer_web_authn(db: &mut Db, f: &Flow, s: &AuthSession, r: &Responses, challenge_b64: &str) -> ApiResult<Value> {
    let credential: Value = serde_json::from_str(r.need("CREDENTIAL")?)
        .map_err(|_| invalid_param("CREDENTIAL must be an AuthenticationResponseJSON document as a string"))?;
    let pl = db.pool(f.pool)?;
    let origins = crate::passkeys::allowed_origins(pl, f.client);
    let e = crate::webauthn::Expect {
        challenge: challenge_b64,
        rp_id: &pl.config.web_authn.relying_party_id,
        origins: &origins,
        user_verification_required: crate::passkeys::user_verification_required(pl),
    };
    let u = &pl.users[&s.username];
    let verified = crate::webauthn::verify_assertion(&credential, &e, &u.passkeys, u.sub.as_bytes());
    let (i, count) = match verified {
        Ok(v) => v,
        Err(e) => return Err(if e.name == "NotAuthorizedException" { e } else { not_authorized(&e.message) }),
    };
    if let Some(u) = db.pool_mut(f.pool)?.users.get_mut(&s.username) {
        u.passkeys[i].sign_count = count;
    }
    after_first_factor(db, f, &s.username, s.device_key.clone(), false)
}

/// Three wrong codes end the session.
const CODE_ATTEMPTS: u32 = 3;

fn wrong_code(s: AuthSession, attempts: u32, awaiting: impl FnOnce(u32) -> Awaiting) -> ApiResult<Outcome> {
    let attempts = attempts + 1;
    if attempts >= CODE_ATTEMPTS {
        return Err(not_authorized("Invalid session for the user, too many failed attempts."));
    }
    Ok(Outcome::Retry(
        Box::new(AuthSession { awaiting: awaiting(attempts), ..s }),
        err("CodeMismatchException", "Invalid code received for user"),
    ))
}

#[allow(clippy::too_many_arguments)]
fn answer_sent_code(
    db: &mut Db,
    f: &Flow,
    s: AuthSession,
    r: &Responses,
    factor: MfaFactor,
    code: &str,
    attempts: u32,
    setup_email: Option<String>,
) -> ApiResult<Outcome> {
    let field = if factor == MfaFactor::Sms { "SMS_MFA_CODE" } else { "EMAIL_OTP_CODE" };
    let given = r.need(field)?;
    if !cognito_proto::crypto::ct_eq(code.as_bytes(), given.as_bytes()) {
        let code = code.to_string();
        let email = setup_email.clone();
        return wrong_code(s, attempts, move |attempts| Awaiting::SentCode { factor, code, attempts, setup_email: email });
    }
    if let Some(email) = setup_email {
        // MFA_SETUP by e-mail: the address is now verified and e-mail MFA is on.
        let u = db.pool_mut(f.pool)?.users.get_mut(&s.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        u.attributes.insert("email".into(), email);
        u.attributes.insert("email_verified".into(), "true".into());
        u.email_enabled = true;
        u.preferred_mfa.get_or_insert(MfaFactor::Email);
    }
    Ok(Outcome::Next(tokens_response(db, f.ctx, f.pool, f.client, &s.username, s.device_key.clone())?))
}

fn answer_totp(db: &mut Db, f: &Flow, s: AuthSession, r: &Responses, attempts: u32) -> ApiResult<Outcome> {
    let given = r.need("SOFTWARE_TOKEN_MFA_CODE")?;
    let pl = db.pool(f.pool)?;
    let secret = pl.users[&s.username].totp_secret.clone().unwrap_or_default();
    if !totp_matches(&secret, given, pl.now()) {
        return wrong_code(s, attempts, |attempts| Awaiting::Totp { attempts });
    }
    Ok(Outcome::Next(tokens_response(db, f.ctx, f.pool, f.client, &s.username, s.device_key.clone())?))
}

fn answer_select_mfa_type(db: &mut Db, f: &Flow, s: AuthSession, r: &Responses) -> ApiResult<Outcome> {
    let answer = r.need("ANSWER")?;
    let pl = db.pool(f.pool)?;
    let factors = pl.users[&s.username].mfa_factors(&pl.config);
    match MfaFactor::parse(answer).filter(|a| factors.contains(a)) {
        Some(factor) => Ok(Outcome::Next(issue_mfa_challenge(db, f, &s.username, factor, s.device_key.clone())?)),
        None => {
            let e = invalid_param(format!("MFA type {answer} is not available for this user"));
            Ok(Outcome::Retry(Box::new(s), e))
        }
    }
}

fn answer_mfa_setup(
    db: &mut Db,
    f: &Flow,
    s: AuthSession,
    r: &Responses,
    totp_secret: Option<String>,
    totp_verified: bool,
) -> ApiResult<Outcome> {
    if let Some(email) = r.get("EMAIL") {
        if !db.pool(f.pool)?.config.mfa_methods.contains(&MfaFactor::Email) {
            return Err(invalid_param("Email MFA is not enabled for this user pool"));
        }
        let (code, params) = send_mfa_code(db, f.pool, &s.username, MfaFactor::Email, Some(email))?;
        let awaiting = Awaiting::SentCode { factor: MfaFactor::Email, code, attempts: 0, setup_email: Some(email.to_string()) };
        let session = open_session(db, f, &s.username, s.device_key.clone(), awaiting);
        return Ok(Outcome::Next(challenge("EMAIL_OTP", Some(session), params)));
    }
    if !totp_verified {
        let e = invalid_param(
            "Software token MFA has not been verified: call AssociateSoftwareToken and VerifySoftwareToken with this Session",
        );
        return Ok(Outcome::Retry(Box::new(AuthSession { awaiting: Awaiting::MfaSetup { totp_secret, totp_verified }, ..s }), e));
    }
    let u = db.pool_mut(f.pool)?.users.get_mut(&s.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    u.totp_secret = totp_secret;
    u.totp_enabled = true;
    u.preferred_mfa = Some(MfaFactor::Totp);
    Ok(Outcome::Next(tokens_response(db, f.ctx, f.pool, f.client, &s.username, s.device_key.clone())?))
}

fn answer_custom(db: &mut Db, f: &Flow, s: &AuthSession, r: &Responses, round: usize, attempts: u32) -> ApiResult<Value> {
    let answer = r.need("ANSWER")?;
    let cfg = db.pool(f.pool)?.config.custom_auth.clone();
    let expected = cfg.challenges.get(round).map(|c| c.answer.clone()).unwrap_or_default();
    if answer.trim() != expected {
        let attempts = attempts + 1;
        if attempts >= cfg.max_attempts {
            return Err(not_authorized("Incorrect username or password."));
        }
        return custom_challenge(db, f, &s.username, round, attempts);
    }
    if round + 1 < cfg.challenges.len() {
        return custom_challenge(db, f, &s.username, round + 1, 0);
    }
    tokens_response(db, f.ctx, f.pool, f.client, &s.username, None)
}

/// The rounds the define trigger sees after SRP.
fn srp_rounds() -> Vec<Value> {
    ["SRP_A", "PASSWORD_VERIFIER"].iter().map(|n| json!({"challengeName": n, "challengeResult": true, "challengeMetadata": ""})).collect()
}

fn answer_custom_trigger(
    db: &mut Db,
    f: &Flow,
    s: &AuthSession,
    r: &Responses,
    mut log: Vec<Value>,
    private: &Value,
    metadata: String,
) -> ApiResult<Value> {
    let answer = r.need("ANSWER")?;
    let correct = crate::triggers::verify_auth_challenge(db, f.pool, &s.username, private, answer)?;
    log.push(json!({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": correct, "challengeMetadata": metadata}));
    custom_trigger_step(db, f, &s.username, log, s.device_key.clone())
}

/// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER against the device's verifier.
fn answer_device_srp(db: &mut Db, f: &Flow, s: &AuthSession, r: &Responses) -> ApiResult<Value> {
    let key = r.need("DEVICE_KEY")?;
    let a = SrpA::from_hex(r.need("SRP_A")?).map_err(|e| invalid_param(e.message()))?;
    if s.device_key.as_deref() != Some(key) {
        return Err(not_authorized("Invalid device key given."));
    }
    let pl = db.pool(f.pool)?;
    let now = pl.now();
    let d = pl
        .devices
        .get(key)
        .filter(|d| d.username == s.username)
        .ok_or_else(|| err("ResourceNotFoundException", "Device does not exist."))?;
    let v = d.verifier().ok_or_else(|| err("ResourceNotFoundException", "Device does not exist."))?;
    let salt_hex = d.salt_hex.clone().unwrap_or_default();
    let server = ServerEphemeral::from_random(random_bytes::<32>(), &v).map_err(|e| err("InternalErrorException", e.message()))?;
    let block = random_base64(96);
    let b_hex = server.public().to_hex();
    let srp = SrpState {
        pool: f.pool.to_string(),
        client: f.client.id.clone(),
        username: s.username.clone(),
        a,
        server,
        v,
        created: now,
        device_key: Some(key.to_string()),
        custom: false,
        phantom: false,
    };
    let awaiting = Awaiting::DeviceVerifier { srp: Box::new(srp), block: block.clone() };
    let session = open_session(db, f, &s.username, Some(key.to_string()), awaiting);
    Ok(challenge(
        "DEVICE_PASSWORD_VERIFIER",
        Some(session),
        json!({"SALT": salt_hex, "SRP_B": b_hex, "SECRET_BLOCK": block, "USERNAME": s.username, "DEVICE_KEY": key}),
    ))
}

/// DEVICE_PASSWORD_VERIFIER: the claim over DeviceGroupKey | DeviceKey; skips MFA.
fn answer_device_verifier(db: &mut Db, f: &Flow, s: &AuthSession, r: &Responses, st: &SrpState, issued: &str) -> ApiResult<Value> {
    let block_text = r.need("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = r.need("PASSWORD_CLAIM_SIGNATURE")?;
    let ts = r.need("TIMESTAMP")?;
    let key = s.device_key.clone().unwrap_or_default();
    if r.get("DEVICE_KEY") != Some(key.as_str()) || issued != block_text {
        return Err(not_authorized("Incorrect username or password."));
    }
    check_timestamp(db, f.pool, ts)?;
    let group = db.pool(f.pool)?.devices.get(&key).map(|d| d.group_key.clone()).unwrap_or_default();
    let block = SecretBlock::from_base64(block_text).map_err(|_| not_authorized("Incorrect username or password."))?;
    let ok = st.server.verify(&st.a, &st.v, &group, &key, &block, &SrpTimestamp::from_string(ts), signature).unwrap_or(false);
    if !ok {
        return Err(fail_sign_in(db, f.pool, &s.username));
    }
    let (ip, now) = (f.ctx.ip.clone(), db.pool(f.pool)?.now());
    if let Some(d) = db.pool_mut(f.pool)?.devices.get_mut(&key) {
        d.last_auth = now;
        d.last_ip = ip;
    }
    // A verified remembered device skips MFA.
    db.runtime.token_source = Some("TokenGeneration_AuthenticateDevice");
    tokens_response(db, f.ctx, f.pool, f.client, &s.username, Some(key))
}

// ---------------------------------------------------------------------------------------------
// Refresh and TOTP association

fn refresh_via_initiate_auth(db: &mut Db, f: &Flow, params: &Map<String, Value>) -> ApiResult<Value> {
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    let token = p("REFRESH_TOKEN").ok_or_else(|| missing("REFRESH_TOKEN"))?;
    if f.client.refresh_token_rotation {
        return Err(invalid_param(
            "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation: use GetTokensFromRefreshToken",
        ));
    }
    let r = refresh_record(db, f.client, token)?;
    // SECRET_HASH over the canonical username (the username the refresh token belongs to).
    check_secret_hash(db, &f.client.id, p("USERNAME").unwrap_or(&r.username), p("SECRET_HASH"))?;
    check_refresh_device(db, &r, p("DEVICE_KEY"))?;
    db.count(f.pool, "refresh");
    let issued = issue_tokens(
        db,
        f.ctx,
        f.pool,
        f.client,
        &r.username,
        Issue {
            device_key: r.device_key.clone(),
            origin: Some((r.origin_jti.clone(), r.auth_time)),
            scopes: r.hosted.then(|| r.scopes.clone()),
            source: Some("TokenGeneration_RefreshTokens"),
            ..Default::default()
        },
    )?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

pub fn get_tokens_from_refresh_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let token = req(body, "RefreshToken")?;
    let (_, client) = client_of(db, client_id)?;
    check_client_secret(db, client_id, opt(body, "ClientSecret"))?;
    let issued = refresh_tokens(db, ctx, &client, token, opt(body, "DeviceKey"))?;
    Ok(json!({"AuthenticationResult": issued.to_result()}))
}

/// The MFA_SETUP session a TOTP association is for (`Session` instead of an access token).
fn setup_session(db: &mut Db, session_id: &str) -> ApiResult<AuthSession> {
    let s = db.runtime.sessions.remove(session_id).ok_or_else(|| not_authorized("Invalid session for the user."))?;
    if !matches!(s.awaiting, Awaiting::MfaSetup { .. }) || s.expires <= db.pool(&s.pool)?.now() {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    Ok(s)
}

fn reopen(db: &mut Db, s: AuthSession) -> String {
    let id = opaque_token(180);
    db.runtime.sessions.insert(id.clone(), s);
    id
}

pub fn associate_software_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let secret = base32_encode(&random_bytes::<20>());
    if let Some(token) = opt(body, "AccessToken") {
        let c = authenticate(db, token, ctx)?;
        let u = db.pool_mut(&c.pool)?.users.get_mut(&c.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        u.totp_pending = Some(secret.clone());
        return Ok(json!({"SecretCode": secret}));
    }
    let session_id = opt(body, "Session").ok_or_else(|| invalid_param("AccessToken or Session is required"))?;
    let mut s = setup_session(db, session_id)?;
    s.awaiting = Awaiting::MfaSetup { totp_secret: Some(secret.clone()), totp_verified: false };
    let next = reopen(db, s);
    Ok(json!({"SecretCode": secret, "Session": next}))
}

pub fn verify_software_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let code = req(body, "UserCode")?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_param("1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and length 6"));
    }
    let name = opt(body, "FriendlyDeviceName").map(String::from);
    if let Some(token) = opt(body, "AccessToken") {
        let c = authenticate(db, token, ctx)?;
        let pool = db.pool_mut(&c.pool)?;
        let now = pool.now();
        let u = pool.users.get_mut(&c.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        let pending = u.totp_pending.clone().ok_or_else(|| err("InvalidParameterException", "Call AssociateSoftwareToken first"))?;
        if !totp_matches(&pending, code, now) {
            return Err(err("EnableSoftwareTokenMFAException", "Code mismatch"));
        }
        u.totp_secret = Some(pending);
        u.totp_pending = None;
        u.totp_device_name = name;
        return Ok(json!({"Status": "SUCCESS"}));
    }
    let session_id = opt(body, "Session").ok_or_else(|| invalid_param("AccessToken or Session is required"))?.to_string();
    let mut s = setup_session(db, &session_id)?;
    let now = db.pool(&s.pool)?.now();
    let Awaiting::MfaSetup { totp_secret: Some(secret), .. } = s.awaiting.clone() else {
        db.runtime.sessions.insert(session_id, s);
        return Err(invalid_param("Call AssociateSoftwareToken first"));
    };
    if !totp_matches(&secret, code, now) {
        db.runtime.sessions.insert(session_id, s);
        return Err(err("EnableSoftwareTokenMFAException", "Code mismatch"));
    }
    s.awaiting = Awaiting::MfaSetup { totp_secret: Some(secret), totp_verified: true };
    if let Some(u) = db.pools.get_mut(&s.pool).and_then(|p| p.users.get_mut(&s.username)) {
        u.totp_device_name = name;
    }
    let next = reopen(db, s);
    Ok(json!({"Status": "SUCCESS", "Session": next}))
}
