//! The Cognito user-pool JSON API as data: one builder per operation, one parser for answers
//! and errors (the Amazon Cognito user pools API reference; botocore's `cognito-idp/2016-04-18`
//! model for the member names). Nothing here sends anything; `client` hands the
//! [`HttpRequest`] to the one place that performs HTTP.
//!
//! ```text
//! POST {endpoint}
//! Content-Type: application/x-amz-json-1.1
//! X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>
//! {...operation input, PascalCase...}
//! → 200 {...output}   |   4xx/5xx {"__type": "<Exception>", "message": "..."} (+ x-amzn-ErrorType)
//! ```
//! SECRET_HASH is added wherever the app client has a secret, always over the USERNAME sent in
//! that same request (the developer guide's "Computing secret hash values": after
//! PASSWORD_VERIFIER that is USER_ID_FOR_SRP, not what the user typed).

use crate::challenge::ChallengeName;
use crate::crypto::secret_hash;
use crate::error::{Error, ErrorKind, Exception};
pub use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Json, Raw, Writer};
use crate::prelude::*;
use crate::types::*;

/// The operations this SDK calls (and, with the `server` feature, the ones only the emulator
/// answers: admin and describe operations an app's back end or a test calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    InitiateAuth,
    RespondToAuthChallenge,
    GetTokensFromRefreshToken,
    RevokeToken,
    SignUp,
    ConfirmSignUp,
    ResendConfirmationCode,
    ForgotPassword,
    ConfirmForgotPassword,
    ChangePassword,
    GetUser,
    UpdateUserAttributes,
    DeleteUserAttributes,
    VerifyUserAttribute,
    GetUserAttributeVerificationCode,
    DeleteUser,
    GlobalSignOut,
    AssociateSoftwareToken,
    VerifySoftwareToken,
    SetUserMFAPreference,
    ConfirmDevice,
    ForgetDevice,
    ListDevices,
    UpdateDeviceStatus,
    StartWebAuthnRegistration,
    CompleteWebAuthnRegistration,
    ListWebAuthnCredentials,
    DeleteWebAuthnCredential,
    GetUserAuthFactors,
    /// Identity pools (`AWSCognitoIdentityService`).
    GetId,
    GetCredentialsForIdentity,
    #[cfg(feature = "server")]
    GetDevice,
    #[cfg(feature = "server")]
    AdminCreateUser,
    #[cfg(feature = "server")]
    AdminGetUser,
    #[cfg(feature = "server")]
    AdminSetUserPassword,
    #[cfg(feature = "server")]
    AdminConfirmSignUp,
    #[cfg(feature = "server")]
    AdminDeleteUser,
    #[cfg(feature = "server")]
    AdminUpdateUserAttributes,
    #[cfg(feature = "server")]
    AdminDisableUser,
    #[cfg(feature = "server")]
    AdminEnableUser,
    #[cfg(feature = "server")]
    AdminResetUserPassword,
    #[cfg(feature = "server")]
    AdminUserGlobalSignOut,
    #[cfg(feature = "server")]
    AdminSetUserMFAPreference,
    #[cfg(feature = "server")]
    AdminAddUserToGroup,
    #[cfg(feature = "server")]
    ListUsers,
    #[cfg(feature = "server")]
    DescribeUserPool,
    #[cfg(feature = "server")]
    DescribeUserPoolClient,
    #[cfg(feature = "server")]
    SetUserPoolMfaConfig,
    #[cfg(feature = "server")]
    GetUserPoolMfaConfig,
    /// Identity pools, classic flow and identity management.
    #[cfg(feature = "server")]
    GetOpenIdToken,
    #[cfg(feature = "server")]
    UnlinkIdentity,
    #[cfg(feature = "server")]
    DescribeIdentity,
}

/// Every operation the SDK calls.
const SDK_OPS: [Op; 31] = [
    Op::InitiateAuth,
    Op::RespondToAuthChallenge,
    Op::GetTokensFromRefreshToken,
    Op::RevokeToken,
    Op::SignUp,
    Op::ConfirmSignUp,
    Op::ResendConfirmationCode,
    Op::ForgotPassword,
    Op::ConfirmForgotPassword,
    Op::ChangePassword,
    Op::GetUser,
    Op::UpdateUserAttributes,
    Op::DeleteUserAttributes,
    Op::VerifyUserAttribute,
    Op::GetUserAttributeVerificationCode,
    Op::DeleteUser,
    Op::GlobalSignOut,
    Op::AssociateSoftwareToken,
    Op::VerifySoftwareToken,
    Op::SetUserMFAPreference,
    Op::ConfirmDevice,
    Op::ForgetDevice,
    Op::ListDevices,
    Op::UpdateDeviceStatus,
    Op::StartWebAuthnRegistration,
    Op::CompleteWebAuthnRegistration,
    Op::ListWebAuthnCredentials,
    Op::DeleteWebAuthnCredential,
    Op::GetUserAuthFactors,
    Op::GetId,
    Op::GetCredentialsForIdentity,
];

