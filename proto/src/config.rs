//! The `CognitoAuth` options, validated once at construction. Every mistake becomes a
//! `ConfigError` whose message says what to fix.

use crate::error::Error;
use crate::json::Json;
use crate::prelude::*;
use crate::types::{ClientId, ClientSecret, UserPoolId};
pub use crate::url::Url;

/// Where tokens live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageKind {
    LocalStorage,
    SessionStorage,
    Memory,
    /// A `{getItem, setItem, removeItem}` object supplied by the app.
    Custom,
    /// `document.cookie`, like Amplify's `CookieStorage`: sub-domains can share a session and a
    /// server can read the ID token.
    Cookie(CookieOptions),
}

/// `storage: {cookie: {domain, path, secure, sameSite, expires}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieOptions {
    /// `Domain=` (e.g. `example.com` to share with its sub-domains); host-only when absent.
    pub domain: Option<String>,
    /// `Path=`, default `/`.
    pub path: String,
    /// `Secure`; when absent, set on https pages only (so that http://localhost works).
    pub secure: Option<bool>,
    /// `SameSite=`: `strict`, `lax` (default) or `none` (which needs `secure`).
    pub same_site: String,
    /// Days until the cookies expire (default 365, like Amplify's).
    pub expires_days: i64,
}

/// How long a request may take before it is given up, by default (`requestTimeoutMs`).
pub const DEFAULT_REQUEST_TIMEOUT_MS: i64 = 15_000;

/// Headers the SDK sets itself: `headers` may not replace them.
const OWN_HEADERS: [&str; 4] = ["content-type", "x-amz-target", "x-amz-user-agent", "authorization"];

#[derive(Clone, Debug)]
pub struct HostedUiConfig {
    /// Base URL of the hosted UI, e.g. `https://myapp.auth.us-east-1.amazoncognito.com`.
    pub domain: String,
    pub redirect_sign_in: String,
    pub redirect_sign_out: String,
    pub scopes: Vec<String>,
    /// Relative paths a sign-in may return to; an entry ending in `*` matches a prefix.
    pub allowed_return_paths: Vec<String>,
}

pub const DEFAULT_SCOPES: [&str; 4] = ["openid", "email", "profile", "aws.cognito.signin.user.admin"];

/// An identity pool for AWS credentials (`identityPoolId`, `identityEndpoint`,
/// `allowGuestAccess`).
#[derive(Clone, Debug)]
pub struct IdentityPoolConfig {
    /// `<region>:<uuid>`.
    pub id: String,
    /// The cognito-identity endpoint, ending in `/`.
    pub endpoint: String,
    /// Guest (unauthenticated) credentials when nobody is signed in.
    pub allow_guest: bool,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub pool: UserPoolId,
    pub client_id: ClientId,
    pub client_secret: Option<ClientSecret>,
    /// The cognito-idp endpoint, ending in `/`.
    pub endpoint: String,
    /// The issuers whose tokens are accepted, each without a trailing `/`. By default a pool's
    /// two: `https://cognito-idp.<region>.amazonaws.com/<pool>` and, for pools with the
    /// updated issuer, `https://issuer-cognito-idp.<region>.amazonaws.com/<pool>`; a token's
    /// keys are fetched from its own issuer's JWKS.
    pub issuers: Vec<String>,
    /// Each request is given up after this long (a NetworkError, retryable).
    pub request_timeout_ms: u32,
    /// Extra headers on every request to Cognito (JSON API and hosted-UI endpoints).
    pub headers: Vec<(String, String)>,
    pub hosted_ui: Option<HostedUiConfig>,
    pub storage: StorageKind,
    /// The app client rotates refresh tokens: refresh with GetTokensFromRefreshToken.
    pub refresh_token_rotation: bool,
    /// User migration: an SRP sign-in of a user the pool does not know (UserNotFoundException)
    /// is tried once more with USER_PASSWORD_AUTH, so the userMigration trigger sees the password.
    pub migrate_users: bool,
    /// Verify every token received (signature, issuer, audience, expiry). Default true.
    pub verify_tokens: bool,
    /// Refresh this many seconds before the access or ID token expires.
    pub refresh_margin_secs: i64,
    /// Retries for throttling, 5xx and network failures (where a retry is safe).
    pub max_retries: u32,
    /// Name sent with ConfirmDevice for remembered devices.
    pub device_name: Option<String>,
    /// Issuer shown in authenticator apps for TOTP set-up (default: the pool name).
    pub app_name: Option<String>,
    pub identity_pool: Option<IdentityPoolConfig>,
}

