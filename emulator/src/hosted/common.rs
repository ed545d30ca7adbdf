//! What every hosted page and OAuth endpoint shares: the answer type, the validated
//! `/oauth2/authorize` request, error redirects, and the hosted UI's session cookie.

use crate::config::ClientConfig;
use crate::state::*;
use cognito_proto::codec::{base64_decode, form_decode, form_encode, url_encode};
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

pub fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

pub fn error_page_redirect(error: &str, client_id: &str) -> Reply {
    Reply::Redirect(format!("/error?error={}&client_id={}", url_encode(error), url_encode(client_id)), vec![])
}

/// Redirects an OAuth error to the app (only once client and redirect URI are known good).
pub fn redirect_error(a: &Authorize, error: &str, description: &str) -> Reply {
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

pub fn cookie_of<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies.split(';').map(str::trim).find_map(|c| c.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

pub fn hosted_session(db: &Db, a: &Authorize, cookies: &str) -> Option<HostedSession> {
    let id = cookie_of(cookies, SESSION_COOKIE)?;
    let s = db.runtime.hosted.get(id)?;
    let now = db.pools.get(&s.pool)?.now();
    (s.pool == a.pool && s.expires > now && db.pools.get(&s.pool)?.users.contains_key(&s.username)).then(|| s.clone())
}
