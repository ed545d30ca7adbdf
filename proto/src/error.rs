//! The one error type. At the JS edge every variant becomes an `Error` whose `name` is
//! [`Error::name`] (a Cognito exception name or one of the SDK's documented names), plus
//! `message` and `retryable`.

use crate::prelude::*;

/// Which token check failed (reported as `TokenVerificationError`, with `check` set to
/// [`TokenCheck::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCheck {
    /// Not three base64url parts of JSON.
    Malformed,
    /// `alg` is not RS256.
    Algorithm,
    /// No JWKS key with the token's `kid`, even after a refetch.
    UnknownKid,
    /// The JWKS could not be fetched or read.
    Jwks,
    /// RSA signature does not verify.
    Signature,
    Issuer,
    TokenUse,
    /// ID token `aud` is not the client id.
    Audience,
    /// Access token `client_id` is not the client id.
    ClientId,
    Expired,
    /// `iat` lies in the future beyond the allowed skew.
    IssuedInFuture,
    /// Hosted-UI ID token `nonce` differs from the one sent.
    Nonce,
}

impl TokenCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenCheck::Malformed => "malformed",
            TokenCheck::Algorithm => "alg",
            TokenCheck::UnknownKid => "kid",
            TokenCheck::Jwks => "jwks",
            TokenCheck::Signature => "signature",
            TokenCheck::Issuer => "iss",
            TokenCheck::TokenUse => "token_use",
            TokenCheck::Audience => "aud",
            TokenCheck::ClientId => "client_id",
            TokenCheck::Expired => "exp",
            TokenCheck::IssuedInFuture => "iat",
            TokenCheck::Nonce => "nonce",
        }
    }
}

