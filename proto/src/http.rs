//! HTTP requests and answers as data: the flows build a [`HttpRequest`], the one place that
//! performs HTTP (`Env::fetch`) sends it, and what comes back is reduced to a [`HttpResponse`].

use crate::prelude::*;

/// An HTTP request as data.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// Ask the browser not to answer from its HTTP cache (`cache: "no-store"`).
    pub bypass_cache: bool,
    /// Give up when no complete answer came within this time (0: the environment's default).
    pub timeout_ms: u32,
    /// The app's headers (`headers` option), sent after the protocol's own.
    pub extra_headers: Vec<(String, String)>,
}

impl HttpRequest {
    pub fn new(method: &'static str, url: String, headers: Vec<(&'static str, String)>, body: Option<String>) -> HttpRequest {
        HttpRequest { method, url, headers, body, bypass_cache: true, timeout_ms: 0, extra_headers: Vec::new() }
    }
}

/// What came back, reduced to what the SDK reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    /// `x-amzn-ErrorType`
    pub error_type: Option<String>,
    pub cache_control: Option<String>,
    /// The server's clock, from its `Date` header (RFC 9110 §6.6.1), epoch seconds. The
    /// environment reads the header (the browser's `Date.parse`; `time::parse_http_date`
    /// natively), so the main module needs no date parser.
    pub date_secs: Option<i64>,
}
