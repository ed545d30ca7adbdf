//! Tokens from the server or from storage: decoding, the claims checks, and a stored session
//! built from them. No panic; an accepted token's claims satisfy what was checked.
#![no_main]
use cognito_proto::json::Json;
use cognito_proto::jwt;
use cognito_proto::session::Session;
use libfuzzer_sys::fuzz_target;

const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123";

fuzz_target!(|t: &str| {
    let issuers = [ISS.to_string()];
    if let Ok(j) = jwt::decode(t) {
        let _ = j.kid();
        let e = jwt::Expect { issuers: &issuers, client_id: "client1", token_use: None, nonce: Some("n"), now_secs: 1_850_000_000, skew_secs: 300 };
        if jwt::check_claims(&j.claims, &e).is_ok() {
            assert_eq!(j.claims.str("iss"), Some(ISS));
        }
        let _ = jwt::parse_jwks(&j.claims);
    }
    if let Ok(v) = Json::parse(t) {
        let _ = jwt::parse_jwks(&v);
    }
    let _ = jwt::max_age(Some(t));
    let _ = Session::from_stored("alice", Some(t), Some(t), Some(t), Some(t), Some(t));
});
