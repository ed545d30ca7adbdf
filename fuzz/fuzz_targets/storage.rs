//! Records read back from storage (another version, another library or a user may have written
//! them): the pending sign-in step, the auto sign-in intent, the OAuth transaction, a session.
#![no_main]
use cognito_proto::oauth::Transaction;
use cognito_proto::session::{AutoSignIn, Pending, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = Pending::from_json(s);
    let _ = AutoSignIn::from_json(s);
    let _ = Transaction::from_json("nonce", s);
    let _ = Session::from_stored(s, None, None, Some(s), Some(s), Some(s));
});
