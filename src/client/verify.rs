//! Token signatures: RS256 against the issuer's JWKS (cached; refetched once, bypassing the
//! HTTP cache, for an unknown `kid`, with a cool-down), then the claim checks of
//! `cognito_proto::jwt`.
//!
//! `verifyToken` checks a token from anywhere this way. Tokens the SDK receives from Cognito
//! are trusted on their claims (`store::keep_tokens`, OpenID Connect Core 1.0 §3.1.3.7 item 6:
//! received straight from the token endpoint over TLS); a sign-in also checks their
//! signatures without waiting on the JWKS:
//!
//! ```text
//! sign-in starts ─▶ JWKS fetched alongside the first request (prefetch_jwks)
//! tokens arrive ─▶ keys at hand? ─ yes ─▶ signatures checked before the tokens are kept
//!                                └ no  ─▶ kept; checked in the background once the keys
//!                                         arrive; refused: removed again, signedOut with
//!                                         the TokenVerificationError
//! ```

use super::{nodrop, Client, Env, EventKind};
use cognito_proto::api::Tokens;
use cognito_proto::error::{Error, ErrorKind, TokenCheck};
use cognito_proto::http::HttpRequest;
use cognito_proto::json::Json;
use cognito_proto::jwt::{self, Jwk, JwksCache, Lookup, Jwt};
use cognito_proto::session::Session;

impl<E: Env> Client<E> {
    /// `verifyToken(jwt)`: the signature against the issuer's JWKS, then the claims. Returns
    /// the claims.
    /// The claims' JSON text.
    pub async fn verify(&self, token: &str) -> Result<String, Error> {
        let j = jwt::decode(token)?;
        nodrop(self.signature(&j, true)).await?;
        jwt::check_claims(j.claims(), &self.expect(None, None))?;
        Ok(j.into_claims())
    }

    /// Checks a token's signature: `Some(())` when checked, `None` when the keys are not at hand
    /// and `fetch` is false. Only an accepted issuer's JWKS is ever fetched: a token cannot name
    /// where its keys are.
    async fn signature(&self, j: &Jwt, fetch: bool) -> Result<Option<()>, Error> {
        if j.header().str("alg").as_deref() != Some("RS256") {
            return Err(Error::token(TokenCheck::Algorithm, "alg is not RS256"));
        }
        let kid = j.kid().ok_or_else(|| Error::token(TokenCheck::UnknownKid, "the token has no kid"))?;
        let iss = j.claims().str("iss").filter(|i| self.cfg.accepts_issuer(i)).ok_or_else(|| {
            Error::token(TokenCheck::Issuer, String::from("iss is not this pool's issuer (") + &self.cfg.issuers[0] + ")")
        })?;
        let key = if fetch {
            nodrop(self.jwks_key(&iss, &kid)).await?
        } else {
            let now = (self.server_now_ms() / 1000.0) as i64;
            match self.with_jwks(&iss, |c| c.lookup(&kid, now)) {
                Lookup::Found(k) => k,
                _ => return Ok(None),
            }
        };
        if !self.env.verify_rs256(&key, j.signing_input.as_bytes(), &j.signature).await? {
            return Err(Error::token(TokenCheck::Signature, "the signature does not verify"));
        }
        Ok(Some(()))
    }

    /// Starts fetching the JWKS of the pool's (first) issuer for a sign-in about to start,
    /// unless it is cached: by the time the tokens arrive, the keys are usually at hand.
    pub(crate) fn prefetch_jwks(&self) {
        let (Some(me), Some(iss)) = (self.me(), self.cfg.issuers.first().cloned()) else { return };
        let now = (self.server_now_ms() / 1000.0) as i64;
        if !self.cfg.verify_tokens || self.with_jwks(&iss, |c| c.is_live(now)) {
            return;
        }
        self.env.spawn(Box::pin(async move {
            let _ = nodrop(me.fetch_jwks(&iss, false)).await;
        }));
    }

