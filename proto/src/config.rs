//! The `CognitoAuth` options, validated once at construction. Every mistake becomes a
//! `ConfigError` whose message says what to fix.

use crate::error::Error;
use crate::json::Raw;
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
    /// `hostedUi.domain` (checked): where hosted-UI sessions are refreshed. The rest of
    /// `hostedUi` is read by the parts that use it ([`Config::hosted_ui`]).
    pub hosted_domain: Option<String>,
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
    /// `allowInsecureEndpoint`.
    pub insecure: bool,
    /// The options as given (JSON text): the parts read their own options from it, when they
    /// are first used ([`Config::hosted_ui`], [`Config::identity_pool`]), so that the main
    /// module carries only the checks every page needs.
    pub options: String,
}

/// `k must be …` (one shape for every message about an option's type).
fn must(k: &str, what: &str) -> Error {
    Error::config(String::from(k) + " must be " + what)
}

/// An option's value, unless absent or null.
fn opt<'a>(v: Raw<'a>, k: &str) -> Option<Raw<'a>> {
    v.get(k).filter(|x| !x.is_null())
}

fn field(v: Raw, k: &str) -> Result<Option<String>, Error> {
    opt(v, k).map(|x| x.as_str().ok_or_else(|| must(k, "a string"))).transpose()
}

fn flag(v: Raw, k: &str, default: bool) -> Result<bool, Error> {
    opt(v, k).map_or(Ok(default), |x| x.as_bool().ok_or_else(|| must(k, "true or false")))
}

fn number(v: Raw, k: &str, default: i64, min: i64, max: i64) -> Result<i64, Error> {
    opt(v, k).map_or(Ok(default), |n| {
        n.as_i64().filter(|x| (min..=max).contains(x)).ok_or_else(|| {
            must(k, &(String::from("a whole number from ") + &crate::json::itoa(min) + " to " + &crate::json::itoa(max)))
        })
    })
}

fn strings(v: Raw, k: &str) -> Result<Option<Vec<String>>, Error> {
    let Some(list) = opt(v, k) else { return Ok(None) };
    let items: Option<Vec<String>> = list.is_array().then(|| list.items().map(Raw::as_str).collect()).flatten();
    items.map(Some).ok_or_else(|| must(k, "an array of strings"))
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
fn cookie_options(c: Raw) -> Result<CookieOptions, Error> {
    if !c.is_object() {
        return Err(must("storage.cookie", "an object: { domain, path, secure, sameSite, expires }"));
    }
    let same_site = field(c, "sameSite")?.unwrap_or_else(|| "lax".into()).to_ascii_lowercase();
    if !["strict", "lax", "none"].contains(&same_site.as_str()) {
        return Err(must("storage.cookie.sameSite", "'strict', 'lax' or 'none'"));
    }
    let secure = opt(c, "secure").map(|_| flag(c, "secure", true)).transpose()?;
    if same_site == "none" && secure == Some(false) {
        return Err(Error::config("storage.cookie.sameSite 'none' needs secure: true (browsers refuse it otherwise)"));
    }
    let domain = field(c, "domain")?.map(|d| d.trim_start_matches('.').to_ascii_lowercase());
    if domain.as_deref().is_some_and(|d| d.is_empty() || !d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')) {
        return Err(must("storage.cookie.domain", "a host name such as example.com"));
    }
    let path = field(c, "path")?.unwrap_or_else(|| "/".into());
    if !path.starts_with('/') || path.contains([';', ',', ' ']) {
        return Err(must("storage.cookie.path", "a path such as /"));
    }
    Ok(CookieOptions { domain, path, secure, same_site, expires_days: number(c, "expires", 365, 1, 3650)? })
}

/// `storage`: a name, `{cookie: {...}}`, or the app's object (`custom`: passed separately).
fn storage(v: Raw, custom: bool) -> Result<StorageKind, Error> {
    let s = opt(v, "storage");
    if let Some(c) = s.and_then(|s| s.get("cookie")) {
        return cookie_options(c).map(StorageKind::Cookie);
    }
    if custom {
        return Ok(StorageKind::Custom);
    }
    match s.map(|s| s.as_str()) {
        None => Ok(StorageKind::LocalStorage),
        Some(Some(n)) if n == "localStorage" => Ok(StorageKind::LocalStorage),
        Some(Some(n)) if n == "sessionStorage" => Ok(StorageKind::SessionStorage),
        Some(Some(n)) if n == "memory" => Ok(StorageKind::Memory),
        Some(_) => Err(must(
            "storage",
            "'localStorage', 'sessionStorage', 'memory', { cookie: {...} } or an object with getItem, setItem and removeItem",
        )),
    }
}

/// `headers`: extra headers on every request to Cognito.
fn headers(v: Raw) -> Result<Vec<(String, String)>, Error> {
    let Some(h) = opt(v, "headers") else { return Ok(vec![]) };
    if !h.is_object() {
        return Err(must("headers", "an object of header names and string values"));
    }
    let mut out = vec![];
    for (k, value) in h.members() {
        let name = String::from("headers.") + &k;
        let value = value.as_str().ok_or_else(|| must(&name, "a string"))?;
        let token = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token || value.contains(['\r', '\n']) {
            return Err(Error::config(name + " is not a valid HTTP header"));
        }
        if OWN_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            return Err(Error::config(name + " is set by the SDK itself"));
        }
        out.push((k, value));
    }
    Ok(out)
}

