//! JWTs: decoding, the claim checks Cognito tokens must pass, and the JWKS cache decisions.
//! The RSA signature itself is checked by WebCrypto (`web`); this module prepares its inputs
//! and decides everything else, given `now`.
//!
//! Checks, in order (aws-jwt-verify's set): three base64url parts of JSON; `alg = RS256`;
//! a JWKS key for `kid` (refetched once on an unknown kid, with a cool-down); the signature;
//! `iss` = the pool's issuer; `token_use` (`id` / `access`); `aud` (ID) or `client_id` (access)
//! = the app client; `exp` > now − skew; `iat` ≤ now + skew; for hosted-UI ID tokens, `nonce`.

use crate::codec::{base64_decode, has};
#[cfg(test)]
use crate::error::ErrorKind;
use crate::error::{Error, TokenCheck};
use crate::json::{Json, Raw};
use crate::prelude::*;

/// A decoded (not yet verified) JWT.
#[derive(Clone, Debug)]
pub struct Jwt {
    /// The header's and the payload's JSON text, each checked to be an object.
    header: String,
    claims: String,
    /// `base64url(header) . base64url(payload)`: what the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl Jwt {
    pub fn header(&self) -> Raw<'_> {
        Raw::trusted(&self.header)
    }
    pub fn claims(&self) -> Raw<'_> {
        Raw::trusted(&self.claims)
    }
    /// The payload's JSON text.
    pub fn into_claims(self) -> String {
        self.claims
    }
    pub fn kid(&self) -> Option<String> {
        self.header().str("kid")
    }
}

fn malformed(why: &str) -> Error {
    Error::token(TokenCheck::Malformed, String::from("token is malformed: ") + why)
}

/// Splits and decodes a compact JWS. Never panics on garbage.
pub fn decode(token: &str) -> Result<Jwt, Error> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("not three dot-separated parts"));
    };
    let part = |x: &str, what: &str| -> Result<String, Error> {
        let bytes = base64_decode(x).ok_or_else(|| malformed(what))?;
        let text = String::from_utf8(bytes).map_err(|_| malformed(what))?;
        Raw::parse(&text).ok().filter(|v| v.is_object()).ok_or_else(|| malformed(what))?;
        Ok(text)
    };
    let header = part(h, "header is not base64url JSON")?;
    let claims = part(p, "payload is not base64url JSON")?;
    let signature = base64_decode(s).ok_or_else(|| malformed("signature is not base64url"))?;
    Ok(Jwt { header, claims, signing_input: String::from(h) + "." + p, signature })
}

/// Which token a check expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Id,
    Access,
}

/// What a token must say.
#[derive(Clone, Debug)]
pub struct Expect<'a> {
    /// The accepted issuers (a pool has two: the original and the updated form).
    pub issuers: &'a [String],
    pub client_id: &'a str,
    /// `None` accepts either kind (verifyToken on an arbitrary token).
    pub token_use: Option<TokenUse>,
    /// The hosted-UI nonce the ID token must carry.
    pub nonce: Option<&'a str>,
    pub now_secs: i64,
    pub skew_secs: i64,
}

fn fail(check: TokenCheck, msg: &str) -> Error {
    Error::token(check, msg.to_string())
}

/// The claim checks (the signature is checked separately, before these are trusted).
pub fn check_claims(c: Raw, e: &Expect) -> Result<TokenUse, Error> {
    if !c.str("iss").is_some_and(|iss| e.issuers.contains(&iss)) {
        let expected = e.issuers.first().map(String::as_str).unwrap_or("");
        return Err(Error::token(TokenCheck::Issuer, String::from("iss is not this pool's issuer (") + expected + ")"));
    }
    let use_ = match c.str("token_use").as_deref() {
        Some("id") => TokenUse::Id,
        Some("access") => TokenUse::Access,
        _ => return Err(fail(TokenCheck::TokenUse, "token_use is neither id nor access")),
    };
    if e.token_use.is_some_and(|u| u != use_) {
        return Err(fail(
            TokenCheck::TokenUse,
            if use_ == TokenUse::Id { "expected an access token, got an ID token" } else { "expected an ID token, got an access token" },
        ));
    }
    match use_ {
        TokenUse::Id if c.str("aud").as_deref() != Some(e.client_id) => return Err(fail(TokenCheck::Audience, "aud is not this app client")),
        TokenUse::Access if c.str("client_id").as_deref() != Some(e.client_id) => {
            return Err(fail(TokenCheck::ClientId, "client_id is not this app client"))
        }
        _ => {}
    }
    let exp = c.get("exp").and_then(Raw::as_i64).ok_or_else(|| fail(TokenCheck::Expired, "exp is missing"))?;
    if exp <= e.now_secs - e.skew_secs {
        return Err(fail(TokenCheck::Expired, "the token has expired"));
    }
    let iat = c.get("iat").and_then(Raw::as_i64).ok_or_else(|| fail(TokenCheck::IssuedInFuture, "iat is missing"))?;
    if iat > e.now_secs + e.skew_secs {
        return Err(fail(TokenCheck::IssuedInFuture, "iat is in the future (is the device clock wrong?)"));
    }
    if let (Some(n), TokenUse::Id) = (e.nonce, use_) {
        if c.str("nonce").as_deref() != Some(n) {
            return Err(fail(TokenCheck::Nonce, "nonce does not match the sign-in request"));
        }
    }
    Ok(use_)
}

