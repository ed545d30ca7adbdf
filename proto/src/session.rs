//! Token lifecycle decisions, given `now`: what is stored where, whether a session needs a
//! refresh, how far the local clock is from the server's, which errors end a session, and the
//! records that survive a page reload (an unfinished sign-in, an auto sign-in).
//!
//! Storage keys follow amazon-cognito-identity-js / Amplify, so an app moving from them keeps
//! its signed-in users:
//!
//! ```text
//! CognitoIdentityServiceProvider.<clientId>.LastAuthUser                 = <username>
//! CognitoIdentityServiceProvider.<clientId>.<username>.idToken | accessToken | refreshToken
//! CognitoIdentityServiceProvider.<clientId>.<username>.clockDrift        = seconds (local − server)
//! CognitoIdentityServiceProvider.<clientId>.<username>.deviceKey | deviceGroupKey | randomPasswordKey
//! CognitoIdentityServiceProvider.<clientId>.<username>.signInMethod      = "hostedUI" | "api"   (ours)
//! CognitoIdentityServiceProvider.<clientId>.pendingSignIn | autoSignIn | oauth.<nonce>          (ours)
//! CognitoIdentityServiceProvider.<clientId>.accounts = [{"username", "lastUsedAt"}]  (ours: every
//!                                                      signed-in account; LastAuthUser is the current one)
//! ```
//! Anything unreadable (corrupted, truncated, foreign) reads as signed out and is removed.

use crate::error::{Error, ErrorKind, Exception};
use crate::json::{itoa, Json, Raw, Writer};
use crate::jwt;
use crate::prelude::*;
use crate::types::*;

pub const PREFIX: &str = "CognitoIdentityServiceProvider";

fn base(client: &ClientId) -> String {
    String::from(PREFIX) + "." + client.as_str()
}

pub fn last_user_key(client: &ClientId) -> String {
    base(client) + ".LastAuthUser"
}

pub fn pending_key(client: &ClientId) -> String {
    base(client) + ".pendingSignIn"
}

pub fn accounts_key(client: &ClientId) -> String {
    base(client) + ".accounts"
}

pub fn auto_sign_in_key(client: &ClientId) -> String {
    base(client) + ".autoSignIn"
}

pub fn oauth_key(client: &ClientId, nonce: &str) -> String {
    base(client) + ".oauth." + nonce
}

/// Per-user keys.
pub struct UserKeys {
    prefix: String,
}

impl UserKeys {
    pub fn new(client: &ClientId, username: &str) -> Self {
        UserKeys { prefix: base(client) + "." + username + "." }
    }
    pub fn key(&self, name: &str) -> String {
        self.prefix.clone() + name
    }
    pub fn id_token(&self) -> String {
        self.key("idToken")
    }
    pub fn access_token(&self) -> String {
        self.key("accessToken")
    }
    pub fn refresh_token(&self) -> String {
        self.key("refreshToken")
    }
    pub fn clock_drift(&self) -> String {
        self.key("clockDrift")
    }
    pub fn sign_in_method(&self) -> String {
        self.key("signInMethod")
    }
    pub fn device_key(&self) -> String {
        self.key("deviceKey")
    }
    pub fn device_group_key(&self) -> String {
        self.key("deviceGroupKey")
    }
    pub fn device_password(&self) -> String {
        self.key("randomPasswordKey")
    }
    /// Keys of the session (not of the remembered device, which outlives sign-out).
    pub fn session_keys(&self) -> [String; 5] {
        [self.id_token(), self.access_token(), self.refresh_token(), self.clock_drift(), self.sign_in_method()]
    }
    pub fn device_keys(&self) -> [String; 3] {
        [self.device_key(), self.device_group_key(), self.device_password()]
    }
}

/// A stored, decodable session.
#[derive(Clone, Debug)]
pub struct Session {
    pub username: String,
    pub id_token: IdToken,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    /// The two tokens' payloads (JSON text, checked): see `id_claims`, `access_claims`.
    id_claims: String,
    access_claims: String,
    /// When the first of the two tokens expires, in the server's clock (epoch seconds).
    exp: i64,
    /// Local clock minus server clock, milliseconds.
    pub clock_drift_ms: i64,
    /// Signed in through the hosted UI (refresh at /oauth2/token, sign out at /logout).
    pub hosted: bool,
}

