//! HTTP as plain values: a [`Request`] in, an [`Answer`] out (axum only appears at the edge, in
//! `server::handle`), and the answers every part shares: JSON, and a Cognito exception as the AWS
//! JSON protocol sends it (`{"__type", "message"}` with `x-amzn-ErrorType`,
//! `x-amzn-ErrorMessage` and `x-amzn-RequestId`).

use crate::error::ApiError;
use crate::util::uuid;
use serde_json::{json, Value};

/// An HTTP request, reduced to what the emulator reads.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ip: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP answer as a value.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A `delayMs` fault: send this answer that much later.
    pub delay_ms: Option<u64>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

pub fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>, headers: &[(String, String)]) -> Answer {
    let mut h = vec![];
    if !content_type.is_empty() {
        h.push(("Content-Type".to_string(), content_type.to_string()));
    }
    h.extend_from_slice(headers);
    Answer { status, headers: h, body: body.into(), delay_ms: None }
}

pub fn json_response(status: u16, v: &Value) -> Answer {
    response(status, "application/json", v.to_string(), &[])
}

/// A Cognito exception, as the AWS JSON protocol answers it.
pub fn api_error(e: &ApiError) -> Answer {
    let body = json!({"__type": e.name(), "message": e.message});
    response(
        e.status,
        "application/x-amz-json-1.1",
        body.to_string(),
        &[
            ("x-amzn-RequestId".into(), uuid()),
            ("x-amzn-ErrorType".into(), format!("{}:", e.name())),
            ("x-amzn-ErrorMessage".into(), e.message.replace(['\r', '\n'], " ")),
        ],
    )
}

/// A successful JSON API answer.
pub fn api_ok(v: &Value) -> Answer {
    response(200, "application/x-amz-json-1.1", v.to_string(), &[("x-amzn-RequestId".into(), uuid())])
}

pub fn query_param(query: &str, k: &str) -> Option<String> {
    cognito_proto::codec::form_decode(query).into_iter().find(|(a, _)| a == k).map(|(_, v)| v)
}
