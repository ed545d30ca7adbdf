//! The `cognito-idp` JSON API: one function per `X-Amz-Target` operation, with the members and
//! errors of the Amazon Cognito user pools API reference. Sign-in (InitiateAuth,
//! RespondToAuthChallenge and the TOTP association they use) lives in `auth.rs`.

use crate::access::{caller, check_secret_hash, resolve, user_mut, Caller};
use crate::auth;
use crate::codes::{check_code, fill_template, send_code};
use crate::config::{DeviceTracking, FirstFactor, MfaFactor, PoolConfig, UserStatus};
use crate::passkeys;
use crate::request::{attributes_json, attributes_of, missing, opt, req, Ctx};
use crate::state::*;
use crate::util::*;
use cognito_proto::crypto::ct_eq;
use cognito_proto::srp::Salt;
use serde_json::{json, Value};

/// Runs one operation. `op` is the part of `X-Amz-Target` after the service prefix.
pub fn dispatch(db: &mut Db, op: &str, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    if !body.is_object() {
        return Err(err("SerializationException", "Request body must be a JSON object"));
    }
    match op {
        "InitiateAuth" => auth::initiate_auth(db, body, ctx),
        "RespondToAuthChallenge" => auth::respond_to_auth_challenge(db, body, ctx),
        "GetTokensFromRefreshToken" => auth::get_tokens_from_refresh_token(db, body, ctx),
        "RevokeToken" => revoke_token(db, body),
        "SignUp" => sign_up(db, body, ctx),
        "ConfirmSignUp" => confirm_sign_up(db, body),
        "ResendConfirmationCode" => resend_confirmation_code(db, body),
        "ForgotPassword" => forgot_password(db, body),
        "ConfirmForgotPassword" => confirm_forgot_password(db, body),
        "ChangePassword" => change_password(db, body, ctx),
        "GetUser" => get_user(db, body, ctx),
        "UpdateUserAttributes" => update_user_attributes(db, body, ctx),
        "DeleteUserAttributes" => delete_user_attributes(db, body, ctx),
        "GetUserAttributeVerificationCode" => get_user_attribute_verification_code(db, body, ctx),
        "VerifyUserAttribute" => verify_user_attribute(db, body, ctx),
        "DeleteUser" => delete_user(db, body, ctx),
        "GlobalSignOut" => global_sign_out(db, body, ctx),
        "AssociateSoftwareToken" => auth::associate_software_token(db, body, ctx),
        "VerifySoftwareToken" => auth::verify_software_token(db, body, ctx),
        "SetUserMFAPreference" => set_user_mfa_preference(db, body, ctx),
        "ConfirmDevice" => confirm_device(db, body, ctx),
        "ForgetDevice" => forget_device(db, body, ctx),
        "ListDevices" => list_devices(db, body, ctx),
        "GetDevice" => get_device(db, body, ctx),
        "UpdateDeviceStatus" => update_device_status(db, body, ctx),
        "StartWebAuthnRegistration" => passkeys::start_registration(db, body, ctx),
        "CompleteWebAuthnRegistration" => passkeys::complete_registration(db, body, ctx),
        "ListWebAuthnCredentials" => passkeys::list(db, body, ctx),
        "DeleteWebAuthnCredential" => passkeys::delete(db, body, ctx),
        "GetUserAuthFactors" => passkeys::get_user_auth_factors(db, body, ctx),
        "AdminCreateUser" => admin_create_user(db, body),
        "AdminGetUser" => admin_get_user(db, body),
        "AdminSetUserPassword" => admin_set_user_password(db, body),
        "AdminConfirmSignUp" => admin_confirm_sign_up(db, body),
        "AdminDeleteUser" => admin_delete_user(db, body),
        "AdminUpdateUserAttributes" => admin_update_user_attributes(db, body),
        "AdminDisableUser" => admin_set_enabled(db, body, false),
        "AdminEnableUser" => admin_set_enabled(db, body, true),
        "AdminResetUserPassword" => admin_reset_user_password(db, body),
        "AdminUserGlobalSignOut" => admin_user_global_sign_out(db, body),
        "AdminSetUserMFAPreference" => admin_set_user_mfa_preference(db, body),
        "AdminAddUserToGroup" => admin_add_user_to_group(db, body),
        "ListUsers" => list_users(db, body),
        "DescribeUserPool" => describe_user_pool(db, body),
        "DescribeUserPoolClient" => describe_user_pool_client(db, body),
        // As the AWS JSON protocol answers it: HTTP 400, never a 404.
        _ => Err(err("UnknownOperationException", format!("Unknown operation: AWSCognitoIdentityProviderService.{op}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Sign-up and passwords

fn sign_up(db: &mut Db, body: &Value, _ctx: &Ctx) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let username = req(body, "Username")?;
    check_secret_hash(db, client_id, username, opt(body, "SecretHash"))?;
    // Without a password only where users can sign in without one (passwordless first factors).
    let password = opt(body, "Password");
    let attrs = attributes_of(body, "UserAttributes")?;
    let pool = db.pool(&pool_id)?;
    if password.is_none() && !pool.config.sign_in_policy.allowed_first_auth_factors.iter().any(|f| *f != FirstFactor::Password) {
        return Err(invalid_param("Password is required: this user pool allows no passwordless sign-in factor"));
    }
    if username.is_empty() || username.len() > 128 || username.chars().any(char::is_whitespace) {
        return Err(invalid_param("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"));
    }
    let cfg: &PoolConfig = &pool.config;
    let mut user_attrs: Vec<(String, String)> = attrs;
    let canonical = if let Some(attr) = cfg.username_attributes.first() {
        let looks_ok = if attr == "email" { username.contains('@') } else { username.starts_with('+') };
        if !looks_ok {
            return Err(invalid_param(format!("Username should be {}.", if attr == "email" { "an email" } else { "a phone number" })));
        }
        if pool.users.values().any(|u| u.attr(attr).is_some_and(|v| v.eq_ignore_ascii_case(username))) {
            return Err(err("UsernameExistsException", format!("An account with the given {attr} already exists.")));
        }
        user_attrs.retain(|(k, _)| k != attr);
        user_attrs.push((attr.clone(), username.to_string()));
        uuid()
    } else {
        if pool.find_user(username).is_some_and(|u| {
            if cfg.case_sensitive {
                u.username == username
            } else {
                u.username.eq_ignore_ascii_case(username)
            }
        }) {
            return Err(err("UsernameExistsException", "User already exists"));
        }
        username.to_string()
    };
    for required in &cfg.required_attributes {
        if !user_attrs.iter().any(|(k, v)| k == required && !v.is_empty()) {
            return Err(invalid_param(format!("Attributes did not conform to the schema: {required}: The attribute is required")));
        }
    }
    if user_attrs.iter().any(|(k, _)| k == "sub" || k.ends_with("_verified")) {
        return Err(err("NotAuthorizedException", "A client attempted to write unauthorized attribute"));
    }
    if let Some(password) = password {
        pool.check_password_policy(password)?;
    }
    let now = pool.now();
    let name = pool.name().to_string();
    let auto: Vec<String> = cfg.auto_verified_attributes.clone();
    let sub = if cfg_username_is_attr(cfg) { canonical.clone() } else { uuid() };
    // preSignUp sees the attributes before the user exists; its error creates no user.
    let seen: std::collections::BTreeMap<&str, &str> = user_attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let decision =
        crate::triggers::pre_sign_up(db, &pool_id, username, "PreSignUp_SignUp", json!(seen), attributes_of(body, "ValidationData")?)?;
    let confirm = decision.auto_confirm;
    let pool = db.pool_mut(&pool_id)?;
    let mut user = User::new(&canonical, now);
    user.sub = sub;
    user.attributes = user_attrs.into_iter().collect();
    user.attributes.insert("sub".into(), user.sub.clone());
    if let Some(password) = password {
        user.set_password(&name, password);
    }
    decision.mark_verified(&mut user.attributes);
    if confirm {
        user.status = UserStatus::Confirmed;
    }
    let sub = user.sub.clone();
    let deliver_to = auto.iter().find(|a| user.attr(a).is_some()).cloned().filter(|_| !confirm);
    pool.users.insert(canonical.clone(), user);
    if confirm {
        // An auto-confirmed user reaches postConfirmation at sign-up.
        crate::triggers::post_confirmation(db, &pool_id, &canonical, "PostConfirmation_ConfirmSignUp")?;
    }
    let delivery = match deliver_to {
        Some(attr) => Some(send_code(db, &pool_id, &canonical, "SIGN_UP", MessageKind::SignUp, Some(&attr))?),
        None => None,
    };
    let mut out = json!({"UserConfirmed": confirm, "UserSub": sub});
    if let Some(d) = delivery {
        out["CodeDeliveryDetails"] = d;
    }
    Ok(out)
}

fn cfg_username_is_attr(cfg: &PoolConfig) -> bool {
    !cfg.username_attributes.is_empty()
}

fn confirm_sign_up(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let typed = req(body, "Username")?;
    check_secret_hash(db, client_id, typed, opt(body, "SecretHash"))?;
    let code = req(body, "ConfirmationCode")?;
    let username = resolve(db, &pool_id, typed)?;
    let status = db.pool(&pool_id)?.users[&username].status;
    if status != UserStatus::Unconfirmed {
        return Err(not_authorized(&format!("User cannot be confirmed. Current status is {}", status.as_str())));
    }
    check_code(db, &pool_id, &username, "SIGN_UP", code)?;
    let pool = db.pool_mut(&pool_id)?;
    let now = pool.now();
    let validity = pool.clients.get(client_id).map(|c| c.auth_session_validity_minutes).unwrap_or(3);
    let auto = pool.config.auto_verified_attributes.clone();
    let user = user_mut(db, &pool_id, &username)?;
    user.status = UserStatus::Confirmed;
    user.modified = now;
    for a in auto {
        if user.attr(&a).is_some() {
            user.attributes.insert(format!("{a}_verified"), "true".into());
        }
    }
    crate::triggers::post_confirmation(db, &pool_id, &username, "PostConfirmation_ConfirmSignUp")?;
    // The confirmation returns a Session that InitiateAuth USER_AUTH accepts (auto sign-in).
    let session = opaque_token(96);
    db.runtime.sessions.insert(
        session.clone(),
        AuthSession {
            pool: pool_id.clone(),
            client: client_id.to_string(),
            username: username.clone(),
            expires: now + validity * 60,
            device_key: None,
            awaiting: Awaiting::AutoSignIn,
        },
    );
    Ok(json!({"Session": session}))
}

fn resend_confirmation_code(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let typed = req(body, "Username")?;
    check_secret_hash(db, client_id, typed, opt(body, "SecretHash"))?;
    let username = resolve(db, &pool_id, typed)?;
    let pool = db.pool(&pool_id)?;
    if pool.users[&username].status != UserStatus::Unconfirmed {
        return Err(invalid_param("User is already confirmed."));
    }
    let attr = pool.config.auto_verified_attributes.iter().find(|a| pool.users[&username].attr(a).is_some()).cloned();
    let d = send_code(db, &pool_id, &username, "SIGN_UP", MessageKind::Resend, attr.as_deref())?;
    Ok(json!({"CodeDeliveryDetails": d}))
}

fn forgot_password(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let typed = req(body, "Username")?;
    check_secret_hash(db, client_id, typed, opt(body, "SecretHash"))?;
    // A user this pool does not know may come from userMigration (UserMigration_ForgotPassword).
    let username = match resolve(db, &pool_id, typed) {
        Err(e) if e.name == "UserNotFoundException" => crate::triggers::migrate(db, &pool_id, typed, None)?.ok_or(e)?,
        r => r?,
    };
    let user = &db.pool(&pool_id)?.users[&username];
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let attr = ["email", "phone_number"]
        .into_iter()
        .find(|a| user.attr(a).is_some() && (user.verified(a) || user.status == UserStatus::ResetRequired))
        .ok_or_else(|| invalid_param("Cannot reset password for the user as there is no registered/verified email or phone_number"))?;
    let d = send_code(db, &pool_id, &username, "FORGOT_PASSWORD", MessageKind::ForgotPassword, Some(attr))?;
    Ok(json!({"CodeDeliveryDetails": d}))
}

fn confirm_forgot_password(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let typed = req(body, "Username")?;
    check_secret_hash(db, client_id, typed, opt(body, "SecretHash"))?;
    let code = req(body, "ConfirmationCode")?;
    let password = req(body, "Password")?;
    let username = resolve(db, &pool_id, typed)?;
    db.pool(&pool_id)?.check_password_policy(password)?;
    check_code(db, &pool_id, &username, "FORGOT_PASSWORD", code)?;
    let pool = db.pool_mut(&pool_id)?;
    let name = pool.name().to_string();
    let now = pool.now();
    let user = user_mut(db, &pool_id, &username)?;
    user.set_password(&name, password);
    if user.status == UserStatus::ResetRequired || user.status == UserStatus::ForceChangePassword {
        user.status = UserStatus::Confirmed;
    }
    user.modified = now;
    crate::triggers::post_confirmation(db, &pool_id, &username, "PostConfirmation_ConfirmForgotPassword")?;
    Ok(json!({}))
}

fn change_password(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let proposed = req(body, "ProposedPassword")?;
    let previous = opt(body, "PreviousPassword");
    let pool = db.pool(&c.pool)?;
    let name = pool.name().to_string();
    let user = &pool.users[&c.username];
    match previous {
        Some(p) if user.password_matches(&name, p) => {}
        Some(_) => return Err(not_authorized("Incorrect username or password.")),
        None if user.verifier_hex.is_none() => {}
        None => return Err(missing("PreviousPassword")),
    }
    pool.check_password_policy(proposed)?;
    let user = user_mut(db, &c.pool, &c.username)?;
    user.set_password(&name, proposed);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------------
// The signed-in user

fn get_user(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let pool = db.pool(&c.pool)?;
    let user = &pool.users[&c.username];
    let factors = user.mfa_factors(&pool.config);
    let mut out = json!({"Username": user.username, "UserAttributes": attributes_json(user), "UserMFASettingList": factors});
    if let Some(p) = user.preferred_mfa {
        out["PreferredMfaSetting"] = json!(p);
    }
    Ok(out)
}

fn update_user_attributes(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let attrs = attributes_of(body, "UserAttributes")?;
    if body.get("UserAttributes").is_none() {
        return Err(missing("UserAttributes"));
    }
    let (pool_id, username) = (c.pool.clone(), c.username.clone());
    apply_attribute_update(db, &pool_id, &username, attrs, true)
}

/// Updates attributes; changed e-mail/phone become unverified and get a code (when
/// `send` and the attribute is auto-verified). Returns CodeDeliveryDetailsList.
fn apply_attribute_update(db: &mut Db, pool_id: &str, username: &str, attrs: Vec<(String, String)>, send: bool) -> ApiResult<Value> {
    let pool = db.pool(pool_id)?;
    let auto = pool.config.auto_verified_attributes.clone();
    for (k, v) in &attrs {
        if k == "sub" || (send && k.ends_with("_verified")) {
            return Err(not_authorized("A client attempted to write unauthorized attribute"));
        }
        if (k == "email" || k == "phone_number")
            && pool.users.values().any(|u| u.username != username && u.attr(k) == Some(v) && u.verified(k))
            && pool.config.alias_attributes.contains(k)
        {
            return Err(err("AliasExistsException", format!("An account with the given {k} already exists.")));
        }
    }
    let now = pool.now();
    let user = user_mut(db, pool_id, username)?;
    let mut to_verify = vec![];
    for (k, v) in attrs {
        let changed = user.attr(&k) != Some(v.as_str());
        if changed && (k == "email" || k == "phone_number") {
            user.attributes.insert(format!("{k}_verified"), "false".into());
            if auto.contains(&k) {
                to_verify.push(k.clone());
            }
        }
        user.attributes.insert(k, v);
    }
    user.modified = now;
    let mut list = vec![];
    if send {
        for k in to_verify {
            list.push(send_code(db, pool_id, username, &format!("VERIFY:{k}"), MessageKind::AttributeVerification, Some(&k))?);
        }
    }
    Ok(json!({"CodeDeliveryDetailsList": list}))
}

fn delete_user_attributes(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let names: Vec<String> = body
        .get("UserAttributeNames")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("UserAttributeNames"))?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let required = db.pool(&c.pool)?.config.required_attributes.clone();
    for n in &names {
        if n == "sub" || required.contains(n) {
            return Err(invalid_param(format!("Cannot delete required attribute {n}")));
        }
    }
    let user = user_mut(db, &c.pool, &c.username)?;
    for n in names {
        user.attributes.remove(&n);
        if n == "email" || n == "phone_number" {
            user.attributes.remove(&format!("{n}_verified"));
        }
    }
    Ok(json!({}))
}

fn get_user_attribute_verification_code(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let attr = req(body, "AttributeName")?;
    if attr != "email" && attr != "phone_number" {
        return Err(invalid_param(format!("Attribute {attr} cannot be verified")));
    }
    let d = send_code(db, &c.pool, &c.username, &format!("VERIFY:{attr}"), MessageKind::AttributeVerification, Some(attr))?;
    Ok(json!({"CodeDeliveryDetails": d}))
}

fn verify_user_attribute(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let attr = req(body, "AttributeName")?;
    let code = req(body, "Code")?;
    check_code(db, &c.pool, &c.username, &format!("VERIFY:{attr}"), code)?;
    let user = user_mut(db, &c.pool, &c.username)?;
    user.attributes.insert(format!("{attr}_verified"), "true".into());
    Ok(json!({}))
}

fn delete_user(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    remove_user(db, &c.pool, &c.username)?;
    Ok(json!({}))
}

fn remove_user(db: &mut Db, pool_id: &str, username: &str) -> ApiResult<()> {
    db.revoke_user(pool_id, username);
    let pool = db.pool_mut(pool_id)?;
    pool.users.remove(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    pool.devices.retain(|_, d| d.username != username);
    Ok(())
}

fn global_sign_out(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    db.revoke_user(&c.pool, &c.username);
    if let Some(o) = c.claims["origin_jti"].as_str() {
        db.revoked_origins.push(o.to_string());
    }
    Ok(json!({}))
}

fn revoke_token(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let token = req(body, "Token")?;
    let client_id = req(body, "ClientId")?;
    let pool_id = db.pool_of_client(client_id)?;
    let client = db.pool(&pool_id)?.clients[client_id].clone();
    if let Some(secret) = &client.secret {
        if !opt(body, "ClientSecret").is_some_and(|g| ct_eq(g.as_bytes(), secret.as_bytes())) {
            return Err(err("UnauthorizedException", "Client authentication failed"));
        }
    }
    if !client.enable_token_revocation {
        return Err(err("UnsupportedOperationException", "Token revocation is not enabled for this client"));
    }
    if token.split('.').count() == 3 {
        return Err(err("UnsupportedTokenTypeException", "Only refresh tokens can be revoked"));
    }
    if let Some(r) = db.refresh_tokens.get_mut(token) {
        if r.client != client_id {
            return Err(err("UnauthorizedException", "The token was not issued to this client"));
        }
        r.revoked = true;
        let o = r.origin_jti.clone();
        db.revoked_origins.push(o);
    }
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------------
// MFA preference and devices

fn set_user_mfa_preference(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    set_mfa(db, &c.pool, &c.username, body)
}

fn set_mfa(db: &mut Db, pool_id: &str, username: &str, body: &Value) -> ApiResult<Value> {
    let offered = db.pool(pool_id)?.config.mfa_methods.clone();
    let user = user_mut(db, pool_id, username)?;
    let setting = |k: &str| body.get(k).filter(|v| v.is_object());
    for (field, factor) in
        [("SoftwareTokenMfaSettings", MfaFactor::Totp), ("SMSMfaSettings", MfaFactor::Sms), ("EmailMfaSettings", MfaFactor::Email)]
    {
        let Some(s) = setting(field) else { continue };
        let enabled = s.get("Enabled").and_then(Value::as_bool).unwrap_or(false);
        let preferred = s.get("PreferredMfa").and_then(Value::as_bool).unwrap_or(false);
        if enabled && !offered.contains(&factor) {
            return Err(err("InvalidParameterException", format!("{} is not enabled for this user pool", factor.as_str())));
        }
        match factor {
            MfaFactor::Totp => {
                if enabled && user.totp_secret.is_none() {
                    return Err(err("InvalidParameterException", "User has not verified software token mfa"));
                }
                user.totp_enabled = enabled;
            }
            MfaFactor::Sms => {
                if enabled && user.attr("phone_number").is_none() {
                    return Err(invalid_param("User does not have a phone number"));
                }
                user.sms_enabled = enabled;
            }
            MfaFactor::Email => {
                if enabled && user.attr("email").is_none() {
                    return Err(invalid_param("User does not have an email address"));
                }
                user.email_enabled = enabled;
            }
        }
        if preferred && enabled {
            user.preferred_mfa = Some(factor);
        } else if user.preferred_mfa == Some(factor) && (!enabled || s.get("PreferredMfa") == Some(&json!(false))) {
            user.preferred_mfa = None;
        }
    }
    Ok(json!({}))
}

fn device_json(d: &Device) -> Value {
    let mut attrs = vec![
        json!({"Name": "device_status", "Value": if d.remembered { "valid" } else { "not_remembered" }}),
        json!({"Name": "last_ip_used", "Value": d.last_ip}),
        json!({"Name": "device_remembered_status", "Value": if d.remembered { "remembered" } else { "not_remembered" }}),
    ];
    if let Some(n) = &d.name {
        attrs.push(json!({"Name": "device_name", "Value": n}));
    }
    json!({
        "DeviceKey": d.key,
        "DeviceAttributes": attrs,
        "DeviceCreateDate": d.created,
        "DeviceLastModifiedDate": d.modified,
        "DeviceLastAuthenticatedDate": d.last_auth,
    })
}

fn own_device<'a>(db: &'a mut Db, c: &Caller, key: &str) -> ApiResult<&'a mut Device> {
    let pool = db.pool_mut(&c.pool)?;
    match pool.devices.get_mut(key) {
        Some(d) if d.username == c.username => Ok(d),
        _ => Err(err("ResourceNotFoundException", "Device does not exist.")),
    }
}

fn confirm_device(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let key = req(body, "DeviceKey")?;
    let cfg = body.get("DeviceSecretVerifierConfig").ok_or_else(|| missing("DeviceSecretVerifierConfig"))?;
    let verifier = cognito_proto::codec::base64_decode(req(cfg, "PasswordVerifier")?)
        .ok_or_else(|| invalid_param("PasswordVerifier is not base64"))?;
    let salt = cognito_proto::codec::base64_decode(req(cfg, "Salt")?).ok_or_else(|| invalid_param("Salt is not base64"))?;
    if cognito_proto::srp::mont::U3072::from_be_bytes(&verifier).is_none() || salt.is_empty() {
        return Err(invalid_param("Invalid DeviceSecretVerifierConfig"));
    }
    let opt_in = db.pool(&c.pool)?.config.device_tracking == DeviceTracking::UserOptIn;
    let now = db.pool(&c.pool)?.now();
    let name = opt(body, "DeviceName").map(String::from);
    let ip = ctx.ip.clone();
    let d = own_device(db, &c, key)?;
    d.salt_hex = Some(Salt::from_bytes(&salt).to_hex());
    d.verifier_hex = Some(cognito_proto::codec::hex_encode(&verifier));
    d.name = name;
    d.remembered = !opt_in;
    d.modified = now;
    d.last_ip = ip;
    Ok(json!({"UserConfirmationNecessary": opt_in}))
}

fn forget_device(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let key = req(body, "DeviceKey")?.to_string();
    own_device(db, &c, &key)?;
    db.pool_mut(&c.pool)?.devices.remove(&key);
    for r in db.refresh_tokens.values_mut() {
        if r.device_key.as_deref() == Some(key.as_str()) {
            r.revoked = true;
        }
    }
    Ok(json!({}))
}

fn list_devices(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(60).clamp(1, 60) as usize;
    let start: usize = opt(body, "PaginationToken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let devices: Vec<&Device> = db.pool(&c.pool)?.devices.values().filter(|d| d.username == c.username && d.confirmed()).collect();
    let page: Vec<Value> = devices.iter().skip(start).take(limit).map(|d| device_json(d)).collect();
    let mut out = json!({"Devices": page});
    if start + limit < devices.len() {
        out["PaginationToken"] = json!((start + limit).to_string());
    }
    Ok(out)
}

fn get_device(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let key = req(body, "DeviceKey")?;
    let d = own_device(db, &c, key)?;
    Ok(json!({"Device": device_json(d)}))
}

fn update_device_status(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let c = caller(db, body, ctx)?;
    let key = req(body, "DeviceKey")?;
    let status = opt(body, "DeviceRememberedStatus").unwrap_or("not_remembered");
    if status != "remembered" && status != "not_remembered" {
        return Err(invalid_param("DeviceRememberedStatus must be remembered or not_remembered"));
    }
    let now = db.pool(&c.pool)?.now();
    let d = own_device(db, &c, key)?;
    d.remembered = status == "remembered";
    d.modified = now;
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------------
// Admin operations (IAM-authenticated in Cognito; open here, for seeding and inspection)

fn admin_pool_user(db: &Db, body: &Value) -> ApiResult<(String, String)> {
    let pool_id = req(body, "UserPoolId")?.to_string();
    let typed = req(body, "Username")?;
    db.pool(&pool_id)?;
    let username = resolve(db, &pool_id, typed).map_err(|_| err("UserNotFoundException", "User does not exist."))?;
    Ok((pool_id, username))
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

fn admin_create_user(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let pool_id = req(body, "UserPoolId")?.to_string();
    let username = req(body, "Username")?;
    let attrs = attributes_of(body, "UserAttributes")?;
    let pool = db.pool(&pool_id)?;
    if pool.find_user(username).is_some() && opt(body, "MessageAction") != Some("RESEND") {
        return Err(err("UsernameExistsException", "User account already exists"));
    }
    let temp = match opt(body, "TemporaryPassword") {
        Some(p) => {
            pool.check_password_policy(p)?;
            p.to_string()
        }
        None => format!("{}aA1!", random_string(b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 8)),
    };
    let mut attributes: std::collections::BTreeMap<String, String> = attrs.into_iter().collect();
    let canonical = if cfg_username_is_attr(&pool.config) {
        let attr = pool.config.username_attributes[0].clone();
        attributes.insert(attr, username.to_string());
        uuid()
    } else {
        username.to_string()
    };
    if opt(body, "MessageAction") != Some("RESEND") {
        // preSignUp sees the new user; autoConfirmUser does not apply (the user must set a
        // password), autoVerifyEmail/autoVerifyPhone do.
        let validation = attributes_of(body, "ValidationData")?;
        crate::triggers::pre_sign_up(db, &pool_id, &canonical, "PreSignUp_AdminCreateUser", json!(attributes), validation)?
            .mark_verified(&mut attributes);
    }
    let cfg =
        crate::config::UserConfig { username: canonical.clone(), temporary_password: Some(temp.clone()), attributes, ..Default::default() };
    let pool = db.pool_mut(&pool_id)?;
    seed_user(pool, cfg)?;
    if opt(body, "MessageAction") != Some("SUPPRESS") {
        let (now, text) = (pool.now(), fill_template(&pool.config.messages.temporary_password, username, &temp));
        let dest = pool.users[&canonical].attr("email").map(String::from);
        if let Some(dest) = dest {
            let (text, link) =
                crate::triggers::custom_message(db, &pool_id, &canonical, "CustomMessage_AdminCreateUser", false, &temp, text, None)?;
            db.deliver(&pool_id, &canonical, &dest, Medium::Email, MessageKind::TemporaryPassword, &temp, text, link, now);
        }
    }
    let pool = db.pool(&pool_id)?;
    Ok(json!({"User": admin_user_json(pool, &pool.users[&canonical])}))
}

fn admin_get_user(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    let pool = db.pool(&pool_id)?;
    let u = &pool.users[&username];
    let mut v = admin_user_json(pool, u);
    v["Devices"] = json!(pool.devices.values().filter(|d| d.username == username).map(device_json).collect::<Vec<_>>());
    Ok(v)
}

fn admin_set_user_password(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    let password = req(body, "Password")?;
    let permanent = body.get("Permanent").and_then(Value::as_bool).unwrap_or(false);
    let pool = db.pool(&pool_id)?;
    pool.check_password_policy(password)?;
    let name = pool.name().to_string();
    let user = user_mut(db, &pool_id, &username)?;
    user.set_password(&name, password);
    user.status = if permanent { UserStatus::Confirmed } else { UserStatus::ForceChangePassword };
    Ok(json!({}))
}

fn admin_confirm_sign_up(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    let user = user_mut(db, &pool_id, &username)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(not_authorized(&format!("User cannot be confirmed. Current status is {}", user.status.as_str())));
    }
    user.status = UserStatus::Confirmed;
    crate::triggers::post_confirmation(db, &pool_id, &username, "PostConfirmation_ConfirmSignUp")?;
    Ok(json!({}))
}

fn admin_delete_user(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    remove_user(db, &pool_id, &username)?;
    Ok(json!({}))
}

fn admin_update_user_attributes(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    let attrs = attributes_of(body, "UserAttributes")?;
    let verified_given: Vec<(String, String)> = attrs.iter().filter(|(k, _)| k.ends_with("_verified")).cloned().collect();
    let rest: Vec<(String, String)> = attrs.into_iter().filter(|(k, _)| !k.ends_with("_verified")).collect();
    apply_attribute_update(db, &pool_id, &username, rest, false)?;
    let user = user_mut(db, &pool_id, &username)?;
    for (k, v) in verified_given {
        user.attributes.insert(k, v);
    }
    Ok(json!({}))
}

fn admin_set_enabled(db: &mut Db, body: &Value, enabled: bool) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    user_mut(db, &pool_id, &username)?.enabled = enabled;
    if !enabled {
        db.revoke_user(&pool_id, &username);
    }
    Ok(json!({}))
}

fn admin_reset_user_password(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    user_mut(db, &pool_id, &username)?.status = UserStatus::ResetRequired;
    Ok(json!({}))
}

fn admin_user_global_sign_out(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    db.revoke_user(&pool_id, &username);
    Ok(json!({}))
}

fn admin_set_user_mfa_preference(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    set_mfa(db, &pool_id, &username, body)
}

fn admin_add_user_to_group(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let (pool_id, username) = admin_pool_user(db, body)?;
    let group = req(body, "GroupName")?.to_string();
    let user = user_mut(db, &pool_id, &username)?;
    if !user.groups.contains(&group) {
        user.groups.push(group);
    }
    Ok(json!({}))
}

fn list_users(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let pool_id = req(body, "UserPoolId")?;
    let pool = db.pool(pool_id)?;
    // Filter: `attr = "value"` or `attr ^= "prefix"` (the subset of Cognito's syntax tests need).
    let filter = opt(body, "Filter").and_then(|f| {
        let (k, rest) = f.split_once(['=', '^'])?;
        let prefix = f.contains("^=");
        let v = rest.trim_start_matches('=').trim().trim_matches('"').to_string();
        Some((k.trim().to_string(), v, prefix))
    });
    let users: Vec<Value> = pool
        .users
        .values()
        .filter(|u| match &filter {
            None => true,
            Some((k, v, prefix)) => {
                let actual = if k == "username" { Some(u.username.as_str()) } else { u.attr(k) };
                actual.is_some_and(|a| if *prefix { a.starts_with(v.as_str()) } else { a == v })
            }
        })
        .map(|u| admin_user_json(pool, u))
        .collect();
    Ok(json!({"Users": users}))
}

fn describe_user_pool(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let pool = db.pool(req(body, "UserPoolId")?)?;
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

fn describe_user_pool_client(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let pool = db.pool(req(body, "UserPoolId")?)?;
    let id = req(body, "ClientId")?;
    let c = pool.client(id).ok_or_else(|| err("ResourceNotFoundException", format!("User pool client {id} does not exist.")))?;
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