fn field<'a>(v: &'a Json, k: &str) -> Result<Option<&'a str>, Error> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::config(String::from(k) + " must be a string")),
    }
}

fn flag(v: &Json, k: &str, default: bool) -> Result<bool, Error> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(Error::config(String::from(k) + " must be true or false")),
    }
}

fn number(v: &Json, k: &str, default: i64, min: i64, max: i64) -> Result<i64, Error> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(default),
        Some(n) => n.as_i64().filter(|x| (min..=max).contains(x)).ok_or_else(|| {
            Error::config(String::from(k) + " must be a whole number from " + &crate::json::itoa(min) + " to " + &crate::json::itoa(max))
        }),
    }
}

fn strings(v: &Json, k: &str) -> Result<Option<Vec<String>>, Error> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Arr(a)) => a
            .iter()
            .map(|x| x.as_str().map(String::from).ok_or_else(|| Error::config(String::from(k) + " must be an array of strings")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(Error::config(String::from(k) + " must be an array of strings")),
    }
}

/// An absolute http(s) URL; plain http only on loopback unless `insecure`.
fn checked_url(name: &str, value: &str, insecure: bool) -> Result<Url, Error> {
    let url = Url::parse(value).ok_or_else(|| Error::config(String::from(name) + " \"" + value + "\" is not an absolute http(s) URL"))?;
    if url.scheme == "http" && !url.is_loopback() && !insecure {
        return Err(Error::config(
            String::from(name)
                + " uses plain http on a non-loopback host; use https, or set allowInsecureEndpoint: true for a trusted test network",
        ));
    }
    Ok(url)
}

/// `storage: {cookie: {domain, path, secure, sameSite, expires}}`.
fn cookie_options(c: &Json) -> Result<CookieOptions, Error> {
    if c.as_object().is_none() {
        return Err(Error::config("storage.cookie must be an object: { domain, path, secure, sameSite, expires }"));
    }
    let same_site = field(c, "sameSite")?.unwrap_or("lax").to_ascii_lowercase();
    if !["strict", "lax", "none"].contains(&same_site.as_str()) {
        return Err(Error::config("storage.cookie.sameSite must be 'strict', 'lax' or 'none'"));
    }
    let secure = match c.get("secure") {
        None | Some(Json::Null) => None,
        _ => Some(flag(c, "secure", true)?),
    };
    if same_site == "none" && secure == Some(false) {
        return Err(Error::config("storage.cookie.sameSite 'none' needs secure: true (browsers refuse it otherwise)"));
    }
    let domain = field(c, "domain")?.map(|d| d.trim_start_matches('.').to_ascii_lowercase());
    if domain.as_deref().is_some_and(|d| d.is_empty() || !d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')) {
        return Err(Error::config("storage.cookie.domain must be a host name such as example.com"));
    }
    let path = field(c, "path")?.unwrap_or("/");
    if !path.starts_with('/') || path.contains([';', ',', ' ']) {
        return Err(Error::config("storage.cookie.path must be a path such as /"));
    }
    Ok(CookieOptions { domain, path: path.to_string(), secure, same_site, expires_days: number(c, "expires", 365, 1, 3650)? })
}

impl Config {
    /// The issuer a token names, when it is one of the accepted issuers.
    pub fn accepts_issuer(&self, iss: &str) -> bool {
        self.issuers.iter().any(|i| i == iss)
    }

