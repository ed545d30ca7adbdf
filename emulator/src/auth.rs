//! InitiateAuth (the `InitiateAuth` API reference): the first factor of each flow
//! (USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH), then the
//! sign-in state machine of `signin.rs`; and GetTokensFromRefreshToken. SRP is checked strictly
//! (`challenges.rs` answers PASSWORD_VERIFIER): the claim is recomputed from the stored verifier,
//! TIMESTAMP must have Cognito's exact format and be within the pool's skew window, SECRET_BLOCKs
//! are single-use and bound to the client.

use crate::access::{check_secret_hash, client_of};
use crate::call::Call;
use crate::config::ClientConfig;
use crate::error::*;
use crate::issue::{check_refresh_device, issue_tokens, refresh_record, Issue};
use crate::request::parse;
use crate::shared::Tx;
use crate::signin::*;
use crate::state::*;
use crate::triggers::TokenSource;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// InitiateAuth's `AuthFlow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthFlow {
    UserSrp,
    UserPassword,
    RefreshToken,
    Custom,
    UserAuth,
}

impl AuthFlow {
    fn parse(s: &str) -> ApiResult<AuthFlow> {
        Ok(match s {
            "USER_SRP_AUTH" => AuthFlow::UserSrp,
            "USER_PASSWORD_AUTH" => AuthFlow::UserPassword,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => AuthFlow::RefreshToken,
            "CUSTOM_AUTH" => AuthFlow::Custom,
            "USER_AUTH" => AuthFlow::UserAuth,
            _ => {
                return Err(invalid_param(format!(
                "1 validation error detected: Value '{s}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set"
            )))
            }
        })
    }

    /// The ExplicitAuthFlows entry that allows it.
    fn allowed_by(self) -> &'static str {
        match self {
            AuthFlow::UserSrp => "ALLOW_USER_SRP_AUTH",
            AuthFlow::UserPassword => "ALLOW_USER_PASSWORD_AUTH",
            AuthFlow::RefreshToken => "ALLOW_REFRESH_TOKEN_AUTH",
            AuthFlow::Custom => "ALLOW_CUSTOM_AUTH",
            AuthFlow::UserAuth => "ALLOW_USER_AUTH",
        }
    }
}

