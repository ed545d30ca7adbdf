//! One-time codes and the messages that carry them (sign-up, attribute verification, password
//! reset, MFA): sent to the user's e-mail or phone (recorded in the outbox, printed on stdout)
//! and checked, single use, with an attempt limit. Validity as the Developer Guide's "Quotas"
//! page lists it: sign-up and attribute codes 24 hours, password reset 1 hour.

use crate::call::Call;
use crate::config::MfaFactor;
use crate::error::*;
use crate::shared::Tx;
use crate::state::*;
use crate::triggers::{custom_message, MessageFor, MessageSource};
use crate::util::*;
use cognito_proto::api::Op;
use cognito_proto::crypto::ct_eq;
use serde_json::{json, Value};

/// What a code is for (the key it is kept under, with the username).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    ForgotPassword,
    /// Verifying this attribute.
    Verify(String),
}

impl Purpose {
    pub fn key(&self, username: &str) -> String {
        let p = match self {
            Purpose::SignUp => "SIGN_UP".to_string(),
            Purpose::ForgotPassword => "FORGOT_PASSWORD".to_string(),
            Purpose::Verify(attr) => format!("VERIFY:{attr}"),
        };
        Pool::code_key(username, &p)
    }

    fn ttl(&self) -> i64 {
        if *self == Purpose::ForgotPassword {
            3600
        } else {
            86_400
        }
    }
}

pub fn fill_template(t: &str, username: &str, code: &str) -> String {
    t.replace("{####}", code).replace("{username}", username)
}

/// The default text of a code message (a link instead of the bare code where the pool has a
/// verification link template).
fn default_text(pool: &Pool, kind: MessageKind, username: &str, code: &str) -> Text {
    let t = &pool.config.messages;
    let plain = |template: &str| Text { text: fill_template(template, username, code), link: None, subject: None };
    match (kind, &t.verification_link) {
        (MessageKind::ForgotPassword, _) => plain(&t.forgot_password),
        (MessageKind::SignUp | MessageKind::Resend, Some(link)) => {
            let link = link
                .replace("{####}", &cognito_proto::codec::url_encode(code))
                .replace("{username}", &cognito_proto::codec::url_encode(username))
                .replace("{clientId}", "");
            Text { text: format!("Confirm your account: {link}"), link: Some(link), subject: None }
        }
        _ => plain(&t.verification),
    }
}

/// customMessage's triggerSource for a code message.
fn message_source(call: &Call, kind: MessageKind) -> MessageSource {
    match kind {
        MessageKind::SignUp => MessageSource::SignUp,
        MessageKind::Resend => MessageSource::ResendCode,
        MessageKind::ForgotPassword => MessageSource::ForgotPassword,
        _ if call.op == Some(Op::UpdateUserAttributes) => MessageSource::UpdateUserAttribute,
        _ => MessageSource::VerifyUserAttribute,
    }
}

/// Where a user's code goes: the attribute given, else e-mail, else phone.
fn destination(user: &User, attr: Option<&str>) -> ApiResult<(String, String, Medium)> {
    let attr = match attr {
        Some(a) => a.to_string(),
        None => ["email", "phone_number"]
            .into_iter()
            .find(|a| user.attr(a).is_some())
            .ok_or_else(|| invalid_param("Cannot send a code: the user has no email or phone_number"))?
            .to_string(),
    };
    let to = user.attr(&attr).ok_or_else(|| invalid_param(format!("The user has no {attr}")))?.to_string();
    let medium = if attr == "phone_number" { Medium::Sms } else { Medium::Email };
    Ok((attr, to, medium))
}

/// A code message to send.
pub struct CodeFor<'a> {
    pub pool: &'a str,
    pub username: &'a str,
    pub purpose: Purpose,
    pub kind: MessageKind,
    /// The attribute to send it to (else e-mail, else phone).
    pub attr: Option<&'a str>,
}

/// Sends a code to the user's e-mail or phone (recorded as a message) and stores it.
/// Returns CodeDeliveryDetails.
pub fn send_code(tx: &mut Tx, call: &Call, c: CodeFor) -> ApiResult<Value> {
    let pool = tx.pool(c.pool)?;
    let (attr, to, medium) = destination(pool.user(c.username)?, c.attr)?;
    let code = digits(6);
    let now = pool.now();
    let default = default_text(pool, c.kind, c.username, &code);
    let m =
        MessageFor { pool: c.pool, username: c.username, source: message_source(call, c.kind), sms: medium == Medium::Sms, code: &code };
    let text = custom_message(tx, call, m, default)?;
    let expires = now + c.purpose.ttl();
    tx.pool_mut(c.pool)?.codes.insert(c.purpose.key(c.username), Code { code: code.clone(), expires, attempts: 0 });
    let details = json!({"Destination": mask_destination(&to), "DeliveryMedium": medium.as_str(), "AttributeName": attr});
    tx.send_message(c.pool, c.username, to, medium, c.kind, code, text, now);
    Ok(details)
}

/// Checks (and on success consumes) a code.
pub fn check_code(db: &mut Db, pool_id: &str, username: &str, purpose: &Purpose, given: &str) -> ApiResult<()> {
    let pool = db.pool_mut(pool_id)?;
    let now = pool.now();
    let key = purpose.key(username);
    let expired = || fail(Exception::ExpiredCode, "Invalid code provided, please request a code again.");
    let Some(code) = pool.codes.get(&key) else { return Err(expired()) };
    if code.expires <= now {
        pool.codes.remove(&key);
        return Err(expired());
    }
    if code.attempts >= 5 {
        return Err(fail(Exception::LimitExceeded, "Attempt limit exceeded, please try after some time."));
    }
    if !ct_eq(code.code.as_bytes(), given.as_bytes()) {
        if let Some(c) = pool.codes.get_mut(&key) {
            c.attempts += 1;
        }
        return Err(fail(Exception::CodeMismatch, "Invalid verification code provided, please try again."));
    }
    pool.codes.remove(&key);
    Ok(())
}

/// An MFA code by SMS (6 digits) or e-mail (8 digits), to the user's number or address (or
/// `to`, for MFA set-up by e-mail). Returns the code and the challenge's CODE_DELIVERY_*.
pub fn send_mfa_code(
    tx: &mut Tx,
    call: &Call,
    pool: &str,
    username: &str,
    factor: MfaFactor,
    to: Option<&str>,
) -> ApiResult<(String, Value)> {
    let p = tx.pool(pool)?;
    let u = p.user(username)?;
    let (attr, medium) = if factor == MfaFactor::Sms { ("phone_number", Medium::Sms) } else { ("email", Medium::Email) };
    let dest =
        to.map(String::from).or_else(|| u.attr(attr).map(String::from)).ok_or_else(|| invalid_param(format!("User has no {attr}")))?;
    let code = digits(if factor == MfaFactor::Email { 8 } else { 6 });
    let default = Text { text: fill_template(&p.config.messages.mfa, username, &code), link: None, subject: None };
    let now = p.now();
    let m = MessageFor { pool, username, source: MessageSource::Authentication, sms: medium == Medium::Sms, code: &code };
    let text = custom_message(tx, call, m, default)?;
    let params = json!({"CODE_DELIVERY_DELIVERY_MEDIUM": medium.as_str(), "CODE_DELIVERY_DESTINATION": mask_destination(&dest), "USERNAME": username});
    tx.send_message(pool, username, dest, medium, MessageKind::Mfa, code.clone(), text, now);
    Ok((code, params))
}
