//! Sign-up and passwords: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, ChangePassword (the user pools API reference of each).

use crate::access::{authenticate, check_secret_hash, resolve};
use crate::call::Call;
use crate::codes::{check_code, send_code, CodeFor, Purpose};
use crate::config::{FirstFactor, PoolConfig, UserStatus};
use crate::error::*;
use crate::request::{attributes, validation_map, AttributeType};
use crate::shared::Tx;
use crate::signin::new_verifier;
use crate::state::*;
use crate::triggers::{Confirmed, SignUpSource};
use crate::util::*;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUp {
    client_id: String,
    username: String,
    password: Option<String>,
    secret_hash: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
    #[serde(default)]
    validation_data: Vec<AttributeType>,
}

/// The user a sign-up makes: its username (a UUID where the pool signs in by e-mail or phone,
/// the typed name being that attribute) and attributes.
struct NewUser {
    username: String,
    attributes: BTreeMap<String, String>,
}

fn taken(cfg: &PoolConfig, pool: &Pool, typed: &str) -> bool {
    pool.find_user(typed).is_some_and(|u| if cfg.case_sensitive { u.username == typed } else { u.username.eq_ignore_ascii_case(typed) })
}

fn plan(pool: &Pool, r: &SignUp, mut attrs: Vec<(String, String)>) -> ApiResult<NewUser> {
    let (cfg, typed) = (&pool.config, r.username.as_str());
    if r.password.is_none() && !cfg.sign_in_policy.allowed_first_auth_factors.iter().any(|f| *f != FirstFactor::Password) {
        return Err(invalid_param("Password is required: this user pool allows no passwordless sign-in factor"));
    }
    if typed.is_empty() || typed.len() > 128 || typed.chars().any(char::is_whitespace) {
        return Err(invalid_param("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"));
    }
    let username = match cfg.username_attributes.first() {
        Some(attr) => {
            let looks_ok = if attr == "email" { typed.contains('@') } else { typed.starts_with('+') };
            if !looks_ok {
                return Err(invalid_param(format!("Username should be {}.", if attr == "email" { "an email" } else { "a phone number" })));
            }
            if pool.users.values().any(|u| u.attr(attr).is_some_and(|v| v.eq_ignore_ascii_case(typed))) {
                return Err(fail(Exception::UsernameExists, format!("An account with the given {attr} already exists.")));
            }
            attrs.retain(|(k, _)| k != attr);
            attrs.push((attr.clone(), typed.to_string()));
            uuid()
        }
        None if taken(cfg, pool, typed) => return Err(fail(Exception::UsernameExists, "User already exists")),
        None => typed.to_string(),
    };
    if let Some(required) = cfg.required_attributes.iter().find(|a| !attrs.iter().any(|(k, v)| k == *a && !v.is_empty())) {
        return Err(invalid_param(format!("Attributes did not conform to the schema: {required}: The attribute is required")));
    }
    if attrs.iter().any(|(k, _)| k == "sub" || k.ends_with("_verified")) {
        return Err(not_authorized("A client attempted to write unauthorized attribute"));
    }
    if let Some(password) = &r.password {
        pool.check_password_policy(password)?;
    }
    Ok(NewUser { username, attributes: attrs.into_iter().collect() })
}

pub fn sign_up(tx: &mut Tx, call: &Call, r: SignUp) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    check_secret_hash(tx, &r.client_id, &r.username, r.secret_hash.as_deref())?;
    let attrs = attributes(r.user_attributes.clone())?;
    let plan = plan(tx.pool(&pool_id)?, &r, attrs)?;
    // preSignUp sees the attributes before the user exists; its error creates no user.
    let validation = validation_map(r.validation_data.clone())?;
    let decision = crate::triggers::pre_sign_up(tx, call, &pool_id, &r.username, SignUpSource::SignUp, json!(plan.attributes), validation)?;
    let pool = tx.pool(&pool_id)?;
    let mut user = User::new(&plan.username, pool.now());
    if !pool.config.username_attributes.is_empty() {
        user.sub = plan.username.clone();
    }
    user.attributes = plan.attributes;
    user.attributes.insert("sub".into(), user.sub.clone());
    decision.mark_verified(&mut user.attributes);
    if let Some(password) = &r.password {
        user.set_verifier(new_verifier(tx, &pool_id, &plan.username, password)?);
    }
    if decision.auto_confirm {
        user.status = UserStatus::Confirmed;
    }
    create(tx, call, &pool_id, user, &r.username)
}