impl Session {
    /// From stored strings; `None` when anything is missing or does not decode as this user's
    /// Cognito tokens (the caller then clears the keys).
    pub fn from_stored(
        username: &str,
        id: Option<&str>,
        access: Option<&str>,
        refresh: Option<&str>,
        drift: Option<&str>,
        method: Option<&str>,
    ) -> Option<Session> {
        let (id, access) = (id?, access?);
        let id_claims = jwt::decode(id).ok()?.into_claims();
        let access_claims = jwt::decode(access).ok()?.into_claims();
        let (i, a) = (Raw::trusted(&id_claims), Raw::trusted(&access_claims));
        if i.str("token_use").as_deref() != Some("id") || a.str("token_use").as_deref() != Some("access") {
            return None;
        }
        // The tokens must belong to the user they are stored under.
        let owner = a.str("username").or_else(|| i.str("cognito:username"))?;
        let exp = i.get("exp")?.as_i64()?.min(a.get("exp")?.as_i64()?);
        if owner != username {
            return None;
        }
        let drift_secs: i64 = drift.and_then(|d| d.trim().parse().ok()).unwrap_or(0);
        Some(Session {
            username: username.to_string(),
            id_token: IdToken::new(id),
            access_token: AccessToken::new(access),
            refresh_token: refresh.filter(|r| !r.is_empty()).map(RefreshToken::new),
            id_claims,
            access_claims,
            exp,
            clock_drift_ms: drift_secs.saturating_mul(1000),
            hosted: method == Some("hostedUI"),
        })
    }

    /// The ID token's claims.
    pub fn id_claims(&self) -> Raw<'_> {
        Raw::trusted(&self.id_claims)
    }

    /// The access token's claims.
    pub fn access_claims(&self) -> Raw<'_> {
        Raw::trusted(&self.access_claims)
    }

    /// When the first of the two tokens expires, in the server's clock (epoch seconds).
    pub fn exp(&self) -> i64 {
        self.exp
    }

    /// Takes the tokens of a newer session of the same user (another tab's refresh).
    pub fn take_tokens(&mut self, newer: Session) {
        self.id_token = newer.id_token;
        self.access_token = newer.access_token;
        self.id_claims = newer.id_claims;
        self.access_claims = newer.access_claims;
        self.exp = newer.exp;
        self.clock_drift_ms = newer.clock_drift_ms;
    }

    /// When the first of the two tokens expires, in the local clock (ms since the epoch).
    pub fn expires_at_ms(&self) -> f64 {
        (self.exp() * 1000 + self.clock_drift_ms) as f64
    }

    /// True when a token expires within `margin_secs` (local clock corrected by the drift).
    pub fn needs_refresh(&self, now_ms: f64, margin_secs: i64) -> bool {
        now_ms + (margin_secs * 1000) as f64 >= self.expires_at_ms()
    }

    pub fn is_expired(&self, now_ms: f64) -> bool {
        now_ms >= self.expires_at_ms()
    }

    pub fn sub(&self) -> Option<String> {
        self.id_claims().str("sub")
    }

    /// Scopes in the access token.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.access_claims().str("scope").unwrap_or_default().split(' ').any(|s| s == scope)
    }
}

/// Local minus server time (seconds), from a fresh token's `iat` — identity-js's `clockDrift`.
pub fn clock_drift_secs(iat: i64, now_ms: f64) -> i64 {
    (now_ms / 1000.0) as i64 - iat
}

/// Errors that prove the session is over (clear it); anything else keeps the tokens.
pub fn ends_session(e: &Error) -> bool {
    e.exception().is_some_and(Exception::ends_session) || matches!(e.kind(), ErrorKind::OAuth { error } if error == "invalid_grant")
}

/// The accounts signed in on this browser (several accounts, the way Gmail and GitHub switch
/// between them): each with when it was last the current one. The current account is the one
/// in `LastAuthUser`, as amazon-cognito-identity-js and Amplify read it, so they keep seeing the
/// current user's tokens. Without a list (storage written by identity-js, Amplify, or
/// cognito-wasm before it had accounts) the list is LastAuthUser alone: nobody is signed out by
/// the change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountList {
    /// `(username, lastUsedAt ms)`, in the order they were added.
    pub entries: Vec<(String, f64)>,
}

