//! The API error: a Cognito exception (`cognito_proto::error::Exception`, the one list of names
//! the SDK parses too), its message and the HTTP status it goes out with. Serialized by the
//! HTTP layer as the AWS JSON protocol does: `{"__type": name, "message": message}` with the
//! `x-amzn-ErrorType` header.

pub use cognito_proto::error::Exception;

/// A Cognito exception with its message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub exception: Exception,
    pub message: String,
    pub status: u16,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The exception's name (`NotAuthorizedException`).
    pub fn name(&self) -> &str {
        self.exception.name()
    }

    pub fn is(&self, e: &Exception) -> bool {
        &self.exception == e
    }
}

/// HTTP status of an exception: 500 for service faults, 413 for an oversized body, else 400 (as
/// Cognito answers every client error, throttling included).
fn status_of(e: &Exception) -> u16 {
    match e {
        Exception::InternalError => 500,
        Exception::RequestEntityTooLarge => 413,
        _ => 400,
    }
}

/// `exception` with `message`.
pub fn fail(exception: Exception, message: impl Into<String>) -> ApiError {
    let status = status_of(&exception);
    ApiError { exception, message: message.into(), status }
}

pub fn not_authorized(message: impl Into<String>) -> ApiError {
    fail(Exception::NotAuthorized, message)
}

pub fn invalid_param(message: impl Into<String>) -> ApiError {
    fail(Exception::InvalidParameter, message)
}

pub fn internal(message: impl Into<String>) -> ApiError {
    fail(Exception::InternalError, message)
}

/// A required member is absent, in Cognito's words (the member named in camelCase).
pub fn missing(field: &str) -> ApiError {
    let mut chars = field.chars();
    let camel = chars.next().map(|c| c.to_lowercase().chain(chars).collect::<String>()).unwrap_or_default();
    invalid_param(format!("1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null"))
}

pub fn user_not_found() -> ApiError {
    fail(Exception::UserNotFound, "User does not exist.")
}

pub fn pool_not_found(id: &str) -> ApiError {
    fail(Exception::ResourceNotFound, format!("User pool {id} does not exist."))
}

pub fn client_not_found(id: &str) -> ApiError {
    fail(Exception::ResourceNotFound, format!("User pool client {id} does not exist."))
}

pub fn bad_credentials() -> ApiError {
    not_authorized("Incorrect username or password.")
}

pub fn invalid_session() -> ApiError {
    not_authorized("Invalid session for the user.")
}

pub fn expired_session() -> ApiError {
    not_authorized("Invalid session for the user, session is expired.")
}

pub fn lambda_response(message: impl Into<String>) -> ApiError {
    fail(Exception::InvalidLambdaResponse, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_statuses_and_the_missing_member() {
        assert_eq!(fail(Exception::TooManyRequests, "Rate exceeded").status, 400);
        assert_eq!(internal("x").status, 500);
        assert_eq!(fail(Exception::RequestEntityTooLarge, "x").status, 413);
        let m = missing("ClientId");
        assert_eq!(m.name(), "InvalidParameterException");
        assert!(m.message.contains("'clientId'"), "{}", m.message);
        assert_eq!(lambda_response("x").name(), "InvalidLambdaResponseException");
    }
}
