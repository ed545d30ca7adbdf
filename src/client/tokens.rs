//! Sessions: getSession with refresh that never races, and the events (in this tab,
//! and to the others by broadcast).
//!
//! ```text
//! getSession ─ fresh? ─▶ tokens                       (the current account's: LastAuthUser)
//!            └ stale ─▶ one refresh per tab and account, a task of its own (Flight) ─▶ Web Lock
//!                        "cognito-wasm.refresh.<client>.<username>" (per account: refreshing one
//!                        never blocks or overwrites another), waited for at most requestTimeoutMs
//!                        ─▶ re-read storage (another tab may have refreshed; if we had to wait,
//!                           give its tokens HANDOFF_POLLS × HANDOFF_POLL_MS to arrive by storage
//!                           or BroadcastChannel)
//!                        ─▶ REFRESH_TOKEN_AUTH | GetTokensFromRefreshToken (rotation) |
//!                           /oauth2/token (hosted UI) ─▶ verify, store, broadcast ─▶ release
//!            the caller waits for the refresh at most VALID_TOKENS_WAIT_MS while its tokens are
//!            still valid (then it gets them, and the refresh goes on in the background), at
//!            most requestTimeoutMs once they have expired (then a retryable NetworkError)
//! failure: an exception that ends the session (Exception::ends_session, OAuth invalid_grant)
//!          ─▶ clear that account (nobody is current when it was: other accounts stay signed in
//!          and `switchAccount` picks one), "tokenRefreshFailure" + "signedOut";
//!          anything else keeps the tokens (still valid ones are returned).
//! A refresh finishes for the account it began with, also when the user switches meanwhile;
//! it leaves the current account as it is. signOut (`sign_out`) takes the same lock.
//! ```

use super::store::SignInMethod;
use super::{first, nodrop, AuthEvent, Client, Env, EventKind, First, Flight, Metadata};
use cognito_proto::api;
use cognito_proto::error::{Error, Exception};
use cognito_proto::json::{itoa, Raw, Writer};
use cognito_proto::oauth;
use cognito_proto::session::{self, Session};

pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// After waiting for another tab's lock, how often and how long to look for the tokens it
/// refreshed: in Chromium one page's storage write can reach another page tens of ms late.
const HANDOFF_POLLS: u32 = 12;
const HANDOFF_POLL_MS: u32 = 25;

/// How long getSession waits for a refresh while the tokens it has are still valid: on a
/// network that stalls, the app gets them back at once instead of waiting out the request
/// timeout (the refresh goes on in the background).
const VALID_TOKENS_WAIT_MS: u32 = 3_000;

impl<E: Env> Client<E> {
    /// The cross-tab lock of one account's refresh.
    pub(crate) fn lock_name(&self, username: &str) -> String {
        String::from("cognito-wasm.refresh.") + self.cfg.client_id.as_str() + "." + username
    }

    /// The refresh of `username` running in this tab, if any.
    pub(crate) fn refreshing(&self, username: &str) -> Option<Flight<super::RefreshResult>> {
        self.refreshing.borrow().iter().find(|(u, _)| u == username).map(|(_, f)| f.clone())
    }

    /// `getSession({forceRefresh})`: current tokens, refreshed when they expire within the
    /// margin; `None` when signed out. Settles in bounded time whatever the network does.
    pub async fn get_session(&self, force: bool) -> Result<Option<Session>, Error> {
        nodrop(self.get_session_with(force, &Metadata::new())).await
    }

    /// `get_session`, with the `ClientMetadata` of the refresh it may start.
    pub async fn get_session_with(&self, force: bool, meta: &Metadata) -> Result<Option<Session>, Error> {
        let Some(s) = nodrop(self.load_session()).await else { return Ok(None) };
        if !force && !s.needs_refresh(self.env.now_ms(), self.cfg.refresh_margin_secs) {
            return Ok(Some(s));
        }
        let flight = self.start_refresh(&s, force, meta);
        let timeout = self.cfg.request_timeout_ms;
        let valid = !force && !s.is_expired(self.env.now_ms());
        let wait = if valid { timeout.min(VALID_TOKENS_WAIT_MS) } else { timeout };
        match first(flight, self.env.sleep(wait)).await {
            First::A(r) => r,
            // Still valid: use them; the refresh finishes in the background.
            First::B(()) if valid => Ok(Some(s)),
            First::B(()) => Err(Error::network(
                String::from("the session could not be refreshed within ")
                    + &itoa(timeout as i64)
                    + " ms (requestTimeoutMs): the tokens are kept; try again",
            )),
        }
    }

