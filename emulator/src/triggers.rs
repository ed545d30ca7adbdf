//! Lambda triggers, run locally: the pool's own handler code, called with Cognito's event shapes
//! (the developer guide's "Customizing user pool workflows with Lambda triggers" and each
//! trigger's page) where and when Cognito calls it.
//!
//! ```text
//! event  = {version, region, userPoolId, userName, callerContext {awsSdkVersion, clientId},
//!           triggerSource, request {...}, response {}}
//! handler: {"url": "http://…"}  POST event (JSON) → the event, with `response` filled in
//!          {"command": [...]}    event on stdin → the event on stdout
//! failure: non-2xx / non-zero exit / {"errorMessage", "errorType"} → UserLambdaValidationException
//!          "<Trigger> failed with error <message>."; no `response` object → InvalidLambdaResponseException;
//!          slower than 5 s → UnexpectedLambdaException
//! ```
//! `emulator/adapters/lambda_adapter.mjs` and `lambda_adapter.py` run an unchanged Lambda
//! handler file as such a command. Every invocation is logged (`GET /_emulator/triggers`).
//! A handler must not call this emulator back while it runs (the request that fired it holds
//! the emulator's state).

use crate::state::Db;
use crate::util::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// How to run one trigger.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TriggerConfig {
    /// POST the event here.
    pub url: Option<String>,
    /// Run this (argv), event on stdin, event on stdout.
    pub command: Option<Vec<String>>,
    /// preTokenGeneration: `V1_0` (default) or `V2_0` (PreTokenGenerationConfig.LambdaVersion).
    pub lambda_version: Option<String>,
    /// Cognito gives a trigger 5 seconds.
    pub timeout_ms: Option<u64>,
}

/// A pool's `LambdaConfig`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Triggers {
    pub pre_sign_up: Option<TriggerConfig>,
    pub post_confirmation: Option<TriggerConfig>,
    pub pre_authentication: Option<TriggerConfig>,
    pub post_authentication: Option<TriggerConfig>,
    pub pre_token_generation: Option<TriggerConfig>,
    pub user_migration: Option<TriggerConfig>,
    pub custom_message: Option<TriggerConfig>,
    pub define_auth_challenge: Option<TriggerConfig>,
    pub create_auth_challenge: Option<TriggerConfig>,
    pub verify_auth_challenge_response: Option<TriggerConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    UserMigration,
    CustomMessage,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
}

impl Triggers {
    fn all_mut(&mut self) -> [&mut Option<TriggerConfig>; 10] {
        [
            &mut self.pre_sign_up,
            &mut self.post_confirmation,
            &mut self.pre_authentication,
            &mut self.post_authentication,
            &mut self.pre_token_generation,
            &mut self.user_migration,
            &mut self.custom_message,
            &mut self.define_auth_challenge,
            &mut self.create_auth_challenge,
            &mut self.verify_auth_challenge_response,
        ]
    }

    /// No trigger configured.
    pub fn is_empty(&self) -> bool {
        Kind::ALL.iter().all(|k| k.of(self).is_none())
    }

