//! The JS shapes of the public API, in one place, next to `types.d.ts`: options and arguments
//! (as JSON, from `JSON.stringify` of what the page passed) into the flows' Rust types, and the
//! flows' results back into the plain objects the page receives. Every JS name is written here.

use crate::client::*;
use cognito_proto::challenge::{Answer, CodeDelivery, Factor, MfaType, NextStep, TotpSetup};
use cognito_proto::error::Error;
use cognito_proto::json::{Json, Raw, Writer};
use cognito_proto::oauth::AuthorizeOptions;
use cognito_proto::types::*;

/// A required, non-empty string argument, or a ConfigError saying which: arguments the SDK
/// refuses itself are never dressed up as a Cognito exception.
pub fn required<'a>(input: &'a Json, field: &str) -> Result<&'a str, Error> {
    match input.str(field) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Error::config(String::from(field) + " is required (a non-empty string)")),
    }
}

fn text<'a>(input: &'a Json, field: &str) -> Option<&'a str> {
    input.str(field).filter(|s| !s.is_empty())
}

pub fn flag(input: &Json, field: &str) -> Option<bool> {
    input.get(field).and_then(Json::as_bool)
}

/// `{name: value}` attributes; values must be strings.
pub fn attributes_in(v: Option<&Json>) -> Result<Vec<(String, String)>, Error> {
    let mut out = vec![];
    for (k, v) in v.and_then(Json::as_object).unwrap_or(&[]) {
        let v = v.as_str().ok_or_else(|| Error::config(String::from("attribute ") + k + " must be a string"))?;
        out.push((k.clone(), v.to_string()));
    }
    Ok(out)
}

