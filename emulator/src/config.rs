//! The emulator's configuration file (JSON): pools, their app clients, identity providers,
//! Lambda triggers and seed users, and request-rate quotas. Every field has Cognito's default,
//! so `{}` is a valid file and `{"pools":[{}]}` gives one ready pool. The same pool shape is
//! accepted by `POST /_emulator/pools`. (emulator/README.md, "The config file".)

pub use crate::quotas::Rates;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `MfaConfiguration` of a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MfaConfiguration {
    Off,
    Optional,
    On,
}

/// `DeviceConfiguration`: whether devices are tracked, and remembered always or on request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeviceTracking {
    Off,
    Always,
    UserOptIn,
}

/// A second factor, by its challenge name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum MfaFactor {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    Totp,
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaFactor::Sms => "SMS_MFA",
            MfaFactor::Totp => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Email => "EMAIL_OTP",
        }
    }

    /// `SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP` (and `EMAIL_MFA`, as SELECT_MFA_TYPE
    /// answers may say).
    pub fn parse(s: &str) -> Option<MfaFactor> {
        match s {
            "SMS_MFA" => Some(MfaFactor::Sms),
            "SOFTWARE_TOKEN_MFA" => Some(MfaFactor::Totp),
            "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaFactor::Email),
            _ => None,
        }
    }
}

/// A first factor of choice-based sign-in (`SignInPolicy.AllowedFirstAuthFactors`). PASSWORD
/// covers both the PASSWORD and the PASSWORD_SRP challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FirstFactor {
    Password,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

/// `SignInPolicy` of a pool.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SignInPolicy {
    pub allowed_first_auth_factors: Vec<FirstFactor>,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy { allowed_first_auth_factors: vec![FirstFactor::Password] }
    }
}

/// `WebAuthnConfiguration.FactorConfiguration`: whether a passkey sign-in with user
/// verification counts as MFA (API reference, WebAuthnConfigurationType and
/// WebAuthnFactorConfigurationType: "When set to `SINGLE_FACTOR` or not set, passkeys are a
/// single authentication factor"). The rules it drives are in `passkey_mfa.rs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FactorConfiguration {
    #[default]
    SingleFactor,
    MultiFactorWithUserVerification,
}

impl FactorConfiguration {
    pub fn as_str(self) -> &'static str {
        match self {
            FactorConfiguration::SingleFactor => "SINGLE_FACTOR",
            FactorConfiguration::MultiFactorWithUserVerification => "MULTI_FACTOR_WITH_USER_VERIFICATION",
        }
    }
}

/// `WebAuthnConfiguration` of a pool, plus the origins allowed to run passkey ceremonies.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct WebAuthnConfig {
    /// A domain (browsers refuse an IP address): `localhost` for local pages.
    pub relying_party_id: String,
    /// `preferred` or `required` (then the UV flag must be set).
    pub user_verification: String,
    /// `scheme://host[:port]` origins; when empty, the origins of the app client's callback and
    /// sign-out URLs.
    pub allowed_origins: Vec<String>,
    /// The `timeout` of the options (ms): how long the browser lets the user take.
    pub timeout_ms: u32,
    /// `SINGLE_FACTOR` (default) or `MULTI_FACTOR_WITH_USER_VERIFICATION` (passkey MFA).
    pub factor_configuration: FactorConfiguration,
}

impl Default for WebAuthnConfig {
    fn default() -> Self {
        WebAuthnConfig {
            relying_party_id: "localhost".into(),
            user_verification: "preferred".into(),
            allowed_origins: vec![],
            timeout_ms: 60_000,
            factor_configuration: FactorConfiguration::SingleFactor,
        }
    }
}

/// A user's `UserStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
    ExternalProvider,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Config {
    pub pools: Vec<PoolConfig>,
    /// Identity pools (AWS credentials for user-pool sign-ins and guests).
    pub identity_pools: Vec<IdentityPoolConfig>,
    /// Request-rate quotas per category (off when empty; `--quotas default` fills in the
    /// Developer Guide's table, see `quotas.rs`). A pool's own `quotas` replace these for it.
    pub quotas: Rates,
}

/// An identity pool: which user-pool app clients it trusts, guest access, the roles.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct IdentityPoolConfig {
    /// `<region>:<uuid>`; generated when empty.
    pub id: String,
    pub name: String,
    pub allow_unauthenticated_identities: bool,
    /// The user pools (and their app clients) whose ID tokens are logins here.
    pub providers: Vec<IdentityProviderRef>,
    /// Role ARNs; an empty one makes credentials of that kind fail as a pool without the role does.
    pub authenticated_role_arn: String,
    pub unauthenticated_role_arn: String,
    /// How long issued credentials last (Cognito: 1 hour).
    pub credentials_seconds: i64,
}

