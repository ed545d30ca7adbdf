//! The hosted sign-in pages' answers: the password form (preAuthentication or userMigration
//! first), then a new password, the account confirmation or an MFA code, each a page of its own
//! keyed by a hidden field; sign-up, password reset, the e-mailed confirmation link, and the
//! emulated social providers' consent pages.

use super::common::{error_page_redirect, param, redirect_error, validate, Authorize, Reply};
use super::grant::{complete, finish};
use super::pages::{confirmation, forgot_get, login_page, reset_page, signup_get, step_page};
use crate::call::Call;
use crate::codes::{check_code, Purpose};
use crate::config::{IdentityProvider, MfaConfiguration, MfaFactor, UserStatus};
use crate::error::ApiResult;
use crate::shared::Tx;
use crate::signin::new_verifier;
use crate::state::*;
use crate::triggers::{Confirmed, SignUpDecision, SignUpSource};
use crate::util::*;
use cognito_proto::api::Op;
use cognito_proto::codec::form_decode;
use cognito_proto::crypto::ct_eq;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn login_get(db: &Db, query: &str) -> Reply {
    match validate(db, query) {
        Ok(a) => {
            let hint = a.login_hint.clone().unwrap_or_default();
            login_page(db, &a, None, &hint)
        }
        Err(r) => r,
    }
}

/// A hosted sign-in between pages (new password, MFA, confirmation), keyed by a hidden field.
fn pending(db: &mut Db, a: &Authorize, username: &str, page: HostedPage) -> String {
    let id = opaque_token(32);
    let expires = db.now_of(&a.pool) + 300;
    let step = HostedStep { pool: a.pool.clone(), client: a.client.id.clone(), username: username.to_string(), page, expires };
    db.runtime.hosted_steps.insert(id.clone(), step);
    id
}

/// Shows a step's page with a new hidden-field key.
fn show_step(db: &mut Db, a: &Authorize, username: &str, page: HostedPage) -> Reply {
    let flow = pending(db, a, username, page.clone());
    step_page(a, &page, &flow, None)
}

/// The call as the hosted UI makes it on the app client's behalf.
fn as_client(call: &Call, a: &Authorize, op: Option<Op>) -> Call {
    Call { op, client: Some(a.client.id.clone()), ..call.clone() }
}

/// After the password (or confirmation): new password, MFA, or done.
fn continue_login(tx: &mut Tx, call: &Call, a: &Authorize, username: &str) -> Reply {
    let Some(pool) = tx.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let Some(user) = pool.users.get(username) else { return login_page(tx, a, Some("User does not exist."), "") };
    if !user.enabled {
        return login_page(tx, a, Some("User is disabled."), username);
    }
    match user.status {
        UserStatus::Unconfirmed => {
            let c = crate::codes::CodeFor { pool: &a.pool, username, purpose: Purpose::SignUp, kind: MessageKind::Resend, attr: None };
            let _ = crate::codes::send_code(tx, call, c);
            return show_step(tx, a, username, HostedPage::Confirm);
        }
        UserStatus::ForceChangePassword => return show_step(tx, a, username, HostedPage::NewPassword),
        UserStatus::ResetRequired => return login_page(tx, a, Some("Password reset required for the user"), username),
        UserStatus::Confirmed | UserStatus::ExternalProvider => {}
    }
    let factor = user.mfa_factors(&pool.config).first().copied().filter(|_| pool.config.mfa_configuration != MfaConfiguration::Off);
    match factor {
        None => finish(tx, call, a, username),
        Some(MfaFactor::Totp) => show_step(tx, a, username, HostedPage::Totp { attempts: 0 }),
        Some(factor) => match crate::codes::send_mfa_code(tx, call, &a.pool, username, factor, None) {
            Ok((code, _)) => show_step(tx, a, username, HostedPage::SentCode { factor, code, attempts: 0 }),
            Err(e) => login_page(tx, a, Some(&e.message), username),
        },
    }
}

/// Wrong MFA codes allowed on the hosted pages before the sign-in starts over.
const HOSTED_CODE_ATTEMPTS: u32 = 3;

/// A page's answer: its form fields.
struct Answer<'a> {
    a: &'a Authorize,
    form: Vec<(String, String)>,
}

