//! The challenges of a sign-in as typed values: what Cognito asks ([`ChallengeName`] and its
//! ChallengeParameters), what the page has to show ([`NextStep`]), and the ChallengeResponses
//! for what the user answered ([`Answer`] → [`responses`]).
//!
//! ```text
//! InitiateAuth / RespondToAuthChallenge ─▶ ChallengeName + ChallengeParameters + Session
//!   NEW_PASSWORD_REQUIRED {userAttributes, requiredAttributes}   ◀─ NEW_PASSWORD, userAttributes.<name>
//!   SMS_MFA | EMAIL_OTP | SMS_OTP {CODE_DELIVERY_*}              ◀─ SMS_MFA_CODE | EMAIL_OTP_CODE | SMS_OTP_CODE
//!   SOFTWARE_TOKEN_MFA {FRIENDLY_DEVICE_NAME}                    ◀─ SOFTWARE_TOKEN_MFA_CODE
//!   SELECT_MFA_TYPE {MFAS_CAN_CHOOSE}                            ◀─ ANSWER = SMS_MFA | EMAIL_OTP | SOFTWARE_TOKEN_MFA
//!   MFA_SETUP {MFAS_CAN_SETUP}                                   ◀─ EMAIL, or (after VerifySoftwareToken) nothing
//!   CUSTOM_CHALLENGE {your Lambda's public parameters}           ◀─ ANSWER
//!   SELECT_CHALLENGE (AvailableChallenges)                       ◀─ ANSWER = PASSWORD (+ PASSWORD) | PASSWORD_SRP (+ SRP_A)
//!                                                                   | EMAIL_OTP | SMS_OTP | WEB_AUTHN
//!   WEB_AUTHN {CREDENTIAL_REQUEST_OPTIONS}                       ◀─ CREDENTIAL (answered by the SDK, see `webauthn`)
//! ```
//! Every response also carries USERNAME (and SECRET_HASH, DEVICE_KEY), added by
//! [`api::respond`](crate::api::respond). Names and parameters as the `RespondToAuthChallenge`
//! API reference lists them.

use crate::error::Error;
use crate::json::Json;
use crate::prelude::*;
use crate::types::Password;

/// A `ChallengeName`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeName {
    PasswordVerifier,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    NewPasswordRequired,
    SmsMfa,
    EmailOtp,
    SmsOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    CustomChallenge,
    /// USER_AUTH: choose one of `AvailableChallenges`.
    SelectChallenge,
    /// USER_AUTH by passkey: answered by the SDK with the browser's assertion.
    WebAuthn,
    /// A name this SDK has no special handling for: shown with its parameters.
    Other(String),
}

impl ChallengeName {
    const KNOWN: [ChallengeName; 13] = [
        ChallengeName::SelectChallenge,
        ChallengeName::WebAuthn,
        ChallengeName::PasswordVerifier,
        ChallengeName::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier,
        ChallengeName::NewPasswordRequired,
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SmsOtp,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
        ChallengeName::CustomChallenge,
    ];

    pub fn parse(name: &str) -> ChallengeName {
        Self::KNOWN.into_iter().find(|c| c.as_str() == name).unwrap_or_else(|| ChallengeName::Other(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            ChallengeName::PasswordVerifier => "PASSWORD_VERIFIER",
            ChallengeName::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            ChallengeName::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            ChallengeName::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            ChallengeName::SmsMfa => "SMS_MFA",
            ChallengeName::EmailOtp => "EMAIL_OTP",
            ChallengeName::SmsOtp => "SMS_OTP",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            ChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            ChallengeName::MfaSetup => "MFA_SETUP",
            ChallengeName::CustomChallenge => "CUSTOM_CHALLENGE",
            ChallengeName::SelectChallenge => "SELECT_CHALLENGE",
            ChallengeName::WebAuthn => "WEB_AUTHN",
            ChallengeName::Other(n) => n,
        }
    }
}

/// A second factor, named as the challenges name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaType {
    Sms,
    Email,
    Totp,
}

