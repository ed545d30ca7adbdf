//! Lambda triggers, run locally: the pool's own handler code, called with Cognito's event shapes
//! (the developer guide's "Customizing user pool workflows with Lambda triggers" and each
//! trigger's page) where and when Cognito calls it.
//!
//! ```text
//! event  = {version, region, userPoolId, userName, callerContext {awsSdkVersion, clientId},
//!           triggerSource, request {...}, response {...}}
//!   response starts as the trigger's page shows it: preSignUp's with autoConfirmUser,
//!   autoVerifyEmail, autoVerifyPhone false ("Pre sign-up Lambda trigger"); others {}
//!   callerContext.clientId: the app client of the call (Call::client: the request's ClientId,
//!   or the app client of the access token it was made with)
//! run:   the handler is called with the state let go (Tx::unlocked, `lambda.rs`), at most 5 s
//! failure: the handler's error → UserLambdaValidationException "<Trigger> failed with error
//!          <message>."; no event back → InvalidLambdaResponseException; too slow or not
//!          reachable → UnexpectedLambdaException
//! ```
//! `emulator/adapters/lambda_adapter.mjs` and `lambda_adapter.py` run an unchanged Lambda
//! handler file as a command. Every invocation is logged (`GET /_emulator/triggers`). A handler
//! may call the emulator back while it runs.

use crate::call::Call;
use crate::config::{TriggerConfig, TriggerKind, UserConfig, UserStatus};
use crate::error::*;
use crate::lambda::{Failure, Invocation};
use crate::shared::Tx;
use crate::state::*;
use cognito_proto::api::Op;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::time::Instant;

/// Invocations kept for `GET /_emulator/triggers`.
const LOG_SIZE: usize = 500;

/// Whether the pool has this trigger.
pub fn configured(db: &Db, pool: &str, kind: TriggerKind) -> bool {
    db.pools.get(pool).is_some_and(|p| p.config.triggers.get(kind).is_some())
}

/// Whether preTokenGeneration is configured as V2_0 (access-token claims and scopes).
fn token_v2(cfg: &TriggerConfig) -> bool {
    cfg.lambda_version.as_deref() == Some("V2_0")
}

/// The user's attributes as a trigger sees them (`sub` included, strings).
fn user_attributes(db: &Db, pool: &str, username: &str) -> Value {
    json!(db.user(pool, username).map(|u| u.attributes.clone()).unwrap_or_default())
}

/// One invocation to make.
struct Event<'a> {
    pool: &'a str,
    kind: TriggerKind,
    source: &'static str,
    username: &'a str,
    request: Value,
}

/// The event as the trigger's page shows it.
fn event_json(e: &Event, cfg: &TriggerConfig, client_id: &str) -> Value {
    let v2 = e.kind == TriggerKind::PreTokenGeneration && token_v2(cfg);
    let response = match e.kind {
        TriggerKind::PreSignUp => json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
        _ => json!({}),
    };
    json!({
        "version": if v2 { "2" } else { "1" },
        "region": e.pool.split('_').next().unwrap_or("us-east-1"),
        "userPoolId": e.pool,
        "userName": e.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": e.source,
        "request": e.request,
        "response": response,
    })
}

/// The handler's `response`, or the error Cognito answers with.
fn outcome(kind: TriggerKind, returned: Result<Value, Failure>) -> ApiResult<Value> {
    match returned {
        Ok(event) => match event.get("response") {
            Some(r @ Value::Object(_)) => Ok(r.clone()),
            Some(Value::Null) | None if event.is_object() => Ok(json!({})),
            _ => Err(lambda_response(format!(
                "Invalid {} lambda response: the handler must return the event with its response",
                kind.name()
            ))),
        },
        Err(Failure::Handler(m)) => Err(fail(Exception::UserLambdaValidation, format!("{} failed with error {m}.", kind.name()))),
        Err(Failure::Unrecognizable) => Err(lambda_response("Unrecognizable lambda output: the handler must return the event as JSON")),
        Err(Failure::TooSlow(t)) => Err(fail(
            Exception::UnexpectedLambda,
            format!("The trigger did not answer within {} ms (Cognito gives a trigger 5 seconds)", t.as_millis()),
        )),
        Err(Failure::Unreachable(m)) => Err(fail(Exception::UnexpectedLambda, m)),
    }
}