/// The operations only the emulator answers.
#[cfg(feature = "server")]
const SERVER_OPS: [Op; 21] = [
    Op::GetDevice,
    Op::AdminCreateUser,
    Op::AdminGetUser,
    Op::AdminSetUserPassword,
    Op::AdminConfirmSignUp,
    Op::AdminDeleteUser,
    Op::AdminUpdateUserAttributes,
    Op::AdminDisableUser,
    Op::AdminEnableUser,
    Op::AdminResetUserPassword,
    Op::AdminUserGlobalSignOut,
    Op::AdminSetUserMFAPreference,
    Op::AdminAddUserToGroup,
    Op::ListUsers,
    Op::DescribeUserPool,
    Op::DescribeUserPoolClient,
    Op::SetUserPoolMfaConfig,
    Op::GetUserPoolMfaConfig,
    Op::GetOpenIdToken,
    Op::UnlinkIdentity,
    Op::DescribeIdentity,
];

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::InitiateAuth => "InitiateAuth",
            Op::RespondToAuthChallenge => "RespondToAuthChallenge",
            Op::GetTokensFromRefreshToken => "GetTokensFromRefreshToken",
            Op::RevokeToken => "RevokeToken",
            Op::SignUp => "SignUp",
            Op::ConfirmSignUp => "ConfirmSignUp",
            Op::ResendConfirmationCode => "ResendConfirmationCode",
            Op::ForgotPassword => "ForgotPassword",
            Op::ConfirmForgotPassword => "ConfirmForgotPassword",
            Op::ChangePassword => "ChangePassword",
            Op::GetUser => "GetUser",
            Op::UpdateUserAttributes => "UpdateUserAttributes",
            Op::DeleteUserAttributes => "DeleteUserAttributes",
            Op::VerifyUserAttribute => "VerifyUserAttribute",
            Op::GetUserAttributeVerificationCode => "GetUserAttributeVerificationCode",
            Op::DeleteUser => "DeleteUser",
            Op::GlobalSignOut => "GlobalSignOut",
            Op::AssociateSoftwareToken => "AssociateSoftwareToken",
            Op::VerifySoftwareToken => "VerifySoftwareToken",
            Op::SetUserMFAPreference => "SetUserMFAPreference",
            Op::ConfirmDevice => "ConfirmDevice",
            Op::ForgetDevice => "ForgetDevice",
            Op::ListDevices => "ListDevices",
            Op::UpdateDeviceStatus => "UpdateDeviceStatus",
            Op::StartWebAuthnRegistration => "StartWebAuthnRegistration",
            Op::CompleteWebAuthnRegistration => "CompleteWebAuthnRegistration",
            Op::ListWebAuthnCredentials => "ListWebAuthnCredentials",
            Op::DeleteWebAuthnCredential => "DeleteWebAuthnCredential",
            Op::GetUserAuthFactors => "GetUserAuthFactors",
            Op::GetId => "GetId",
            Op::GetCredentialsForIdentity => "GetCredentialsForIdentity",
            #[cfg(feature = "server")]
            other => other.server_name(),
        }
    }

    #[cfg(feature = "server")]
    fn server_name(self) -> &'static str {
        match self {
            Op::GetDevice => "GetDevice",
            Op::AdminCreateUser => "AdminCreateUser",
            Op::AdminGetUser => "AdminGetUser",
            Op::AdminSetUserPassword => "AdminSetUserPassword",
            Op::AdminConfirmSignUp => "AdminConfirmSignUp",
            Op::AdminDeleteUser => "AdminDeleteUser",
            Op::AdminUpdateUserAttributes => "AdminUpdateUserAttributes",
            Op::AdminDisableUser => "AdminDisableUser",
            Op::AdminEnableUser => "AdminEnableUser",
            Op::AdminResetUserPassword => "AdminResetUserPassword",
            Op::AdminUserGlobalSignOut => "AdminUserGlobalSignOut",
            Op::AdminSetUserMFAPreference => "AdminSetUserMFAPreference",
            Op::AdminAddUserToGroup => "AdminAddUserToGroup",
            Op::ListUsers => "ListUsers",
            Op::DescribeUserPool => "DescribeUserPool",
            Op::DescribeUserPoolClient => "DescribeUserPoolClient",
            Op::SetUserPoolMfaConfig => "SetUserPoolMfaConfig",
            Op::GetUserPoolMfaConfig => "GetUserPoolMfaConfig",
            Op::GetOpenIdToken => "GetOpenIdToken",
            Op::UnlinkIdentity => "UnlinkIdentity",
            Op::DescribeIdentity => "DescribeIdentity",
            _ => "",
        }
    }

    /// Every operation (the SDK's, then the emulator's own with the `server` feature).
    pub fn all() -> impl Iterator<Item = Op> {
        let ops = SDK_OPS.into_iter();
        #[cfg(feature = "server")]
        let ops = ops.chain(SERVER_OPS);
        ops
    }

    /// The operation named in `X-Amz-Target` (after the service prefix).
    pub fn parse(name: &str) -> Option<Op> {
        Op::all().find(|op| op.name() == name)
    }

    /// An identity-pool operation (sent to the cognito-identity endpoint).
    pub fn identity(self) -> bool {
        #[cfg(feature = "server")]
        if matches!(self, Op::GetOpenIdToken | Op::UnlinkIdentity | Op::DescribeIdentity) {
            return true;
        }
        matches!(self, Op::GetId | Op::GetCredentialsForIdentity)
    }

    /// Safe to resend after a network failure or a 5xx (the first attempt may have been
    /// processed). Throttling is always safe to retry: the request was not processed.
    pub fn idempotent(self) -> bool {
        matches!(
            self,
            Op::InitiateAuth
                | Op::GetUser
                | Op::ListDevices
                | Op::GlobalSignOut
                | Op::RevokeToken
                | Op::ForgetDevice
                | Op::UpdateDeviceStatus
                | Op::SetUserMFAPreference
                | Op::UpdateUserAttributes
                | Op::DeleteUserAttributes
                | Op::StartWebAuthnRegistration
                | Op::ListWebAuthnCredentials
                | Op::GetUserAuthFactors
                // A repeated GetId at worst leaves an unused guest identity behind.
                | Op::GetId
                | Op::GetCredentialsForIdentity
        )
    }
}

/// One Cognito call, ready to send: its operation and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub op: Op,
    pub body: String,
}

pub const USER_AGENT: &str = concat!("cognito-wasm/", env!("CARGO_PKG_VERSION"));

impl ApiRequest {
    pub fn to_http(&self, endpoint: &str) -> HttpRequest {
        HttpRequest::new(
            "POST",
            endpoint.to_string(),
            vec![
                ("Content-Type", "application/x-amz-json-1.1".to_string()),
                (
                    "X-Amz-Target",
                    String::from(if self.op.identity() { "AWSCognitoIdentityService." } else { "AWSCognitoIdentityProviderService." }) + self.op.name(),
                ),
                ("X-Amz-User-Agent", USER_AGENT.to_string()),
            ],
            Some(self.body.clone()),
        )
    }

    /// With `ClientMetadata` (for the pool's Lambda triggers), when there is any.
    pub fn with_metadata(mut self, meta: &[(String, String)]) -> ApiRequest {
        if !meta.is_empty() {
            let mut m = Writer::object();
            for (k, v) in meta {
                m.str(k, v);
            }
            self.body = Writer::reopen(self.body).raw("ClientMetadata", &m.end()).end();
        }
        self
    }

    /// The body as a tree (for tests and the emulator's side).
    pub fn json(&self) -> Json {
        Json::parse(&self.body).unwrap_or_default()
    }
}

/// The app client a request is made for.
#[derive(Clone, Copy, Debug)]
pub struct AppClient<'a> {
    pub id: &'a ClientId,
    pub secret: Option<&'a ClientSecret>,
}

