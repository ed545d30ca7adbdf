//! Issuing tokens: the ID and access tokens of a sign-in (or of the hosted UI's code exchange)
//! with the claims Cognito puts in them ("Understanding user pool JSON web tokens"), refresh
//! tokens and their records, and refreshing (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, the
//! OAuth refresh_token grant), with rotation and device binding.
//!
//! ```text
//! claims (state held) → preTokenGeneration (unlocked) → RS256 signatures (unlocked, any core)
//!   → the refresh token's record (state held; saved before the answer)
//! ```

use crate::call::Call;
use crate::config::ClientConfig;
use crate::error::*;
use crate::shared::Tx;
use crate::staging::DEFAULT_SCOPES;
use crate::state::*;
use crate::triggers::{Claims, TokenSource};
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
    /// preTokenGeneration's triggerSource.
    pub source: TokenSource,
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

/// The facts both tokens are made of.
struct Basis<'a> {
    user: &'a User,
    iss: String,
    client: &'a str,
    origin_jti: String,
    auth_time: i64,
    event_id: String,
    now: i64,
    scopes: &'a [String],
    hosted: bool,
}

fn access_claims(b: &Basis, expires: i64, device_key: Option<&str>) -> Value {
    let mut access = json!({
        "sub": b.user.sub,
        "iss": b.iss,
        "client_id": b.client,
        "origin_jti": b.origin_jti,
        "event_id": b.event_id,
        "token_use": "access",
        "scope": b.scopes.join(" "),
        "auth_time": b.auth_time,
        "exp": expires,
        "iat": b.now,
        "jti": uuid(),
        "username": b.user.username,
    });
    if let Some(k) = device_key {
        access["device_key"] = json!(k);
    }
    if !b.user.groups.is_empty() {
        access["cognito:groups"] = json!(b.user.groups);
    }
    if b.hosted {
        access["version"] = json!(2);
    }
    access
}

/// Whether OAuth `scopes` grant an attribute (other than `sub`): `email*` with `email`,
/// `phone_number*` with `phone`, custom attributes always, the others with `profile`.
pub fn scope_grants<S: AsRef<str>>(scopes: &[S], attr: &str) -> bool {
    let has = |s: &str| scopes.iter().any(|x| x.as_ref() == s);
    if attr.starts_with("email") {
        has("email")
    } else if attr.starts_with("phone_number") {
        has("phone")
    } else {
        has("profile") || attr.starts_with("custom:")
    }
}

/// The ID token's claims: with OAuth scopes, only the attributes they grant.
fn id_claims(b: &Basis, expires: i64, nonce: Option<&str>) -> Value {
    let mut id = json!({
        "sub": b.user.sub,
        "aud": b.client,
        "iss": b.iss,
        "cognito:username": b.user.username,
        "origin_jti": b.origin_jti,
        "event_id": b.event_id,
        "token_use": "id",
        "auth_time": b.auth_time,
        "exp": expires,
        "iat": b.now,
        "jti": uuid(),
    });
    for (k, v) in b.user.attributes.iter().filter(|(k, _)| *k != "sub") {
        if !b.hosted || scope_grants(b.scopes, k) {
            id[k.as_str()] = attribute_claim(k, v);
        }
    }
    if !b.user.groups.is_empty() {
        id["cognito:groups"] = json!(b.user.groups);
    }
    if !b.user.identities.is_empty() {
        id["identities"] = json!(b.user.identities);
    }
    if let Some(n) = nonce {
        id["nonce"] = json!(n);
    }
    id
}