/// Runs a trigger of the pool, if it has one (`Ok(None)` when not), with the state let go while
/// the handler runs: the handler's `response`.
fn run(tx: &mut Tx, call: &Call, e: Event) -> ApiResult<Option<Value>> {
    let Some(cfg) = tx.pools.get(e.pool).and_then(|p| p.config.triggers.get(e.kind)).cloned() else { return Ok(None) };
    let event = event_json(&e, &cfg, call.client_id());
    let started = Instant::now();
    let returned = tx.unlocked(|| crate::lambda::invoke(&cfg, &event));
    let result = outcome(e.kind, returned);
    let entry = Invocation {
        pool_id: e.pool.to_string(),
        trigger: e.kind.name(),
        trigger_source: e.source.to_string(),
        user_name: e.username.to_string(),
        duration_ms: started.elapsed().as_millis() as u64,
        outcome: result.as_ref().map_or_else(|e| e.name().to_string(), |_| "ok".to_string()),
        event,
        response: result.as_ref().cloned().unwrap_or(Value::Null),
    };
    record(tx, entry);
    result.map(Some)
}

fn record(db: &mut Db, entry: Invocation) {
    if !db.runtime.quiet {
        let line = json!({"trigger": {"trigger": entry.trigger, "source": entry.trigger_source, "userName": entry.user_name, "ms": entry.duration_ms, "outcome": entry.outcome}});
        let _ = writeln!(std::io::stdout(), "{line}");
    }
    let log = &mut db.runtime.trigger_log;
    log.push(entry);
    if log.len() > LOG_SIZE {
        log.drain(..100);
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

/// Which message a customMessage event is for (its triggerSource).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageSource {
    SignUp,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    AdminCreateUser,
    Authentication,
}

impl MessageSource {
    fn as_str(self) -> &'static str {
        match self {
            MessageSource::SignUp => "CustomMessage_SignUp",
            MessageSource::ResendCode => "CustomMessage_ResendCode",
            MessageSource::ForgotPassword => "CustomMessage_ForgotPassword",
            MessageSource::UpdateUserAttribute => "CustomMessage_UpdateUserAttribute",
            MessageSource::VerifyUserAttribute => "CustomMessage_VerifyUserAttribute",
            MessageSource::AdminCreateUser => "CustomMessage_AdminCreateUser",
            MessageSource::Authentication => "CustomMessage_Authentication",
        }
    }
}

/// What a customMessage call is about.
pub struct MessageFor<'a> {
    pub pool: &'a str,
    pub username: &'a str,
    pub source: MessageSource,
    pub sms: bool,
    pub code: &'a str,
}

/// The text of a message Cognito sends (a code, a link, a temporary password), through the
/// customMessage trigger when the pool has one: its `emailMessage` / `smsMessage` with `{####}`
/// (the code) and `{username}` filled in; its first http(s) URL is the message's link, its
/// `emailSubject` the subject. (Cognito uses a custom e-mail text only when the pool sends
/// through SES; the emulator always applies it.)
pub fn custom_message(tx: &mut Tx, call: &Call, m: MessageFor, default: Text) -> ApiResult<Text> {
    if !configured(tx, m.pool, TriggerKind::CustomMessage) {
        return Ok(default);
    }
    let admin = m.source == MessageSource::AdminCreateUser;
    let request = json!({
        "userAttributes": user_attributes(tx, m.pool, m.username),
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "usernameParameter": if admin { json!("{username}") } else { Value::Null },
        "clientMetadata": call.metadata.clone().map(Value::Object).unwrap_or_else(|| json!({})),
    });
    let e = Event { pool: m.pool, kind: TriggerKind::CustomMessage, source: m.source.as_str(), username: m.username, request };
    let Some(r) = run(tx, call, e)? else { return Ok(default) };
    let field = if m.sms { "smsMessage" } else { "emailMessage" };
    let Some(custom) = r[field].as_str().filter(|t| !t.is_empty()) else { return Ok(default) };
    if !custom.contains("{####}") {
        return Err(lambda_response(format!("CustomMessage: {field} must contain the code parameter {{####}}")));
    }
    let text = custom.replace("{####}", m.code).replace("{username}", m.username);
    let subject = if m.sms { None } else { r["emailSubject"].as_str().filter(|t| !t.is_empty()).map(String::from) };
    let url = text
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(String::from);
    Ok(Text { link: url.or(default.link), text, subject })
}

// ---------------------------------------------------------------------------------------------
// Sign-up and confirmation

