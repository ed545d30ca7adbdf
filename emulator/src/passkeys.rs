//! The signed-in user's passkeys and sign-in factors (the API references of
//! StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
//! DeleteWebAuthnCredential and GetUserAuthFactors), and what choice-based sign-in (USER_AUTH)
//! offers a user. The WebAuthn checks themselves are in `webauthn.rs`.
//!
//! ```text
//! StartWebAuthnRegistration {AccessToken} → {CredentialCreationOptions}   (challenge: 5 min, single use)
//! CompleteWebAuthnRegistration {AccessToken, Credential: RegistrationResponseJSON} → {}
//! ListWebAuthnCredentials {AccessToken, MaxResults ≤ 20, NextToken} → {Credentials, NextToken}
//! DeleteWebAuthnCredential {AccessToken, CredentialId} → {}
//! GetUserAuthFactors {AccessToken} → {Username, PreferredMfaSetting, UserMFASettingList, ConfiguredUserAuthFactors}
//! ```

use crate::access::{caller, user_mut};
use crate::config::{ClientConfig, FirstFactor, MfaConfiguration};
use crate::request::{opt, req, Ctx};
use crate::state::*;
use crate::util::*;
use crate::webauthn::{self, Expect};
use cognito_proto::codec::base64url_encode;
use serde_json::{json, Value};

/// Registration challenges and sign-in sessions expire after this long.
const CEREMONY_SECONDS: i64 = 300;
/// Passkeys per user (Cognito's quota).
const MAX_PASSKEYS: usize = 20;

fn allows(pool: &Pool, f: FirstFactor) -> bool {
    pool.config.sign_in_policy.allowed_first_auth_factors.contains(&f)
}

/// `scheme://authority` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    Some(format!("{scheme}://{}", rest.split(['/', '?', '#']).next()?))
}

/// The origins allowed to run a ceremony for this client.
pub fn allowed_origins(pool: &Pool, client: &ClientConfig) -> Vec<String> {
    let configured = &pool.config.web_authn.allowed_origins;
    if !configured.is_empty() {
        return configured.clone();
    }
    client.callback_urls.iter().chain(&client.logout_urls).filter_map(|u| origin_of(u)).collect()
}

pub fn user_verification_required(pool: &Pool) -> bool {
    pool.config.web_authn.user_verification == "required"
}

/// The challenges USER_AUTH offers this user, in Cognito's order: what the pool allows and the
/// user has set up. Users with MFA configured are offered passwords only (passwordless factors
/// and MFA do not combine).
pub fn first_factors(pool: &Pool, u: &User) -> Vec<&'static str> {
    let mut v = vec![];
    if allows(pool, FirstFactor::Password) && u.verifier_hex.is_some() {
        v.extend(["PASSWORD", "PASSWORD_SRP"]);
    }
    let mfa = pool.config.mfa_configuration == MfaConfiguration::On || !u.mfa_factors(&pool.config).is_empty();
    if mfa {
        return v;
    }
    if allows(pool, FirstFactor::WebAuthn) && !u.passkeys.is_empty() {
        v.push("WEB_AUTHN");
    }
    if allows(pool, FirstFactor::EmailOtp) && u.attr("email").is_some() && u.verified("email") {
        v.push("EMAIL_OTP");
    }
    if allows(pool, FirstFactor::SmsOtp) && u.attr("phone_number").is_some() && u.verified("phone_number") {
        v.push("SMS_OTP");
    }
    v
}

fn registration_key(pool: &str, username: &str) -> String {
    format!("{pool}\u{1f}{username}")
}

fn client_of_token(c: &crate::access::Caller) -> String {
    c.claims["client_id"].as_str().unwrap_or_default().to_string()
}

pub fn start_registration(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let pool = db.pool(&c.pool)?;
    if !allows(pool, FirstFactor::WebAuthn) {
        return Err(err("WebAuthnNotEnabledException", "Passkeys (WEB_AUTHN) are not an allowed first factor of this user pool"));
    }
    let cfg = &pool.config.web_authn;
    if cfg.relying_party_id.is_empty() {
        return Err(err("WebAuthnConfigurationMissingException", "The user pool has no WebAuthn relying party ID"));
    }
    let u = &pool.users[&c.username];
    if u.passkeys.len() >= MAX_PASSKEYS {
        return Err(err("LimitExceededException", format!("A user can register at most {MAX_PASSKEYS} passkeys")));
    }
    let challenge = base64url_encode(&random_bytes::<32>());
    let display = u.attr("name").or(u.attr("email")).unwrap_or("");
    let options = webauthn::creation_options(
        &challenge,
        &cfg.relying_party_id,
        pool.name(),
        u.sub.as_bytes(),
        &u.username,
        display,
        &u.passkeys,
        &cfg.user_verification,
        cfg.timeout_ms,
    );
    let pending = PendingRegistration { challenge, client: client_of_token(&c), expires: pool.now() + CEREMONY_SECONDS };
    db.runtime.registrations.insert(registration_key(&c.pool, &c.username), pending);
    Ok(json!({"CredentialCreationOptions": options}))
}

