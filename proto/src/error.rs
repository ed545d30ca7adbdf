//! The one error type. At the JS edge every variant becomes an `Error` whose `name` is
//! [`Error::name`] (a Cognito exception name or one of the SDK's documented names), plus
//! `message` and `retryable`.
//!
//! Cognito's exception names are parsed once into [`Exception`], which also says what the SDK
//! does about each: retry it, end the pending sign-in step, end the session. The names are the
//! error shapes of the `cognito-idp` model (botocore `cognito-idp/2016-04-18`).

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

/// What went wrong in a passkey ceremony (`PasskeyError`'s `code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyCode {
    /// No WebAuthn here (no secure context, no `PublicKeyCredential`), or no authenticator
    /// supports what was asked.
    NotSupported,
    /// Cancelled, timed out, or no matching passkey on this device: the browser does not say
    /// which.
    NotAllowed,
    /// The authenticator already holds a passkey of this user.
    AlreadyRegistered,
    /// The relying party ID does not fit this page's origin (an IP address, another domain).
    RelyingPartyMismatch,
    /// The options document cannot be used.
    InvalidOptions,
    Failed,
}

impl PasskeyCode {
    pub fn as_str(self) -> &'static str {
        match self {
            PasskeyCode::NotSupported => "NotSupported",
            PasskeyCode::NotAllowed => "NotAllowed",
            PasskeyCode::AlreadyRegistered => "AlreadyRegistered",
            PasskeyCode::RelyingPartyMismatch => "RelyingPartyMismatch",
            PasskeyCode::InvalidOptions => "InvalidOptions",
            PasskeyCode::Failed => "Failed",
        }
    }
}

/// A Cognito exception, by name. One list, and what each means for the SDK, instead of string
/// lists scattered over the flows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exception {
    NotAuthorized,
    UserNotFound,
    UserNotConfirmed,
    PasswordResetRequired,
    UsernameExists,
    AliasExists,
    InvalidPassword,
    InvalidParameter,
    CodeMismatch,
    ExpiredCode,
    LimitExceeded,
    TooManyRequests,
    TooManyFailedAttempts,
    ResourceNotFound,
    CodeDeliveryFailure,
    EnableSoftwareTokenMfa,
    SoftwareTokenMfaNotFound,
    MfaMethodNotFound,
    RefreshTokenReuse,
    TokenRevoked,
    UnsupportedOperation,
    InternalError,
    /// Names only the emulator sends (the SDK sees them as `Other`): request and protocol
    /// errors of the AWS JSON protocol, Lambda trigger failures, passkey ceremony refusals,
    /// RevokeToken's client errors and identity-pool errors.
    #[cfg(feature = "server")]
    Serialization,
    #[cfg(feature = "server")]
    UnknownOperation,
    #[cfg(feature = "server")]
    RequestEntityTooLarge,
    #[cfg(feature = "server")]
    UserLambdaValidation,
    #[cfg(feature = "server")]
    UnexpectedLambda,
    #[cfg(feature = "server")]
    InvalidLambdaResponse,
    #[cfg(feature = "server")]
    WebAuthnNotEnabled,
    #[cfg(feature = "server")]
    WebAuthnConfigurationMissing,
    #[cfg(feature = "server")]
    WebAuthnChallengeNotFound,
    #[cfg(feature = "server")]
    WebAuthnClientMismatch,
    #[cfg(feature = "server")]
    WebAuthnCredentialNotSupported,
    #[cfg(feature = "server")]
    WebAuthnRelyingPartyMismatch,
    #[cfg(feature = "server")]
    WebAuthnOriginNotAllowed,
    #[cfg(feature = "server")]
    Unauthorized,
    #[cfg(feature = "server")]
    UnsupportedTokenType,
    #[cfg(feature = "server")]
    ResourceConflict,
    #[cfg(feature = "server")]
    InvalidIdentityPoolConfiguration,
    /// Any other name, kept as Cognito sent it.
    Other(String),
}

