//! Sessions: getSession with refresh that never races, sign-out, and token verification.
//!
//! ```text
//! getSession ─ fresh? ─▶ tokens
//!            └ stale ─▶ one refresh per tab (Flight) ─▶ Web Lock "cognito-wasm.refresh.<client>"
//!                        ─▶ re-read storage (another tab may have refreshed; if we had to wait,
//!                           give its tokens up to 300 ms to arrive by storage or BroadcastChannel)
//!                        ─▶ REFRESH_TOKEN_AUTH | GetTokensFromRefreshToken (rotation) |
//!                           /oauth2/token (hosted UI) ─▶ verify, store, broadcast ─▶ release
//! failure: NotAuthorized / TokenRevoked / UserNotFound / PasswordResetRequired /
//!          UserNotConfirmed / RefreshTokenReuse ─▶ clear, "tokenRefreshFailure" + "signedOut";
//!          anything else keeps the tokens (still valid ones are returned).
//! signOut ─▶ (global: a live access token) ─▶ wait for this tab's refresh ─▶ the same Web Lock
//!         ─▶ re-read storage ─▶ RevokeToken | GlobalSignOut ─▶ clear, counted as a sign-out
//!         ─▶ release; a refresh begun before the count changed stores nothing and gives null.
//! ```

use super::{Client, Env, Flight};
use cognito_proto::api::{self, AuthStep};
use cognito_proto::error::{Error, TokenCheck};
use cognito_proto::json::Json;
use cognito_proto::jwt::{self, Expect, Jwk, Lookup, TokenUse};
use cognito_proto::oauth;
use cognito_proto::session::{self, Session};
use cognito_proto::types::Username;

/// Clock skew allowed when checking `exp` and `iat`.
const SKEW_SECS: i64 = 60;
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

impl<E: Env> Client<E> {
    fn lock_name(&self) -> String {
        String::from("cognito-wasm.refresh.") + self.cfg.client_id.as_str()
    }

    /// `getSession({forceRefresh})`: current tokens, refreshed when they expire within the
    /// margin; `None` when signed out.
    pub async fn get_session(&self, force: bool) -> Result<Option<Session>, Error> {
        let Some(s) = self.load_session().await else { return Ok(None) };
        if !force && !s.needs_refresh(self.env.now_ms(), self.cfg.refresh_margin_secs) {
            return Ok(Some(s));
        }
        // One refresh per tab: concurrent callers share it.
        let running = self.refreshing.borrow().clone();
        if let Some(f) = running {
            return f.await;
        }
        let flight = Flight::new();
        *self.refreshing.borrow_mut() = Some(flight.clone());
        let r = self.refresh_locked(&s, force).await;
        *self.refreshing.borrow_mut() = None;
        flight.finish(r.clone());
        r
    }

