//! Admin operations (IAM-authenticated in Cognito; open here, for seeding and inspection):
//! AdminCreateUser, AdminGetUser, AdminSetUserPassword, AdminConfirmSignUp, AdminDeleteUser,
//! AdminUpdateUserAttributes, AdminDisableUser, AdminEnableUser, AdminResetUserPassword,
//! AdminUserGlobalSignOut, AdminSetUserMFAPreference, AdminAddUserToGroup, ListUsers,
//! DescribeUserPool, DescribeUserPoolClient.

use super::account::{apply_attribute_update, remove_user, set_mfa, MfaPreference};
use super::devices::device_json;
use crate::access::resolve;
use crate::call::Call;
use crate::codes::fill_template;
use crate::config::{UserConfig, UserStatus};
use crate::error::*;
use crate::request::{attributes, attributes_json, parse, validation_map, AttributeType};
use crate::shared::Tx;
use crate::signin::new_verifier;
use crate::state::*;
use crate::triggers::{Confirmed, MessageFor, MessageSource, SignUpSource};
use crate::util::*;
use cognito_proto::api::Op;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn dispatch(tx: &mut Tx, call: &Call, op: Op, body: Value) -> ApiResult<Value> {
    match op {
        Op::AdminCreateUser => admin_create_user(tx, call, parse(body)?),
        Op::AdminGetUser => admin_get_user(tx, parse(body)?),
        Op::AdminSetUserPassword => admin_set_user_password(tx, parse(body)?),
        Op::AdminConfirmSignUp => admin_confirm_sign_up(tx, call, parse(body)?),
        Op::AdminDeleteUser => admin_user(tx, parse(body)?, |tx, p, u| remove_user(tx, p, u)),
        Op::AdminUpdateUserAttributes => admin_update_user_attributes(tx, call, parse(body)?),
        Op::AdminDisableUser => admin_user(tx, parse(body)?, |tx, p, u| set_enabled(tx, p, u, false)),
        Op::AdminEnableUser => admin_user(tx, parse(body)?, |tx, p, u| set_enabled(tx, p, u, true)),
        Op::AdminResetUserPassword => admin_user(tx, parse(body)?, |tx, p, u| {
            tx.user_mut(p, u)?.status = UserStatus::ResetRequired;
            Ok(())
        }),
        Op::AdminUserGlobalSignOut => admin_user(tx, parse(body)?, |tx, p, u| {
            tx.revoke_user(p, u);
            Ok(())
        }),
        Op::AdminSetUserMFAPreference => {
            let target: AdminUser = parse(body.clone())?;
            let (pool, username) = admin_pool_user(tx, &target)?;
            set_mfa(tx, &pool, &username, &parse::<MfaPreference>(body)?)
        }
        Op::AdminAddUserToGroup => admin_add_user_to_group(tx, parse(body)?),
        Op::ListUsers => list_users(tx, parse(body)?),
        Op::DescribeUserPool => describe_user_pool(tx, parse(body)?),
        Op::DescribeUserPoolClient => describe_user_pool_client(tx, parse(body)?),
        other => Err(fail(Exception::UnknownOperation, format!("Unknown operation: {}", other.name()))),
    }
}

/// `UserPoolId` and `Username`, the target of most admin operations.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUser {
    user_pool_id: String,
    username: String,
}

fn admin_pool_user(db: &Db, r: &AdminUser) -> ApiResult<(String, String)> {
    db.pool(&r.user_pool_id)?;
    let username = resolve(db, &r.user_pool_id, &r.username).map_err(|_| user_not_found())?;
    Ok((r.user_pool_id.clone(), username))
}

/// Runs `f` on the pool and canonical username of the request; answers `{}`.
fn admin_user(tx: &mut Tx, r: AdminUser, f: impl FnOnce(&mut Tx, &str, &str) -> ApiResult<()>) -> ApiResult<Value> {
    let (pool, username) = admin_pool_user(tx, &r)?;
    f(tx, &pool, &username)?;
    Ok(json!({}))
}

fn set_enabled(tx: &mut Tx, pool: &str, username: &str, enabled: bool) -> ApiResult<()> {
    tx.user_mut(pool, username)?.enabled = enabled;
    if !enabled {
        tx.revoke_user(pool, username);
    }
    Ok(())
}