/// `hostedUi.domain`, an origin (and path) without a trailing `/`.
fn hosted_domain(h: Raw, insecure: bool) -> Result<String, Error> {
    if !h.is_object() {
        return Err(must("hostedUi", "an object: { domain, redirectSignIn, redirectSignOut, scopes, allowedReturnPaths }"));
    }
    let domain = field(h, "domain")?.ok_or_else(|| Error::config("hostedUi.domain is required, e.g. \"myapp.auth.us-east-1.amazoncognito.com\""))?;
    let domain = if crate::codec::has(&domain, "://") { domain } else { String::from("https://") + &domain };
    let d = checked_url("hostedUi.domain", &domain, insecure)?;
    Ok(d.origin() + d.path().trim_end_matches('/'))
}

/// `hostedUi: {domain, redirectSignIn, redirectSignOut, scopes, allowedReturnPaths}`.
fn hosted_ui(h: Raw, insecure: bool) -> Result<HostedUiConfig, Error> {
    let domain = hosted_domain(h, insecure)?;
    let redirect_sign_in = field(h, "redirectSignIn")?
        .ok_or_else(|| Error::config("hostedUi.redirectSignIn is required: a callback URL registered on the app client"))?;
    checked_url("hostedUi.redirectSignIn", &redirect_sign_in, insecure)?;
    let redirect_sign_out = field(h, "redirectSignOut")?.unwrap_or_else(|| redirect_sign_in.clone());
    checked_url("hostedUi.redirectSignOut", &redirect_sign_out, insecure)?;
    let scopes = strings(h, "scopes")?.unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());
    let allowed = strings(h, "allowedReturnPaths")?.unwrap_or_else(|| vec!["/".to_string()]);
    if let Some(p) = allowed.iter().find(|p| !p.starts_with('/') || p.starts_with("//") || p.contains('\\')) {
        return Err(Error::config(String::from("hostedUi.allowedReturnPaths entry \"") + p + "\" must be a path starting with a single '/'"));
    }
    Ok(HostedUiConfig { domain, redirect_sign_in, redirect_sign_out, scopes, allowed_return_paths: allowed })
}

/// `identityPoolId`, `identityEndpoint`, `allowGuestAccess`.
fn identity_pool(v: Raw, insecure: bool) -> Result<Option<IdentityPoolConfig>, Error> {
    let Some(id) = field(v, "identityPoolId")? else { return Ok(None) };
    let region = id.split_once(':').map(|(r, _)| r).filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let Some(region) = region.filter(|r| id.len() == r.len() + 37) else {
        return Err(Error::config(String::from("identityPoolId \"") + &id + "\" is not an identity pool id: expected <region>:<uuid>"));
    };
    let endpoint = match field(v, "identityEndpoint")? {
        Some(e) => {
            let u = checked_url("identityEndpoint", &e, insecure)?;
            u.origin() + u.path().trim_end_matches('/') + "/"
        }
        None => String::from("https://cognito-identity.") + region + ".amazonaws.com/",
    };
    Ok(Some(IdentityPoolConfig { endpoint, allow_guest: flag(v, "allowGuestAccess", false)?, id }))
}