/// Default of `maxAccounts`.
pub const MAX_ACCOUNTS: usize = 5;

impl AccountList {
    /// The stored list, or (none stored, or unreadable) LastAuthUser's account alone.
    pub fn read(stored: Option<&str>, last_user: Option<&str>) -> AccountList {
        let parsed = stored.and_then(|t| Raw::parse(t).ok()).filter(|v| v.is_array()).map(|v| {
            let mut entries: Vec<(String, f64)> = Vec::new();
            for e in v.items() {
                let (Some(u), at) = (e.str("username"), e.get("lastUsedAt").and_then(Raw::as_i64)) else { continue };
                if !u.is_empty() && u.len() <= 256 && !entries.iter().any(|(x, _)| *x == u) {
                    entries.push((u, at.unwrap_or(0) as f64));
                }
            }
            AccountList { entries }
        });
        let mut list = parsed.unwrap_or_default();
        if let Some(u) = last_user.filter(|u| !u.is_empty()) {
            if !list.contains(u) {
                list.entries.push((u.to_string(), 0.0));
            }
        }
        list
    }

    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, (u, at)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Writer::object().str("username", u).int("lastUsedAt", *at as i64).end());
        }
        out + "]"
    }

    pub fn contains(&self, username: &str) -> bool {
        self.entries.iter().any(|(u, _)| u == username)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Room for `username` under `max`: it is signed in already, or there is a free place.
    pub fn has_room_for(&self, username: &str, max: usize) -> bool {
        self.contains(username) || self.len() < max
    }

    /// `username` becomes (or stays) signed in, used now.
    pub fn touch(&mut self, username: &str, now_ms: f64) {
        match self.entries.iter_mut().find(|(u, _)| u == username) {
            Some(e) => e.1 = now_ms,
            None => self.entries.push((username.to_string(), now_ms)),
        }
    }

    pub fn remove(&mut self, username: &str) {
        self.entries.retain(|(u, _)| u != username);
    }

    /// The most recently used account (the one that becomes current when the current one
    /// signs out); among equals, the one added last.
    pub fn most_recent(&self) -> Option<&str> {
        let mut best: Option<&(String, f64)> = None;
        for e in &self.entries {
            if best.is_none_or(|b| e.1 >= b.1) {
                best = Some(e);
            }
        }
        best.map(|(u, _)| u.as_str())
    }
}

/// Sign-ins live this long between steps (Cognito's AuthSessionValidity default).
pub const CHALLENGE_TTL_MS: f64 = 3.0 * 60.0 * 1000.0;

/// An unfinished sign-in, stored so it survives a reload for its 3-minute lifetime.
#[derive(Clone, Debug)]
pub struct Pending {
    /// The USERNAME to send with the next answer (canonical once Cognito named it).
    pub username: String,
    pub challenge: String,
    pub session: Option<AuthSession>,
    pub params: Vec<(String, String)>,
    pub expires_at_ms: f64,
    /// MFA_SETUP: a TOTP secret already associated with this sign-in.
    pub totp_secret: Option<String>,
}

impl Pending {
    pub fn to_json(&self) -> String {
        Json::object(vec![
            ("username", Json::from(self.username.as_str())),
            ("challenge", Json::from(self.challenge.as_str())),
            ("session", Json::from(self.session.as_ref().map(|s| s.expose()))),
            ("params", Json::string_map(self.params.iter().map(|(a, b)| (a.as_str(), b.as_str())))),
            ("expiresAt", Json::int(self.expires_at_ms as i64)),
            ("totpSecret", Json::from(self.totp_secret.as_deref())),
        ])
        .to_text()
    }

    /// `None` for anything unreadable.
    pub fn from_json(text: &str) -> Option<Pending> {
        let v = Json::parse(text).ok()?;
        Some(Pending {
            username: v.str("username")?.to_string(),
            challenge: v.str("challenge")?.to_string(),
            session: v.str("session").map(AuthSession::new),
            params: v.get("params")?.as_object()?.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
            expires_at_ms: v.get("expiresAt")?.as_i64()? as f64,
            totp_secret: v.str("totpSecret").map(String::from),
        })
    }

