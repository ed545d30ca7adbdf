//! Hosted-UI sign-in by redirect (OAuth 2.0 authorization code with PKCE, RFC 7636) and the
//! `state` that carries a one-time nonce and an allow-listed return path.
//!
//! ```text
//! app ──302──▶ {domain}/oauth2/authorize?response_type=code&client_id&redirect_uri&scope
//!                 &state=base64url({"n": nonce, "r": returnTo})&code_challenge=S256(verifier)
//!                 &code_challenge_method=S256&nonce=<oidc nonce>[&identity_provider|idp_identifier
//!                 &login_hint&lang&prompt]
//! stored:  oauth.<nonce> = {verifier, oidcNonce, returnTo, redirectUri, createdAt, expiresAt}
//! Cognito ──302──▶ redirect_uri?code&state          (or ?error&error_description&state)
//! app: decode state → load and delete oauth.<nonce> (single use, any tab of this browser)
//!      → check expiry and returnTo → POST {domain}/oauth2/token grant_type=authorization_code
//!        &code&redirect_uri&client_id&code_verifier → check the ID token's nonce → store tokens
//! ```
//! `code_challenge = base64url(SHA-256(ASCII(code_verifier)))`, verifier 86 characters of
//! base64url from 64 CSPRNG bytes (RFC 7636 §4.1 allows 43-128).

use crate::api::{HttpRequest, HttpResponse, Tokens};
use crate::codec::{has, base64_decode, base64_encode, base64url_encode, form_component, form_decode, form_encode, url_decode};
use crate::config::{HostedUiConfig, Url};
use crate::crypto::sha256;
use crate::error::{Error, ErrorKind};
use crate::json::{Json, Raw};
use crate::prelude::*;
use crate::types::*;

/// A PKCE code verifier (secret: redacted in Debug).
#[derive(Clone)]
pub struct PkceVerifier(String);

impl core::fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

impl PkceVerifier {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// `(challenge, verifier)` made together so the verifier cannot be lost.
#[derive(Clone, Debug)]
pub struct Pkce {
    pub challenge: String,
    pub verifier: PkceVerifier,
}

impl Pkce {
    pub fn from_random(bytes: &[u8; 64]) -> Pkce {
        Pkce::from_verifier(base64url_encode(bytes))
    }
    /// `challenge = base64url(SHA-256(verifier))`.
    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = base64url_encode(&sha256(&[verifier.as_bytes()]));
        Pkce { challenge, verifier: PkceVerifier(verifier) }
    }
}

/// `state = base64url({"n": nonce, "r": returnTo})`.
pub fn encode_state(nonce: &str, return_to: &str) -> String {
    base64url_encode(Json::object(vec![("n", Json::from(nonce)), ("r", Json::from(return_to))]).to_text().as_bytes())
}

/// The nonce and return path in a `state`, or InvalidStateError.
pub fn decode_state(state: &str) -> Result<(String, String), Error> {
    let bad = || Error::invalid_state("the state parameter is not one this app created (altered or foreign)");
    let bytes = base64_decode(state).ok_or_else(bad)?;
    let v = Json::parse(core::str::from_utf8(&bytes).map_err(|_| bad())?).map_err(|_| bad())?;
    let nonce =
        v.str("n").filter(|n| n.len() >= 16 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).ok_or_else(bad)?;
    Ok((nonce.to_string(), v.str("r").ok_or_else(bad)?.to_string()))
}

/// One redirect sign-in in progress.
#[derive(Clone, Debug)]
pub struct Transaction {
    pub nonce: String,
    pub verifier: PkceVerifier,
    pub oidc_nonce: String,
    pub return_to: String,
    pub redirect_uri: String,
    pub created_ms: f64,
    pub expires_ms: f64,
    /// `signInWithRedirect({addAccount: true})`: the account signing in joins the accounts
    /// already signed in instead of taking the current one's place.
    pub add_account: bool,
}

/// A redirect sign-in must come back within this time.
pub const TRANSACTION_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;

