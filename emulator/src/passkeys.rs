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
//! ConfiguredUserAuthFactors: the first factors USER_AUTH offers (PASSWORD for both password
//! challenges), then `SOFTWARE_TOKEN` for a user with TOTP MFA. Passkey MFA: `passkey_mfa.rs`.

use crate::access::{authenticate, Caller};
use crate::call::Call;
use crate::config::{ClientConfig, FirstFactor, MfaFactor};
use crate::error::*;
use crate::passkey_mfa;
use crate::shared::Tx;
use crate::state::*;
use crate::util::*;
use crate::webauthn::{self, Expect};
use cognito_proto::codec::base64url_encode;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ByToken {
    access_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteRegistration {
    access_token: String,
    credential: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListCredentials {
    access_token: String,
    max_results: Option<u64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteCredential {
    access_token: String,
    credential_id: String,
}

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
/// user has set up. Where MFA applies, passwords only (passwordless factors and MFA do not
/// combine), and passkeys when they count as MFA (`passkey_mfa.rs`).
pub fn first_factors(pool: &Pool, u: &User) -> Vec<&'static str> {
    let mut v = vec![];
    if allows(pool, FirstFactor::Password) && u.verifier_hex.is_some() {
        v.extend(["PASSWORD", "PASSWORD_SRP"]);
    }
    let passkey = allows(pool, FirstFactor::WebAuthn) && !u.passkeys.is_empty();
    if passkey_mfa::mfa_applies(pool, u) {
        if passkey && passkey_mfa::on(pool, u) {
            v.push("WEB_AUTHN");
        }
        return v;
    }
    if passkey {
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

pub fn start_registration(tx: &mut Tx, call: &Call, r: ByToken) -> ApiResult<Value> {
    let c: Caller = authenticate(tx, &call.base, &r.access_token)?;
    let pool = tx.pool(&c.pool)?;
    if !allows(pool, FirstFactor::WebAuthn) {
        return Err(fail(Exception::WebAuthnNotEnabled, "Passkeys (WEB_AUTHN) are not an allowed first factor of this user pool"));
    }
    let cfg = &pool.config.web_authn;
    if cfg.relying_party_id.is_empty() {
        return Err(fail(Exception::WebAuthnConfigurationMissing, "The user pool has no WebAuthn relying party ID"));
    }
    let u = pool.user(&c.username)?;
    if u.passkeys.len() >= MAX_PASSKEYS {
        return Err(fail(Exception::LimitExceeded, format!("A user can register at most {MAX_PASSKEYS} passkeys")));
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
    let pending = PendingRegistration { challenge, client: c.client.clone(), expires: pool.now() + CEREMONY_SECONDS };
    tx.runtime.registrations.insert(registration_key(&c.pool, &c.username), pending);
    Ok(json!({"CredentialCreationOptions": options}))
}

pub fn complete_registration(tx: &mut Tx, call: &Call, r: CompleteRegistration) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let credential = Some(&r.credential)
        .filter(|v| v.is_object())
        .ok_or_else(|| invalid_param("Credential must be a RegistrationResponseJSON object"))?;
    let not_found =
        || fail(Exception::WebAuthnChallengeNotFound, "No passkey registration was started, or it expired: call StartWebAuthnRegistration");
    let pending = tx.runtime.registrations.remove(&registration_key(&c.pool, &c.username)).ok_or_else(not_found)?;
    let pool = tx.pool(&c.pool)?;
    if pending.expires <= pool.now() {
        return Err(not_found());
    }
    if pending.client != c.client {
        return Err(fail(Exception::WebAuthnClientMismatch, "The registration was started by another app client"));
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
    let u = tx.user_mut(&c.pool, &c.username)?;
    passkey.created = now;
    passkey.name = match passkey.attachment.as_deref() {
        Some("platform") => format!("Passkey on this device {}", u.passkeys.len() + 1),
        Some(_) => format!("Security key {}", u.passkeys.len() + 1),
        None => format!("Passkey {}", u.passkeys.len() + 1),
    };
    u.passkeys.push(passkey);
    Ok(json!({}))
}

pub fn list(tx: &mut Tx, call: &Call, r: ListCredentials) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let max = match r.max_results {
        None => MAX_PASSKEYS,
        Some(n) => Some(n)
            .filter(|n| (1..=MAX_PASSKEYS as u64).contains(n))
            .ok_or_else(|| invalid_param("MaxResults must be between 1 and 20"))? as usize,
    };
    let start = match r.next_token.as_deref() {
        None => 0,
        Some(t) => t.strip_prefix("page-").and_then(|n| n.parse::<usize>().ok()).ok_or_else(|| invalid_param("Invalid NextToken"))?,
    };
    let u = tx.user(&c.pool, &c.username)?;
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

pub fn delete(tx: &mut Tx, call: &Call, r: DeleteCredential) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let u = tx.user_mut(&c.pool, &c.username)?;
    let before = u.passkeys.len();
    u.passkeys.retain(|p| p.id != r.credential_id);
    if u.passkeys.len() == before {
        return Err(fail(Exception::ResourceNotFound, "Credential not found."));
    }
    Ok(json!({}))
}

pub fn get_user_auth_factors(tx: &mut Tx, call: &Call, r: ByToken) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let pool = tx.pool(&c.pool)?;
    let u = pool.user(&c.username)?;
    let mfa = u.mfa_factors(&pool.config);
    let mut factors: Vec<&str> = first_factors(pool, u).into_iter().filter(|f| *f != "PASSWORD_SRP").collect();
    // "SOFTWARE_TOKEN can only be used as an MFA factor" (API reference, GetUserAuthFactors,
    // ConfiguredUserAuthFactors; in AuthFactorType since the 2026-07 model).
    if mfa.contains(&MfaFactor::Totp) {
        factors.push("SOFTWARE_TOKEN");
    }
    let mut out = json!({"Username": u.username, "UserMFASettingList": mfa, "ConfiguredUserAuthFactors": factors});
    if let Some(p) = u.preferred_mfa {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}