impl Answer<'_> {
    fn field(&self, k: &str) -> String {
        param(&self.form, k).unwrap_or("").to_string()
    }
}

pub fn login_post(tx: &mut Tx, call: &Call, query: &str, form_body: &str) -> Reply {
    let a = match validate(tx, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let call = as_client(call, &a, None);
    let ans = Answer { a: &a, form: form_decode(form_body) };
    let Some(flow) = param(&ans.form, "flow").map(String::from) else {
        return password_login(tx, &call, &a, &ans.field("username"), &ans.field("password"));
    };
    let expired = |db: &Db| login_page(db, &a, Some("Your session has expired. Sign in again."), "");
    let Some(s) = tx.runtime.hosted_steps.remove(&flow) else { return expired(tx) };
    if s.page.name() != ans.field("step") || s.expires <= tx.now_of(&a.pool) || s.client != a.client.id {
        return expired(tx);
    }
    let step = Step { flow, s };
    match step.s.page.clone() {
        HostedPage::NewPassword => new_password(tx, &call, &ans, step),
        HostedPage::Confirm => confirm(tx, &call, &ans, step),
        HostedPage::Totp { attempts } => {
            let secret = tx.user(&a.pool, &step.s.username).ok().and_then(|u| u.totp_secret.clone()).unwrap_or_default();
            let ok = totp_matches(&secret, &ans.field("code"), tx.now_of(&a.pool));
            mfa_code(tx, &call, &ans, step, ok, HostedPage::Totp { attempts: attempts + 1 }, attempts)
        }
        HostedPage::SentCode { factor, code, attempts } => {
            let ok = ct_eq(code.as_bytes(), ans.field("code").as_bytes());
            mfa_code(tx, &call, &ans, step, ok, HostedPage::SentCode { factor, code, attempts: attempts + 1 }, attempts)
        }
    }
}

/// A page of a sign-in under way.
struct Step {
    /// Its hidden-field key.
    flow: String,
    s: HostedStep,
}

impl Step {
    /// The same page again, with an error.
    fn retry(self, db: &mut Db, a: &Authorize, page: HostedPage, msg: &str) -> Reply {
        db.runtime.hosted_steps.insert(self.flow.clone(), HostedStep { page: page.clone(), ..self.s });
        step_page(a, &page, &self.flow, Some(msg))
    }
}

fn new_password(tx: &mut Tx, call: &Call, ans: &Answer, step: Step) -> Reply {
    let (a, pw, username) = (ans.a, ans.field("new_password"), step.s.username.clone());
    let Some(pool) = tx.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    if let Err(e) = pool.check_password_policy(&pw) {
        return step.retry(tx, a, HostedPage::NewPassword, &e.message);
    }
    let Ok(v) = new_verifier(tx, &a.pool, &username, &pw) else { return error_page_redirect("server_error", &a.client.id) };
    if let Ok(u) = tx.user_mut(&a.pool, &username) {
        u.set_verifier(v);
        u.status = UserStatus::Confirmed;
    }
    continue_login(tx, call, a, &username)
}

fn confirm(tx: &mut Tx, call: &Call, ans: &Answer, step: Step) -> Reply {
    let (a, username) = (ans.a, step.s.username.clone());
    if check_code(tx, &a.pool, &username, &Purpose::SignUp, &ans.field("code")).is_err() {
        return step.retry(tx, a, HostedPage::Confirm, "Invalid verification code provided, please try again.");
    }
    let Some(pool) = tx.pools.get_mut(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let auto = pool.config.auto_verified_attributes.clone();
    if let Some(u) = pool.users.get_mut(&username) {
        u.status = UserStatus::Confirmed;
        let verified: Vec<String> = auto.iter().filter(|at| u.attributes.contains_key(*at)).map(|at| format!("{at}_verified")).collect();
        for v in verified {
            u.attributes.insert(v, "true".into());
        }
    }
    if let Err(e) = crate::triggers::post_confirmation(tx, call, &a.pool, &username, Confirmed::SignUp) {
        return login_page(tx, a, Some(&e.message), &username);
    }
    continue_login(tx, call, a, &username)
}

/// An MFA code page: right → signed in; wrong → the page again, or (too many) back to sign-in.
fn mfa_code(tx: &mut Tx, call: &Call, ans: &Answer, step: Step, ok: bool, again: HostedPage, attempts: u32) -> Reply {
    let (a, username) = (ans.a, step.s.username.clone());
    if ok {
        return finish(tx, call, a, &username);
    }
    if attempts + 1 >= HOSTED_CODE_ATTEMPTS {
        return login_page(tx, a, Some("Too many failed attempts. Sign in again."), &username);
    }
    step.retry(tx, a, again, "Invalid code received for user")
}

/// The sign-in form itself: username and password.
fn password_login(tx: &mut Tx, call: &Call, a: &Authorize, typed: &str, password: &str) -> Reply {
    let Some(pool) = tx.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    // preAuthentication for a known user, as InitiateAuth does; for an unknown one the password
    // form is where userMigration sees the password (UserMigration_Authentication).
    let found = match pool.find_username(typed) {
        Some(u) => crate::triggers::pre_authentication(tx, call, &a.pool, &u, false).map(|_| Some(u)),
        None => crate::triggers::migrate(tx, call, &a.pool, typed, Some(password)),
    };
    let username = match found {
        Ok(Some(u)) => u,
        Ok(None) => return login_page(tx, a, Some("Incorrect username or password."), typed),
        Err(e) => return login_page(tx, a, Some(&e.message), typed),
    };
    if crate::signin::locked(tx, &a.pool, &username).is_err() {
        return login_page(tx, a, Some("Password attempts exceeded"), typed);
    }
    let ok = crate::signin::password_matches(tx, &a.pool, &username, password).unwrap_or(false);
    if let Ok(u) = tx.user_mut(&a.pool, &username) {
        u.failed_sign_ins = if ok { 0 } else { u.failed_sign_ins + 1 };
    }
    if !ok {
        return login_page(tx, a, Some("Incorrect username or password."), typed);
    }
    continue_login(tx, call, a, &username)
}

/// A JSON API call made by the hosted pages (with the client's SECRET_HASH where it has one).
fn api(tx: &mut Tx, call: &Call, a_client: &crate::config::ClientConfig, op: Op, mut body: Value, username: &str) -> ApiResult<Value> {
    if let Some(secret) = &a_client.secret {
        body["SecretHash"] = json!(cognito_proto::crypto::secret_hash(secret, username, &a_client.id));
    }
    let call = Call { op: Some(op), client: Some(a_client.id.clone()), ..call.clone() };
    crate::api::dispatch(tx, &call, op, body)
}

pub fn signup_post(tx: &mut Tx, call: &Call, query: &str, form_body: &str) -> Reply {
    let a = match validate(tx, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    let field = |k: &str| param(&f, k).unwrap_or("").to_string();
    let body = json!({"ClientId": a.client.id, "Username": field("username"), "Password": field("password"), "UserAttributes": [{"Name": "email", "Value": field("email")}]});
    match api(tx, call, &a.client, Op::SignUp, body, &field("username")) {
        Ok(r) => {
            let username = tx.pools.get(&a.pool).and_then(|p| p.find_username(&field("username"))).unwrap_or_default();
            if r["UserConfirmed"] == json!(true) {
                return continue_login(tx, &as_client(call, &a, None), &a, &username);
            }
            show_step(tx, &a, &username, HostedPage::Confirm)
        }
        Err(e) => signup_get(tx, query, Some(&e.message)),
    }
}

pub fn forgot_post(tx: &mut Tx, call: &Call, query: &str, form_body: &str) -> Reply {
    let a = match validate(tx, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    let field = |k: &str| param(&f, k).unwrap_or("").to_string();
    let username = field("username");
    if f.iter().any(|(k, _)| k == "code") {
        let body = json!({"ClientId": a.client.id, "Username": username, "ConfirmationCode": field("code"), "Password": field("password")});
        return match api(tx, call, &a.client, Op::ConfirmForgotPassword, body, &username) {
            Ok(_) => login_page(tx, &a, None, &username),
            Err(e) => reset_page(&a, &username, Some(&e.message)),
        };
    }
    match api(tx, call, &a.client, Op::ForgotPassword, json!({"ClientId": a.client.id, "Username": username}), &username) {
        Ok(_) => reset_page(&a, &username, None),
        Err(e) => forgot_get(tx, query, Some(&e.message)),
    }
}

/// `/confirmUser?client_id=…&user_name=…&confirmation_code=…` (the e-mailed link).
pub fn confirm_user(tx: &mut Tx, call: &Call, query: &str) -> Reply {
    let q = form_decode(query);
    let (client_id, user) = (param(&q, "client_id").unwrap_or(""), param(&q, "user_name").unwrap_or(""));
    let body = json!({"ClientId": client_id, "Username": user, "ConfirmationCode": param(&q, "confirmation_code").unwrap_or("")});
    let client = tx
        .find_client(client_id)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| crate::config::ClientConfig { id: client_id.into(), ..Default::default() });
    match api(tx, call, &client, Op::ConfirmSignUp, body, user) {
        Ok(_) => confirmation(Ok(())),
        Err(e) => confirmation(Err((e.name(), &e.message))),
    }
}

/// The federated user for a provider profile; whether it is new.
fn federated_user(
    tx: &mut Tx,
    call: &Call,
    a: &Authorize,
    idp: &IdentityProvider,
    profile: &BTreeMap<String, String>,
) -> ApiResult<(String, bool)> {
    let sub = profile.get("sub").cloned().unwrap_or_else(uuid);
    let username = format!("{}_{}", idp.name, sub);
    let mapped: BTreeMap<String, String> = idp
        .attribute_mapping
        .iter()
        .filter_map(|(pool_attr, idp_attr)| Some((pool_attr.clone(), profile.get(idp_attr)?.clone())))
        .collect();
    let first = !tx.pool(&a.pool)?.users.contains_key(&username);
    // A first federated sign-in is a sign-up: PreSignUp_ExternalProvider, then postConfirmation.
    let decision = match first {
        true => {
            crate::triggers::pre_sign_up(tx, call, &a.pool, &username, SignUpSource::ExternalProvider, json!(mapped), Default::default())?
        }
        false => SignUpDecision::default(),
    };
    let pool = tx.pool_mut(&a.pool)?;
    let now = pool.now();
    let mut user = pool.users.get(&username).cloned().unwrap_or_else(|| {
        let mut u = User::new(&username, now);
        u.status = UserStatus::ExternalProvider;
        u
    });
    user.attributes.extend(mapped);
    user.attributes.insert("sub".into(), user.sub.clone());
    decision.mark_verified(&mut user.attributes);
    user.identities = vec![json!({
        "userId": sub,
        "providerName": idp.name,
        "providerType": idp.provider_type,
        "issuer": Value::Null,
        "primary": "true",
        "dateCreated": (user.created * 1000).to_string(),
    })];
    user.modified = now;
    pool.users.insert(username.clone(), user);
    Ok((username, first))
}

pub fn idp_post(tx: &mut Tx, call: &Call, provider: &str, query: &str, form_body: &str) -> Reply {
    let a = match validate(tx, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let call = as_client(call, &a, None);
    let f = form_decode(form_body);
    if param(&f, "action") == Some("cancel") {
        return redirect_error(&a, "access_denied", "User cancelled the sign-in at the identity provider");
    }
    let Some(pool) = tx.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let idp = pool.config.identity_providers.iter().find(|i| i.name == provider || i.identifiers.iter().any(|x| x == provider)).cloned();
    let Some(idp) = idp else { return redirect_error(&a, "invalid_request", "unknown identity provider") };
    let profile: BTreeMap<String, String> = f.iter().filter(|(k, _)| k != "action").cloned().collect();
    let (username, first) = match federated_user(tx, &call, &a, &idp, &profile) {
        Ok(u) => u,
        Err(e) => return redirect_error(&a, "invalid_request", &e.message),
    };
    // postAuthentication only once the user exists.
    let trigger = match first {
        true => crate::triggers::post_confirmation(tx, &call, &a.pool, &username, Confirmed::SignUp),
        false => crate::triggers::post_authentication(tx, &call, &a.pool, &username, false),
    };
    if let Err(e) = trigger {
        return redirect_error(&a, "invalid_request", &e.message);
    }
    complete(tx, &call, &a, &username, None)
}
