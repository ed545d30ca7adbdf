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

use crate::config::IdentityPoolConfig;
use crate::request::{issuer, req, Ctx};
use crate::state::*;
use crate::util::*;
use serde_json::{json, Map, Value};

pub fn dispatch(db: &mut Db, op: &str, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    if !body.is_object() {
        return Err(err("SerializationException", "Request body must be a JSON object"));
    }
    match op {
        "GetId" => get_id(db, body, ctx),
        "GetCredentialsForIdentity" => get_credentials(db, body, ctx),
        "GetOpenIdToken" => get_open_id_token(db, body, ctx),
        "UnlinkIdentity" => unlink(db, body, ctx),
        "DescribeIdentity" => describe(db, body),
        _ => Err(err("UnknownOperationException", format!("Unknown operation: AWSCognitoIdentityService.{op}"))),
    }
}

fn pool_of<'a>(db: &'a Db, id: &str) -> ApiResult<&'a IdentityPool> {
    db.identity_pools.get(id).ok_or_else(|| err("ResourceNotFoundException", format!("IdentityPool '{id}' not found.")))
}

/// The identity pool an identity belongs to (ids are unique across pools).
fn owner(db: &Db, identity: &str) -> ApiResult<String> {
    db.identity_pools
        .iter()
        .find(|(_, p)| p.identities.contains_key(identity))
        .map(|(id, _)| id.clone())
        .ok_or_else(|| err("ResourceNotFoundException", format!("Identity '{identity}' not found.")))
}

fn now() -> i64 {
    system_now()
}

/// The logins of a request, each checked: `<provider>:<sub>`.
fn logins(db: &Db, ctx: &Ctx, cfg: &IdentityPoolConfig, body: &Value) -> ApiResult<Vec<String>> {
    let Some(map) = body.get("Logins").filter(|v| !v.is_null()) else { return Ok(vec![]) };
    let map: &Map<String, Value> = map.as_object().ok_or_else(|| invalid_param("Logins must be a map of provider names to tokens"))?;
    let mut out = vec![];
    for (provider, token) in map {
        let token = token.as_str().ok_or_else(|| invalid_param("Logins values must be tokens"))?;
        let invalid = |why: &str| not_authorized(&format!("Invalid login token. {why}"));
        // The provider is the token's issuer without its scheme.
        let pool = cfg
            .providers
            .iter()
            .map(|p| p.user_pool_id.as_str())
            .find(|pool| issuer(db, ctx, pool).split_once("://").map(|(_, rest)| rest) == Some(provider.as_str()))
            .ok_or_else(|| invalid(&format!("Provider {provider} is not configured for this identity pool.")))?;
        let kid = crate::tokens::header_kid(token).ok_or_else(|| invalid("Not a JWT."))?;
        let key = db.runtime.keys.get(&kid).filter(|_| db.pools.get(pool).is_some_and(|p| p.jwks_kids.contains(&kid)));
        let claims = key.and_then(|k| k.verify(token)).ok_or_else(|| invalid("The token signature is invalid."))?;
        if claims["iss"].as_str() != Some(issuer(db, ctx, pool).as_str()) || claims["token_use"] != "id" {
            return Err(invalid("Not an ID token of this provider."));
        }
        let aud = claims["aud"].as_str().unwrap_or("");
        if !cfg.providers.iter().any(|p| p.user_pool_id == pool && p.client_id == aud) {
            return Err(invalid("Incorrect token audience."));
        }
        let pool_now = db.pools.get(pool).map(|p| p.now()).unwrap_or_else(now);
        if claims["exp"].as_i64().unwrap_or(0) <= pool_now {
            return Err(invalid("Token expired."));
        }
        out.push(format!("{provider}:{}", claims["sub"].as_str().unwrap_or("")));
    }
    Ok(out)
}

/// The identity a login is linked to, in this pool.
fn linked(p: &IdentityPool, login: &str) -> Option<String> {
    p.identities.iter().find(|(_, i)| i.logins.iter().any(|l| l == login)).map(|(id, _)| id.clone())
}

fn new_identity(db: &mut Db, pool_id: &str, logins: Vec<String>) -> ApiResult<String> {
    let region = pool_id.split(':').next().unwrap_or("us-east-1");
    let id = format!("{region}:{}", uuid());
    let t = now();
    db.identity_pools
        .get_mut(pool_id)
        .ok_or_else(|| err("ResourceNotFoundException", "IdentityPool not found."))?
        .identities
        .insert(id.clone(), Identity { logins, created: t, modified: t });
    Ok(id)
}

fn get_id(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let pool_id = req(body, "IdentityPoolId")?.to_string();
    let cfg = pool_of(db, &pool_id)?.config.clone();
    let logins = logins(db, ctx, &cfg, body)?;
    if logins.is_empty() && !cfg.allow_unauthenticated_identities {
        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
    }
    let p = pool_of(db, &pool_id)?;
    if let Some(id) = logins.iter().find_map(|l| linked(p, l)) {
        return Ok(json!({"IdentityId": id}));
    }
    let id = new_identity(db, &pool_id, logins)?;
    db.count(&pool_id, "GetId");
    Ok(json!({"IdentityId": id}))
}

