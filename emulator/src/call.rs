//! The per-call context: what one request is (its operation, the app client calling, its
//! ClientMetadata, where it came from), passed down explicitly to the code that needs it (trigger
//! events, issuers, device records) instead of being parked in the state between requests.

use cognito_proto::api::Op;
use serde_json::{json, Map, Value};

#[derive(Clone, Debug, Default)]
pub struct Call {
    /// `http://127.0.0.1:PORT`: issuer prefix and hosted-UI origin.
    pub base: String,
    pub ip: String,
    /// The JSON API operation being answered (none for the hosted UI and OAuth endpoints).
    pub op: Option<Op>,
    /// The app client calling: the request's `ClientId` / `client_id`, or the app client of the
    /// access token it carries (a trigger event's `callerContext.clientId`).
    pub client: Option<String>,
    /// The request's `ClientMetadata`.
    pub metadata: Option<Map<String, Value>>,
}

impl Call {
    /// The same call, made by `client` (known once an access token has been checked).
    pub fn by_client(&self, client: &str) -> Call {
        Call { client: Some(client.to_string()), ..self.clone() }
    }

    /// The call's ClientMetadata when it is one of `ops` (each trigger gets it only from the
    /// operations whose documentation says so), else `{}`.
    pub fn metadata_for(&self, ops: &[Op]) -> Value {
        match (&self.op, &self.metadata) {
            (Some(op), Some(m)) if ops.contains(op) => Value::Object(m.clone()),
            _ => json!({}),
        }
    }

    /// `callerContext.clientId` of a trigger event.
    pub fn client_id(&self) -> &str {
        self.client.as_deref().unwrap_or("CLIENT_ID_NOT_APPLICABLE")
    }
}
