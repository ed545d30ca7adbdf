//! Issuing tokens: the ID and access tokens of a sign-in (or of the hosted UI's code exchange)
//! with the claims Cognito puts in them, refresh tokens and their records, and refreshing
//! (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, the OAuth refresh_token grant), with
//! rotation and device binding.

use crate::config::ClientConfig;
use crate::request::{issuer, Ctx};
use crate::state::*;
use crate::util::*;
use serde_json::{json, Value};

/// What to put in the tokens.
#[derive(Default)]
pub struct Issue {
    pub device_key: Option<String>,
    /// OAuth scopes (hosted UI); API sign-ins get `aws.cognito.signin.user.admin`.
    pub scopes: Option<Vec<String>>,
    pub nonce: Option<String>,
    /// Refresh: keep the original `origin_jti` and `auth_time`.
    pub origin: Option<(String, i64)>,
    pub with_refresh: bool,
    pub new_device: bool,
    /// preTokenGeneration's triggerSource (else the runtime's hint, else
    /// TokenGeneration_Authentication).
    pub source: Option<&'static str>,
}

pub struct Issued {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub new_device: Option<(String, String)>,
}

impl Issued {
    pub fn to_result(&self) -> Value {
        let mut r =
            json!({"AccessToken": self.access_token, "IdToken": self.id_token, "ExpiresIn": self.expires_in, "TokenType": "Bearer"});
        if let Some(rt) = &self.refresh_token {
            r["RefreshToken"] = json!(rt);
        }
        if let Some((k, g)) = &self.new_device {
            r["NewDeviceMetadata"] = json!({"DeviceKey": k, "DeviceGroupKey": g});
        }
        r
    }
}

pub fn attribute_claim(name: &str, value: &str) -> Value {
    if name.ends_with("_verified") {
        json!(value == "true")
    } else {
        json!(value)
    }
}