/// The names only the emulator sends.
#[cfg(feature = "server")]
const SERVER_KNOWN: [Exception; 17] = [
    Exception::Serialization,
    Exception::UnknownOperation,
    Exception::RequestEntityTooLarge,
    Exception::UserLambdaValidation,
    Exception::UnexpectedLambda,
    Exception::InvalidLambdaResponse,
    Exception::WebAuthnNotEnabled,
    Exception::WebAuthnConfigurationMissing,
    Exception::WebAuthnChallengeNotFound,
    Exception::WebAuthnClientMismatch,
    Exception::WebAuthnCredentialNotSupported,
    Exception::WebAuthnRelyingPartyMismatch,
    Exception::WebAuthnOriginNotAllowed,
    Exception::Unauthorized,
    Exception::UnsupportedTokenType,
    Exception::ResourceConflict,
    Exception::InvalidIdentityPoolConfiguration,
];

impl Exception {
    /// The exception's name as Cognito writes it (`NotAuthorizedException`).
    pub fn name(&self) -> &str {
        match self {
            Exception::NotAuthorized => "NotAuthorizedException",
            Exception::UserNotFound => "UserNotFoundException",
            Exception::UserNotConfirmed => "UserNotConfirmedException",
            Exception::PasswordResetRequired => "PasswordResetRequiredException",
            Exception::UsernameExists => "UsernameExistsException",
            Exception::AliasExists => "AliasExistsException",
            Exception::InvalidPassword => "InvalidPasswordException",
            Exception::InvalidParameter => "InvalidParameterException",
            Exception::CodeMismatch => "CodeMismatchException",
            Exception::ExpiredCode => "ExpiredCodeException",
            Exception::LimitExceeded => "LimitExceededException",
            Exception::TooManyRequests => "TooManyRequestsException",
            Exception::TooManyFailedAttempts => "TooManyFailedAttemptsException",
            Exception::ResourceNotFound => "ResourceNotFoundException",
            Exception::CodeDeliveryFailure => "CodeDeliveryFailureException",
            Exception::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Exception::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Exception::MfaMethodNotFound => "MFAMethodNotFoundException",
            Exception::RefreshTokenReuse => "RefreshTokenReuseException",
            Exception::TokenRevoked => "TokenRevokedException",
            Exception::UnsupportedOperation => "UnsupportedOperationException",
            Exception::InternalError => "InternalErrorException",
            Exception::Other(name) => name,
            #[cfg(feature = "server")]
            other => other.server_name(),
        }
    }

    #[cfg(feature = "server")]
    fn server_name(&self) -> &'static str {
        match self {
            Exception::Serialization => "SerializationException",
            Exception::UnknownOperation => "UnknownOperationException",
            Exception::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Exception::UserLambdaValidation => "UserLambdaValidationException",
            Exception::UnexpectedLambda => "UnexpectedLambdaException",
            Exception::InvalidLambdaResponse => "InvalidLambdaResponseException",
            Exception::WebAuthnNotEnabled => "WebAuthnNotEnabledException",
            Exception::WebAuthnConfigurationMissing => "WebAuthnConfigurationMissingException",
            Exception::WebAuthnChallengeNotFound => "WebAuthnChallengeNotFoundException",
            Exception::WebAuthnClientMismatch => "WebAuthnClientMismatchException",
            Exception::WebAuthnCredentialNotSupported => "WebAuthnCredentialNotSupportedException",
            Exception::WebAuthnRelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException",
            Exception::WebAuthnOriginNotAllowed => "WebAuthnOriginNotAllowedException",
            Exception::Unauthorized => "UnauthorizedException",
            Exception::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Exception::ResourceConflict => "ResourceConflictException",
            Exception::InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
            _ => "",
        }
    }

    /// From the name Cognito sent (already cut from `x-amzn-ErrorType` / `__type`).
    pub fn parse(name: &str) -> Exception {
        const KNOWN: [Exception; 22] = [
            Exception::NotAuthorized,
            Exception::UserNotFound,
            Exception::UserNotConfirmed,
            Exception::PasswordResetRequired,
            Exception::UsernameExists,
            Exception::AliasExists,
            Exception::InvalidPassword,
            Exception::InvalidParameter,
            Exception::CodeMismatch,
            Exception::ExpiredCode,
            Exception::LimitExceeded,
            Exception::TooManyRequests,
            Exception::TooManyFailedAttempts,
            Exception::ResourceNotFound,
            Exception::CodeDeliveryFailure,
            Exception::EnableSoftwareTokenMfa,
            Exception::SoftwareTokenMfaNotFound,
            Exception::MfaMethodNotFound,
            Exception::RefreshTokenReuse,
            Exception::TokenRevoked,
            Exception::UnsupportedOperation,
            Exception::InternalError,
        ];
        let known = KNOWN.into_iter();
        #[cfg(feature = "server")]
        let known = known.chain(SERVER_KNOWN);
        known.into_iter().find(|e| e.name() == name).unwrap_or_else(|| Exception::Other(name.to_string()))
    }

    /// The same call may succeed later, unchanged: throttling and service faults. (A 5xx with
    /// any name is retryable too: see [`Error::retryable`].)
    pub fn retryable(&self) -> bool {
        matches!(self, Exception::TooManyRequests | Exception::InternalError)
    }

    /// After this answer the pending sign-in step cannot be answered again: its Session is
    /// spent or expired, or the user or app client is gone.
    pub fn ends_pending(&self) -> bool {
        matches!(self, Exception::NotAuthorized | Exception::ExpiredCode | Exception::UserNotFound | Exception::ResourceNotFound)
    }

    /// The answer proves the session is over (the refresh token is refused, the user is gone
    /// or must reset the password): the tokens are cleared. Anything else keeps them.
    pub fn ends_session(&self) -> bool {
        matches!(
            self,
            Exception::NotAuthorized
                | Exception::TokenRevoked
                | Exception::UserNotFound
                | Exception::PasswordResetRequired
                | Exception::UserNotConfirmed
                | Exception::RefreshTokenReuse
        )
    }
}

