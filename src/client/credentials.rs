//! AWS credentials from an identity pool (the Amazon Cognito identity pools API reference, "Getting
//! credentials": the enhanced flow), and AWS requests signed with them (`cognito_proto::sigv4`).
//!
//! ```text
//! getCredentials ─▶ session (refreshed first when due) ─▶ Logins {<iss without scheme>: idToken}
//!   identity: the stored guest's (signing in links it) | this user's | GetId (with the login)
//!   ─▶ GetCredentialsForIdentity {IdentityId, Logins} ─▶ the IdentityId it answers is stored
//!      (a login that owns an identity answers with that one)
//!   cached until 5 minutes before Expiration, per user; one request for concurrent callers;
//!   dropped at sign-out (in every tab)
//! signRequest / presignUrl ─▶ the credentials ─▶ SigV4 at the server's clock
//! ```

use super::{nodrop, Client, Credentials, Env, EventKind, Flight, SignInput, SignedRequest};
use cognito_proto::api;
use cognito_proto::config::Url;
use cognito_proto::error::{Error, Exception};
use cognito_proto::json::Json;
use cognito_proto::session::{self, IdentityRecord, Session};
use cognito_proto::sigv4::{self, AwsCredentials, Signable};
use cognito_proto::types::IdToken;
use core::future::Future;
use core::pin::Pin;

