//! The signed-in user's own account, by access token: GetUser, UpdateUserAttributes,
//! DeleteUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUser,
//! GlobalSignOut, SetUserMFAPreference (with passkey MFA, `passkey_mfa.rs`); and RevokeToken (by
//! refresh token).

use crate::access::{authenticate, Caller};
use crate::call::Call;
use crate::codes::{check_code, send_code, CodeFor, Purpose};
use crate::config::MfaFactor;
use crate::error::*;
use crate::request::{attributes, attributes_json, AttributeType};
use crate::shared::Tx;
use crate::state::*;
use cognito_proto::crypto::ct_eq;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ByToken {
    access_token: String,
}

/// The caller, and the same call made by the token's app client (trigger events name it).
fn caller(tx: &Tx, call: &Call, token: &str) -> ApiResult<(Caller, Call)> {
    let c = authenticate(tx, &call.base, token)?;
    let by = call.by_client(&c.client);
    Ok((c, by))
}

pub fn get_user(tx: &mut Tx, call: &Call, r: ByToken) -> ApiResult<Value> {
    let (c, _) = caller(tx, call, &r.access_token)?;
    let pool = tx.pool(&c.pool)?;
    let user = pool.user(&c.username)?;
    let factors = user.mfa_factors(&pool.config);
    let mut out = json!({"Username": user.username, "UserAttributes": attributes_json(user), "UserMFASettingList": factors});
    if let Some(p) = user.preferred_mfa {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributes {
    access_token: String,
    user_attributes: Vec<AttributeType>,
}

pub fn update_user_attributes(tx: &mut Tx, call: &Call, r: UpdateUserAttributes) -> ApiResult<Value> {
    let (c, call) = caller(tx, call, &r.access_token)?;
    let attrs = attributes(r.user_attributes)?;
    let list = apply_attribute_update(tx, &call, &c.pool, &c.username, attrs, true)?;
    Ok(json!({"CodeDeliveryDetailsList": list}))
}

/// Updates attributes; a changed e-mail or phone becomes unverified and, when `send` and the
/// attribute is auto-verified, gets a code (CustomMessage_UpdateUserAttribute). The deliveries.
pub fn apply_attribute_update(
    tx: &mut Tx,
    call: &Call,
    pool_id: &str,
    username: &str,
    attrs: Vec<(String, String)>,
    send: bool,
) -> ApiResult<Vec<Value>> {
    let pool = tx.pool(pool_id)?;
    let auto = pool.config.auto_verified_attributes.clone();
    for (k, v) in &attrs {
        if k == "sub" || (send && k.ends_with("_verified")) {
            return Err(not_authorized("A client attempted to write unauthorized attribute"));
        }
        let clash = pool.users.values().any(|u| u.username != username && u.attr(k) == Some(v) && u.verified(k));
        if (k == "email" || k == "phone_number") && clash && pool.config.alias_attributes.contains(k) {
            return Err(fail(Exception::AliasExists, format!("An account with the given {k} already exists.")));
        }
    }
    let now = pool.now();
    let user = tx.user_mut(pool_id, username)?;
    let mut to_verify = vec![];
    for (k, v) in attrs {
        if user.attr(&k) != Some(v.as_str()) && (k == "email" || k == "phone_number") {
            user.attributes.insert(format!("{k}_verified"), "false".into());
            if auto.contains(&k) {
                to_verify.push(k.clone());
            }
        }
        user.attributes.insert(k, v);
    }
    user.modified = now;
    let mut list = vec![];
    for k in to_verify.iter().filter(|_| send) {
        let c = CodeFor {
            pool: pool_id,
            username,
            purpose: Purpose::Verify(k.clone()),
            kind: MessageKind::AttributeVerification,
            attr: Some(k),
        };
        list.push(send_code(tx, call, c)?);
    }
    Ok(list)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributes {
    access_token: String,
    user_attribute_names: Vec<String>,
}

pub fn delete_user_attributes(tx: &mut Tx, call: &Call, r: DeleteUserAttributes) -> ApiResult<Value> {
    let (c, _) = caller(tx, call, &r.access_token)?;
    let required = &tx.pool(&c.pool)?.config.required_attributes;
    if let Some(n) = r.user_attribute_names.iter().find(|n| *n == "sub" || required.contains(n)) {
        return Err(invalid_param(format!("Cannot delete required attribute {n}")));
    }
    let user = tx.user_mut(&c.pool, &c.username)?;
    for n in r.user_attribute_names {
        user.attributes.remove(&n);
        if n == "email" || n == "phone_number" {
            user.attributes.remove(&format!("{n}_verified"));
        }
    }
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeCode {
    access_token: String,
    attribute_name: String,
    code: Option<String>,
}

pub fn get_user_attribute_verification_code(tx: &mut Tx, call: &Call, r: AttributeCode) -> ApiResult<Value> {
    let (c, call) = caller(tx, call, &r.access_token)?;
    let attr = r.attribute_name.as_str();
    if attr != "email" && attr != "phone_number" {
        return Err(invalid_param(format!("Attribute {attr} cannot be verified")));
    }
    let code = CodeFor {
        pool: &c.pool,
        username: &c.username,
        purpose: Purpose::Verify(attr.to_string()),
        kind: MessageKind::AttributeVerification,
        attr: Some(attr),
    };
    Ok(json!({"CodeDeliveryDetails": send_code(tx, &call, code)?}))
}

pub fn verify_user_attribute(tx: &mut Tx, call: &Call, r: AttributeCode) -> ApiResult<Value> {
    let (c, _) = caller(tx, call, &r.access_token)?;
    let code = r.code.ok_or_else(|| missing("Code"))?;
    check_code(tx, &c.pool, &c.username, &Purpose::Verify(r.attribute_name.clone()), &code)?;
    tx.user_mut(&c.pool, &c.username)?.attributes.insert(format!("{}_verified", r.attribute_name), "true".into());
    Ok(json!({}))
}

pub fn delete_user(tx: &mut Tx, call: &Call, r: ByToken) -> ApiResult<Value> {
    let (c, _) = caller(tx, call, &r.access_token)?;
    remove_user(tx, &c.pool, &c.username)?;
    Ok(json!({}))
}

/// Deletes a user with its devices; its tokens are revoked.
pub fn remove_user(db: &mut Db, pool_id: &str, username: &str) -> ApiResult<()> {
    db.revoke_user(pool_id, username);
    let pool = db.pool_mut(pool_id)?;
    pool.users.remove(username).ok_or_else(user_not_found)?;
    pool.devices.retain(|_, d| d.username != username);
    Ok(())
}

pub fn global_sign_out(tx: &mut Tx, call: &Call, r: ByToken) -> ApiResult<Value> {
    let (c, _) = caller(tx, call, &r.access_token)?;
    tx.revoke_user(&c.pool, &c.username);
    if let Some(o) = c.claims["origin_jti"].as_str() {
        tx.revoke_origin(&c.pool, o);
    }
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeToken {
    token: String,
    client_id: String,
    client_secret: Option<String>,
}

pub fn revoke_token(tx: &mut Tx, r: RevokeToken) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    let client = tx.pool(&pool_id)?.client(&r.client_id).cloned().ok_or_else(|| client_not_found(&r.client_id))?;
    if let Some(secret) = &client.secret {
        if !r.client_secret.is_some_and(|g| ct_eq(g.as_bytes(), secret.as_bytes())) {
            return Err(fail(Exception::Unauthorized, "Client authentication failed"));
        }
    }
    if !client.enable_token_revocation {
        return Err(fail(Exception::UnsupportedOperation, "Token revocation is not enabled for this client"));
    }
    if r.token.split('.').count() == 3 {
        return Err(fail(Exception::UnsupportedTokenType, "Only refresh tokens can be revoked"));
    }
    if !tx.revoke_refresh_token(&r.token, &r.client_id) {
        return Err(fail(Exception::Unauthorized, "The token was not issued to this client"));
    }
    Ok(json!({}))
}

/// `SoftwareTokenMfaSettings`, `SMSMfaSettings`, `EmailMfaSettings`.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSetting {
    #[serde(default)]
    enabled: bool,
    preferred_mfa: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaPreference {
    access_token: Option<String>,
    software_token_mfa_settings: Option<MfaSetting>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MfaSetting>,
    email_mfa_settings: Option<MfaSetting>,
    /// Passkey MFA (`passkey_mfa.rs`): `Enabled` only, no `PreferredMfa`.
    web_authn_mfa_settings: Option<WebAuthnMfaSetting>,
}

/// `WebAuthnMfaSettingsType` (API reference): `{Enabled}`.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnMfaSetting {
    #[serde(default)]
    enabled: bool,
}

impl MfaPreference {
    fn settings(&self) -> [(MfaFactor, Option<MfaSetting>); 3] {
        [
            (MfaFactor::Totp, self.software_token_mfa_settings),
            (MfaFactor::Sms, self.sms_mfa_settings),
            (MfaFactor::Email, self.email_mfa_settings),
        ]
    }
}

pub fn set_user_mfa_preference(tx: &mut Tx, call: &Call, r: MfaPreference) -> ApiResult<Value> {
    let token = r.access_token.clone().ok_or_else(|| missing("AccessToken"))?;
    let (c, _) = caller(tx, call, &token)?;
    set_mfa(tx, &c.pool, &c.username, &r)
}

/// Whether the user can have this factor on.
fn can_enable(user: &User, factor: MfaFactor) -> ApiResult<()> {
    match factor {
        MfaFactor::Totp if user.totp_secret.is_none() => Err(invalid_param("User has not verified software token mfa")),
        MfaFactor::Sms if user.attr("phone_number").is_none() => Err(invalid_param("User does not have a phone number")),
        MfaFactor::Email if user.attr("email").is_none() => Err(invalid_param("User does not have an email address")),
        _ => Ok(()),
    }
}

/// SetUserMFAPreference and AdminSetUserMFAPreference: every setting is checked on a copy of the
/// user, which replaces the user only when all of them hold (a refusal changes nothing).
pub fn set_mfa(db: &mut Db, pool_id: &str, username: &str, r: &MfaPreference) -> ApiResult<Value> {
    let pool = db.pool(pool_id)?;
    let mut user = pool.user(username)?.clone();
    apply_factors(pool, &mut user, r)?;
    if let Some(w) = r.web_authn_mfa_settings {
        if w.enabled {
            crate::passkey_mfa::check_enable(pool)?;
        }
        user.web_authn_mfa = w.enabled;
    }
    crate::passkey_mfa::check_other_factor(pool, &user)?;
    *db.user_mut(pool_id, username)? = user;
    Ok(json!({}))
}

/// The SMS, TOTP and e-mail settings of the request, on `user`.
fn apply_factors(pool: &Pool, user: &mut User, r: &MfaPreference) -> ApiResult<()> {
    for (factor, setting) in r.settings() {
        let Some(s) = setting else { continue };
        if s.enabled && !pool.config.mfa_methods.contains(&factor) {
            return Err(invalid_param(format!("{} is not enabled for this user pool", factor.as_str())));
        }
        if s.enabled {
            can_enable(user, factor)?;
        }
        match factor {
            MfaFactor::Totp => user.totp_enabled = s.enabled,
            MfaFactor::Sms => user.sms_enabled = s.enabled,
            MfaFactor::Email => user.email_enabled = s.enabled,
        }
        if s.preferred_mfa == Some(true) && s.enabled {
            user.preferred_mfa = Some(factor);
        } else if user.preferred_mfa == Some(factor) && (!s.enabled || s.preferred_mfa == Some(false)) {
            user.preferred_mfa = None;
        }
    }
    Ok(())
}