/// What kind of error, with the data each kind carries (the message is beside it, in [`Error`]).
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    /// An exception answered by Cognito, e.g. `NotAuthorizedException`.
    Service { exception: Exception, status: u16 },
    /// No complete answer: offline, DNS, CORS, a reset, no answer within `requestTimeoutMs`.
    Network,
    /// An answer that is not what Cognito sends: not JSON, a missing member, a challenge
    /// without its parameters, a step skipped. Not retryable: the same call gets the same answer.
    Protocol,
    /// The call does not fit the current state: signed out, no pending challenge, a missing,
    /// unknown, expired, altered or replayed OAuth `state`.
    InvalidState,
    /// A token failed verification.
    TokenVerification(TokenCheck),
    /// The server's SRP values are unusable (B mod N = 0, u = 0, bad hex, ...).
    SrpProtocol(SrpError),
    /// The configuration or an argument cannot work; the message says what to fix.
    Config,
    /// The hosted UI redirected back with `error` (and `error_description`, the message).
    OAuth { error: String },
    /// A return path that is not a relative path on `allowedReturnPaths`.
    InvalidReturnPath,
    /// The configured storage refused a write (quota, privacy mode, a custom store's error).
    Storage,
    /// A passkey ceremony in the browser failed (`code` says how).
    Passkey(PasskeyCode),
    /// Adding an account past `maxAccounts` (several accounts): nothing was dropped to make room.
    AccountLimit,
}

