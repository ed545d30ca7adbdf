//! The JSON readers (every Cognito answer, JWKS, token payload and stored record goes through
//! them): no panic; what the tree reader accepts prints back to text that parses to the same
//! value; and the scanning reader (`Raw`, the main module's) accepts exactly the same texts and
//! reads the same members, items, strings and numbers as the tree.
#![no_main]
use cognito_proto::json::{Json, Raw};
use libfuzzer_sys::fuzz_target;

/// `raw` reads as `tree` does, all the way down.
fn same(tree: &Json, raw: Raw) {
    match tree {
        Json::Obj(members) => {
            let read: Vec<(String, Raw)> = raw.members().collect();
            assert_eq!(read.len(), members.len());
            for ((k, v), (rk, rv)) in members.iter().zip(read) {
                assert_eq!(*k, rk);
                same(v, rv);
            }
        }
        Json::Arr(items) => {
            let read: Vec<Raw> = raw.items().collect();
            assert_eq!(read.len(), items.len());
            for (v, rv) in items.iter().zip(read) {
                same(v, rv);
            }
        }
        Json::Str(s) => assert_eq!(raw.as_str().as_deref(), Some(s.as_str())),
        Json::Num(_) => assert_eq!(raw.as_i64(), tree.as_i64()),
        Json::Bool(b) => assert_eq!(raw.as_bool(), Some(*b)),
        Json::Null => assert!(raw.is_null()),
    }
}

fuzz_target!(|s: &str| {
    let tree = Json::parse(s);
    let raw = Raw::parse(s);
    assert_eq!(tree.is_ok(), raw.is_ok(), "{s:?}: the readers disagree");
    if let (Ok(v), Ok(r)) = (tree, raw) {
        let text = v.to_text();
        assert_eq!(Json::parse(&text).as_ref(), Ok(&v), "{s:?} → {text:?}");
        same(&v, r);
    }
});
