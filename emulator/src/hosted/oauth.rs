//! The OAuth 2.0 endpoints: `/oauth2/token` (authorization_code with PKCE, refresh_token),
//! `/oauth2/userInfo`, `/oauth2/revoke`, `/logout` (RFC 6749, RFC 7636, RFC 7009; the developer
//! guide's "Token endpoint", "UserInfo endpoint", "Revoke endpoint", "Logout endpoint").

use super::common::{cookie_of, error_page_redirect, param, validate, Reply, SESSION_COOKIE};
use crate::call::Call;
use crate::config::ClientConfig;
use crate::issue::{issue_tokens, refresh_tokens, scope_grants, Issue};
use crate::shared::Tx;
use crate::state::*;
use crate::triggers::TokenSource;
use crate::util::*;
use cognito_proto::codec::{base64_decode, base64url_encode, form_decode};
use cognito_proto::crypto::{ct_eq, sha256};
use serde_json::json;

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::Json(status, json!({"error": error, "error_description": description}), vec![])
}

/// Client authentication at /oauth2/token and /oauth2/revoke: Basic or form fields.
fn client_auth<'a>(db: &'a Db, authorization: Option<&str>, form: &[(String, String)]) -> Result<(&'a Pool, &'a ClientConfig), Reply> {
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
    Ok((pool, client))
}

pub fn token(tx: &mut Tx, call: &Call, content_type: &str, authorization: Option<&str>, form_body: &str) -> Reply {
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    let f = form_decode(form_body);
    let (pool_id, client) = match client_auth(tx, authorization, &f) {
        Ok((p, c)) => (p.config.id.clone(), c.clone()),
        Err(r) => return r,
    };
    let call = Call { client: Some(client.id.clone()), ..call.clone() };
    tx.count(&pool_id, &format!("oauth2/token:{}", param(&f, "grant_type").unwrap_or("")));
    match param(&f, "grant_type") {
        Some("authorization_code") => code_grant(tx, &call, &client, &f),
        Some("refresh_token") => {
            match refresh_tokens(tx, &call, &client, param(&f, "refresh_token").unwrap_or(""), param(&f, "device_key")) {
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

/// The code is single use, for this client and redirect URI, and (PKCE) its verifier hashes
/// to the challenge.
fn redeem(tx: &mut Tx, client: &ClientConfig, f: &[(String, String)]) -> Result<AuthCode, Reply> {
    let invalid = |d: &str| Err(oauth_error(400, "invalid_grant", d));
    let Some(c) = tx.runtime.auth_codes.remove(param(f, "code").unwrap_or("")) else {
        return invalid("invalid or used authorization code");
    };
    if c.client != client.id || c.expires <= tx.now_of(&c.pool) {
        return invalid("authorization code expired or issued to another client");
    }
    if param(f, "redirect_uri") != Some(c.redirect_uri.as_str()) {
        return invalid("redirect_uri does not match the authorization request");
    }
    if let Some(challenge) = &c.code_challenge {
        let Some(verifier) = param(f, "code_verifier") else { return invalid("code_verifier is required") };
        let computed = base64url_encode(&sha256(&[verifier.as_bytes()]));
        if !ct_eq(computed.as_bytes(), challenge.as_bytes()) {
            return invalid("code_verifier does not match code_challenge");
        }
    }
    Ok(c)
}

fn code_grant(tx: &mut Tx, call: &Call, client: &ClientConfig, f: &[(String, String)]) -> Reply {
    let c = match redeem(tx, client, f) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let opts = Issue {
        scopes: Some(c.scopes.clone()),
        nonce: c.nonce.clone(),
        with_refresh: true,
        origin: Some((uuid(), c.auth_time)),
        source: TokenSource::HostedAuth,
        ..Default::default()
    };
    let issued = match issue_tokens(tx, call, &c.pool, client, &c.username, opts) {
        Ok(i) => i,
        Err(e) => return oauth_error(400, "invalid_grant", &e.message),
    };
    let mut out = json!({"access_token": issued.access_token, "refresh_token": issued.refresh_token, "token_type": "Bearer", "expires_in": issued.expires_in});
    if c.scopes.iter().any(|s| s == "openid") {
        out["id_token"] = json!(issued.id_token);
    }
    Reply::Json(200, out, vec![])
}

pub fn user_info(db: &Db, call: &Call, authorization: Option<&str>) -> Reply {
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
        || claims["iss"].as_str() != Some(&db.issuer(&call.base, pool_id))
    {
        return bad("Access token is expired, disabled, or deleted, or the user has globally signed out.");
    }
    if !scopes.contains(&"openid") {
        return bad("Access token does not contain openid scope");
    }
    let Some(user) = claims["username"].as_str().and_then(|u| pool.users.get(u)) else { return bad("User does not exist") };
    let mut out = json!({"sub": user.sub, "username": user.username});
    for (k, v) in user.attributes.iter().filter(|(k, _)| *k != "sub") {
        if scope_grants(&scopes, k) {
            out[k.as_str()] = json!(v); // *_verified stay strings here, as Cognito does.
        }
    }
    Reply::Json(200, out, vec![])
}

pub fn revoke(db: &mut Db, authorization: Option<&str>, form_body: &str) -> Reply {
    let f = form_decode(form_body);
    let client = match client_auth(db, authorization, &f) {
        Ok((_, c)) => c.clone(),
        Err(r) => return r,
    };
    let Some(token) = param(&f, "token") else { return oauth_error(400, "invalid_request", "token is required") };
    if !client.enable_token_revocation {
        return oauth_error(400, "invalid_request", "token revocation is disabled for this client");
    }
    if token.split('.').count() == 3 {
        return oauth_error(400, "unsupported_token_type", "only refresh tokens can be revoked");
    }
    // A token of another client is left as it is, with the same answer.
    db.revoke_refresh_token(token, &client.id);
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
