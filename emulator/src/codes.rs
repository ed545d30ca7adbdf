//! One-time codes and the messages that carry them (sign-up, attribute verification, password
//! reset, MFA): sent to the user's e-mail or phone (recorded in the outbox, printed on stdout)
//! and checked, single use, with an attempt limit.

use crate::config::MfaFactor;
use crate::state::*;
use crate::util::*;
use cognito_proto::crypto::ct_eq;
use serde_json::{json, Value};

pub fn fill_template(t: &str, username: &str, code: &str) -> String {
    t.replace("{####}", code).replace("{username}", username)
}

/// Sends a code to the user's e-mail or phone (recorded as a message) and stores it.
/// Returns CodeDeliveryDetails.
pub fn send_code(db: &mut Db, pool_id: &str, username: &str, purpose: &str, kind: MessageKind, attr: Option<&str>) -> ApiResult<Value> {
    let pool = db.pool(pool_id)?;
    let user = pool.users.get(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?;
    let attr = match attr {
        Some(a) => a.to_string(),
        None => ["email", "phone_number"]
            .into_iter()
            .find(|a| user.attr(a).is_some())
            .ok_or_else(|| invalid_param("Cannot send a code: the user has no email or phone_number"))?
            .to_string(),
    };
    let destination = user.attr(&attr).ok_or_else(|| invalid_param(format!("The user has no {attr}")))?.to_string();
    let medium = if attr == "phone_number" { Medium::Sms } else { Medium::Email };
    let code = digits(6);
    let now = pool.now();
    let ttl = if purpose == "FORGOT_PASSWORD" { 3600 } else { 86_400 };
    let templates = pool.config.messages.clone();
    let (text, link) = match kind {
        MessageKind::ForgotPassword => (fill_template(&templates.forgot_password, username, &code), None),
        MessageKind::SignUp | MessageKind::Resend if templates.verification_link.is_some() => {
            let t = templates.verification_link.clone().unwrap_or_default();
            let link = t
                .replace("{####}", &cognito_proto::codec::url_encode(&code))
                .replace("{username}", &cognito_proto::codec::url_encode(username))
                .replace("{clientId}", "");
            (format!("Confirm your account: {link}"), Some(link))
        }
        _ => (fill_template(&templates.verification, username, &code), None),
    };
    let source = match kind {
        MessageKind::SignUp => "CustomMessage_SignUp",
        MessageKind::Resend => "CustomMessage_ResendCode",
        MessageKind::ForgotPassword => "CustomMessage_ForgotPassword",
        _ if db.runtime.call_op.as_deref() == Some("UpdateUserAttributes") => "CustomMessage_UpdateUserAttribute",
        _ => "CustomMessage_VerifyUserAttribute",
    };
    let (text, link) = crate::triggers::custom_message(db, pool_id, username, source, medium == Medium::Sms, &code, text, link)?;
    let pool = db.pool_mut(pool_id)?;
    pool.codes.insert(Pool::code_key(username, purpose), Code { code: code.clone(), expires: now + ttl, attempts: 0 });
    db.deliver(pool_id, username, &destination, medium, kind, &code, text, link, now);
    Ok(json!({"Destination": mask_destination(&destination), "DeliveryMedium": medium.as_str(), "AttributeName": attr}))
}

/// Checks (and on success consumes) a code.
pub fn check_code(db: &mut Db, pool_id: &str, username: &str, purpose: &str, given: &str) -> ApiResult<()> {
    let pool = db.pool_mut(pool_id)?;
    let now = pool.now();
    let key = Pool::code_key(username, purpose);
    let Some(code) = pool.codes.get_mut(&key) else {
        return Err(err("ExpiredCodeException", "Invalid code provided, please request a code again."));
    };
    if code.expires <= now {
        pool.codes.remove(&key);
        return Err(err("ExpiredCodeException", "Invalid code provided, please request a code again."));
    }
    if code.attempts >= 5 {
        return Err(err("LimitExceededException", "Attempt limit exceeded, please try after some time."));
    }
    if !ct_eq(code.code.as_bytes(), given.as_bytes()) {
        code.attempts += 1;
        return Err(err("CodeMismatchException", "Invalid verification code provided, please try again."));
    }
    pool.codes.remove(&key);
    Ok(())
}

/// An MFA code by SMS (6 digits) or e-mail (8 digits), to the user's number or address (or
/// `to`, for MFA set-up by e-mail). Returns the code and the challenge's CODE_DELIVERY_*.
pub fn send_mfa_code(db: &mut Db, pool: &str, username: &str, factor: MfaFactor, to: Option<&str>) -> ApiResult<(String, Value)> {
    let p = db.pool(pool)?;
    let u = &p.users[username];
    let (attr, medium) = if factor == MfaFactor::Sms { ("phone_number", Medium::Sms) } else { ("email", Medium::Email) };
    let dest =
        to.map(String::from).or_else(|| u.attr(attr).map(String::from)).ok_or_else(|| invalid_param(format!("User has no {attr}")))?;
    let code = digits(if factor == MfaFactor::Email { 8 } else { 6 });
    let text = p.config.messages.mfa.replace("{####}", &code).replace("{username}", username);
    let now = p.now();
    let (text, link) =
        crate::triggers::custom_message(db, pool, username, "CustomMessage_Authentication", medium == Medium::Sms, &code, text, None)?;
    db.deliver(pool, username, &dest, medium, MessageKind::Mfa, &code, text, link, now);
    Ok((
        code,
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": medium.as_str(), "CODE_DELIVERY_DESTINATION": mask_destination(&dest), "USERNAME": username}),
    ))
}