    /// Command arguments starting with `./` or `../` made relative to `dir` (a triggers file's).
    pub fn resolve_paths(&mut self, dir: &std::path::Path) {
        for t in self.all_mut().into_iter().flatten() {
            for arg in t.command.iter_mut().flatten() {
                if arg.starts_with("./") || arg.starts_with("../") {
                    *arg = dir.join(&*arg).to_string_lossy().into_owned();
                }
            }
        }
    }
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::PreSignUp,
        Kind::PostConfirmation,
        Kind::PreAuthentication,
        Kind::PostAuthentication,
        Kind::PreTokenGeneration,
        Kind::UserMigration,
        Kind::CustomMessage,
        Kind::DefineAuthChallenge,
        Kind::CreateAuthChallenge,
        Kind::VerifyAuthChallengeResponse,
    ];

    /// The name Cognito's error messages use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PreSignUp => "PreSignUp",
            Kind::PostConfirmation => "PostConfirmation",
            Kind::PreAuthentication => "PreAuthentication",
            Kind::PostAuthentication => "PostAuthentication",
            Kind::PreTokenGeneration => "PreTokenGeneration",
            Kind::UserMigration => "UserMigration",
            Kind::CustomMessage => "CustomMessage",
            Kind::DefineAuthChallenge => "DefineAuthChallenge",
            Kind::CreateAuthChallenge => "CreateAuthChallenge",
            Kind::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
        }
    }

    fn of(self, t: &Triggers) -> Option<&TriggerConfig> {
        match self {
            Kind::PreSignUp => t.pre_sign_up.as_ref(),
            Kind::PostConfirmation => t.post_confirmation.as_ref(),
            Kind::PreAuthentication => t.pre_authentication.as_ref(),
            Kind::PostAuthentication => t.post_authentication.as_ref(),
            Kind::PreTokenGeneration => t.pre_token_generation.as_ref(),
            Kind::UserMigration => t.user_migration.as_ref(),
            Kind::CustomMessage => t.custom_message.as_ref(),
            Kind::DefineAuthChallenge => t.define_auth_challenge.as_ref(),
            Kind::CreateAuthChallenge => t.create_auth_challenge.as_ref(),
            Kind::VerifyAuthChallengeResponse => t.verify_auth_challenge_response.as_ref(),
        }
    }
}

/// One invocation, for `GET /_emulator/triggers`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub pool_id: String,
    pub trigger: &'static str,
    pub trigger_source: String,
    pub user_name: String,
    pub duration_ms: u64,
    /// `ok`, or the error name.
    pub outcome: String,
    pub event: Value,
    pub response: Value,
}

/// The ClientMetadata of the call being answered (set by the JSON API for each request).
pub fn call_metadata(db: &Db) -> Value {
    db.runtime.call_metadata.clone().unwrap_or_else(|| json!({}))
}

/// Whether the pool has this trigger.
pub fn configured(db: &Db, pool: &str, kind: Kind) -> bool {
    db.pools.get(pool).is_some_and(|p| kind.of(&p.config.triggers).is_some())
}

/// Whether preTokenGeneration is configured as V2_0 (access-token claims and scopes).
pub fn token_v2(db: &Db, pool: &str) -> bool {
    db.pools.get(pool).and_then(|p| p.config.triggers.pre_token_generation.as_ref()).and_then(|t| t.lambda_version.as_deref())
        == Some("V2_0")
}

/// The user's attributes as a trigger sees them (`sub` included, strings).
pub fn user_attributes(db: &Db, pool: &str, username: &str) -> Value {
    let attrs = db.pools.get(pool).and_then(|p| p.users.get(username)).map(|u| u.attributes.clone()).unwrap_or_default();
    json!(attrs)
}

