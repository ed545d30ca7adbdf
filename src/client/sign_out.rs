//! Sign-out.
//!
//! ```text
//! signOut ─▶ (global: a live access token) ─▶ per account ended: wait for this tab's refresh of
//!         it (bounded) ─▶ its refresh's Web Lock (bounded; without it the sign-out goes ahead)
//!         ─▶ re-read its storage ─▶ RevokeToken (one attempt) | GlobalSignOut | /oauth2/revoke
//!         ─▶ clear, counted as its sign-out ─▶ release ─▶ "signedOut"; a refresh begun before the
//!         count changed stores nothing and gives null, and a tab whose refresh stored tokens
//!         just after another tab signed out removes them again (`tokens::on_broadcast`).
//! signOut() ends the current account, and the most recently used other one becomes current:
//! "accountSwitched" comes first, so that when "signedOut" arrives the current account is
//! already the new one (or nobody); signOut({allAccounts}) ends every account, side by side.
//! ```

use super::{all, first, nodrop, Client, Env, EventKind};
use cognito_proto::api;
use cognito_proto::config::HostedUiConfig;
use cognito_proto::error::Error;
use cognito_proto::oauth;
use cognito_proto::session::{self, Session};

/// What `signOut` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignOutOutcome {
    /// The page is being sent to the hosted UI's `/logout`.
    pub redirecting: bool,
}

impl<E: Env> Client<E> {
    /// `signOut({global, redirect, allAccounts})`. Never races a refresh: one in flight (in this
    /// tab or another) finishes first and its tokens are the ones revoked; one that starts later
    /// finds the session gone or does not store what it gets. `global` (GlobalSignOut) is for
    /// the current account.
    pub async fn sign_out(&self, global: bool, redirect: bool) -> Result<SignOutOutcome, Error> {
        nodrop(self.sign_out_with(global, redirect, false)).await
    }

    /// `sign_out`, or (`all_accounts`) of every signed-in account.
    pub async fn sign_out_with(&self, global: bool, redirect: bool, all_accounts: bool) -> Result<SignOutOutcome, Error> {
        // Checked first: a wrong hostedUi is a ConfigError before anything changes.
        let hosted_ui = self.cfg.hosted_ui()?;
        // GlobalSignOut needs a live access token; getting one may refresh, which takes the
        // lock taken below.
        let current = nodrop(self.load_session()).await;
        let live = if global && current.is_some() { Some(nodrop(self.signed_in()).await?) } else { None };
        if let Some(live) = &live {
            nodrop(self.send(&api::global_sign_out(&live.access_token))).await.map_err(|e| self.explain_scope(e, live))?;
        }
        let revoke = live.is_none();
        let ended = match (&current, all_accounts) {
            (_, true) => {
                let (_, sessions) = nodrop(self.live_accounts()).await;
                let ends = sessions.iter().map(|s| self.end_account(&s.username, revoke || Some(&s.username) != current.as_ref().map(|c| &c.username), hosted_ui.as_ref()));
                let ended: Vec<Session> = all(ends.map(|f| Box::pin(nodrop(f))).collect()).await.into_iter().flatten().collect();
                self.env.remove(&session::accounts_key(&self.cfg.client_id)).await;
                nodrop(self.clear_local(None)).await;
                for s in &ended {
                    self.announce(EventKind::SignedOut, Some(s), None);
                }
                ended.into_iter().find(|s| current.as_ref().is_some_and(|c| c.username == s.username))
            }
            (Some(c), false) => {
                let s = nodrop(self.end_account(&c.username, revoke, hosted_ui.as_ref())).await;
                nodrop(self.after_sign_out(&c.username)).await;
                if s.is_some() {
                    self.announce(EventKind::SignedOut, s.as_ref(), None);
                }
                s
            }
            (None, false) => {
                nodrop(self.clear_local(None)).await;
                None
            }
        };
        if let (Some(h), true, true) = (&hosted_ui, redirect, ended.as_ref().is_some_and(|s| s.hosted)) {
            self.env.navigate(&oauth::logout_url(h, &self.cfg.client_id))?;
            return Ok(SignOutOutcome { redirecting: true });
        }
        Ok(SignOutOutcome { redirecting: false })
    }

    /// Ends one account in this browser: after its refresh in flight (bounded), under its
    /// refresh lock (bounded), its refresh token revoked (`revoke`; best effort, one attempt)
    /// and its tokens cleared. The session it ended, if it was still stored (the caller
    /// announces "signedOut").
    async fn end_account(&self, user: &str, revoke: bool, hosted_ui: Option<&HostedUiConfig>) -> Option<Session> {
        let timeout = self.cfg.request_timeout_ms;
        if let Some(f) = self.refreshing(user) {
            let _ = first(f, self.env.sleep(timeout)).await;
        }
        // Signing out must not fail for want of a lock (another tab's refresh may be stuck on a
        // stalled network), so after the timeout it goes ahead without.
        let guard = self.env.lock(&self.lock_name(user), timeout).await.ok().flatten();
        let s = nodrop(self.load_user(user)).await;
        if let Some(r) = s.as_ref().filter(|_| revoke).and_then(|s| s.refresh_token.as_ref()) {
            match (hosted_ui, s.as_ref().is_some_and(|s| s.hosted)) {
                (Some(h), true) => {
                    let req = oauth::revoke_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), r);
                    let _ = nodrop(self.fetch(&req, true)).await;
                }
                // One attempt: the sign-out must not wait out retries on a dead network.
                _ => {
                    let _ = nodrop(self.send_with(&api::revoke_token(self.app(), r), 0)).await;
                }
            }
        }
        if let Some(s) = &s {
            nodrop(self.clear_local(Some(s))).await;
        }
        drop(guard);
        s
    }
}