/// Why the server's SRP values cannot be used. Surfaced to JS as `SrpProtocolError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrpError {
    /// `B mod N = 0`: a malicious or broken server could force the session key.
    BModNZero,
    /// `u = H(pad(A) | pad(B)) = 0`.
    UZero,
    /// `A mod N = 0` (server side check of the client's value).
    AModNZero,
    /// A hex field is not hex.
    MalformedHex(&'static str),
    /// A hex field is longer than the group allows.
    OversizedHex(&'static str),
    /// `SALT` is empty.
    EmptySalt,
    /// `SECRET_BLOCK` is not base64.
    MalformedSecretBlock,
    /// A challenge parameter is missing.
    MissingParameter(&'static str),
    /// The private exponent is too small (0 or 1) to be secret.
    WeakPrivateValue,
}

impl SrpError {
    pub fn message(&self) -> &'static str {
        match self {
            SrpError::BModNZero => "SRP_B is 0 mod N; refusing to continue",
            SrpError::UZero => "SRP u = H(A, B) is 0; refusing to continue",
            SrpError::AModNZero => "SRP_A is 0 mod N",
            SrpError::MalformedHex("SRP_B") => "SRP_B is not hexadecimal",
            SrpError::MalformedHex("SRP_A") => "SRP_A is not hexadecimal",
            SrpError::MalformedHex(_) => "SALT is not hexadecimal",
            SrpError::OversizedHex("SRP_B") => "SRP_B is larger than the 3072-bit group",
            SrpError::OversizedHex("SRP_A") => "SRP_A is larger than the 3072-bit group",
            SrpError::OversizedHex(_) => "SALT is too long",
            SrpError::EmptySalt => "SALT is empty",
            SrpError::MalformedSecretBlock => "SECRET_BLOCK is not base64",
            SrpError::MissingParameter("SALT") => "PASSWORD_VERIFIER challenge without SALT",
            SrpError::MissingParameter("SRP_B") => "PASSWORD_VERIFIER challenge without SRP_B",
            SrpError::MissingParameter("SECRET_BLOCK") => "PASSWORD_VERIFIER challenge without SECRET_BLOCK",
            SrpError::MissingParameter(_) => "PASSWORD_VERIFIER challenge without USER_ID_FOR_SRP",
            SrpError::WeakPrivateValue => "SRP private value is too small",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// An exception answered by Cognito, e.g. `NotAuthorizedException`.
    Service { name: String, message: String, status: u16 },
    /// The request did not complete (offline, DNS, CORS, unreadable answer).
    Network { message: String },
    /// The call does not fit the current state: signed out, no pending challenge, a missing,
    /// unknown, expired, altered or replayed OAuth `state`.
    InvalidState { message: String },
    /// A token failed verification.
    TokenVerification { check: TokenCheck, message: String },
    /// The server's SRP values are unusable (B mod N = 0, u = 0, bad hex, ...).
    SrpProtocol(SrpError),
    /// The configuration or an argument cannot work; the message says what to fix.
    Config { message: String },
    /// The hosted UI redirected back with `error` / `error_description`.
    OAuth { error: String, description: String },
    /// A return path that is not a relative path on `allowedReturnPaths`.
    InvalidReturnPath { message: String },
    /// The configured storage refused a write (quota, privacy mode, a custom store's error).
    Storage { message: String },
}

impl Error {
    pub fn service(name: &str, message: &str) -> Self {
        Error::Service { name: name.to_string(), message: message.to_string(), status: 400 }
    }
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config { message: message.into() }
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Error::InvalidState { message: message.into() }
    }
    pub fn network(message: impl Into<String>) -> Self {
        Error::Network { message: message.into() }
    }
    pub fn token(check: TokenCheck, message: impl Into<String>) -> Self {
        Error::TokenVerification { check, message: message.into() }
    }

    /// The JS `Error.name`.
    pub fn name(&self) -> &str {
        match self {
            Error::Service { name, .. } => name,
            Error::Network { .. } => "NetworkError",
            Error::InvalidState { .. } => "InvalidStateError",
            Error::TokenVerification { .. } => "TokenVerificationError",
            Error::SrpProtocol(_) => "SrpProtocolError",
            Error::Config { .. } => "ConfigError",
            Error::OAuth { .. } => "OAuthError",
            Error::InvalidReturnPath { .. } => "InvalidReturnPathError",
            Error::Storage { .. } => "StorageError",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Error::Service { message, .. }
            | Error::Network { message }
            | Error::InvalidState { message }
            | Error::TokenVerification { message, .. }
            | Error::Config { message }
            | Error::InvalidReturnPath { message }
            | Error::Storage { message } => message.clone(),
            Error::SrpProtocol(e) => e.message().to_string(),
            Error::OAuth { error, description } => {
                if description.is_empty() {
                    error.clone()
                } else {
                    error.clone() + ": " + description
                }
            }
        }
    }

    /// True when the same call may succeed later unchanged: throttling, service faults and
    /// network failures.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Service { name, status, .. } => *status >= 500 || name == "TooManyRequestsException" || name == "InternalErrorException",
            Error::Network { .. } => true,
            Error::OAuth { error, .. } => error == "server_error" || error == "temporarily_unavailable",
            _ => false,
        }
    }

    /// True for a Cognito exception with this name.
    pub fn is(&self, exception: &str) -> bool {
        matches!(self, Error::Service { name, .. } if name == exception)
    }
}

impl From<SrpError> for Error {
    fn from(e: SrpError) -> Self {
        Error::SrpProtocol(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_retryability() {
        let throttled = Error::service("TooManyRequestsException", "Rate exceeded");
        assert_eq!(throttled.name(), "TooManyRequestsException");
        assert!(throttled.retryable());
        let denied = Error::service("NotAuthorizedException", "Incorrect username or password.");
        assert!(!denied.retryable());
        assert!(denied.is("NotAuthorizedException"));
        let fault = Error::Service { name: "Unknown".into(), message: "x".into(), status: 503 };
        assert!(fault.retryable());
        assert!(Error::network("offline").retryable());
        assert_eq!(Error::SrpProtocol(SrpError::BModNZero).name(), "SrpProtocolError");
        let e = Error::OAuth { error: "access_denied".into(), description: "User cancelled".into() };
        assert_eq!(e.message(), "access_denied: User cancelled");
        assert_eq!(e.name(), "OAuthError");
        assert_eq!(Error::token(TokenCheck::Issuer, "x").name(), "TokenVerificationError");
    }
}
