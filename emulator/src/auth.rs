//! Sign-in: InitiateAuth, RespondToAuthChallenge, token refresh, TOTP association, and the
//! state machine between them (protocol reference §1.4, §3, §4):
//!
//! ```text
//! first factor (SRP | password | custom | auto sign-in | refresh)
//!   → account state (disabled, unconfirmed, reset required, NEW_PASSWORD_REQUIRED)
//!   → custom challenges (CUSTOM_AUTH)
//!   → remembered device (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER; skips MFA)
//!   → MFA (SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA | SELECT_MFA_TYPE | MFA_SETUP)
//!   → tokens (+ NewDeviceMetadata when device tracking is on)
//! ```
//! SRP is checked strictly: the claim is recomputed from the stored verifier, TIMESTAMP must
//! have Cognito's exact format and be within the pool's skew window, SECRET_BLOCKs are single-use
//! and bound to the client.

use crate::api::{check_client_secret, check_secret_hash, issuer, map_of, missing, opt, req, Ctx};
use crate::config::ClientConfig;
use crate::state::*;
use crate::util::*;
use cognito_proto::srp::server::ServerEphemeral;
use cognito_proto::srp::{SecretBlock, SrpA, SrpTimestamp};
use serde_json::{json, Map, Value};

fn flow_allowed(client: &ClientConfig, flow: &str) -> bool {
    let needed = match flow {
        "USER_SRP_AUTH" => "ALLOW_USER_SRP_AUTH",
        "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH",
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
        "CUSTOM_AUTH" => "ALLOW_CUSTOM_AUTH",
        "USER_AUTH" => return true,
        _ => return false,
    };
    client.explicit_auth_flows.iter().any(|f| f == needed || format!("ALLOW_{f}") == needed)
}

fn client_of(db: &Db, client_id: &str) -> ApiResult<(String, ClientConfig)> {
    let (pool, client) = db
        .find_client(client_id)
        .ok_or_else(|| err("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")))?;
    Ok((pool.config.id.clone(), client.clone()))
}

fn new_session(db: &mut Db, s: AuthSession) -> String {
    let id = opaque_token(180);
    db.runtime.sessions.insert(id.clone(), s);
    id
}