impl<E: Env> Client<E> {
    /// `getCredentials({forceRefresh})`: the identity pool's credentials for the signed-in user,
    /// a guest's (`allowGuestAccess`), or None. Boxed: one copy for its two callers.
    pub fn get_credentials(&self, force: bool) -> Pin<Box<dyn Future<Output = Result<Option<Credentials>, Error>> + '_>> {
        Box::pin(async move {
            let session = nodrop(self.get_session(false)).await?;
            let user = session.as_ref().map(|s| s.username.clone());
            let cached = || {
                let c = self.credentials.borrow();
                c.as_ref().filter(|(u, c)| *u == user && session::credentials_fresh(c.expiration_ms, self.env.now_ms())).map(|(_, c)| c.clone())
            };
            if let Some(c) = cached().filter(|_| !force) {
                return Ok(Some(c));
            }
            // One request for every caller waiting (a waiter whose fetch failed tries itself).
            let running = self.fetching_credentials.borrow().clone();
            if let Some(f) = running {
                f.await;
                if let Some(c) = cached() {
                    return Ok(Some(c));
                }
            }
            let flight = Flight::new();
            *self.fetching_credentials.borrow_mut() = Some(flight.clone());
            let sign_outs = self.sign_outs();
            let r = nodrop(self.fetch_credentials(session.as_ref())).await;
            self.fetching_credentials.borrow_mut().take();
            let (kind, error) = match &r {
                Ok(Some(c)) if sign_outs == self.sign_outs() => {
                    *self.credentials.borrow_mut() = Some((user.clone(), c.clone()));
                    (EventKind::CredentialsRefresh, None)
                }
                Ok(_) => (EventKind::CredentialsRefresh, None),
                Err(e) => (EventKind::CredentialsRefreshFailure, Some((e.name().to_string(), e.message()))),
            };
            if r.as_ref().is_ok_and(Option::is_some) || error.is_some() {
                self.env.emit(&super::AuthEvent { kind, username: user, error, from_other_tab: false, retry: None });
            }
            flight.finish(());
            r
        })
    }

    async fn fetch_credentials(&self, session: Option<&Session>) -> Result<Option<Credentials>, Error> {
        let pool = self.cfg.identity_pool()?.ok_or_else(|| Error::config("identityPoolId is not configured: pass identityPoolId to CognitoAuth"))?;
        let pool = &pool;
        if session.is_none() && !pool.allow_guest {
            return Ok(None);
        }
        let provider = match session {
            Some(s) => Some(
                session::login_provider(s.id_claims())
                    .ok_or_else(|| Error::token(cognito_proto::error::TokenCheck::Issuer, "the ID token has no issuer"))?,
            ),
            None => None,
        };
        let login: Option<(&str, &IdToken)> = provider.as_deref().zip(session.map(|s| &s.id_token));
        let user = session.map(|s| s.username.clone());
        let key = session::identity_key(&pool.id);
        let stored = self.env.get(&key).await.and_then(|t| IdentityRecord::from_json(&t));
        let mut known = session::identity_to_use(stored.as_ref(), user.as_deref());
        for attempt in 0..2 {
            let id = match known.take() {
                Some(id) => id,
                None => {
                    let v = nodrop(self.send_to(&pool.endpoint, &api::get_id(&pool.id, login), self.cfg.max_retries)).await?.json();
                    v.str("IdentityId").ok_or_else(|| Error::protocol("GetId answer without IdentityId"))?.to_string()
                }
            };
            match nodrop(self.send_to(&pool.endpoint, &api::get_credentials_for_identity(&id, login), self.cfg.max_retries)).await.map(|a| a.json()) {
                Ok(v) => {
                    let c = parse_credentials(&v, session.is_some())?;
                    // A login that owns an identity answers with it: that id is the one to keep.
                    nodrop(self.put(&key, &IdentityRecord { id: c.identity_id.clone(), user }.to_json())).await?;
                    return Ok(Some(c));
                }
                // The stored identity is gone, or no longer matches: once more with a new one.
                Err(e) if attempt == 0 && (e.is(&Exception::ResourceNotFound) || e.is(&Exception::NotAuthorized)) && stored.is_some() => {
                    self.env.remove(&key).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::protocol("GetCredentialsForIdentity kept refusing the identity"))
    }

    /// `signRequest` / `presignUrl`: the request signed with the current credentials.
    pub async fn sign_request(&self, r: &SignInput) -> Result<SignedRequest, Error> {
        let url = Url::parse(&r.url).ok_or_else(|| Error::config(String::from("cannot sign ") + &r.url + ": not an absolute http(s) URL"))?;
        let c = nodrop(self.get_credentials(false))
            .await?
            .ok_or_else(|| Error::invalid_state("no AWS credentials: sign in first (or enable allowGuestAccess)"))?;
        let path = sigv4::aws_path(url.path());
        let query = url.rest.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or("")).unwrap_or("");
        let host = url.host.clone() + &url.port;
        let s = Signable { method: &r.method, host: &host, path: &path, query, headers: &r.headers, payload_hash: &r.payload_hash };
        let now_ms = self.server_now_ms();
        let now = (now_ms / 1000.0) as i64;
        let base = url.origin() + &path;
        match r.expires_in {
            Some(asked) => {
                // A presigned URL dies with its session token: never promise longer.
                let left = ((c.expiration_ms as f64 - now_ms) / 1000.0).max(1.0) as u32;
                let expires = asked.clamp(1, 604_800).min(left);
                let q = sigv4::presign(&s, &c.aws, &r.region, &r.service, now, expires);
                Ok(SignedRequest { url: base + "?" + &q, headers: vec![], expires_in: Some(expires) })
            }
            None => {
                let signed = sigv4::sign(&s, &c.aws, &r.region, &r.service, now);
                let url = if signed.query.is_empty() { base } else { base + "?" + &signed.query };
                Ok(SignedRequest { url, headers: signed.headers.into_iter().filter(|(k, _)| k != "host").collect(), expires_in: None })
            }
        }
    }
}

fn parse_credentials(v: &Json, authenticated: bool) -> Result<Credentials, Error> {
    let c = v.get("Credentials").ok_or_else(|| Error::protocol("GetCredentialsForIdentity answer without Credentials"))?;
    let s = |k: &str| c.str(k).map(String::from).ok_or_else(|| Error::protocol(String::from("GetCredentialsForIdentity answer without ") + k));
    Ok(Credentials {
        identity_id: v.str("IdentityId").ok_or_else(|| Error::protocol("GetCredentialsForIdentity answer without IdentityId"))?.to_string(),
        aws: AwsCredentials { access_key_id: s("AccessKeyId")?, secret_access_key: s("SecretKey")?, session_token: Some(s("SessionToken")?) },
        // Epoch seconds (fractional in some SDKs' models).
        expiration_ms: c.get("Expiration").and_then(Json::as_i64).ok_or_else(|| Error::protocol("Credentials without Expiration"))? * 1000,
        authenticated,
    })
}
