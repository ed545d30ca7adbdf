//! Token verification: the RSA signature against the issuer's JWKS (cached; refetched once,
//! bypassing the HTTP cache, for an unknown `kid`, with a cool-down), then the claim checks of
//! `cognito_proto::jwt`.

use super::{nodrop, Client, Env};
use cognito_proto::error::{Error, TokenCheck};
use cognito_proto::http::HttpRequest;
use cognito_proto::json::Json;
use cognito_proto::jwt::{self, Expect, Jwk, JwksCache, Lookup, TokenUse};

/// Clock skew allowed when checking `exp` and `iat`.
const SKEW_SECS: i64 = 60;

impl<E: Env> Client<E> {
    /// Verifies a token: signature against the issuer's JWKS, then the claims. Returns the
    /// claims.
    pub async fn verify(&self, token: &str, token_use: Option<TokenUse>, nonce: Option<&str>) -> Result<Json, Error> {
        let j = jwt::decode(token)?;
        if j.header.str("alg") != Some("RS256") {
            return Err(Error::token(TokenCheck::Algorithm, "alg is not RS256"));
        }
        let kid = j.kid().ok_or_else(|| Error::token(TokenCheck::UnknownKid, "the token has no kid"))?.to_string();
        // Only an accepted issuer's JWKS is ever fetched: a token cannot name where its keys are.
        let iss = j.claims.str("iss").filter(|i| self.cfg.accepts_issuer(i)).map(String::from);
        let iss = iss.ok_or_else(|| {
            Error::token(TokenCheck::Issuer, String::from("iss is not this pool's issuer (") + &self.cfg.issuers[0] + ")")
        })?;
        let key = nodrop(self.jwks_key(&iss, &kid)).await?;
        if !self.env.verify_rs256(&key, j.signing_input.as_bytes(), &j.signature).await? {
            return Err(Error::token(TokenCheck::Signature, "the signature does not verify"));
        }
        let expect = Expect {
            issuers: &self.cfg.issuers,
            client_id: self.cfg.client_id.as_str(),
            token_use,
            nonce,
            now_secs: (self.server_now_ms() / 1000.0) as i64,
            skew_secs: SKEW_SECS,
        };
        jwt::check_claims(&j.claims, &expect)?;
        Ok(j.claims)
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