pub fn attributes_out(attrs: &[(String, String)]) -> Json {
    Json::string_map(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// `clientMetadata: {key: value}` (for the pool's Lambda triggers), or none.
pub fn metadata(input: Raw) -> Result<Metadata, Error> {
    match input.get("clientMetadata").filter(|m| !m.is_null()) {
        None => Ok(Metadata::new()),
        Some(m) if m.is_object() => {
            m.members().map(|(k, v)| v.as_str().map(|v| (k, v)).ok_or_else(|| Error::config("clientMetadata values must be strings"))).collect()
        }
        Some(_) => Err(Error::config("clientMetadata must be an object of string values")),
    }
}

pub fn username(input: &Json) -> Result<Username, Error> {
    Ok(Username::new(required(input, "username")?))
}

/// A USER_AUTH factor name (`preferredChallenge`, `factor`).
fn first_factor(v: &Json, field: &str) -> Result<Option<Factor>, Error> {
    match text(v, field) {
        None => Ok(None),
        Some(f) => Factor::parse(f)
            .map(Some)
            .ok_or_else(|| Error::config(String::from(field) + " " + f + " is not one of PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN")),
    }
}

/// `signIn({username, password, flow, preferredChallenge})`; flow defaults to USER_SRP_AUTH.
pub fn sign_in_input(v: &Json, client_metadata: Metadata) -> Result<SignInInput, Error> {
    let username = username(v)?;
    let flow = match v.str("flow").unwrap_or("USER_SRP_AUTH") {
        "USER_SRP_AUTH" => Flow::Srp,
        "USER_PASSWORD_AUTH" => Flow::Password,
        "CUSTOM_WITH_SRP" => Flow::CustomWithSrp,
        "CUSTOM_WITHOUT_SRP" | "CUSTOM_AUTH" => Flow::CustomWithoutSrp,
        "USER_AUTH" => Flow::UserAuth(first_factor(v, "preferredChallenge")?),
        other => {
            return Err(Error::config(
                String::from("flow \"") + other + "\" is not one of USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_WITH_SRP, CUSTOM_WITHOUT_SRP, USER_AUTH",
            ))
        }
    };
    let password = if flow.needs_password() { Some(Password::new(required(v, "password")?)) } else { None };
    Ok(SignInInput { username, password, flow, client_metadata, add_account: flag(v, "addAccount").unwrap_or(false) })
}

/// `confirmSignIn({...})`: which answer it is follows from the fields given.
pub fn answer(v: &Json) -> Result<Answer, Error> {
    if let Some(p) = text(v, "newPassword") {
        return Ok(Answer::NewPassword { password: Password::new(p), attributes: attributes_in(v.get("attributes"))? });
    }
    if let Some(t) = text(v, "mfaType") {
        let t = MfaType::parse(t).ok_or_else(|| Error::config(String::from("mfaType ") + t + " is not SMS, EMAIL or TOTP"))?;
        return Ok(Answer::MfaType(t));
    }
    if let Some(e) = text(v, "email") {
        return Ok(Answer::Email(e.to_string()));
    }
    if let Some(a) = text(v, "answer") {
        return Ok(Answer::Custom(a.to_string()));
    }
    if let Some(f) = first_factor(v, "factor")? {
        return Ok(Answer::Factor(f, text(v, "password").map(Password::new)));
    }
    if let Some(r) = v.get("challengeResponses").and_then(Json::as_object) {
        return Ok(Answer::Responses(r.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect()));
    }
    Ok(Answer::Code { code: required(v, "code")?.to_string(), device_name: text(v, "deviceName").map(String::from) })
}

/// `{destination, deliveryMedium, attributeName}` or null.
pub fn code_delivery(d: Option<&CodeDelivery>) -> Json {
    match d {
        None => Json::Null,
        Some(d) => Json::object(vec![
            ("destination", Json::from(d.destination.as_deref())),
            ("deliveryMedium", Json::from(d.medium.as_deref())),
            ("attributeName", Json::from(d.attribute.as_deref())),
        ]),
    }
}

fn mfa_types(list: &[MfaType]) -> Json {
    Json::Arr(list.iter().map(|t| Json::from(t.as_str())).collect())
}

fn totp_setup(t: &TotpSetup) -> Json {
    Json::object(vec![("secretCode", Json::from(t.secret_code.as_str())), ("uri", Json::from(t.uri.as_str()))])
}

/// The `nextStep` object: `{challenge, ...what comes with it, expiresAt}`.
pub fn next_step(p: &PendingStep) -> Json {
    let delivery = |c: &str, d: &CodeDelivery| {
        vec![
            ("challenge", Json::from(c)),
            (
                "codeDeliveryDetails",
                Json::object(vec![
                    ("destination", Json::from(d.destination.as_deref())),
                    ("deliveryMedium", Json::from(d.medium.as_deref())),
                ]),
            ),
        ]
    };
    let mut m = match &p.step {
        NextStep::NewPasswordRequired { required_attributes, user_attributes } => vec![
            ("challenge", Json::from("NEW_PASSWORD_REQUIRED")),
            ("requiredAttributes", Json::Arr(required_attributes.iter().map(|a| Json::from(a.as_str())).collect())),
            ("userAttributes", user_attributes.clone()),
        ],
        NextStep::SmsMfa { delivery: d } => delivery("SMS_MFA", d),
        NextStep::EmailOtp { delivery: d } => delivery("EMAIL_OTP", d),
        NextStep::SmsOtp { delivery: d } => delivery("SMS_OTP", d),
        NextStep::SoftwareTokenMfa { friendly_device_name } => {
            let mut m = vec![("challenge", Json::from("SOFTWARE_TOKEN_MFA"))];
            if let Some(n) = friendly_device_name {
                m.push(("friendlyDeviceName", Json::from(n.as_str())));
            }
            m
        }
        NextStep::SelectMfaType { allowed } => vec![("challenge", Json::from("SELECT_MFA_TYPE")), ("allowedMfaTypes", mfa_types(allowed))],
        NextStep::MfaSetup { allowed, totp } => {
            let mut m = vec![("challenge", Json::from("MFA_SETUP")), ("allowedMfaTypes", mfa_types(allowed))];
            if let Some(t) = totp {
                m.push(("totpSetup", totp_setup(t)));
            }
            m
        }
        NextStep::SelectChallenge { available } => vec![
            ("challenge", Json::from("SELECT_CHALLENGE")),
            ("availableChallenges", Json::Arr(available.iter().map(|f| Json::from(f.as_str())).collect())),
        ],
        NextStep::CustomChallenge { parameters } => {
            vec![("challenge", Json::from("CUSTOM_CHALLENGE")), ("parameters", attributes_out(parameters))]
        }
        NextStep::Other { challenge, parameters } => {
            vec![("challenge", Json::from(challenge.as_str())), ("parameters", attributes_out(parameters))]
        }
    };
    m.push(("expiresAt", Json::int(p.expires_at_ms as i64)));
    Json::object(m)
}

/// `{signedIn: true}` or `{signedIn: false, nextStep}`.
pub fn sign_in_outcome(o: &SignInOutcome) -> Json {
    match o {
        SignInOutcome::SignedIn => Json::object(vec![("signedIn", Json::Bool(true))]),
        SignInOutcome::Next(p) => Json::object(vec![("signedIn", Json::Bool(false)), ("nextStep", next_step(p))]),
    }
}

/// `{username, idToken, accessToken, expiresAt}` or null.
/// `{username, idToken, accessToken, expiresAt}` or `null`, as JSON text.
pub fn session(s: Option<&Session>) -> String {
    match s {
        None => String::from("null"),
        Some(s) => Writer::object()
            .str("username", &s.username)
            .str("idToken", s.id_token.expose())
            .str("accessToken", s.access_token.expose())
            .int("expiresAt", s.expires_at_ms() as i64)
            .end(),
    }
}

/// `listAccounts()`'s items.
pub fn account(a: &AccountInfo) -> Json {
    let mut fields = vec![("username", Json::from(a.username.as_str())), ("sub", Json::from(a.sub.as_deref()))];
    if let Some(e) = &a.email {
        fields.push(("email", Json::from(e.as_str())));
    }
    fields.extend([("current", Json::Bool(a.current)), ("expiresAt", Json::int(a.expires_at_ms as i64)), ("lastUsedAt", Json::int(a.last_used_at_ms as i64))]);
    Json::object(fields)
}

pub fn sign_up_input(v: &Json, client_metadata: Metadata) -> Result<SignUpInput, Error> {
    Ok(SignUpInput {
        username: username(v)?,
        password: text(v, "password").map(Password::new),
        attributes: attributes_in(v.get("attributes"))?,
        auto_sign_in: flag(v, "autoSignIn") == Some(true),
        client_metadata,
    })
}

pub fn sign_up_outcome(o: &SignUpOutcome) -> Json {
    Json::object(vec![
        ("userConfirmed", Json::Bool(o.user_confirmed)),
        ("userSub", Json::from(o.user_sub.as_deref())),
        ("codeDelivery", code_delivery(o.code_delivery.as_ref())),
    ])
}

pub fn confirm_sign_up_outcome(o: ConfirmSignUpOutcome) -> Json {
    Json::object(vec![("confirmed", Json::Bool(true)), ("autoSignIn", Json::Bool(o.auto_sign_in))])
}

/// `{codeDelivery}`.
pub fn code_delivery_result(d: Option<&CodeDelivery>) -> Json {
    Json::object(vec![("codeDelivery", code_delivery(d))])
}

pub fn code_deliveries(list: &[CodeDelivery]) -> Json {
    Json::object(vec![("codeDeliveries", Json::Arr(list.iter().map(|d| code_delivery(Some(d))).collect()))])
}

pub fn totp(t: &TotpSetup) -> Json {
    totp_setup(t)
}

fn mfa_choice(v: Option<&Json>, name: &str) -> Result<Option<MfaChoice>, Error> {
    match v.and_then(Json::as_str) {
        None => Ok(None),
        Some("ENABLED") => Ok(Some(MfaChoice::Enabled)),
        Some("DISABLED") => Ok(Some(MfaChoice::Disabled)),
        Some("PREFERRED") => Ok(Some(MfaChoice::Preferred)),
        Some("NOT_PREFERRED") => Ok(Some(MfaChoice::NotPreferred)),
        Some(_) => Err(Error::config(String::from(name) + " must be ENABLED, DISABLED, PREFERRED or NOT_PREFERRED")),
    }
}

pub fn mfa_update(v: &Json) -> Result<MfaPreferenceUpdate, Error> {
    Ok(MfaPreferenceUpdate {
        sms: mfa_choice(v.get("sms"), "sms")?,
        totp: mfa_choice(v.get("totp"), "totp")?,
        email: mfa_choice(v.get("email"), "email")?,
        web_authn: match v.get("webAuthn").and_then(Json::as_str) {
            None => None,
            Some("enabled" | "ENABLED") => Some(true),
            Some("disabled" | "DISABLED") => Some(false),
            Some(_) => return Err(Error::config("webAuthn must be 'enabled' or 'disabled' (passkey MFA has no PREFERRED: it applies when a passkey is the first factor)")),
        },
    })
}

/// `SMS`, `TOTP`, `EMAIL`: the names `updateMfaPreference` takes.
fn factor(t: MfaType) -> &'static str {
    match t {
        MfaType::Sms => "SMS",
        MfaType::Totp => "TOTP",
        MfaType::Email => "EMAIL",
    }
}

pub fn mfa_preference(p: &MfaPreference) -> Json {
    Json::object(vec![
        ("enabled", Json::Arr(p.enabled.iter().map(|t| Json::from(factor(*t))).collect())),
        ("preferred", Json::from(p.preferred.map(factor))),
        ("webAuthn", Json::from(if p.web_authn { "enabled" } else { "disabled" })),
    ])
}

pub fn devices(list: &[DeviceInfo]) -> Json {
    let num = |n: &Option<String>| n.clone().map_or(Json::Null, Json::Num);
    Json::Arr(
        list.iter()
            .map(|d| {
                Json::object(vec![
                    ("deviceKey", Json::from(d.key.as_str())),
                    ("name", Json::from(d.name.as_deref())),
                    ("current", Json::Bool(d.current)),
                    ("attributes", attributes_out(&d.attributes)),
                    ("createdAt", num(&d.created_at)),
                    ("lastModifiedAt", num(&d.last_modified_at)),
                    ("lastAuthenticatedAt", num(&d.last_authenticated_at)),
                ])
            })
            .collect(),
    )
}

fn strings(list: &[String]) -> Json {
    Json::Arr(list.iter().map(|s| Json::from(s.as_str())).collect())
}

pub fn passkeys(list: &[PasskeyInfo]) -> Json {
    Json::Arr(
        list.iter()
            .map(|p| {
                Json::object(vec![
                    ("credentialId", Json::from(p.credential_id.as_str())),
                    ("friendlyName", Json::from(p.friendly_name.as_deref())),
                    ("relyingPartyId", Json::from(p.relying_party_id.as_deref())),
                    ("authenticatorAttachment", Json::from(p.authenticator_attachment.as_deref())),
                    ("transports", strings(&p.transports)),
                    ("createdAt", p.created_at.clone().map_or(Json::Null, Json::Num)),
                ])
            })
            .collect(),
    )
}

pub fn auth_factors(f: &AuthFactors) -> Json {
    Json::object(vec![
        ("configured", strings(&f.configured)),
        ("mfa", strings(&f.mfa)),
        ("preferredMfa", Json::from(f.preferred_mfa.as_deref())),
    ])
}

/// `{identityId, accessKeyId, secretAccessKey, sessionToken, expiration, authenticated}` or null.
pub fn credentials(c: Option<&Credentials>) -> Json {
    match c {
        None => Json::Null,
        Some(c) => Json::object(vec![
            ("identityId", Json::from(c.identity_id.as_str())),
            ("accessKeyId", Json::from(c.aws.access_key_id.as_str())),
            ("secretAccessKey", Json::from(c.aws.secret_access_key.as_str())),
            ("sessionToken", Json::from(c.aws.session_token.as_deref())),
            ("expiration", Json::int(c.expiration_ms)),
            ("authenticated", Json::Bool(c.authenticated)),
        ]),
    }
}

fn header_pairs(v: Option<&Json>) -> Vec<(String, String)> {
    v.and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| Some((p.as_array()?.first()?.as_str()?.to_string(), p.as_array()?.get(1)?.as_str()?.to_string())))
        .collect()
}

