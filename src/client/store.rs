//! What the SDK keeps in storage and how it is read back (the key layout is in
//! `cognito_proto::session`): the signed-in user's tokens, the remembered device, and this
//! tab's memory of the latest session (which other tabs' broadcasts keep current).

use super::{nodrop, Client, CurrentUser, Env};
use cognito_proto::api::Tokens;
use cognito_proto::error::{Error, TokenCheck};
use cognito_proto::json::Raw;
use cognito_proto::jwt::{self, Expect, TokenUse};
use cognito_proto::session::{self, Session, UserKeys};
use cognito_proto::types::*;

/// How long another tab's word on who is current wins over this tab's view of the storage (in
/// Chromium one page's write can reach another page tens of ms late).
const HANDOFF_MS: f64 = 1_000.0;

/// Clock skew allowed when checking `exp` and `iat`.
const SKEW_SECS: i64 = 60;

/// A remembered device: key, group key, random password.
pub(crate) struct Device {
    pub key: DeviceKey,
    pub group: DeviceGroupKey,
    pub password: DevicePassword,
}

/// The remembered device of a user, as storage holds it.
pub(crate) enum StoredDevice {
    Absent,
    /// Some of its keys are missing or empty: it cannot be used.
    Partial,
    Present(Device),
}

/// How a session was started: it decides where it is refreshed and signed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignInMethod {
    /// The JSON API (InitiateAuth).
    Api,
    /// The hosted UI (`/oauth2/token`, `/logout`).
    HostedUi,
}

impl SignInMethod {
    fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Api => "api",
            SignInMethod::HostedUi => "hostedUI",
        }
    }
}

impl<E: Env> Client<E> {
    pub(crate) async fn put(&self, key: &str, value: &str) -> Result<(), Error> {
        self.env.set(key, value).await
    }

    pub(crate) fn user_keys(&self, username: &str) -> UserKeys {
        UserKeys::new(&self.cfg.client_id, username)
    }

    /// The current account (LastAuthUser) as stored, if any.
    pub(crate) async fn current_username(&self) -> Option<String> {
        self.env.get(&session::last_user_key(&self.cfg.client_id)).await.filter(|u| !u.is_empty() && u.len() <= 256)
    }

    /// The stored session of LastAuthUser (the current account); corrupted entries are removed
    /// and read as none. Just after another tab said who is current, its message wins over a
    /// storage that does not show it yet.
    pub async fn load_session(&self) -> Option<Session> {
        let stored = nodrop(self.current_username()).await;
        if let Some(told) = self.told_current().filter(|t| *t != stored) {
            return match told {
                Some(u) => self.latest().filter(|l| l.username == u),
                None => None,
            };
        }
        let s = match stored {
            Some(user) => nodrop(self.load_user(&user)).await,
            None => None,
        };
        self.set_latest(s.clone());
        s
    }

    /// Who another tab said is current, if it said so within the last HANDOFF_MS.
    pub(crate) fn told_current(&self) -> Option<Option<String>> {
        let told = self.told.borrow();
        told.as_ref().filter(|(at, _)| self.env.now_ms() - at < HANDOFF_MS).map(|(_, u)| u.clone())
    }

    /// Another tab says `current` is now the current account (None: nobody); `None`: this tab
    /// just changed it itself (its storage shows it at once).
    pub(crate) fn tell_current(&self, current: Option<Option<String>>) {
        *self.told.borrow_mut() = current.map(|c| (self.env.now_ms(), c));
    }

    /// The stored session of one account (the current one or another); garbage or half a
    /// session is removed (LastAuthUser too, when it names this account) and reads as none.
    pub(crate) async fn load_user(&self, user: &str) -> Option<Session> {
        let keys = self.user_keys(user).session_keys();
        let v = self.env.get_all(&keys).await;
        let get = |i: usize| v.get(i).and_then(|v| v.as_deref());
        let Some(mut s) = Session::from_stored(user, get(0), get(1), get(2), get(3), get(4)) else {
            nodrop(self.remove_account_keys(user)).await;
            return None;
        };
        // Another tab may have refreshed and told us before our storage shows it: use its newer
        // tokens (newer by the server's exp, not by our clock-drift arithmetic).
        if let Some(l) = self.latest().filter(|l| l.username == s.username && l.exp() > s.exp()) {
            s.take_tokens(l);
        }
        Some(s)
    }