/// The one error type: a kind and a message, boxed (a `Result` carrying it stays one pointer
/// wide, which keeps every `?` of the flows small).
#[derive(Clone, Debug, PartialEq)]
pub struct Error(Box<(ErrorKind, String)>);

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new((kind, message.into())))
    }
    /// A Cognito exception as Cognito answers it (HTTP 400).
    pub fn service(exception: Exception, message: &str) -> Self {
        Error::new(ErrorKind::Service { exception, status: 400 }, message)
    }
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidState, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Network, message)
    }
    pub fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }
    pub fn storage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Storage, message)
    }
    pub fn token(check: TokenCheck, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::TokenVerification(check), message)
    }
    /// `error` and `error_description` of an OAuth error answer or redirect.
    pub fn oauth(error: &str, description: &str) -> Self {
        let message = if description.is_empty() { error.to_string() } else { String::from(error) + ": " + description };
        Error::new(ErrorKind::OAuth { error: error.to_string() }, message)
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.0 .0
    }

    /// The same error with more said: `f` gets the message and returns the new one.
    pub fn explain(mut self, f: impl FnOnce(String) -> String) -> Self {
        let m = core::mem::take(&mut self.0 .1);
        self.0 .1 = f(m);
        self
    }

    /// The JS `Error.name`.
    pub fn name(&self) -> &str {
        match self.kind() {
            ErrorKind::Service { exception, .. } => exception.name(),
            ErrorKind::Network => "NetworkError",
            ErrorKind::Protocol => "ProtocolError",
            ErrorKind::InvalidState => "InvalidStateError",
            ErrorKind::TokenVerification(_) => "TokenVerificationError",
            ErrorKind::SrpProtocol(_) => "SrpProtocolError",
            ErrorKind::Config => "ConfigError",
            ErrorKind::OAuth { .. } => "OAuthError",
            ErrorKind::InvalidReturnPath => "InvalidReturnPathError",
            ErrorKind::Storage => "StorageError",
            ErrorKind::Passkey(_) => "PasskeyError",
            ErrorKind::AccountLimit => "AccountLimitError",
        }
    }

    pub fn message(&self) -> String {
        self.0 .1.clone()
    }

    /// True when the same call may succeed later unchanged: throttling, service faults and
    /// network failures.
    pub fn retryable(&self) -> bool {
        match self.kind() {
            ErrorKind::Service { exception, status } => *status >= 500 || exception.retryable(),
            ErrorKind::Network => true,
            ErrorKind::OAuth { error } => error == "server_error" || error == "temporarily_unavailable",
            _ => false,
        }
    }

    /// The Cognito exception, when Cognito answered with one.
    pub fn exception(&self) -> Option<&Exception> {
        match self.kind() {
            ErrorKind::Service { exception, .. } => Some(exception),
            _ => None,
        }
    }

    /// True for this Cognito exception.
    pub fn is(&self, exception: &Exception) -> bool {
        self.exception() == Some(exception)
    }
}

impl From<SrpError> for Error {
    /// Unusable SRP values are SrpProtocolError; a parameter the challenge lacks is a
    /// ProtocolError like any other missing member.
    fn from(e: SrpError) -> Self {
        match e {
            SrpError::MissingParameter(_) => Error::protocol(e.message()),
            e => Error::new(ErrorKind::SrpProtocol(e), e.message()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names_parse_once_and_round_trip() {
        for name in ["NotAuthorizedException", "EnableSoftwareTokenMFAException", "InternalErrorException", "WebAuthnNotEnabledException"] {
            assert_eq!(Exception::parse(name).name(), name);
        }
        assert_eq!(Exception::parse("NotAuthorizedException"), Exception::NotAuthorized);
        assert_eq!(Exception::parse("Nope"), Exception::Other("Nope".into()));
        assert!(Exception::NotAuthorized.ends_session() && Exception::NotAuthorized.ends_pending());
        assert!(!Exception::TooManyRequests.ends_session() && Exception::TooManyRequests.retryable());
        assert!(Exception::ExpiredCode.ends_pending() && !Exception::ExpiredCode.ends_session());
    }

    #[test]
    fn names_and_retryability() {
        let throttled = Error::service(Exception::TooManyRequests, "Rate exceeded");
        assert_eq!(throttled.name(), "TooManyRequestsException");
        assert!(throttled.retryable());
        let denied = Error::service(Exception::NotAuthorized, "Incorrect username or password.");
        assert!(!denied.retryable());
        assert!(denied.is(&Exception::NotAuthorized));
        let fault = Error::new(ErrorKind::Service { exception: Exception::parse("Unknown"), status: 503 }, "x");
        assert!(fault.retryable());
        assert!(Error::network("offline").retryable());
        let p = Error::protocol("Cognito answer without IdToken");
        assert_eq!((p.name(), p.retryable()), ("ProtocolError", false));
        assert_eq!(Error::from(SrpError::MissingParameter("SALT")).name(), "ProtocolError");
        assert_eq!(Error::from(SrpError::BModNZero).name(), "SrpProtocolError");
        assert_eq!(Error::from(SrpError::BModNZero).name(), "SrpProtocolError");
        let e = Error::oauth("access_denied", "User cancelled");
        assert_eq!(e.message(), "access_denied: User cancelled");
        assert_eq!(e.name(), "OAuthError");
        assert_eq!(Error::token(TokenCheck::Issuer, "x").name(), "TokenVerificationError");
    }
}
