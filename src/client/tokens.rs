//! Sessions: getSession with refresh that never races, sign-out, and the events (in this tab,
//! and to the others by broadcast).
//!
//! ```text
//! getSession ─ fresh? ─▶ tokens
//!            └ stale ─▶ one refresh per tab (Flight) ─▶ Web Lock "cognito-wasm.refresh.<client>"
//!                        ─▶ re-read storage (another tab may have refreshed; if we had to wait,
//!                           give its tokens HANDOFF_POLLS × HANDOFF_POLL_MS to arrive by storage
//!                           or BroadcastChannel)
//!                        ─▶ REFRESH_TOKEN_AUTH | GetTokensFromRefreshToken (rotation) |
//!                           /oauth2/token (hosted UI) ─▶ verify, store, broadcast ─▶ release
//! failure: an exception that ends the session (Exception::ends_session, OAuth invalid_grant)
//!          ─▶ clear, "tokenRefreshFailure" + "signedOut";
//!          anything else keeps the tokens (still valid ones are returned).
//! signOut ─▶ (global: a live access token) ─▶ wait for this tab's refresh ─▶ the same Web Lock
//!         ─▶ re-read storage ─▶ RevokeToken | GlobalSignOut ─▶ clear, counted as a sign-out
//!         ─▶ release; a refresh begun before the count changed stores nothing and gives null.
//! ```

use super::store::SignInMethod;
use super::{nodrop, AuthEvent, Client, Env, EventKind, Flight};
use cognito_proto::api::{self, AuthStep};
use cognito_proto::error::{Error, Exception};
use cognito_proto::json::Json;
use cognito_proto::oauth;
use cognito_proto::session::{self, Session};
use cognito_proto::types::Username;

pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// After waiting for another tab's lock, how often and how long to look for the tokens it
/// refreshed: in Chromium one page's storage write can reach another page tens of ms late.
const HANDOFF_POLLS: u32 = 12;
const HANDOFF_POLL_MS: u32 = 25;

/// What `signOut` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignOutOutcome {
    /// The page is being sent to the hosted UI's `/logout`.
    pub redirecting: bool,
}

impl<E: Env> Client<E> {
    fn lock_name(&self) -> String {
        String::from("cognito-wasm.refresh.") + self.cfg.client_id.as_str()
    }

    /// `getSession({forceRefresh})`: current tokens, refreshed when they expire within the
    /// margin; `None` when signed out.
    pub async fn get_session(&self, force: bool) -> Result<Option<Session>, Error> {
        let Some(s) = nodrop(self.load_session()).await else { return Ok(None) };
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
        let r = nodrop(self.refresh_locked(&s, force)).await;
        *self.refreshing.borrow_mut() = None;
        flight.finish(r.clone());
        r
    }

