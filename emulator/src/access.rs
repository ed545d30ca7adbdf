//! Who is calling: the app client (its SECRET_HASH or ClientSecret) and the signed-in user (an
//! access token, checked as Cognito checks it: signature, issuer, expiry, revocation, scope).

use crate::config::ClientConfig;
use crate::request::{issuer, req, Ctx};
use crate::state::*;
use crate::tokens::header_kid;
use crate::util::*;
use cognito_proto::crypto::{ct_eq, secret_hash};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Shared checks

/// SECRET_HASH / SecretHash for confidential clients, over the username sent in this request.
pub fn check_secret_hash(db: &Db, client_id: &str, username: &str, given: Option<&str>) -> ApiResult<()> {
    let Some((_, client)) = db.find_client(client_id) else {
        return Err(err("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")));
    };
    if let Some(secret) = &client.secret {
        let Some(given) = given else {
            return Err(not_authorized(&format!("Client {client_id} is configured with secret but SECRET_HASH was not received")));
        };
        if !ct_eq(secret_hash(secret, username, client_id).as_bytes(), given.as_bytes()) {
            return Err(not_authorized(&format!("Unable to verify secret hash for client {client_id}")));
        }
    }
    Ok(())
}

/// The raw ClientSecret of GetTokensFromRefreshToken / RevokeToken.
pub fn check_client_secret(db: &Db, client_id: &str, given: Option<&str>) -> ApiResult<()> {
    let Some((_, client)) = db.find_client(client_id) else {
        return Err(err("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")));
    };
    if let Some(secret) = &client.secret {
        match given {
            Some(g) if ct_eq(g.as_bytes(), secret.as_bytes()) => {}
            _ => {
                return Err(not_authorized(&format!(
                    "Client {client_id} is configured with secret but ClientSecret was not received or is wrong"
                )))
            }
        }
    }
    Ok(())
}

/// An authenticated caller, from an access token (checked as Cognito checks it: signature, issuer,
/// expiry, revocation, the aws.cognito.signin.user.admin scope).
pub struct Caller {
    pub pool: String,
    pub username: String,
    pub claims: Value,
}

pub fn authenticate(db: &Db, token: &str, ctx: &Ctx) -> ApiResult<Caller> {
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
    if iss != issuer(db, ctx, pool_id) || !pool.jwks_kids.contains(&kid) {
        return Err(invalid());
    }
    if claims["exp"].as_i64().unwrap_or(0) <= pool.now() {
        return Err(not_authorized("Access Token has expired"));
    }
    if claims["origin_jti"].as_str().is_some_and(|o| db.is_revoked(o)) {
        return Err(not_authorized("Access Token has been revoked"));
    }
    let scopes = claims["scope"].as_str().unwrap_or("");
    if !scopes.split(' ').any(|s| s == "aws.cognito.signin.user.admin") {
        return Err(not_authorized("Access Token does not have required scopes"));
    }
    let username = claims["username"].as_str().unwrap_or("").to_string();
    let user = pool.users.get(&username).ok_or_else(|| not_authorized("Access Token has been revoked"))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok(Caller { pool: pool_id.to_string(), username, claims })
}

pub fn caller(db: &Db, body: &Value, ctx: &Ctx) -> ApiResult<Caller> {
    authenticate(db, req(body, "AccessToken")?, ctx)
}

pub fn user_mut<'a>(db: &'a mut Db, pool: &str, username: &str) -> ApiResult<&'a mut User> {
    db.pool_mut(pool)?.users.get_mut(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))
}

/// Resolves what the user typed to a canonical username, or UserNotFoundException.
pub fn resolve(db: &Db, pool: &str, typed: &str) -> ApiResult<String> {
    db.pool(pool)?.find_username(typed).ok_or_else(|| err("UserNotFoundException", "Username/client id combination not found."))
}

pub fn client_of(db: &Db, client_id: &str) -> ApiResult<(String, ClientConfig)> {
    let (pool, client) = db
        .find_client(client_id)
        .ok_or_else(|| err("ResourceNotFoundException", format!("User pool client {client_id} does not exist.")))?;
    Ok((pool.config.id.clone(), client.clone()))
}