impl MfaType {
    /// `SMS_MFA`, `EMAIL_OTP`, `SOFTWARE_TOKEN_MFA`.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaType::Sms => "SMS_MFA",
            MfaType::Email => "EMAIL_OTP",
            MfaType::Totp => "SOFTWARE_TOKEN_MFA",
        }
    }

    /// A challenge's name, or the short names an app may use (`SMS`, `EMAIL`, `TOTP`;
    /// `EMAIL_MFA` as the documentation sometimes writes it).
    pub fn parse(s: &str) -> Option<MfaType> {
        match s {
            "SMS_MFA" | "SMS" => Some(MfaType::Sms),
            "EMAIL_OTP" | "EMAIL" | "EMAIL_MFA" => Some(MfaType::Email),
            "SOFTWARE_TOKEN_MFA" | "TOTP" => Some(MfaType::Totp),
            _ => None,
        }
    }

}

/// A first factor of choice-based sign-in (USER_AUTH): `PREFERRED_CHALLENGE`, an entry of
/// `AvailableChallenges`, a SELECT_CHALLENGE `ANSWER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    Password,
    PasswordSrp,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl Factor {
    const ALL: [Factor; 5] = [Factor::Password, Factor::PasswordSrp, Factor::EmailOtp, Factor::SmsOtp, Factor::WebAuthn];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Password => "PASSWORD",
            Factor::PasswordSrp => "PASSWORD_SRP",
            Factor::EmailOtp => "EMAIL_OTP",
            Factor::SmsOtp => "SMS_OTP",
            Factor::WebAuthn => "WEB_AUTHN",
        }
    }

    pub fn parse(s: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Needs the password in the same request (PASSWORD) or for the SRP that follows.
    pub fn needs_password(self) -> bool {
        matches!(self, Factor::Password | Factor::PasswordSrp)
    }
}

/// The names in a JSON-encoded list (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`, AvailableChallenges)
/// that `parse` knows; others are left out, and garbage reads as an empty list.
fn parsed_list<T>(text: Option<&str>, parse: fn(&str) -> Option<T>) -> Vec<T> {
    let v = text.and_then(|t| Json::parse(t).ok());
    v.as_ref().and_then(Json::as_array).unwrap_or(&[]).iter().filter_map(|x| x.as_str().and_then(parse)).collect()
}

/// Where a code was sent (`CodeDeliveryDetails`, or a challenge's `CODE_DELIVERY_*`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeDelivery {
    /// Masked: `a***@e***`, `+*******4567`.
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub medium: Option<String>,
    /// `email`, `phone_number` (not in challenge parameters).
    pub attribute: Option<String>,
}

impl CodeDelivery {
    /// `CodeDeliveryDetails {Destination, DeliveryMedium, AttributeName}`; `None` when absent.
    pub fn from_details(v: Option<&Json>) -> Option<CodeDelivery> {
        let d = v.filter(|d| d.as_object().is_some())?;
        let s = |k: &str| d.str(k).map(String::from);
        Some(CodeDelivery { destination: s("Destination"), medium: s("DeliveryMedium"), attribute: s("AttributeName") })
    }
}

/// A TOTP secret being set up, and its `otpauth://` URI for a QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpSetup {
    pub secret_code: String,
    pub uri: String,
}

/// Where [`crate::api::parse_auth`] keeps a SELECT_CHALLENGE's `AvailableChallenges` (a member
/// of the answer, not of its ChallengeParameters): among the parameters, JSON-encoded like
/// `MFAS_CAN_CHOOSE`, so that a stored step keeps it.
pub const AVAILABLE: &str = "AvailableChallenges";

/// What the page must show and ask for: one variant per challenge.
#[derive(Clone, Debug, PartialEq)]
pub enum NextStep {
    /// A temporary password: a new one, plus the required attributes the user has not got.
    NewPasswordRequired {
        required_attributes: Vec<String>,
        user_attributes: Json,
    },
    SmsMfa {
        delivery: CodeDelivery,
    },
    EmailOtp {
        delivery: CodeDelivery,
    },
    SmsOtp {
        delivery: CodeDelivery,
    },
    SoftwareTokenMfa {
        friendly_device_name: Option<String>,
    },
    SelectMfaType {
        allowed: Vec<MfaType>,
    },
    /// MFA is required and not set up; with TOTP allowed, a secret is already associated.
    MfaSetup {
        allowed: Vec<MfaType>,
        totp: Option<TotpSetup>,
    },
    /// USER_AUTH without a usable preference: the factors this user may choose.
    SelectChallenge {
        available: Vec<Factor>,
    },
    /// The public parameters of your CreateAuthChallenge Lambda.
    CustomChallenge {
        parameters: Vec<(String, String)>,
    },
    /// A challenge without special handling, with its parameters.
    Other {
        challenge: String,
        parameters: Vec<(String, String)>,
    },
}

