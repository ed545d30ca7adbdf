//! Sign-out.
//!
//! ```text
//! signOut ─▶ (global: a live access token) ─▶ wait for this tab's refresh (bounded) ─▶ the
//!         refresh's Web Lock (bounded; without it the sign-out goes ahead) ─▶ re-read storage ─▶
//!         RevokeToken (one attempt) | GlobalSignOut | /oauth2/revoke ─▶ clear, counted as a
//!         sign-out ─▶ release; a refresh begun before the count changed stores nothing and
//!         gives null, and a tab whose refresh stored tokens just after another tab signed out
//!         removes them again (`tokens::on_broadcast`).
//! ```

use super::{first, nodrop, Client, Env, EventKind};
use cognito_proto::api;
use cognito_proto::error::Error;
use cognito_proto::oauth;

/// What `signOut` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignOutOutcome {
    /// The page is being sent to the hosted UI's `/logout`.
    pub redirecting: bool,
}

impl<E: Env> Client<E> {
    /// `signOut({global, redirect})`. Never races a refresh: one in flight (in this tab or
    /// another) finishes first and its tokens are the ones revoked; one that starts later finds
    /// the session gone or does not store what it gets.
    pub async fn sign_out(&self, global: bool, redirect: bool) -> Result<SignOutOutcome, Error> {
        // Checked first: a wrong hostedUi is a ConfigError before anything changes.
        let hosted_ui = self.cfg.hosted_ui()?;
        // GlobalSignOut needs a live access token; getting one may refresh, which takes the
        // lock taken below.
        let live = if global && nodrop(self.load_session()).await.is_some() { Some(nodrop(self.signed_in()).await?) } else { None };
        let timeout = self.cfg.request_timeout_ms;
        let running = self.refreshing.borrow().clone();
        if let Some(f) = running {
            let _ = first(f, self.env.sleep(timeout)).await;
        }
        // The refresh lock, held while revoking and clearing. Signing out must not fail for
        // want of a lock (another tab's refresh may be stuck on a stalled network), so after the
        // timeout it goes ahead without.
        let guard = self.env.lock(&self.lock_name(), timeout).await.ok().flatten();
        let s = nodrop(self.load_session()).await;
        if let Some(s) = &s {
            if let Some(live) = &live {
                nodrop(self.send(&api::global_sign_out(&live.access_token))).await.map_err(|e| self.explain_scope(e, live))?;
            } else if let Some(r) = &s.refresh_token {
                // Best effort: the tokens go from this browser either way.
                match (&hosted_ui, s.hosted) {
                    (Some(h), true) => {
                        let _ =
                            nodrop(self.fetch(&oauth::revoke_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), r), true))
                                .await;
                    }
                    _ => {
                        // One attempt: the sign-out must not wait out retries on a dead network.
                        let _ = nodrop(self.send_with(&api::revoke_token(self.app(), r), 0)).await;
                    }
                }
            }
        }
        nodrop(self.clear_local(s.as_ref())).await;
        drop(guard);
        if s.is_some() {
            self.announce(EventKind::SignedOut, s.as_ref(), None);
        }
        if let (Some(h), true, true) = (&hosted_ui, redirect, s.as_ref().is_some_and(|s| s.hosted)) {
            self.env.navigate(&oauth::logout_url(h, &self.cfg.client_id))?;
            return Ok(SignOutOutcome { redirecting: true });
        }
        Ok(SignOutOutcome { redirecting: false })
    }

}