    /// Both tokens' signatures, when their keys are at hand: `Ok(true)` when they are not (the
    /// tokens are to be checked later, `verify_later`).
    pub(crate) async fn verify_if_keys_at_hand(&self, t: &Tokens) -> Result<bool, Error> {
        let mut later = false;
        for token in [t.id_token.expose(), t.access_token.expose()] {
            later |= nodrop(self.signature(&jwt::decode(token)?, false)).await?.is_none();
        }
        Ok(later)
    }

    /// The signatures of a session just kept, checked in the background once the keys arrive;
    /// tokens they refuse are removed again (with a signedOut event carrying the error).
    pub(crate) fn verify_later(&self, s: &Session) {
        let Some(me) = self.me() else { return };
        let s = s.clone();
        self.env.spawn(Box::pin(async move {
            let mut refused = None;
            for token in [s.id_token.expose(), s.access_token.expose()] {
                let checked = match jwt::decode(token) {
                    Ok(j) => nodrop(me.signature(&j, true)).await,
                    Err(e) => Err(e),
                };
                match checked {
                    // A network failure (the keys could not be fetched) is no verdict on the token.
                    Err(e) if matches!(e.kind(), ErrorKind::TokenVerification(c) if *c != TokenCheck::Jwks) => refused = Some(e),
                    _ => {}
                }
            }
            if let Some(e) = refused {
                if me.latest().is_some_and(|l| l.access_token.expose() == s.access_token.expose()) {
                    nodrop(me.clear_local(Some(&s))).await;
                    me.announce(EventKind::SignedOut, Some(&s), Some(&e));
                }
            }
        }));
    }

    /// The JWKS cache of an issuer (each accepted issuer has its own).
    fn with_jwks<T>(&self, iss: &str, f: impl FnOnce(&mut JwksCache) -> T) -> T {
        let mut all = self.jwks.borrow_mut();
        let i = match all.iter().position(|(i, _)| i == iss) {
            Some(i) => i,
            None => {
                all.push((iss.to_string(), JwksCache::default()));
                all.len() - 1
            }
        };
        f(&mut all[i].1)
    }

    async fn jwks_key(&self, iss: &str, kid: &str) -> Result<Jwk, Error> {
        let mut refetched = false;
        for _ in 0..3 {
            let now = (self.server_now_ms() / 1000.0) as i64;
            match self.with_jwks(iss, |c| c.lookup(kid, now)) {
                Lookup::Found(k) => return Ok(k),
                Lookup::Unknown => break,
                Lookup::Refetch if refetched => {
                    self.with_jwks(iss, |c| c.refetch_failed(now));
                    break;
                }
                Lookup::Fetch => {
                    nodrop(self.fetch_jwks(iss, false)).await?;
                    refetched = true; // a fresh set counts as the one refetch
                }
                Lookup::Refetch => {
                    // A rotated key: the HTTP cache may hold the old set, so bypass it.
                    nodrop(self.fetch_jwks(iss, true)).await?;
                    refetched = true;
                }
            }
        }
        Err(Error::token(TokenCheck::UnknownKid, String::from("no key with kid ") + kid + " in the issuer's JWKS"))
    }

    async fn fetch_jwks(&self, iss: &str, bypass_cache: bool) -> Result<(), Error> {
        let url = String::from(iss) + "/.well-known/jwks.json";
        let mut req = HttpRequest::new("GET", url.clone(), vec![], None);
        req.bypass_cache = bypass_cache;
        let fail = |why: &str| Error::token(TokenCheck::Jwks, String::from("cannot read ") + &url + ": " + why);
        let resp = nodrop(self.fetch(&req, false)).await.map_err(|e| fail(&e.message()))?;
        if resp.status != 200 {
            return Err(fail(&(String::from("HTTP ") + &cognito_proto::json::itoa(resp.status as i64))));
        }
        let v = Json::parse(&resp.body).map_err(|_| fail("not JSON"))?;
        let now = (self.server_now_ms() / 1000.0) as i64;
        self.with_jwks(iss, |c| c.store(jwt::parse_jwks(&v), resp.cache_control.as_deref(), now));
        Ok(())
    }
}
