//! Answers from the network: the body and headers of a Cognito JSON answer, of the OAuth token
//! endpoint, and the `Date` header the SRP timestamp follows. The input is split on the first
//! two newlines into the `Date` header, `x-amzn-ErrorType` and the body.
#![no_main]
use cognito_proto::api::{self, HttpResponse};
use cognito_proto::{jwt, oauth, time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let mut parts = s.splitn(3, '\n');
    let (date, error_type, body) = (parts.next().unwrap_or(""), parts.next(), parts.next().unwrap_or(""));
    // What it reads is a real instant that prints back to the same instant (up to the last
    // second of 9999: a leap second `23:59:60` on that day is the first of year 10000, which
    // has no four-digit form).
    if let Some(t) = time::parse_http_date(date).filter(|&t| t < 253_402_300_800) {
        assert_eq!(time::parse_http_date(&time::format_http_date(t)), Some(t), "{date:?}");
    }
    for status in [200u16, 400, 500] {
        let resp = HttpResponse {
            status,
            body: body.to_string(),
            error_type: error_type.map(String::from),
            cache_control: Some(date.to_string()),
            date_secs: time::parse_http_date(date),
        };
        if let Ok(v) = api::check(&resp) {
            let _ = api::parse_auth(v.raw());
            let _ = api::parse_tokens(v.raw());
            let _ = api::parse_refresh(v.raw());
            let _ = jwt::parse_jwks(&v.json());
        }
        let _ = oauth::parse_token_response(&resp);
    }
});