/// The endpoint (ending in `/`) and the accepted issuers.
fn endpoint_and_issuers(v: Raw, pool: &UserPoolId, insecure: bool) -> Result<(String, Vec<String>), Error> {
    let endpoint = match field(v, "endpoint")? {
        Some(e) => {
            let u = checked_url("endpoint", &e, insecure)?;
            Some(u.origin() + u.path().trim_end_matches('/') + "/")
        }
        None => None,
    };
    let issuer_url = |i: &str| -> Result<String, Error> {
        let u = checked_url("issuer", i, insecure)?;
        Ok((u.origin() + u.path()).trim_end_matches('/').to_string())
    };
    let aws = |host: &str| String::from("https://") + host + "." + pool.region() + ".amazonaws.com/" + pool.as_str();
    let issuers = match (opt(v, "issuer"), &endpoint) {
        (Some(i), _) if i.is_array() => {
            let list = strings(v, "issuer")?.unwrap_or_default();
            if list.is_empty() {
                return Err(Error::config("issuer must not be an empty list"));
            }
            list.iter().map(|i| issuer_url(i)).collect::<Result<Vec<_>, _>>()?
        }
        (Some(i), _) => vec![issuer_url(&i.as_str().ok_or_else(|| must("issuer", "a URL or a list of URLs"))?)?],
        (None, Some(e)) => vec![e.clone() + pool.as_str()],
        (None, None) => vec![aws("cognito-idp"), aws("issuer-cognito-idp")],
    };
    let endpoint = endpoint.unwrap_or_else(|| String::from("https://cognito-idp.") + pool.region() + ".amazonaws.com/");
    Ok((endpoint, issuers))
}

impl Config {
    /// The issuer a token names, when it is one of the accepted issuers.
    pub fn accepts_issuer(&self, iss: &str) -> bool {
        self.issuers.iter().any(|i| i == iss)
    }