/// What preSignUp decided: `autoConfirmUser`, `autoVerifyEmail`, `autoVerifyPhone` (all false
/// without the trigger).
#[derive(Clone, Copy, Debug, Default)]
pub struct SignUpDecision {
    pub auto_confirm: bool,
    pub verify_email: bool,
    pub verify_phone: bool,
}

impl SignUpDecision {
    /// Marks the e-mail address and phone number verified where the handler said so and the
    /// user has one.
    pub fn mark_verified(&self, attributes: &mut std::collections::BTreeMap<String, String>) {
        for (flag, attr) in [(self.verify_email, "email"), (self.verify_phone, "phone_number")] {
            if flag && attributes.contains_key(attr) {
                attributes.insert(format!("{attr}_verified"), "true".into());
            }
        }
    }
}

/// Why a user is signing up (preSignUp's triggerSource).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpSource {
    SignUp,
    AdminCreateUser,
    ExternalProvider,
}

/// preSignUp, before the user exists (its error creates nobody); `validation` is the call's
/// ValidationData.
pub fn pre_sign_up(
    tx: &mut Tx,
    call: &Call,
    pool: &str,
    username: &str,
    source: SignUpSource,
    attributes: Value,
    validation: Map<String, Value>,
) -> ApiResult<SignUpDecision> {
    let source = match source {
        SignUpSource::SignUp => "PreSignUp_SignUp",
        SignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
        SignUpSource::ExternalProvider => "PreSignUp_ExternalProvider",
    };
    let md = call.metadata_for(&[Op::SignUp, Op::AdminCreateUser]);
    let request = json!({"userAttributes": attributes, "validationData": validation, "clientMetadata": md});
    let r = run(tx, call, Event { pool, kind: TriggerKind::PreSignUp, source, username, request })?;
    let flag = |k: &str| r.as_ref().and_then(|r| r[k].as_bool()).unwrap_or(false);
    Ok(SignUpDecision {
        auto_confirm: flag("autoConfirmUser"),
        verify_email: flag("autoVerifyEmail"),
        verify_phone: flag("autoVerifyPhone"),
    })
}

/// What a user was confirmed by (postConfirmation's triggerSource).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmed {
    SignUp,
    ForgotPassword,
}

/// postConfirmation, after the user is confirmed.
pub fn post_confirmation(tx: &mut Tx, call: &Call, pool: &str, username: &str, by: Confirmed) -> ApiResult<()> {
    let source = match by {
        Confirmed::SignUp => "PostConfirmation_ConfirmSignUp",
        Confirmed::ForgotPassword => "PostConfirmation_ConfirmForgotPassword",
    };
    let md = call.metadata_for(&[Op::ConfirmSignUp, Op::ConfirmForgotPassword, Op::AdminConfirmSignUp]);
    let request = json!({"userAttributes": user_attributes(tx, pool, username), "clientMetadata": md});
    run(tx, call, Event { pool, kind: TriggerKind::PostConfirmation, source, username, request }).map(drop)
}

// ---------------------------------------------------------------------------------------------
// Authentication

/// preAuthentication, at sign-in (never at refresh); InitiateAuth's ClientMetadata arrives as
/// `validationData`. An error refuses the sign-in. `not_found`: the pool hides unknown users
/// (PreventUserExistenceErrors) and this one is.
pub fn pre_authentication(tx: &mut Tx, call: &Call, pool: &str, username: &str, not_found: bool) -> ApiResult<()> {
    let validation = call.metadata_for(&[Op::InitiateAuth]);
    let attributes = if not_found { json!({}) } else { user_attributes(tx, pool, username) };
    let request = json!({"userAttributes": attributes, "validationData": validation, "userNotFound": not_found});
    let e = Event { pool, kind: TriggerKind::PreAuthentication, source: "PreAuthentication_Authentication", username, request };
    run(tx, call, e).map(drop)
}

/// postAuthentication, once a sign-in succeeded (never at refresh).
pub fn post_authentication(tx: &mut Tx, call: &Call, pool: &str, username: &str, new_device: bool) -> ApiResult<()> {
    let md = call.metadata_for(&[Op::RespondToAuthChallenge]);
    let request = json!({"userAttributes": user_attributes(tx, pool, username), "newDeviceUsed": new_device, "clientMetadata": md});
    let e = Event { pool, kind: TriggerKind::PostAuthentication, source: "PostAuthentication_Authentication", username, request };
    run(tx, call, e).map(drop)
}

