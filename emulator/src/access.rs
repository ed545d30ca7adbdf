//! Who is calling: the app client (its SECRET_HASH or ClientSecret) and the signed-in user (an
//! access token, checked as Cognito checks it: signature, issuer, expiry, revocation, scope).

use crate::config::ClientConfig;
use crate::error::*;
use crate::state::*;
use crate::tokens::header_kid;
use cognito_proto::crypto::{ct_eq, secret_hash};
use serde_json::Value;

/// SECRET_HASH / SecretHash for confidential clients, over the username sent in this request.
pub fn check_secret_hash(db: &Db, client_id: &str, username: &str, given: Option<&str>) -> ApiResult<()> {
    let Some((_, client)) = db.find_client(client_id) else { return Err(client_not_found(client_id)) };
    let Some(secret) = &client.secret else { return Ok(()) };
    let Some(given) = given else {
        return Err(not_authorized(format!("Client {client_id} is configured with secret but SECRET_HASH was not received")));
    };
    if !ct_eq(secret_hash(secret, username, client_id).as_bytes(), given.as_bytes()) {
        return Err(not_authorized(format!("Unable to verify secret hash for client {client_id}")));
    }
    Ok(())
}

/// The raw ClientSecret of GetTokensFromRefreshToken.
pub fn check_client_secret(db: &Db, client_id: &str, given: Option<&str>) -> ApiResult<()> {
    let Some((_, client)) = db.find_client(client_id) else { return Err(client_not_found(client_id)) };
    match (&client.secret, given) {
        (None, _) => Ok(()),
        (Some(secret), Some(g)) if ct_eq(g.as_bytes(), secret.as_bytes()) => Ok(()),
        _ => Err(not_authorized(format!("Client {client_id} is configured with secret but ClientSecret was not received or is wrong"))),
    }
}

/// An authenticated caller, from an access token.
pub struct Caller {
    pub pool: String,
    pub username: String,
    /// The app client the token was issued to.
    pub client: String,
    pub claims: Value,
}

/// Checks an access token as Cognito does: signature, issuer, expiry, revocation, the
/// aws.cognito.signin.user.admin scope, and that the user exists and is enabled.
pub fn authenticate(db: &Db, base: &str, token: &str) -> ApiResult<Caller> {
    let invalid = || not_authorized("Invalid Access Token");
    let kid = header_kid(token).ok_or_else(invalid)?;
    let key = db.runtime.keys.get(&kid).ok_or_else(invalid)?;
    let claims = key.verify(token).ok_or_else(invalid)?;
    if claims["token_use"] != "access" {
        return Err(invalid());
    }
    let iss = claims["iss"].as_str().unwrap_or("");
    let pool_id = iss.rsplit('/').next().unwrap_or("");
    let pool = db.pools.get(pool_id).ok_or_else(invalid)?;
    if iss != db.issuer(base, pool_id) || !pool.jwks_kids.contains(&kid) {
        return Err(invalid());
    }
    if claims["exp"].as_i64().unwrap_or(0) <= pool.now() {
        return Err(not_authorized("Access Token has expired"));
    }
    if claims["origin_jti"].as_str().is_some_and(|o| db.is_revoked(o)) {
        return Err(not_authorized("Access Token has been revoked"));
    }
    if !claims["scope"].as_str().unwrap_or("").split(' ').any(|s| s == "aws.cognito.signin.user.admin") {
        return Err(not_authorized("Access Token does not have required scopes"));
    }
    let username = claims["username"].as_str().unwrap_or("").to_string();
    let user = pool.users.get(&username).ok_or_else(|| not_authorized("Access Token has been revoked"))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let client = claims["client_id"].as_str().unwrap_or("").to_string();
    Ok(Caller { pool: pool_id.to_string(), username, client, claims })
}

/// Resolves what the user typed to a canonical username, or UserNotFoundException.
pub fn resolve(db: &Db, pool: &str, typed: &str) -> ApiResult<String> {
    db.pool(pool)?.find_username(typed).ok_or_else(|| fail(Exception::UserNotFound, "Username/client id combination not found."))
}

/// The pool of an app client and the client's configuration.
pub fn client_of(db: &Db, client_id: &str) -> ApiResult<(String, ClientConfig)> {
    let (pool, client) = db.find_client(client_id).ok_or_else(|| client_not_found(client_id))?;
    Ok((pool.config.id.clone(), client.clone()))
}
