//! Identity pools: the `AWSCognitoIdentityService` JSON API (the Amazon Cognito identity pools API
//! reference: GetId, GetCredentialsForIdentity, GetOpenIdToken, UnlinkIdentity,
//! DescribeIdentity), on the same port as the user pools, told apart by `X-Amz-Target`.
//!
//! ```text
//! GetId {IdentityPoolId, Logins?} → {IdentityId}
//!   a login already linked → its identity; otherwise a new identity (a guest one without
//!   Logins, when the pool allows unauthenticated identities)
//! GetCredentialsForIdentity {IdentityId, Logins?} → {IdentityId, Credentials {AccessKeyId,
//!   SecretKey, SessionToken, Expiration (epoch seconds)}}
//!   guest identity + Logins: the login is linked to it (it is now authenticated), unless the
//!   login owns another identity: that one answers, and the guest is retired
//!   authenticated identity without its logins: NotAuthorizedException "Logins don't match"
//! Logins = {"<ID token iss without the scheme>": <ID token>}: checked with the user pool's keys:
//!   signature, iss, token_use id, aud one of the identity pool's app clients, exp
//! ```
//! Credentials are random `ASIA…` keys with a session token; the SigV4 endpoint (`aws.rs`)
//! verifies requests signed with them.

use crate::call::Call;
use crate::config::IdentityPoolConfig;
use crate::error::*;
use crate::request::parse;
use crate::shared::Tx;
use crate::state::*;
use crate::util::*;
use cognito_proto::api::Op;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetId {
    identity_pool_id: String,
    logins: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForIdentity {
    identity_id: String,
    logins: Option<BTreeMap<String, String>>,
    #[serde(default)]
    logins_to_remove: Vec<String>,
}

pub fn dispatch(tx: &mut Tx, call: &Call, op: Op, body: Value) -> ApiResult<Value> {
    match op {
        Op::GetId => get_id(tx, call, parse(body)?),
        Op::GetCredentialsForIdentity => get_credentials(tx, call, parse(body)?),
        Op::GetOpenIdToken => get_open_id_token(tx, call, parse(body)?),
        Op::UnlinkIdentity => unlink(tx, call, parse(body)?),
        Op::DescribeIdentity => describe(tx, parse(body)?),
        other => Err(fail(Exception::UnknownOperation, format!("Unknown operation: AWSCognitoIdentityService.{}", other.name()))),
    }
}

fn pool_of<'a>(db: &'a Db, id: &str) -> ApiResult<&'a IdentityPool> {
    db.identity_pools.get(id).ok_or_else(|| fail(Exception::ResourceNotFound, format!("IdentityPool '{id}' not found.")))
}

fn identity_not_found(identity: &str) -> ApiError {
    fail(Exception::ResourceNotFound, format!("Identity '{identity}' not found."))
}

/// The identity pool an identity belongs to (ids are unique across pools).
fn owner(db: &Db, identity: &str) -> ApiResult<String> {
    db.identity_pools
        .iter()
        .find(|(_, p)| p.identities.contains_key(identity))
        .map(|(id, _)| id.clone())
        .ok_or_else(|| identity_not_found(identity))
}

fn mismatch() -> ApiError {
    not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
}

