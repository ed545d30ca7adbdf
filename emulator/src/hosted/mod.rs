//! The hosted UI and OAuth 2.0 endpoints (the developer guide's "User pool endpoints and managed
//! login reference", RFC 6749, RFC 7636), on the emulator's origin:
//! `/oauth2/authorize`, `/login`, `/signup`, `/forgotPassword`, `/confirmUser`, an emulated
//! consent page per social provider, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`,
//! `/logout`, `/error`.
//!
//! ```text
//! /oauth2/authorize → validate (client, redirect URI, PKCE, scopes) → a session cookie? done
//!   → /login (pages.rs renders, login.rs answers: password, new password, confirmation, MFA)
//!   → complete: a code (or tokens, implicit) back to the redirect URI
//! /oauth2/token (oauth.rs): authorization_code (PKCE checked) | refresh_token
//! ```
//! Redirect URIs match exactly; public clients must use PKCE with S256; codes are single use
//! and live 5 minutes; the sign-in page sets a 1-hour session cookie so a second authorize
//! round trip does not prompt again (unless `prompt=login`).

mod login;
mod oauth;
mod pages;

pub use login::{confirm_user, forgot_post, idp_post, login_get, login_post, signup_post};
pub use oauth::{logout, revoke, token, user_info};
pub use pages::{forgot_get, idp_get, signup_get};

use crate::call::Call;
use crate::config::ClientConfig;
use crate::issue::{issue_tokens, Issue};
use crate::shared::Tx;
use crate::state::*;
use crate::triggers::TokenSource;
use crate::util::*;
use cognito_proto::codec::{base64_decode, form_decode, form_encode, url_encode};
use pages::login_page;
use serde_json::Value;

/// What the HTTP layer sends back.
pub enum Reply {
    Html(u16, String, Vec<(String, String)>),
    Redirect(String, Vec<(String, String)>),
    Json(u16, Value, Vec<(String, String)>),
    Empty(u16),
}

pub const SESSION_COOKIE: &str = "cognito_emulator_session";

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

pub(super) fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

pub(super) fn error_page_redirect(error: &str, client_id: &str) -> Reply {
    Reply::Redirect(format!("/error?error={}&client_id={}", url_encode(error), url_encode(client_id)), vec![])
}

/// Redirects an OAuth error to the app (only once client and redirect URI are known good).
pub(super) fn redirect_error(a: &Authorize, error: &str, description: &str) -> Reply {
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
fn finish(tx: &mut Tx, call: &Call, a: &Authorize, username: &str) -> Reply {
    if let Err(e) = crate::triggers::post_authentication(tx, call, &a.pool, username, false) {
        return login_page(tx, a, Some(&e.message), username);
    }
    complete(tx, call, a, username, None)
}

/// The implicit grant: tokens in the redirect's fragment.
fn implicit(tx: &mut Tx, call: &Call, a: &Authorize, username: &str, auth_time: i64, cookie: Vec<(String, String)>) -> Reply {
    let opts = Issue {
        scopes: Some(a.scopes.clone()),
        nonce: a.nonce.clone(),
        origin: Some((uuid(), auth_time)),
        source: TokenSource::HostedAuth,
        ..Default::default()
    };
    let issued = match issue_tokens(tx, call, &a.pool, &a.client, username, opts) {
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
    Reply::Redirect(format!("{}#{}", a.redirect_uri, form_encode(&f)), cookie)
}

/// Signs the user in to the hosted UI (cookie) and returns to the app with a code or tokens.
fn complete(tx: &mut Tx, call: &Call, a: &Authorize, username: &str, auth_time: Option<i64>) -> Reply {
    let now = tx.now_of(&a.pool);
    let auth_time = auth_time.unwrap_or(now);
    let sid = opaque_token(32);
    let session = HostedSession { pool: a.pool.clone(), username: username.into(), expires: now + 3600, auth_time };
    tx.runtime.hosted.insert(sid.clone(), session);
    let cookie = vec![("Set-Cookie".to_string(), format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"))];
    if a.response_type == "token" {
        return implicit(tx, call, a, username, auth_time, cookie);
    }
    let code = uuid();
    let grant = AuthCode {
        pool: a.pool.clone(),
        client: a.client.id.clone(),
        username: username.into(),
        redirect_uri: a.redirect_uri.clone(),
        code_challenge: a.code_challenge.clone(),
        nonce: a.nonce.clone(),
        scopes: a.scopes.clone(),
        expires: now + 300,
        auth_time,
    };
    tx.runtime.auth_codes.insert(code.clone(), grant);
    let mut q = vec![("code", code.as_str())];
    if let Some(s) = &a.state {
        q.push(("state", s));
    }
    let sep = if a.redirect_uri.contains('?') { '&' } else { '?' };
    Reply::Redirect(format!("{}{sep}{}", a.redirect_uri, form_encode(&q)), cookie)
}

pub fn authorize(tx: &mut Tx, call: &Call, query: &str, cookies: &str) -> Reply {
    let a = match validate(tx, query) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let session = hosted_session(tx, &a, cookies);
    if a.prompt.as_deref() == Some("none") {
        return match session {
            Some(s) => complete(tx, call, &a, &s.username, Some(s.auth_time)),
            None => redirect_error(&a, "login_required", ""),
        };
    }
    if let Some(p) = a.provider.as_deref().filter(|p| *p != "COGNITO") {
        return Reply::Redirect(format!("/_emulator/idp/{}?{}", url_encode(p), a.query), vec![]);
    }
    if let (Some(s), false) = (session, a.prompt.as_deref() == Some("login")) {
        return complete(tx, call, &a, &s.username, Some(s.auth_time));
    }
    Reply::Redirect(format!("/login?{}", a.query), vec![])
}

pub fn error_page(query: &str) -> Reply {
    let q = form_decode(query);
    let e = param(&q, "error").unwrap_or("unknown_error");
    pages::error_page(e)
}