/// A JWKS RSA key (base64url modulus and exponent, as WebCrypto imports them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    pub kid: String,
    pub n: String,
    pub e: String,
}

/// RS256 signing keys from a JWKS document (others are ignored).
pub fn parse_jwks(v: &Json) -> Vec<Jwk> {
    v.get("keys")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|k| k.str("kty") == Some("RSA") && k.str("alg").is_none_or(|a| a == "RS256") && k.str("use").is_none_or(|u| u == "sig"))
        .filter_map(|k| Some(Jwk { kid: k.str("kid")?.to_string(), n: k.str("n")?.to_string(), e: k.str("e")?.to_string() }))
        .collect()
}

/// `max-age` from a Cache-Control header (`no-store`/`no-cache` count as 0).
pub fn max_age(cache_control: Option<&str>) -> Option<i64> {
    let cc = cache_control?.to_ascii_lowercase();
    if has(&cc, "no-store") || has(&cc, "no-cache") {
        return Some(0);
    }
    cc.split(',').find_map(|d| d.trim().strip_prefix("max-age=")?.trim_matches('"').parse::<i64>().ok())
}

/// JWKS kept this long when the server gives no max-age; at most a day either way.
pub const DEFAULT_JWKS_TTL_SECS: i64 = 600;
const MAX_JWKS_TTL_SECS: i64 = 86_400;
/// Minimum time between refetches caused by unknown kids (against refetch storms).
pub const REFETCH_COOLDOWN_SECS: i64 = 30;

/// The cached key set and when it may be fetched again.
#[derive(Clone, Debug, Default)]
pub struct JwksCache {
    pub keys: Vec<Jwk>,
    pub fetched_at: Option<i64>,
    pub expires_at: i64,
    /// A refetch for an unknown kid found nothing: no new refetch before this time.
    pub penalty_until: i64,
}

/// What to do for a `kid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Jwk),
    /// Nothing cached, or the cache expired: fetch (HTTP cache allowed).
    Fetch,
    /// Unknown kid in a live cache: fetch once, bypassing the HTTP cache.
    Refetch,
    /// Unknown kid, and a refetch for an unknown kid already failed within the cool-down.
    Unknown,
}

impl JwksCache {
    pub fn lookup(&self, kid: &str, now: i64) -> Lookup {
        if self.fetched_at.is_none() || now >= self.expires_at {
            return Lookup::Fetch;
        }
        if let Some(k) = self.keys.iter().find(|k| k.kid == kid) {
            return Lookup::Found(k.clone());
        }
        if now < self.penalty_until {
            Lookup::Unknown
        } else {
            Lookup::Refetch
        }
    }

    /// Whether keys fetched earlier are still to be used at `now` (nothing to prefetch).
    pub fn is_live(&self, now: i64) -> bool {
        self.fetched_at.is_some() && now < self.expires_at
    }

    /// After a refetch that still lacks `kid`: hold off further refetches for a while.
    pub fn refetch_failed(&mut self, now: i64) {
        self.penalty_until = now + REFETCH_COOLDOWN_SECS;
    }

    pub fn store(&mut self, keys: Vec<Jwk>, cache_control: Option<&str>, now: i64) {
        let ttl = max_age(cache_control).unwrap_or(DEFAULT_JWKS_TTL_SECS).clamp(0, MAX_JWKS_TTL_SECS);
        self.keys = keys;
        self.fetched_at = Some(now);
        // A zero TTL still serves this lookup; the next one fetches again.
        self.expires_at = now + ttl.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::base64url_encode;

    fn token(header: &str, claims: &str) -> String {
        format!("{}.{}.{}", base64url_encode(header.as_bytes()), base64url_encode(claims.as_bytes()), base64url_encode(b"sig"))
    }

    #[test]
    fn decodes_and_rejects_garbage() {
        let t = token(r#"{"kid":"k+/=","alg":"RS256"}"#, r#"{"sub":"s"}"#);
        let j = decode(&t).unwrap();
        assert_eq!(j.kid().as_deref(), Some("k+/="));
        assert_eq!(j.claims().str("sub").as_deref(), Some("s"));
        assert_eq!(j.signature, b"sig");
        assert_eq!(j.signing_input, t.rsplit_once('.').unwrap().0);
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.x", &token("[]", "{}"), &token("{}", "nope"), &(token("{}", "{}") + "!")] {
            let e = decode(bad).unwrap_err();
            assert_eq!(e.name(), "TokenVerificationError", "{bad}");
            assert_eq!(e.kind(), &ErrorKind::TokenVerification(TokenCheck::Malformed));
        }
    }

    fn expect(now: i64) -> Expect<'static> {
        static ISSUERS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let issuers = ISSUERS.get_or_init(|| vec!["https://iss/pool".into(), "https://issuer-iss/pool".into()]);
        Expect { issuers, client_id: "client", token_use: None, nonce: None, now_secs: now, skew_secs: 60 }
    }