    /// Removes an account's session keys, and LastAuthUser when it names that account.
    pub(crate) async fn remove_account_keys(&self, user: &str) {
        let mut keys = self.user_keys(user).session_keys().to_vec();
        if nodrop(self.current_username()).await.as_deref() == Some(user) {
            keys.push(session::last_user_key(&self.cfg.client_id));
        }
        self.env.remove_all(&keys).await;
    }

    /// What a token of this pool must claim, now (the server's clock).
    pub(crate) fn expect<'a>(&'a self, token_use: Option<TokenUse>, nonce: Option<&'a str>) -> Expect<'a> {
        Expect {
            issuers: &self.cfg.issuers,
            client_id: self.cfg.client_id.as_str(),
            token_use,
            nonce,
            now_secs: (self.server_now_ms() / 1000.0) as i64,
            skew_secs: SKEW_SECS,
        }
    }

    /// Checks the claims of tokens Cognito just issued (a sign-in or a refresh), with
    /// `verifyTokens`: issuer, token_use, audience or client_id, exp, iat, and the hosted UI's
    /// nonce. Received straight from Cognito over TLS, they need no signature check to be
    /// trusted (OpenID Connect Core 1.0 §3.1.3.7 item 6); sign-ins check signatures too
    /// (`verify`). Returns the username and the clock drift.
    pub(crate) fn check_received(&self, t: &Tokens, nonce: Option<&str>) -> Result<(String, i64), Error> {
        let (id, access) = (jwt::decode(t.id_token.expose())?, jwt::decode(t.access_token.expose())?);
        let (id, access) = (id.claims(), access.claims());
        if self.cfg.verify_tokens {
            jwt::check_claims(id, &self.expect(Some(TokenUse::Id), nonce))?;
            jwt::check_claims(access, &self.expect(Some(TokenUse::Access), None))?;
        } else if nonce.is_some_and(|n| id.str("nonce").as_deref() != Some(n)) {
            // Even unchecked, a hosted-UI ID token must answer our request.
            return Err(Error::token(TokenCheck::Nonce, "nonce does not match the sign-in request"));
        }
        let username = access.str("username").ok_or_else(|| Error::token(TokenCheck::Malformed, "access token without username"))?;
        let iat = access.get("iat").and_then(Raw::as_i64).unwrap_or(0);
        Ok((username, session::clock_drift_secs(iat, self.env.now_ms())))
    }

    /// Keeps refreshed tokens for their account, once their claims are checked, unless that
    /// account signed out since the refresh began (`sign_outs`, its count then:
    /// InvalidStateError). The current account stays what it is: a refresh of another one
    /// (the user switched meanwhile) changes nothing else.
    pub(crate) async fn keep_refreshed(&self, t: &Tokens, method: SignInMethod, sign_outs: u32) -> Result<Session, Error> {
        let (username, drift) = self.check_received(t, None)?;
        if sign_outs != self.sign_outs_of(&username) {
            return Err(Error::invalid_state("signed out while the session was being refreshed"));
        }
        let s = nodrop(self.write_tokens(&username, t, drift, method, vec![])).await?;
        if self.latest().is_some_and(|l| l.username == username) {
            self.set_latest(Some(s.clone()));
        }
        Ok(s)
    }

    /// Writes an account's tokens (then `extra`: the account list, LastAuthUser) and returns its
    /// session. A write the storage refuses leaves no half session (an ID token without its
    /// access token) behind.
    pub(crate) async fn write_tokens(&self, username: &str, t: &Tokens, drift_secs: i64, method: SignInMethod, extra: Vec<(String, String)>) -> Result<Session, Error> {
        let k = self.user_keys(username);
        let drift = session::secs_text(drift_secs);
        let (id, access) = (t.id_token.expose(), t.access_token.expose());
        let mut pairs = vec![(k.id_token(), id.to_string()), (k.access_token(), access.to_string())];
        if let Some(r) = &t.refresh_token {
            pairs.push((k.refresh_token(), r.expose().to_string()));
        }
        pairs.push((k.clock_drift(), drift.clone()));
        pairs.push((k.sign_in_method(), method.as_str().to_string()));
        pairs.extend(extra);
        if let Err(e) = self.env.set_all(&pairs).await {
            nodrop(self.remove_account_keys(username)).await;
            if self.latest().is_some_and(|l| l.username == username) {
                self.set_latest(None);
            }
            return Err(e);
        }
        *self.stored_access.borrow_mut() = Some(access.to_string());
        let refresh = match &t.refresh_token {
            Some(r) => Some(r.expose().to_string()),
            // A refresh without a new refresh token (no rotation) keeps the stored one.
            None => self.env.get(&k.refresh_token()).await,
        };
        Session::from_stored(username, Some(id), Some(access), refresh.as_deref(), Some(&drift), Some(method.as_str()))
            .ok_or_else(|| Error::token(TokenCheck::Malformed, "the tokens do not belong together"))
    }