    fn given(&self) -> Raw<'_> {
        Raw::parse(&self.options).unwrap_or(Raw::trusted("{}"))
    }

    /// `hostedUi`, checked in full (the hosted-UI part, sign-out's `/logout`).
    pub fn hosted_ui(&self) -> Result<Option<HostedUiConfig>, Error> {
        opt(self.given(), "hostedUi").map(|h| hosted_ui(h, self.insecure)).transpose()
    }

    /// `maxAccounts` (1–50, default 5): how many accounts may be signed in at once (the parts
    /// that add or switch accounts read it).
    pub fn max_accounts(&self) -> Result<usize, Error> {
        Ok(number(self.given(), "maxAccounts", crate::session::MAX_ACCOUNTS as i64, 1, 50)? as usize)
    }

    /// `identityPoolId`, `identityEndpoint`, `allowGuestAccess` (the aws part).
    pub fn identity_pool(&self) -> Result<Option<IdentityPoolConfig>, Error> {
        identity_pool(self.given(), self.insecure)
    }

    /// From the options object given to `new CognitoAuth(...)` (its JSON text; the storage
    /// object itself, `custom_storage`, is handled by the facade).
    pub fn from_options(v: Raw, custom_storage: bool) -> Result<Config, Error> {
        if !v.is_object() {
            return Err(Error::config("CognitoAuth needs an options object: { userPoolId, clientId, ... }"));
        }
        let pool_id = field(v, "userPoolId")?
            .ok_or_else(|| Error::config("userPoolId is required, e.g. \"us-east-1_AbC123\" (Cognito console → User pools)"))?;
        let pool = UserPoolId::parse(&pool_id)?;
        let client_id = field(v, "clientId")?.unwrap_or_default();
        if client_id.is_empty() {
            return Err(Error::config("clientId is required: the app client id (Cognito console → App integration → App clients)"));
        }
        if client_id.len() > 128 || !client_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+') {
            return Err(Error::config(String::from("clientId \"") + &client_id + "\" is not an app client id"));
        }
        let insecure = flag(v, "allowInsecureEndpoint", false)?;
        let (endpoint, issuers) = endpoint_and_issuers(v, &pool, insecure)?;
        Ok(Config {
            hosted_domain: opt(v, "hostedUi").map(|h| hosted_domain(h, insecure)).transpose()?,
            insecure,
            options: v.text().to_string(),
            storage: storage(v, custom_storage)?,
            headers: headers(v)?,
            pool,
            client_id: ClientId::new(client_id),
            client_secret: field(v, "clientSecret")?.filter(|s| !s.is_empty()).map(ClientSecret::new),
            endpoint,
            issuers,
            request_timeout_ms: number(v, "requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS, 100, 600_000)? as u32,
            refresh_token_rotation: flag(v, "refreshTokenRotation", false)?,
            migrate_users: flag(v, "migrateUsers", false)?,
            verify_tokens: flag(v, "verifyTokens", true)?,
            refresh_margin_secs: number(v, "refreshMarginSeconds", 60, 0, 3000)?,
            max_retries: number(v, "maxRetries", 3, 0, 10)? as u32,
            device_name: field(v, "deviceName")?,
            app_name: field(v, "appName")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config, Error> {
        Config::from_options(Raw::parse(text).unwrap(), false)
    }

    /// The options as every part reads them: the construction's checks, then the parts'.
    fn full(text: &str) -> Result<Config, Error> {
        let c = cfg(text)?;
        c.hosted_ui()?;
        c.identity_pool()?;
        c.max_accounts()?;
        Ok(c)
    }

    #[test]
    fn the_parts_options_are_checked_when_a_part_reads_them() {
        // Construction checks what every page needs (hostedUi.domain, for refreshing a hosted-UI
        // session); the hosted-UI part checks the rest on its first use.
        let lazy = r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"d.example","redirectSignIn":"nope"},"identityPoolId":"x"}"#;
        let c = cfg(lazy).unwrap();
        assert!(c.hosted_ui().unwrap_err().message().contains("hostedUi.redirectSignIn \"nope\" is not an absolute http(s) URL"));
        assert!(c.identity_pool().unwrap_err().message().contains("identityPoolId \"x\" is not an identity pool id"));
        assert!(cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"ftp://d"}}"#).is_err());
        let ok = cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","identityPoolId":"eu-west-1:12345678-1234-1234-1234-123456789012"}"#).unwrap();
        let p = ok.identity_pool().unwrap().unwrap();
        assert_eq!((p.endpoint.as_str(), p.allow_guest), ("https://cognito-identity.eu-west-1.amazonaws.com/", false));
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
        assert!(c.hosted_ui().unwrap().is_none() && c.hosted_domain.is_none());
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
            (r#"{"userPoolId":"us-east-1_X1","clientId":"c","maxAccounts":0}"#, "maxAccounts must be a whole number from 1 to 50"),
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
            let e = full(json).unwrap_err();
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
            Config::from_options(Raw::parse(r#"{"userPoolId":"us-east-1_X1","clientId":"c","storage":{}}"#).unwrap(), true).unwrap().storage,
            StorageKind::Custom
        );
    }

    #[test]
    fn hosted_ui_defaults() {
        let c = cfg(r#"{"userPoolId":"us-east-1_X1","clientId":"c","hostedUi":{"domain":"app.auth.us-east-1.amazoncognito.com","redirectSignIn":"https://app.example/cb"}}"#).unwrap();
        assert_eq!(c.hosted_domain.as_deref(), Some("https://app.auth.us-east-1.amazoncognito.com"));
        let h = c.hosted_ui().unwrap().unwrap();
        assert_eq!(h.domain, "https://app.auth.us-east-1.amazoncognito.com");
        assert_eq!(h.redirect_sign_out, "https://app.example/cb");
        assert_eq!(h.scopes, DEFAULT_SCOPES);
        assert_eq!(h.allowed_return_paths, vec!["/"]);
    }
}