/// What methods.js passes for `signRequest` / `presignUrl`: `{url, method, headers: [[name,
/// value]], payloadHash, service, region, expiresIn?}`.
pub fn sign_input(v: &Json, presign: bool) -> Result<SignInput, Error> {
    let service = required(v, "service")?.to_string();
    let region = required(v, "region")?.to_string();
    let expires_in = match v.get("expiresIn").and_then(Json::as_i64) {
        Some(n) if n > 0 => Some(n.min(604_800) as u32),
        _ if presign => Some(900),
        _ => None,
    };
    Ok(SignInput {
        url: required(v, "url")?.to_string(),
        method: v.str("method").unwrap_or("GET").to_ascii_uppercase(),
        headers: header_pairs(v.get("headers")),
        payload_hash: text(v, "payloadHash").unwrap_or(cognito_proto::sigv4::EMPTY_PAYLOAD).to_string(),
        service,
        region,
        expires_in,
    })
}

pub fn signed_request(r: &SignedRequest) -> Json {
    let mut m = vec![
        ("url", Json::from(r.url.as_str())),
        ("headers", Json::Arr(r.headers.iter().map(|(k, v)| Json::Arr(vec![Json::from(k.as_str()), Json::from(v.as_str())])).collect())),
    ];
    if let Some(e) = r.expires_in {
        m.push(("expiresIn", Json::int(e as i64)));
    }
    Json::object(m)
}