impl AppClient<'_> {
    fn hash(&self, username: &str) -> Option<String> {
        self.secret.map(|s| secret_hash(s.expose(), username, self.id.as_str()))
    }

    /// `{ClientId, Username, SecretHash?}` plus more members.
    fn user_body(&self, username: &str, more: Vec<(&str, Json)>) -> Json {
        let mut m = vec![("ClientId", Json::from(self.id.as_str())), ("Username", Json::from(username))];
        if let Some(h) = self.hash(username) {
            m.push(("SecretHash", Json::Str(h)));
        }
        m.extend(more);
        Json::object(m)
    }

    /// A parameter map (AuthParameters / ChallengeResponses) with USERNAME and SECRET_HASH.
    fn params(&self, username: &str, extra: &[(&str, &str)]) -> Json {
        let mut m: Vec<(&str, &str)> = vec![("USERNAME", username)];
        let h = self.hash(username);
        if let Some(h) = &h {
            m.push(("SECRET_HASH", h));
        }
        m.extend_from_slice(extra);
        Json::string_map(m)
    }
}

fn req(op: Op, members: Vec<(&str, Json)>) -> ApiRequest {
    ApiRequest { op, body: Json::object(members).to_text() }
}

fn access(t: &AccessToken) -> (&'static str, Json) {
    ("AccessToken", Json::from(t.expose()))
}

/// Name/Value attribute list.
pub fn attribute_list(attrs: &[(String, String)]) -> Json {
    Json::Arr(attrs.iter().map(|(k, v)| Json::object(vec![("Name", Json::from(k.as_str())), ("Value", Json::from(v.as_str()))])).collect())
}

fn with_device<'a>(mut v: Vec<(&'a str, &'a str)>, device: Option<&'a DeviceKey>) -> Vec<(&'a str, &'a str)> {
    if let Some(d) = device {
        v.push(("DEVICE_KEY", d.as_str()));
    }
    v
}

/// InitiateAuth USER_SRP_AUTH with the public value A (unpadded hex).
pub fn initiate_srp(c: AppClient, user: &Username, srp_a: &str, device: Option<&DeviceKey>) -> ApiRequest {
    let params = c.params(user.as_str(), &with_device(vec![("SRP_A", srp_a)], device));
    req(Op::InitiateAuth, vec![("AuthFlow", "USER_SRP_AUTH".into()), ("ClientId", c.id.as_str().into()), ("AuthParameters", params)])
}

/// InitiateAuth USER_PASSWORD_AUTH (the password goes to the server: TLS only).
pub fn initiate_password(c: AppClient, user: &Username, password: &Password, device: Option<&DeviceKey>) -> ApiRequest {
    let params = c.params(user.as_str(), &with_device(vec![("PASSWORD", password.expose())], device));
    req(Op::InitiateAuth, vec![("AuthFlow", "USER_PASSWORD_AUTH".into()), ("ClientId", c.id.as_str().into()), ("AuthParameters", params)])
}

/// InitiateAuth CUSTOM_AUTH, optionally starting with SRP (`CHALLENGE_NAME=SRP_A`).
pub fn initiate_custom(c: AppClient, user: &Username, srp_a: Option<&str>, device: Option<&DeviceKey>) -> ApiRequest {
    let mut extra = vec![];
    if let Some(a) = srp_a {
        extra.push(("CHALLENGE_NAME", "SRP_A"));
        extra.push(("SRP_A", a));
    }
    let params = c.params(user.as_str(), &with_device(extra, device));
    req(Op::InitiateAuth, vec![("AuthFlow", "CUSTOM_AUTH".into()), ("ClientId", c.id.as_str().into()), ("AuthParameters", params)])
}

/// InitiateAuth USER_AUTH (choice-based sign-in): `extra` is PREFERRED_CHALLENGE with what it
/// needs (PASSWORD, SRP_A); `session` the one ConfirmSignUp returned (auto sign-in).
pub fn initiate_user_auth(
    c: AppClient,
    user: &Username,
    extra: &[(&str, &str)],
    session: Option<&AuthSession>,
    device: Option<&DeviceKey>,
) -> ApiRequest {
    let mut m = vec![
        ("AuthFlow", Json::from("USER_AUTH")),
        ("ClientId", c.id.as_str().into()),
        ("AuthParameters", c.params(user.as_str(), &with_device(extra.to_vec(), device))),
    ];
    if let Some(s) = session {
        m.push(("Session", s.expose().into()));
    }
    req(Op::InitiateAuth, m)
}

/// InitiateAuth REFRESH_TOKEN_AUTH. `secret_hash` (confidential clients) is
/// [`crate::crypto::secret_hash`] over the canonical username (the one the tokens were issued
/// to: a typed alias is not known at refresh time); the main module, which builds this, has it
/// computed by the environment (WebCrypto), not by this crate's SHA-256. Written without a tree.
pub fn initiate_refresh(c: &ClientId, refresh: &RefreshToken, secret_hash: Option<&str>, device: Option<&DeviceKey>) -> ApiRequest {
    let mut params = Writer::object();
    params.str("REFRESH_TOKEN", refresh.expose());
    if let Some(h) = secret_hash {
        params.str("SECRET_HASH", h);
    }
    if let Some(d) = device {
        params.str("DEVICE_KEY", d.as_str());
    }
    let body = Writer::object().str("AuthFlow", "REFRESH_TOKEN_AUTH").str("ClientId", c.as_str()).raw("AuthParameters", &params.end()).end();
    ApiRequest { op: Op::InitiateAuth, body }
}

/// GetTokensFromRefreshToken (required when the app client rotates refresh tokens; takes the
/// raw client secret).
pub fn get_tokens_from_refresh_token(c: AppClient, refresh: &RefreshToken, device: Option<&DeviceKey>) -> ApiRequest {
    let mut w = Writer::object();
    w.str("RefreshToken", refresh.expose()).str("ClientId", c.id.as_str());
    if let Some(s) = c.secret {
        w.str("ClientSecret", s.expose());
    }
    if let Some(d) = device {
        w.str("DeviceKey", d.as_str());
    }
    ApiRequest { op: Op::GetTokensFromRefreshToken, body: w.end() }
}

/// RespondToAuthChallenge; `responses` exclude USERNAME/SECRET_HASH/DEVICE_KEY, added here.
pub fn respond(
    c: AppClient,
    challenge: &ChallengeName,
    user: &str,
    session: Option<&AuthSession>,
    responses: &[(&str, &str)],
    device: Option<&DeviceKey>,
) -> ApiRequest {
    let params = c.params(user, &with_device(responses.to_vec(), device));
    let mut m = vec![("ChallengeName", Json::from(challenge.as_str())), ("ClientId", c.id.as_str().into()), ("ChallengeResponses", params)];
    if let Some(s) = session {
        m.push(("Session", s.expose().into()));
    }
    req(Op::RespondToAuthChallenge, m)
}

