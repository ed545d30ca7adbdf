//! Several accounts in one browser, the way Gmail and GitHub switch between them.
//!
//! ```text
//! storage: <prefix>.<client>.LastAuthUser = the current account (what identity-js and Amplify
//!          read, so they keep seeing the current user's tokens); <prefix>.<client>.<username>.*
//!          = each account's tokens; <prefix>.<client>.accounts = [{username, lastUsedAt}]
//!          (session::AccountList; absent: LastAuthUser alone, so older storage carries over)
//! signIn({addAccount}) | signInWithRedirect({addAccount}) ─▶ room under maxAccounts? (else
//!          AccountLimitError, before any request) ─▶ … tokens ─▶ under the Web Lock
//!          "cognito-wasm.accounts.<client>": room still? ─▶ tokens, list, LastAuthUser ─▶ "signedIn"
//! switchAccount(usernameOrSub) ─▶ LastAuthUser, lastUsedAt ─▶ "accountSwitched" (with the
//!          tokens, to every tab: a switch in one tab is what every tab sees)
//! signOut() ─▶ the current account ends ─▶ the most recently used other one becomes current
//!          ("signedOut", then "accountSwitched"); signOut({allAccounts}) ends every one
//! ```
//! Calls that began before a switch finish for the account they began with. An account whose
//! tokens are gone (Cognito ended its session) leaves the list the next time the list is read.

use super::store::SignInMethod;
use super::{nodrop, AccountInfo, Client, Env, EventKind};
use cognito_proto::api::{self, Tokens};
use cognito_proto::error::{Error, ErrorKind};
use cognito_proto::json::itoa;
use cognito_proto::session::{self, AccountList, Session};

impl<E: Env> Client<E> {
    fn accounts_lock(&self) -> String {
        String::from("cognito-wasm.accounts.") + self.cfg.client_id.as_str()
    }

    /// The signed-in accounts with their sessions, in the list's order. Entries whose session
    /// is gone are dropped from the stored list.
    pub(crate) async fn live_accounts(&self) -> (AccountList, Vec<Session>) {
        let key = session::accounts_key(&self.cfg.client_id);
        let current = nodrop(self.current_username()).await;
        let stored = self.env.get(&key).await;
        let mut list = AccountList::read(stored.as_deref(), current.as_deref());
        let mut sessions = Vec::new();
        for (user, _) in list.entries.clone() {
            match nodrop(self.load_user(&user)).await {
                Some(s) => sessions.push(s),
                None => list.remove(&user),
            }
        }
        let text = list.to_json();
        if stored.is_some() && stored.as_deref() != Some(text.as_str()) {
            let _ = self.env.set(&key, &text).await;
        }
        (list, sessions)
    }

    fn limit_error(&self, max: usize) -> Error {
        Error::new(
            ErrorKind::AccountLimit,
            itoa(max as i64) + " accounts are signed in, the most maxAccounts allows: sign one out (signOut() ends the current one) before adding another",
        )
    }

    /// Before a sign-in that adds an account: is there room for `typed` (a username, or an
    /// alias such as an e-mail address of an account already signed in)? Refused before any
    /// request is made.
    pub(crate) async fn check_room(&self, typed: Option<&str>) -> Result<(), Error> {
        let max = self.cfg.max_accounts()?;
        let (list, sessions) = nodrop(self.live_accounts()).await;
        let known = typed.is_some_and(|t| sessions.iter().any(|s| s.username == t || s.id_claims().str("email").as_deref() == Some(t)));
        if list.len() >= max && !known {
            return Err(self.limit_error(max));
        }
        Ok(())
    }