    async fn refresh_locked(&self, before: &Session, force: bool) -> Result<Option<Session>, Error> {
        let (guard, waited) = self.env.lock(&self.lock_name()).await?;
        let margin = self.cfg.refresh_margin_secs;
        let fresh = |s: &Session| !s.needs_refresh(self.env.now_ms(), margin);
        let changed = |s: &Session| s.access_token.expose() != before.access_token.expose();
        let Some(mut s) = self.load_session().await else { return Ok(None) };
        if fresh(&s) && (!force || changed(&s)) {
            return Ok(Some(s));
        }
        if waited {
            // Another tab held the lock, probably refreshing: its tokens reach us by storage or
            // by its broadcast, sometimes tens of ms after it let go.
            for _ in 0..12 {
                self.env.sleep(25).await;
                match self.load_session().await {
                    None => return Ok(None),
                    Some(n) if fresh(&n) && (!force || changed(&n)) => return Ok(Some(n)),
                    Some(n) => s = n,
                }
            }
        }
        let sign_outs = self.sign_outs();
        let result = self.refresh_now(&s, sign_outs).await;
        drop(guard);
        if self.sign_outs() != sign_outs {
            // Signed out while the refresh was in flight: its tokens were not stored.
            return Ok(None);
        }
        match result {
            Ok(n) => {
                self.announce("tokenRefresh", Some(&n), None);
                Ok(Some(n))
            }
            Err(e) if session::ends_session(&e) => {
                self.clear_local(Some(&s)).await;
                self.announce("tokenRefreshFailure", Some(&s), Some(&e));
                self.announce("signedOut", Some(&s), None);
                Err(e)
            }
            Err(e) => {
                self.announce("tokenRefreshFailure", Some(&s), Some(&e));
                // Throttled, offline, or a server fault: keep the session; tokens that are still
                // valid are still usable.
                if !force && !s.is_expired(self.env.now_ms()) {
                    Ok(Some(s))
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn refresh_now(&self, s: &Session, sign_outs: u32) -> Result<Session, Error> {
        let Some(refresh) = s.refresh_token.clone() else {
            return Err(Error::service("NotAuthorizedException", "the session has no refresh token (it cannot be renewed): sign in again"));
        };
        let device = self.device_of(&s.username).await.map(|d| d.key);
        let tokens = match (&self.cfg.hosted_ui, s.hosted) {
            (Some(h), true) => {
                let req = oauth::refresh_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), &refresh, device.as_ref());
                oauth::parse_token_response(&self.fetch(&req).await?)?
            }
            _ if self.cfg.refresh_token_rotation => {
                let v = self.send(&api::get_tokens_from_refresh_token(self.app(), &refresh, device.as_ref())).await?;
                api::parse_tokens(
                    v.get("AuthenticationResult").ok_or_else(|| Error::network("refresh answer without AuthenticationResult"))?,
                )?
            }
            _ => {
                let user = Username::new(s.username.clone());
                match api::parse_auth(&self.send(&api::initiate_refresh(self.app(), &refresh, &user, device.as_ref())).await?)? {
                    AuthStep::Tokens(t) => t,
                    AuthStep::Challenge(c) => return Err(Error::network(String::from("unexpected challenge on refresh: ") + &c.name)),
                }
            }
        };
        self.finish(tokens, s.hosted, None, Some(sign_outs)).await
    }

    /// Removes the session (not the remembered device) from storage.
    pub(crate) async fn clear_local(&self, s: Option<&Session>) {
        if let Some(s) = s {
            for key in self.user_keys(&s.username).session_keys() {
                self.env.remove(&key).await;
            }
        }
        self.env.remove(&session::last_user_key(&self.cfg.client_id)).await;
        self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
        self.set_latest(None);
        self.count_sign_out();
    }

    /// The signed-in session with usable tokens, or InvalidStateError.
    pub(crate) async fn signed_in(&self) -> Result<Session, Error> {
        self.get_session(false).await?.ok_or_else(|| Error::invalid_state("not signed in: call signIn first"))
    }

    /// Says so when a user-API call failed for lack of the admin scope (hosted-UI tokens).
    pub(crate) fn explain_scope(&self, e: Error, s: &Session) -> Error {
        match e {
            Error::Service { name, message, status } if name == "NotAuthorizedException" && !s.has_scope(ADMIN_SCOPE) => Error::Service {
                name,
                message: message
                    + " — the access token lacks the aws.cognito.signin.user.admin scope: add it to hostedUi.scopes (and to the app client's allowed OAuth scopes), then sign in again",
                status,
            },
            other => other,
        }
    }

    /// `signOut({global, redirect})`. Never races a refresh: one in flight (in this tab or
    /// another) finishes first and its tokens are the ones revoked; one that starts later finds
    /// the session gone or does not store what it gets.
    pub async fn sign_out(&self, global: bool, redirect: bool) -> Result<Json, Error> {
        // GlobalSignOut needs a live access token; getting one may refresh, which takes the
        // lock taken below.
        let live = if global && self.load_session().await.is_some() { Some(self.signed_in().await?) } else { None };
        let running = self.refreshing.borrow().clone();
        if let Some(f) = running {
            let _ = f.await;
        }
        // The refresh lock, held while revoking and clearing. Signing out must not fail for
        // want of a lock, so without one it goes ahead.
        let guard = self.env.lock(&self.lock_name()).await.ok();
        let s = self.load_session().await;
        if let Some(s) = &s {
            if let Some(live) = &live {
                self.send(&api::global_sign_out(&live.access_token)).await.map_err(|e| self.explain_scope(e, live))?;
            } else if let Some(r) = &s.refresh_token {
                // Best effort: the tokens go from this browser either way.
                match (&self.cfg.hosted_ui, s.hosted) {
                    (Some(h), true) => {
                        let _ = self.fetch(&oauth::revoke_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), r)).await;
                    }
                    _ => {
                        let _ = self.send(&api::revoke_token(self.app(), r)).await;
                    }
                }
            }
        }
        self.clear_local(s.as_ref()).await;
        drop(guard);
        if s.is_some() {
            self.announce("signedOut", s.as_ref(), None);
        }
        if let (Some(h), true, true) = (&self.cfg.hosted_ui, redirect, s.as_ref().is_some_and(|s| s.hosted)) {
            self.env.navigate(&oauth::logout_url(h, &self.cfg.client_id))?;
            return Ok(Json::object(vec![("redirecting", Json::Bool(true))]));
        }
        Ok(Json::Obj(vec![]))
    }