pub fn revoke_token(c: AppClient, refresh: &RefreshToken) -> ApiRequest {
    let mut m = vec![("Token", Json::from(refresh.expose())), ("ClientId", c.id.as_str().into())];
    if let Some(s) = c.secret {
        m.push(("ClientSecret", s.expose().into()));
    }
    req(Op::RevokeToken, m)
}

/// SignUp; without a password for passwordless sign-in (pools that allow a passwordless first
/// factor).
pub fn sign_up(c: AppClient, user: &Username, password: Option<&Password>, attrs: &[(String, String)]) -> ApiRequest {
    let mut more = vec![];
    if let Some(p) = password {
        more.push(("Password", Json::from(p.expose())));
    }
    if !attrs.is_empty() {
        more.push(("UserAttributes", attribute_list(attrs)));
    }
    ApiRequest { op: Op::SignUp, body: c.user_body(user.as_str(), more).to_text() }
}

pub fn confirm_sign_up(c: AppClient, user: &Username, code: &str) -> ApiRequest {
    ApiRequest { op: Op::ConfirmSignUp, body: c.user_body(user.as_str(), vec![("ConfirmationCode", code.into())]).to_text() }
}

pub fn resend_confirmation_code(c: AppClient, user: &Username) -> ApiRequest {
    ApiRequest { op: Op::ResendConfirmationCode, body: c.user_body(user.as_str(), vec![]).to_text() }
}

pub fn forgot_password(c: AppClient, user: &Username) -> ApiRequest {
    ApiRequest { op: Op::ForgotPassword, body: c.user_body(user.as_str(), vec![]).to_text() }
}

pub fn confirm_forgot_password(c: AppClient, user: &Username, code: &str, password: &Password) -> ApiRequest {
    ApiRequest {
        op: Op::ConfirmForgotPassword,
        body: c.user_body(user.as_str(), vec![("ConfirmationCode", code.into()), ("Password", password.expose().into())]).to_text(),
    }
}

pub fn change_password(t: &AccessToken, previous: &Password, proposed: &Password) -> ApiRequest {
    req(Op::ChangePassword, vec![("PreviousPassword", previous.expose().into()), ("ProposedPassword", proposed.expose().into()), access(t)])
}

pub fn get_user(t: &AccessToken) -> ApiRequest {
    req(Op::GetUser, vec![access(t)])
}

pub fn update_user_attributes(t: &AccessToken, attrs: &[(String, String)]) -> ApiRequest {
    req(Op::UpdateUserAttributes, vec![("UserAttributes", attribute_list(attrs)), access(t)])
}

pub fn delete_user_attributes(t: &AccessToken, names: &[String]) -> ApiRequest {
    let names = Json::Arr(names.iter().map(|n| Json::from(n.as_str())).collect());
    req(Op::DeleteUserAttributes, vec![("UserAttributeNames", names), access(t)])
}

pub fn verify_user_attribute(t: &AccessToken, name: &str, code: &str) -> ApiRequest {
    req(Op::VerifyUserAttribute, vec![access(t), ("AttributeName", name.into()), ("Code", code.into())])
}

pub fn get_user_attribute_verification_code(t: &AccessToken, name: &str) -> ApiRequest {
    req(Op::GetUserAttributeVerificationCode, vec![access(t), ("AttributeName", name.into())])
}

pub fn delete_user(t: &AccessToken) -> ApiRequest {
    req(Op::DeleteUser, vec![access(t)])
}

/// The operations that take only the access token: DeleteUser, GlobalSignOut,
/// StartWebAuthnRegistration, GetUserAuthFactors, ...
pub fn with_token(op: Op, t: &AccessToken) -> ApiRequest {
    req(op, vec![access(t)])
}

/// `Logins` of the identity-pool operations: the ID token under its issuer without the scheme.
fn identity_body(mut m: Vec<(&str, Json)>, login: Option<(&str, &IdToken)>) -> Json {
    if let Some((provider, token)) = login {
        m.push(("Logins", Json::string_map([(provider, token.expose())])));
    }
    Json::object(m)
}

/// GetId: a new identity (a guest one without a login), or the login's own.
pub fn get_id(identity_pool: &str, login: Option<(&str, &IdToken)>) -> ApiRequest {
    ApiRequest { op: Op::GetId, body: identity_body(vec![("IdentityPoolId", identity_pool.into())], login).to_text() }
}

/// GetCredentialsForIdentity: credentials for the identity (with the login, a guest identity is
/// linked to it, or the login's own identity answers).
pub fn get_credentials_for_identity(identity: &str, login: Option<(&str, &IdToken)>) -> ApiRequest {
    ApiRequest { op: Op::GetCredentialsForIdentity, body: identity_body(vec![("IdentityId", identity.into())], login).to_text() }
}

/// CompleteWebAuthnRegistration: `credential` is the RegistrationResponseJSON, as an object.
pub fn complete_web_authn_registration(t: &AccessToken, credential: Json) -> ApiRequest {
    req(Op::CompleteWebAuthnRegistration, vec![access(t), ("Credential", credential)])
}

/// ListWebAuthnCredentials, one page.
pub fn list_web_authn_credentials(t: &AccessToken, next: Option<&str>) -> ApiRequest {
    let mut m = vec![access(t)];
    if let Some(n) = next {
        m.push(("NextToken", n.into()));
    }
    req(Op::ListWebAuthnCredentials, m)
}

pub fn delete_web_authn_credential(t: &AccessToken, id: &str) -> ApiRequest {
    req(Op::DeleteWebAuthnCredential, vec![access(t), ("CredentialId", id.into())])
}

pub fn global_sign_out(t: &AccessToken) -> ApiRequest {
    req(Op::GlobalSignOut, vec![access(t)])
}

/// Who a TOTP association is for: a signed-in user, or a sign-in in MFA_SETUP.
pub enum TotpAuth<'a> {
    Access(&'a AccessToken),
    Session(&'a AuthSession),
}

impl TotpAuth<'_> {
    fn member(&self) -> (&'static str, Json) {
        match self {
            TotpAuth::Access(t) => access(t),
            TotpAuth::Session(s) => ("Session", s.expose().into()),
        }
    }
}