fn flow_allowed(client: &ClientConfig, flow: AuthFlow) -> bool {
    let needed = flow.allowed_by();
    client.explicit_auth_flows.iter().any(|f| f == needed || format!("ALLOW_{f}") == needed)
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateAuth {
    client_id: String,
    auth_flow: String,
    #[serde(default)]
    auth_parameters: BTreeMap<String, String>,
    session: Option<String>,
}

pub fn initiate_auth(tx: &mut Tx, call: &Call, body: Value) -> ApiResult<Value> {
    let r: InitiateAuth = parse(body)?;
    let flow = AuthFlow::parse(&r.auth_flow)?;
    let (pool, client) = client_of(tx, &r.client_id)?;
    let params = Params(r.auth_parameters);
    if !flow_allowed(&client, flow) {
        return Err(invalid_param(format!("{} flow not enabled for this client", r.auth_flow)));
    }
    tx.count(&pool, &format!("InitiateAuth:{}", r.auth_flow));
    let f = Flow { call, pool: &pool, client: &client };
    if flow == AuthFlow::RefreshToken {
        return refresh_via_initiate_auth(tx, &f, &params);
    }
    let typed = params.need("USERNAME")?;
    if flow != AuthFlow::UserSrp && !(flow == AuthFlow::Custom && params.get("CHALLENGE_NAME") == Some("SRP_A")) {
        check_secret_hash(tx, &client.id, typed, params.get("SECRET_HASH"))?;
    }
    match flow {
        AuthFlow::UserAuth => match r.session {
            Some(session) => auto_sign_in(tx, &f, &params, &session),
            None => crate::choice::user_auth_start(tx, &f, &params),
        },
        AuthFlow::UserPassword => password_auth(tx, &f, &params),
        AuthFlow::Custom if params.get("CHALLENGE_NAME") != Some("SRP_A") => custom_auth(tx, &f, typed),
        _ => srp_start(tx, &f, &params, flow == AuthFlow::Custom, true),
    }
}

/// USER_AUTH with the Session of a just-confirmed sign-up.
fn auto_sign_in(tx: &mut Tx, f: &Flow, params: &Params, session: &str) -> ApiResult<Value> {
    let s = tx.runtime.sessions.remove(session).ok_or_else(invalid_session)?;
    let username = tx.pool(f.pool)?.find_username(params.need("USERNAME")?);
    if !matches!(s.awaiting, Awaiting::AutoSignIn) || s.client != f.client.id || username.as_deref() != Some(s.username.as_str()) {
        return Err(invalid_session());
    }
    if s.expires <= tx.pool(f.pool)?.now() {
        return Err(expired_session());
    }
    after_first_factor(tx, f, &s.username, params.get("DEVICE_KEY").map(String::from), false)
}

fn password_auth(tx: &mut Tx, f: &Flow, params: &Params) -> ApiResult<Value> {
    let typed = params.need("USERNAME")?;
    let password = params.need("PASSWORD")?;
    // An unknown user may come from userMigration, which sees the password here.
    let username = match tx.pool(f.pool)?.find_username(typed) {
        Some(u) => {
            crate::triggers::pre_authentication(tx, f.call, f.pool, &u, false)?;
            u
        }
        None => match crate::triggers::migrate(tx, f.call, f.pool, typed, Some(password))? {
            Some(u) => u,
            None => known_user(tx, f.pool, typed)?,
        },
    };
    locked(tx, f.pool, &username)?;
    if !password_matches(tx, f.pool, &username, password)? {
        return Err(fail_sign_in(tx, f.pool, &username));
    }
    after_first_factor(tx, f, &username, params.get("DEVICE_KEY").map(String::from), false)
}

fn custom_auth(tx: &mut Tx, f: &Flow, typed: &str) -> ApiResult<Value> {
    let username = tx.pool(f.pool)?.find_username(typed).ok_or_else(user_not_found)?;
    crate::triggers::pre_authentication(tx, f.call, f.pool, &username, false)?;
    if must_change_password(tx, f.pool, &username)? {
        return new_password_challenge(tx, f, &username, None);
    }
    first_custom_challenge(tx, f, &username, false)
}

// ---------------------------------------------------------------------------------------------
// Refresh

fn refresh_via_initiate_auth(tx: &mut Tx, f: &Flow, params: &Params) -> ApiResult<Value> {
    let token = params.need("REFRESH_TOKEN")?;
    if f.client.refresh_token_rotation {
        return Err(invalid_param(
            "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation: use GetTokensFromRefreshToken",
        ));
    }
    let r = refresh_record(tx, f.client, token)?;
    // SECRET_HASH over the canonical username (the username the refresh token belongs to).
    check_secret_hash(tx, &f.client.id, params.get("USERNAME").unwrap_or(&r.username), params.get("SECRET_HASH"))?;
    check_refresh_device(tx, &r, params.get("DEVICE_KEY"))?;
    tx.count(f.pool, "refresh");
    let opts = Issue {
        device_key: r.device_key.clone(),
        origin: Some((r.origin_jti.clone(), r.auth_time)),
        scopes: r.hosted.then(|| r.scopes.clone()),
        source: TokenSource::RefreshTokens,
        ..Default::default()
    };
    let issued = issue_tokens(tx, f.call, f.pool, f.client, &r.username, opts)?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetTokensFromRefreshToken {
    client_id: String,
    refresh_token: String,
    client_secret: Option<String>,
    device_key: Option<String>,
}

pub fn get_tokens_from_refresh_token(tx: &mut Tx, call: &Call, body: Value) -> ApiResult<Value> {
    let r: GetTokensFromRefreshToken = parse(body)?;
    let (_, client) = client_of(tx, &r.client_id)?;
    crate::access::check_client_secret(tx, &r.client_id, r.client_secret.as_deref())?;
    let issued = crate::issue::refresh_tokens(tx, call, &client, &r.refresh_token, r.device_key.as_deref())?;
    Ok(json!({"AuthenticationResult": issued.to_result()}))
}