/// userMigration for a user this pool does not know: `UserMigration_Authentication` (with the
/// password: USER_PASSWORD_AUTH and the hosted UI's password form; never SRP, which hides it) or
/// `UserMigration_ForgotPassword`. The user the handler returns is created; its username.
pub fn migrate(tx: &mut Tx, call: &Call, pool: &str, typed: &str, password: Option<&str>) -> ApiResult<Option<String>> {
    if !configured(tx, pool, TriggerKind::UserMigration) {
        return Ok(None);
    }
    let (source, request) = match password {
        Some(p) => (
            "UserMigration_Authentication",
            json!({"password": p, "validationData": call.metadata_for(&[Op::InitiateAuth]), "userAttributes": {}}),
        ),
        None => ("UserMigration_ForgotPassword", json!({"clientMetadata": call.metadata_for(&[Op::ForgotPassword]), "userAttributes": {}})),
    };
    let e = Event { pool, kind: TriggerKind::UserMigration, source, username: typed, request };
    let Some(r) = run(tx, call, e)? else { return Ok(None) };
    let migrated = Migrated::read(&r, password.is_some())?;
    let username = create_migrated(tx, pool, typed, password, &migrated)?;
    tx.count(pool, "migrated");
    if !migrated.suppress {
        welcome(tx, pool, &username, typed, &migrated.mediums)?;
    }
    Ok(Some(username))
}

/// What userMigration returned.
struct Migrated {
    attributes: std::collections::BTreeMap<String, String>,
    status: UserStatus,
    suppress: bool,
    mediums: Vec<Medium>,
}

impl Migrated {
    fn read(r: &Value, with_password: bool) -> ApiResult<Migrated> {
        let Some(attrs) = r["userAttributes"].as_object().filter(|a| !a.is_empty()) else {
            return Err(fail(Exception::UserNotFound, "Exception migrating user in app client"));
        };
        let attributes = attrs
            .iter()
            .filter(|(k, _)| *k != "sub" && *k != "username")
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        let status = match (r["finalUserStatus"].as_str(), with_password) {
            (Some("RESET_REQUIRED"), _) | (_, false) => UserStatus::ResetRequired,
            (Some("CONFIRMED") | None, true) => UserStatus::Confirmed,
            (Some(other), _) => return Err(lambda_response(format!("UserMigration: invalid finalUserStatus {other}"))),
        };
        let suppress = match r["messageAction"].as_str() {
            None | Some("") => false,
            Some("SUPPRESS") => true,
            Some(other) => return Err(lambda_response(format!("UserMigration: invalid messageAction {other}"))),
        };
        let mediums = match r["desiredDeliveryMediums"].as_array() {
            Some(m) => m.iter().filter_map(Value::as_str).filter_map(|m| serde_json::from_value(json!(m)).ok()).collect(),
            None => vec![Medium::Sms],
        };
        Ok(Migrated { attributes, status, suppress, mediums })
    }
}

/// Creates the migrated user; where the username is an e-mail or phone number, the typed name is
/// that attribute and the user gets a generated username, as at sign-up.
fn create_migrated(tx: &mut Tx, pool: &str, typed: &str, password: Option<&str>, m: &Migrated) -> ApiResult<String> {
    let p = tx.pool(pool)?;
    let mut attributes = m.attributes.clone();
    let username = match p.config.username_attributes.first() {
        Some(attr) => {
            attributes.entry(attr.clone()).or_insert_with(|| typed.to_string());
            crate::util::uuid()
        }
        None => typed.to_string(),
    };
    let cfg = UserConfig { username: username.clone(), attributes, status: Some(m.status), ..Default::default() };
    let mut user = seed_user(p, cfg)?;
    if let (Some(pw), UserStatus::Confirmed) = (password, m.status) {
        // As signin::new_verifier (not called: signin depends on this module).
        let (name, u, pw) = (p.name().to_string(), username.clone(), pw.to_string());
        user.set_verifier(tx.compute(move || PasswordVerifier::compute(&name, &u, &pw)));
    }
    let p = tx.pool_mut(pool)?;
    if p.users.contains_key(&username) {
        return Err(fail(Exception::UsernameExists, "User already exists"));
    }
    p.users.insert(username.clone(), user);
    Ok(username)
}

