//! RespondToAuthChallenge: one function per answer (the `RespondToAuthChallenge` API reference,
//! ChallengeResponses per challenge), and the TOTP association that MFA_SETUP uses
//! (AssociateSoftwareToken, VerifySoftwareToken).
//!
//! ```text
//! PASSWORD_VERIFIER           keyed by its single-use SECRET_BLOCK (no Session)
//! any other challenge         the Session (single use): awaits exactly that challenge, same
//!                             client and user; a wrong code may be retried (3 tries)
//! ```

use crate::access::{authenticate, check_secret_hash, client_of};
use crate::call::Call;
use crate::codes::send_mfa_code;
use crate::config::{MfaFactor, UserStatus};
use crate::error::*;
use crate::issue::tokens_response;
use crate::request::parse;
use crate::shared::Tx;
use crate::signin::{
    after_first_factor, after_multi_factor, after_password, challenge, custom_challenge, custom_trigger_step, fail_sign_in,
    issue_mfa_challenge, new_verifier, open_session, Flow, Params,
};
use crate::state::*;
use crate::triggers::TokenSource;
use crate::util::*;
use cognito_proto::srp::server::ServerEphemeral;
use cognito_proto::srp::{SecretBlock, SrpA, SrpTimestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What an answer leads to: the next step (or tokens), or the same session again (a wrong code
/// that may be retried, a password the policy refused).
enum Outcome {
    Next(Value),
    Retry(Box<AuthSession>, ApiError),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondToAuthChallenge {
    client_id: String,
    challenge_name: String,
    #[serde(default)]
    challenge_responses: BTreeMap<String, String>,
    session: Option<String>,
}

/// The session an answer is for: unexpired, awaiting this challenge, same client and user.
fn session_for(tx: &mut Tx, f: &Flow, id: &str, name: &str, typed: &str) -> ApiResult<AuthSession> {
    let s = tx.runtime.sessions.remove(id).ok_or_else(invalid_session)?;
    if s.expires <= tx.pool(f.pool)?.now() {
        return Err(expired_session());
    }
    if s.client != f.client.id || s.awaiting.challenge() != name {
        return Err(invalid_session());
    }
    if tx.pool(f.pool)?.find_username(typed).as_deref() != Some(s.username.as_str()) {
        return Err(invalid_session());
    }
    Ok(s)
}

pub fn respond_to_auth_challenge(tx: &mut Tx, call: &Call, body: Value) -> ApiResult<Value> {
    let req: RespondToAuthChallenge = parse(body)?;
    let (pool, client) = client_of(tx, &req.client_id)?;
    let r = Params(req.challenge_responses);
    let typed = r.get("USERNAME").ok_or_else(|| missing("ChallengeResponses.USERNAME"))?.to_string();
    check_secret_hash(tx, &req.client_id, &typed, r.get("SECRET_HASH"))?;
    tx.count(&pool, &format!("RespondToAuthChallenge:{}", req.challenge_name));
    let f = Flow { call, pool: &pool, client: &client };
    if req.challenge_name == "PASSWORD_VERIFIER" {
        return answer_password_verifier(tx, &f, &typed, &r);
    }
    let session_id = req.session.ok_or_else(|| missing("Session"))?;
    let s = session_for(tx, &f, &session_id, &req.challenge_name, &typed)?;
    match answer(tx, &f, s, &r)? {
        Outcome::Next(v) => Ok(v),
        Outcome::Retry(s, e) => {
            tx.runtime.sessions.insert(session_id, *s);
            Err(e)
        }
    }
}

fn answer(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params) -> ApiResult<Outcome> {
    Ok(match s.awaiting.clone() {
        Awaiting::NewPassword => answer_new_password(tx, f, s, r)?,
        Awaiting::SentCode { factor, code, attempts, setup_email } => {
            answer_sent_code(tx, f, s, r, SentCode { factor, code, attempts, setup_email })?
        }
        Awaiting::Totp { attempts } => answer_totp(tx, f, s, r, attempts)?,
        Awaiting::SelectMfaType => answer_select_mfa_type(tx, f, s, r)?,
        Awaiting::MfaSetup { totp_secret, totp_verified } => answer_mfa_setup(tx, f, s, r, totp_secret, totp_verified)?,
        Awaiting::Custom { round, attempts } => Outcome::Next(answer_custom(tx, f, &s, r, round, attempts)?),
        Awaiting::CustomTrigger { mut log, private, metadata } => {
            let correct = crate::triggers::verify_auth_challenge(tx, f.call, f.pool, &s.username, &private, r.need("ANSWER")?)?;
            log.push(json!({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": correct, "challengeMetadata": metadata}));
            Outcome::Next(custom_trigger_step(tx, f, &s.username, log, s.device_key.clone())?)
        }
        Awaiting::DeviceSrp => Outcome::Next(answer_device_srp(tx, f, &s, r)?),
        Awaiting::DeviceVerifier { srp, block } => Outcome::Next(answer_device_verifier(tx, f, &s, r, *srp, &block)?),
        Awaiting::SelectChallenge { available } => answer_select_challenge(tx, f, s, r, &available)?,
        Awaiting::OtpSignIn { sms, code, attempts } => answer_otp_sign_in(tx, f, s, r, sms, &code, attempts)?,
        Awaiting::WebAuthn { challenge } => Outcome::Next(answer_web_authn(tx, f, &s, r, &challenge)?),
        Awaiting::AutoSignIn => return Err(invalid_param(format!("Invalid challenge name {}", s.awaiting.challenge()))),
    })
}

/// TIMESTAMP must be exactly Cognito's format and close to the pool's clock.
fn check_timestamp(db: &Db, pool: &str, ts: &str) -> ApiResult<()> {
    let p = db.pool(pool)?;
    match SrpTimestamp::parse(ts) {
        Some(t) if (t - p.now()).abs() <= p.config.srp_timestamp_skew_seconds => Ok(()),
        _ => Err(bad_credentials()),
    }
}

/// PASSWORD_VERIFIER, keyed by its single-use SECRET_BLOCK (no Session at this step).
fn answer_password_verifier(tx: &mut Tx, f: &Flow, typed: &str, r: &Params) -> ApiResult<Value> {
    let block_text = r.need("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = r.need("PASSWORD_CLAIM_SIGNATURE")?.to_string();
    let ts = r.need("TIMESTAMP")?.to_string();
    // Single use: removed whatever the outcome.
    let st = tx.runtime.srp.remove(block_text).ok_or_else(bad_credentials)?;
    let pl = tx.pool(f.pool)?;
    let validity = f.client.auth_session_validity_minutes.max(3) * 60;
    if st.client != f.client.id || st.pool != f.pool || st.created + validity <= pl.now() {
        return Err(expired_session());
    }
    if !st.phantom && pl.find_username(typed).as_deref() != Some(st.username.as_str()) {
        return Err(bad_credentials());
    }
    check_timestamp(tx, f.pool, &ts)?;
    let block = SecretBlock::from_base64(block_text).map_err(|_| bad_credentials())?;
    let pool_name = tx.pool(f.pool)?.name().to_string();
    let (ok, st) = tx.compute(move || {
        let ok = st.server.verify(&st.a, &st.v, &pool_name, &st.username, &block, &SrpTimestamp::from_string(&ts), &signature);
        (ok.unwrap_or(false), st)
    });
    if !ok || st.phantom {
        return Err(fail_sign_in(tx, f.pool, &st.username));
    }
    let device = r.get("DEVICE_KEY").map(String::from).or(st.device_key.clone());
    after_first_factor(tx, f, &st.username, device, st.custom)
}

fn answer_new_password(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params) -> ApiResult<Outcome> {
    let pw = r.need("NEW_PASSWORD")?.to_string();
    let pl = tx.pool(f.pool)?;
    if let Err(e) = pl.check_password_policy(&pw) {
        return Ok(Outcome::Retry(Box::new(s), e));
    }
    let attrs: Vec<(String, String)> =
        r.0.iter().filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_string(), v.clone()))).collect();
    let u = pl.user(&s.username)?;
    let missing_attr = pl.config.required_attributes.iter().find(|a| u.attr(a).is_none() && !attrs.iter().any(|(k, _)| k == *a));
    if let Some(a) = missing_attr {
        let e = invalid_param(format!("Invalid attributes given, {a} is missing"));
        return Ok(Outcome::Retry(Box::new(s), e));
    }
    let v = new_verifier(tx, f.pool, &s.username, &pw)?;
    let u = tx.user_mut(f.pool, &s.username)?;
    u.set_verifier(v);
    u.status = UserStatus::Confirmed;
    u.temp_password_expires = None;
    u.attributes.extend(attrs);
    Ok(Outcome::Next(after_password(tx, f, &s.username, s.device_key.clone(), TokenSource::NewPasswordChallenge)?))
}

fn answer_select_challenge(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params, available: &[String]) -> ApiResult<Outcome> {
    let answer = r.need("ANSWER")?;
    if !available.iter().any(|a| a == answer) {
        let e = invalid_param(format!("{answer} is not one of the AvailableChallenges: {}", available.join(", ")));
        return Ok(Outcome::Retry(Box::new(s), e));
    }
    if answer == "WEB_AUTHN" && r.get("CREDENTIAL").is_some() {
        // There are no request options (and so no challenge to sign) before WEB_AUTHN is issued.
        return Err(invalid_param("Answer SELECT_CHALLENGE with ANSWER=WEB_AUTHN alone, then the WEB_AUTHN challenge with CREDENTIAL"));
    }
    Ok(Outcome::Next(crate::choice::start_factor(tx, f, &s.username, answer, r, s.device_key.clone())?))
}

fn answer_otp_sign_in(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params, sms: bool, code: &str, attempts: u32) -> ApiResult<Outcome> {
    let given = r.need(if sms { "SMS_OTP_CODE" } else { "EMAIL_OTP_CODE" })?;
    if !cognito_proto::crypto::ct_eq(code.as_bytes(), given.as_bytes()) {
        let code = code.to_string();
        return wrong_code(s, attempts, move |attempts| Awaiting::OtpSignIn { sms, code, attempts });
    }
    Ok(Outcome::Next(after_first_factor(tx, f, &s.username, s.device_key.clone(), false)?))
}

/// WEB_AUTHN: the assertion (AuthenticationResponseJSON, as a JSON string) for the issued
/// challenge; any refusal is NotAuthorizedException and ends the session. With passkey MFA on
/// (`passkey_mfa.rs`) the assertion must carry user verification and is the second factor too.
fn answer_web_authn(tx: &mut Tx, f: &Flow, s: &AuthSession, r: &Params, challenge_b64: &str) -> ApiResult<Value> {
    let credential: Value = serde_json::from_str(r.need("CREDENTIAL")?)
        .map_err(|_| invalid_param("CREDENTIAL must be an AuthenticationResponseJSON document as a string"))?;
    let pl = tx.pool(f.pool)?;
    let u = pl.user(&s.username)?;
    let origins = crate::passkeys::allowed_origins(pl, f.client);
    let e = crate::webauthn::Expect {
        challenge: challenge_b64,
        rp_id: &pl.config.web_authn.relying_party_id,
        origins: &origins,
        user_verification_required: crate::passkey_mfa::user_verification_required(pl, u),
    };
    let multi_factor = crate::passkey_mfa::on(pl, u);
    let (i, count) = crate::webauthn::verify_assertion(&credential, &e, &u.passkeys, u.sub.as_bytes()).map_err(|e| {
        if e.is(&Exception::NotAuthorized) {
            e
        } else {
            not_authorized(e.message)
        }
    })?;
    if let Some(p) = tx.user_mut(f.pool, &s.username)?.passkeys.get_mut(i) {
        p.sign_count = count;
    }
    if multi_factor {
        return after_multi_factor(tx, f, &s.username, s.device_key.clone());
    }
    after_first_factor(tx, f, &s.username, s.device_key.clone(), false)
}

/// Three wrong codes end the session.
const CODE_ATTEMPTS: u32 = 3;

fn wrong_code(s: AuthSession, attempts: u32, awaiting: impl FnOnce(u32) -> Awaiting) -> ApiResult<Outcome> {
    let attempts = attempts + 1;
    if attempts >= CODE_ATTEMPTS {
        return Err(not_authorized("Invalid session for the user, too many failed attempts."));
    }
    let e = fail(Exception::CodeMismatch, "Invalid code received for user");
    Ok(Outcome::Retry(Box::new(AuthSession { awaiting: awaiting(attempts), ..s }), e))
}

/// An SMS_MFA / EMAIL_OTP session's state.
struct SentCode {
    factor: MfaFactor,
    code: String,
    attempts: u32,
    /// MFA_SETUP by e-mail: the address being verified.
    setup_email: Option<String>,
}

fn answer_sent_code(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params, c: SentCode) -> ApiResult<Outcome> {
    let field = if c.factor == MfaFactor::Sms { "SMS_MFA_CODE" } else { "EMAIL_OTP_CODE" };
    if !cognito_proto::crypto::ct_eq(c.code.as_bytes(), r.need(field)?.as_bytes()) {
        let SentCode { factor, code, setup_email, .. } = c;
        return wrong_code(s, c.attempts, move |attempts| Awaiting::SentCode { factor, code, attempts, setup_email });
    }
    if let Some(email) = c.setup_email {
        // MFA_SETUP by e-mail: the address is now verified and e-mail MFA is on.
        let u = tx.user_mut(f.pool, &s.username)?;
        u.attributes.insert("email".into(), email);
        u.attributes.insert("email_verified".into(), "true".into());
        u.email_enabled = true;
        u.preferred_mfa.get_or_insert(MfaFactor::Email);
    }
    Ok(Outcome::Next(tokens_response(tx, f.call, f.pool, f.client, &s.username, s.device_key.clone(), TokenSource::Authentication)?))
}

fn answer_totp(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params, attempts: u32) -> ApiResult<Outcome> {
    let given = r.need("SOFTWARE_TOKEN_MFA_CODE")?;
    let secret = tx.user(f.pool, &s.username)?.totp_secret.clone().unwrap_or_default();
    if !totp_matches(&secret, given, tx.now_of(f.pool)) {
        return wrong_code(s, attempts, |attempts| Awaiting::Totp { attempts });
    }
    Ok(Outcome::Next(tokens_response(tx, f.call, f.pool, f.client, &s.username, s.device_key.clone(), TokenSource::Authentication)?))
}

fn answer_select_mfa_type(tx: &mut Tx, f: &Flow, s: AuthSession, r: &Params) -> ApiResult<Outcome> {
    let answer = r.need("ANSWER")?;
    let pl = tx.pool(f.pool)?;
    let factors = pl.user(&s.username)?.mfa_factors(&pl.config);
    match MfaFactor::parse(answer).filter(|a| factors.contains(a)) {
        Some(factor) => Ok(Outcome::Next(issue_mfa_challenge(tx, f, &s.username, factor, s.device_key.clone())?)),
        None => {
            let e = invalid_param(format!("MFA type {answer} is not available for this user"));
            Ok(Outcome::Retry(Box::new(s), e))
        }
    }
}

fn answer_mfa_setup(
    tx: &mut Tx,
    f: &Flow,
    s: AuthSession,
    r: &Params,
    totp_secret: Option<String>,
    totp_verified: bool,
) -> ApiResult<Outcome> {
    if let Some(email) = r.get("EMAIL") {
        if !tx.pool(f.pool)?.config.mfa_methods.contains(&MfaFactor::Email) {
            return Err(invalid_param("Email MFA is not enabled for this user pool"));
        }
        let (code, params) = send_mfa_code(tx, f.call, f.pool, &s.username, MfaFactor::Email, Some(email))?;
        let awaiting = Awaiting::SentCode { factor: MfaFactor::Email, code, attempts: 0, setup_email: Some(email.to_string()) };
        let session = open_session(tx, f, &s.username, s.device_key.clone(), awaiting);
        return Ok(Outcome::Next(challenge("EMAIL_OTP", Some(session), params)));
    }
    if !totp_verified {
        let e = invalid_param(
            "Software token MFA has not been verified: call AssociateSoftwareToken and VerifySoftwareToken with this Session",
        );
        return Ok(Outcome::Retry(Box::new(AuthSession { awaiting: Awaiting::MfaSetup { totp_secret, totp_verified }, ..s }), e));
    }
    let u = tx.user_mut(f.pool, &s.username)?;
    u.totp_secret = totp_secret;
    u.totp_enabled = true;
    u.preferred_mfa = Some(MfaFactor::Totp);
    Ok(Outcome::Next(tokens_response(tx, f.call, f.pool, f.client, &s.username, s.device_key.clone(), TokenSource::Authentication)?))
}

fn answer_custom(tx: &mut Tx, f: &Flow, s: &AuthSession, r: &Params, round: usize, attempts: u32) -> ApiResult<Value> {
    let answer = r.need("ANSWER")?;
    let cfg = tx.pool(f.pool)?.config.custom_auth.clone();
    let expected = cfg.challenges.get(round).map(|c| c.answer.clone()).unwrap_or_default();
    if answer.trim() != expected {
        let attempts = attempts + 1;
        if attempts >= cfg.max_attempts {
            return Err(bad_credentials());
        }
        return custom_challenge(tx, f, &s.username, round, attempts);
    }
    if round + 1 < cfg.challenges.len() {
        return custom_challenge(tx, f, &s.username, round + 1, 0);
    }
    tokens_response(tx, f.call, f.pool, f.client, &s.username, None, TokenSource::Authentication)
}

/// DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER against the device's verifier.
fn answer_device_srp(tx: &mut Tx, f: &Flow, s: &AuthSession, r: &Params) -> ApiResult<Value> {
    let key = r.need("DEVICE_KEY")?;
    let a = SrpA::from_hex(r.need("SRP_A")?).map_err(|e| invalid_param(e.message()))?;
    if s.device_key.as_deref() != Some(key) {
        return Err(not_authorized("Invalid device key given."));
    }
    let gone = || fail(Exception::ResourceNotFound, "Device does not exist.");
    let pl = tx.pool(f.pool)?;
    let d = pl.devices.get(key).filter(|d| d.username == s.username).ok_or_else(gone)?;
    let v = d.verifier().ok_or_else(gone)?;
    let salt_hex = d.salt_hex.clone().unwrap_or_default();
    let now = pl.now();
    let server = tx.compute(move || ServerEphemeral::from_random(random_bytes::<32>(), &v)).map_err(|e| internal(e.message()))?;
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
    let session = open_session(tx, f, &s.username, Some(key.to_string()), awaiting);
    let params = json!({"SALT": salt_hex, "SRP_B": b_hex, "SECRET_BLOCK": block, "USERNAME": s.username, "DEVICE_KEY": key});
    Ok(challenge("DEVICE_PASSWORD_VERIFIER", Some(session), params))
}

/// DEVICE_PASSWORD_VERIFIER: the claim over DeviceGroupKey | DeviceKey; skips MFA.
fn answer_device_verifier(tx: &mut Tx, f: &Flow, s: &AuthSession, r: &Params, st: SrpState, issued: &str) -> ApiResult<Value> {
    let block_text = r.need("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = r.need("PASSWORD_CLAIM_SIGNATURE")?.to_string();
    let ts = r.need("TIMESTAMP")?.to_string();
    let key = s.device_key.clone().unwrap_or_default();
    if r.get("DEVICE_KEY") != Some(key.as_str()) || issued != block_text {
        return Err(bad_credentials());
    }
    check_timestamp(tx, f.pool, &ts)?;
    let group = tx.pool(f.pool)?.devices.get(&key).map(|d| d.group_key.clone()).unwrap_or_default();
    let block = SecretBlock::from_base64(block_text).map_err(|_| bad_credentials())?;
    let device = key.clone();
    let ok = tx.compute(move || {
        st.server.verify(&st.a, &st.v, &group, &device, &block, &SrpTimestamp::from_string(&ts), &signature).unwrap_or(false)
    });
    if !ok {
        return Err(fail_sign_in(tx, f.pool, &s.username));
    }
    let (ip, now) = (f.call.ip.clone(), tx.now_of(f.pool));
    if let Some(d) = tx.pool_mut(f.pool)?.devices.get_mut(&key) {
        d.last_auth = now;
        d.last_ip = ip;
    }
    // A verified remembered device skips MFA.
    tokens_response(tx, f.call, f.pool, f.client, &s.username, Some(key), TokenSource::AuthenticateDevice)
}

// ---------------------------------------------------------------------------------------------
// TOTP association (an access token, or the Session of an MFA_SETUP challenge)

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssociateSoftwareToken {
    access_token: Option<String>,
    session: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifySoftwareToken {
    access_token: Option<String>,
    session: Option<String>,
    user_code: String,
    friendly_device_name: Option<String>,
}

/// The MFA_SETUP session a TOTP association is for.
fn setup_session(db: &mut Db, session_id: &str) -> ApiResult<AuthSession> {
    let s = db.runtime.sessions.remove(session_id).ok_or_else(invalid_session)?;
    if !matches!(s.awaiting, Awaiting::MfaSetup { .. }) || s.expires <= db.pool(&s.pool)?.now() {
        return Err(expired_session());
    }
    Ok(s)
}

fn reopen(db: &mut Db, s: AuthSession) -> String {
    let id = opaque_token(180);
    db.runtime.sessions.insert(id.clone(), s);
    id
}

fn token_or_session(token: Option<String>, session: Option<String>) -> ApiResult<Result<String, String>> {
    match (token, session) {
        (Some(t), _) => Ok(Ok(t)),
        (None, Some(s)) => Ok(Err(s)),
        (None, None) => Err(invalid_param("AccessToken or Session is required")),
    }
}

pub fn associate_software_token(tx: &mut Tx, call: &Call, body: Value) -> ApiResult<Value> {
    let r: AssociateSoftwareToken = parse(body)?;
    let secret = base32_encode(&random_bytes::<20>());
    match token_or_session(r.access_token, r.session)? {
        Ok(token) => {
            let c = authenticate(tx, &call.base, &token)?;
            tx.user_mut(&c.pool, &c.username)?.totp_pending = Some(secret.clone());
            Ok(json!({"SecretCode": secret}))
        }
        Err(session) => {
            let mut s = setup_session(tx, &session)?;
            s.awaiting = Awaiting::MfaSetup { totp_secret: Some(secret.clone()), totp_verified: false };
            let next = reopen(tx, s);
            Ok(json!({"SecretCode": secret, "Session": next}))
        }
    }
}

pub fn verify_software_token(tx: &mut Tx, call: &Call, body: Value) -> ApiResult<Value> {
    let r: VerifySoftwareToken = parse(body)?;
    let code = r.user_code.as_str();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_param("1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and length 6"));
    }
    let mismatch = || fail(Exception::EnableSoftwareTokenMfa, "Code mismatch");
    match token_or_session(r.access_token, r.session)? {
        Ok(token) => {
            let c = authenticate(tx, &call.base, &token)?;
            let now = tx.now_of(&c.pool);
            let u = tx.user_mut(&c.pool, &c.username)?;
            let pending = u.totp_pending.clone().ok_or_else(|| invalid_param("Call AssociateSoftwareToken first"))?;
            if !totp_matches(&pending, code, now) {
                return Err(mismatch());
            }
            u.totp_secret = Some(pending);
            u.totp_pending = None;
            u.totp_device_name = r.friendly_device_name;
            Ok(json!({"Status": "SUCCESS"}))
        }
        Err(session_id) => {
            let mut s = setup_session(tx, &session_id)?;
            let now = tx.now_of(&s.pool);
            let secret = match &s.awaiting {
                Awaiting::MfaSetup { totp_secret: Some(secret), .. } => secret.clone(),
                _ => {
                    tx.runtime.sessions.insert(session_id, s);
                    return Err(invalid_param("Call AssociateSoftwareToken first"));
                }
            };
            if !totp_matches(&secret, code, now) {
                tx.runtime.sessions.insert(session_id, s);
                return Err(mismatch());
            }
            s.awaiting = Awaiting::MfaSetup { totp_secret: Some(secret), totp_verified: true };
            if let Ok(u) = tx.user_mut(&s.pool, &s.username) {
                u.totp_device_name = r.friendly_device_name;
            }
            let next = reopen(tx, s);
            Ok(json!({"Status": "SUCCESS", "Session": next}))
        }
    }
}