    pub fn param(&self, k: &str) -> Option<&str> {
        self.params.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

/// A confirmed sign-up waiting to sign in with ConfirmSignUp's Session (survives a reload).
#[derive(Clone, Debug)]
pub struct AutoSignIn {
    pub username: String,
    pub session: Option<AuthSession>,
    pub expires_at_ms: f64,
}

impl AutoSignIn {
    pub fn to_json(&self) -> String {
        Json::object(vec![
            ("username", Json::from(self.username.as_str())),
            ("session", Json::from(self.session.as_ref().map(|s| s.expose()))),
            ("expiresAt", Json::int(self.expires_at_ms as i64)),
        ])
        .to_text()
    }
    pub fn from_json(text: &str) -> Option<AutoSignIn> {
        let v = Json::parse(text).ok()?;
        Some(AutoSignIn {
            username: v.str("username")?.to_string(),
            session: v.str("session").map(AuthSession::new),
            expires_at_ms: v.get("expiresAt")?.as_i64()? as f64,
        })
    }
}

/// Where the identity-pool identity of this browser is kept (per identity pool).
pub fn identity_key(identity_pool: &str) -> String {
    String::from("cognito-wasm.identity.") + identity_pool
}

/// The identity-pool identity of this browser: a guest's (`user` None), or a signed-in user's.
/// A guest's survives sign-in (it is linked to the login); a user's is dropped at sign-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityRecord {
    pub id: String,
    pub user: Option<String>,
}

impl IdentityRecord {
    pub fn to_json(&self) -> String {
        Json::object(vec![("id", Json::from(self.id.as_str())), ("user", Json::from(self.user.as_deref()))]).to_text()
    }
    pub fn from_json(text: &str) -> Option<IdentityRecord> {
        let v = Json::parse(text).ok()?;
        let id = v.str("id").filter(|i| i.contains(':') && i.len() <= 128)?;
        Some(IdentityRecord { id: id.to_string(), user: v.str("user").map(String::from) })
    }
}

/// The identity to ask credentials for, given the stored one and who is signed in: a guest's
/// identity is kept (signing in links it), the same user's is kept, anything else is not (a new
/// one is fetched with GetId).
pub fn identity_to_use(stored: Option<&IdentityRecord>, user: Option<&str>) -> Option<String> {
    let r = stored?;
    match (&r.user, user) {
        (None, _) => Some(r.id.clone()),
        (Some(u), Some(me)) if u == me => Some(r.id.clone()),
        _ => None,
    }
}

/// `Logins` key of an ID token: its issuer without the scheme (`cognito-idp.<region>.amazonaws.com/<pool>`,
/// the updated `issuer-cognito-idp.…` form, or an emulator's).
pub fn login_provider(id_claims: Raw) -> Option<String> {
    let iss = id_claims.str("iss")?;
    Some(iss.get(crate::codec::find(&iss, "://").map_or(0, |i| i + 3)..)?.to_string())
}

/// Whether cached credentials still serve: they are renewed 5 minutes before they expire.
pub fn credentials_fresh(expiration_ms: i64, now_ms: f64) -> bool {
    (expiration_ms as f64) - CREDENTIALS_MARGIN_MS > now_ms
}

/// Credentials are renewed this long before they expire.
pub const CREDENTIALS_MARGIN_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The user attributes of an ID token (registered claims left out), as a JSON object's text.
pub fn user_attributes(id_claims: Raw) -> String {
    const RESERVED: [&str; 14] = [
        "aud",
        "iss",
        "exp",
        "iat",
        "auth_time",
        "jti",
        "origin_jti",
        "event_id",
        "token_use",
        "nonce",
        "at_hash",
        "cognito:username",
        "cognito:groups",
        "identities",
    ];
    let mut w = Writer::object();
    for (k, v) in id_claims.members().filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !k.starts_with("cognito:")) {
        w.raw(&k, v.text());
    }
    w.end()
}