impl Transaction {
    pub fn to_json(&self) -> String {
        Json::object(vec![
            ("verifier", Json::from(self.verifier.expose())),
            ("oidcNonce", Json::from(self.oidc_nonce.as_str())),
            ("returnTo", Json::from(self.return_to.as_str())),
            ("redirectUri", Json::from(self.redirect_uri.as_str())),
            ("createdAt", Json::int(self.created_ms as i64)),
            ("expiresAt", Json::int(self.expires_ms as i64)),
            ("addAccount", Json::Bool(self.add_account)),
        ])
        .to_text()
    }
    pub fn from_json(nonce: &str, text: &str) -> Option<Transaction> {
        let v = Json::parse(text).ok()?;
        Some(Transaction {
            nonce: nonce.to_string(),
            verifier: PkceVerifier(v.str("verifier")?.to_string()),
            oidc_nonce: v.str("oidcNonce")?.to_string(),
            return_to: v.str("returnTo")?.to_string(),
            redirect_uri: v.str("redirectUri")?.to_string(),
            created_ms: v.get("createdAt")?.as_i64()? as f64,
            expires_ms: v.get("expiresAt")?.as_i64()? as f64,
            add_account: v.get("addAccount").and_then(Json::as_bool).unwrap_or(false),
        })
    }
}

fn bad_path(why: &str, input: &str) -> Error {
    let shown: String = input.chars().take(80).collect();
    Error::new(ErrorKind::InvalidReturnPath, String::from("return path \"") + &shown + "\" refused: " + why)
}

/// Accepts only relative paths on `allowed` (or same-origin URLs reducing to them). Refuses
/// other origins, `//host`, backslashes, schemes such as `javascript:`, control characters,
/// and all of these percent-encoded (decoded up to three times).
pub fn validate_return_path(input: &str, app_origin: &str, allowed: &[String]) -> Result<String, Error> {
    let mut decoded = input.to_string();
    for _ in 0..3 {
        let lower = decoded.to_ascii_lowercase();
        if decoded.contains('\\') || decoded.chars().any(|c| c.is_control()) {
            return Err(bad_path("backslashes and control characters are not allowed", input));
        }
        if lower.trim_start().starts_with("//") || has(&lower, "javascript:") || has(&lower, "data:") || has(&lower, "vbscript:") {
            return Err(bad_path("not a path on this site", input));
        }
        match url_decode(&decoded) {
            Some(d) if d != decoded => decoded = d,
            Some(_) => break,
            None => return Err(bad_path("bad percent-encoding", input)),
        }
    }
    let path = if input.starts_with('/') {
        input.to_string()
    } else {
        // Absolute URL: only this origin, reduced to its path.
        let u = Url::parse(input).ok_or_else(|| bad_path("not a relative path", input))?;
        let app = Url::parse(app_origin).ok_or_else(|| bad_path("app origin unknown", input))?;
        if u.origin() != app.origin() {
            return Err(bad_path("another origin", input));
        }
        if u.rest.is_empty() {
            "/".to_string()
        } else {
            u.rest.clone()
        }
    };
    if !path.starts_with('/') || path.starts_with("//") || path.starts_with("/\\") {
        return Err(bad_path("not a path on this site", input));
    }
    let only_path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let allowed_here = allowed.iter().any(|a| match a.strip_suffix('*') {
        Some(prefix) => only_path.starts_with(prefix),
        None => only_path == a,
    });
    if !allowed_here {
        return Err(bad_path("not on hostedUi.allowedReturnPaths", input));
    }
    Ok(path)
}

/// Options of an authorize request.
#[derive(Clone, Debug, Default)]
pub struct AuthorizeOptions {
    /// COGNITO, Google, Facebook, LoginWithAmazon, SignInWithApple or a custom provider name.
    pub provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub login_hint: Option<String>,
    pub lang: Option<String>,
    pub prompt: Option<String>,
}

/// The `/oauth2/authorize` URL.
pub fn authorize_url(h: &HostedUiConfig, client: &ClientId, state: &str, pkce: &Pkce, oidc_nonce: &str, o: &AuthorizeOptions) -> String {
    let scope = h.scopes.join(" ");
    let mut q: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client.as_str()),
        ("redirect_uri", &h.redirect_sign_in),
        ("scope", &scope),
        ("state", state),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
        ("nonce", oidc_nonce),
    ];
    // identity_provider and idp_identifier are exclusive; prompt=none resumes without one.
    match (&o.idp_identifier, &o.provider) {
        (Some(i), _) => q.push(("idp_identifier", i)),
        (None, Some(p)) => q.push(("identity_provider", p)),
        (None, None) if o.prompt.as_deref() != Some("none") => q.push(("identity_provider", "COGNITO")),
        _ => {}
    }
    for (k, v) in [("login_hint", &o.login_hint), ("lang", &o.lang), ("prompt", &o.prompt)] {
        if let Some(v) = v {
            q.push((k, v));
        }
    }
    h.domain.clone() + "/oauth2/authorize?" + &form_encode(&q)
}