/// The key and group key of a new device (NewDeviceMetadata).
fn new_device_keys(pool_id: &str) -> (String, String) {
    let region = pool_id.split('_').next().unwrap_or("us-east-1");
    let group = format!("-{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 8));
    (format!("{region}_{}", uuid()), group)
}

/// Records the device of this sign-in (once its tokens are signed: the sign-in is then one
/// change).
fn add_device(tx: &mut Tx, call: &Call, pool_id: &str, client: &str, username: &str, (key, group): (String, String)) -> ApiResult<()> {
    let pool = tx.pool_mut(pool_id)?;
    let now = pool.now();
    let d = Device {
        key: key.clone(),
        group_key: group,
        username: username.to_string(),
        client_id: client.to_string(),
        salt_hex: None,
        verifier_hex: None,
        name: None,
        remembered: false,
        created: now,
        modified: now,
        last_auth: now,
        last_ip: call.ip.clone(),
    };
    pool.devices.insert(key, d);
    Ok(())
}

/// Signs a new ID + access token pair (and a refresh token when asked).
pub fn issue_tokens(tx: &mut Tx, call: &Call, pool_id: &str, client: &ClientConfig, username: &str, opts: Issue) -> ApiResult<Issued> {
    let p = tx.pool(pool_id)?;
    let (now, validity, tracking) = (p.now(), p.token_validity(client), p.device_tracking());
    let (id_key, access_key) = (tx.key(&p.id_kid)?, tx.key(&p.access_kid)?);
    let new = (tracking && opts.new_device && opts.device_key.is_none()).then(|| new_device_keys(pool_id));
    let device_key = new.as_ref().map(|(k, _)| k.clone()).or(opts.device_key.clone());
    let scopes = opts.scopes.clone().unwrap_or_else(|| vec![DEFAULT_SCOPES.into()]);
    let (origin_jti, auth_time) = opts.origin.clone().unwrap_or_else(|| (uuid(), now));
    let user = tx.user(pool_id, username)?.clone();
    let b = Basis {
        user: &user,
        iss: tx.issuer(&call.base, pool_id),
        client: &client.id,
        origin_jti,
        auth_time,
        event_id: uuid(),
        now,
        scopes: &scopes,
        hosted: opts.scopes.is_some(),
    };
    let mut access = access_claims(&b, now + validity.access_token_seconds, device_key.as_deref());
    let mut id = id_claims(&b, now + validity.id_token_seconds, opts.nonce.as_deref());
    let caller = call.by_client(&client.id);
    crate::triggers::token_generation(tx, &caller, pool_id, username, opts.source, Claims { id: &mut id, access: &mut access })?;
    let hosted = b.hosted;
    let signed = tx.compute(move || {
        let access_token = access_key.sign(&access)?;
        if hosted {
            id["at_hash"] = json!(crate::tokens::at_hash(&access_token));
        }
        Ok::<_, String>((id_key.sign(&id)?, access_token))
    });
    let (id_token, access_token) = signed.map_err(internal)?;
    if let Some(keys) = new.clone() {
        add_device(tx, call, pool_id, &client.id, username, keys)?;
    }
    let refresh_token = opts.with_refresh.then(|| {
        let record = RefreshRecord {
            pool: pool_id.to_string(),
            client: client.id.clone(),
            username: username.to_string(),
            device_key: device_key.clone(),
            origin_jti: b.origin_jti.clone(),
            auth_time,
            expires: now + validity.refresh_token_seconds,
            revoked: false,
            rotated_at: None,
            scopes: scopes.clone(),
            hosted,
        };
        let t = crate::tokens::refresh_token();
        tx.refresh_tokens.insert(TokenHash::of(&t), record);
        t
    });
    tx.count(pool_id, "tokensIssued");
    Ok(Issued { id_token, access_token, refresh_token, expires_in: validity.access_token_seconds, new_device: new })
}

/// Tokens at the end of a sign-in: postAuthentication first (its error means no tokens), then
/// the tokens, a refresh token and, with device tracking, a new device.
pub fn tokens_response(
    tx: &mut Tx,
    call: &Call,
    pool: &str,
    client: &ClientConfig,
    username: &str,
    device_key: Option<String>,
    source: TokenSource,
) -> ApiResult<Value> {
    let new_device = device_key.is_none();
    let tracking = tx.pool(pool)?.device_tracking();
    crate::triggers::post_authentication(tx, call, pool, username, new_device && tracking)?;
    let opts = Issue { device_key, with_refresh: true, new_device, source, ..Default::default() };
    let issued = issue_tokens(tx, call, pool, client, username, opts)?;
    Ok(json!({"AuthenticationResult": issued.to_result(), "ChallengeParameters": {}}))
}

pub fn refresh_record(db: &Db, client: &ClientConfig, token: &str) -> ApiResult<RefreshRecord> {
    let r = db.refresh_tokens.get(&TokenHash::of(token)).ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
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
    if let (true, Some(bound)) = (pool.device_tracking(), &r.device_key) {
        let confirmed = pool.devices.get(bound).is_some_and(|d| d.confirmed());
        if given != Some(bound.as_str()) || !confirmed {
            return Err(not_authorized("Invalid Refresh Token"));
        }
    }
    Ok(())
}

fn reuse() -> ApiError {
    fail(Exception::RefreshTokenReuse, "The refresh token has been rotated and can no longer be used")
}

/// The record of a token to refresh with; a rotated one only within its grace period.
fn usable_record(db: &Db, client: &ClientConfig, token: &str) -> ApiResult<RefreshRecord> {
    let grace_over = |rotated: Option<i64>, pool: &str| rotated.is_some_and(|t| db.now_of(pool) - t > client.retry_grace_period_seconds);
    match refresh_record(db, client, token) {
        Err(e) => match db.refresh_tokens.get(&TokenHash::of(token)) {
            Some(rec) if grace_over(rec.rotated_at, &rec.pool) => Err(reuse()),
            _ => Err(e),
        },
        Ok(r) if grace_over(r.rotated_at, &r.pool) => Err(reuse()),
        Ok(r) => Ok(r),
    }
}

/// Shared by GetTokensFromRefreshToken and the OAuth refresh_token grant.
pub fn refresh_tokens(tx: &mut Tx, call: &Call, client: &ClientConfig, token: &str, device_key: Option<&str>) -> ApiResult<Issued> {
    let r = usable_record(tx, client, token)?;
    check_refresh_device(tx, &r, device_key)?;
    tx.count(&r.pool, "refresh");
    let rotate = client.refresh_token_rotation;
    let opts = Issue {
        device_key: r.device_key.clone(),
        origin: Some((r.origin_jti.clone(), r.auth_time)),
        scopes: r.hosted.then(|| r.scopes.clone()),
        with_refresh: rotate,
        source: TokenSource::RefreshTokens,
        ..Default::default()
    };
    let mut issued = issue_tokens(tx, call, &r.pool, client, &r.username, opts)?;
    if !rotate {
        issued.refresh_token = None;
        return Ok(issued);
    }
    let now = tx.now_of(&r.pool);
    if let Some(old) = tx.refresh_tokens.get_mut(&TokenHash::of(token)) {
        old.rotated_at.get_or_insert(now);
    }
    // The new token lives for what remained of the old one.
    if let Some(new) = issued.refresh_token.as_ref().and_then(|t| tx.refresh_tokens.get_mut(&TokenHash::of(t))) {
        new.expires = r.expires;
        new.hosted = r.hosted;
        new.scopes = r.scopes.clone();
    }
    Ok(issued)
}