fn admin_user_json(pool: &Pool, u: &User) -> Value {
    json!({
        "Username": u.username,
        "UserAttributes": attributes_json(u),
        "Attributes": attributes_json(u),
        "UserStatus": u.status,
        "Enabled": u.enabled,
        "UserCreateDate": u.created,
        "UserLastModifiedDate": u.modified,
        "UserMFASettingList": u.mfa_factors(&pool.config),
        "PreferredMfaSetting": u.preferred_mfa,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUser {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
    #[serde(default)]
    validation_data: Vec<AttributeType>,
    temporary_password: Option<String>,
    message_action: Option<String>,
}

pub fn admin_create_user(tx: &mut Tx, call: &Call, r: AdminCreateUser) -> ApiResult<Value> {
    let pool = tx.pool(&r.user_pool_id)?;
    let existing = pool.find_username(&r.username);
    let resend = r.message_action.as_deref() == Some("RESEND");
    if existing.is_some() && !resend {
        return Err(fail(Exception::UsernameExists, "User account already exists"));
    }
    let temp = match &r.temporary_password {
        Some(p) => pool.check_password_policy(p).map(|_| p.clone())?,
        None => format!("{}aA1!", random_string(b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 8)),
    };
    let invited = match existing {
        Some(u) => Err(u),
        None => Ok(invite(tx, call, &r)?),
    };
    let canonical = match &invited {
        Ok(cfg) => cfg.username.clone(),
        Err(u) => u.clone(),
    };
    let v = new_verifier(tx, &r.user_pool_id, &canonical, &temp)?;
    let p = tx.pool_mut(&r.user_pool_id)?;
    let mut user = match invited {
        Ok(cfg) if !p.users.contains_key(&canonical) => seed_user(p, cfg)?,
        Ok(_) => return Err(fail(Exception::UsernameExists, "User account already exists")),
        Err(_) => p.user(&canonical)?.clone(),
    };
    user.set_verifier(v);
    user.status = UserStatus::ForceChangePassword;
    user.temp_password_expires = Some(p.now() + p.config.password_policy.temporary_password_validity_days * 86_400);
    p.users.insert(canonical.clone(), user);
    if r.message_action.as_deref() != Some("SUPPRESS") {
        send_temporary_password(tx, call, &r.user_pool_id, &canonical, &r.username, &temp)?;
    }
    let pool = tx.pool(&r.user_pool_id)?;
    Ok(json!({"User": admin_user_json(pool, pool.user(&canonical)?)}))
}

/// The new user of AdminCreateUser, after preSignUp (autoConfirmUser does not apply: the user
/// must set a password; autoVerifyEmail/autoVerifyPhone do).
fn invite(tx: &mut Tx, call: &Call, r: &AdminCreateUser) -> ApiResult<UserConfig> {
    let pool = tx.pool(&r.user_pool_id)?;
    let mut attrs: std::collections::BTreeMap<String, String> = attributes(r.user_attributes.clone())?.into_iter().collect();
    let canonical = match pool.config.username_attributes.first() {
        Some(attr) => {
            attrs.insert(attr.clone(), r.username.clone());
            uuid()
        }
        None => r.username.clone(),
    };
    let validation = validation_map(r.validation_data.clone())?;
    crate::triggers::pre_sign_up(tx, call, &r.user_pool_id, &canonical, SignUpSource::AdminCreateUser, json!(attrs), validation)?
        .mark_verified(&mut attrs);
    Ok(UserConfig { username: canonical, attributes: attrs, ..Default::default() })
}

/// The invitation with the temporary password, to the user's e-mail (CustomMessage_AdminCreateUser).
fn send_temporary_password(tx: &mut Tx, call: &Call, pool_id: &str, canonical: &str, typed: &str, temp: &str) -> ApiResult<()> {
    let p = tx.pool(pool_id)?;
    let (now, text) = (p.now(), fill_template(&p.config.messages.temporary_password, typed, temp));
    let Some(dest) = p.user(canonical)?.attr("email").map(String::from) else { return Ok(()) };
    let m = MessageFor { pool: pool_id, username: canonical, source: MessageSource::AdminCreateUser, sms: false, code: temp };
    let t = crate::triggers::custom_message(tx, call, m, Text { text, link: None, subject: None })?;
    tx.send_message(pool_id, canonical, dest, Medium::Email, MessageKind::TemporaryPassword, temp.into(), t, now);
    Ok(())
}

fn admin_get_user(tx: &mut Tx, r: AdminUser) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(tx, &r)?;
    let pool = tx.pool(&pool_id)?;
    let mut v = admin_user_json(pool, pool.user(&username)?);
    v["Devices"] = json!(pool.devices.values().filter(|d| d.username == username).map(device_json).collect::<Vec<_>>());
    Ok(v)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPassword {
    user_pool_id: String,
    username: String,
    password: String,
    #[serde(default)]
    permanent: bool,
}

fn admin_set_user_password(tx: &mut Tx, r: AdminSetUserPassword) -> ApiResult<Value> {
    let target = AdminUser { user_pool_id: r.user_pool_id, username: r.username };
    let (pool_id, username) = admin_pool_user(tx, &target)?;
    let pool = tx.pool(&pool_id)?;
    pool.check_password_policy(&r.password)?;
    let v = new_verifier(tx, &pool_id, &username, &r.password)?;
    let user = tx.user_mut(&pool_id, &username)?;
    user.set_verifier(v);
    user.status = if r.permanent { UserStatus::Confirmed } else { UserStatus::ForceChangePassword };
    Ok(json!({}))
}

fn admin_confirm_sign_up(tx: &mut Tx, call: &Call, r: AdminUser) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(tx, &r)?;
    let user = tx.user_mut(&pool_id, &username)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(not_authorized(format!("User cannot be confirmed. Current status is {}", user.status.as_str())));
    }
    user.status = UserStatus::Confirmed;
    crate::triggers::post_confirmation(tx, call, &pool_id, &username, Confirmed::SignUp)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUpdateUserAttributes {
    user_pool_id: String,
    username: String,
    user_attributes: Vec<AttributeType>,
}

fn admin_update_user_attributes(tx: &mut Tx, call: &Call, r: AdminUpdateUserAttributes) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(tx, &AdminUser { user_pool_id: r.user_pool_id, username: r.username })?;
    let (verified, rest): (Vec<_>, Vec<_>) = attributes(r.user_attributes)?.into_iter().partition(|(k, _)| k.ends_with("_verified"));
    apply_attribute_update(tx, call, &pool_id, &username, rest, false)?;
    tx.user_mut(&pool_id, &username)?.attributes.extend(verified);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminAddUserToGroup {
    user_pool_id: String,
    username: String,
    group_name: String,
}

fn admin_add_user_to_group(tx: &mut Tx, r: AdminAddUserToGroup) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(tx, &AdminUser { user_pool_id: r.user_pool_id, username: r.username })?;
    let user = tx.user_mut(&pool_id, &username)?;
    if !user.groups.contains(&r.group_name) {
        user.groups.push(r.group_name);
    }
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsers {
    user_pool_id: String,
    filter: Option<String>,
}

/// `attr = "value"` or `attr ^= "prefix"` (the subset of Cognito's filter syntax tests need).
fn filter_of(f: &str) -> Option<(String, String, bool)> {
    let (k, rest) = f.split_once(['=', '^'])?;
    let v = rest.trim_start_matches('=').trim().trim_matches('"').to_string();
    Some((k.trim().to_string(), v, f.contains("^=")))
}

fn list_users(tx: &mut Tx, r: ListUsers) -> ApiResult<Value> {
    let pool = tx.pool(&r.user_pool_id)?;
    let filter = r.filter.as_deref().and_then(filter_of);
    let matches = |u: &&User| match &filter {
        None => true,
        Some((k, v, prefix)) => {
            let actual = if k == "username" { Some(u.username.as_str()) } else { u.attr(k) };
            actual.is_some_and(|a| if *prefix { a.starts_with(v.as_str()) } else { a == v })
        }
    };
    let users: Vec<Value> = pool.users.values().filter(matches).map(|u| admin_user_json(pool, u)).collect();
    Ok(json!({"Users": users}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPool {
    user_pool_id: String,
}

fn describe_user_pool(tx: &mut Tx, r: DescribeUserPool) -> ApiResult<Value> {
    let pool = tx.pool(&r.user_pool_id)?;
    let c = &pool.config;
    Ok(json!({"UserPool": {
        "Id": c.id,
        "Name": pool.name(),
        "MfaConfiguration": c.mfa_configuration,
        "UsernameAttributes": c.username_attributes,
        "AliasAttributes": c.alias_attributes,
        "AutoVerifiedAttributes": c.auto_verified_attributes,
        "EstimatedNumberOfUsers": pool.users.len(),
    }}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolClient {
    user_pool_id: String,
    client_id: String,
}

fn describe_user_pool_client(tx: &mut Tx, r: DescribeUserPoolClient) -> ApiResult<Value> {
    let pool = tx.pool(&r.user_pool_id)?;
    let c = pool.client(&r.client_id).ok_or_else(|| client_not_found(&r.client_id))?;
    Ok(json!({"UserPoolClient": {
        "UserPoolId": pool.config.id,
        "ClientId": c.id,
        "ClientName": c.name,
        "ExplicitAuthFlows": c.explicit_auth_flows,
        "CallbackURLs": c.callback_urls,
        "LogoutURLs": c.logout_urls,
        "AllowedOAuthFlows": c.allowed_oauth_flows,
        "AllowedOAuthScopes": c.allowed_oauth_scopes,
        "SupportedIdentityProviders": c.supported_identity_providers,
        "EnableTokenRevocation": c.enable_token_revocation,
        "RefreshTokenRotation": {"Feature": if c.refresh_token_rotation { "ENABLED" } else { "DISABLED" }, "RetryGracePeriodSeconds": c.retry_grace_period_seconds},
    }}))
}
