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

    /// The stored session of LastAuthUser; corrupted entries are removed and read as none.
    pub async fn load_session(&self) -> Option<Session> {
        let last = session::last_user_key(&self.cfg.client_id);
        let Some(user) = self.env.get(&last).await.filter(|u| !u.is_empty() && u.len() <= 256) else {
            self.set_latest(None);
            return None;
        };
        let keys = self.user_keys(&user).session_keys();
        let v = self.env.get_all(&keys).await;
        let get = |i: usize| v.get(i).and_then(|v| v.as_deref());
        let Some(mut s) = Session::from_stored(&user, get(0), get(1), get(2), get(3), get(4)) else {
            // Garbage or half a session: clean up, read as signed out.
            self.env.remove_all(&[&keys[..], &[last]].concat()).await;
            self.set_latest(None);
            return None;
        };
        // Another tab may have refreshed and told us before our storage shows it: use its newer
        // tokens (newer by the server's exp, not by our clock-drift arithmetic).
        if let Some(l) = self.latest().filter(|l| l.username == s.username && l.exp() > s.exp()) {
            s.take_tokens(l);
        }
        self.set_latest(Some(s.clone()));
        Some(s)
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

    /// Keeps the tokens Cognito just issued (a sign-in or a refresh) as the signed-in session,
    /// once their claims are checked (with `verifyTokens`): issuer, token_use, audience or
    /// client_id, exp, iat, and the hosted UI's nonce. Received straight from Cognito over TLS,
    /// they need no signature check to be trusted (OpenID Connect Core 1.0 §3.1.3.7 item 6);
    /// sign-ins check signatures too (`verify`). A refresh passes the sign-out count it started
    /// with: after a sign-out since, nothing is stored (InvalidStateError).
    pub(crate) async fn keep_tokens(&self, t: &Tokens, method: SignInMethod, nonce: Option<&str>, sign_outs: Option<u32>) -> Result<Session, Error> {
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
        let drift = session::clock_drift_secs(iat, self.env.now_ms());
        if sign_outs.is_some_and(|n| n != self.sign_outs()) {
            return Err(Error::invalid_state("signed out while the session was being refreshed"));
        }
        nodrop(self.store_session(&username, &t.id_token, &t.access_token, t.refresh_token.as_ref(), drift, method)).await
    }

    /// Stores checked tokens as the signed-in session and returns it.
    pub(crate) async fn store_session(
        &self,
        username: &str,
        id: &IdToken,
        access: &AccessToken,
        refresh: Option<&RefreshToken>,
        drift_secs: i64,
        method: SignInMethod,
    ) -> Result<Session, Error> {
        let k = self.user_keys(username);
        let drift = session::secs_text(drift_secs);
        let last = session::last_user_key(&self.cfg.client_id);
        let mut pairs = vec![(last.clone(), username.to_string()), (k.id_token(), id.expose().to_string()), (k.access_token(), access.expose().to_string())];
        if let Some(r) = refresh {
            pairs.push((k.refresh_token(), r.expose().to_string()));
        }
        pairs.push((k.clock_drift(), drift.clone()));
        pairs.push((k.sign_in_method(), method.as_str().to_string()));
        if let Err(e) = self.env.set_all(&pairs).await {
            // No half-stored session (an ID token without its access token) is left behind.
            self.env.remove_all(&[&k.session_keys()[..], &[last]].concat()).await;
            self.set_latest(None);
            return Err(e);
        }
        *self.stored_access.borrow_mut() = Some(access.expose().to_string());
        let s = Session::from_stored(username, Some(id.expose()), Some(access.expose()), refresh.map(|r| r.expose()), Some(&drift), Some(method.as_str()))
            .ok_or_else(|| Error::token(TokenCheck::Malformed, "the tokens do not belong together"))?;
        self.set_latest(Some(s.clone()));
        Ok(s)
    }

    /// Removes the session (not the remembered device) from storage; counts as a sign-out.
    pub(crate) async fn clear_local(&self, s: Option<&Session>) {
        let mut keys = vec![session::last_user_key(&self.cfg.client_id), session::pending_key(&self.cfg.client_id)];
        if let Some(s) = s {
            keys.extend(self.user_keys(&s.username).session_keys());
        }
        self.env.remove_all(&keys).await;
        self.set_latest(None);
        self.count_sign_out();
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

    /// A sign-out, in this tab or another: AWS credentials go with the session.
    pub(crate) fn count_sign_out(&self) {
        self.sign_outs.set(self.sign_outs.get().wrapping_add(1));
        self.credentials.take();
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
        let s = match self.env.get_sync(&last) {
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
            sub: s.sub().map(String::from),
            attributes: session::user_attributes(s.id_claims()),
        })
    }
}