    /// The refresh running in this tab, or a new one: a task of its own, so that it goes on when
    /// its callers stop waiting (and releases the lock when it is done, not when they are).
    fn start_refresh(&self, s: &Session, force: bool, meta: &Metadata) -> Flight<super::RefreshResult> {
        if let Some(f) = self.refreshing(&s.username) {
            return f;
        }
        let flight = Flight::new();
        let Some(me) = self.me() else {
            // Made without new_rc: nothing to run the task; the callers see it as failed.
            flight.finish(Err(Error::invalid_state("this client cannot refresh (it was not made with Client::new_rc)")));
            return flight;
        };
        self.refreshing.borrow_mut().push((s.username.clone(), flight.clone()));
        let (done, before, meta) = (flight.clone(), s.clone(), meta.clone());
        self.env.spawn(Box::pin(async move {
            let r = nodrop(me.refresh_locked(&before, force, &meta)).await;
            me.refreshing.borrow_mut().retain(|(u, _)| *u != before.username);
            done.finish(r);
        }));
        flight
    }

    async fn refresh_locked(&self, before: &Session, force: bool, meta: &Metadata) -> Result<Option<Session>, Error> {
        let user = before.username.as_str();
        let Some((guard, waited)) = self.env.lock(&self.lock_name(user), self.cfg.request_timeout_ms).await? else {
            // Another tab held the lock all that time (a refresh on a stalled network): no second
            // refresh behind its back; the tokens we have, if they are still valid.
            if !force && !before.is_expired(self.env.now_ms()) {
                return Ok(Some(before.clone()));
            }
            return Err(Error::network("another tab is refreshing the session and has not finished: try again"));
        };
        let margin = self.cfg.refresh_margin_secs;
        let fresh = |s: &Session| !s.needs_refresh(self.env.now_ms(), margin);
        let changed = |s: &Session| s.access_token.expose() != before.access_token.expose();
        // This account's tokens as stored now (the user may have switched to another meanwhile:
        // the refresh is still this account's).
        let Some(mut s) = nodrop(self.load_user(user)).await else { return Ok(None) };
        if fresh(&s) && (!force || changed(&s)) {
            return Ok(Some(s));
        }
        if waited {
            // Another tab held the lock, probably refreshing: its tokens reach us by storage or
            // by its broadcast, sometimes tens of ms after it let go.
            for _ in 0..HANDOFF_POLLS {
                self.env.sleep(HANDOFF_POLL_MS).await;
                match nodrop(self.load_user(user)).await {
                    None => return Ok(None),
                    Some(n) if fresh(&n) && (!force || changed(&n)) => return Ok(Some(n)),
                    Some(n) => s = n,
                }
            }
        }
        let sign_outs = self.sign_outs_of(user);
        let result = nodrop(self.refresh_now(&s, sign_outs, meta)).await;
        drop(guard);
        if self.sign_outs_of(user) != sign_outs {
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

    async fn refresh_now(&self, s: &Session, sign_outs: u32, meta: &Metadata) -> Result<Session, Error> {
        let Some(refresh) = s.refresh_token.clone() else {
            return Err(Error::service(Exception::NotAuthorized, "the session has no refresh token (it cannot be renewed): sign in again"));
        };
        let device = nodrop(self.device_of(&s.username)).await.map(|d| d.key);
        let tokens = match (&self.cfg.hosted_domain, s.hosted) {
            (Some(domain), true) => {
                let req = oauth::refresh_request(domain, &self.cfg.client_id, self.cfg.client_secret.as_ref(), &refresh, device.as_ref());
                oauth::parse_token_response(&nodrop(self.fetch(&req, true)).await?)?
            }
            _ => {
                let req = if self.cfg.refresh_token_rotation {
                    api::get_tokens_from_refresh_token(self.app(), &refresh, device.as_ref())
                } else {
                    let hash = match &self.cfg.client_secret {
                        Some(secret) => {
                            let message = cognito_proto::crypto::secret_hash_message(&s.username, self.cfg.client_id.as_str());
                            Some(cognito_proto::codec::base64_encode(&self.env.hmac_sha256(secret.expose().as_bytes(), message.as_bytes()).await?))
                        }
                        None => None,
                    };
                    api::initiate_refresh(&self.cfg.client_id, &refresh, hash.as_deref(), device.as_ref())
                };
                api::parse_refresh(nodrop(self.send(&req.with_metadata(meta))).await?.raw())?
            }
        };
        let method = if s.hosted { SignInMethod::HostedUi } else { SignInMethod::Api };
        nodrop(self.keep_refreshed(&tokens, method, sign_outs)).await
    }

    /// The signed-in session with usable tokens, or InvalidStateError.
    pub(crate) async fn signed_in(&self) -> Result<Session, Error> {
        nodrop(self.get_session(false)).await?.ok_or_else(|| Error::invalid_state("not signed in: call signIn first"))
    }

    /// Says so when a user-API call failed for lack of the admin scope (hosted-UI tokens).
    pub(crate) fn explain_scope(&self, e: Error, s: &Session) -> Error {
        match e {
            e if e.is(&Exception::NotAuthorized) && !s.has_scope(ADMIN_SCOPE) => e.explain(|m| {
                m + " — the access token lacks the aws.cognito.signin.user.admin scope: add it to hostedUi.scopes (and to the app client's allowed OAuth scopes), then sign in again"
            }),
            other => other,
        }
    }

    /// Local event and cross-tab message (the message carries the new tokens so other tabs can
    /// use them before their storage shows them).
    pub(crate) fn announce(&self, kind: EventKind, s: Option<&Session>, error: Option<&Error>) {
        let username = s.map(|s| s.username.clone());
        let error = error.map(|e| (e.name().to_string(), e.message()));
        let event = AuthEvent { kind, username, error, from_other_tab: false, retry: None };
        let mut msg = Writer::object();
        msg.str("type", kind.as_str()).opt("username", event.username.as_deref());
        if let Some((name, message)) = &event.error {
            msg.raw("error", &Writer::object().str("name", name).str("message", message).end());
        }
        if let Some(s) = s.filter(|_| matches!(kind, EventKind::SignedIn | EventKind::TokenRefresh | EventKind::AccountSwitched)) {
            msg.str("idToken", s.id_token.expose()).str("accessToken", s.access_token.expose()).int("clockDrift", s.clock_drift_ms / 1000);
        }
        self.env.emit(&event);
        self.env.broadcast(&msg.end());
    }

    /// A message from another tab (BroadcastChannel): JSON text of `announce`'s shape; anything
    /// else is ignored.
    pub fn on_broadcast(&self, text: &str) {
        let Some(msg) = Raw::parse(text).ok().filter(|m| m.is_object()) else { return };
        let Some(kind) = msg.str("type").as_deref().and_then(EventKind::parse) else { return };
        let username = msg.str("username");
        match kind {
            EventKind::TokenRefresh | EventKind::SignedIn | EventKind::AccountSwitched => {
                // The other tab's fresh tokens, usable before our storage shows them. A sign-in
                // or a switch makes that account the current one in every tab; a refresh only
                // renews the account it is for.
                let current = self.latest().map(|l| l.username);
                let renews = kind != EventKind::TokenRefresh || current.is_some() && current == username;
                if let (Some(u), Some(id), Some(at), true) = (&username, msg.str("idToken"), msg.str("accessToken"), renews) {
                    let drift = msg.get("clockDrift").and_then(Raw::as_i64).map(session::secs_text);
                    if let Some(s) = Session::from_stored(u, Some(&id), Some(&at), None, drift.as_deref(), None) {
                        self.set_latest(Some(s));
                        if kind != EventKind::TokenRefresh {
                            self.tell_current(Some(Some(u.clone())));
                        }
                    }
                }
            }
            EventKind::SignedOut => {
                if let Some(u) = &username {
                    if self.latest().is_none_or(|l| l.username == *u) {
                        self.set_latest(None);
                        self.tell_current(Some(None));
                    }
                    self.count_sign_out(u);
                }
                self.remove_own_late_store(username.as_deref());
            }
            _ => {}
        }
        // Listeners see the event without the tokens.
        let error = msg.get("error").map(|e| (e.str("name").unwrap_or_default(), e.str("message").unwrap_or_default()));
        self.env.emit(&AuthEvent { kind, username, error, from_other_tab: true, retry: None });
    }
}

impl<E: Env> Client<E> {
    /// Another tab signed `username` out. If a refresh of this tab stored its tokens after that
    /// tab cleared the storage (its answer came back late, while the other tab's sign-out went
    /// ahead without the lock), they are removed again: nothing signs the user back in. Tokens
    /// stored since by anyone else (a new sign-in) are left alone.
    fn remove_own_late_store(&self, username: Option<&str>) {
        let (Some(user), Some(me)) = (username, self.me()) else { return };
        let Some(ours) = self.stored_access.borrow_mut().take() else { return };
        let user = user.to_string();
        self.env.spawn(Box::pin(async move {
            let k = me.user_keys(&user);
            if me.env.get(&k.access_token()).await.as_deref() == Some(ours.as_str()) {
                nodrop(me.remove_account_keys(&user)).await;
            }
        }));
    }
}