    fn check_of(claims: &str, e: &Expect) -> Result<TokenUse, TokenCheck> {
        check_claims(Raw::parse(claims).unwrap(), e).map_err(|e| match e.kind() {
            ErrorKind::TokenVerification(check) => *check,
            _ => panic!("{e:?}"),
        })
    }

    #[test]
    fn claim_checks_name_the_failure() {
        let e = expect(1000);
        let id = r#"{"iss":"https://iss/pool","token_use":"id","aud":"client","exp":2000,"iat":990,"nonce":"n1"}"#;
        let access = r#"{"iss":"https://iss/pool","token_use":"access","client_id":"client","exp":2000,"iat":990}"#;
        assert_eq!(check_of(id, &e), Ok(TokenUse::Id));
        assert_eq!(check_of(access, &e), Ok(TokenUse::Access));
        assert_eq!(check_of(&id.replace("https://iss/pool", "https://evil/pool"), &e), Err(TokenCheck::Issuer));
        assert_eq!(check_of(&id.replace("https://iss/pool", "https://issuer-iss/pool"), &e), Ok(TokenUse::Id), "either accepted issuer");
        assert_eq!(check_of(&id.replace("\"aud\":\"client\"", "\"aud\":\"other\""), &e), Err(TokenCheck::Audience));
        assert_eq!(check_of(&access.replace("\"client_id\":\"client\"", "\"client_id\":\"x\""), &e), Err(TokenCheck::ClientId));
        assert_eq!(check_of(&id.replace("\"token_use\":\"id\"", "\"token_use\":\"refresh\""), &e), Err(TokenCheck::TokenUse));
        assert_eq!(check_of(&id.replace("2000", "939"), &e), Err(TokenCheck::Expired));
        assert_eq!(check_of(&id.replace("2000", "941"), &e), Ok(TokenUse::Id), "within the skew");
        assert_eq!(check_of(&id.replace("990", "1061"), &e), Err(TokenCheck::IssuedInFuture));
        let want_access = Expect { token_use: Some(TokenUse::Access), ..expect(1000) };
        assert_eq!(check_of(id, &want_access), Err(TokenCheck::TokenUse));
        let nonce = Expect { nonce: Some("n2"), ..expect(1000) };
        assert_eq!(check_of(id, &nonce), Err(TokenCheck::Nonce));
        assert_eq!(check_of(access, &nonce), Ok(TokenUse::Access), "nonce applies to ID tokens");
    }

    #[test]
    fn jwks_parsing_and_cache_decisions() {
        let v = Json::parse(r#"{"keys":[{"kid":"a","kty":"RSA","alg":"RS256","use":"sig","n":"nn","e":"AQAB"},{"kid":"b","kty":"EC","crv":"P-256"},{"kid":"c","kty":"RSA","alg":"RS512","n":"x","e":"y"}]}"#).unwrap();
        let keys = parse_jwks(&v);
        assert_eq!(keys, vec![Jwk { kid: "a".into(), n: "nn".into(), e: "AQAB".into() }]);
        assert_eq!(max_age(Some("public, max-age=3600")), Some(3600));
        assert_eq!(max_age(Some("no-store")), Some(0));
        assert_eq!(max_age(None), None);

        let mut c = JwksCache::default();
        assert_eq!(c.lookup("a", 0), Lookup::Fetch);
        c.store(keys, Some("max-age=100"), 1000);
        assert!(matches!(c.lookup("a", 1050), Lookup::Found(_)));
        // A rotated key right after a fetch is refetched once...
        assert_eq!(c.lookup("zzz", 1010), Lookup::Refetch);
        // ...and if the refetch does not have it either, not again during the cool-down.
        c.refetch_failed(1010);
        assert_eq!(c.lookup("zzz", 1020), Lookup::Unknown);
        assert_eq!(c.lookup("yyy", 1039), Lookup::Unknown, "one refetch per cool-down, whatever the kid");
        assert_eq!(c.lookup("zzz", 1041), Lookup::Refetch);
        assert_eq!(c.lookup("a", 1100), Lookup::Fetch, "expired by max-age");
        c.store(vec![], None, 2000);
        assert_eq!(c.expires_at, 2000 + DEFAULT_JWKS_TTL_SECS);
    }
}