fn session_template(db: &Db, pool: &str, client: &ClientConfig, username: &str, challenge: &str) -> AuthSession {
    let now = db.pools.get(pool).map(|p| p.now()).unwrap_or_else(system_now);
    AuthSession::new(pool, &client.id, username, challenge, now + client.auth_session_validity_minutes.max(3) * 60)
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

/// Account-state checks once the first factor is proven.
fn account_state(db: &Db, pool: &str, username: &str) -> ApiResult<Option<&'static str>> {
    let p = db.pool(pool)?;
    let u = p.users.get(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    if !u.enabled {
        return Err(not_authorized("User is disabled."));
    }
    match u.status.as_str() {
        "UNCONFIRMED" => Err(err("UserNotConfirmedException", "User is not confirmed.")),
        "RESET_REQUIRED" => Err(err("PasswordResetRequiredException", "Password reset required for the user")),
        "FORCE_CHANGE_PASSWORD" => {
            if u.temp_password_expires.is_some_and(|t| t <= p.now()) {
                return Err(not_authorized("Temporary password has expired and must be reset by an administrator."));
            }
            Ok(Some("NEW_PASSWORD_REQUIRED"))
        }
        _ => Ok(None),
    }
}

fn new_password_challenge(db: &mut Db, pool: &str, client: &ClientConfig, username: &str, device_key: Option<String>) -> ApiResult<Value> {
    let p = db.pool(pool)?;
    let u = &p.users[username];
    let visible: Map<String, Value> =
        u.attributes.iter().filter(|(k, _)| *k != "sub" && !k.ends_with("_verified")).map(|(k, v)| (k.clone(), json!(v))).collect();
    let required: Vec<String> =
        p.config.required_attributes.iter().filter(|a| u.attr(a).is_none()).map(|a| format!("userAttributes.{a}")).collect();
    let mut s = session_template(db, pool, client, username, "NEW_PASSWORD_REQUIRED");
    s.device_key = device_key;
    let session = new_session(db, s);
    Ok(challenge(
        "NEW_PASSWORD_REQUIRED",
        Some(session),
        json!({"USER_ID_FOR_SRP": username, "userAttributes": Value::Object(visible).to_string(), "requiredAttributes": json!(required).to_string()}),
    ))
}

fn custom_challenge(db: &mut Db, pool: &str, client: &ClientConfig, username: &str, round: usize, attempts: u32) -> ApiResult<Value> {
    let cfg = db.pool(pool)?.config.custom_auth.clone();
    let q = cfg.challenges.get(round).ok_or_else(|| err("InvalidLambdaResponseException", "No custom challenge configured"))?;
    let mut s = session_template(db, pool, client, username, "CUSTOM_CHALLENGE");
    s.custom_round = round;
    s.custom_attempts = attempts;
    let session = new_session(db, s);
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
fn after_first_factor(
    db: &mut Db,
    ctx: &Ctx,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
    custom: bool,
) -> ApiResult<Value> {
    if let Some(u) = db.pool_mut(pool)?.users.get_mut(username) {
        u.failed_sign_ins = 0;
    }
    if account_state(db, pool, username)?.is_some() {
        return new_password_challenge(db, pool, client, username, device_key);
    }
    if custom {
        return custom_challenge(db, pool, client, username, 0, 0);
    }
    after_password(db, ctx, pool, client, username, device_key)
}

/// Device check, then MFA, then tokens.
fn after_password(
    db: &mut Db,
    ctx: &Ctx,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
) -> ApiResult<Value> {
    let p = db.pool(pool)?;
    if let (true, Some(key)) = (p.device_tracking(), device_key.as_deref()) {
        match p.devices.get(key) {
            Some(d) if d.username == username && d.confirmed() => {
                if d.remembered {
                    let mut s = session_template(db, pool, client, username, "DEVICE_SRP_AUTH");
                    s.device_key = Some(key.to_string());
                    let session = new_session(db, s);
                    return Ok(challenge("DEVICE_SRP_AUTH", Some(session), json!({"USERNAME": username})));
                }
                // Known but not remembered: no MFA skip, no new device either.
                return mfa_step(db, ctx, pool, client, username, Some(key.to_string()), false);
            }
            _ => return Err(err("ResourceNotFoundException", "Device does not exist.")),
        }
    }
    mfa_step(db, ctx, pool, client, username, None, false)
}

fn send_mfa_code(db: &mut Db, pool: &str, username: &str, factor: &str, to: Option<&str>) -> ApiResult<(String, Value)> {
    let p = db.pool(pool)?;
    let u = &p.users[username];
    let (attr, medium) = if factor == "SMS_MFA" { ("phone_number", "SMS") } else { ("email", "EMAIL") };
    let dest =
        to.map(String::from).or_else(|| u.attr(attr).map(String::from)).ok_or_else(|| invalid_param(format!("User has no {attr}")))?;
    let code = digits(if factor == "EMAIL_OTP" { 8 } else { 6 });
    let text = p.config.messages.mfa.replace("{####}", &code).replace("{username}", username);
    let now = p.now();
    db.deliver(pool, username, &dest, medium, "MFA", &code, text, None, now);
    Ok((code, json!({"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask_destination(&dest), "USERNAME": username})))
}

fn issue_mfa_challenge(
    db: &mut Db,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    factor: &str,
    device_key: Option<String>,
) -> ApiResult<Value> {
    let mut s = session_template(db, pool, client, username, factor);
    s.device_key = device_key;
    let params = if factor == "SOFTWARE_TOKEN_MFA" {
        let name = db.pool(pool)?.users[username].totp_device_name.clone().unwrap_or_default();
        json!({"USERNAME": username, "FRIENDLY_DEVICE_NAME": name})
    } else {
        let (code, params) = send_mfa_code(db, pool, username, factor, None)?;
        s.code = Some(code);
        params
    };
    let session = new_session(db, s);
    Ok(challenge(factor, Some(session), params))
}

fn mfa_step(
    db: &mut Db,
    ctx: &Ctx,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
    device_verified: bool,
) -> ApiResult<Value> {
    let p = db.pool(pool)?;
    let mode = p.config.mfa_configuration.clone();
    if device_verified || mode == "OFF" {
        return tokens_response(db, ctx, pool, client, username, device_key);
    }
    let factors = p.users[username].mfa_factors(&p.config);
    let preferred = p.users[username].preferred_mfa.clone();
    if factors.is_empty() {
        if mode == "ON" {
            let can: Vec<String> = p.config.mfa_methods.iter().filter(|m| *m != "SMS_MFA").cloned().collect();
            let mut s = session_template(db, pool, client, username, "MFA_SETUP");
            s.device_key = device_key;
            let session = new_session(db, s);
            return Ok(challenge("MFA_SETUP", Some(session), json!({"MFAS_CAN_SETUP": json!(can).to_string(), "USERNAME": username})));
        }
        return tokens_response(db, ctx, pool, client, username, device_key);
    }
    if factors.len() == 1 || preferred.is_some() {
        return issue_mfa_challenge(db, pool, client, username, factors[0], device_key);
    }
    let mut s = session_template(db, pool, client, username, "SELECT_MFA_TYPE");
    s.device_key = device_key;
    let session = new_session(db, s);
    Ok(challenge("SELECT_MFA_TYPE", Some(session), json!({"MFAS_CAN_CHOOSE": json!(factors).to_string(), "USERNAME": username})))
}

/// What to put in the tokens.
#[derive(Default)]
pub struct Issue {
    pub device_key: Option<String>,
    /// OAuth scopes (hosted UI); API sign-ins get `aws.cognito.signin.user.admin`.
    pub scopes: Option<Vec<String>>,
    pub nonce: Option<String>,
    /// Refresh: keep the original `origin_jti` and `auth_time`.
    pub origin: Option<(String, i64)>,
    pub with_refresh: bool,
    pub new_device: bool,
}

pub struct Issued {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub new_device: Option<(String, String)>,
}

impl Issued {
    pub fn to_result(&self) -> Value {
        let mut r =
            json!({"AccessToken": self.access_token, "IdToken": self.id_token, "ExpiresIn": self.expires_in, "TokenType": "Bearer"});
        if let Some(rt) = &self.refresh_token {
            r["RefreshToken"] = json!(rt);
        }
        if let Some((k, g)) = &self.new_device {
            r["NewDeviceMetadata"] = json!({"DeviceKey": k, "DeviceGroupKey": g});
        }
        r
    }
}

fn attribute_claim(name: &str, value: &str) -> Value {
    if name.ends_with("_verified") {
        json!(value == "true")
    } else {
        json!(value)
    }
}

/// Signs a new ID + access token pair (and a refresh token when asked).
pub fn issue_tokens(db: &mut Db, ctx: &Ctx, pool_id: &str, client: &ClientConfig, username: &str, opts: Issue) -> ApiResult<Issued> {
    let p = db.pool(pool_id)?;
    let user = p.users.get(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?.clone();
    let now = p.now();
    let validity = p.token_validity(client);
    let iss = issuer(ctx, pool_id);
    let (origin_jti, auth_time) = opts.origin.clone().unwrap_or_else(|| (uuid(), now));
    let event_id = uuid();
    let hosted = opts.scopes.is_some();
    let scopes = opts.scopes.clone().unwrap_or_else(|| vec!["aws.cognito.signin.user.admin".into()]);
    let id_key = db.runtime.keys.get(&p.id_kid).ok_or_else(|| err("InternalErrorException", "signing key missing"))?.clone();
    let access_key = db.runtime.keys.get(&p.access_kid).ok_or_else(|| err("InternalErrorException", "signing key missing"))?.clone();
    let tracking = p.device_tracking();
    let region = pool_id.split('_').next().unwrap_or("us-east-1").to_string();

    let mut device_key = opts.device_key.clone();
    let mut new_device = None;
    if tracking && opts.new_device && device_key.is_none() {
        let key = format!("{region}_{}", uuid());
        let group = format!("-{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 8));
        let d = Device {
            key: key.clone(),
            group_key: group.clone(),
            username: username.to_string(),
            client_id: client.id.clone(),
            salt_hex: None,
            verifier_hex: None,
            name: None,
            remembered: false,
            created: now,
            modified: now,
            last_auth: now,
            last_ip: ctx.ip.clone(),
        };
        db.pool_mut(pool_id)?.devices.insert(key.clone(), d);
        device_key = Some(key.clone());
        new_device = Some((key, group));
    }

    let mut access = json!({
        "sub": user.sub,
        "iss": iss,
        "client_id": client.id,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": scopes.join(" "),
        "auth_time": auth_time,
        "exp": now + validity.access_token_seconds,
        "iat": now,
        "jti": uuid(),
        "username": user.username,
    });
    if let Some(k) = &device_key {
        access["device_key"] = json!(k);
    }
    if !user.groups.is_empty() {
        access["cognito:groups"] = json!(user.groups);
    }
    if hosted {
        access["version"] = json!(2);
    }
    let access_token = access_key.sign(&access);

    let mut id = json!({
        "sub": user.sub,
        "aud": client.id,
        "iss": iss,
        "cognito:username": user.username,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "id",
        "auth_time": auth_time,
        "exp": now + validity.id_token_seconds,
        "iat": now,
        "jti": uuid(),
    });
    let has = |s: &str| scopes.iter().any(|x| x == s);
    for (k, v) in &user.attributes {
        if k == "sub" {
            continue;
        }
        let allowed = !hosted
            || if k.starts_with("email") {
                has("email")
            } else if k.starts_with("phone_number") {
                has("phone")
            } else {
                has("profile") || k.starts_with("custom:")
            };
        if allowed {
            id[k.as_str()] = attribute_claim(k, v);
        }
    }
    if !user.groups.is_empty() {
        id["cognito:groups"] = json!(user.groups);
    }
    if !user.identities.is_empty() {
        id["identities"] = json!(user.identities);
    }
    if let Some(n) = &opts.nonce {
        id["nonce"] = json!(n);
    }
    if hosted {
        id["at_hash"] = json!(crate::tokens::at_hash(&access_token));
    }
    let id_token = id_key.sign(&id);

    let refresh_token = if opts.with_refresh {
        let t = crate::tokens::refresh_token();
        db.refresh_tokens.insert(
            t.clone(),
            RefreshRecord {
                pool: pool_id.to_string(),
                client: client.id.clone(),
                username: username.to_string(),
                device_key: device_key.clone(),
                origin_jti: origin_jti.clone(),
                auth_time,
                expires: now + validity.refresh_token_seconds,
                revoked: false,
                rotated_at: None,
                scopes: scopes.clone(),
                hosted,
            },
        );
        Some(t)
    } else {
        None
    };
    db.count(pool_id, "tokensIssued");
    Ok(Issued { id_token, access_token, refresh_token, expires_in: validity.access_token_seconds, new_device })
}

fn tokens_response(
    db: &mut Db,
    ctx: &Ctx,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
) -> ApiResult<Value> {
    let new_device = device_key.is_none();
    let issued = issue_tokens(db, ctx, pool, client, username, Issue { device_key, with_refresh: true, new_device, ..Default::default() })?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

// ---------------------------------------------------------------------------------------------

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
    match flow {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => refresh_via_initiate_auth(db, ctx, &pool, &client, &params),
        "USER_AUTH" => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let session = opt(body, "Session")
                .ok_or_else(|| invalid_param("USER_AUTH here supports only the auto sign-in Session from ConfirmSignUp"))?;
            let s = db.runtime.sessions.remove(session).ok_or_else(|| not_authorized("Invalid session for the user."))?;
            let username = db.pool(&pool)?.find_username(typed);
            if !s.auto_sign_in || s.client != client.id || username.as_deref() != Some(s.username.as_str()) {
                return Err(not_authorized("Invalid session for the user."));
            }
            if s.expires <= db.pool(&pool)?.now() {
                return Err(not_authorized("Invalid session for the user, session is expired."));
            }
            after_first_factor(db, ctx, &pool, &client, &s.username, p("DEVICE_KEY").map(String::from), false)
        }
        "USER_PASSWORD_AUTH" => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let password = p("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
            let pl = db.pool(&pool)?;
            let Some(username) = pl.find_username(typed) else {
                return Err(if pl.config.prevent_user_existence_errors {
                    not_authorized("Incorrect username or password.")
                } else {
                    err("UserNotFoundException", "User does not exist.")
                });
            };
            locked(db, &pool, &username)?;
            let pl = db.pool(&pool)?;
            if !pl.users[&username].password_matches(pl.name(), password) {
                return Err(fail_sign_in(db, &pool, &username));
            }
            after_first_factor(db, ctx, &pool, &client, &username, p("DEVICE_KEY").map(String::from), false)
        }
        "CUSTOM_AUTH" if p("CHALLENGE_NAME") != Some("SRP_A") => {
            let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
            check_secret_hash(db, client_id, typed, p("SECRET_HASH"))?;
            let username = db.pool(&pool)?.find_username(typed).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
            match account_state(db, &pool, &username)? {
                None => custom_challenge(db, &pool, &client, &username, 0, 0),
                Some(_) => new_password_challenge(db, &pool, &client, &username, None),
            }
        }
        _ => srp_start(db, &pool, &client, &params, flow == "CUSTOM_AUTH"),
    }
}

/// USER_SRP_AUTH (or CUSTOM_AUTH starting with SRP_A) → PASSWORD_VERIFIER.
fn srp_start(db: &mut Db, pool: &str, client: &ClientConfig, params: &Map<String, Value>, custom: bool) -> ApiResult<Value> {
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    let typed = p("USERNAME").ok_or_else(|| missing("USERNAME"))?;
    check_secret_hash(db, &client.id, typed, p("SECRET_HASH"))?;
    let a_hex = p("SRP_A").ok_or_else(|| missing("SRP_A"))?;
    let a = SrpA::from_hex(a_hex).map_err(|e| invalid_param(format!("Invalid SRP_A: {}", e.message())))?;
    let pl = db.pool(pool)?;
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
            let h = cognito_proto::crypto::sha256(&[pool.as_bytes(), typed.as_bytes()]);
            let salt = cognito_proto::srp::Salt::from_bytes(&h[..16]);
            let fake_id = cognito_proto::codec::hex_encode(&h[16..32]);
            let v = cognito_proto::srp::server::verifier(&salt, "", &fake_id, "");
            (fake_id, salt, v, true)
        }
        None => return Err(err("UserNotFoundException", "User does not exist.")),
    };
    if !phantom {
        locked(db, pool, &username)?;
    }
    let server = ServerEphemeral::from_random(random_bytes::<32>(), &v).map_err(|e| err("InternalErrorException", e.message()))?;
    let block = random_base64(96);
    let b_hex = server.public().to_hex();
    db.runtime.srp.insert(
        block.clone(),
        SrpState {
            pool: pool.to_string(),
            client: client.id.clone(),
            username: username.clone(),
            a,
            server,
            v,
            created: now,
            device_key: p("DEVICE_KEY").map(String::from),
            device_srp: false,
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

pub fn respond_to_auth_challenge(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let name = req(body, "ChallengeName")?;
    let (pool, client) = client_of(db, client_id)?;
    let r = map_of(body, "ChallengeResponses")?;
    let get = |k: &str| r.get(k).and_then(Value::as_str);
    let typed = get("USERNAME").ok_or_else(|| missing("ChallengeResponses.USERNAME"))?;
    check_secret_hash(db, client_id, typed, get("SECRET_HASH"))?;
    db.count(&pool, &format!("RespondToAuthChallenge:{name}"));

    if name == "PASSWORD_VERIFIER" {
        let block_text = get("PASSWORD_CLAIM_SECRET_BLOCK").ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
        let signature = get("PASSWORD_CLAIM_SIGNATURE").ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
        let ts = get("TIMESTAMP").ok_or_else(|| missing("TIMESTAMP"))?;
        // Single use: removed whatever the outcome.
        let st = db.runtime.srp.remove(block_text).ok_or_else(|| not_authorized("Incorrect username or password."))?;
        let pl = db.pool(&pool)?;
        let validity = client.auth_session_validity_minutes.max(3) * 60;
        if st.client != client.id || st.pool != pool || st.created + validity <= pl.now() {
            return Err(not_authorized("Invalid session for the user, session is expired."));
        }
        let same_user = st.phantom || pl.find_username(typed).as_deref() == Some(st.username.as_str());
        if !same_user {
            return Err(not_authorized("Incorrect username or password."));
        }
        check_timestamp(db, &pool, ts)?;
        let block = SecretBlock::from_base64(block_text).map_err(|_| not_authorized("Incorrect username or password."))?;
        let ok = st
            .server
            .verify(&st.a, &st.v, db.pool(&pool)?.name(), &st.username, &block, &SrpTimestamp::from_string(ts), signature)
            .unwrap_or(false);
        if !ok || st.phantom {
            return Err(fail_sign_in(db, &pool, &st.username));
        }
        let device = get("DEVICE_KEY").map(String::from).or(st.device_key.clone());
        return after_first_factor(db, ctx, &pool, &client, &st.username, device, st.custom);
    }

    let session_id = opt(body, "Session").ok_or_else(|| missing("Session"))?.to_string();
    let mut s = db.runtime.sessions.remove(&session_id).ok_or_else(|| not_authorized("Invalid session for the user."))?;
    let now = db.pool(&pool)?.now();
    if s.expires <= now {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    if s.client != client.id || s.challenge != name {
        return Err(not_authorized("Invalid session for the user."));
    }
    let username = s.username.clone();
    if db.pool(&pool)?.find_username(typed).as_deref() != Some(username.as_str()) {
        return Err(not_authorized("Invalid session for the user."));
    }

    match name {
        "NEW_PASSWORD_REQUIRED" => {
            let pw = get("NEW_PASSWORD").ok_or_else(|| missing("NEW_PASSWORD"))?;
            let pl = db.pool(&pool)?;
            if let Err(e) = pl.check_password_policy(pw) {
                db.runtime.sessions.insert(session_id, s);
                return Err(e);
            }
            let mut attrs = vec![];
            for (k, v) in &r {
                if let (Some(a), Some(v)) = (k.strip_prefix("userAttributes."), v.as_str()) {
                    attrs.push((a.to_string(), v.to_string()));
                }
            }
            let u = &pl.users[&username];
            let missing_attr =
                pl.config.required_attributes.iter().find(|a| u.attr(a).is_none() && !attrs.iter().any(|(k, _)| k == *a)).cloned();
            if let Some(req_attr) = missing_attr {
                db.runtime.sessions.insert(session_id, s);
                return Err(invalid_param(format!("Invalid attributes given, {req_attr} is missing")));
            }
            let name_of_pool = pl.name().to_string();
            let u = db.pool_mut(&pool)?.users.get_mut(&username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
            u.set_password(&name_of_pool, pw);
            u.status = "CONFIRMED".into();
            u.temp_password_expires = None;
            for (k, v) in attrs {
                u.attributes.insert(k, v);
            }
            after_password(db, ctx, &pool, &client, &username, s.device_key.clone())
        }
        "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA" => {
            let field = match name {
                "SMS_MFA" => "SMS_MFA_CODE",
                "EMAIL_OTP" => "EMAIL_OTP_CODE",
                _ => "SOFTWARE_TOKEN_MFA_CODE",
            };
            let code = get(field).ok_or_else(|| missing(field))?;
            let ok = if name == "SOFTWARE_TOKEN_MFA" {
                let secret = db.pool(&pool)?.users[&username].totp_secret.clone().unwrap_or_default();
                totp_matches(&secret, code, now)
            } else {
                s.code.as_deref().is_some_and(|c| cognito_proto::crypto::ct_eq(c.as_bytes(), code.as_bytes()))
            };
            if !ok {
                s.code_attempts += 1;
                if s.code_attempts >= 3 {
                    return Err(not_authorized("Invalid session for the user, too many failed attempts."));
                }
                db.runtime.sessions.insert(session_id, s);
                return Err(err("CodeMismatchException", "Invalid code received for user"));
            }
            if let Some(email) = s.email_setup.clone() {
                let u = db.pool_mut(&pool)?.users.get_mut(&username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
                u.attributes.insert("email".into(), email);
                u.attributes.insert("email_verified".into(), "true".into());
                u.email_enabled = true;
                u.preferred_mfa.get_or_insert_with(|| "EMAIL_OTP".into());
            }
            tokens_response(db, ctx, &pool, &client, &username, s.device_key.clone())
        }
        "SELECT_MFA_TYPE" => {
            let answer = get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
            let answer = if answer == "EMAIL_MFA" { "EMAIL_OTP" } else { answer };
            let pl = db.pool(&pool)?;
            let factors = pl.users[&username].mfa_factors(&pl.config);
            let Some(f) = factors.iter().find(|f| **f == answer) else {
                db.runtime.sessions.insert(session_id, s);
                return Err(invalid_param(format!("MFA type {answer} is not available for this user")));
            };
            let f = f.to_string();
            issue_mfa_challenge(db, &pool, &client, &username, &f, s.device_key.clone())
        }
        "MFA_SETUP" => {
            if let Some(email) = get("EMAIL") {
                if !db.pool(&pool)?.config.mfa_methods.iter().any(|m| m == "EMAIL_OTP") {
                    return Err(invalid_param("Email MFA is not enabled for this user pool"));
                }
                let (code, params) = send_mfa_code(db, &pool, &username, "EMAIL_OTP", Some(email))?;
                let mut next = session_template(db, &pool, &client, &username, "EMAIL_OTP");
                next.code = Some(code);
                next.email_setup = Some(email.to_string());
                next.device_key = s.device_key.clone();
                let session = new_session(db, next);
                return Ok(challenge("EMAIL_OTP", Some(session), params));
            }
            if !s.totp_verified {
                db.runtime.sessions.insert(session_id, s);
                return Err(invalid_param(
                    "Software token MFA has not been verified: call AssociateSoftwareToken and VerifySoftwareToken with this Session",
                ));
            }
            let u = db.pool_mut(&pool)?.users.get_mut(&username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
            u.totp_secret = s.totp_secret.clone();
            u.totp_enabled = true;
            u.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
            tokens_response(db, ctx, &pool, &client, &username, s.device_key.clone())
        }
        "CUSTOM_CHALLENGE" => {
            let answer = get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
            let cfg = db.pool(&pool)?.config.custom_auth.clone();
            let expected = cfg.challenges.get(s.custom_round).map(|c| c.answer.clone()).unwrap_or_default();
            if answer.trim() != expected {
                let attempts = s.custom_attempts + 1;
                if attempts >= cfg.max_attempts {
                    return Err(not_authorized("Incorrect username or password."));
                }
                return custom_challenge(db, &pool, &client, &username, s.custom_round, attempts);
            }
            if s.custom_round + 1 < cfg.challenges.len() {
                return custom_challenge(db, &pool, &client, &username, s.custom_round + 1, 0);
            }
            tokens_response(db, ctx, &pool, &client, &username, None)
        }
        "DEVICE_SRP_AUTH" => {
            let key = get("DEVICE_KEY").ok_or_else(|| missing("DEVICE_KEY"))?;
            let a = SrpA::from_hex(get("SRP_A").ok_or_else(|| missing("SRP_A"))?).map_err(|e| invalid_param(e.message()))?;
            if s.device_key.as_deref() != Some(key) {
                return Err(not_authorized("Invalid device key given."));
            }
            let pl = db.pool(&pool)?;
            let d = pl
                .devices
                .get(key)
                .filter(|d| d.username == username)
                .ok_or_else(|| err("ResourceNotFoundException", "Device does not exist."))?;
            let v = d.verifier().ok_or_else(|| err("ResourceNotFoundException", "Device does not exist."))?;
            let salt_hex = d.salt_hex.clone().unwrap_or_default();
            let server = ServerEphemeral::from_random(random_bytes::<32>(), &v).map_err(|e| err("InternalErrorException", e.message()))?;
            let block = random_base64(96);
            let b_hex = server.public().to_hex();
            let mut next = session_template(db, &pool, &client, &username, "DEVICE_PASSWORD_VERIFIER");
            next.device_key = Some(key.to_string());
            next.srp = Some(SrpState {
                pool: pool.clone(),
                client: client.id.clone(),
                username: username.clone(),
                a,
                server,
                v,
                created: now,
                device_key: Some(key.to_string()),
                device_srp: true,
                custom: false,
                phantom: false,
            });
            next.code = Some(block.clone());
            let session = new_session(db, next);
            Ok(challenge(
                "DEVICE_PASSWORD_VERIFIER",
                Some(session),
                json!({"SALT": salt_hex, "SRP_B": b_hex, "SECRET_BLOCK": block, "USERNAME": username, "DEVICE_KEY": key}),
            ))
        }
        "DEVICE_PASSWORD_VERIFIER" => {
            let block_text = get("PASSWORD_CLAIM_SECRET_BLOCK").ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
            let signature = get("PASSWORD_CLAIM_SIGNATURE").ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
            let ts = get("TIMESTAMP").ok_or_else(|| missing("TIMESTAMP"))?;
            let key = s.device_key.clone().unwrap_or_default();
            if get("DEVICE_KEY") != Some(key.as_str()) || s.code.as_deref() != Some(block_text) {
                return Err(not_authorized("Incorrect username or password."));
            }
            check_timestamp(db, &pool, ts)?;
            let st = s.srp.clone().ok_or_else(|| not_authorized("Invalid session for the user."))?;
            let group = db.pool(&pool)?.devices.get(&key).map(|d| d.group_key.clone()).unwrap_or_default();
            let block = SecretBlock::from_base64(block_text).map_err(|_| not_authorized("Incorrect username or password."))?;
            let ok = st.server.verify(&st.a, &st.v, &group, &key, &block, &SrpTimestamp::from_string(ts), signature).unwrap_or(false);
            if !ok {
                return Err(fail_sign_in(db, &pool, &username));
            }
            let ip = ctx.ip.clone();
            if let Some(d) = db.pool_mut(&pool)?.devices.get_mut(&key) {
                d.last_auth = now;
                d.last_ip = ip;
            }
            mfa_step(db, ctx, &pool, &client, &username, Some(key), true)
        }
        _ => Err(invalid_param(format!("Invalid challenge name {name}"))),
    }
}

fn refresh_record(db: &Db, client: &ClientConfig, token: &str) -> ApiResult<RefreshRecord> {
    let r = db.refresh_tokens.get(token).ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
    let pool = db.pool(&r.pool)?;
    if r.client != client.id {
        return Err(not_authorized("Invalid Refresh Token"));
    }
    if r.revoked {
        return Err(not_authorized("Refresh Token has been revoked"));
    }
    if r.expires <= pool.now() {
        return Err(not_authorized("Refresh Token has expired"));
    }
    let user = pool.users.get(&r.username).ok_or_else(|| not_authorized("Refresh Token has been revoked"))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok(r.clone())
}

/// With device tracking, a refresh must name the (confirmed) device the token belongs to.
fn check_refresh_device(db: &Db, r: &RefreshRecord, given: Option<&str>) -> ApiResult<()> {
    let pool = db.pool(&r.pool)?;
    if !pool.device_tracking() {
        return Ok(());
    }
    if let Some(bound) = &r.device_key {
        let confirmed = pool.devices.get(bound).is_some_and(|d| d.confirmed());
        if given != Some(bound.as_str()) || !confirmed {
            return Err(not_authorized("Invalid Refresh Token"));
        }
    }
    Ok(())
}

fn refresh_via_initiate_auth(db: &mut Db, ctx: &Ctx, pool: &str, client: &ClientConfig, params: &Map<String, Value>) -> ApiResult<Value> {
    let p = |k: &str| params.get(k).and_then(Value::as_str);
    let token = p("REFRESH_TOKEN").ok_or_else(|| missing("REFRESH_TOKEN"))?;
    if client.refresh_token_rotation {
        return Err(invalid_param(
            "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation: use GetTokensFromRefreshToken",
        ));
    }
    let r = refresh_record(db, client, token)?;
    // SECRET_HASH over the canonical username (protocol reference §8.6).
    check_secret_hash(db, &client.id, p("USERNAME").unwrap_or(&r.username), p("SECRET_HASH"))?;
    check_refresh_device(db, &r, p("DEVICE_KEY"))?;
    db.count(pool, "refresh");
    let issued = issue_tokens(
        db,
        ctx,
        pool,
        client,
        &r.username,
        Issue {
            device_key: r.device_key.clone(),
            origin: Some((r.origin_jti.clone(), r.auth_time)),
            scopes: r.hosted.then(|| r.scopes.clone()),
            ..Default::default()
        },
    )?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

/// Shared by GetTokensFromRefreshToken and the OAuth refresh_token grant.
pub fn refresh_tokens(db: &mut Db, ctx: &Ctx, client: &ClientConfig, token: &str, device_key: Option<&str>) -> ApiResult<Issued> {
    let r = match refresh_record(db, client, token) {
        Err(e) if db.refresh_tokens.get(token).is_some_and(|r| r.rotated_at.is_some()) => {
            let rec = &db.refresh_tokens[token];
            let grace = client.retry_grace_period_seconds;
            let now = db.pool(&rec.pool)?.now();
            if rec.rotated_at.is_some_and(|t| now - t > grace) {
                return Err(err("RefreshTokenReuseException", "The refresh token has been rotated and can no longer be used"));
            }
            return Err(e);
        }
        other => other?,
    };
    if let Some(t) = r.rotated_at {
        let now = db.pool(&r.pool)?.now();
        if now - t > client.retry_grace_period_seconds {
            return Err(err("RefreshTokenReuseException", "The refresh token has been rotated and can no longer be used"));
        }
    }
    check_refresh_device(db, &r, device_key)?;
    db.count(&r.pool, "refresh");
    let rotate = client.refresh_token_rotation;
    let pool = r.pool.clone();
    let mut issued = issue_tokens(
        db,
        ctx,
        &pool,
        client,
        &r.username,
        Issue {
            device_key: r.device_key.clone(),
            origin: Some((r.origin_jti.clone(), r.auth_time)),
            scopes: r.hosted.then(|| r.scopes.clone()),
            with_refresh: rotate,
            ..Default::default()
        },
    )?;
    if rotate {
        let now = db.pool(&pool)?.now();
        if let Some(old) = db.refresh_tokens.get_mut(token) {
            old.rotated_at.get_or_insert(now);
        }
        // The new token lives for what remained of the old one.
        if let Some(new) = issued.refresh_token.as_ref().and_then(|t| db.refresh_tokens.get_mut(t)) {
            new.expires = r.expires;
            new.hosted = r.hosted;
            new.scopes = r.scopes.clone();
        }
    } else {
        issued.refresh_token = None;
    }
    Ok(issued)
}

pub fn get_tokens_from_refresh_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let token = req(body, "RefreshToken")?;
    let (_, client) = client_of(db, client_id)?;
    check_client_secret(db, client_id, opt(body, "ClientSecret"))?;
    let issued = refresh_tokens(db, ctx, &client, token, opt(body, "DeviceKey"))?;
    Ok(json!({"AuthenticationResult": issued.to_result()}))
}

pub fn associate_software_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let secret = base32_encode(&random_bytes::<20>());
    if let Some(token) = opt(body, "AccessToken") {
        let c = crate::api::authenticate(db, token, ctx)?;
        let u = db.pool_mut(&c.pool)?.users.get_mut(&c.username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
        u.totp_pending = Some(secret.clone());
        return Ok(json!({"SecretCode": secret}));
    }
    let session_id = opt(body, "Session").ok_or_else(|| invalid_param("AccessToken or Session is required"))?;
    let mut s = db.runtime.sessions.remove(session_id).ok_or_else(|| not_authorized("Invalid session for the user."))?;
    if s.challenge != "MFA_SETUP" || s.expires <= db.pool(&s.pool)?.now() {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    s.totp_secret = Some(secret.clone());
    s.totp_verified = false;
    let next = new_session(db, s);
    Ok(json!({"SecretCode": secret, "Session": next}))
}

pub fn verify_software_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let code = req(body, "UserCode")?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_param("1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and length 6"));
    }
    let name = opt(body, "FriendlyDeviceName").map(String::from);
    if let Some(token) = opt(body, "AccessToken") {
        let c = crate::api::authenticate(db, token, ctx)?;
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
    let mut s = db.runtime.sessions.remove(&session_id).ok_or_else(|| not_authorized("Invalid session for the user."))?;
    let now = db.pool(&s.pool)?.now();
    if s.challenge != "MFA_SETUP" || s.expires <= now {
        return Err(not_authorized("Invalid session for the user, session is expired."));
    }
    let secret = s.totp_secret.clone().ok_or_else(|| invalid_param("Call AssociateSoftwareToken first"))?;
    if !totp_matches(&secret, code, now) {
        db.runtime.sessions.insert(session_id, s);
        return Err(err("EnableSoftwareTokenMFAException", "Code mismatch"));
    }
    s.totp_verified = true;
    if let Some(u) = db.pools.get_mut(&s.pool).and_then(|p| p.users.get_mut(&s.username)) {
        u.totp_device_name = name;
    }
    let next = new_session(db, s);
    Ok(json!({"Status": "SUCCESS", "Session": next}))
}