pub fn associate_software_token(auth: TotpAuth) -> ApiRequest {
    req(Op::AssociateSoftwareToken, vec![auth.member()])
}

pub fn verify_software_token(auth: TotpAuth, code: &str, device_name: Option<&str>) -> ApiRequest {
    let mut m = vec![auth.member(), ("UserCode", code.into())];
    if let Some(n) = device_name {
        m.push(("FriendlyDeviceName", n.into()));
    }
    req(Op::VerifySoftwareToken, m)
}

/// SetUserMFAPreference: for each factor, `Some(enabled)` to change it; `preferred` names one.
/// SetUserMFAPreference. `web_authn`: passkey MFA (`WebAuthnMfaSettings {Enabled}`, no
/// `PreferredMfa`: "passkey MFA applies only when passkey is the first authentication factor",
/// API reference, WebAuthnMfaSettingsType).
pub fn set_user_mfa_preference(
    t: &AccessToken,
    sms: Option<bool>,
    totp: Option<bool>,
    email: Option<bool>,
    preferred: Option<&str>,
    web_authn: Option<bool>,
) -> ApiRequest {
    let mut m = vec![];
    for (member, factor, v) in
        [("SMSMfaSettings", "SMS", sms), ("SoftwareTokenMfaSettings", "TOTP", totp), ("EmailMfaSettings", "EMAIL", email)]
    {
        if let Some(enabled) = v {
            m.push((
                member,
                Json::object(vec![("Enabled", Json::Bool(enabled)), ("PreferredMfa", Json::Bool(enabled && preferred == Some(factor)))]),
            ));
        }
    }
    if let Some(enabled) = web_authn {
        m.push(("WebAuthnMfaSettings", Json::object(vec![("Enabled", Json::Bool(enabled))])));
    }
    m.push(access(t));
    req(Op::SetUserMFAPreference, m)
}

pub fn confirm_device(t: &AccessToken, key: &DeviceKey, verifier: &str, salt: &str, name: Option<&str>) -> ApiRequest {
    let mut m = vec![
        access(t),
        ("DeviceKey", key.as_str().into()),
        ("DeviceSecretVerifierConfig", Json::object(vec![("PasswordVerifier", Json::from(verifier)), ("Salt", Json::from(salt))])),
    ];
    if let Some(n) = name {
        m.push(("DeviceName", n.into()));
    }
    req(Op::ConfirmDevice, m)
}

pub fn forget_device(t: &AccessToken, key: &DeviceKey) -> ApiRequest {
    req(Op::ForgetDevice, vec![access(t), ("DeviceKey", key.as_str().into())])
}

pub fn list_devices(t: &AccessToken, limit: u32, pagination: Option<&str>) -> ApiRequest {
    let mut m = vec![access(t), ("Limit", Json::int(limit as i64))];
    if let Some(p) = pagination {
        m.push(("PaginationToken", p.into()));
    }
    req(Op::ListDevices, m)
}

pub fn update_device_status(t: &AccessToken, key: &DeviceKey, remembered: bool) -> ApiRequest {
    req(
        Op::UpdateDeviceStatus,
        vec![
            access(t),
            ("DeviceKey", key.as_str().into()),
            ("DeviceRememberedStatus", if remembered { "remembered" } else { "not_remembered" }.into()),
        ],
    )
}

// -------------------------------------------------------------------------------------------
// Answers

/// A successful answer's body: a JSON object (checked), read as a [`Raw`] (or, by code that
/// wants one, as a tree).
#[derive(Clone, Debug)]
pub struct Answer(String);

impl Answer {
    pub fn raw(&self) -> Raw<'_> {
        Raw::trusted(&self.0)
    }
    pub fn json(&self) -> Json {
        self.raw().to_json()
    }
}

/// The answer's body, or its error. The exception name from `x-amzn-ErrorType` (cut at `:`),
/// else `__type`/`code` (after `#`); never from the status or the message (as the AWS SDKs'
/// JSON 1.1 error parsing does).
pub fn check(resp: &HttpResponse) -> Result<Answer, Error> {
    let text = if resp.body.trim().is_empty() { "{}" } else { resp.body.as_str() };
    let body = Raw::parse(text).ok().filter(|b| b.is_object());
    if (200..300).contains(&resp.status) {
        return match body {
            Some(b) => Ok(Answer(b.text().to_string())),
            None => Err(Error::protocol("Cognito answered with a body that is not a JSON object")),
        };
    }
    let field = |k: &str| body.and_then(|b| b.str(k));
    let from_header = resp.error_type.as_deref().and_then(|h| h.split([':', ',']).next()).map(str::trim).filter(|s| !s.is_empty());
    let from_body = field("__type").or_else(|| field("code")).map(|t| t.rsplit('#').next().unwrap_or("").to_string());
    let message = field("message").or_else(|| field("Message")).unwrap_or_default();
    match from_header.map(String::from).or(from_body) {
        Some(name) => Err(Error::new(ErrorKind::Service { exception: Exception::parse(&name), status: resp.status }, message)),
        None if resp.status >= 500 => Err(Error::new(
            ErrorKind::Service { exception: Exception::InternalError, status: resp.status },
            String::from("Cognito answered HTTP ") + &crate::json::itoa(resp.status as i64),
        )),
        None => Err(Error::protocol(
            String::from("HTTP ") + &crate::json::itoa(resp.status as i64) + " without a Cognito error (a proxy or the wrong endpoint?)",
        )),
    }
}

/// Tokens from an `AuthenticationResult` (or the OAuth token endpoint).
#[derive(Clone, Debug)]
pub struct Tokens {
    pub id_token: IdToken,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub expires_in: i64,
    pub new_device: Option<(DeviceKey, DeviceGroupKey)>,
}