/// Adds the new user (unless someone took the name meanwhile), then confirms it (an
/// auto-confirmed user reaches postConfirmation at sign-up) or sends it a code.
fn create(tx: &mut Tx, call: &Call, pool_id: &str, user: User, typed: &str) -> ApiResult<Value> {
    let pool = tx.pool_mut(pool_id)?;
    if pool.config.username_attributes.is_empty() && taken(&pool.config, pool, typed) || pool.users.contains_key(&user.username) {
        return Err(fail(Exception::UsernameExists, "User already exists"));
    }
    let (username, sub, confirmed) = (user.username.clone(), user.sub.clone(), user.status == UserStatus::Confirmed);
    let deliver_to = pool.config.auto_verified_attributes.iter().find(|a| user.attr(a).is_some()).cloned().filter(|_| !confirmed);
    pool.users.insert(username.clone(), user);
    if confirmed {
        crate::triggers::post_confirmation(tx, call, pool_id, &username, Confirmed::SignUp)?;
    }
    let mut out = json!({"UserConfirmed": confirmed, "UserSub": sub});
    if let Some(attr) = deliver_to {
        let c = CodeFor { pool: pool_id, username: &username, purpose: Purpose::SignUp, kind: MessageKind::SignUp, attr: Some(&attr) };
        out["CodeDeliveryDetails"] = send_code(tx, call, c)?;
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUp {
    client_id: String,
    username: String,
    confirmation_code: String,
    secret_hash: Option<String>,
}

pub fn confirm_sign_up(tx: &mut Tx, call: &Call, r: ConfirmSignUp) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    check_secret_hash(tx, &r.client_id, &r.username, r.secret_hash.as_deref())?;
    let username = resolve(tx, &pool_id, &r.username)?;
    let status = tx.user(&pool_id, &username)?.status;
    if status != UserStatus::Unconfirmed {
        return Err(not_authorized(format!("User cannot be confirmed. Current status is {}", status.as_str())));
    }
    check_code(tx, &pool_id, &username, &Purpose::SignUp, &r.confirmation_code)?;
    let pool = tx.pool_mut(&pool_id)?;
    let now = pool.now();
    let validity = pool.clients.get(&r.client_id).map(|c| c.auth_session_validity_minutes).unwrap_or(3);
    let auto = pool.config.auto_verified_attributes.clone();
    let user = pool.user_mut(&username)?;
    user.status = UserStatus::Confirmed;
    user.modified = now;
    let verified: Vec<String> = auto.iter().filter(|a| user.attributes.contains_key(*a)).map(|a| format!("{a}_verified")).collect();
    for v in verified {
        user.attributes.insert(v, "true".into());
    }
    crate::triggers::post_confirmation(tx, call, &pool_id, &username, Confirmed::SignUp)?;
    // The confirmation returns a Session that InitiateAuth USER_AUTH accepts (auto sign-in).
    let session = opaque_token(96);
    let s = AuthSession {
        pool: pool_id,
        client: r.client_id,
        username,
        expires: now + validity * 60,
        device_key: None,
        awaiting: Awaiting::AutoSignIn,
    };
    tx.runtime.sessions.insert(session.clone(), s);
    Ok(json!({"Session": session}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForUser {
    client_id: String,
    username: String,
    secret_hash: Option<String>,
}

pub fn resend_confirmation_code(tx: &mut Tx, call: &Call, r: ForUser) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    check_secret_hash(tx, &r.client_id, &r.username, r.secret_hash.as_deref())?;
    let username = resolve(tx, &pool_id, &r.username)?;
    let pool = tx.pool(&pool_id)?;
    let user = pool.user(&username)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(invalid_param("User is already confirmed."));
    }
    let attr = pool.config.auto_verified_attributes.iter().find(|a| user.attr(a).is_some()).cloned();
    let c = CodeFor { pool: &pool_id, username: &username, purpose: Purpose::SignUp, kind: MessageKind::Resend, attr: attr.as_deref() };
    Ok(json!({"CodeDeliveryDetails": send_code(tx, call, c)?}))
}

pub fn forgot_password(tx: &mut Tx, call: &Call, r: ForUser) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    check_secret_hash(tx, &r.client_id, &r.username, r.secret_hash.as_deref())?;
    // A user this pool does not know may come from userMigration (UserMigration_ForgotPassword).
    let username = match resolve(tx, &pool_id, &r.username) {
        Err(e) if e.is(&Exception::UserNotFound) => crate::triggers::migrate(tx, call, &pool_id, &r.username, None)?.ok_or(e)?,
        found => found?,
    };
    let user = tx.user(&pool_id, &username)?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let attr = ["email", "phone_number"]
        .into_iter()
        .find(|a| user.attr(a).is_some() && (user.verified(a) || user.status == UserStatus::ResetRequired))
        .ok_or_else(|| invalid_param("Cannot reset password for the user as there is no registered/verified email or phone_number"))?;
    let c = CodeFor {
        pool: &pool_id,
        username: &username,
        purpose: Purpose::ForgotPassword,
        kind: MessageKind::ForgotPassword,
        attr: Some(attr),
    };
    Ok(json!({"CodeDeliveryDetails": send_code(tx, call, c)?}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPassword {
    client_id: String,
    username: String,
    confirmation_code: String,
    password: String,
    secret_hash: Option<String>,
}

pub fn confirm_forgot_password(tx: &mut Tx, call: &Call, r: ConfirmForgotPassword) -> ApiResult<Value> {
    let pool_id = tx.pool_of_client(&r.client_id)?;
    check_secret_hash(tx, &r.client_id, &r.username, r.secret_hash.as_deref())?;
    let username = resolve(tx, &pool_id, &r.username)?;
    let pool = tx.pool(&pool_id)?;
    pool.check_password_policy(&r.password)?;
    let v = new_verifier(tx, &pool_id, &username, &r.password)?;
    check_code(tx, &pool_id, &username, &Purpose::ForgotPassword, &r.confirmation_code)?;
    let now = tx.now_of(&pool_id);
    let user = tx.user_mut(&pool_id, &username)?;
    user.set_verifier(v);
    if user.status == UserStatus::ResetRequired || user.status == UserStatus::ForceChangePassword {
        user.status = UserStatus::Confirmed;
    }
    user.modified = now;
    crate::triggers::post_confirmation(tx, call, &pool_id, &username, Confirmed::ForgotPassword)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePassword {
    access_token: String,
    proposed_password: String,
    previous_password: Option<String>,
}

pub fn change_password(tx: &mut Tx, call: &Call, r: ChangePassword) -> ApiResult<Value> {
    let c = authenticate(tx, &call.base, &r.access_token)?;
    let pool = tx.pool(&c.pool)?;
    let user = pool.user(&c.username)?;
    let (had_password, check) = (user.verifier_hex.is_some(), user.password_check(pool.name()));
    let matches = match r.previous_password {
        Some(p) => tx.compute(move || check.matches(&p)),
        None if !had_password => true,
        None => return Err(missing("PreviousPassword")),
    };
    if !matches {
        return Err(bad_credentials());
    }
    let pool = tx.pool(&c.pool)?;
    pool.check_password_policy(&r.proposed_password)?;
    let v = new_verifier(tx, &c.pool, &c.username, &r.proposed_password)?;
    tx.user_mut(&c.pool, &c.username)?.set_verifier(v);
    Ok(json!({}))
}