/// Runs the trigger `kind` of `pool`, if it has one: `Ok(None)` when not configured, else the
/// handler's `response`.
pub fn run(
    db: &mut Db,
    pool: &str,
    kind: Kind,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    request: Value,
) -> ApiResult<Option<Value>> {
    let Some(cfg) = db.pools.get(pool).and_then(|p| kind.of(&p.config.triggers)).cloned() else { return Ok(None) };
    let v2 = kind == Kind::PreTokenGeneration && cfg.lambda_version.as_deref() == Some("V2_0");
    let region = pool.split('_').next().unwrap_or("us-east-1");
    let event = json!({
        "version": if v2 { "2" } else { "1" },
        "region": region,
        "userPoolId": pool,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id.or(db.runtime.call_client.as_deref()).unwrap_or("CLIENT_ID_NOT_APPLICABLE")},
        "triggerSource": source,
        "request": request,
        "response": {},
    });
    let started = Instant::now();
    let timeout = Duration::from_millis(cfg.timeout_ms.unwrap_or(5_000));
    let outcome = invoke(&cfg, &event, timeout).and_then(|returned| match returned.get("response") {
        Some(r @ Value::Object(_)) => Ok(r.clone()),
        Some(Value::Null) | None if returned.is_object() => Ok(json!({})),
        _ => Err(err(
            "InvalidLambdaResponseException",
            format!("Invalid {} lambda response: the handler must return the event with its response", kind.name()),
        )),
    });
    let outcome = outcome.map_err(|e| match e.name.as_str() {
        "Handler" => err("UserLambdaValidationException", format!("{} failed with error {}.", kind.name(), e.message)),
        _ => e,
    });
    let entry = Invocation {
        pool_id: pool.to_string(),
        trigger: kind.name(),
        trigger_source: source.to_string(),
        user_name: username.to_string(),
        duration_ms: started.elapsed().as_millis() as u64,
        outcome: outcome.as_ref().map_or_else(|e| e.name.clone(), |_| "ok".to_string()),
        event: event.clone(),
        response: outcome.as_ref().cloned().unwrap_or(Value::Null),
    };
    if !db.runtime.quiet {
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            json!({"trigger": {"trigger": entry.trigger, "source": entry.trigger_source, "userName": entry.user_name, "ms": entry.duration_ms, "outcome": entry.outcome}})
        );
    }
    db.runtime.trigger_log.push(entry);
    if db.runtime.trigger_log.len() > 500 {
        db.runtime.trigger_log.drain(..100);
    }
    outcome.map(Some)
}

/// A handler's own failure (becomes UserLambdaValidationException in `run`).
fn handler_error(message: impl Into<String>) -> ApiError {
    ApiError { name: "Handler".into(), message: message.into(), status: 400 }
}

fn too_slow(timeout: Duration) -> ApiError {
    err(
        "UnexpectedLambdaException",
        format!("The trigger did not answer within {} ms (Cognito gives a trigger 5 seconds)", timeout.as_millis()),
    )
}

/// The returned event, or the handler's error.
fn parse_answer(text: &str) -> ApiResult<Value> {
    let v: Value = serde_json::from_str(text.trim())
        .map_err(|_| err("InvalidLambdaResponseException", "Unrecognizable lambda output: the handler must return the event as JSON"))?;
    if let Some(m) = v.get("errorMessage") {
        return Err(handler_error(m.as_str().unwrap_or("unknown error")));
    }
    Ok(v)
}

