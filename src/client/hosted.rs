//! Redirect sign-in through the hosted UI (see `oauth` for the message flow). Transactions are
//! stored under `oauth.<nonce>` with an expiry and removed when used; an index of open nonces
//! lets expired ones be swept.

use super::store::SignInMethod;
use super::{nodrop, Client, Env, EventKind, RedirectOutcome};
use cognito_proto::config::{HostedUiConfig, Url};
use cognito_proto::error::Error;
use cognito_proto::json::Json;
use cognito_proto::oauth::{self, AuthorizeOptions, Pkce, Transaction, TRANSACTION_TTL_MS};
use cognito_proto::session;

/// At most this many open redirect sign-ins are remembered (older ones are dropped).
const MAX_OPEN_TRANSACTIONS: usize = 50;

impl<E: Env> Client<E> {
    /// The `hostedUi` options, checked when the hosted-UI part first uses them.
    fn hosted(&self) -> Result<HostedUiConfig, Error> {
        self.cfg.hosted_ui()?.ok_or_else(|| {
            Error::config("hostedUi is not configured: pass hostedUi: { domain, redirectSignIn, redirectSignOut } to CognitoAuth")
        })
    }

    fn app_origin(&self, h: &HostedUiConfig) -> String {
        Url::parse(&h.redirect_sign_in).map(|u| u.origin()).unwrap_or_default()
    }

    fn index_key(&self) -> String {
        session::oauth_key(&self.cfg.client_id, "index")
    }

    /// Drops expired transactions (and unreadable index entries).
    async fn sweep_transactions(&self, add: Option<(&str, f64)>) -> Result<(), Error> {
        let key = self.index_key();
        let now = self.env.now_ms();
        let mut keep: Vec<(String, i64)> = vec![];
        if let Some(v) = self.env.get(&key).await.and_then(|t| Json::parse(&t).ok()) {
            for e in v.as_array().unwrap_or(&[]) {
                let (Some(n), Some(exp)) = (e.str("n"), e.get("e").and_then(Json::as_i64)) else { continue };
                if (exp as f64) < now {
                    self.env.remove(&session::oauth_key(&self.cfg.client_id, n)).await;
                } else {
                    keep.push((n.to_string(), exp));
                }
            }
        }
        if let Some((n, exp)) = add {
            keep.push((n.to_string(), exp as i64));
        }
        keep.truncate(MAX_OPEN_TRANSACTIONS);
        let list = Json::Arr(keep.iter().map(|(n, e)| Json::object(vec![("n", Json::from(n.as_str())), ("e", Json::int(*e))])).collect());
        nodrop(self.put(&key, &list.to_text())).await
    }

    /// `authorizeUrl({provider, returnTo, loginHint, lang, prompt, idpIdentifier})`: stores the
    /// transaction and returns the `/oauth2/authorize` URL.
    /// `add_account`: the account that signs in joins the signed-in ones (room is checked now,
    /// and again when the tokens arrive); else it takes the current one's place.
    pub async fn authorize_url(&self, return_to: Option<&str>, opts: &AuthorizeOptions, add_account: bool) -> Result<String, Error> {
        let h = &self.hosted()?;
        if add_account {
            nodrop(self.check_room(None)).await?;
        }
        let return_to = oauth::validate_return_path(return_to.unwrap_or("/"), &self.app_origin(h), &h.allowed_return_paths)?;
        let nonce = self.random_token(24)?;
        let oidc_nonce = self.random_token(24)?;
        let pkce = Pkce::from_random(&self.random_bytes::<64>()?);
        let now = self.env.now_ms();
        let txn = Transaction {
            nonce: nonce.clone(),
            verifier: pkce.verifier.clone(),
            oidc_nonce: oidc_nonce.clone(),
            return_to: return_to.clone(),
            redirect_uri: h.redirect_sign_in.clone(),
            created_ms: now,
            expires_ms: now + TRANSACTION_TTL_MS,
            add_account,
        };
        nodrop(self.put(&session::oauth_key(&self.cfg.client_id, &nonce), &txn.to_json())).await?;
        nodrop(self.sweep_transactions(Some((&nonce, txn.expires_ms)))).await?;
        let state = oauth::encode_state(&nonce, &return_to);
        Ok(oauth::authorize_url(h, &self.cfg.client_id, &state, &pkce, &oidc_nonce, opts))
    }

    /// `signInWithRedirect(options)`: stores the transaction and navigates.
    pub async fn sign_in_with_redirect(&self, return_to: Option<&str>, opts: &AuthorizeOptions, add_account: bool) -> Result<(), Error> {
        let url = nodrop(self.authorize_url(return_to, opts, add_account)).await?;
        self.env.navigate(&url)
    }

    /// `handleRedirectCallback(url = location.href)` → `{signedIn: true, returnTo}`.
    pub async fn handle_redirect_callback(&self, url: Option<String>) -> Result<RedirectOutcome, Error> {
        let h = &self.hosted()?;
        let current = self.env.current_url();
        let url = url.or(current.clone()).ok_or_else(|| Error::config("handleRedirectCallback needs the callback URL"))?;
        // Take code and state out of the address bar first: a reload must not replay them.
        if current.as_deref() == Some(url.as_str()) {
            self.env.replace_url(&oauth::strip_callback_params(&url));
        }
        let cb = oauth::parse_callback(&url);
        self.prefetch_jwks();
        let state = cb.state.as_deref().ok_or_else(|| Error::invalid_state("the callback has no state parameter"))?;
        let (nonce, return_to) = oauth::decode_state(state)?;
        let key = session::oauth_key(&self.cfg.client_id, &nonce);
        let text = self.env.get(&key).await.ok_or_else(|| {
            Error::invalid_state("unknown or already used state: this callback was replayed, altered, or started in another browser")
        })?;
        // Single use, whatever happens next.
        self.env.remove(&key).await;
        let txn = Transaction::from_json(&nonce, &text)
            .ok_or_else(|| Error::invalid_state("the stored sign-in transaction is unreadable: start again"))?;
        if self.env.now_ms() >= txn.expires_ms {
            return Err(Error::invalid_state("the sign-in took longer than 10 minutes: start again"));
        }
        if txn.return_to != return_to {
            return Err(Error::invalid_state("the state was altered (its return path differs from the one stored)"));
        }
        let return_to = oauth::validate_return_path(&return_to, &self.app_origin(h), &h.allowed_return_paths)?;
        if let Some(error) = cb.error {
            return Err(Error::oauth(&error, &cb.error_description.unwrap_or_default()));
        }
        let code = cb.code.ok_or_else(|| Error::invalid_state("the callback has neither code nor error"))?;
        // The session already here stays until the exchange has succeeded: a failed exchange
        // (a used code, the network) signs nobody out.
        let before = nodrop(self.load_session()).await;
        let req = oauth::token_request(h, &self.cfg.client_id, self.cfg.client_secret.as_ref(), &code, &txn.redirect_uri, &txn.verifier);
        let tokens = oauth::parse_token_response(&nodrop(self.fetch(&req, true)).await?)?;
        // Without addAccount another user who signs in takes the current one's place (whose
        // tokens go); with it, the current one stays signed in beside the new one.
        let replaces = before.as_ref().filter(|_| !txn.add_account).map(|o| o.username.as_str());
        let s = nodrop(self.finish_sign_in(&tokens, SignInMethod::HostedUi, Some(&txn.oidc_nonce), replaces)).await?;
        self.announce(EventKind::SignedIn, Some(&s), None);
        Ok(RedirectOutcome { return_to })
    }
}