/// One login, checked: `<provider>:<sub>`. The provider is the ID token's issuer without its
/// scheme; the token is checked with the user pool's keys.
fn login(db: &Db, base: &str, cfg: &IdentityPoolConfig, provider: &str, token: &str) -> ApiResult<String> {
    let invalid = |why: &str| not_authorized(format!("Invalid login token. {why}"));
    let pool = cfg
        .providers
        .iter()
        .map(|p| p.user_pool_id.as_str())
        .find(|pool| db.issuer(base, pool).split_once("://").map(|(_, rest)| rest) == Some(provider))
        .ok_or_else(|| invalid(&format!("Provider {provider} is not configured for this identity pool.")))?;
    let kid = crate::tokens::header_kid(token).ok_or_else(|| invalid("Not a JWT."))?;
    let key = db.runtime.keys.get(&kid).filter(|_| db.pools.get(pool).is_some_and(|p| p.jwks_kids.contains(&kid)));
    let claims = key.and_then(|k| k.verify(token)).ok_or_else(|| invalid("The token signature is invalid."))?;
    if claims["iss"].as_str() != Some(db.issuer(base, pool).as_str()) || claims["token_use"] != "id" {
        return Err(invalid("Not an ID token of this provider."));
    }
    let aud = claims["aud"].as_str().unwrap_or("");
    if !cfg.providers.iter().any(|p| p.user_pool_id == pool && p.client_id == aud) {
        return Err(invalid("Incorrect token audience."));
    }
    if claims["exp"].as_i64().unwrap_or(0) <= db.now_of(pool) {
        return Err(invalid("Token expired."));
    }
    Ok(format!("{provider}:{}", claims["sub"].as_str().unwrap_or("")))
}

/// The logins of a request, each checked.
fn logins(db: &Db, base: &str, cfg: &IdentityPoolConfig, given: &Option<BTreeMap<String, String>>) -> ApiResult<Vec<String>> {
    given.iter().flatten().map(|(provider, token)| login(db, base, cfg, provider, token)).collect()
}

/// The identity a login is linked to, in this pool.
fn linked(p: &IdentityPool, login: &str) -> Option<String> {
    p.identities.iter().find(|(_, i)| i.logins.iter().any(|l| l == login)).map(|(id, _)| id.clone())
}

fn new_identity(db: &mut Db, pool_id: &str, logins: Vec<String>) -> ApiResult<String> {
    let region = pool_id.split(':').next().unwrap_or("us-east-1");
    let id = format!("{region}:{}", uuid());
    let t = system_now();
    let pool = db.identity_pools.get_mut(pool_id).ok_or_else(|| fail(Exception::ResourceNotFound, "IdentityPool not found."))?;
    pool.identities.insert(id.clone(), Identity { logins, created: t, modified: t });
    Ok(id)
}

fn get_id(tx: &mut Tx, call: &Call, r: GetId) -> ApiResult<Value> {
    let cfg = pool_of(tx, &r.identity_pool_id)?.config.clone();
    let logins = logins(tx, &call.base, &cfg, &r.logins)?;
    if logins.is_empty() && !cfg.allow_unauthenticated_identities {
        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
    }
    let p = pool_of(tx, &r.identity_pool_id)?;
    if let Some(id) = logins.iter().find_map(|l| linked(p, l)) {
        return Ok(json!({"IdentityId": id}));
    }
    let id = new_identity(tx, &r.identity_pool_id, logins)?;
    tx.count(&r.identity_pool_id, "GetId");
    Ok(json!({"IdentityId": id}))
}

/// The identity the credentials are for, linking or switching as Cognito does.
fn resolve(db: &mut Db, pool_id: &str, identity: &str, logins: Vec<String>) -> ApiResult<(String, bool)> {
    let p = pool_of(db, pool_id)?;
    let current = p.identities.get(identity).cloned().ok_or_else(|| identity_not_found(identity))?;
    if logins.is_empty() {
        if !current.logins.is_empty() {
            return Err(mismatch());
        }
        if !p.config.allow_unauthenticated_identities {
            return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
        }
        return Ok((identity.to_string(), false));
    }
    // A login that owns another identity: that one answers, and a guest identity is retired.
    if let Some(other) = logins.iter().find_map(|l| linked(p, l)).filter(|o| o != identity) {
        if !current.logins.is_empty() {
            return Err(mismatch());
        }
        if let Some(p) = db.identity_pools.get_mut(pool_id) {
            p.identities.remove(identity);
        }
        return Ok((other, true));
    }
    if !current.logins.is_empty() && !logins.iter().any(|l| current.logins.contains(l)) {
        return Err(mismatch());
    }
    // A guest identity becomes authenticated: its logins are linked.
    if let Some(i) = db.identity_pools.get_mut(pool_id).and_then(|p| p.identities.get_mut(identity)) {
        for l in logins {
            if !i.logins.contains(&l) {
                i.logins.push(l);
            }
        }
        i.modified = system_now();
    }
    Ok((identity.to_string(), true))
}