    /// Keeps the tokens of a sign-in (claims checked) as the current account. `replaces`: the
    /// account it takes the place of (a hosted-UI sign-in without `addAccount`), which is
    /// signed out of this browser. Past `maxAccounts`, nothing is kept (the new refresh token
    /// is revoked) and nothing is dropped: AccountLimitError.
    pub(crate) async fn keep_signed_in(&self, t: &Tokens, method: SignInMethod, nonce: Option<&str>, replaces: Option<&str>) -> Result<Session, Error> {
        let (username, drift) = self.check_received(t, nonce)?;
        let max = self.cfg.max_accounts()?;
        // One writer of the list at a time across tabs (without it after the wait: go ahead).
        let guard = self.env.lock(&self.accounts_lock(), self.cfg.request_timeout_ms).await.ok().flatten();
        let (mut list, _) = nodrop(self.live_accounts()).await;
        let replaced = replaces.filter(|r| *r != username);
        if let Some(r) = replaced {
            list.remove(r);
        }
        if !list.has_room_for(&username, max) {
            drop(guard);
            if let Some(r) = &t.refresh_token {
                let _ = nodrop(self.send_with(&api::revoke_token(self.app(), r), 0)).await;
            }
            return Err(self.limit_error(max));
        }
        list.touch(&username, self.env.now_ms());
        let extra = vec![(session::accounts_key(&self.cfg.client_id), list.to_json()), (session::last_user_key(&self.cfg.client_id), username.clone())];
        let s = nodrop(self.write_tokens(&username, t, drift, method, extra)).await?;
        if let Some(r) = replaced {
            self.env.remove_all(&self.user_keys(r).session_keys()).await;
            self.count_sign_out(r);
        }
        drop(guard);
        self.tell_current(None);
        self.set_latest(Some(s.clone()));
        Ok(s)
    }

    /// `listAccounts()`.
    pub async fn list_accounts(&self) -> Vec<AccountInfo> {
        let current = nodrop(self.current_username()).await;
        let (list, sessions) = nodrop(self.live_accounts()).await;
        list.entries
            .iter()
            .zip(sessions)
            .map(|((user, at), s)| AccountInfo {
                username: user.clone(),
                sub: s.sub(),
                email: s.id_claims().str("email"),
                current: current.as_deref() == Some(user.as_str()),
                expires_at_ms: s.expires_at_ms(),
                last_used_at_ms: *at,
            })
            .collect()
    }

    /// `switchAccount(usernameOrSub)`: that account becomes the current one, in every tab.
    pub async fn switch_account(&self, who: &str) -> Result<Session, Error> {
        let guard = self.env.lock(&self.accounts_lock(), self.cfg.request_timeout_ms).await.ok().flatten();
        let (mut list, sessions) = nodrop(self.live_accounts()).await;
        let Some(s) = sessions.into_iter().find(|s| s.username == who || s.sub().as_deref() == Some(who)) else {
            return Err(Error::invalid_state(String::from("no signed-in account is ") + who + " (listAccounts() lists them)"));
        };
        nodrop(self.make_current(&mut list, &s)).await?;
        drop(guard);
        Ok(s)
    }

    /// Makes `s`'s account the current one: stored, remembered, announced to every tab.
    async fn make_current(&self, list: &mut AccountList, s: &Session) -> Result<(), Error> {
        list.touch(&s.username, self.env.now_ms());
        let pairs = [(session::accounts_key(&self.cfg.client_id), list.to_json()), (session::last_user_key(&self.cfg.client_id), s.username.clone())];
        self.env.set_all(&pairs).await?;
        self.tell_current(None);
        self.set_latest(Some(s.clone()));
        self.announce(EventKind::AccountSwitched, Some(s), None);
        Ok(())
    }

    /// After the current account `ended` signed out (its keys are gone): the most recently
    /// used other account becomes current, if there is one.
    pub(crate) async fn after_sign_out(&self, ended: &str) {
        let guard = self.env.lock(&self.accounts_lock(), self.cfg.request_timeout_ms).await.ok().flatten();
        let (mut list, sessions) = nodrop(self.live_accounts()).await;
        list.remove(ended);
        let next = list.most_recent().and_then(|u| sessions.iter().find(|s| s.username == u)).cloned();
        let key = session::accounts_key(&self.cfg.client_id);
        match next {
            Some(s) => {
                let _ = nodrop(self.make_current(&mut list, &s)).await;
            }
            None => self.env.remove(&key).await,
        }
        drop(guard);
    }
}