fn invoke(cfg: &TriggerConfig, event: &Value, timeout: Duration) -> ApiResult<Value> {
    if let Some(url) = &cfg.url {
        let agent = ureq::AgentBuilder::new().timeout(timeout).build();
        return match agent.post(url).set("Content-Type", "application/json").send_string(&event.to_string()) {
            Ok(r) => parse_answer(&r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(status, r)) => {
                let body = r.into_string().unwrap_or_default();
                match parse_answer(&body) {
                    Err(e) if e.name == "Handler" => Err(e),
                    _ => Err(handler_error(format!("HTTP {status}"))),
                }
            }
            Err(ureq::Error::Transport(t)) if t.to_string().contains("timed out") => Err(too_slow(timeout)),
            Err(e) => Err(err("UnexpectedLambdaException", format!("The trigger at {url} could not be reached: {e}"))),
        };
    }
    let argv = cfg
        .command
        .as_ref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| err("InvalidLambdaResponseException", "A trigger needs a url or a command"))?;
    let mut child = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| err("UnexpectedLambdaException", format!("cannot run {}: {e}", argv[0])))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(event.to_string().as_bytes());
    }
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let errs = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(too_slow(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(err("UnexpectedLambdaException", e.to_string())),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = errs.join().unwrap_or_default();
    if !status.success() {
        // Lambda's error shape on stdout when the handler threw; else what it printed.
        if let Err(e) = parse_answer(&stdout) {
            if e.name == "Handler" {
                return Err(e);
            }
        }
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
        return Err(handler_error(if last.is_empty() { format!("exit status {}", status.code().unwrap_or(-1)) } else { last }));
    }
    parse_answer(&stdout)
}

/// The text of a message Cognito sends (a code, a link, a temporary password), through the
/// customMessage trigger when the pool has one: `(text, link)`. The trigger's `emailMessage` /
/// `smsMessage` with `{####}` (the code) and `{username}` filled in; its first http(s) URL is
/// the message's link. (Cognito uses a custom e-mail text only when the pool sends through SES;
/// the emulator always applies it.)
#[allow(clippy::too_many_arguments)]
pub fn custom_message(
    db: &mut Db,
    pool: &str,
    username: &str,
    source: &str,
    sms: bool,
    code: &str,
    text: String,
    link: Option<String>,
) -> ApiResult<(String, Option<String>)> {
    if !configured(db, pool, Kind::CustomMessage) {
        return Ok((text, link));
    }
    let admin = source == "CustomMessage_AdminCreateUser";
    let request = json!({
        "userAttributes": user_attributes(db, pool, username),
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "usernameParameter": if admin { json!("{username}") } else { Value::Null },
        "clientMetadata": call_metadata(db),
    });
    let Some(r) = run(db, pool, Kind::CustomMessage, source, username, None, request)? else { return Ok((text, link)) };
    let field = if sms { "smsMessage" } else { "emailMessage" };
    let Some(custom) = r[field].as_str().filter(|t| !t.is_empty()) else { return Ok((text, link)) };
    if !custom.contains("{####}") {
        return Err(err("InvalidLambdaResponseException", format!("CustomMessage: {field} must contain the code parameter {{####}}")));
    }
    let filled = custom.replace("{####}", code).replace("{username}", username);
    if !sms {
        db.runtime.message_subject = r["emailSubject"].as_str().filter(|t| !t.is_empty()).map(String::from);
    }
    let url = filled
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(String::from);
    Ok((filled, url.or(link)))
}

/// The ClientMetadata of the call, when it is one of `ops` (each trigger gets it only from the
/// operations whose documentation says so), else `{}`.
fn metadata_from(db: &Db, ops: &[&str]) -> Value {
    match db.runtime.call_op.as_deref() {
        Some(op) if ops.contains(&op) => call_metadata(db),
        _ => json!({}),
    }
}

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

/// preSignUp, before the user exists (its error creates nobody); `validation` is the call's
/// ValidationData.
pub fn pre_sign_up(
    db: &mut Db,
    pool: &str,
    username: &str,
    source: &str,
    attributes: Value,
    validation: Vec<(String, String)>,
) -> ApiResult<SignUpDecision> {
    let md = metadata_from(db, &["SignUp", "AdminCreateUser"]);
    let validation: serde_json::Map<String, Value> = validation.into_iter().map(|(k, v)| (k, json!(v))).collect();
    let r = run(
        db,
        pool,
        Kind::PreSignUp,
        source,
        username,
        None,
        json!({"userAttributes": attributes, "validationData": validation, "clientMetadata": md}),
    )?;
    let flag = |k: &str| r.as_ref().and_then(|r| r[k].as_bool()).unwrap_or(false);
    Ok(SignUpDecision {
        auto_confirm: flag("autoConfirmUser"),
        verify_email: flag("autoVerifyEmail"),
        verify_phone: flag("autoVerifyPhone"),
    })
}

/// postConfirmation, after the user is confirmed.
pub fn post_confirmation(db: &mut Db, pool: &str, username: &str, source: &str) -> ApiResult<()> {
    let md = metadata_from(db, &["ConfirmSignUp", "ConfirmForgotPassword", "AdminConfirmSignUp"]);
    let request = json!({"userAttributes": user_attributes(db, pool, username), "clientMetadata": md});
    run(db, pool, Kind::PostConfirmation, source, username, None, request).map(|_| ())
}

/// preAuthentication, at sign-in (never at refresh); InitiateAuth's ClientMetadata arrives as
/// `validationData`. An error refuses the sign-in.
/// `not_found`: the pool hides unknown users (PreventUserExistenceErrors) and this one is.
pub fn pre_authentication(db: &mut Db, pool: &str, username: &str, not_found: bool) -> ApiResult<()> {
    let validation = metadata_from(db, &["InitiateAuth"]);
    let attributes = if not_found { json!({}) } else { user_attributes(db, pool, username) };
    let request = json!({"userAttributes": attributes, "validationData": validation, "userNotFound": not_found});
    run(db, pool, Kind::PreAuthentication, "PreAuthentication_Authentication", username, None, request).map(|_| ())
}

/// postAuthentication, once a sign-in succeeded (never at refresh).
pub fn post_authentication(db: &mut Db, pool: &str, username: &str, new_device: bool) -> ApiResult<()> {
    let md = metadata_from(db, &["RespondToAuthChallenge"]);
    let request = json!({"userAttributes": user_attributes(db, pool, username), "newDeviceUsed": new_device, "clientMetadata": md});
    run(db, pool, Kind::PostAuthentication, "PostAuthentication_Authentication", username, None, request).map(|_| ())
}

/// userMigration for a user this pool does not know: `UserMigration_Authentication` (with the
/// password: USER_PASSWORD_AUTH and the hosted UI's password form; never SRP, which hides it) or
/// `UserMigration_ForgotPassword`. The user the handler returns is created; its username.
pub fn migrate(db: &mut Db, pool: &str, typed: &str, password: Option<&str>) -> ApiResult<Option<String>> {
    if !configured(db, pool, Kind::UserMigration) {
        return Ok(None);
    }
    let (source, request) = match password {
        Some(p) => (
            "UserMigration_Authentication",
            json!({"password": p, "validationData": metadata_from(db, &["InitiateAuth"]), "userAttributes": {}}),
        ),
        None => ("UserMigration_ForgotPassword", json!({"clientMetadata": metadata_from(db, &["ForgotPassword"]), "userAttributes": {}})),
    };
    let Some(r) = run(db, pool, Kind::UserMigration, source, typed, None, request)? else { return Ok(None) };
    let Some(attrs) = r["userAttributes"].as_object().filter(|a| !a.is_empty()) else {
        return Err(err("UserNotFoundException", "Exception migrating user in app client"));
    };
    let mut attributes: std::collections::BTreeMap<String, String> = attrs
        .iter()
        .filter(|(k, _)| *k != "sub" && *k != "username")
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    let status = match (r["finalUserStatus"].as_str(), password) {
        (Some("RESET_REQUIRED"), _) | (_, None) => crate::config::UserStatus::ResetRequired,
        (Some("CONFIRMED") | None, Some(_)) => crate::config::UserStatus::Confirmed,
        (Some(other), _) => return Err(err("InvalidLambdaResponseException", format!("UserMigration: invalid finalUserStatus {other}"))),
    };
    let suppress = match r["messageAction"].as_str() {
        None | Some("") => false,
        Some("SUPPRESS") => true,
        Some(other) => return Err(err("InvalidLambdaResponseException", format!("UserMigration: invalid messageAction {other}"))),
    };
    let mediums: Vec<&str> =
        r["desiredDeliveryMediums"].as_array().map(|m| m.iter().filter_map(Value::as_str).collect()).unwrap_or_else(|| vec!["SMS"]);
    let p = db.pool_mut(pool)?;
    // Where the username is an e-mail or phone number, the typed name is that attribute and the
    // user gets a generated username, as at sign-up.
    let username = match p.config.username_attributes.first().cloned() {
        Some(attr) => {
            attributes.entry(attr).or_insert_with(|| typed.to_string());
            uuid()
        }
        None => typed.to_string(),
    };
    let cfg = crate::config::UserConfig {
        username: username.clone(),
        password: password.map(String::from).filter(|_| status == crate::config::UserStatus::Confirmed),
        attributes,
        status: Some(status),
        ..Default::default()
    };
    crate::state::seed_user(p, cfg)?;
    let now = p.now();
    db.count(pool, "migrated");
    if !suppress {
        let user = &db.pool(pool)?.users[&username];
        let targets: Vec<(String, crate::state::Medium)> = mediums
            .iter()
            .filter_map(|m| match *m {
                "EMAIL" => user.attr("email").map(|d| (d.to_string(), crate::state::Medium::Email)),
                "SMS" => user.attr("phone_number").map(|d| (d.to_string(), crate::state::Medium::Sms)),
                _ => None,
            })
            .collect();
        for (dest, medium) in targets {
            let text = format!("Welcome: your account {typed} has moved to this sign-in service.");
            db.deliver(pool, &username, &dest, medium, crate::state::MessageKind::Welcome, "", text, None, now);
        }
    }
    Ok(Some(username))
}

/// What defineAuthChallenge decided.
pub enum Define {
    Fail,
    Tokens,
    Challenge(String),
}

/// defineAuthChallenge over the rounds so far (`[{challengeName, challengeResult, challengeMetadata}]`).
pub fn define_auth_challenge(db: &mut Db, pool: &str, username: &str, log: &[Value]) -> ApiResult<Define> {
    let request = json!({
        "userAttributes": user_attributes(db, pool, username),
        "session": log,
        "clientMetadata": metadata_from(db, &["RespondToAuthChallenge"]),
        "userNotFound": false,
    });
    let r = run(db, pool, Kind::DefineAuthChallenge, "DefineAuthChallenge_Authentication", username, None, request)?.unwrap_or_default();
    if r["failAuthentication"].as_bool() == Some(true) {
        return Ok(Define::Fail);
    }
    if r["issueTokens"].as_bool() == Some(true) {
        return Ok(Define::Tokens);
    }
    match r["challengeName"].as_str() {
        Some(name @ ("CUSTOM_CHALLENGE" | "PASSWORD_VERIFIER")) => Ok(Define::Challenge(name.to_string())),
        other => Err(err(
            "InvalidLambdaResponseException",
            format!("DefineAuthChallenge: challengeName {} is not CUSTOM_CHALLENGE or PASSWORD_VERIFIER (and neither issueTokens nor failAuthentication is set)", other.unwrap_or("(none)")),
        )),
    }
}

/// createAuthChallenge: `(publicChallengeParameters, privateChallengeParameters, challengeMetadata)`.
pub fn create_auth_challenge(db: &mut Db, pool: &str, username: &str, log: &[Value]) -> ApiResult<(Value, Value, String)> {
    let request = json!({
        "userAttributes": user_attributes(db, pool, username),
        "challengeName": "CUSTOM_CHALLENGE",
        "session": log,
        "clientMetadata": metadata_from(db, &["RespondToAuthChallenge"]),
        "userNotFound": false,
    });
    let r = run(db, pool, Kind::CreateAuthChallenge, "CreateAuthChallenge_Authentication", username, None, request)?
        .ok_or_else(|| err("InvalidLambdaResponseException", "CUSTOM_CHALLENGE needs a createAuthChallenge trigger"))?;
    let strings = |v: &Value| -> Value {
        let m: serde_json::Map<String, Value> =
            v.as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), json!(v.as_str()?)))).collect();
        Value::Object(m)
    };
    Ok((
        strings(&r["publicChallengeParameters"]),
        r["privateChallengeParameters"].clone(),
        r["challengeMetadata"].as_str().unwrap_or("").to_string(),
    ))
}