    async fn refresh_locked(&self, before: &Session, force: bool) -> Result<Option<Session>, Error> {
        let (guard, waited) = self.env.lock(&self.lock_name()).await?;
        let margin = self.cfg.refresh_margin_secs;
        let fresh = |s: &Session| !s.needs_refresh(self.env.now_ms(), margin);
        let changed = |s: &Session| s.access_token.expose() != before.access_token.expose();
        let Some(mut s) = nodrop(self.load_session()).await else { return Ok(None) };
        if fresh(&s) && (!force || changed(&s)) {
            return Ok(Some(s));
        }
        if waited {
            // Another tab held the lock, probably refreshing: its tokens reach us by storage or
            // by its broadcast, sometimes tens of ms after it let go.
            for _ in 0..HANDOFF_POLLS {
                self.env.sleep(HANDOFF_POLL_MS).await;
                match nodrop(self.load_session()).await {
                    None => return Ok(None),
                    Some(n) if fresh(&n) && (!force || changed(&n)) => return Ok(Some(n)),
                    Some(n) => s = n,
                }
            }
        }
        let sign_outs = self.sign_outs();
        let result = nodrop(self.refresh_now(&s, sign_outs)).await;
        drop(guard);
        if self.sign_outs() != sign_outs {
            // Signed out while the refresh was in flight: its tokens were not stored.
            return Ok(None);
        }
        match result {
            Ok(n) => {
                self.announce(EventKind::TokenRefresh, Some(&n), None);
                Ok(Some(n))
            }
            Err(e) if session::ends_session(&e) => {
                nodrop(self.clear_local(Some(&s))).await;
                self.announce(EventKind::TokenRefreshFailure, Some(&s), Some(&e));
                self.announce(EventKind::SignedOut, Some(&s), None);
                Err(e)
            }
            Err(e) => {
                self.announce(EventKind::TokenRefreshFailure, Some(&s), Some(&e));
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
            return Err(Error::service(Exception::NotAuthorized, "the session has no refresh token (it cannot be renewed): sign in again"));
        };
        let device = nodrop(self.device_of(&s.username)).await.map(|d| d.key);
        let tokens = match (&self.cfg.hosted_ui, s.hosted) {
            (Some(h), true) => {
                let req = oauth::refresh_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), &refresh, device.as_ref());
                oauth::parse_token_response(&nodrop(self.fetch(&req)).await?)?
            }
            _ if self.cfg.refresh_token_rotation => {
                let v = nodrop(self.send(&api::get_tokens_from_refresh_token(self.app(), &refresh, device.as_ref()))).await?;
                api::parse_tokens(
                    v.get("AuthenticationResult").ok_or_else(|| Error::network("refresh answer without AuthenticationResult"))?,
                )?
            }
            _ => {
                let user = Username::new(s.username.clone());
                match api::parse_auth(&nodrop(self.send(&api::initiate_refresh(self.app(), &refresh, &user, device.as_ref()))).await?)? {
                    AuthStep::Tokens(t) => t,
                    AuthStep::Challenge(c) => {
                        return Err(Error::network(String::from("unexpected challenge on refresh: ") + c.name.as_str()))
                    }
                }
            }
        };
        let method = if s.hosted { SignInMethod::HostedUi } else { SignInMethod::Api };
        nodrop(self.finish(tokens, method, None, Some(sign_outs))).await
    }

    /// The signed-in session with usable tokens, or InvalidStateError.
    pub(crate) async fn signed_in(&self) -> Result<Session, Error> {
        nodrop(self.get_session(false)).await?.ok_or_else(|| Error::invalid_state("not signed in: call signIn first"))
    }

    /// Says so when a user-API call failed for lack of the admin scope (hosted-UI tokens).
    pub(crate) fn explain_scope(&self, e: Error, s: &Session) -> Error {
        match e {
            Error::Service { exception: Exception::NotAuthorized, message, status } if !s.has_scope(ADMIN_SCOPE) => Error::Service {
                exception: Exception::NotAuthorized,
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
    pub async fn sign_out(&self, global: bool, redirect: bool) -> Result<SignOutOutcome, Error> {
        // GlobalSignOut needs a live access token; getting one may refresh, which takes the
        // lock taken below.
        let live = if global && nodrop(self.load_session()).await.is_some() { Some(nodrop(self.signed_in()).await?) } else { None };
        let running = self.refreshing.borrow().clone();
        if let Some(f) = running {
            let _ = f.await;
        }
        // The refresh lock, held while revoking and clearing. Signing out must not fail for
        // want of a lock, so without one it goes ahead.
        let guard = self.env.lock(&self.lock_name()).await.ok();
        let s = nodrop(self.load_session()).await;
        if let Some(s) = &s {
            if let Some(live) = &live {
                nodrop(self.send(&api::global_sign_out(&live.access_token))).await.map_err(|e| self.explain_scope(e, live))?;
            } else if let Some(r) = &s.refresh_token {
                // Best effort: the tokens go from this browser either way.
                match (&self.cfg.hosted_ui, s.hosted) {
                    (Some(h), true) => {
                        let _ = nodrop(self.fetch(&oauth::revoke_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), r))).await;
                    }
                    _ => {
                        let _ = nodrop(self.send(&api::revoke_token(self.app(), r))).await;
                    }
                }
            }
        }
        nodrop(self.clear_local(s.as_ref())).await;
        drop(guard);
        if s.is_some() {
            self.announce(EventKind::SignedOut, s.as_ref(), None);
        }
        if let (Some(h), true, true) = (&self.cfg.hosted_ui, redirect, s.as_ref().is_some_and(|s| s.hosted)) {
            self.env.navigate(&oauth::logout_url(h, &self.cfg.client_id))?;
            return Ok(SignOutOutcome { redirecting: true });
        }
        Ok(SignOutOutcome { redirecting: false })
    }

    /// Local event and cross-tab message (the message carries the new tokens so other tabs can
    /// use them before their storage shows them).
    pub(crate) fn announce(&self, kind: EventKind, s: Option<&Session>, error: Option<&Error>) {
        let username = s.map(|s| s.username.clone());
        let error = error.map(|e| (e.name().to_string(), e.message()));
        let mut msg = Json::object(vec![("type", Json::from(kind.as_str())), ("username", Json::from(username.as_deref()))]);
        if let Some((name, message)) = &error {
            msg.set("error", Json::object(vec![("name", Json::from(name.as_str())), ("message", Json::from(message.as_str()))]));
        }
        self.env.emit(&AuthEvent { kind, username, error, from_other_tab: false });
        if let Some(s) = s.filter(|_| kind == EventKind::SignedIn || kind == EventKind::TokenRefresh) {
            msg.set("idToken", Json::from(s.id_token.expose()));
            msg.set("accessToken", Json::from(s.access_token.expose()));
            msg.set("clockDrift", Json::int(s.clock_drift_ms / 1000));
        }
        self.env.broadcast(&msg);
    }

    /// A message from another tab (BroadcastChannel).
    pub fn on_broadcast(&self, msg: &Json) {
        let Some(kind) = msg.str("type").and_then(EventKind::parse) else { return };
        match kind {
            EventKind::TokenRefresh | EventKind::SignedIn => {
                // The other tab's fresh tokens, usable before our storage shows them.
                if let (Some(u), Some(id), Some(at)) = (msg.str("username"), msg.str("idToken"), msg.str("accessToken")) {
                    let drift = msg.get("clockDrift").and_then(Json::as_i64).map(session::secs_text);
                    if let Some(s) = Session::from_stored(u, Some(id), Some(at), None, drift.as_deref(), None) {
                        self.set_latest(Some(s));
                    }
                }
            }
            EventKind::SignedOut => {
                self.set_latest(None);
                self.count_sign_out();
            }
            EventKind::TokenRefreshFailure => {}
        }
        // Listeners see the event without the tokens.
        let error = msg.get("error").map(|e| (e.str("name").unwrap_or("").to_string(), e.str("message").unwrap_or("").to_string()));
        self.env.emit(&AuthEvent { kind, username: msg.str("username").map(String::from), error, from_other_tab: true });
    }
}