/// HTTP Basic client authentication (RFC 6749 §2.3.1): the client id and the secret are each
/// form-encoded (Appendix B) before they are joined with `:` and base64-encoded, so that a `:`
/// or a non-ASCII character in a secret survives.
pub fn basic_auth(client: &ClientId, secret: &ClientSecret) -> String {
    let pair = form_component(client.as_str()) + ":" + &form_component(secret.expose());
    String::from("Basic ") + &base64_encode(pair.as_bytes())
}

fn form_post<'a>(url: String, client: &'a ClientId, secret: Option<&ClientSecret>, mut fields: Vec<(&'a str, &'a str)>) -> HttpRequest {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded".to_string())];
    match secret {
        Some(s) => headers.push(("Authorization", basic_auth(client, s))),
        None => fields.push(("client_id", client.as_str())),
    }
    HttpRequest::new("POST", url, headers, Some(form_encode(&fields)))
}

/// The code exchange at `/oauth2/token`.
pub fn token_request(
    h: &HostedUiConfig,
    client: &ClientId,
    secret: Option<&ClientSecret>,
    code: &str,
    redirect_uri: &str,
    verifier: &PkceVerifier,
) -> HttpRequest {
    form_post(
        h.domain.clone() + "/oauth2/token",
        client,
        secret,
        vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri), ("code_verifier", verifier.expose())],
    )
}

/// A refresh at `/oauth2/token` (hosted-UI sessions keep their scopes this way).
pub fn refresh_request(
    domain: &str,
    client: &ClientId,
    secret: Option<&ClientSecret>,
    refresh: &RefreshToken,
    device: Option<&DeviceKey>,
) -> HttpRequest {
    let mut f = vec![("grant_type", "refresh_token"), ("refresh_token", refresh.expose())];
    if let Some(d) = device {
        f.push(("device_key", d.as_str()));
    }
    form_post(String::from(domain) + "/oauth2/token", client, secret, f)
}

/// `/oauth2/revoke` for a refresh token.
pub fn revoke_request(h: &HostedUiConfig, client: &ClientId, secret: Option<&ClientSecret>, refresh: &RefreshToken) -> HttpRequest {
    form_post(h.domain.clone() + "/oauth2/revoke", client, secret, vec![("token", refresh.expose())])
}

/// `/logout?client_id&logout_uri`
pub fn logout_url(h: &HostedUiConfig, client: &ClientId) -> String {
    h.domain.clone() + "/logout?" + &form_encode(&[("client_id", client.as_str()), ("logout_uri", &h.redirect_sign_out)])
}

/// What a callback URL carries (query first, then fragment).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

pub fn parse_callback(url: &str) -> Callback {
    let (before_hash, fragment) = url.split_once('#').unwrap_or((url, ""));
    let query = before_hash.split_once('?').map(|x| x.1).unwrap_or("");
    let mut pairs = form_decode(query);
    pairs.extend(form_decode(fragment));
    let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    Callback { code: get("code"), state: get("state"), error: get("error"), error_description: get("error_description") }
}

/// The callback URL without the OAuth parameters (for `history.replaceState`).
pub fn strip_callback_params(url: &str) -> String {
    const DROP: [&str; 6] = ["code", "state", "error", "error_description", "error_uri", "session_state"];
    let (before_hash, fragment) = match url.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (url, None),
    };
    let (path, query) = before_hash.split_once('?').unwrap_or((before_hash, ""));
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !DROP.contains(&p.split('=').next().unwrap_or(""))).collect();
    let mut out = path.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        let kept_f: Vec<&str> = f.split('&').filter(|p| !p.is_empty() && !DROP.contains(&p.split('=').next().unwrap_or(""))).collect();
        if !kept_f.is_empty() {
            out.push('#');
            out.push_str(&kept_f.join("&"));
        }
    }
    out
}

