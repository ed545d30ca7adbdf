//! The end of a hosted sign-in: the session cookie, then back to the app with an authorization
//! code (or, implicit grant, the tokens in the fragment); and `/oauth2/authorize` itself, which
//! skips the pages when the cookie's session is still good.

use super::common::{hosted_session, param, redirect_error, validate, Authorize, Reply, SESSION_COOKIE};
use super::pages::login_page;
use crate::call::Call;
use crate::issue::{issue_tokens, Issue};
use crate::shared::Tx;
use crate::state::*;
use crate::triggers::TokenSource;
use crate::util::*;
use cognito_proto::codec::{form_decode, form_encode, url_encode};

/// A sign-in on the hosted pages succeeded: postAuthentication, then back to the app.
pub fn finish(tx: &mut Tx, call: &Call, a: &Authorize, username: &str) -> Reply {
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
pub fn complete(tx: &mut Tx, call: &Call, a: &Authorize, username: &str, auth_time: Option<i64>) -> Reply {
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
    super::pages::error_page(e)
}