/// verifyAuthChallengeResponse: `answerCorrect`.
pub fn verify_auth_challenge(db: &mut Db, pool: &str, username: &str, private: &Value, answer: &str) -> ApiResult<bool> {
    let request = json!({
        "userAttributes": user_attributes(db, pool, username),
        "privateChallengeParameters": private,
        "challengeAnswer": answer,
        "clientMetadata": metadata_from(db, &["RespondToAuthChallenge"]),
        "userNotFound": false,
    });
    let r = run(db, pool, Kind::VerifyAuthChallengeResponse, "VerifyAuthChallengeResponse_Authentication", username, None, request)?
        .ok_or_else(|| err("InvalidLambdaResponseException", "CUSTOM_CHALLENGE needs a verifyAuthChallengeResponse trigger"))?;
    Ok(r["answerCorrect"].as_bool() == Some(true))
}

/// preTokenGeneration: the handler's claims and scopes applied to the tokens about to be signed
/// (V1_0 `claimsOverrideDetails`, ID token; V2_0 `claimsAndScopeOverrideDetails`, both tokens
/// and the access token's scopes). Claims Cognito protects are never changed.
pub fn token_generation(
    db: &mut Db,
    pool: &str,
    username: &str,
    client_id: &str,
    source: &str,
    id: &mut Value,
    access: &mut Value,
) -> ApiResult<()> {
    if !configured(db, pool, Kind::PreTokenGeneration) {
        return Ok(());
    }
    let v2 = token_v2(db, pool);
    let groups = id.get("cognito:groups").cloned().unwrap_or_else(|| json!([]));
    let mut request = json!({
        "userAttributes": user_attributes(db, pool, username),
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": Value::Null},
        "clientMetadata": metadata_from(db, &["RespondToAuthChallenge"]),
    });
    if v2 {
        request["scopes"] = json!(access["scope"].as_str().unwrap_or("").split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>());
    }
    let Some(r) = run(db, pool, Kind::PreTokenGeneration, source, username, Some(client_id), request)? else { return Ok(()) };
    const PROTECTED: [&str; 14] =
        ["acr", "amr", "aud", "auth_time", "azp", "at_hash", "cognito:username", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce"];
    let apply = |claims: &mut Value, details: &Value| {
        if let Some(add) = details["claimsToAddOrOverride"].as_object() {
            for (k, v) in add {
                if !PROTECTED.contains(&k.as_str())
                    && !k.starts_with("cognito:")
                    && !matches!(k.as_str(), "token_use" | "sub" | "origin_jti" | "event_id" | "client_id" | "scope" | "username")
                {
                    claims[k.as_str()] = v.clone();
                }
            }
        }
        for k in details["claimsToSuppress"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !PROTECTED.contains(&k) && !matches!(k, "token_use" | "sub" | "origin_jti" | "event_id" | "client_id" | "username") {
                if let Some(o) = claims.as_object_mut() {
                    o.remove(k);
                }
            }
        }
    };
    let (id_details, access_details, groups) = if v2 {
        let d = &r["claimsAndScopeOverrideDetails"];
        (d["idTokenGeneration"].clone(), d["accessTokenGeneration"].clone(), d["groupOverrideDetails"].clone())
    } else {
        let d = &r["claimsOverrideDetails"];
        (d.clone(), Value::Null, d["groupOverrideDetails"].clone())
    };
    apply(id, &id_details);
    apply(access, &access_details);
    if v2 {
        let mut scopes: Vec<String> =
            access["scope"].as_str().unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(String::from).collect();
        for s in access_details["scopesToAdd"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !scopes.iter().any(|x| x == s) {
                scopes.push(s.to_string());
            }
        }
        let suppress: Vec<&str> = access_details["scopesToSuppress"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        scopes.retain(|s| !suppress.contains(&s.as_str()));
        access["scope"] = json!(scopes.join(" "));
    }
    if let Some(g) = groups["groupsToOverride"].as_array() {
        for claims in [&mut *id, &mut *access] {
            claims["cognito:groups"] = json!(g);
        }
    }
    Ok(())
}
