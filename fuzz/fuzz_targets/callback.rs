//! The address bar after a hosted-UI redirect: the callback URL, its `state` and the return
//! path. No panic, and no accepted return path leaves the app's origin.
#![no_main]
use cognito_proto::codec::{form_decode, url_decode};
use cognito_proto::oauth;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let allowed = [String::from("/"), String::from("/account/*")];
    let cb = oauth::parse_callback(s);
    let _ = oauth::strip_callback_params(s);
    for st in [cb.state.as_deref(), Some(s)].into_iter().flatten() {
        if let Ok((_, path)) = oauth::decode_state(st) {
            let _ = oauth::validate_return_path(&path, "https://app.example.com", &allowed);
        }
    }
    if let Ok(p) = oauth::validate_return_path(s, "https://app.example.com", &allowed) {
        assert!(p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'), "{s:?} accepted as {p:?}");
    }
    let _ = url_decode(s);
    let _ = form_decode(s);
});
