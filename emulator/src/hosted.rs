//! The hosted UI and OAuth 2.0 endpoints (the developer guide's "User pool endpoints and managed
//! login reference", RFC 6749, RFC 7636), on the emulator's origin:
//! `/oauth2/authorize`, `/login`, `/signup`, `/forgotPassword`, `/confirmUser`, an emulated
//! consent page per social provider, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`,
//! `/logout`, `/error`.
//!
//! Redirect URIs match exactly; public clients must use PKCE with S256; codes are single use
//! and live 5 minutes; the sign-in page sets a 1-hour session cookie so a second authorize
//! round trip does not prompt again (unless `prompt=login`).

use crate::config::ClientConfig;
use crate::config::{MfaConfiguration, MfaFactor, UserStatus};
use crate::issue::{issue_tokens, refresh_tokens, Issue};
use crate::request::{issuer, Ctx};
use crate::state::*;
use crate::util::*;
use cognito_proto::codec::{base64_decode, base64url_encode, form_decode, form_encode, url_encode};
use cognito_proto::crypto::{ct_eq, sha256};
use serde_json::{json, Value};

/// What the HTTP layer sends back.
pub enum Reply {
    Html(u16, String, Vec<(String, String)>),
    Redirect(String, Vec<(String, String)>),
    Json(u16, Value, Vec<(String, String)>),
    Empty(u16),
}

pub const SESSION_COOKIE: &str = "cognito_emulator_session";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page_html(title: &str, body: &str) -> String {
    page_lang(title, body, "en")
}