/// `/oauth2/token` answer → tokens, or the OAuth error (`error`, `error_description`).
pub fn parse_token_response(resp: &HttpResponse) -> Result<Tokens, Error> {
    let v = Raw::parse(&resp.body).map_err(|_| {
        if resp.status >= 500 {
            Error::oauth("server_error", "the token endpoint failed")
        } else {
            Error::protocol("the token endpoint answered with a body that is not JSON")
        }
    })?;
    if !(200..300).contains(&resp.status) {
        let description = v.str("error_description").or_else(|| v.str("error_message")).unwrap_or_default();
        return Err(Error::oauth(&v.str("error").unwrap_or_else(|| "server_error".into()), &description));
    }
    let id = v.str("id_token").ok_or_else(|| Error::oauth("invalid_scope", "no id_token: add the openid scope to hostedUi.scopes"))?;
    let access = v.str("access_token").ok_or_else(|| Error::protocol("token endpoint answer without access_token"))?;
    Ok(Tokens {
        id_token: IdToken::new(id),
        access_token: AccessToken::new(access),
        refresh_token: v.str("refresh_token").map(RefreshToken::new),
        expires_in: v.get("expires_in").and_then(Raw::as_i64).unwrap_or(3600),
        new_device: None,
    })
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…` for authenticator apps.
pub fn totp_uri(issuer: &str, account: &str, secret: &str) -> String {
    let label = crate::codec::url_encode(issuer) + ":" + &crate::codec::url_encode(account);
    String::from("otpauth://totp/") + &label + "?" + &form_encode(&[("secret", secret), ("issuer", issuer)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let r = Pkce::from_random(&[7u8; 64]);
        assert_eq!(r.verifier.expose().len(), 86);
        assert!((43..=128).contains(&r.verifier.expose().len()));
        assert!(format!("{:?}", r.verifier).contains("redacted"));
    }

    #[test]
    fn state_round_trip_and_tamper() {
        let s = encode_state("n0nce-abcdefghijklmnop", "/app?x=1");
        assert_eq!(decode_state(&s).unwrap(), ("n0nce-abcdefghijklmnop".into(), "/app?x=1".into()));
        for bad in ["", "!!!", &base64url_encode(b"{\"n\":\"short\",\"r\":\"/\"}"), &base64url_encode(b"{\"r\":\"/\"}"), &(s.clone() + "x")]
        {
            assert_eq!(decode_state(bad).unwrap_err().name(), "InvalidStateError", "{bad}");
        }
    }

    #[test]
    fn return_paths_refuse_open_redirects() {
        let allowed = vec!["/".to_string(), "/app/*".to_string(), "/settings".to_string()];
        let o = "https://app.example";
        for ok in ["/", "/app/orders?id=1#top", "/settings", "https://app.example/app/x", "https://app.example"] {
            assert!(validate_return_path(ok, o, &allowed).is_ok(), "{ok}");
        }
        assert_eq!(validate_return_path("https://app.example/app/x?y=1", o, &allowed).unwrap(), "/app/x?y=1");
        for bad in [
            "https://evil.example/app/x",
            "//evil.example/app/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "%2F%2Fevil.example",
            "%252F%252Fevil.example",
            "/%5Cevil.example",
            "java%0Ascript:alert(1)",
            "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
            "/admin",
            "/settings/extra",
            "evil.example/app/",
            "https://app.example.evil.example/app/",
            "https://user@app.example/app/",
            "/app/%zz",
            "data:text/html,x",
            " //evil.example",
        ] {
            let e = validate_return_path(bad, o, &allowed).unwrap_err();
            assert_eq!(e.name(), "InvalidReturnPathError", "{bad}");
        }
    }

    fn hosted() -> HostedUiConfig {
        HostedUiConfig {
            domain: "https://app.auth.us-east-1.amazoncognito.com".into(),
            redirect_sign_in: "https://app.example/cb".into(),
            redirect_sign_out: "https://app.example/".into(),
            scopes: vec!["openid".into(), "email".into()],
            allowed_return_paths: vec!["/".into()],
        }
    }

    #[test]
    fn urls_and_requests() {
        let h = hosted();
        let c = ClientId::new("cid");
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        let u = authorize_url(
            &h,
            &c,
            "ST",
            &p,
            "ON",
            &AuthorizeOptions { provider: Some("Google".into()), login_hint: Some("a@b.c".into()), ..Default::default() },
        );
        assert_eq!(
            u,
            "https://app.auth.us-east-1.amazoncognito.com/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid%20email&state=ST&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=ON&identity_provider=Google&login_hint=a%40b.c"
        );
        let u = authorize_url(&h, &c, "ST", &p, "ON", &AuthorizeOptions { prompt: Some("none".into()), ..Default::default() });
        assert!(!u.contains("identity_provider") && u.ends_with("&prompt=none"));
        let u = authorize_url(
            &h,
            &c,
            "ST",
            &p,
            "ON",
            &AuthorizeOptions {
                provider: Some("MySaml".into()),
                idp_identifier: Some("example.com".into()),
                lang: Some("fr".into()),
                ..Default::default()
            },
        );
        assert!(u.ends_with("&idp_identifier=example.com&lang=fr"), "idp_identifier wins over identity_provider: {u}");
        let u = authorize_url(&h, &c, "ST", &p, "ON", &AuthorizeOptions::default());
        assert!(u.ends_with("&identity_provider=COGNITO"));
        let t = token_request(&h, &c, None, "CODE", "https://app.example/cb", &p.verifier);
        assert_eq!(t.url, "https://app.auth.us-east-1.amazoncognito.com/oauth2/token");
        assert_eq!(t.body.as_deref(), Some("grant_type=authorization_code&code=CODE&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=cid"));
        let s = ClientSecret::new("sec");
        let t = refresh_request(&h.domain, &c, Some(&s), &RefreshToken::new("R"), None);
        assert_eq!(t.headers[1], ("Authorization", "Basic Y2lkOnNlYw==".to_string()));
        // RFC 6749 §2.3.1: each part form-encoded first (a ':' in the secret stays in the secret).
        let odd = ClientSecret::new("s3c:r t+/é");
        assert_eq!(basic_auth(&c, &odd), String::from("Basic ") + &base64_encode(b"cid:s3c%3Ar+t%2B%2F%C3%A9"));
        assert_eq!(t.body.as_deref(), Some("grant_type=refresh_token&refresh_token=R"));
        assert_eq!(
            logout_url(&h, &c),
            "https://app.auth.us-east-1.amazoncognito.com/logout?client_id=cid&logout_uri=https%3A%2F%2Fapp.example%2F"
        );
    }

    #[test]
    fn callbacks() {
        let c = parse_callback("https://app.example/cb?code=abc&state=xyz&keep=1");
        assert_eq!((c.code.as_deref(), c.state.as_deref()), (Some("abc"), Some("xyz")));
        let e = parse_callback("https://app.example/cb?error_description=User+cancelled&state=s&error=access_denied");
        assert_eq!(e.error.as_deref(), Some("access_denied"));
        assert_eq!(e.error_description.as_deref(), Some("User cancelled"));
        let f = parse_callback("https://app.example/cb#error=invalid_request&state=s");
        assert_eq!(f.error.as_deref(), Some("invalid_request"));
        assert_eq!(strip_callback_params("https://app.example/cb?code=abc&state=xyz&keep=1#frag"), "https://app.example/cb?keep=1#frag");
        assert_eq!(strip_callback_params("/cb?code=a&state=b"), "/cb");
    }

    #[test]
    fn token_endpoint_answers() {
        let ok = HttpResponse {
            status: 200,
            body: r#"{"id_token":"i","access_token":"a","refresh_token":"r","expires_in":3600,"token_type":"Bearer"}"#.into(),
            ..Default::default()
        };
        let t = parse_token_response(&ok).unwrap();
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        let bad = HttpResponse { status: 400, body: r#"{"error":"invalid_grant"}"#.into(), ..Default::default() };
        let e = parse_token_response(&bad).unwrap_err();
        assert_eq!((e.name(), e.message().as_str()), ("OAuthError", "invalid_grant"));
        assert_eq!(
            totp_uri("My App", "alice@example.com", "ABC"),
            "otpauth://totp/My%20App:alice%40example.com?secret=ABC&issuer=My%20App"
        );
    }
}