impl Default for IdentityPoolConfig {
    fn default() -> Self {
        IdentityPoolConfig {
            id: String::new(),
            name: "identities".into(),
            allow_unauthenticated_identities: false,
            providers: vec![],
            authenticated_role_arn: "arn:aws:iam::000000000000:role/Cognito_Authenticated".into(),
            unauthenticated_role_arn: "arn:aws:iam::000000000000:role/Cognito_Unauthenticated".into(),
            credentials_seconds: 3600,
        }
    }
}

/// A user pool and app client an identity pool accepts ID tokens from (`CognitoIdentityProviders`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityProviderRef {
    pub user_pool_id: String,
    pub client_id: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PoolConfig {
    /// `<region>_<name>`; generated when empty.
    pub id: String,
    /// The `iss` of the pool's tokens (it must end in `/<id>`); default `<emulator>/<id>`. For
    /// example Cognito's updated issuer form, `https://issuer-cognito-idp.<region>.amazonaws.com/<id>`.
    pub issuer: Option<String>,
    /// `["email"]` / `["phone_number"]`: sign-up with that attribute *as* username (the real
    /// username becomes a UUID).
    pub username_attributes: Vec<String>,
    /// Attributes that can also be typed to sign in: email, phone_number, preferred_username.
    pub alias_attributes: Vec<String>,
    pub auto_verified_attributes: Vec<String>,
    pub required_attributes: Vec<String>,
    /// Username lookup case sensitivity (Cognito recommends false).
    pub case_sensitive: bool,
    pub password_policy: PasswordPolicy,
    pub mfa_configuration: MfaConfiguration,
    /// Factors the pool offers: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP.
    pub mfa_methods: Vec<MfaFactor>,
    pub device_tracking: DeviceTracking,
    /// ENABLED answers unknown users like wrong passwords; LEGACY (false) says UserNotFound.
    pub prevent_user_existence_errors: bool,
    pub token_validity: TokenValidity,
    /// Allowed |TIMESTAMP - now| in PASSWORD_VERIFIER, seconds.
    pub srp_timestamp_skew_seconds: i64,
    /// Failed sign-ins before "Password attempts exceeded".
    pub max_failed_sign_ins: u32,
    /// Choice-based sign-in (USER_AUTH): the first factors users may choose.
    pub sign_in_policy: SignInPolicy,
    /// Passkeys: the relying party.
    pub web_authn: WebAuthnConfig,
    /// Lambda triggers, run locally (`emulator/src/triggers.rs`).
    pub triggers: Triggers,
    /// Request-rate quotas for this pool instead of the emulator's (`{"UserRead": 5}`).
    pub quotas: Option<Rates>,
    /// CUSTOM_AUTH: the questions asked in order (the Define/Create/Verify Lambda triple).
    pub custom_auth: CustomAuth,
    /// Message templates; `{####}` is the code, `{username}` the username. A link template
    /// turns confirmation codes into links (the custom-message Lambda pattern).
    pub messages: MessageTemplates,
    pub identity_providers: Vec<IdentityProvider>,
    pub clients: Vec<ClientConfig>,
    pub users: Vec<UserConfig>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            id: String::new(),
            issuer: None,
            username_attributes: vec![],
            alias_attributes: vec!["email".into(), "preferred_username".into()],
            auto_verified_attributes: vec!["email".into()],
            required_attributes: vec![],
            case_sensitive: false,
            password_policy: PasswordPolicy::default(),
            mfa_configuration: MfaConfiguration::Off,
            mfa_methods: vec![MfaFactor::Totp, MfaFactor::Email, MfaFactor::Sms],
            device_tracking: DeviceTracking::Off,
            prevent_user_existence_errors: false,
            token_validity: TokenValidity::default(),
            srp_timestamp_skew_seconds: 300,
            max_failed_sign_ins: 5,
            sign_in_policy: SignInPolicy::default(),
            web_authn: WebAuthnConfig::default(),
            triggers: Triggers::default(),
            quotas: None,
            custom_auth: CustomAuth::default(),
            messages: MessageTemplates::default(),
            identity_providers: vec![],
            clients: vec![ClientConfig::default()],
            users: vec![],
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TokenValidity {
    pub id_token_seconds: i64,
    pub access_token_seconds: i64,
    pub refresh_token_seconds: i64,
}

impl Default for TokenValidity {
    fn default() -> Self {
        TokenValidity { id_token_seconds: 3600, access_token_seconds: 3600, refresh_token_seconds: 30 * 86_400 }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CustomAuth {
    pub challenges: Vec<CustomChallenge>,
    /// Wrong answers allowed per question before the sign-in fails.
    pub max_attempts: u32,
}

impl Default for CustomAuth {
    fn default() -> Self {
        CustomAuth { challenges: vec![CustomChallenge { question: "What is 6 times 7?".into(), answer: "42".into() }], max_attempts: 3 }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomChallenge {
    pub question: String,
    pub answer: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MessageTemplates {
    pub verification: String,
    /// When set, sign-up confirmation messages carry this link instead of a bare code.
    pub verification_link: Option<String>,
    pub forgot_password: String,
    pub mfa: String,
    pub temporary_password: String,
}

impl Default for MessageTemplates {
    fn default() -> Self {
        MessageTemplates {
            verification: "Your verification code is {####}".into(),
            verification_link: None,
            forgot_password: "Your password reset code is {####}".into(),
            mfa: "Your sign-in code is {####}".into(),
            temporary_password: "Your username is {username} and temporary password is {####}".into(),
        }
    }
}

/// A social or enterprise identity provider. The emulator shows a consent page in its place.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct IdentityProvider {
    /// Google, Facebook, LoginWithAmazon, SignInWithApple, or a custom OIDC/SAML name.
    pub name: String,
    /// Google | Facebook | LoginWithAmazon | SignInWithApple | OIDC | SAML
    pub provider_type: String,
    /// user-pool attribute → provider attribute
    pub attribute_mapping: BTreeMap<String, String>,
    pub identifiers: Vec<String>,
}

impl Default for IdentityProvider {
    fn default() -> Self {
        IdentityProvider {
            name: String::new(),
            provider_type: String::new(),
            attribute_mapping: [("email", "email"), ("name", "name")].into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            identifiers: vec![],
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ClientConfig {
    /// Generated when empty.
    pub id: String,
    pub name: String,
    pub secret: Option<String>,
    pub explicit_auth_flows: Vec<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    /// code | implicit | client_credentials
    pub allowed_oauth_flows: Vec<String>,
    pub allowed_oauth_scopes: Vec<String>,
    /// COGNITO and/or the names of the pool's identity providers.
    pub supported_identity_providers: Vec<String>,
    pub refresh_token_rotation: bool,
    pub retry_grace_period_seconds: i64,
    pub auth_session_validity_minutes: i64,
    pub enable_token_revocation: bool,
    /// Per-client token lifetimes (seconds); the pool's when absent.
    pub token_validity: Option<TokenValidity>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            id: String::new(),
            name: "app".into(),
            secret: None,
            explicit_auth_flows: vec![
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
                "ALLOW_CUSTOM_AUTH".into(),
                "ALLOW_USER_AUTH".into(),
            ],
            callback_urls: vec![],
            logout_urls: vec![],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
                .into_iter()
                .map(String::from)
                .collect(),
            supported_identity_providers: vec!["COGNITO".into()],
            refresh_token_rotation: false,
            retry_grace_period_seconds: 0,
            auth_session_validity_minutes: 3,
            enable_token_revocation: true,
            token_validity: None,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UserConfig {
    pub username: String,
    /// A permanent password (user CONFIRMED).
    pub password: Option<String>,
    /// A temporary password (user FORCE_CHANGE_PASSWORD: NEW_PASSWORD_REQUIRED at sign-in).
    pub temporary_password: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// CONFIRMED (default with a password), UNCONFIRMED, RESET_REQUIRED.
    pub status: Option<UserStatus>,
    pub enabled: Option<bool>,
    pub groups: Vec<String>,
    /// A verified TOTP secret (base32), enabled and preferred.
    pub totp_secret: Option<String>,
    /// MFA factors enabled for this user: SMS_MFA, EMAIL_OTP.
    pub mfa: Vec<MfaFactor>,
}

/// The pool `cognito-emulator` starts with when given no configuration: ready for the demo.
pub fn default_config() -> Config {
    let urls: Vec<String> = [
        "http://127.0.0.1:8080/",
        "http://localhost:8080/",
        "http://127.0.0.1:8080/examples/multipage/login.html",
        "http://localhost:8080/examples/multipage/login.html",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let mut client = ClientConfig {
        id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
        name: "demo".into(),
        // The demo, and the multipage example's login page (examples/multipage/).
        callback_urls: urls.clone(),
        logout_urls: urls,
        supported_identity_providers: ["COGNITO", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple"]
            .into_iter()
            .map(String::from)
            .collect(),
        ..ClientConfig::default()
    };
    client.explicit_auth_flows.push("ALLOW_USER_PASSWORD_AUTH".into());
    let idp = |name: &str| IdentityProvider { name: name.into(), provider_type: name.into(), ..IdentityProvider::default() };
    Config {
        quotas: Rates::default(),
        identity_pools: vec![IdentityPoolConfig {
            id: "us-east-1:00000000-0000-4000-8000-00000000e001".into(),
            name: "demo".into(),
            allow_unauthenticated_identities: true,
            providers: vec![IdentityProviderRef {
                user_pool_id: "us-east-1_Emulator1".into(),
                client_id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
            }],
            ..IdentityPoolConfig::default()
        }],
        pools: vec![PoolConfig {
            id: "us-east-1_Emulator1".into(),
            mfa_configuration: MfaConfiguration::Optional,
            device_tracking: DeviceTracking::UserOptIn,
            // Passkeys and e-mail codes (the demo's passkey panel runs on http://localhost:8080).
            sign_in_policy: SignInPolicy {
                allowed_first_auth_factors: vec![FirstFactor::Password, FirstFactor::EmailOtp, FirstFactor::WebAuthn],
            },
            // Passkeys count as MFA here (the demo's passkey-MFA switch; #26).
            web_authn: WebAuthnConfig {
                allowed_origins: vec!["http://localhost:8080".into()],
                factor_configuration: FactorConfiguration::MultiFactorWithUserVerification,
                ..WebAuthnConfig::default()
            },
            identity_providers: vec![idp("Google"), idp("Facebook"), idp("LoginWithAmazon"), idp("SignInWithApple")],
            clients: vec![client],
            users: vec![
                UserConfig {
                    username: "demo".into(),
                    password: Some("Passw0rd!".into()),
                    attributes: [("email", "demo@example.com"), ("email_verified", "true"), ("name", "Demo User")]
                        .into_iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect(),
                    ..UserConfig::default()
                },
                UserConfig {
                    username: "newhire".into(),
                    temporary_password: Some("TempPassw0rd!".into()),
                    attributes: [("email", "newhire@example.com"), ("email_verified", "true")]
                        .into_iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect(),
                    ..UserConfig::default()
                },
            ],
            ..PoolConfig::default()
        }],
    }
}

// ---------------------------------------------------------------------------------------------
// Lambda triggers (a pool's `LambdaConfig`); running them is `triggers.rs`.

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

/// A trigger, by the name Cognito's error messages use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerKind {
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
        TriggerKind::ALL.iter().all(|k| self.get(*k).is_none())
    }

    /// The configuration of one trigger.
    pub fn get(&self, kind: TriggerKind) -> Option<&TriggerConfig> {
        match kind {
            TriggerKind::PreSignUp => self.pre_sign_up.as_ref(),
            TriggerKind::PostConfirmation => self.post_confirmation.as_ref(),
            TriggerKind::PreAuthentication => self.pre_authentication.as_ref(),
            TriggerKind::PostAuthentication => self.post_authentication.as_ref(),
            TriggerKind::PreTokenGeneration => self.pre_token_generation.as_ref(),
            TriggerKind::UserMigration => self.user_migration.as_ref(),
            TriggerKind::CustomMessage => self.custom_message.as_ref(),
            TriggerKind::DefineAuthChallenge => self.define_auth_challenge.as_ref(),
            TriggerKind::CreateAuthChallenge => self.create_auth_challenge.as_ref(),
            TriggerKind::VerifyAuthChallengeResponse => self.verify_auth_challenge_response.as_ref(),
        }
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

impl TriggerKind {
    const ALL: [TriggerKind; 10] = [
        TriggerKind::PreSignUp,
        TriggerKind::PostConfirmation,
        TriggerKind::PreAuthentication,
        TriggerKind::PostAuthentication,
        TriggerKind::PreTokenGeneration,
        TriggerKind::UserMigration,
        TriggerKind::CustomMessage,
        TriggerKind::DefineAuthChallenge,
        TriggerKind::CreateAuthChallenge,
        TriggerKind::VerifyAuthChallengeResponse,
    ];

    /// The name Cognito's error messages use.
    pub fn name(self) -> &'static str {
        match self {
            TriggerKind::PreSignUp => "PreSignUp",
            TriggerKind::PostConfirmation => "PostConfirmation",
            TriggerKind::PreAuthentication => "PreAuthentication",
            TriggerKind::PostAuthentication => "PostAuthentication",
            TriggerKind::PreTokenGeneration => "PreTokenGeneration",
            TriggerKind::UserMigration => "UserMigration",
            TriggerKind::CustomMessage => "CustomMessage",
            TriggerKind::DefineAuthChallenge => "DefineAuthChallenge",
            TriggerKind::CreateAuthChallenge => "CreateAuthChallenge",
            TriggerKind::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
        }
    }
}