    /// From the options object given to `new CognitoAuth(...)` (as JSON; the storage object
    /// itself is handled by the facade).
    pub fn from_json(v: &Json, custom_storage: bool) -> Result<Config, Error> {
        if v.as_object().is_none() {
            return Err(Error::config("CognitoAuth needs an options object: { userPoolId, clientId, ... }"));
        }
        let pool_id = field(v, "userPoolId")?
            .ok_or_else(|| Error::config("userPoolId is required, e.g. \"us-east-1_AbC123\" (Cognito console → User pools)"))?;
        let pool = UserPoolId::parse(pool_id)?;
        let client_id = field(v, "clientId")?.unwrap_or("");
        if client_id.is_empty() {
            return Err(Error::config("clientId is required: the app client id (Cognito console → App integration → App clients)"));
        }
        if client_id.len() > 128 || !client_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+') {
            return Err(Error::config(String::from("clientId \"") + client_id + "\" is not an app client id"));
        }
        let insecure = flag(v, "allowInsecureEndpoint", false)?;
        let endpoint = match field(v, "endpoint")? {
            Some(e) => {
                let u = checked_url("endpoint", e, insecure)?;
                let mut s = u.origin() + u.path();
                if !s.ends_with('/') {
                    s.push('/');
                }
                Some(s)
            }
            None => None,
        };
        let issuer_url = |i: &str| -> Result<String, Error> {
            let u = checked_url("issuer", i, insecure)?;
            Ok((u.origin() + u.path()).trim_end_matches('/').to_string())
        };
        let aws = |host: &str| String::from("https://") + host + "." + pool.region() + ".amazonaws.com/" + pool.as_str();
        let issuers = match (v.get("issuer"), &endpoint) {
            (Some(Json::Str(i)), _) => vec![issuer_url(i)?],
            (Some(Json::Arr(_)), _) => {
                let list = strings(v, "issuer")?.unwrap_or_default();
                if list.is_empty() {
                    return Err(Error::config("issuer must not be an empty list"));
                }
                list.iter().map(|i| issuer_url(i)).collect::<Result<Vec<_>, _>>()?
            }
            (Some(Json::Null) | None, Some(e)) => vec![e.trim_end_matches('/').to_string() + "/" + pool.as_str()],
            (Some(Json::Null) | None, None) => vec![aws("cognito-idp"), aws("issuer-cognito-idp")],
            (Some(_), _) => return Err(Error::config("issuer must be a URL or a list of URLs")),
        };
        let endpoint = endpoint.unwrap_or_else(|| String::from("https://cognito-idp.") + pool.region() + ".amazonaws.com/");

