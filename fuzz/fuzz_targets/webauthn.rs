//! Passkey option documents from Cognito (CredentialCreationOptions, CREDENTIAL_REQUEST_OPTIONS):
//! no panic; what is accepted has its binary members decoded and a usable timeout.
#![no_main]
use cognito_proto::json::Json;
use cognito_proto::webauthn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(doc) = Json::parse(s) {
        for creating in [true, false] {
            if let Ok(o) = webauthn::options(&doc, creating) {
                assert_eq!(o.creating(), creating);
                assert!(o.timeout_ms > 5_000 && o.timeout_ms <= 605_000);
                assert_eq!(o.doc.get(o.list_key()).and_then(Json::as_array).map_or(0, |l| l.len()), o.credential_ids.len());
            }
        }
    }
});