/// A challenge to answer.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub name: ChallengeName,
    pub session: Option<AuthSession>,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub fn param(&self, k: &str) -> Option<&str> {
        self.params.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub enum AuthStep {
    Tokens(Tokens),
    Challenge(Challenge),
}

fn malformed(what: &str) -> Error {
    Error::protocol(String::from("Cognito answer without ") + what)
}

pub fn parse_tokens(r: Raw) -> Result<Tokens, Error> {
    let id = r.str("IdToken").ok_or_else(|| malformed("IdToken"))?;
    let access = r.str("AccessToken").ok_or_else(|| malformed("AccessToken"))?;
    let new_device = r
        .get("NewDeviceMetadata")
        .and_then(|d| Some((DeviceKey::new(d.str("DeviceKey")?), DeviceGroupKey::new(d.str("DeviceGroupKey")?))));
    Ok(Tokens {
        id_token: IdToken::new(id),
        access_token: AccessToken::new(access),
        refresh_token: r.str("RefreshToken").map(RefreshToken::new),
        expires_in: r.get("ExpiresIn").and_then(Raw::as_i64).unwrap_or(3600),
        new_device,
    })
}

/// An answer's AuthenticationResult, when it has one.
fn result(v: Raw) -> Option<Raw> {
    v.get("AuthenticationResult").filter(|r| !r.is_null())
}

/// A refresh's answer (InitiateAuth with REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken): its
/// AuthenticationResult. A challenge here is not Cognito's documented behaviour: refused.
pub fn parse_refresh(v: Raw) -> Result<Tokens, Error> {
    match (result(v), v.str("ChallengeName")) {
        (Some(r), _) => parse_tokens(r),
        (None, Some(name)) => Err(Error::protocol(String::from("a challenge in answer to a refresh: ") + &name)),
        (None, None) => Err(malformed("AuthenticationResult")),
    }
}

/// InitiateAuth / RespondToAuthChallenge output.
pub fn parse_auth(v: Raw) -> Result<AuthStep, Error> {
    if let Some(r) = result(v) {
        return parse_tokens(r).map(AuthStep::Tokens);
    }
    let name = v.str("ChallengeName").ok_or_else(|| malformed("AuthenticationResult or ChallengeName"))?;
    let mut params: Vec<(String, String)> = v
        .get("ChallengeParameters")
        .map(|m| m.members().filter_map(|(k, v)| Some((k, v.as_str()?))).collect())
        .unwrap_or_default();
    if let Some(a) = v.get(crate::challenge::AVAILABLE) {
        params.push((crate::challenge::AVAILABLE.to_string(), a.text().to_string()));
    }
    Ok(AuthStep::Challenge(Challenge { name: ChallengeName::parse(&name), session: v.str("Session").map(AuthSession::new), params }))
}

/// `[{Name, Value}]` → `[(name, value)]` (UserAttributes, DeviceAttributes).
pub fn attributes(list: Option<&Json>) -> Vec<(String, String)> {
    list.and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|a| Some((a.str("Name")?.to_string(), a.str("Value").unwrap_or("").to_string())))
        .collect()
}

