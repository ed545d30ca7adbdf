//! What the SDK keeps in storage and how it is read back (the key layout is in
//! `cognito_proto::session`): the signed-in user's tokens, the remembered device, and this
//! tab's memory of the latest session (which other tabs' broadcasts keep current).

use super::{nodrop, Client, CurrentUser, Env};
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::session::{self, Session, UserKeys};
use cognito_proto::types::*;

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
            *self.latest.borrow_mut() = None;
            return None;
        };
        let k = self.user_keys(&user);
        let (id, access, refresh, drift, method) = (
            self.env.get(&k.id_token()).await,
            self.env.get(&k.access_token()).await,
            self.env.get(&k.refresh_token()).await,
            self.env.get(&k.clock_drift()).await,
            self.env.get(&k.sign_in_method()).await,
        );
        let stored = Session::from_stored(&user, id.as_deref(), access.as_deref(), refresh.as_deref(), drift.as_deref(), method.as_deref());
        let Some(mut s) = stored else {
            // Garbage or half a session: clean up, read as signed out.
            self.env.remove(&last).await;
            for key in k.session_keys() {
                self.env.remove(&key).await;
            }
            *self.latest.borrow_mut() = None;
            return None;
        };
        // Another tab may have refreshed and told us before our storage shows it: use its newer
        // tokens (newer by the server's exp, not by our clock-drift arithmetic).
        if let Some(l) = self.latest.borrow().as_ref() {
            let exp = |c: &Json| c.get("exp").and_then(Json::as_i64).unwrap_or(0);
            if l.username == s.username
                && l.access_token.expose() != s.access_token.expose()
                && exp(&l.access_claims) > exp(&s.access_claims)
            {
                s.id_token = l.id_token.clone();
                s.access_token = l.access_token.clone();
                s.id_claims = l.id_claims.clone();
                s.access_claims = l.access_claims.clone();
                s.clock_drift_ms = l.clock_drift_ms;
            }
        }
        *self.latest.borrow_mut() = Some(s.clone());
        Some(s)
    }

    /// Stores verified tokens as the signed-in session and returns it.
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
        let written = nodrop(async {
            self.put(&session::last_user_key(&self.cfg.client_id), username).await?;
            self.put(&k.id_token(), id.expose()).await?;
            self.put(&k.access_token(), access.expose()).await?;
            if let Some(r) = refresh {
                self.put(&k.refresh_token(), r.expose()).await?;
            }
            self.put(&k.clock_drift(), &drift).await?;
            self.put(&k.sign_in_method(), method.as_str()).await
        })
        .await;
        if let Err(e) = written {
            // No half-stored session (an ID token without its access token) is left behind.
            for key in k.session_keys() {
                self.env.remove(&key).await;
            }
            self.env.remove(&session::last_user_key(&self.cfg.client_id)).await;
            self.set_latest(None);
            return Err(e);
        }
        *self.stored_access.borrow_mut() = Some(access.expose().to_string());
        let s = Session::from_stored(
            username,
            Some(id.expose()),
            Some(access.expose()),
            refresh.map(|r| r.expose()),
            Some(&drift),
            Some(method.as_str()),
        )
        .ok_or_else(|| Error::token(cognito_proto::error::TokenCheck::Malformed, "the tokens do not belong together"))?;
        self.set_latest(Some(s.clone()));
        Ok(s)
    }

    /// Removes the session (not the remembered device) from storage; counts as a sign-out.
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

    /// The remembered device of `username` as stored. A pure read: a partial device is
    /// reported, not removed (sign-in removes it, see `forget_local_device`).
    pub(crate) async fn stored_device(&self, username: &str) -> StoredDevice {
        let k = self.user_keys(username);
        let key = self.env.get(&k.device_key()).await;
        let group = self.env.get(&k.device_group_key()).await;
        let password = self.env.get(&k.device_password()).await;
        match (key, group, password) {
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
        let k = self.user_keys(username);
        let _ = nodrop(self.put(&k.device_key(), key.as_str())).await;
        let _ = nodrop(self.put(&k.device_group_key(), group.as_str())).await;
        let _ = nodrop(self.put(&k.device_password(), password.expose())).await;
    }

    pub(crate) async fn forget_local_device(&self, username: &str) {
        for key in self.user_keys(username).device_keys() {
            self.env.remove(&key).await;
        }
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
            attributes: session::user_attributes(&s.id_claims),
        })
    }
}