/// `authorizeUrl` / `signInWithRedirect` options: the return path and the authorize parameters.
pub fn authorize(v: &Json) -> (Option<String>, AuthorizeOptions) {
    let s = |k: &str| text(v, k).map(String::from);
    (
        v.str("returnTo").map(String::from),
        AuthorizeOptions {
            provider: s("provider"),
            idp_identifier: s("idpIdentifier"),
            login_hint: s("loginHint"),
            lang: s("lang"),
            prompt: s("prompt"),
        },
    )
}

pub fn redirect_outcome(o: &RedirectOutcome) -> Json {
    Json::object(vec![("signedIn", Json::Bool(true)), ("returnTo", Json::from(o.return_to.as_str()))])
}

pub fn sign_out_outcome(o: SignOutOutcome) -> Json {
    if o.redirecting {
        Json::object(vec![("redirecting", Json::Bool(true))])
    } else {
        Json::Obj(vec![])
    }
}

/// `{username, sub, attributes}`, as JSON text.
pub fn current_user(u: &CurrentUser) -> String {
    Writer::object().str("username", &u.username).opt("sub", u.sub.as_deref()).raw("attributes", &u.attributes).end()
}

/// `{type, username, error?, fromOtherTab?}` for `onAuthEvent` listeners, as JSON text.
pub fn auth_event(e: &AuthEvent) -> String {
    let mut w = Writer::object();
    w.str("type", e.kind.as_str()).opt("username", e.username.as_deref());
    if let Some((name, message)) = &e.error {
        w.raw("error", &Writer::object().str("name", name).str("message", message).end());
    }
    if e.from_other_tab {
        w.bool("fromOtherTab", true);
    }
    if let Some((operation, attempt, delay)) = e.retry {
        w.raw("retry", &Writer::object().str("operation", operation).int("attempt", attempt as i64).int("delayMs", delay as i64).end());
    }
    w.end()
}

/// An empty result (`{}`).
pub fn done() -> Json {
    Json::Obj(vec![])
}