fn get_credentials(tx: &mut Tx, call: &Call, r: ForIdentity) -> ApiResult<Value> {
    let pool_id = owner(tx, &r.identity_id)?;
    let cfg = pool_of(tx, &pool_id)?.config.clone();
    let logins = logins(tx, &call.base, &cfg, &r.logins)?;
    let (id, authenticated) = resolve(tx, &pool_id, &r.identity_id, logins)?;
    let role = if authenticated { &cfg.authenticated_role_arn } else { &cfg.unauthenticated_role_arn };
    if role.is_empty() {
        return Err(fail(
            Exception::InvalidIdentityPoolConfiguration,
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        ));
    }
    let access_key = String::from("ASIA") + &random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    let secret = random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    let token = random_base64(300);
    let expiration = system_now() + cfg.credentials_seconds;
    let issued = IssuedCredentials {
        secret: secret.clone(),
        session_token: token.clone(),
        expiration,
        identity_pool: pool_id.clone(),
        identity_id: id.clone(),
        authenticated,
    };
    tx.runtime.aws_credentials.insert(access_key.clone(), issued);
    tx.count(&pool_id, "GetCredentialsForIdentity");
    Ok(json!({
        "IdentityId": id,
        "Credentials": {"AccessKeyId": access_key, "SecretKey": secret, "SessionToken": token, "Expiration": expiration},
    }))
}

fn get_open_id_token(tx: &mut Tx, call: &Call, r: ForIdentity) -> ApiResult<Value> {
    let pool_id = owner(tx, &r.identity_id)?;
    let cfg = pool_of(tx, &pool_id)?.config.clone();
    let logins = logins(tx, &call.base, &cfg, &r.logins)?;
    let (id, authenticated) = resolve(tx, &pool_id, &r.identity_id, logins)?;
    let t = system_now();
    let claims = json!({
        "iss": "https://cognito-identity.amazonaws.com",
        "sub": id,
        "aud": pool_id,
        "amr": [if authenticated { "authenticated" } else { "unauthenticated" }],
        "iat": t,
        "exp": t + 600,
    });
    let kid = tx.keys.first().map(|k| k.kid.clone()).ok_or_else(|| internal("no signing key"))?;
    let key = tx.key(&kid)?;
    let token = tx.compute(move || key.sign(&claims)).map_err(internal)?;
    Ok(json!({"IdentityId": id, "Token": token}))
}

fn unlink(tx: &mut Tx, call: &Call, r: ForIdentity) -> ApiResult<Value> {
    let pool_id = owner(tx, &r.identity_id)?;
    let cfg = pool_of(tx, &pool_id)?.config.clone();
    let proof = logins(tx, &call.base, &cfg, &r.logins)?;
    let pool = tx.identity_pools.get_mut(&pool_id).ok_or_else(|| identity_not_found(&r.identity_id))?;
    let i = pool.identities.get_mut(&r.identity_id).ok_or_else(|| identity_not_found(&r.identity_id))?;
    if proof.is_empty() || !proof.iter().any(|l| i.logins.contains(l)) {
        return Err(mismatch());
    }
    i.logins.retain(|l| !r.logins_to_remove.iter().any(|x| l.starts_with(&format!("{x}:"))));
    i.modified = system_now();
    Ok(json!({}))
}

fn describe(tx: &mut Tx, r: ForIdentity) -> ApiResult<Value> {
    let pool_id = owner(tx, &r.identity_id)?;
    let i = pool_of(tx, &pool_id)?.identities.get(&r.identity_id).ok_or_else(|| identity_not_found(&r.identity_id))?;
    let providers: Vec<&str> = i.logins.iter().filter_map(|l| l.rsplit_once(':').map(|(p, _)| p)).collect();
    Ok(json!({"IdentityId": r.identity_id, "Logins": providers, "CreationDate": i.created, "LastModifiedDate": i.modified}))
}