/// A hosted page; `lang` (the authorize parameter) only sets the document language: the
/// emulator's pages are in English.
fn page_lang(title: &str, body: &str, lang: &str) -> String {
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(16).collect();
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{t}</title><style>
body{{font-family:system-ui,sans-serif;background:#f2f4f8;margin:0;display:flex;justify-content:center}}
main{{background:#fff;margin:2rem 1rem;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002;max-width:22rem;width:100%}}
h1{{font-size:1.25rem}} label{{display:block;margin:.75rem 0 .25rem}} input{{width:100%;padding:.5rem;box-sizing:border-box}}
button{{margin-top:1rem;width:100%;padding:.6rem;background:#1a73e8;color:#fff;border:0;border-radius:4px;font-size:1rem}}
.err{{color:#b00020;background:#fde7ea;padding:.5rem;border-radius:4px}} .note{{color:#555;font-size:.85rem}}
.idp a{{display:block;text-align:center;margin:.4rem 0;padding:.5rem;border:1px solid #ccc;border-radius:4px;text-decoration:none;color:#222}}
</style></head><body><main><p class="note">Cognito emulator · hosted UI</p><h1>{t}</h1>{body}</main></body></html>"#,
        t = esc(title)
    )
}

struct Field<'a> {
    name: &'a str,
    label: &'a str,
    kind: &'a str,
    value: &'a str,
}

fn form(action: &str, hidden: &[(&str, &str)], fields: &[Field], submit: &str, error: Option<&str>, extra: &str) -> String {
    let mut h = String::new();
    if let Some(e) = error {
        h.push_str(&format!(r#"<p class="err" id="error">{}</p>"#, esc(e)));
    }
    h.push_str(&format!(r#"<form method="post" action="{}">"#, esc(action)));
    for (k, v) in hidden {
        h.push_str(&format!(r#"<input type="hidden" name="{}" value="{}">"#, esc(k), esc(v)));
    }
    for f in fields {
        h.push_str(&format!(
            r#"<label for="{n}">{l}</label><input id="{n}" name="{n}" type="{k}" value="{v}" autocomplete="off">"#,
            n = esc(f.name),
            l = esc(f.label),
            k = f.kind,
            v = esc(f.value)
        ));
    }
    h.push_str(&format!(r#"<button type="submit" name="action" value="submit">{}</button></form>{extra}"#, esc(submit)));
    h
}

/// A validated `/oauth2/authorize` request.
#[derive(Clone, Debug)]
pub struct Authorize {
    pub pool: String,
    pub client: ClientConfig,
    pub redirect_uri: String,
    pub response_type: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub provider: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    /// The raw query, carried through the hosted pages.
    pub query: String,
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

fn error_page_redirect(error: &str, client_id: &str) -> Reply {
    Reply::Redirect(format!("/error?error={}&client_id={}", url_encode(error), url_encode(client_id)), vec![])
}

/// Redirects an OAuth error to the app (only once client and redirect URI are known good).
fn redirect_error(a: &Authorize, error: &str, description: &str) -> Reply {
    let mut q = vec![("error", error)];
    if !description.is_empty() {
        q.push(("error_description", description));
    }
    if let Some(s) = &a.state {
        q.push(("state", s));
    }
    let sep = if a.redirect_uri.contains('?') { '&' } else { '?' };
    Reply::Redirect(format!("{}{sep}{}", a.redirect_uri, form_encode(&q)), vec![])
}

/// Validates client and redirect URI (errors shown on the emulator's own error page), then the
/// rest (errors redirected to the app).
pub fn validate(db: &Db, query: &str) -> Result<Authorize, Reply> {
    let q = form_decode(query);
    let client_id = param(&q, "client_id").unwrap_or("");
    let Some((pool, client)) = db.find_client(client_id) else {
        return Err(error_page_redirect("invalid_client", client_id));
    };
    let redirect_uri = param(&q, "redirect_uri").unwrap_or("");
    if !client.callback_urls.iter().any(|u| u == redirect_uri) {
        return Err(error_page_redirect("redirect_mismatch", client_id));
    }
    let mut a = Authorize {
        pool: pool.config.id.clone(),
        client: client.clone(),
        redirect_uri: redirect_uri.to_string(),
        response_type: param(&q, "response_type").unwrap_or("").to_string(),
        state: param(&q, "state").map(String::from),
        scopes: vec![],
        code_challenge: param(&q, "code_challenge").map(String::from),
        nonce: param(&q, "nonce").map(String::from),
        provider: param(&q, "identity_provider").or(param(&q, "idp_identifier")).map(String::from),
        prompt: param(&q, "prompt").map(|p| p.to_lowercase()),
        login_hint: param(&q, "login_hint").map(String::from),
        query: query.to_string(),
    };
    match a.response_type.as_str() {
        "" => return Err(redirect_error(&a, "invalid_request", "response_type is required")),
        "code" if client.allowed_oauth_flows.iter().any(|f| f == "code") => {}
        "token" if client.allowed_oauth_flows.iter().any(|f| f == "implicit") => {}
        "code" | "token" => return Err(redirect_error(&a, "unauthorized_client", "")),
        _ => return Err(redirect_error(&a, "unsupported_response_type", "")),
    }
    match (param(&q, "code_challenge_method"), &a.code_challenge) {
        (Some("S256"), Some(c)) if c.len() == 43 && base64_decode(c).is_some() => {}
        (Some("S256"), Some(_)) => return Err(redirect_error(&a, "invalid_request", "invalid code_challenge")),
        (Some(_), _) => return Err(redirect_error(&a, "invalid_request", "Only S256 is supported as code_challenge_method")),
        (None, Some(_)) => return Err(redirect_error(&a, "invalid_request", "code_challenge_method is required")),
        (None, None) if a.response_type == "code" && client.secret.is_none() => {
            return Err(redirect_error(&a, "invalid_request", "PKCE (code_challenge with S256) is required for public clients"))
        }
        (None, None) => {}
    }
    let requested: Vec<String> =
        param(&q, "scope").map(|s| s.split([' ', '+']).filter(|x| !x.is_empty()).map(String::from).collect()).unwrap_or_default();
    let allowed = &client.allowed_oauth_scopes;
    a.scopes = if requested.is_empty() { allowed.clone() } else { requested.into_iter().filter(|s| allowed.contains(s)).collect() };
    if a.scopes.is_empty() {
        return Err(redirect_error(&a, "invalid_scope", "none of the requested scopes is allowed for this client"));
    }
    if a.scopes.iter().any(|s| s == "email" || s == "phone" || s == "profile") && !a.scopes.iter().any(|s| s == "openid") {
        return Err(redirect_error(&a, "invalid_scope", "email, phone and profile require openid"));
    }
    if let Some(p) = &a.provider {
        let known = p == "COGNITO" || pool.config.identity_providers.iter().any(|i| &i.name == p || i.identifiers.contains(p));
        if !known
            || !(p == "COGNITO"
                || client.supported_identity_providers.iter().any(|s| s == p)
                || pool
                    .config
                    .identity_providers
                    .iter()
                    .any(|i| i.identifiers.contains(p) && client.supported_identity_providers.contains(&i.name)))
        {
            return Err(redirect_error(&a, "invalid_request", "The identity provider is not enabled for this client"));
        }
    }
    Ok(a)
}

fn cookie_of<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies.split(';').map(str::trim).find_map(|c| c.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

fn hosted_session(db: &Db, a: &Authorize, cookies: &str) -> Option<HostedSession> {
    let id = cookie_of(cookies, SESSION_COOKIE)?;
    let s = db.runtime.hosted.get(id)?;
    let now = db.pools.get(&s.pool)?.now();
    (s.pool == a.pool && s.expires > now && db.pools.get(&s.pool)?.users.contains_key(&s.username)).then(|| s.clone())
}

/// A sign-in on the hosted pages succeeded: postAuthentication, then back to the app.
fn finish(db: &mut Db, ctx: &Ctx, a: &Authorize, username: &str) -> Reply {
    if let Err(e) = crate::triggers::post_authentication(db, &a.pool, username, false) {
        return login_page(db, a, Some(&e.message), username);
    }
    complete(db, ctx, a, username, None)
}

/// Signs the user in to the hosted UI (cookie) and returns to the app with a code or tokens.
fn complete(db: &mut Db, ctx: &Ctx, a: &Authorize, username: &str, auth_time: Option<i64>) -> Reply {
    let now = db.pools.get(&a.pool).map(|p| p.now()).unwrap_or_else(system_now);
    let auth_time = auth_time.unwrap_or(now);
    let sid = opaque_token(32);
    db.runtime
        .hosted
        .insert(sid.clone(), HostedSession { pool: a.pool.clone(), username: username.into(), expires: now + 3600, auth_time });
    let cookie = vec![("Set-Cookie".to_string(), format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"))];
    let sep = if a.redirect_uri.contains('?') { '&' } else { '?' };
    if a.response_type == "token" {
        let issued = match issue_tokens(
            db,
            ctx,
            &a.pool,
            &a.client,
            username,
            Issue {
                scopes: Some(a.scopes.clone()),
                nonce: a.nonce.clone(),
                origin: Some((uuid(), auth_time)),
                source: Some("TokenGeneration_HostedAuth"),
                ..Default::default()
            },
        ) {
            Ok(i) => i,
            Err(e) => return redirect_error(a, "server_error", &e.message),
        };
        let exp = issued.expires_in.to_string();
        let mut f = vec![("access_token", issued.access_token.as_str()), ("token_type", "Bearer"), ("expires_in", exp.as_str())];
        if a.scopes.iter().any(|s| s == "openid") {
            f.push(("id_token", issued.id_token.as_str()));
        }
        if let Some(s) = &a.state {
            f.push(("state", s));
        }
        return Reply::Redirect(format!("{}#{}", a.redirect_uri, form_encode(&f)), cookie);
    }
    let code = uuid();
    db.runtime.auth_codes.insert(
        code.clone(),
        AuthCode {
            pool: a.pool.clone(),
            client: a.client.id.clone(),
            username: username.into(),
            redirect_uri: a.redirect_uri.clone(),
            code_challenge: a.code_challenge.clone(),
            nonce: a.nonce.clone(),
            scopes: a.scopes.clone(),
            expires: now + 300,
            auth_time,
        },
    );
    let mut q = vec![("code", code.as_str())];
    if let Some(s) = &a.state {
        q.push(("state", s));
    }
    Reply::Redirect(format!("{}{sep}{}", a.redirect_uri, form_encode(&q)), cookie)
}

pub fn authorize(db: &mut Db, ctx: &Ctx, query: &str, cookies: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let session = hosted_session(db, &a, cookies);
    if a.prompt.as_deref() == Some("none") {
        return match session {
            Some(s) => complete(db, ctx, &a, &s.username, Some(s.auth_time)),
            None => redirect_error(&a, "login_required", ""),
        };
    }
    match a.provider.as_deref() {
        Some(p) if p != "COGNITO" => return Reply::Redirect(format!("/_emulator/idp/{}?{}", url_encode(p), a.query), vec![]),
        _ => {}
    }
    if let (Some(s), false) = (session, a.prompt.as_deref() == Some("login")) {
        return complete(db, ctx, &a, &s.username, Some(s.auth_time));
    }
    Reply::Redirect(format!("/login?{}", a.query), vec![])
}

fn login_page(db: &Db, a: &Authorize, error: Option<&str>, username: &str) -> Reply {
    let pool = db.pools.get(&a.pool);
    let mut idps = String::new();
    for p in &a.client.supported_identity_providers {
        if p != "COGNITO" && pool.is_some_and(|pl| pl.config.identity_providers.iter().any(|i| &i.name == p)) {
            idps.push_str(&format!(r#"<a href="/_emulator/idp/{}?{}">Continue with {}</a>"#, url_encode(p), esc(&a.query), esc(p)));
        }
    }
    let extra = format!(
        r#"<div class="idp">{idps}</div><p class="note"><a href="/forgotPassword?{q}">Forgot your password?</a> · <a href="/signup?{q}">Sign up</a></p>"#,
        q = esc(&a.query)
    );
    let body = form(
        &format!("/login?{}", a.query),
        &[],
        &[
            Field { name: "username", label: "Username", kind: "text", value: username },
            Field { name: "password", label: "Password", kind: "password", value: "" },
        ],
        "Sign in",
        error,
        &extra,
    );
    let lang = param(&form_decode(&a.query), "lang").unwrap_or("en").to_string();
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_lang("Sign in", &body, &lang), vec![])
}

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
    let now = db.pools.get(&a.pool).map(|p| p.now()).unwrap_or_else(system_now);
    let id = opaque_token(32);
    let step = HostedStep { pool: a.pool.clone(), client: a.client.id.clone(), username: username.to_string(), page, expires: now + 300 };
    db.runtime.hosted_steps.insert(id.clone(), step);
    id
}

fn step_page(a: &Authorize, page: &HostedPage, flow: &str, error: Option<&str>) -> Reply {
    let (title, fields, submit): (&str, Vec<Field>, &str) = match page {
        HostedPage::NewPassword => (
            "Change your password",
            vec![Field { name: "new_password", label: "New password", kind: "password", value: "" }],
            "Change password",
        ),
        HostedPage::Confirm => (
            "Confirm your account",
            vec![Field { name: "code", label: "Verification code (see the emulator's messages)", kind: "text", value: "" }],
            "Confirm",
        ),
        HostedPage::Totp { .. } => {
            ("Enter your authenticator code", vec![Field { name: "code", label: "6-digit code", kind: "text", value: "" }], "Sign in")
        }
        HostedPage::SentCode { .. } => {
            ("Enter the code we sent you", vec![Field { name: "code", label: "Code", kind: "text", value: "" }], "Sign in")
        }
    };
    let body = form(&format!("/login?{}", a.query), &[("flow", flow), ("step", page.name())], &fields, submit, error, "");
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html(title, &body), vec![])
}

/// Shows a step's page with a new hidden-field key.
fn show_step(db: &mut Db, a: &Authorize, username: &str, page: HostedPage) -> Reply {
    let flow = pending(db, a, username, page.clone());
    step_page(a, &page, &flow, None)
}

/// After the password (or confirmation): new password, MFA, or done.
fn continue_login(db: &mut Db, ctx: &Ctx, a: &Authorize, username: &str) -> Reply {
    let Some(pool) = db.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let Some(user) = pool.users.get(username) else { return login_page(db, a, Some("User does not exist."), "") };
    if !user.enabled {
        return login_page(db, a, Some("User is disabled."), username);
    }
    match user.status {
        UserStatus::Unconfirmed => {
            let _ = crate::codes::send_code(db, &a.pool, username, "SIGN_UP", MessageKind::Resend, None);
            return show_step(db, a, username, HostedPage::Confirm);
        }
        UserStatus::ForceChangePassword => return show_step(db, a, username, HostedPage::NewPassword),
        UserStatus::ResetRequired => return login_page(db, a, Some("Password reset required for the user"), username),
        UserStatus::Confirmed | UserStatus::ExternalProvider => {}
    }
    let factors = user.mfa_factors(&pool.config);
    if pool.config.mfa_configuration != MfaConfiguration::Off {
        if let Some(&factor) = factors.first() {
            if factor == MfaFactor::Totp {
                return show_step(db, a, username, HostedPage::Totp { attempts: 0 });
            }
            let (attr, medium) = if factor == MfaFactor::Sms { ("phone_number", Medium::Sms) } else { ("email", Medium::Email) };
            let dest = user.attr(attr).unwrap_or("").to_string();
            let code = digits(6);
            let (now, text) = (pool.now(), pool.config.messages.mfa.replace("{####}", &code));
            let (text, link) = match crate::triggers::custom_message(
                db,
                &a.pool,
                username,
                "CustomMessage_Authentication",
                medium == Medium::Sms,
                &code,
                text,
                None,
            ) {
                Ok(t) => t,
                Err(e) => return login_page(db, a, Some(&e.message), username),
            };
            db.deliver(&a.pool, username, &dest, medium, MessageKind::Mfa, &code, text, link, now);
            return show_step(db, a, username, HostedPage::SentCode { factor, code, attempts: 0 });
        }
    }
    finish(db, ctx, a, username)
}

pub fn login_post(db: &mut Db, ctx: &Ctx, query: &str, form_body: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    let field = |k: &str| param(&f, k).unwrap_or("").to_string();
    let Some(flow) = param(&f, "flow") else { return password_login(db, ctx, &a, &field("username"), &field("password")) };
    let expired = |db: &mut Db| login_page(db, &a, Some("Your session has expired. Sign in again."), "");
    let Some(s) = db.runtime.hosted_steps.remove(flow) else { return expired(db) };
    let now = db.pools.get(&a.pool).map(|p| p.now()).unwrap_or_else(system_now);
    if s.page.name() != field("step") || s.expires <= now || s.client != a.client.id {
        return expired(db);
    }
    let username = s.username.clone();
    let retry = |db: &mut Db, page: HostedPage, msg: &str| {
        let id = flow.to_string();
        db.runtime.hosted_steps.insert(id.clone(), HostedStep { page: page.clone(), ..s.clone() });
        step_page(&a, &page, &id, Some(msg))
    };
    match s.page.clone() {
        HostedPage::NewPassword => {
            let pw = field("new_password");
            let Some(pool) = db.pools.get_mut(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
            if let Err(e) = pool.check_password_policy(&pw) {
                return retry(db, HostedPage::NewPassword, &e.message);
            }
            let name = pool.name().to_string();
            if let Some(u) = pool.users.get_mut(&username) {
                u.set_password(&name, &pw);
                u.status = UserStatus::Confirmed;
            }
            continue_login(db, ctx, &a, &username)
        }
        HostedPage::Confirm => {
            let code = field("code");
            let key = Pool::code_key(&username, "SIGN_UP");
            let Some(pool) = db.pools.get_mut(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
            let ok = pool.codes.get(&key).is_some_and(|c| c.expires > now && ct_eq(c.code.as_bytes(), code.as_bytes()));
            if !ok {
                return retry(db, HostedPage::Confirm, "Invalid verification code provided, please try again.");
            }
            pool.codes.remove(&key);
            let auto = pool.config.auto_verified_attributes.clone();
            if let Some(u) = pool.users.get_mut(&username) {
                u.status = UserStatus::Confirmed;
                for at in auto {
                    if u.attr(&at).is_some() {
                        u.attributes.insert(format!("{at}_verified"), "true".into());
                    }
                }
            }
            if let Err(e) = crate::triggers::post_confirmation(db, &a.pool, &username, "PostConfirmation_ConfirmSignUp") {
                return login_page(db, &a, Some(&e.message), &username);
            }
            continue_login(db, ctx, &a, &username)
        }
        HostedPage::Totp { attempts } => {
            let secret = db.pools.get(&a.pool).and_then(|p| p.users.get(&username)).and_then(|u| u.totp_secret.clone()).unwrap_or_default();
            if totp_matches(&secret, &field("code"), now) {
                return finish(db, ctx, &a, &username);
            }
            if attempts + 1 >= HOSTED_CODE_ATTEMPTS {
                return login_page(db, &a, Some("Too many failed attempts. Sign in again."), &username);
            }
            retry(db, HostedPage::Totp { attempts: attempts + 1 }, "Invalid code received for user")
        }
        HostedPage::SentCode { factor, code, attempts } => {
            if ct_eq(code.as_bytes(), field("code").as_bytes()) {
                return finish(db, ctx, &a, &username);
            }
            if attempts + 1 >= HOSTED_CODE_ATTEMPTS {
                return login_page(db, &a, Some("Too many failed attempts. Sign in again."), &username);
            }
            retry(db, HostedPage::SentCode { factor, code, attempts: attempts + 1 }, "Invalid code received for user")
        }
    }
}

/// Wrong MFA codes allowed on the hosted pages before the sign-in starts over.
const HOSTED_CODE_ATTEMPTS: u32 = 3;

/// The sign-in form itself: username and password.
fn password_login(db: &mut Db, ctx: &Ctx, a: &Authorize, typed: &str, password: &str) -> Reply {
    let Some(pool) = db.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    // preAuthentication for a known user, as InitiateAuth does; for an unknown one the password
    // form is where userMigration sees the password (UserMigration_Authentication).
    let found = match pool.find_username(typed) {
        Some(u) => crate::triggers::pre_authentication(db, &a.pool, &u, false).map(|_| Some(u)),
        None => crate::triggers::migrate(db, &a.pool, typed, Some(password)),
    };
    let username = match found {
        Ok(Some(u)) => u,
        Ok(None) => return login_page(db, a, Some("Incorrect username or password."), typed),
        Err(e) => return login_page(db, a, Some(&e.message), typed),
    };
    let Some(pool) = db.pools.get(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let user = &pool.users[&username];
    if user.failed_sign_ins >= pool.config.max_failed_sign_ins {
        return login_page(db, a, Some("Password attempts exceeded"), typed);
    }
    let ok = user.password_matches(pool.name(), password);
    if let Some(u) = db.pools.get_mut(&a.pool).and_then(|p| p.users.get_mut(&username)) {
        u.failed_sign_ins = if ok { 0 } else { u.failed_sign_ins + 1 };
    }
    if !ok {
        return login_page(db, a, Some("Incorrect username or password."), typed);
    }
    continue_login(db, ctx, a, &username)
}

pub fn signup_get(db: &Db, query: &str, error: Option<&str>) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body = form(
        &format!("/signup?{}", a.query),
        &[],
        &[
            Field { name: "username", label: "Username", kind: "text", value: "" },
            Field { name: "email", label: "Email", kind: "email", value: "" },
            Field { name: "password", label: "Password", kind: "password", value: "" },
        ],
        "Sign up",
        error,
        &format!(r#"<p class="note"><a href="/login?{}">Already have an account? Sign in</a></p>"#, esc(&a.query)),
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Sign up", &body), vec![])
}

pub fn signup_post(db: &mut Db, ctx: &Ctx, query: &str, form_body: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    let field = |k: &str| param(&f, k).unwrap_or("").to_string();
    let mut body = json!({"ClientId": a.client.id, "Username": field("username"), "Password": field("password"), "UserAttributes": [{"Name": "email", "Value": field("email")}]});
    if let Some(secret) = &a.client.secret {
        body["SecretHash"] = json!(cognito_proto::crypto::secret_hash(secret, &field("username"), &a.client.id));
    }
    match crate::api::dispatch(db, "SignUp", &body, ctx) {
        Ok(r) => {
            let username = db.pools.get(&a.pool).and_then(|p| p.find_username(&field("username"))).unwrap_or_default();
            if r["UserConfirmed"] == json!(true) {
                return continue_login(db, ctx, &a, &username);
            }
            show_step(db, &a, &username, HostedPage::Confirm)
        }
        Err(e) => signup_get(db, query, Some(&e.message)),
    }
}

pub fn forgot_get(db: &Db, query: &str, error: Option<&str>) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body = form(
        &format!("/forgotPassword?{}", a.query),
        &[],
        &[Field { name: "username", label: "Username", kind: "text", value: "" }],
        "Reset my password",
        error,
        "",
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Forgot your password?", &body), vec![])
}

pub fn forgot_post(db: &mut Db, ctx: &Ctx, query: &str, form_body: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    let field = |k: &str| param(&f, k).unwrap_or("").to_string();
    let username = field("username");
    if f.iter().any(|(k, _)| k == "code") {
        let mut body =
            json!({"ClientId": a.client.id, "Username": username, "ConfirmationCode": field("code"), "Password": field("password")});
        if let Some(secret) = &a.client.secret {
            body["SecretHash"] = json!(cognito_proto::crypto::secret_hash(secret, &username, &a.client.id));
        }
        return match crate::api::dispatch(db, "ConfirmForgotPassword", &body, ctx) {
            Ok(_) => login_page(db, &a, None, &username),
            Err(e) => reset_page(&a, &username, Some(&e.message)),
        };
    }
    let mut body = json!({"ClientId": a.client.id, "Username": username});
    if let Some(secret) = &a.client.secret {
        body["SecretHash"] = json!(cognito_proto::crypto::secret_hash(secret, &username, &a.client.id));
    }
    match crate::api::dispatch(db, "ForgotPassword", &body, ctx) {
        Ok(_) => reset_page(&a, &username, None),
        Err(e) => forgot_get(db, query, Some(&e.message)),
    }
}

fn reset_page(a: &Authorize, username: &str, error: Option<&str>) -> Reply {
    let body = form(
        &format!("/forgotPassword?{}", a.query),
        &[("username", username)],
        &[
            Field { name: "code", label: "Code", kind: "text", value: "" },
            Field { name: "password", label: "New password", kind: "password", value: "" },
        ],
        "Change password",
        error,
        "",
    );
    Reply::Html(if error.is_some() { 400 } else { 200 }, page_html("Reset your password", &body), vec![])
}

/// `/confirmUser?client_id=…&user_name=…&confirmation_code=…` (the e-mailed link).
pub fn confirm_user(db: &mut Db, ctx: &Ctx, query: &str) -> Reply {
    let q = form_decode(query);
    let client_id = param(&q, "client_id").unwrap_or("");
    let mut body = json!({"ClientId": client_id, "Username": param(&q, "user_name").unwrap_or(""), "ConfirmationCode": param(&q, "confirmation_code").unwrap_or("")});
    if let Some((_, c)) = db.find_client(client_id) {
        if let Some(secret) = &c.secret {
            body["SecretHash"] = json!(cognito_proto::crypto::secret_hash(secret, param(&q, "user_name").unwrap_or(""), client_id));
        }
    }
    match crate::api::dispatch(db, "ConfirmSignUp", &body, ctx) {
        Ok(_) => Reply::Html(200, page_html("Account confirmed", "<p id=\"confirmed\">Your registration has been confirmed.</p>"), vec![]),
        Err(e) => Reply::Html(
            400,
            page_html("Confirmation failed", &format!(r#"<p class="err" id="error">{}: {}</p>"#, esc(&e.name), esc(&e.message))),
            vec![],
        ),
    }
}

/// The stand-in for Google/Facebook/Amazon/Apple/OIDC/SAML: a consent page with the profile
/// the "provider" will return.
pub fn idp_get(db: &Db, provider: &str, query: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let slug = provider.to_lowercase();
    let body = form(
        &format!("/_emulator/idp/{}?{}", url_encode(provider), a.query),
        &[],
        &[
            Field { name: "email", label: "Email at the provider", kind: "email", value: &format!("{slug}.user@example.com") },
            Field { name: "name", label: "Name", kind: "text", value: &format!("{provider} User") },
            Field { name: "sub", label: "Provider user id", kind: "text", value: &format!("{slug}-10001") },
        ],
        "Allow",
        None,
        &format!(
            r#"<form method="post" action="/_emulator/idp/{}?{}"><button type="submit" name="action" value="cancel" id="cancel" style="background:#777">Cancel</button></form>"#,
            esc(&url_encode(provider)),
            esc(&a.query)
        ),
    );
    Reply::Html(200, page_html(&format!("Sign in with {provider} (emulated)"), &body), vec![])
}

pub fn idp_post(db: &mut Db, ctx: &Ctx, provider: &str, query: &str, form_body: &str) -> Reply {
    let a = match validate(db, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = form_decode(form_body);
    if param(&f, "action") == Some("cancel") {
        return redirect_error(&a, "access_denied", "User cancelled the sign-in at the identity provider");
    }
    let Some(pool) = db.pools.get_mut(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let Some(idp) =
        pool.config.identity_providers.iter().find(|i| i.name == provider || i.identifiers.iter().any(|x| x == provider)).cloned()
    else {
        return redirect_error(&a, "invalid_request", "unknown identity provider");
    };
    let profile: std::collections::BTreeMap<String, String> = f.iter().filter(|(k, _)| k != "action").cloned().collect();
    let sub = profile.get("sub").cloned().unwrap_or_else(uuid);
    let username = format!("{}_{}", idp.name, sub);
    let mapped: std::collections::BTreeMap<String, String> = idp
        .attribute_mapping
        .iter()
        .filter_map(|(pool_attr, idp_attr)| Some((pool_attr.clone(), profile.get(idp_attr)?.clone())))
        .collect();
    let first = !pool.users.contains_key(&username);
    // A first federated sign-in is a sign-up: PreSignUp_ExternalProvider, then postConfirmation;
    // postAuthentication only once the user exists.
    let decision = if first {
        match crate::triggers::pre_sign_up(db, &a.pool, &username, "PreSignUp_ExternalProvider", json!(mapped), vec![]) {
            Ok(d) => d,
            Err(e) => return redirect_error(&a, "invalid_request", &e.message),
        }
    } else {
        crate::triggers::SignUpDecision::default()
    };
    let Some(pool) = db.pools.get_mut(&a.pool) else { return error_page_redirect("server_error", &a.client.id) };
    let now = pool.now();
    let user = pool.users.entry(username.clone()).or_insert_with(|| {
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
    let trigger = if first {
        crate::triggers::post_confirmation(db, &a.pool, &username, "PostConfirmation_ConfirmSignUp")
    } else {
        crate::triggers::post_authentication(db, &a.pool, &username, false)
    };
    if let Err(e) = trigger {
        return redirect_error(&a, "invalid_request", &e.message);
    }
    complete(db, ctx, &a, &username, None)
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::Json(status, json!({"error": error, "error_description": description}), vec![])
}

/// Client authentication at /oauth2/token and /oauth2/revoke: Basic or form fields.
fn client_auth<'a>(
    db: &'a Db,
    authorization: Option<&str>,
    form: &[(String, String)],
) -> Result<(&'a Pool, &'a ClientConfig, bool), Reply> {
    let (id, secret, basic) = match authorization.and_then(|h| h.strip_prefix("Basic ")) {
        Some(b) => {
            // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
            let decoded = base64_decode(b.trim()).and_then(|d| String::from_utf8(d).ok()).unwrap_or_default();
            let (i, s) = decoded.split_once(':').unwrap_or((&decoded, ""));
            let part = |x: &str| cognito_proto::codec::url_decode(x).unwrap_or_default();
            (part(i), Some(part(s)), true)
        }
        None => (param(form, "client_id").unwrap_or("").to_string(), param(form, "client_secret").map(String::from), false),
    };
    let Some((pool, client)) = db.find_client(&id) else {
        return Err(oauth_error(if basic { 401 } else { 400 }, "invalid_client", "unknown client"));
    };
    if let Some(expected) = &client.secret {
        if !secret.as_deref().is_some_and(|s| ct_eq(s.as_bytes(), expected.as_bytes())) {
            return Err(oauth_error(if basic { 401 } else { 400 }, "invalid_client", "client authentication failed"));
        }
    }
    Ok((pool, client, basic))
}

pub fn token(db: &mut Db, ctx: &Ctx, content_type: &str, authorization: Option<&str>, form_body: &str) -> Reply {
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    let f = form_decode(form_body);
    let (pool_id, client) = match client_auth(db, authorization, &f) {
        Ok((p, c, _)) => (p.config.id.clone(), c.clone()),
        Err(r) => return r,
    };
    db.count(&pool_id, &format!("oauth2/token:{}", param(&f, "grant_type").unwrap_or("")));
    match param(&f, "grant_type") {
        Some("authorization_code") => {
            let code = param(&f, "code").unwrap_or("");
            let Some(c) = db.runtime.auth_codes.remove(code) else {
                return oauth_error(400, "invalid_grant", "invalid or used authorization code");
            };
            let now = db.pools.get(&c.pool).map(|p| p.now()).unwrap_or_else(system_now);
            if c.client != client.id || c.expires <= now {
                return oauth_error(400, "invalid_grant", "authorization code expired or issued to another client");
            }
            if param(&f, "redirect_uri") != Some(c.redirect_uri.as_str()) {
                return oauth_error(400, "invalid_grant", "redirect_uri does not match the authorization request");
            }
            if let Some(challenge) = &c.code_challenge {
                let Some(verifier) = param(&f, "code_verifier") else {
                    return oauth_error(400, "invalid_grant", "code_verifier is required");
                };
                let computed = base64url_encode(&sha256(&[verifier.as_bytes()]));
                if !ct_eq(computed.as_bytes(), challenge.as_bytes()) {
                    return oauth_error(400, "invalid_grant", "code_verifier does not match code_challenge");
                }
            }
            let issued = match issue_tokens(
                db,
                ctx,
                &c.pool,
                &client,
                &c.username,
                Issue {
                    scopes: Some(c.scopes.clone()),
                    nonce: c.nonce.clone(),
                    with_refresh: true,
                    origin: Some((uuid(), c.auth_time)),
                    source: Some("TokenGeneration_HostedAuth"),
                    ..Default::default()
                },
            ) {
                Ok(i) => i,
                Err(e) => return oauth_error(400, "invalid_grant", &e.message),
            };
            let mut out = json!({"access_token": issued.access_token, "refresh_token": issued.refresh_token, "token_type": "Bearer", "expires_in": issued.expires_in});
            if c.scopes.iter().any(|s| s == "openid") {
                out["id_token"] = json!(issued.id_token);
            }
            Reply::Json(200, out, vec![])
        }
        Some("refresh_token") => {
            let rt = param(&f, "refresh_token").unwrap_or("");
            let device = param(&f, "device_key");
            match refresh_tokens(db, ctx, &client, rt, device) {
                Ok(issued) => {
                    let mut out = json!({"access_token": issued.access_token, "id_token": issued.id_token, "token_type": "Bearer", "expires_in": issued.expires_in});
                    if let Some(r) = issued.refresh_token {
                        out["refresh_token"] = json!(r);
                    }
                    Reply::Json(200, out, vec![])
                }
                Err(e) => oauth_error(400, "invalid_grant", &e.message),
            }
        }
        Some("client_credentials") => oauth_error(400, "unauthorized_client", "client_credentials is not supported by this emulator"),
        _ => oauth_error(400, "unsupported_grant_type", ""),
    }
}

pub fn user_info(db: &Db, ctx: &Ctx, authorization: Option<&str>) -> Reply {
    let bad = |d: &str| {
        Reply::Json(
            401,
            json!({"error": "invalid_token", "error_description": d}),
            vec![("WWW-Authenticate".into(), format!("error=\"invalid_token\", error_description=\"{d}\""))],
        )
    };
    let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
        return Reply::Json(
            400,
            json!({"error": "invalid_request"}),
            vec![("WWW-Authenticate".into(), "error=\"invalid_request\", error_description=\"Bearer token required\"".into())],
        );
    };
    let Some(claims) = crate::tokens::header_kid(token).and_then(|k| db.runtime.keys.get(&k)).and_then(|k| k.verify(token)) else {
        return bad("Access token is expired, disabled, or deleted, or the user has globally signed out.");
    };
    let pool_id = claims["iss"].as_str().and_then(|i| i.rsplit('/').next()).unwrap_or("");
    let Some(pool) = db.pools.get(pool_id) else { return bad("Invalid token") };
    let scopes: Vec<&str> = claims["scope"].as_str().unwrap_or("").split(' ').collect();
    let revoked = claims["origin_jti"].as_str().is_some_and(|o| db.is_revoked(o));
    if claims["token_use"] != "access"
        || claims["exp"].as_i64().unwrap_or(0) <= pool.now()
        || revoked
        || claims["iss"].as_str() != Some(&issuer(db, ctx, pool_id))
    {
        return bad("Access token is expired, disabled, or deleted, or the user has globally signed out.");
    }
    if !scopes.contains(&"openid") {
        return bad("Access token does not contain openid scope");
    }
    let Some(user) = claims["username"].as_str().and_then(|u| pool.users.get(u)) else { return bad("User does not exist") };
    let mut out = json!({"sub": user.sub, "username": user.username});
    for (k, v) in &user.attributes {
        let ok = if k.starts_with("email") {
            scopes.contains(&"email")
        } else if k.starts_with("phone_number") {
            scopes.contains(&"phone")
        } else {
            k != "sub" && (scopes.contains(&"profile") || k.starts_with("custom:"))
        };
        if ok {
            out[k.as_str()] = json!(v); // *_verified stay strings here, as Cognito does.
        }
    }
    Reply::Json(200, out, vec![])
}

pub fn revoke(db: &mut Db, authorization: Option<&str>, form_body: &str) -> Reply {
    let f = form_decode(form_body);
    let client = match client_auth(db, authorization, &f) {
        Ok((_, c, _)) => c.clone(),
        Err(r) => return r,
    };
    let Some(token) = param(&f, "token") else { return oauth_error(400, "invalid_request", "token is required") };
    if !client.enable_token_revocation {
        return oauth_error(400, "invalid_request", "token revocation is disabled for this client");
    }
    if token.split('.').count() == 3 {
        return oauth_error(400, "unsupported_token_type", "only refresh tokens can be revoked");
    }
    if let Some(r) = db.refresh_tokens.get_mut(token) {
        if r.client == client.id {
            r.revoked = true;
            let o = r.origin_jti.clone();
            db.revoked_origins.push(o);
        }
    }
    Reply::Empty(200)
}

pub fn logout(db: &mut Db, query: &str, cookies: &str) -> Reply {
    let q = form_decode(query);
    let client_id = param(&q, "client_id").unwrap_or("");
    let Some((_, client)) = db.find_client(client_id) else { return error_page_redirect("invalid_client", client_id) };
    let clear = vec![("Set-Cookie".to_string(), format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"))];
    let drop_session = |db: &mut Db| {
        if let Some(id) = cookie_of(cookies, SESSION_COOKIE) {
            db.runtime.hosted.remove(id);
        }
    };
    if let Some(uri) = param(&q, "logout_uri") {
        if !client.logout_urls.iter().any(|u| u == uri) {
            return error_page_redirect("redirect_mismatch", client_id);
        }
        let uri = uri.to_string();
        drop_session(db);
        return Reply::Redirect(uri, clear);
    }
    if param(&q, "redirect_uri").is_some() {
        if validate(db, query).is_err() {
            return error_page_redirect("redirect_mismatch", client_id);
        }
        drop_session(db);
        return Reply::Redirect(format!("/login?{query}"), clear);
    }
    error_page_redirect("invalid_request", client_id)
}

pub fn error_page(query: &str) -> Reply {
    let q = form_decode(query);
    let e = param(&q, "error").unwrap_or("unknown_error");
    Reply::Html(400, page_html("An error was encountered", &format!(r#"<p class="err" id="error">{}</p>"#, esc(e))), vec![])
}