/// Seconds as text (for `clockDrift`).
pub fn secs_text(v: i64) -> String {
    itoa(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_decisions() {
        let guest = IdentityRecord { id: "us-east-1:g".into(), user: None };
        let ann = IdentityRecord { id: "us-east-1:a".into(), user: Some("ann".into()) };
        // A guest keeps its identity when signing in (it is linked); a user keeps theirs.
        assert_eq!(identity_to_use(Some(&guest), Some("ann")).as_deref(), Some("us-east-1:g"));
        assert_eq!(identity_to_use(Some(&guest), None).as_deref(), Some("us-east-1:g"));
        assert_eq!(identity_to_use(Some(&ann), Some("ann")).as_deref(), Some("us-east-1:a"));
        // Another user, or signed out: not this identity.
        assert_eq!(identity_to_use(Some(&ann), Some("bo")), None);
        assert_eq!(identity_to_use(Some(&ann), None), None);
        assert_eq!(identity_to_use(None, Some("ann")), None);
        assert_eq!(IdentityRecord::from_json(&ann.to_json()), Some(ann));
        assert_eq!(IdentityRecord::from_json(r#"{"id":"no-colon"}"#), None);
        let claims = Raw::parse(r#"{"iss":"https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X"}"#).unwrap();
        assert_eq!(login_provider(claims).as_deref(), Some("issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X"));
        assert!(credentials_fresh(1_000_000 + 301_000, 1_000_000.0) && !credentials_fresh(1_000_000 + 299_000, 1_000_000.0));
    }
    use crate::codec::base64url_encode;

    fn jwt(claims: &str) -> String {
        format!("{}.{}.c2ln", base64url_encode(br#"{"alg":"RS256","kid":"k"}"#), base64url_encode(claims.as_bytes()))
    }

    fn tokens(exp_id: i64, exp_access: i64) -> (String, String) {
        (
            jwt(&format!(r#"{{"token_use":"id","cognito:username":"alice","sub":"s1","email":"a@x","exp":{exp_id},"iat":1000}}"#)),
            jwt(&format!(
                r#"{{"token_use":"access","username":"alice","scope":"openid aws.cognito.signin.user.admin","exp":{exp_access},"iat":1000}}"#
            )),
        )
    }

    #[test]
    fn key_layout_is_amplify_compatible() {
        let c = ClientId::new("abc");
        assert_eq!(last_user_key(&c), "CognitoIdentityServiceProvider.abc.LastAuthUser");
        let k = UserKeys::new(&c, "alice");
        assert_eq!(k.id_token(), "CognitoIdentityServiceProvider.abc.alice.idToken");
        assert_eq!(k.device_password(), "CognitoIdentityServiceProvider.abc.alice.randomPasswordKey");
        assert_eq!(k.clock_drift(), "CognitoIdentityServiceProvider.abc.alice.clockDrift");
    }

    #[test]
    fn refresh_decisions_with_drift_and_margin() {
        let (id, access) = tokens(4600, 4500);
        // Local clock 100 s ahead of the server.
        let s = Session::from_stored("alice", Some(&id), Some(&access), Some("r"), Some("100"), None).unwrap();
        assert_eq!(s.expires_at_ms(), 4_600_000.0, "the earlier exp (4500) plus the drift");
        assert!(!s.needs_refresh(4_000_000.0, 60));
        assert!(s.needs_refresh(4_540_000.0, 60));
        assert!(!s.is_expired(4_599_000.0));
        assert!(s.is_expired(4_600_000.0));
        assert!(s.has_scope("aws.cognito.signin.user.admin"));
        assert!(!s.has_scope("openid email"));
        assert_eq!(clock_drift_secs(1000, 1_100_500.0), 100);
    }

    #[test]
    fn garbage_reads_as_signed_out() {
        let (id, access) = tokens(10, 10);
        let ok = Session::from_stored("alice", Some(&id), Some(&access), None, Some("junk"), Some("hostedUI")).unwrap();
        assert_eq!(ok.clock_drift_ms, 0);
        assert!(ok.hosted);
        assert!(ok.refresh_token.is_none());
        for (user, i, a) in [
            ("alice", None, Some(access.as_str())),
            ("alice", Some("garbage"), Some(access.as_str())),
            ("alice", Some(&id[..id.len() / 2]), Some(access.as_str())),
            ("alice", Some(access.as_str()), Some(id.as_str())),
            ("bob", Some(id.as_str()), Some(access.as_str())),
            ("alice", Some("{}"), Some("[]")),
        ] {
            assert!(Session::from_stored(user, i, a, None, None, None).is_none());
        }
    }

    #[test]
    fn which_errors_end_a_session() {
        assert!(ends_session(&Error::service(Exception::NotAuthorized, "Refresh Token has expired")));
        assert!(ends_session(&Error::service(Exception::RefreshTokenReuse, "")));
        assert!(ends_session(&Error::oauth("invalid_grant", "")));
        assert!(!ends_session(&Error::service(Exception::TooManyRequests, "")));
        assert!(!ends_session(&Error::network("offline")));
        assert!(!ends_session(&Error::new(ErrorKind::Service { exception: Exception::InternalError, status: 500 }, "")));
    }

    #[test]
    fn records_round_trip_and_reject_garbage() {
        let p = Pending {
            username: "alice".into(),
            challenge: "SMS_MFA".into(),
            session: Some(AuthSession::new("s")),
            params: vec![("CODE_DELIVERY_DESTINATION".into(), "+***1".into())],
            expires_at_ms: 1_700_000_000_000.0,
            totp_secret: None,
        };
        let back = Pending::from_json(&p.to_json()).unwrap();
        assert_eq!(back.challenge, "SMS_MFA");
        assert_eq!(back.session.as_ref().unwrap().expose(), "s");
        assert_eq!(back.param("CODE_DELIVERY_DESTINATION"), Some("+***1"));
        assert_eq!(back.expires_at_ms, p.expires_at_ms);
        assert!(Pending::from_json("{\"username\":1}").is_none());
        assert!(Pending::from_json("not json").is_none());
        let a = AutoSignIn { username: "u".into(), session: None, expires_at_ms: 5.0 };
        assert_eq!(AutoSignIn::from_json(&a.to_json()).unwrap().username, "u");
    }

    #[test]
    fn attributes_leave_out_registered_claims() {
        let c = Raw::parse(r#"{"sub":"s","email":"e","aud":"c","exp":1,"cognito:groups":["g"],"custom:team":"t"}"#).unwrap();
        assert_eq!(user_attributes(c), r#"{"sub":"s","email":"e","custom:team":"t"}"#);
    }

    #[test]
    fn the_account_list_carries_single_user_storage_over_and_picks_the_most_recent() {
        // identity-js / Amplify / cognito-wasm 0.1 storage: LastAuthUser alone is the list.
        let l = AccountList::read(None, Some("ann"));
        assert_eq!(l.entries, [("ann".to_string(), 0.0)]);
        // A list that lost its current user (written by another writer) gets it back.
        let mut l = AccountList::read(Some(r#"[{"username":"bo","lastUsedAt":5}]"#), Some("ann"));
        assert_eq!(l.entries, [("bo".to_string(), 5.0), ("ann".to_string(), 0.0)]);
        assert_eq!(l.most_recent(), Some("bo"));
        l.touch("ann", 9.0);
        assert_eq!(l.most_recent(), Some("ann"));
        assert!(l.has_room_for("cy", 3) && !l.has_room_for("cy", 2) && l.has_room_for("bo", 2));
        let text = l.to_json();
        assert_eq!(text, r#"[{"username":"bo","lastUsedAt":5},{"username":"ann","lastUsedAt":9}]"#);
        assert_eq!(AccountList::read(Some(&text), None), l);
        l.remove("ann");
        assert_eq!(l.most_recent(), Some("bo"));
        l.remove("bo");
        assert_eq!(l.most_recent(), None);
        // Garbage, duplicates and foreign shapes read as what can be used.
        for bad in ["nope", "{}", "[1,2]", r#"[{"username":""}]"#, "[{\"username\":\"a\"}"] {
            assert_eq!(AccountList::read(Some(bad), None).entries, [], "{bad}");
        }
        let dup = AccountList::read(Some(r#"[{"username":"a","lastUsedAt":1},{"username":"a","lastUsedAt":2},{"username":"b"}]"#), None);
        assert_eq!(dup.entries, [("a".to_string(), 1.0), ("b".to_string(), 0.0)]);
    }
}