impl NextStep {
    /// The step for a challenge. `totp` is the secret associated for MFA_SETUP, with its URI.
    pub fn of(challenge: &ChallengeName, params: &[(String, String)], totp: Option<TotpSetup>) -> NextStep {
        let p = |k: &str| params.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let delivery = || CodeDelivery {
            destination: p("CODE_DELIVERY_DESTINATION").map(String::from),
            medium: p("CODE_DELIVERY_DELIVERY_MEDIUM").map(String::from),
            attribute: None,
        };
        let visible = || params.iter().filter(|(k, _)| k != "USERNAME" && k != "USER_ID_FOR_SRP").cloned().collect();
        match challenge {
            ChallengeName::NewPasswordRequired => {
                let parse = |k: &str| p(k).and_then(|t| Json::parse(t).ok());
                let required = parse("requiredAttributes")
                    .and_then(|v| v.as_array().map(|a| a.to_vec()))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| x.as_str().map(|s| s.strip_prefix("userAttributes.").unwrap_or(s).to_string()))
                    .collect();
                let user_attributes = parse("userAttributes").filter(|v| v.as_object().is_some()).unwrap_or(Json::Obj(vec![]));
                NextStep::NewPasswordRequired { required_attributes: required, user_attributes }
            }
            ChallengeName::SmsMfa => NextStep::SmsMfa { delivery: delivery() },
            ChallengeName::EmailOtp => NextStep::EmailOtp { delivery: delivery() },
            ChallengeName::SmsOtp => NextStep::SmsOtp { delivery: delivery() },
            ChallengeName::SoftwareTokenMfa => {
                NextStep::SoftwareTokenMfa { friendly_device_name: p("FRIENDLY_DEVICE_NAME").filter(|n| !n.is_empty()).map(String::from) }
            }
            ChallengeName::SelectMfaType => NextStep::SelectMfaType { allowed: parsed_list(p("MFAS_CAN_CHOOSE"), MfaType::parse) },
            ChallengeName::MfaSetup => NextStep::MfaSetup { allowed: parsed_list(p("MFAS_CAN_SETUP"), MfaType::parse), totp },
            ChallengeName::CustomChallenge => NextStep::CustomChallenge { parameters: visible() },
            ChallengeName::SelectChallenge => NextStep::SelectChallenge { available: parsed_list(p(AVAILABLE), Factor::parse) },
            other => NextStep::Other { challenge: other.as_str().to_string(), parameters: visible() },
        }
    }
}

/// What the user answered to the pending step (`confirmSignIn`).
#[derive(Clone, Debug)]
pub enum Answer {
    /// An MFA or one-time code; for MFA_SETUP with TOTP, the first code of the authenticator
    /// (and its name).
    Code {
        code: String,
        device_name: Option<String>,
    },
    NewPassword {
        password: Password,
        attributes: Vec<(String, String)>,
    },
    MfaType(MfaType),
    /// MFA_SETUP by e-mail: the address to send codes to.
    Email(String),
    /// CUSTOM_CHALLENGE.
    Custom(String),
    /// SELECT_CHALLENGE: the factor chosen, with the password for PASSWORD and PASSWORD_SRP.
    Factor(Factor, Option<Password>),
    /// Raw ChallengeResponses, for any challenge.
    Responses(Vec<(String, String)>),
}

fn wrong(challenge: &ChallengeName, needs: &str) -> Error {
    Error::config(String::from("the pending step is ") + challenge.as_str() + ": confirmSignIn needs " + needs)
}