    /// Removes an account's session (not its remembered device) from storage; counts as its
    /// sign-out. The pending sign-in goes too when it was the current account.
    pub(crate) async fn clear_local(&self, s: Option<&Session>) {
        let Some(s) = s else {
            self.env.remove_all(&[session::last_user_key(&self.cfg.client_id), session::pending_key(&self.cfg.client_id)]).await;
            self.set_latest(None);
            return;
        };
        nodrop(self.remove_account_keys(&s.username)).await;
        self.tell_current(None);
        if self.latest().is_none_or(|l| l.username == s.username) {
            self.set_latest(None);
            self.env.remove(&session::pending_key(&self.cfg.client_id)).await;
        }
        self.count_sign_out(&s.username);
    }

    /// The remembered device of `username` as stored. A pure read: a partial device is
    /// reported, not removed (sign-in removes it, see `forget_local_device`).
    pub(crate) async fn stored_device(&self, username: &str) -> StoredDevice {
        let mut v = self.env.get_all(&self.user_keys(username).device_keys()).await.into_iter();
        match (v.next().flatten(), v.next().flatten(), v.next().flatten()) {
            (None, None, None) => StoredDevice::Absent,
            (Some(k), Some(g), Some(p)) if !k.is_empty() && !g.is_empty() && !p.is_empty() => {
                StoredDevice::Present(Device { key: DeviceKey::new(k), group: DeviceGroupKey::new(g), password: DevicePassword::new(p) })
            }
            _ => StoredDevice::Partial,
        }
    }

    /// The usable remembered device of `username`, if any.
    pub(crate) async fn device_of(&self, username: &str) -> Option<Device> {
        match nodrop(self.stored_device(username)).await {
            StoredDevice::Present(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) async fn save_device(&self, username: &str, key: &DeviceKey, group: &DeviceGroupKey, password: &DevicePassword) {
        let [k, g, p] = self.user_keys(username).device_keys();
        let _ = self.env.set_all(&[(k, key.as_str().into()), (g, group.as_str().into()), (p, password.expose().into())]).await;
    }

    pub(crate) async fn forget_local_device(&self, username: &str) {
        self.env.remove_all(&self.user_keys(username).device_keys()).await;
    }

    /// A sign-out of `username`, in this tab or another: AWS credentials go with the session.
    pub(crate) fn count_sign_out(&self, username: &str) {
        self.sign_outs.set(self.sign_outs.get().wrapping_add(1));
        self.credentials.take();
        let mut all = self.account_sign_outs.borrow_mut();
        match all.iter_mut().find(|(u, _)| u == username) {
            Some(e) => e.1 = e.1.wrapping_add(1),
            None => all.push((username.to_string(), 1)),
        }
    }

    /// Sign-outs of `username` seen by this tab.
    pub(crate) fn sign_outs_of(&self, username: &str) -> u32 {
        self.account_sign_outs.borrow().iter().find(|(u, _)| u == username).map_or(0, |e| e.1)
    }

    pub(crate) fn sign_outs(&self) -> u32 {
        self.sign_outs.get()
    }

    pub(crate) fn set_latest(&self, s: Option<Session>) {
        *self.latest.borrow_mut() = s;
    }

    pub(crate) fn latest(&self) -> Option<Session> {
        self.latest.borrow().clone()
    }

    /// `currentUser()`: synchronous, from storage when it is synchronous, else from memory.
    pub fn current_user(&self) -> Option<CurrentUser> {
        let last = session::last_user_key(&self.cfg.client_id);
        let told = self.told_current();
        let s = match self.env.get_sync(&last) {
            Some(user) if told.as_ref().is_some_and(|t| *t != user) => self.latest().filter(|l| told.flatten().as_ref() == Some(&l.username))?,
            Some(user) => {
                let user = user?;
                let k = self.user_keys(&user);
                let get = |key: String| self.env.get_sync(&key).flatten();
                Session::from_stored(&user, get(k.id_token()).as_deref(), get(k.access_token()).as_deref(), None, None, None)?
            }
            None => self.latest()?,
        };
        Some(CurrentUser {
            username: s.username.clone(),
            sub: s.sub(),
            attributes: session::user_attributes(s.id_claims()),
        })
    }
}
