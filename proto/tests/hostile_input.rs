//! Hostile input for every parser of data the SDK does not control: server bodies and headers,
//! tokens, storage values, the callback URL in the address bar, the app's options.
//!
//! In the wasm a panic aborts the whole module (panic = "abort"), so one malformed value
//! would take the SDK down for the page. These tests feed random text and mutated valid
//! samples (cut, spliced, with multi-byte characters, escapes and delimiters inserted) to each
//! parser; they run in the debug profile, so arithmetic overflow panics too. Where a parser
//! has an inverse, the round trip is checked as well. The generator is seeded, and a failure
//! prints the seed and the input. Native only: catching the panic needs unwinding.
#![cfg(not(target_arch = "wasm32"))]

use cognito_proto::api::{self, HttpResponse};
use cognito_proto::codec::*;
use cognito_proto::config::{Config, Url};
use cognito_proto::json::Json;
use cognito_proto::session::{AutoSignIn, Pending, Session};
use cognito_proto::srp::{Salt, SecretBlock, SrpB, VerifierChallenge};
use cognito_proto::types::UserPoolId;
use cognito_proto::{jwt, oauth, time};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Characters that break naive parsers: delimiters of every format involved, escapes, digits,
/// signs, control and multi-byte characters (slicing inside one panics).
#[rustfmt::skip]
const SPICE: &[&str] = &[
    "\"", "\\", "{", "}", "[", "]", ":", ",", ".", "=", "&", "?", "#", "/", "%", "%2", "%zz", "%C3", "+", "-", "e", "E", "0", "9",
    "99999999999999999999", "-1", "1e999", " ", "\t", "\n", "\u{0}", "\u{7f}", "é", "€", "😀", "\u{fffd}", "\\u", "\\ud800", "\\u00e9",
    "null", "true", "{}", "[]", "==", "a", "Z", "_", ":", "]:", "[::1]", "@", "GMT", "Jan",
];

fn chars(s: &str) -> Vec<&str> {
    s.char_indices().map(|(i, c)| &s[i..i + c.len_utf8()]).collect()
}

/// One mutation of `s`: delete, insert, replace, duplicate a run, or cut.
fn mutate(r: &mut Rng, s: &str) -> String {
    let mut c = chars(s);
    let spice = SPICE[r.below(SPICE.len())];
    let at = r.below(c.len() + 1);
    match r.below(5) {
        0 if !c.is_empty() => {
            c.remove(at.min(c.len() - 1));
        }
        1 => c.insert(at, spice),
        2 if at < c.len() => c[at] = spice,
        3 if !c.is_empty() => {
            let from = r.below(c.len());
            let to = (from + 1 + r.below(8)).min(c.len());
            let run: Vec<&str> = c[from..to].to_vec();
            for (k, x) in run.into_iter().enumerate() {
                c.insert((at + k).min(c.len()), x);
            }
        }
        _ => c.truncate(at),
    }
    c.concat()
}

/// Random text: lossily decoded random bytes, or a random run of spice.
fn noise(r: &mut Rng) -> String {
    let n = r.below(40);
    if r.below(2) == 0 {
        let bytes: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        (0..n).map(|_| SPICE[r.below(SPICE.len())]).collect()
    }
}

/// `cases` inputs derived from the samples (1–4 mutations each) plus noise, each given to `f`.
/// A panic reports the seed and the input that caused it.
fn hammer(name: &str, samples: &[String], cases: usize, f: impl Fn(&str)) {
    let seed = 0x9E37_79B9_7F4A_7C15 ^ name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut r = Rng(seed);
    for case in 0..cases {
        let input = if samples.is_empty() || r.below(5) == 0 {
            noise(&mut r)
        } else {
            let mut s = samples[r.below(samples.len())].clone();
            for _ in 0..1 + r.below(4) {
                s = mutate(&mut r, &s);
            }
            s
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&input)));
        assert!(run.is_ok(), "{name}: panicked on case {case} (seed {seed:#x}), input {input:?}");
    }
}

fn jwt_of(header: &str, payload: &str) -> String {
    base64url_encode(header.as_bytes()) + "." + &base64url_encode(payload.as_bytes()) + "." + &base64url_encode(b"sig")
}

const POOL: &str = "us-east-1_AbC123";
const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123";