    /// Verifies a token: signature against the issuer's JWKS, then the claims. Returns the
    /// claims.
    pub async fn verify(&self, token: &str, token_use: Option<TokenUse>, nonce: Option<&str>) -> Result<Json, Error> {
        let j = jwt::decode(token)?;
        if j.header.str("alg") != Some("RS256") {
            return Err(Error::token(TokenCheck::Algorithm, "alg is not RS256"));
        }
        let kid = j.kid().ok_or_else(|| Error::token(TokenCheck::UnknownKid, "the token has no kid"))?.to_string();
        let key = self.jwks_key(&kid).await?;
        if !self.env.verify_rs256(&key, j.signing_input.as_bytes(), &j.signature).await? {
            return Err(Error::token(TokenCheck::Signature, "the signature does not verify"));
        }
        let expect = Expect {
            issuer: &self.cfg.issuer,
            client_id: self.cfg.client_id.as_str(),
            token_use,
            nonce,
            now_secs: (self.server_now_ms() / 1000.0) as i64,
            skew_secs: SKEW_SECS,
        };
        jwt::check_claims(&j.claims, &expect)?;
        Ok(j.claims)
    }

    async fn jwks_key(&self, kid: &str) -> Result<Jwk, Error> {
        let mut refetched = false;
        for _ in 0..3 {
            let now = (self.server_now_ms() / 1000.0) as i64;
            let decision = self.jwks.borrow().lookup(kid, now);
            match decision {
                Lookup::Found(k) => return Ok(k),
                Lookup::Unknown => break,
                Lookup::Refetch if refetched => {
                    self.jwks.borrow_mut().refetch_failed(now);
                    break;
                }
                Lookup::Fetch => {
                    self.fetch_jwks(false).await?;
                    refetched = true; // a fresh set counts as the one refetch
                }
                Lookup::Refetch => {
                    // A rotated key: the HTTP cache may hold the old set, so bypass it.
                    self.fetch_jwks(true).await?;
                    refetched = true;
                }
            }
        }
        Err(Error::token(TokenCheck::UnknownKid, String::from("no key with kid ") + kid + " in the issuer's JWKS"))
    }

    async fn fetch_jwks(&self, bypass_cache: bool) -> Result<(), Error> {
        let url = self.cfg.issuer.clone() + "/.well-known/jwks.json";
        let req = api::HttpRequest { method: "GET", url: url.clone(), headers: vec![], body: None, bypass_cache };
        let fail = |why: &str| Error::token(TokenCheck::Jwks, String::from("cannot read ") + &url + ": " + why);
        let resp = self.fetch(&req).await.map_err(|e| fail(&e.message()))?;
        if resp.status != 200 {
            return Err(fail(&(String::from("HTTP ") + &cognito_proto::json::itoa(resp.status as i64))));
        }
        let v = Json::parse(&resp.body).map_err(|_| fail("not JSON"))?;
        let now = (self.server_now_ms() / 1000.0) as i64;
        self.jwks.borrow_mut().store(jwt::parse_jwks(&v), resp.cache_control.as_deref(), now);
        Ok(())
    }
}