fn welcome(tx: &mut Tx, pool: &str, username: &str, typed: &str, mediums: &[Medium]) -> ApiResult<()> {
    let p = tx.pool(pool)?;
    let user = p.user(username)?;
    let now = p.now();
    let targets: Vec<(String, Medium)> = mediums
        .iter()
        .filter_map(|m| match m {
            Medium::Email => user.attr("email").map(|d| (d.to_string(), *m)),
            Medium::Sms => user.attr("phone_number").map(|d| (d.to_string(), *m)),
        })
        .collect();
    for (destination, medium) in targets {
        let text = Text { text: format!("Welcome: your account {typed} has moved to this sign-in service."), link: None, subject: None };
        tx.send_message(pool, username, destination, medium, MessageKind::Welcome, String::new(), text, now);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Custom authentication challenges

/// What defineAuthChallenge decided.
pub enum Define {
    Fail,
    Tokens,
    Challenge(String),
}

fn challenge_request(tx: &Tx, call: &Call, pool: &str, username: &str, extra: Value) -> Value {
    let mut request = json!({
        "userAttributes": user_attributes(tx, pool, username),
        "clientMetadata": call.metadata_for(&[Op::RespondToAuthChallenge]),
        "userNotFound": false,
    });
    if let (Some(r), Some(x)) = (request.as_object_mut(), extra.as_object()) {
        r.extend(x.clone());
    }
    request
}

/// defineAuthChallenge over the rounds so far (`[{challengeName, challengeResult, challengeMetadata}]`).
pub fn define_auth_challenge(tx: &mut Tx, call: &Call, pool: &str, username: &str, log: &[Value]) -> ApiResult<Define> {
    let request = challenge_request(tx, call, pool, username, json!({"session": log}));
    let e = Event { pool, kind: TriggerKind::DefineAuthChallenge, source: "DefineAuthChallenge_Authentication", username, request };
    let r = run(tx, call, e)?.unwrap_or_default();
    if r["failAuthentication"].as_bool() == Some(true) {
        return Ok(Define::Fail);
    }
    if r["issueTokens"].as_bool() == Some(true) {
        return Ok(Define::Tokens);
    }
    match r["challengeName"].as_str() {
        Some(name @ ("CUSTOM_CHALLENGE" | "PASSWORD_VERIFIER")) => Ok(Define::Challenge(name.to_string())),
        other => Err(lambda_response(format!(
            "DefineAuthChallenge: challengeName {} is not CUSTOM_CHALLENGE or PASSWORD_VERIFIER (and neither issueTokens nor failAuthentication is set)",
            other.unwrap_or("(none)")
        ))),
    }
}

/// A challenge createAuthChallenge made: (publicChallengeParameters, privateChallengeParameters,
/// challengeMetadata).
pub struct Created {
    pub public: Value,
    pub private: Value,
    pub metadata: String,
}

pub fn create_auth_challenge(tx: &mut Tx, call: &Call, pool: &str, username: &str, log: &[Value]) -> ApiResult<Created> {
    let request = challenge_request(tx, call, pool, username, json!({"challengeName": "CUSTOM_CHALLENGE", "session": log}));
    let e = Event { pool, kind: TriggerKind::CreateAuthChallenge, source: "CreateAuthChallenge_Authentication", username, request };
    let r = run(tx, call, e)?.ok_or_else(|| lambda_response("CUSTOM_CHALLENGE needs a createAuthChallenge trigger"))?;
    let strings: Map<String, Value> = r["publicChallengeParameters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), json!(v.as_str()?))))
        .collect();
    Ok(Created {
        public: Value::Object(strings),
        private: r["privateChallengeParameters"].clone(),
        metadata: r["challengeMetadata"].as_str().unwrap_or("").to_string(),
    })
}

/// verifyAuthChallengeResponse: `answerCorrect`.
pub fn verify_auth_challenge(tx: &mut Tx, call: &Call, pool: &str, username: &str, private: &Value, answer: &str) -> ApiResult<bool> {
    let request = challenge_request(tx, call, pool, username, json!({"privateChallengeParameters": private, "challengeAnswer": answer}));
    let e = Event {
        pool,
        kind: TriggerKind::VerifyAuthChallengeResponse,
        source: "VerifyAuthChallengeResponse_Authentication",
        username,
        request,
    };
    let r = run(tx, call, e)?.ok_or_else(|| lambda_response("CUSTOM_CHALLENGE needs a verifyAuthChallengeResponse trigger"))?;
    Ok(r["answerCorrect"].as_bool() == Some(true))
}

// ---------------------------------------------------------------------------------------------
// Token generation

/// preTokenGeneration's triggerSource: what the tokens are issued for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenSource {
    #[default]
    Authentication,
    NewPasswordChallenge,
    AuthenticateDevice,
    RefreshTokens,
    HostedAuth,
}

impl TokenSource {
    fn as_str(self) -> &'static str {
        match self {
            TokenSource::Authentication => "TokenGeneration_Authentication",
            TokenSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            TokenSource::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            TokenSource::RefreshTokens => "TokenGeneration_RefreshTokens",
            TokenSource::HostedAuth => "TokenGeneration_HostedAuth",
        }
    }
}

/// Claims Cognito never lets preTokenGeneration change.
const PROTECTED: [&str; 14] =
    ["acr", "amr", "aud", "auth_time", "azp", "at_hash", "cognito:username", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce"];

fn protected(k: &str, adding: bool) -> bool {
    PROTECTED.contains(&k)
        || (adding && k.starts_with("cognito:"))
        || matches!(k, "token_use" | "sub" | "origin_jti" | "event_id" | "client_id" | "username")
        || (adding && k == "scope")
}

/// `claimsToAddOrOverride` and `claimsToSuppress` of one token.
fn apply_claims(claims: &mut Value, details: &Value) {
    if let Some(add) = details["claimsToAddOrOverride"].as_object() {
        for (k, v) in add.iter().filter(|(k, _)| !protected(k, true)) {
            claims[k.as_str()] = v.clone();
        }
    }
    for k in details["claimsToSuppress"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if let (false, Some(o)) = (protected(k, false), claims.as_object_mut()) {
            o.remove(k);
        }
    }
}

/// `scopesToAdd` and `scopesToSuppress` (V2_0) on the access token's `scope`.
fn apply_scopes(access: &mut Value, details: &Value) {
    let mut scopes: Vec<String> = access["scope"].as_str().unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
    for s in details["scopesToAdd"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    let suppress: Vec<&str> = details["scopesToSuppress"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    scopes.retain(|s| !suppress.contains(&s.as_str()));
    access["scope"] = json!(scopes.join(" "));
}

/// The tokens about to be signed, for preTokenGeneration.
pub struct Claims<'a> {
    pub id: &'a mut Value,
    pub access: &'a mut Value,
}

/// preTokenGeneration: the handler's claims and scopes applied to the tokens about to be signed
/// (V1_0 `claimsOverrideDetails`, ID token; V2_0 `claimsAndScopeOverrideDetails`, both tokens
/// and the access token's scopes). Claims Cognito protects are never changed. The event's
/// clientId is the app client the tokens are for.
pub fn token_generation(tx: &mut Tx, call: &Call, pool: &str, username: &str, source: TokenSource, c: Claims) -> ApiResult<()> {
    let Some(cfg) = tx.pools.get(pool).and_then(|p| p.config.triggers.get(TriggerKind::PreTokenGeneration)).cloned() else {
        return Ok(());
    };
    let v2 = token_v2(&cfg);
    let groups = c.id.get("cognito:groups").cloned().unwrap_or_else(|| json!([]));
    let mut request = json!({
        "userAttributes": user_attributes(tx, pool, username),
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": Value::Null},
        "clientMetadata": call.metadata_for(&[Op::RespondToAuthChallenge]),
    });
    if v2 {
        request["scopes"] = json!(c.access["scope"].as_str().unwrap_or("").split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>());
    }
    let e = Event { pool, kind: TriggerKind::PreTokenGeneration, source: source.as_str(), username, request };
    let Some(r) = run(tx, call, e)? else { return Ok(()) };
    let (id_details, access_details, groups) = if v2 {
        let d = &r["claimsAndScopeOverrideDetails"];
        (d["idTokenGeneration"].clone(), d["accessTokenGeneration"].clone(), d["groupOverrideDetails"].clone())
    } else {
        let d = &r["claimsOverrideDetails"];
        (d.clone(), Value::Null, d["groupOverrideDetails"].clone())
    };
    apply_claims(c.id, &id_details);
    apply_claims(c.access, &access_details);
    if v2 {
        apply_scopes(c.access, &access_details);
    }
    if let Some(g) = groups["groupsToOverride"].as_array() {
        c.id["cognito:groups"] = json!(g);
        c.access["cognito:groups"] = json!(g);
    }
    Ok(())
}