/// The ChallengeResponses (without USERNAME, SECRET_HASH, DEVICE_KEY) that answer `challenge`.
/// MFA_SETUP with a TOTP code has none of its own: the code is verified by VerifySoftwareToken
/// first, and the answer is then the Session that call returned.
pub fn responses(challenge: &ChallengeName, answer: &Answer) -> Result<Vec<(String, String)>, Error> {
    let one = |k: &str, v: &str| Ok(vec![(k.to_string(), v.to_string())]);
    match (challenge, answer) {
        (_, Answer::Responses(r)) => Ok(r.clone()),
        (ChallengeName::NewPasswordRequired, Answer::NewPassword { password, attributes }) => {
            let mut r = vec![("NEW_PASSWORD".to_string(), password.expose().to_string())];
            r.extend(attributes.iter().map(|(k, v)| (String::from("userAttributes.") + k, v.clone())));
            Ok(r)
        }
        (ChallengeName::NewPasswordRequired, _) => Err(wrong(challenge, "{ newPassword, attributes? }")),
        (ChallengeName::SmsMfa, Answer::Code { code, .. }) => one("SMS_MFA_CODE", code),
        (ChallengeName::SmsOtp, Answer::Code { code, .. }) => one("SMS_OTP_CODE", code),
        (ChallengeName::EmailOtp, Answer::Code { code, .. }) => one("EMAIL_OTP_CODE", code),
        (ChallengeName::SoftwareTokenMfa, Answer::Code { code, .. }) => one("SOFTWARE_TOKEN_MFA_CODE", code),
        (ChallengeName::SmsMfa | ChallengeName::SmsOtp | ChallengeName::EmailOtp | ChallengeName::SoftwareTokenMfa, _) => {
            Err(wrong(challenge, "{ code }"))
        }
        (ChallengeName::SelectMfaType, Answer::MfaType(t)) => one("ANSWER", t.as_str()),
        (ChallengeName::SelectMfaType, _) => Err(wrong(challenge, "{ mfaType: 'SMS' | 'EMAIL' | 'TOTP' }")),
        (ChallengeName::MfaSetup, Answer::Email(e)) => one("EMAIL", e),
        (ChallengeName::MfaSetup, Answer::Code { .. }) => Ok(vec![]),
        (ChallengeName::MfaSetup, _) => Err(wrong(challenge, "{ code, deviceName? } for TOTP or { email }")),
        (ChallengeName::SelectChallenge, Answer::Factor(f, password)) => {
            let mut r = vec![("ANSWER".to_string(), f.as_str().to_string())];
            match (f, password) {
                (Factor::Password, Some(p)) => r.push(("PASSWORD".to_string(), p.expose().to_string())),
                // SRP_A is added by the flow (it holds the ephemeral).
                (Factor::PasswordSrp, Some(_)) => {}
                (f, None) if f.needs_password() => return Err(wrong(challenge, "{ factor, password } for PASSWORD and PASSWORD_SRP")),
                _ => {}
            }
            Ok(r)
        }
        (ChallengeName::SelectChallenge, _) => Err(wrong(challenge, "{ factor: one of nextStep.availableChallenges }")),
        (ChallengeName::CustomChallenge, Answer::Custom(a)) => one("ANSWER", a),
        (ChallengeName::CustomChallenge, _) => Err(wrong(challenge, "{ answer }")),
        _ => Err(wrong(challenge, "{ challengeResponses }")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn names_parse_once() {
        for n in ["PASSWORD_VERIFIER", "MFA_SETUP", "CUSTOM_CHALLENGE", "SMS_OTP", "SELECT_CHALLENGE"] {
            assert_eq!(ChallengeName::parse(n).as_str(), n);
        }
        assert_eq!(ChallengeName::parse("SMS_MFA"), ChallengeName::SmsMfa);
        assert_eq!(ChallengeName::parse("SELECT_CHALLENGE"), ChallengeName::SelectChallenge);
        assert_eq!(ChallengeName::parse("NEW_THING"), ChallengeName::Other("NEW_THING".into()));
        assert_eq!(Factor::parse("PASSWORD_SRP"), Some(Factor::PasswordSrp));
        assert_eq!(Factor::parse("SOFTWARE_TOKEN_MFA"), None);
        assert_eq!(MfaType::parse("EMAIL_MFA"), Some(MfaType::Email));
        assert_eq!(MfaType::parse("TOTP").map(MfaType::as_str), Some("SOFTWARE_TOKEN_MFA"));
        assert_eq!(MfaType::parse("PUSH"), None);
    }

    #[test]
    fn steps_from_challenge_parameters() {
        let s = NextStep::of(
            &ChallengeName::NewPasswordRequired,
            &params(&[
                ("userAttributes", r#"{"email":"a@x"}"#),
                ("requiredAttributes", r#"["userAttributes.name","userAttributes.custom:team"]"#),
                ("USER_ID_FOR_SRP", "u"),
            ]),
            None,
        );
        let NextStep::NewPasswordRequired { required_attributes, user_attributes } = s else { panic!() };
        assert_eq!(required_attributes, ["name", "custom:team"]);
        assert_eq!(user_attributes.str("email"), Some("a@x"));
        let s = NextStep::of(
            &ChallengeName::SmsMfa,
            &params(&[("CODE_DELIVERY_DESTINATION", "+***1"), ("CODE_DELIVERY_DELIVERY_MEDIUM", "SMS")]),
            None,
        );
        assert_eq!(
            s,
            NextStep::SmsMfa { delivery: CodeDelivery { destination: Some("+***1".into()), medium: Some("SMS".into()), attribute: None } }
        );
        let s =
            NextStep::of(&ChallengeName::MfaSetup, &params(&[("MFAS_CAN_SETUP", r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP","PUSH"]"#)]), None);
        assert_eq!(s, NextStep::MfaSetup { allowed: vec![MfaType::Totp, MfaType::Email], totp: None });
        // Garbage in a JSON-encoded parameter reads as nothing, never as an error.
        let s = NextStep::of(&ChallengeName::SelectMfaType, &params(&[("MFAS_CAN_CHOOSE", "[oops")]), None);
        assert_eq!(s, NextStep::SelectMfaType { allowed: vec![] });
        let s = NextStep::of(&ChallengeName::CustomChallenge, &params(&[("USERNAME", "u"), ("question", "6*7?")]), None);
        assert_eq!(s, NextStep::CustomChallenge { parameters: params(&[("question", "6*7?")]) });
        let s = NextStep::of(&ChallengeName::SoftwareTokenMfa, &params(&[("FRIENDLY_DEVICE_NAME", "")]), None);
        assert_eq!(s, NextStep::SoftwareTokenMfa { friendly_device_name: None });
    }

    #[test]
    fn answers_become_challenge_responses() {
        let code = Answer::Code { code: "123456".into(), device_name: None };
        assert_eq!(responses(&ChallengeName::SmsMfa, &code).unwrap(), params(&[("SMS_MFA_CODE", "123456")]));
        assert_eq!(responses(&ChallengeName::EmailOtp, &code).unwrap(), params(&[("EMAIL_OTP_CODE", "123456")]));
        assert_eq!(responses(&ChallengeName::SoftwareTokenMfa, &code).unwrap(), params(&[("SOFTWARE_TOKEN_MFA_CODE", "123456")]));
        assert!(responses(&ChallengeName::MfaSetup, &code).unwrap().is_empty());
        let np = Answer::NewPassword { password: Password::new("N3w!"), attributes: vec![("name".into(), "A".into())] };
        assert_eq!(
            responses(&ChallengeName::NewPasswordRequired, &np).unwrap(),
            params(&[("NEW_PASSWORD", "N3w!"), ("userAttributes.name", "A")])
        );
        assert_eq!(
            responses(&ChallengeName::SelectMfaType, &Answer::MfaType(MfaType::Totp)).unwrap(),
            params(&[("ANSWER", "SOFTWARE_TOKEN_MFA")])
        );
        let e = responses(&ChallengeName::SmsMfa, &np).unwrap_err();
        assert_eq!((e.name(), e.message().as_str()), ("ConfigError", "the pending step is SMS_MFA: confirmSignIn needs { code }"));
        let sel = ChallengeName::SelectChallenge;
        assert_eq!(responses(&sel, &Answer::Factor(Factor::EmailOtp, None)).unwrap(), params(&[("ANSWER", "EMAIL_OTP")]));
        assert_eq!(
            responses(&sel, &Answer::Factor(Factor::Password, Some(Password::new("pw")))).unwrap(),
            params(&[("ANSWER", "PASSWORD"), ("PASSWORD", "pw")])
        );
        assert_eq!(responses(&sel, &Answer::Factor(Factor::PasswordSrp, None)).unwrap_err().name(), "ConfigError");
        assert_eq!(responses(&sel, &code).unwrap_err().name(), "ConfigError");
        let s = NextStep::of(&sel, &params(&[(AVAILABLE, r#"["PASSWORD","WEB_AUTHN","NEW"]"#)]), None);
        assert_eq!(s, NextStep::SelectChallenge { available: vec![Factor::Password, Factor::WebAuthn] });
        let raw = Answer::Responses(params(&[("X", "1")]));
        assert_eq!(responses(&ChallengeName::Other("NEW_THING".into()), &raw).unwrap(), params(&[("X", "1")]));
        assert_eq!(responses(&ChallengeName::Other("NEW_THING".into()), &code).unwrap_err().name(), "ConfigError");
    }
}