/// Signs a new ID + access token pair (and a refresh token when asked).
pub fn issue_tokens(db: &mut Db, ctx: &Ctx, pool_id: &str, client: &ClientConfig, username: &str, opts: Issue) -> ApiResult<Issued> {
    let p = db.pool(pool_id)?;
    let user = p.users.get(username).ok_or_else(|| err("UserNotFoundException", "User does not exist."))?.clone();
    let now = p.now();
    let validity = p.token_validity(client);
    let iss = issuer(db, ctx, pool_id);
    let (origin_jti, auth_time) = opts.origin.clone().unwrap_or_else(|| (uuid(), now));
    let event_id = uuid();
    let hosted = opts.scopes.is_some();
    let scopes = opts.scopes.clone().unwrap_or_else(|| vec!["aws.cognito.signin.user.admin".into()]);
    let id_key = db.runtime.keys.get(&p.id_kid).ok_or_else(|| err("InternalErrorException", "signing key missing"))?.clone();
    let access_key = db.runtime.keys.get(&p.access_kid).ok_or_else(|| err("InternalErrorException", "signing key missing"))?.clone();
    let tracking = p.device_tracking();
    let region = pool_id.split('_').next().unwrap_or("us-east-1").to_string();

    let mut device_key = opts.device_key.clone();
    let mut new_device = None;
    if tracking && opts.new_device && device_key.is_none() {
        let key = format!("{region}_{}", uuid());
        let group = format!("-{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 8));
        let d = Device {
            key: key.clone(),
            group_key: group.clone(),
            username: username.to_string(),
            client_id: client.id.clone(),
            salt_hex: None,
            verifier_hex: None,
            name: None,
            remembered: false,
            created: now,
            modified: now,
            last_auth: now,
            last_ip: ctx.ip.clone(),
        };
        db.pool_mut(pool_id)?.devices.insert(key.clone(), d);
        device_key = Some(key.clone());
        new_device = Some((key, group));
    }

    let mut access = json!({
        "sub": user.sub,
        "iss": iss,
        "client_id": client.id,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": scopes.join(" "),
        "auth_time": auth_time,
        "exp": now + validity.access_token_seconds,
        "iat": now,
        "jti": uuid(),
        "username": user.username,
    });
    if let Some(k) = &device_key {
        access["device_key"] = json!(k);
    }
    if !user.groups.is_empty() {
        access["cognito:groups"] = json!(user.groups);
    }
    if hosted {
        access["version"] = json!(2);
    }

    let mut id = json!({
        "sub": user.sub,
        "aud": client.id,
        "iss": iss,
        "cognito:username": user.username,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "id",
        "auth_time": auth_time,
        "exp": now + validity.id_token_seconds,
        "iat": now,
        "jti": uuid(),
    });
    let has = |s: &str| scopes.iter().any(|x| x == s);
    for (k, v) in &user.attributes {
        if k == "sub" {
            continue;
        }
        let allowed = !hosted
            || if k.starts_with("email") {
                has("email")
            } else if k.starts_with("phone_number") {
                has("phone")
            } else {
                has("profile") || k.starts_with("custom:")
            };
        if allowed {
            id[k.as_str()] = attribute_claim(k, v);
        }
    }
    if !user.groups.is_empty() {
        id["cognito:groups"] = json!(user.groups);
    }
    if !user.identities.is_empty() {
        id["identities"] = json!(user.identities);
    }
    if let Some(n) = &opts.nonce {
        id["nonce"] = json!(n);
    }
    let source = opts.source.or(db.runtime.token_source.take()).unwrap_or("TokenGeneration_Authentication");
    crate::triggers::token_generation(db, pool_id, username, &client.id, source, &mut id, &mut access)?;
    let access_token = access_key.sign(&access);
    if hosted {
        id["at_hash"] = json!(crate::tokens::at_hash(&access_token));
    }
    let id_token = id_key.sign(&id);

    let refresh_token = if opts.with_refresh {
        let t = crate::tokens::refresh_token();
        db.refresh_tokens.insert(
            t.clone(),
            RefreshRecord {
                pool: pool_id.to_string(),
                client: client.id.clone(),
                username: username.to_string(),
                device_key: device_key.clone(),
                origin_jti: origin_jti.clone(),
                auth_time,
                expires: now + validity.refresh_token_seconds,
                revoked: false,
                rotated_at: None,
                scopes: scopes.clone(),
                hosted,
            },
        );
        Some(t)
    } else {
        None
    };
    db.count(pool_id, "tokensIssued");
    Ok(Issued { id_token, access_token, refresh_token, expires_in: validity.access_token_seconds, new_device })
}

pub fn tokens_response(
    db: &mut Db,
    ctx: &Ctx,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
) -> ApiResult<Value> {
    let new_device = device_key.is_none();
    // postAuthentication runs before the tokens exist: its error means no tokens.
    let tracking = db.pool(pool)?.device_tracking();
    crate::triggers::post_authentication(db, pool, username, new_device && tracking)?;
    let issued = issue_tokens(db, ctx, pool, client, username, Issue { device_key, with_refresh: true, new_device, ..Default::default() })?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

pub fn refresh_record(db: &Db, client: &ClientConfig, token: &str) -> ApiResult<RefreshRecord> {
    let r = db.refresh_tokens.get(token).ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
    let pool = db.pool(&r.pool)?;
    if r.client != client.id {
        return Err(not_authorized("Invalid Refresh Token"));
    }
    if r.revoked {
        return Err(not_authorized("Refresh Token has been revoked"));
    }
    if r.expires <= pool.now() {
        return Err(not_authorized("Refresh Token has expired"));
    }
    let user = pool.users.get(&r.username).ok_or_else(|| not_authorized("Refresh Token has been revoked"))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok(r.clone())
}

/// With device tracking, a refresh must name the (confirmed) device the token belongs to.
pub fn check_refresh_device(db: &Db, r: &RefreshRecord, given: Option<&str>) -> ApiResult<()> {
    let pool = db.pool(&r.pool)?;
    if !pool.device_tracking() {
        return Ok(());
    }
    if let Some(bound) = &r.device_key {
        let confirmed = pool.devices.get(bound).is_some_and(|d| d.confirmed());
        if given != Some(bound.as_str()) || !confirmed {
            return Err(not_authorized("Invalid Refresh Token"));
        }
    }
    Ok(())
}

/// Shared by GetTokensFromRefreshToken and the OAuth refresh_token grant.
pub fn refresh_tokens(db: &mut Db, ctx: &Ctx, client: &ClientConfig, token: &str, device_key: Option<&str>) -> ApiResult<Issued> {
    let r = match refresh_record(db, client, token) {
        Err(e) if db.refresh_tokens.get(token).is_some_and(|r| r.rotated_at.is_some()) => {
            let rec = &db.refresh_tokens[token];
            let grace = client.retry_grace_period_seconds;
            let now = db.pool(&rec.pool)?.now();
            if rec.rotated_at.is_some_and(|t| now - t > grace) {
                return Err(err("RefreshTokenReuseException", "The refresh token has been rotated and can no longer be used"));
            }
            return Err(e);
        }
        other => other?,
    };
    if let Some(t) = r.rotated_at {
        let now = db.pool(&r.pool)?.now();
        if now - t > client.retry_grace_period_seconds {
            return Err(err("RefreshTokenReuseException", "The refresh token has been rotated and can no longer be used"));
        }
    }
    check_refresh_device(db, &r, device_key)?;
    db.count(&r.pool, "refresh");
    let rotate = client.refresh_token_rotation;
    let pool = r.pool.clone();
    let mut issued = issue_tokens(
        db,
        ctx,
        &pool,
        client,
        &r.username,
        Issue {
            device_key: r.device_key.clone(),
            origin: Some((r.origin_jti.clone(), r.auth_time)),
            scopes: r.hosted.then(|| r.scopes.clone()),
            with_refresh: rotate,
            source: Some("TokenGeneration_RefreshTokens"),
            ..Default::default()
        },
    )?;
    if rotate {
        let now = db.pool(&pool)?.now();
        if let Some(old) = db.refresh_tokens.get_mut(token) {
            old.rotated_at.get_or_insert(now);
        }
        // The new token lives for what remained of the old one.
        if let Some(new) = issued.refresh_token.as_ref().and_then(|t| db.refresh_tokens.get_mut(t)) {
            new.expires = r.expires;
            new.hosted = r.hosted;
            new.scopes = r.scopes.clone();
        }
    } else {
        issued.refresh_token = None;
    }
    Ok(issued)
}