pub fn complete_registration(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let credential = body.get("Credential").filter(|v| v.is_object()).ok_or_else(|| invalid_param("Credential must be a RegistrationResponseJSON object"))?;
    let not_found = || err("WebAuthnChallengeNotFoundException", "No passkey registration was started, or it expired: call StartWebAuthnRegistration");
    let pending = db.runtime.registrations.remove(&registration_key(&c.pool, &c.username)).ok_or_else(not_found)?;
    let pool = db.pool(&c.pool)?;
    if pending.expires <= pool.now() {
        return Err(not_found());
    }
    if pending.client != client_of_token(&c) {
        return Err(err("WebAuthnClientMismatchException", "The registration was started by another app client"));
    }
    let client = pool.client(&pending.client).cloned().unwrap_or_default();
    let origins = allowed_origins(pool, &client);
    let e = Expect {
        challenge: &pending.challenge,
        rp_id: &pool.config.web_authn.relying_party_id,
        origins: &origins,
        user_verification_required: user_verification_required(pool),
    };
    let mut passkey = webauthn::verify_registration(credential, &e)?;
    if pool.users.values().any(|u| u.passkeys.iter().any(|p| p.id == passkey.id)) {
        return Err(invalid_param("This credential is already registered"));
    }
    let now = pool.now();
    let u = user_mut(db, &c.pool, &c.username)?;
    passkey.created = now;
    passkey.name = match passkey.attachment.as_deref() {
        Some("platform") => format!("Passkey on this device {}", u.passkeys.len() + 1),
        Some(_) => format!("Security key {}", u.passkeys.len() + 1),
        None => format!("Passkey {}", u.passkeys.len() + 1),
    };
    u.passkeys.push(passkey);
    Ok(json!({}))
}

pub fn list(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let max = match body.get("MaxResults") {
        None | Some(Value::Null) => MAX_PASSKEYS,
        Some(v) => v.as_u64().filter(|n| (1..=MAX_PASSKEYS as u64).contains(n)).ok_or_else(|| invalid_param("MaxResults must be between 1 and 20"))? as usize,
    };
    let start = match opt(body, "NextToken") {
        None => 0,
        Some(t) => t.strip_prefix("page-").and_then(|n| n.parse::<usize>().ok()).ok_or_else(|| invalid_param("Invalid NextToken"))?,
    };
    let u = &db.pool(&c.pool)?.users[&c.username];
    let page: Vec<Value> = u
        .passkeys
        .iter()
        .skip(start)
        .take(max)
        .map(|p| {
            let mut v = json!({
                "CredentialId": p.id,
                "FriendlyCredentialName": p.name,
                "RelyingPartyId": p.rp_id,
                "AuthenticatorTransports": p.transports,
                "CreatedAt": p.created,
            });
            if let Some(a) = &p.attachment {
                v["AuthenticatorAttachment"] = json!(a);
            }
            v
        })
        .collect();
    let mut out = json!({"Credentials": page});
    if start + max < u.passkeys.len() {
        out["NextToken"] = json!(format!("page-{}", start + max));
    }
    Ok(out)
}

pub fn delete(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let id = req(body, "CredentialId")?.to_string();
    let u = user_mut(db, &c.pool, &c.username)?;
    let before = u.passkeys.len();
    u.passkeys.retain(|p| p.id != id);
    if u.passkeys.len() == before {
        return Err(err("ResourceNotFoundException", "Credential not found."));
    }
    Ok(json!({}))
}

pub fn get_user_auth_factors(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let pool = db.pool(&c.pool)?;
    let u = &pool.users[&c.username];
    let factors: Vec<&str> = first_factors(pool, u).into_iter().filter(|f| *f != "PASSWORD_SRP").collect();
    let mut out = json!({"Username": u.username, "UserMFASettingList": u.mfa_factors(&pool.config), "ConfiguredUserAuthFactors": factors});
    if let Some(p) = u.preferred_mfa {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}