fn tokens() -> (String, String) {
    let id = jwt_of(
        r#"{"alg":"RS256","kid":"k1"}"#,
        &(String::from(
            r#"{"sub":"s-1","aud":"client1","token_use":"id","cognito:username":"alice","exp":1900000000,"iat":1800000000,"iss":""#,
        ) + ISS
            + r#"","email":"a@example.com","custom:x":"é"}"#),
    );
    let access = jwt_of(
        r#"{"alg":"RS256","kid":"k1"}"#,
        &(String::from(
            r#"{"sub":"s-1","client_id":"client1","token_use":"access","username":"alice","exp":1900000000,"iat":1800000000,"iss":""#,
        ) + ISS
            + r#"","scope":"aws.cognito.signin.user.admin"}"#),
    );
    (id, access)
}

const CASES: usize = 4000;

#[test]
fn json_parser_survives_and_round_trips() {
    let samples: Vec<String> = [
        r#"{"AuthenticationResult":{"AccessToken":"a","ExpiresIn":3600,"IdToken":"i","RefreshToken":"r","TokenType":"Bearer"},"ChallengeParameters":{}}"#,
        r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"01","SECRET_BLOCK":"AA==","USER_ID_FOR_SRP":"u"}}"#,
        r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
        r#"[1, -2.5e+3, "\u00e9\"\\\n", true, false, null, {"a": [[]]}]"#,
        r#"{"keys":[{"kid":"k","kty":"RSA","alg":"RS256","n":"AQAB","e":"AQAB","use":"sig"}]}"#,
    ]
    .map(String::from)
    .to_vec();
    hammer("json", &samples, CASES * 3, |s| {
        let raw = cognito_proto::json::Raw::parse(s);
        assert_eq!(Json::parse(s).is_ok(), raw.is_ok(), "{s:?}: the tree and the scanning reader disagree");
        if let Ok(v) = Json::parse(s) {
            let text = v.to_text();
            assert_eq!(Json::parse(&text).as_ref(), Ok(&v), "{s:?} → {text:?} does not parse back to the same value");
            same_as_raw(&v, raw.unwrap());
        }
    });
    // Deep nesting is refused, not a stack overflow (by both readers).
    for deep in ["[".repeat(100_000), "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000)] {
        assert!(Json::parse(&deep).is_err());
        assert!(cognito_proto::json::Raw::parse(&deep).is_err());
    }
}

/// The scanning reader (`Raw`, the main module's) reads what the tree holds, all the way down.
fn same_as_raw(tree: &Json, raw: cognito_proto::json::Raw) {
    match tree {
        Json::Obj(members) => {
            let read: Vec<_> = raw.members().collect();
            assert_eq!(read.len(), members.len(), "{}", raw.text());
            for ((k, v), (rk, rv)) in members.iter().zip(read) {
                assert_eq!(*k, rk);
                same_as_raw(v, rv);
            }
        }
        Json::Arr(items) => {
            let read: Vec<_> = raw.items().collect();
            assert_eq!(read.len(), items.len(), "{}", raw.text());
            for (v, rv) in items.iter().zip(read) {
                same_as_raw(v, rv);
            }
        }
        Json::Str(s) => assert_eq!(raw.as_str().as_deref(), Some(s.as_str())),
        Json::Num(_) => assert_eq!(raw.as_i64(), tree.as_i64(), "{}", raw.text()),
        Json::Bool(b) => assert_eq!(raw.as_bool(), Some(*b)),
        Json::Null => assert!(raw.is_null()),
    }
}