        let storage = match v.get("storage") {
            Some(o) if o.get("cookie").is_some() => StorageKind::Cookie(cookie_options(o.get("cookie").unwrap_or(&Json::Null))?),
            _ if custom_storage => StorageKind::Custom,
            None | Some(Json::Null) => StorageKind::LocalStorage,
            Some(Json::Str(s)) if s == "localStorage" => StorageKind::LocalStorage,
            Some(Json::Str(s)) if s == "sessionStorage" => StorageKind::SessionStorage,
            Some(Json::Str(s)) if s == "memory" => StorageKind::Memory,
            Some(_) => {
                return Err(Error::config(
                    "storage must be 'localStorage', 'sessionStorage', 'memory', { cookie: {...} } or an object with getItem, setItem and removeItem",
                ))
            }
        };
        let mut headers = vec![];
        match v.get("headers") {
            None | Some(Json::Null) => {}
            Some(Json::Obj(m)) => {
                for (k, h) in m {
                    let value = h.as_str().ok_or_else(|| Error::config(String::from("headers.") + k + " must be a string"))?;
                    let token = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                    if !token || value.contains(['\r', '\n']) {
                        return Err(Error::config(String::from("headers.") + k + " is not a valid HTTP header"));
                    }
                    if OWN_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                        return Err(Error::config(String::from("headers.") + k + " is set by the SDK itself"));
                    }
                    headers.push((k.clone(), value.to_string()));
                }
            }
            Some(_) => return Err(Error::config("headers must be an object of header names and string values")),
        }

        let hosted_ui = match v.get("hostedUi") {
            None | Some(Json::Null) => None,
            Some(h @ Json::Obj(_)) => {
                let domain = field(h, "domain")?
                    .ok_or_else(|| Error::config("hostedUi.domain is required, e.g. \"myapp.auth.us-east-1.amazoncognito.com\""))?;
                let domain = if crate::codec::has(domain, "://") { domain.to_string() } else { String::from("https://") + domain };
                let d = checked_url("hostedUi.domain", &domain, insecure)?;
                let redirect_sign_in = field(h, "redirectSignIn")?
                    .ok_or_else(|| Error::config("hostedUi.redirectSignIn is required: a callback URL registered on the app client"))?;
                checked_url("hostedUi.redirectSignIn", redirect_sign_in, insecure)?;
                let redirect_sign_out = field(h, "redirectSignOut")?.unwrap_or(redirect_sign_in);
                checked_url("hostedUi.redirectSignOut", redirect_sign_out, insecure)?;
                let scopes = strings(h, "scopes")?.unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());
                let allowed = strings(h, "allowedReturnPaths")?.unwrap_or_else(|| vec!["/".to_string()]);
                for p in &allowed {
                    if !p.starts_with('/') || p.starts_with("//") || p.contains('\\') {
                        return Err(Error::config(
                            String::from("hostedUi.allowedReturnPaths entry \"") + p + "\" must be a path starting with a single '/'",
                        ));
                    }
                }
                Some(HostedUiConfig {
                    domain: d.origin() + d.path().trim_end_matches('/'),
                    redirect_sign_in: redirect_sign_in.to_string(),
                    redirect_sign_out: redirect_sign_out.to_string(),
                    scopes,
                    allowed_return_paths: allowed,
                })
            }
            Some(_) => {
                return Err(Error::config(
                    "hostedUi must be an object: { domain, redirectSignIn, redirectSignOut, scopes, allowedReturnPaths }",
                ))
            }
        };

        let identity_pool = match field(v, "identityPoolId")? {
            None => None,
            Some(id) => {
                let region = id
                    .split_once(':')
                    .map(|(r, _)| r)
                    .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
                let Some(region) = region.filter(|_| id.len() == region.map_or(0, str::len) + 37) else {
                    return Err(Error::config(
                        String::from("identityPoolId \"") + id + "\" is not an identity pool id: expected <region>:<uuid>",
                    ));
                };
                let endpoint = match field(v, "identityEndpoint")? {
                    Some(e) => {
                        let u = checked_url("identityEndpoint", e, insecure)?;
                        u.origin() + u.path().trim_end_matches('/') + "/"
                    }
                    None => String::from("https://cognito-identity.") + region + ".amazonaws.com/",
                };
                Some(IdentityPoolConfig { id: id.to_string(), endpoint, allow_guest: flag(v, "allowGuestAccess", false)? })
            }
        };
        Ok(Config {
            identity_pool,
            pool,
            client_id: ClientId::new(client_id),
            client_secret: field(v, "clientSecret")?.filter(|s| !s.is_empty()).map(ClientSecret::new),
            endpoint,
            issuers,
            request_timeout_ms: number(v, "requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS, 100, 600_000)? as u32,
            headers,
            hosted_ui,
            storage,
            refresh_token_rotation: flag(v, "refreshTokenRotation", false)?,
            migrate_users: flag(v, "migrateUsers", false)?,
            verify_tokens: flag(v, "verifyTokens", true)?,
            refresh_margin_secs: number(v, "refreshMarginSeconds", 60, 0, 3000)?,
            max_retries: number(v, "maxRetries", 3, 0, 10)? as u32,
            device_name: field(v, "deviceName")?.map(String::from),
            app_name: field(v, "appName")?.map(String::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config, Error> {
        Config::from_json(&Json::parse(text).unwrap(), false)
    }

    #[test]
    fn defaults_point_at_the_public_endpoint() {
        let c = cfg(r#"{"userPoolId":"eu-west-1_AbC123","clientId":"abc123"}"#).unwrap();
        assert_eq!(c.endpoint, "https://cognito-idp.eu-west-1.amazonaws.com/");
        // Both issuer forms of the pool (the updated one since 2026): tokens of either verify.
        assert_eq!(
            c.issuers,
            [
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
                "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
            ]
        );
        assert!(c.accepts_issuer("https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"));
        assert!(!c.accepts_issuer("https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"));
        assert_eq!(c.request_timeout_ms, 15_000);
        assert!(c.headers.is_empty());
        assert_eq!(c.storage, StorageKind::LocalStorage);
        assert!(c.verify_tokens);
        assert!(c.hosted_ui.is_none());
    }

    #[test]
    fn endpoint_sets_the_issuer() {
        let c = cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"http://127.0.0.1:9229"}"#).unwrap();
        assert_eq!(c.endpoint, "http://127.0.0.1:9229/");
        assert_eq!(c.issuers, ["http://127.0.0.1:9229/us-east-1_X1"]);
        let c = cfg(
            r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"http://localhost:9229/","issuer":"http://localhost:9229/other/"}"#,
        )
        .unwrap();
        assert_eq!(c.issuers, ["http://localhost:9229/other"]);
        let c = cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","issuer":["https://a.example/p/","https://b.example/p"]}"#).unwrap();
        assert_eq!(c.issuers, ["https://a.example/p", "https://b.example/p"]);
    }

    #[test]
    fn config_errors_say_what_to_fix() {
        let cases = [
            (r#"{"clientId":"c"}"#, "userPoolId is required"),
            (r#"{"userPoolId":"nope","clientId":"c"}"#, "is not a user-pool id"),
            (r#"{"userPoolId":"us-east-1_X1"}"#, "clientId is required"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"a b"}"#, "is not an app client id"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"http://cognito.example.com/"}"#, "allowInsecureEndpoint"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"ftp://x/"}"#, "not an absolute http(s) URL"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":"cookies"}"#, "storage must be"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"redirectSignIn":"https://a/"}}"#, "hostedUi.domain is required"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"d.example"}}"#, "redirectSignIn is required"),
            (
                r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"d.example","redirectSignIn":"https://a/","allowedReturnPaths":["//evil"]}}"#,
                "allowedReturnPaths",
            ),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","maxRetries":99}"#, "maxRetries"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","requestTimeoutMs":0}"#, "requestTimeoutMs must be a whole number from 100"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","issuer":[]}"#, "issuer must not be an empty list"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","issuer":5}"#, "issuer must be a URL"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","headers":{"X-Amz-Target":"x"}}"#, "set by the SDK itself"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","headers":{"X-Proxy":"a\r\nb"}}"#, "not a valid HTTP header"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","headers":{"Bad Name":"a"}}"#, "not a valid HTTP header"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","headers":[]}"#, "headers must be an object"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"cookie":{"sameSite":"loose"}}}"#, "sameSite"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"cookie":{"sameSite":"none","secure":false}}}"#, "needs secure"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"cookie":{"domain":"a b"}}}"#, "storage.cookie.domain"),
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"cookie":{"path":"x"}}}"#, "storage.cookie.path"),
            (r#"[]"#, "options object"),
        ];
        for (json, needle) in cases {
            let e = cfg(json).unwrap_err();
            assert_eq!(e.name(), "ConfigError");
            assert!(e.message().contains(needle), "{json}: {}", e.message());
        }
        assert!(
            cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","endpoint":"http://cognito.test/","allowInsecureEndpoint":true}"#).is_ok()
        );
    }

    #[test]
    fn cookie_storage_and_headers() {
        let c = cfg(
            r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{"cookie":{"domain":".Example.com"}},"headers":{"X-Proxy-Key":"k1"}}"#,
        )
        .unwrap();
        assert_eq!(
            c.storage,
            StorageKind::Cookie(CookieOptions {
                domain: Some("example.com".into()),
                path: "/".into(),
                secure: None,
                same_site: "lax".into(),
                expires_days: 365
            })
        );
        assert_eq!(c.headers, [("X-Proxy-Key".to_string(), "k1".to_string())]);
        // A custom store object that happens to be passed is still a custom store.
        assert_eq!(
            Config::from_json(&Json::parse(r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{}}"#).unwrap(), true).unwrap().storage,
            StorageKind::Custom
        );
    }

    #[test]
    fn hosted_ui_defaults() {
        let c = cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"app.auth.us-east-1.amazoncognito.com","redirectSignIn":"https://app.example/cb"}}"#).unwrap();
        let h = c.hosted_ui.unwrap();
        assert_eq!(h.domain, "https://app.auth.us-east-1.amazoncognito.com");
        assert_eq!(h.redirect_sign_out, "https://app.example/cb");
        assert_eq!(h.scopes, DEFAULT_SCOPES);
        assert_eq!(h.allowed_return_paths, vec!["/"]);
    }
}