/// The username and code in an e-mailed confirmation link: `?username=…&code=…` (or the hosted
/// UI's `?user_name=…&confirmation_code=…`, as in Cognito's `/confirmUser` links).
pub fn confirmation_link(url: &str) -> Option<(String, String)> {
    let query = url.split_once('?').map(|x| x.1).unwrap_or("");
    let pairs = crate::codec::form_decode(query.split('#').next().unwrap_or(""));
    let get = |names: [&str; 2]| pairs.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.clone());
    Some((get(["username", "user_name"])?, get(["code", "confirmation_code"])?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app<'a>(id: &'a ClientId, secret: Option<&'a ClientSecret>) -> AppClient<'a> {
        AppClient { id, secret }
    }

    #[test]
    fn exact_request_bytes() {
        let id = ClientId::new("3n4b5urk1ft4fl3mg5e62d9ado");
        let secret = ClientSecret::new("1ab2cd3ef4gh5ij6kl7mn8op9qr0st1uv2wx3yz4ab5cd6ef7gh8");
        let c = app(&id, None);
        let cs = app(&id, Some(&secret));
        let u = Username::new("alice");
        let pw = Password::new("Passw0rd!");
        let at = AccessToken::new("AT");
        let rt = RefreshToken::new("RT");
        let dk = DeviceKey::new("us-east-1_d");
        let s = AuthSession::new("SESSION");
        let cases: Vec<(ApiRequest, &str, &str)> = vec![
            (
                initiate_srp(c, &u, "abc", None),
                "InitiateAuth",
                r#"{"AuthFlow":"USER_SRP_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice","SRP_A":"abc"}}"#,
            ),
            (
                initiate_srp(cs, &u, "abc", Some(&dk)),
                "InitiateAuth",
                r#"{"AuthFlow":"USER_SRP_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice","SECRET_HASH":"OTwl2jtCsMt0Tg4Wt5uSJAcV5Pg7F3DeZQgcwVDcej4=","SRP_A":"abc","DEVICE_KEY":"us-east-1_d"}}"#,
            ),
            (
                initiate_password(c, &u, &pw, None),
                "InitiateAuth",
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}"#,
            ),
            (
                initiate_custom(c, &u, Some("ab"), None),
                "InitiateAuth",
                r#"{"AuthFlow":"CUSTOM_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice","CHALLENGE_NAME":"SRP_A","SRP_A":"ab"}}"#,
            ),
            (
                initiate_user_auth(c, &u, &[], Some(&s), None),
                "InitiateAuth",
                r#"{"AuthFlow":"USER_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice"},"Session":"SESSION"}"#,
            ),
            (
                initiate_user_auth(cs, &u, &[("PREFERRED_CHALLENGE", "PASSWORD_SRP"), ("SRP_A", "ab")], None, Some(&dk)),
                "InitiateAuth",
                r#"{"AuthFlow":"USER_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"USERNAME":"alice","SECRET_HASH":"OTwl2jtCsMt0Tg4Wt5uSJAcV5Pg7F3DeZQgcwVDcej4=","PREFERRED_CHALLENGE":"PASSWORD_SRP","SRP_A":"ab","DEVICE_KEY":"us-east-1_d"}}"#,
            ),
            (
                respond(c, &ChallengeName::SelectChallenge, "alice", Some(&s), &[("ANSWER", "EMAIL_OTP")], None),
                "RespondToAuthChallenge",
                r#"{"ChallengeName":"SELECT_CHALLENGE","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","ChallengeResponses":{"USERNAME":"alice","ANSWER":"EMAIL_OTP"},"Session":"SESSION"}"#,
            ),
            (
                respond(c, &ChallengeName::WebAuthn, "alice", Some(&s), &[("CREDENTIAL", r#"{"id":"AQ"}"#)], None),
                "RespondToAuthChallenge",
                r#"{"ChallengeName":"WEB_AUTHN","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","ChallengeResponses":{"USERNAME":"alice","CREDENTIAL":"{\"id\":\"AQ\"}"},"Session":"SESSION"}"#,
            ),
            (with_token(Op::StartWebAuthnRegistration, &at), "StartWebAuthnRegistration", r#"{"AccessToken":"AT"}"#),
            (
                complete_web_authn_registration(&at, Json::object(vec![("id", Json::from("AQ"))])),
                "CompleteWebAuthnRegistration",
                r#"{"AccessToken":"AT","Credential":{"id":"AQ"}}"#,
            ),
            (list_web_authn_credentials(&at, Some("n")), "ListWebAuthnCredentials", r#"{"AccessToken":"AT","NextToken":"n"}"#),
            (delete_web_authn_credential(&at, "AQ"), "DeleteWebAuthnCredential", r#"{"AccessToken":"AT","CredentialId":"AQ"}"#),
            (with_token(Op::GetUserAuthFactors, &at), "GetUserAuthFactors", r#"{"AccessToken":"AT"}"#),
            (sign_up(c, &u, None, &[]), "SignUp", r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice"}"#),
            (get_id("us-east-1:4f3f1c52-5a2b-4c3f-9d9e-1a2b3c4d5e6f", None), "GetId", r#"{"IdentityPoolId":"us-east-1:4f3f1c52-5a2b-4c3f-9d9e-1a2b3c4d5e6f"}"#),
            (
                get_credentials_for_identity("us-east-1:abc", Some(("cognito-idp.us-east-1.amazonaws.com/us-east-1_X1", &IdToken::new("ID")))),
                "GetCredentialsForIdentity",
                r#"{"IdentityId":"us-east-1:abc","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_X1":"ID"}}"#,
            ),
            (
                initiate_refresh(&id, &rt, Some(&crate::crypto::secret_hash(secret.expose(), "alice", id.as_str())), Some(&dk)),
                "InitiateAuth",
                r#"{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","AuthParameters":{"REFRESH_TOKEN":"RT","SECRET_HASH":"OTwl2jtCsMt0Tg4Wt5uSJAcV5Pg7F3DeZQgcwVDcej4=","DEVICE_KEY":"us-east-1_d"}}"#,
            ),
            (
                get_tokens_from_refresh_token(cs, &rt, Some(&dk)),
                "GetTokensFromRefreshToken",
                r#"{"RefreshToken":"RT","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","ClientSecret":"1ab2cd3ef4gh5ij6kl7mn8op9qr0st1uv2wx3yz4ab5cd6ef7gh8","DeviceKey":"us-east-1_d"}"#,
            ),
            (
                respond(c, &ChallengeName::SmsMfa, "alice", Some(&s), &[("SMS_MFA_CODE", "123456")], None),
                "RespondToAuthChallenge",
                r#"{"ChallengeName":"SMS_MFA","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","ChallengeResponses":{"USERNAME":"alice","SMS_MFA_CODE":"123456"},"Session":"SESSION"}"#,
            ),
            (revoke_token(c, &rt), "RevokeToken", r#"{"Token":"RT","ClientId":"3n4b5urk1ft4fl3mg5e62d9ado"}"#),
            (
                sign_up(c, &u, Some(&pw), &[("email".into(), "a@example.com".into())]),
                "SignUp",
                r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice","Password":"Passw0rd!","UserAttributes":[{"Name":"email","Value":"a@example.com"}]}"#,
            ),
            (
                sign_up(cs, &u, Some(&pw), &[]),
                "SignUp",
                r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice","SecretHash":"OTwl2jtCsMt0Tg4Wt5uSJAcV5Pg7F3DeZQgcwVDcej4=","Password":"Passw0rd!"}"#,
            ),
            (
                confirm_sign_up(c, &u, "123456"),
                "ConfirmSignUp",
                r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice","ConfirmationCode":"123456"}"#,
            ),
            (resend_confirmation_code(c, &u), "ResendConfirmationCode", r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice"}"#),
            (forgot_password(c, &u), "ForgotPassword", r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice"}"#),
            (
                confirm_forgot_password(c, &u, "1", &pw),
                "ConfirmForgotPassword",
                r#"{"ClientId":"3n4b5urk1ft4fl3mg5e62d9ado","Username":"alice","ConfirmationCode":"1","Password":"Passw0rd!"}"#,
            ),
            (
                change_password(&at, &pw, &Password::new("N3w!")),
                "ChangePassword",
                r#"{"PreviousPassword":"Passw0rd!","ProposedPassword":"N3w!","AccessToken":"AT"}"#,
            ),
            (get_user(&at), "GetUser", r#"{"AccessToken":"AT"}"#),
            (
                update_user_attributes(&at, &[("name".into(), "A".into())]),
                "UpdateUserAttributes",
                r#"{"UserAttributes":[{"Name":"name","Value":"A"}],"AccessToken":"AT"}"#,
            ),
            (
                delete_user_attributes(&at, &["name".into()]),
                "DeleteUserAttributes",
                r#"{"UserAttributeNames":["name"],"AccessToken":"AT"}"#,
            ),
            (verify_user_attribute(&at, "email", "1"), "VerifyUserAttribute", r#"{"AccessToken":"AT","AttributeName":"email","Code":"1"}"#),
            (
                get_user_attribute_verification_code(&at, "email"),
                "GetUserAttributeVerificationCode",
                r#"{"AccessToken":"AT","AttributeName":"email"}"#,
            ),
            (delete_user(&at), "DeleteUser", r#"{"AccessToken":"AT"}"#),
            (global_sign_out(&at), "GlobalSignOut", r#"{"AccessToken":"AT"}"#),
            (associate_software_token(TotpAuth::Session(&s)), "AssociateSoftwareToken", r#"{"Session":"SESSION"}"#),
            (
                verify_software_token(TotpAuth::Access(&at), "123456", Some("phone")),
                "VerifySoftwareToken",
                r#"{"AccessToken":"AT","UserCode":"123456","FriendlyDeviceName":"phone"}"#,
            ),
            (
                set_user_mfa_preference(&at, None, Some(true), Some(false), Some("TOTP"), None),
                "SetUserMFAPreference",
                r#"{"SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true},"EmailMfaSettings":{"Enabled":false,"PreferredMfa":false},"AccessToken":"AT"}"#,
            ),
            (
                set_user_mfa_preference(&at, None, None, None, None, Some(true)),
                "SetUserMFAPreference",
                r#"{"WebAuthnMfaSettings":{"Enabled":true},"AccessToken":"AT"}"#,
            ),
            (
                confirm_device(&at, &dk, "V", "S", Some("Chrome")),
                "ConfirmDevice",
                r#"{"AccessToken":"AT","DeviceKey":"us-east-1_d","DeviceSecretVerifierConfig":{"PasswordVerifier":"V","Salt":"S"},"DeviceName":"Chrome"}"#,
            ),
            (forget_device(&at, &dk), "ForgetDevice", r#"{"AccessToken":"AT","DeviceKey":"us-east-1_d"}"#),
            (list_devices(&at, 60, Some("p")), "ListDevices", r#"{"AccessToken":"AT","Limit":60,"PaginationToken":"p"}"#),
            (
                update_device_status(&at, &dk, true),
                "UpdateDeviceStatus",
                r#"{"AccessToken":"AT","DeviceKey":"us-east-1_d","DeviceRememberedStatus":"remembered"}"#,
            ),
        ];
        for (r, op, body) in cases {
            let h = r.to_http("https://cognito-idp.us-east-1.amazonaws.com/");
            assert_eq!(h.method, "POST");
            assert_eq!(h.url, "https://cognito-idp.us-east-1.amazonaws.com/");
            assert_eq!(h.headers[0], ("Content-Type", "application/x-amz-json-1.1".to_string()));
            let service = if r.op.identity() { "AWSCognitoIdentityService" } else { "AWSCognitoIdentityProviderService" };
            assert_eq!(h.headers[1], ("X-Amz-Target", format!("{service}.{op}")));
            assert_eq!(h.body.as_deref(), Some(body), "{op}");
        }
    }

    #[test]
    fn srp_vector_requests_match_byte_for_byte() {
        // The case "client_secret": typed alias at InitiateAuth, canonical name afterwards.
        let id = ClientId::new("3n4b5urk1ft4fl3mg5e62d9ado");
        let secret = ClientSecret::new("1ab2cd3ef4gh5ij6kl7mn8op9qr0st1uv2wx3yz4ab5cd6ef7gh8");
        let c = app(&id, Some(&secret));
        let r = initiate_srp(c, &Username::new("bob@example.com"), "a1", None);
        assert_eq!(r.json().get("AuthParameters").unwrap().str("SECRET_HASH"), Some("JMyRSSlLccEP/Uq0ub9cu1Vv9Bx0VSTpvTr2fCQsp4Y="));
        let r = respond(c, &ChallengeName::PasswordVerifier, "bob", None, &[("TIMESTAMP", "t")], None);
        assert_eq!(r.json().get("ChallengeResponses").unwrap().str("SECRET_HASH"), Some("K7Dl5ufuNV5aleQfdXFGNBYTQWaBamEFwj89jM2DE54="));
    }

    fn resp(status: u16, body: &str, header: Option<&str>) -> HttpResponse {
        HttpResponse { status, body: body.into(), error_type: header.map(String::from), ..Default::default() }
    }

    #[test]
    fn error_parsing_follows_the_sdks() {
        let e = check(&resp(400, r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#, None)).unwrap_err();
        assert_eq!((e.name(), e.message().as_str()), ("NotAuthorizedException", "Incorrect username or password."));
        let e = check(&resp(400, r#"{"__type":"com.amazonaws.cognito#UserNotFoundException","message":"x"}"#, None)).unwrap_err();
        assert_eq!(e.name(), "UserNotFoundException");
        let e = check(&resp(400, r#"{"code":"CodeMismatchException","Message":"m"}"#, None)).unwrap_err();
        assert_eq!((e.name(), e.message().as_str()), ("CodeMismatchException", "m"));
        let e = check(&resp(400, "{}", Some("TooManyRequestsException:http://internal.amazon.com/"))).unwrap_err();
        assert_eq!(e.name(), "TooManyRequestsException");
        assert!(e.retryable());
        let e = check(&resp(502, "<html>Bad gateway</html>", None)).unwrap_err();
        assert_eq!(e.name(), "InternalErrorException");
        assert!(e.retryable());
        // Answers that are not Cognito's: the same non-retryable kind, whatever the shape.
        for (status, body) in [(403, "<html>"), (200, "not json"), (200, "[1,2]"), (200, "\"text\""), (404, "{}")] {
            let e = check(&resp(status, body, None)).unwrap_err();
            assert_eq!((e.name(), e.retryable()), ("ProtocolError", false), "{status} {body}");
        }
        assert_eq!(check(&resp(200, "", None)).unwrap().raw().members().count(), 0);
    }

    #[test]
    fn auth_answers() {
        let v = Raw::parse(r#"{"AuthenticationResult":{"AccessToken":"a","IdToken":"i","RefreshToken":"r","ExpiresIn":300,"NewDeviceMetadata":{"DeviceKey":"k","DeviceGroupKey":"g"}},"ChallengeParameters":{}}"#).unwrap();
        let AuthStep::Tokens(t) = parse_auth(v).unwrap() else { panic!() };
        assert_eq!(t.expires_in, 300);
        assert_eq!(t.new_device.unwrap().0.as_str(), "k");
        let v = Raw::parse(r#"{"ChallengeName":"SMS_MFA","Session":"s","ChallengeParameters":{"CODE_DELIVERY_DESTINATION":"+***1"}}"#)
            .unwrap();
        let AuthStep::Challenge(c) = parse_auth(v).unwrap() else { panic!() };
        assert_eq!(c.name, ChallengeName::SmsMfa);
        assert_eq!(c.param("CODE_DELIVERY_DESTINATION"), Some("+***1"));
        assert!(parse_auth(Raw::parse("{}").unwrap()).is_err());
        // SELECT_CHALLENGE: AvailableChallenges (a member of the answer) is kept with the parameters.
        let v = Raw::parse(r#"{"ChallengeName":"SELECT_CHALLENGE","Session":"s","ChallengeParameters":{},"AvailableChallenges":["PASSWORD","WEB_AUTHN"]}"#).unwrap();
        let AuthStep::Challenge(c) = parse_auth(v).unwrap() else { panic!() };
        assert_eq!((&c.name, c.param("AvailableChallenges")), (&ChallengeName::SelectChallenge, Some(r#"["PASSWORD","WEB_AUTHN"]"#)));
        let a = attributes(Json::parse(r#"[{"Name":"email","Value":"e"},{"Name":"sub","Value":"s"},{"Value":"no name"}]"#).ok().as_ref());
        assert_eq!(a, vec![("email".to_string(), "e".to_string()), ("sub".to_string(), "s".to_string())]);
        assert_eq!(
            confirmation_link("https://app.example/confirm?user_name=al%20ice&confirmation_code=123#x"),
            Some(("al ice".to_string(), "123".to_string()))
        );
        assert_eq!(confirmation_link("https://app.example/confirm?username=a"), None);
    }
}
