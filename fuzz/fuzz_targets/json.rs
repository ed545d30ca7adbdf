//! The JSON reader (every Cognito answer, JWKS, token payload and stored record goes through
//! it): no panic, and what it accepts prints back to text that parses to the same value.
#![no_main]
use cognito_proto::json::Json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(v) = Json::parse(s) {
        let text = v.to_text();
        assert_eq!(Json::parse(&text).as_ref(), Ok(&v), "{s:?} → {text:?}");
    }
});