/// The identity the credentials are for, linking or switching as Cognito does.
fn resolve(db: &mut Db, pool_id: &str, identity: &str, logins: Vec<String>) -> ApiResult<(String, bool)> {
    let p = pool_of(db, pool_id)?;
    let current = p.identities.get(identity).cloned().ok_or_else(|| err("ResourceNotFoundException", format!("Identity '{identity}' not found.")))?;
    if logins.is_empty() {
        if !current.logins.is_empty() {
            return Err(not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool."));
        }
        if !p.config.allow_unauthenticated_identities {
            return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
        }
        return Ok((identity.to_string(), false));
    }
    // A login that owns another identity: that one answers, and a guest identity is retired.
    if let Some(other) = logins.iter().find_map(|l| linked(p, l)).filter(|o| o != identity) {
        if current.logins.is_empty() {
            if let Some(p) = db.identity_pools.get_mut(pool_id) {
                p.identities.remove(identity);
            }
            return Ok((other, true));
        }
        return Err(not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool."));
    }
    if !current.logins.is_empty() && !logins.iter().any(|l| current.logins.contains(l)) {
        return Err(not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool."));
    }
    // A guest identity becomes authenticated: its logins are linked.
    if let Some(i) = db.identity_pools.get_mut(pool_id).and_then(|p| p.identities.get_mut(identity)) {
        for l in logins {
            if !i.logins.contains(&l) {
                i.logins.push(l);
            }
        }
        i.modified = now();
    }
    Ok((identity.to_string(), true))
}

fn get_credentials(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let identity = req(body, "IdentityId")?.to_string();
    let pool_id = owner(db, &identity)?;
    let cfg = pool_of(db, &pool_id)?.config.clone();
    let logins = logins(db, ctx, &cfg, body)?;
    let (id, authenticated) = resolve(db, &pool_id, &identity, logins)?;
    let role = if authenticated { &cfg.authenticated_role_arn } else { &cfg.unauthenticated_role_arn };
    if role.is_empty() {
        return Err(err("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool."));
    }
    let access_key = String::from("ASIA") + &random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    let secret = random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    let token = random_base64(300);
    let expiration = now() + cfg.credentials_seconds;
    db.runtime.aws_credentials.insert(
        access_key.clone(),
        IssuedCredentials { secret: secret.clone(), session_token: token.clone(), expiration, identity_pool: pool_id.clone(), identity_id: id.clone(), authenticated },
    );
    db.count(&pool_id, "GetCredentialsForIdentity");
    Ok(json!({
        "IdentityId": id,
        "Credentials": {"AccessKeyId": access_key, "SecretKey": secret, "SessionToken": token, "Expiration": expiration},
    }))
}

fn get_open_id_token(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let identity = req(body, "IdentityId")?.to_string();
    let pool_id = owner(db, &identity)?;
    let cfg = pool_of(db, &pool_id)?.config.clone();
    let logins = logins(db, ctx, &cfg, body)?;
    let (id, authenticated) = resolve(db, &pool_id, &identity, logins)?;
    let t = now();
    let claims = json!({
        "iss": "https://cognito-identity.amazonaws.com",
        "sub": id,
        "aud": pool_id,
        "amr": [if authenticated { "authenticated" } else { "unauthenticated" }],
        "iat": t,
        "exp": t + 600,
    });
    let key = db.keys.first().and_then(|k| db.runtime.keys.get(&k.kid)).ok_or_else(|| err("InternalErrorException", "no signing key"))?;
    Ok(json!({"IdentityId": id, "Token": key.sign(&claims)}))
}

fn unlink(db: &mut Db, body: &Value, ctx: &Ctx) -> ApiResult<Value> {
    let identity = req(body, "IdentityId")?.to_string();
    let pool_id = owner(db, &identity)?;
    let cfg = pool_of(db, &pool_id)?.config.clone();
    let proof = logins(db, ctx, &cfg, body)?;
    let remove: Vec<String> = body["LoginsToRemove"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    let i = db.identity_pools.get_mut(&pool_id).and_then(|p| p.identities.get_mut(&identity)).ok_or_else(|| err("ResourceNotFoundException", "Identity not found."))?;
    if proof.is_empty() || !proof.iter().any(|l| i.logins.contains(l)) {
        return Err(not_authorized("Logins don't match. Please include at least one valid login for this identity or identity pool."));
    }
    i.logins.retain(|l| !remove.iter().any(|r| l.starts_with(&format!("{r}:"))));
    i.modified = now();
    Ok(json!({}))
}

fn describe(db: &mut Db, body: &Value) -> ApiResult<Value> {
    let identity = req(body, "IdentityId")?.to_string();
    let pool_id = owner(db, &identity)?;
    let i = &pool_of(db, &pool_id)?.identities[&identity];
    let providers: Vec<&str> = i.logins.iter().filter_map(|l| l.rsplit_once(':').map(|(p, _)| p)).collect();
    Ok(json!({"IdentityId": identity, "Logins": providers, "CreationDate": i.created, "LastModifiedDate": i.modified}))
}