#[test]
fn service_answers_and_headers_survive() {
    let bodies: Vec<String> = [
        r#"{"AuthenticationResult":{"AccessToken":"a","ExpiresIn":3600,"IdToken":"i","RefreshToken":"r"},"ChallengeParameters":{}}"#,
        r#"{"ChallengeName":"SMS_MFA","Session":"s","ChallengeParameters":{"CODE_DELIVERY_DESTINATION":"+1***","CODE_DELIVERY_DELIVERY_MEDIUM":"SMS"}}"#,
        r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"01","SECRET_BLOCK":"AA==","USER_ID_FOR_SRP":"u"}}"#,
        r#"{"__type":"com.amazonaws#NotAuthorizedException","message":"no"}"#,
        r#"{"access_token":"a","id_token":"i","refresh_token":"r","expires_in":3600,"token_type":"Bearer"}"#,
        r#"{"error":"invalid_grant","error_description":"bad"}"#,
    ]
    .map(String::from)
    .to_vec();
    hammer("answers", &bodies, CASES, |body| {
        for (status, error_type) in [(200, None), (400, Some("NotAuthorizedException:")), (500, None), (429, Some(body))] {
            let resp = HttpResponse {
                status,
                body: body.to_string(),
                error_type: error_type.map(String::from),
                cache_control: Some(body.to_string()),
                date_secs: time::parse_http_date(body),
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
    let dates = ["Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:60 GMT"].map(String::from);
    hammer("http date", &dates, CASES, |d| {
        if let Some(t) = time::parse_http_date(d) {
            assert!((0..=253_402_300_800).contains(&t), "{d:?} gave {t}: outside years 1970–9999");
        }
    });
}

#[test]
fn srp_values_from_the_server_survive() {
    let hex = ["0a1b2c3d4e5f", "00ff", &"ff".repeat(384), &"1".repeat(769)].map(String::from);
    hammer("srp hex", &hex, CASES, |s| {
        let _ = SrpB::from_hex(s);
        let _ = Salt::from_hex(s);
        let _ = hex_decode(s);
        let _ = VerifierChallenge::from_params(|k| match k {
            "SALT" => Some(s),
            "SRP_B" => Some("02"),
            "SECRET_BLOCK" => Some(s),
            _ => None,
        });
    });
    let b64 = ["AAEC", "SGVsbG8=", "SGVsbA==", "+/+/", "-_-_"].map(String::from);
    hammer("srp base64", &b64, CASES, |s| {
        let _ = SecretBlock::from_base64(s);
        let _ = base64_decode(s);
    });
}

#[test]
fn tokens_and_stored_values_survive() {
    let (id, access) = tokens();
    let samples = vec![id.clone(), access.clone(), jwt_of(r#"{"alg":"none"}"#, "{}"), String::from("a.b.c")];
    let issuers = [ISS.to_string()];
    hammer("jwt", &samples, CASES, |t| {
        if let Ok(j) = jwt::decode(t) {
            let _ = jwt::check_claims(
                j.claims(),
                &jwt::Expect {
                    issuers: &issuers,
                    client_id: "client1",
                    token_use: None,
                    nonce: Some("n"),
                    now_secs: 1_850_000_000,
                    skew_secs: 300,
                },
            );
        }
        let _ = Session::from_stored("alice", Some(t), Some(&access), Some("r"), Some("0"), Some("hostedUI"));
        let _ = Session::from_stored("alice", Some(&id), Some(t), None, Some(t), Some(t));
    });
    let pending = [
        r#"{"challenge":"SMS_MFA","session":"s","username":"alice","params":{"CODE_DELIVERY_DESTINATION":"+1"},"expiresAt":1800000000000,"flow":"srp"}"#,
        r#"{"username":"alice","session":"s","expiresAt":1800000000000}"#,
    ]
    .map(String::from);
    hammer("stored records", &pending, CASES, |s| {
        let _ = Pending::from_json(s);
        let _ = AutoSignIn::from_json(s);
        let _ = oauth::Transaction::from_json("nonce", s);
        let _ = Session::from_stored(s, Some(&id), Some(&access), Some(s), Some(s), Some(s));
    });
}

#[test]
fn callback_urls_states_and_return_paths_survive() {
    let state = oauth::encode_state("n0nce", "/account/é?x=1#y");
    let samples = vec![
        String::from("https://app.example.com/cb?code=abc&state=") + &state + "#frag",
        String::from("https://app.example.com/cb#error=access_denied&error_description=No%20way&state=") + &state,
        String::from("/account/*"),
        String::from("/a/b?c=%2F%2Fevil.example#d"),
        String::from("javascript%3Aalert(1)"),
        state.clone(),
    ];
    let allowed = vec![String::from("/"), String::from("/account/*")];
    hammer("callback", &samples, CASES, |s| {
        let cb = oauth::parse_callback(s);
        let _ = oauth::strip_callback_params(s);
        if let Some(st) = cb.state {
            let _ = oauth::decode_state(&st);
        }
        let _ = oauth::decode_state(s);
        if let Ok(p) = oauth::validate_return_path(s, "https://app.example.com", &allowed) {
            assert!(p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'), "{s:?} was accepted as {p:?}");
        }
        let _ = url_decode(s);
        let _ = form_decode(s);
    });
    // Inverses.
    let mut r = Rng(7);
    for _ in 0..CASES {
        let s = noise(&mut r);
        assert_eq!(url_decode(&url_encode(&s)).as_deref(), Some(s.as_str()), "url round trip of {s:?}");
        assert_eq!(form_decode(&form_encode(&[(&s, &s), ("k", "v")])), vec![(s.clone(), s.clone()), ("k".into(), "v".into())]);
        assert_eq!(base64_decode(&base64_encode(s.as_bytes())), Some(s.as_bytes().to_vec()));
        assert_eq!(base64_decode(&base64url_encode(s.as_bytes())), Some(s.as_bytes().to_vec()));
        assert_eq!(hex_decode(&hex_encode(s.as_bytes())), Some(s.as_bytes().to_vec()));
        // The nonce is base64url (the SDK makes it from 32 random bytes); the path is anything.
        let nonce = base64url_encode(&r.next().to_le_bytes().repeat(3));
        assert_eq!(oauth::decode_state(&oauth::encode_state(&nonce, &s)).ok(), Some((nonce, s.clone())), "state round trip");
    }
}

#[test]
fn options_and_ids_survive() {
    let samples = [
        String::from(r#"{"userPoolId":""#)
            + POOL
            + r#"","clientId":"client1","endpoint":"http://127.0.0.1:9229/","hostedUi":{"domain":"https://a.auth.us-east-1.amazoncognito.com","redirectSignIn":"https://app.example.com/cb","redirectSignOut":"https://app.example.com/","scopes":["openid"],"allowedReturnPaths":["/","/a/*"]},"maxRetries":2,"refreshMarginSeconds":30}"#,
        String::from("https://[::1]:8080/a?b#c"),
        String::from(POOL),
    ];
    hammer("options", &samples, CASES, |s| {
        if let Ok(v) = cognito_proto::json::Raw::parse(s) {
            let _ = Config::from_options(v, false);
        }
        if let Some(u) = Url::parse(s) {
            let _ = (u.origin(), u.path(), u.is_loopback());
        }
        if let Ok(p) = UserPoolId::parse(s) {
            let _ = (p.region(), p.pool_name());
        }
    });
}
