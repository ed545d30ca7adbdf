//! AWS Signature Version 4 (the IAM user guide's "Create a signed AWS API request" and "Authenticating
//! Requests: Using Query Parameters" for S3), for calling AWS with an identity pool's credentials.
//!
//! ```text
//! canonical request = METHOD \n canonical URI \n canonical query \n canonical headers \n
//!                     signed headers \n hex(SHA-256(payload))
//!   canonical URI    each path segment URI-encoded (RFC 3986 unreserved kept); the path as sent is
//!                    encoded again for every service but S3, which signs it as sent; `.`/`..`
//!                    resolved except for S3
//!   canonical query  name=value pairs URI-encoded, sorted by name then value
//!   canonical headers lowercase names, trimmed values with inner spaces collapsed, sorted;
//!                    always host and x-amz-date (+ x-amz-security-token, x-amz-content-sha256)
//! string to sign    = AWS4-HMAC-SHA256 \n <X-Amz-Date> \n <date>/<region>/<service>/aws4_request \n
//!                     hex(SHA-256(canonical request))
//! signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
//! signature         = hex(HMAC(signing key, string to sign))
//! Authorization     = AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<h1;h2>, Signature=<sig>
//! presigned URL     = the X-Amz-* parameters (incl. X-Amz-Security-Token) in the query, headers
//!                     `host` only, payload UNSIGNED-PAYLOAD, then &X-Amz-Signature=<sig>
//! ```
//! Pinned by the public AWS SigV4 test suite (`get-vanilla`: Signature `5fa00fa3…`, and the other
//! cases in the tests below; credentials `AKIDEXAMPLE`, 2015-08-30T12:36:00Z, us-east-1,
//! service `service`) and by S3's documented `GET /test.txt` example.

use crate::codec::{hex_encode, percent_decode, url_encode};
use crate::crypto::{hmac_sha256, sha256};
use crate::prelude::*;
use crate::time::{civil_from_days, push_2};

/// Temporary AWS credentials (an identity pool's, or any).
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl core::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AwsCredentials(")?;
        f.write_str(&self.access_key_id)?;
        f.write_str(", <redacted>)")
    }
}

/// What is signed: the URL split as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signable<'a> {
    pub method: &'a str,
    /// `example.amazonaws.com` (with `:port` when not the scheme's default).
    pub host: &'a str,
    /// The path as sent (percent-encoded), e.g. `/photos/my%20cat.jpg`.
    pub path: &'a str,
    /// The query as sent, without `?`.
    pub query: &'a str,
    /// Headers to sign besides host and the X-Amz-* ones the signer adds.
    pub headers: &'a [(String, String)],
    /// hex(SHA-256(body)), or `UNSIGNED-PAYLOAD`.
    pub payload_hash: &'a str,
}

/// hex(SHA-256("")): the payload hash of a request without a body.
pub const EMPTY_PAYLOAD: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers never signed: the browser or an intermediary may set or change them.
const UNSIGNABLE: [&str; 6] = ["authorization", "user-agent", "x-amz-user-agent", "expect", "connection", "content-length"];

/// `YYYYMMDDTHHMMSSZ` of seconds since the epoch.
pub fn amz_date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let sod = unix.rem_euclid(86_400) as u64;
    let mut s = crate::json::itoa(y);
    for v in [m as u64, d as u64] {
        push_2(&mut s, v);
    }
    s.push('T');
    for v in [sod / 3600, sod / 60 % 60, sod % 60] {
        push_2(&mut s, v);
    }
    s.push('Z');
    s
}

/// A small stable sort (the lists here hold a handful of items; core's sort is kilobytes of
/// wasm).
fn sort_pairs(v: &mut [(String, String)]) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && v[j - 1] > v[j] {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// RFC 3986 unreserved kept, everything else `%XX`, `/` kept when `keep_slash`.
fn encode(s: &str, keep_slash: bool) -> String {
    if !keep_slash {
        return url_encode(s);
    }
    s.split('/').map(url_encode).collect::<Vec<_>>().join("/")
}

/// The path with `.` and `..` segments resolved (RFC 3986 §5.2.4), for the services that sign a
/// normalized path.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = vec![];
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
            }
            s => out.push(s),
        }
        // A trailing `.` or `..` leaves the path ending in `/`.
        if i == segments.len() - 1 && (*seg == "." || *seg == "..") {
            out.push("");
        }
    }
    let p = out.join("/");
    if p.starts_with('/') {
        p
    } else {
        String::from("/") + &p
    }
}

/// A URL's path (as the browser's URL gives it) in AWS's encoding: each segment decoded and
/// encoded again with only RFC 3986's unreserved characters kept. A signed request is sent with
/// this path, so that what is sent is what was signed.
pub fn aws_path(path: &str) -> String {
    let p = if path.is_empty() { "/" } else { path };
    // Segment by segment: an encoded `/` (%2F) inside a segment stays inside it.
    p.split('/').map(|seg| url_encode(&percent_decode(seg).unwrap_or_else(|| seg.to_string()))).collect::<Vec<_>>().join("/")
}

/// The canonical URI of the path as sent: S3 signs it as sent; every other service signs it
/// normalized and URI-encoded again ("double encoding").
pub fn canonical_uri(path: &str, s3: bool) -> String {
    let path = if path.is_empty() { "/" } else { path };
    if s3 {
        path.to_string()
    } else {
        encode(&remove_dot_segments(path), true)
    }
}

/// The query's pairs, decoded (a pair without `=` has an empty value).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k).unwrap_or_else(|| k.to_string()), percent_decode(v).unwrap_or_else(|| v.to_string()))
        })
        .collect()
}

/// `k=v&…`, each part URI-encoded, sorted: the canonical query, and the query to send (the same
/// text, so what is sent is what was signed).
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = pairs.iter().map(|(k, v)| (url_encode(k), url_encode(v))).collect();
    sort_pairs(&mut enc);
    enc.iter().map(|(k, v)| k.clone() + "=" + v).collect::<Vec<_>>().join("&")
}

/// Lowercase name, value trimmed with runs of spaces collapsed (the suite's `get-header-value-trim`).
fn canonical_header(name: &str, value: &str) -> (String, String) {
    let mut v = String::new();
    for word in value.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty()) {
        if !v.is_empty() {
            v.push(' ');
        }
        v.push_str(word);
    }
    (name.to_ascii_lowercase(), v)
}

/// `<date>/<region>/<service>/aws4_request`.
pub fn scope(amz_date: &str, region: &str, service: &str) -> String {
    String::from(amz_date.get(..8).unwrap_or("")) + "/" + region + "/" + service + "/aws4_request"
}

/// The signing key for a day, region and service.
pub fn signing_key(secret: &str, amz_date: &str, region: &str, service: &str) -> [u8; 32] {
    let k = (String::from("AWS4") + secret).into_bytes();
    let mut key = hmac_sha256(&k, &[amz_date.get(..8).unwrap_or("").as_bytes()]);
    for part in [region, service, "aws4_request"] {
        key = hmac_sha256(&key, &[part.as_bytes()]);
    }
    key
}

/// A request's canonical form and what goes with it.
pub struct Canonical {
    pub request: String,
    /// `host;x-amz-date;…`
    pub signed_headers: String,
    /// The headers to send (lowercase names): the request's own plus host and the X-Amz-* ones.
    pub headers: Vec<(String, String)>,
}

/// The canonical request of `r`, with `query` as the canonical query and `extra` headers
/// (x-amz-date, …) signed too. Every header given is signed (a verifier passes those the
/// request's SignedHeaders name).
pub fn canonical_request(r: &Signable, s3: bool, query: &str, extra: &[(&str, &str)]) -> Canonical {
    let mut headers: Vec<(String, String)> = vec![("host".to_string(), r.host.to_string())];
    for (k, v) in r.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra.iter().copied()) {
        let (k, v) = canonical_header(k, v);
        if k == "host" {
            continue;
        }
        // Repeated names join their values with commas (the suite's `get-header-key-duplicate`).
        match headers.iter_mut().find(|(n, _)| *n == k) {
            Some(h) => {
                h.1.push(',');
                h.1.push_str(&v);
            }
            None => headers.push((k, v)),
        }
    }
    sort_pairs(&mut headers);
    let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let mut request = String::from(r.method) + "\n" + &canonical_uri(r.path, s3) + "\n" + query + "\n";
    for (k, v) in &headers {
        request = request + k + ":" + v + "\n";
    }
    request = request + "\n" + &signed_headers + "\n" + r.payload_hash;
    Canonical { request, signed_headers, headers }
}

/// The string to sign for a canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    String::from("AWS4-HMAC-SHA256\n") + amz_date + "\n" + scope + "\n" + &hex_encode(&sha256(&[canonical_request.as_bytes()]))
}

/// A request signed with headers: the query to send and every header (lowercase names),
/// `authorization` included.
pub struct Signed {
    pub query: String,
    pub headers: Vec<(String, String)>,
}

/// Signs `r` at `unix` with `c` for `region` and `service` (`s3`: S3's rules, and its
/// x-amz-content-sha256 header).
pub fn sign(r: &Signable, c: &AwsCredentials, region: &str, service: &str, unix: i64) -> Signed {
    let s3 = service == "s3";
    let date = amz_date(unix);
    let mut extra = vec![("x-amz-date", date.as_str())];
    if let Some(t) = &c.session_token {
        extra.push(("x-amz-security-token", t.as_str()));
    }
    if s3 {
        extra.push(("x-amz-content-sha256", r.payload_hash));
    }
    let query = canonical_query(&query_pairs(r.query));
    let own: Vec<(String, String)> = r.headers.iter().filter(|(k, _)| !UNSIGNABLE.contains(&k.to_ascii_lowercase().as_str())).cloned().collect();
    let canonical = canonical_request(&Signable { headers: &own, ..r.clone() }, s3, &query, &extra);
    let scope = scope(&date, region, service);
    let sts = string_to_sign(&date, &scope, &canonical.request);
    let signature = hex_encode(&hmac_sha256(&signing_key(&c.secret_access_key, &date, region, service), &[sts.as_bytes()]));
    let mut headers = canonical.headers;
    headers.push((
        "authorization".to_string(),
        String::from("AWS4-HMAC-SHA256 Credential=") + &c.access_key_id + "/" + &scope + ", SignedHeaders=" + &canonical.signed_headers
            + ", Signature=" + &signature,
    ));
    Signed { query, headers }
}

/// A presigned URL's query (the request's own parameters, the X-Amz-* ones and the signature):
/// valid `expires_secs` from `unix`, host the only signed header, the payload unsigned.
pub fn presign(r: &Signable, c: &AwsCredentials, region: &str, service: &str, unix: i64, expires_secs: u32) -> String {
    let date = amz_date(unix);
    let scope = scope(&date, region, service);
    let mut pairs = query_pairs(r.query);
    pairs.retain(|(k, _)| !k.starts_with("X-Amz-"));
    let mut add = |k: &str, v: String| pairs.push((k.to_string(), v));
    add("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_string());
    add("X-Amz-Credential", c.access_key_id.clone() + "/" + &scope);
    add("X-Amz-Date", date.clone());
    add("X-Amz-Expires", crate::json::itoa(expires_secs as i64));
    add("X-Amz-SignedHeaders", "host".to_string());
    if let Some(t) = &c.session_token {
        add("X-Amz-Security-Token", t.clone());
    }
    let query = canonical_query(&pairs);
    let unsigned = Signable { headers: &[], payload_hash: UNSIGNED_PAYLOAD, ..r.clone() };
    let canonical = canonical_request(&unsigned, service == "s3", &query, &[]);
    let sts = string_to_sign(&date, &scope, &canonical.request);
    let signature = hex_encode(&hmac_sha256(&signing_key(&c.secret_access_key, &date, region, service), &[sts.as_bytes()]));
    query + "&X-Amz-Signature=" + &signature
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AWS SigV4 test suite's credentials and clock.
    fn suite() -> AwsCredentials {
        AwsCredentials { access_key_id: "AKIDEXAMPLE".into(), secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(), session_token: None }
    }
    const SUITE_TIME: i64 = 1_440_938_160; // 2015-08-30T12:36:00Z

    fn hdrs(h: &[(&str, &str)]) -> Vec<(String, String)> {
        h.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    /// The signature the suite expects for a case: `path` and `query` as the suite's `.req`
    /// sends them (raw; this signer's callers pass the path as sent, see `canonical_uri`).
    fn suite_signature(method: &str, path: &str, query: &str, headers: &[(&str, &str)], body: &str) -> (String, String) {
        let h = hdrs(headers);
        let hash = hex_encode(&sha256(&[body.as_bytes()]));
        let r = Signable { method, host: "example.amazonaws.com", path, query, headers: &h, payload_hash: &hash };
        let s = sign(&r, &suite(), "us-east-1", "service", SUITE_TIME);
        let auth = s.headers.iter().find(|(k, _)| k == "authorization").unwrap().1.clone();
        let (head, sig) = auth.split_once(", Signature=").unwrap();
        (head.split_once("SignedHeaders=").unwrap().1.to_string(), sig.to_string())
    }

    #[test]
    fn the_aws_sigv4_test_suite() {
        // (case, method, path, query, headers, body, signed headers, signature), as published.
        #[rustfmt::skip]
        type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);
        let cases: [Case; 14] = [
            ("get-vanilla", "GET", "/", "", &[], "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            ("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", &[], "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
            ("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", &[], "", "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
            ("get-vanilla-query-unreserved", "GET", "/", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", &[], "", "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
            ("get-vanilla-utf8-query", "GET", "/", "\u{1234}=bar", &[], "", "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
            ("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", &[], "", "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
            ("get-utf8", "GET", "/\u{1234}", "", &[], "", "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
            ("get-header-value-trim", "GET", "/", "", &[("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], "", "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
            ("get-header-key-duplicate", "GET", "/", "", &[("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")], "", "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
            ("post-vanilla", "POST", "/", "", &[], "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
            ("post-header-value-case", "POST", "/", "", &[("My-Header1", "VALUE1")], "", "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
            ("post-vanilla-query", "POST", "/", "Param1=value1", &[], "", "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
            ("post-x-www-form-urlencoded", "POST", "/", "", &[("Content-Type", "application/x-www-form-urlencoded")], "Param1=value1", "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
            ("post-x-www-form-urlencoded-parameters", "POST", "/", "", &[("Content-Type", "application/x-www-form-urlencoded; charset=utf8")], "Param1=value1", "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        ];
        for (name, method, path, query, headers, body, signed, signature) in cases {
            assert_eq!(suite_signature(method, path, query, headers, body), (signed.to_string(), signature.to_string()), "{name}");
        }
        // post-sts-header-before: the session token is signed (and sent).
        let mut c = suite();
        c.session_token = Some("AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==".into());
        let r = Signable { method: "POST", host: "example.amazonaws.com", path: "/", query: "", headers: &[], payload_hash: EMPTY_PAYLOAD };
        let s = sign(&r, &c, "us-east-1", "service", SUITE_TIME);
        assert!(s.headers.iter().any(|(k, v)| k == "authorization" && v.ends_with("SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")));
        assert!(s.headers.iter().any(|(k, _)| k == "x-amz-security-token"));
    }

    #[test]
    fn s3_documented_get_object_example() {
        // The S3 developer guide's GET Object example (examplebucket, /test.txt, Range bytes=0-9,
        // 20130524T000000Z): Signature f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41.
        let c = AwsCredentials { access_key_id: "AKIAIOSFODNN7EXAMPLE".into(), secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(), session_token: None };
        let h = hdrs(&[("Range", "bytes=0-9")]);
        let r = Signable { method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: "", headers: &h, payload_hash: EMPTY_PAYLOAD };
        let s = sign(&r, &c, "us-east-1", "s3", 1_369_353_600);
        let auth = &s.headers.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert_eq!(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        // The S3 guide's presigned GET example (expires 86400): aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404.
        let q = presign(&Signable { headers: &[], ..r }, &c, "us-east-1", "s3", 1_369_353_600, 86_400);
        assert!(q.ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"), "{q}");
    }

    #[test]
    fn paths_dates_and_queries() {
        assert_eq!(amz_date(SUITE_TIME), "20150830T123600Z");
        assert_eq!(canonical_uri("/a/./b/../c", false), "/a/c");
        assert_eq!(canonical_uri("/a/b/..", false), "/a/");
        assert_eq!(canonical_uri("", false), "/");
        // As sent: a space is %20; services but S3 encode it again.
        assert_eq!(canonical_uri("/my%20cat.jpg", false), "/my%2520cat.jpg");
        assert_eq!(canonical_uri("/my%20cat.jpg", true), "/my%20cat.jpg");
        assert_eq!(canonical_query(&query_pairs("b=2&a=%2B&a=1&c")), "a=%2B&a=1&b=2&c=");
        assert_eq!(aws_path("/photos/(1)%20cat!.jpg"), "/photos/%281%29%20cat%21.jpg");
        assert_eq!(aws_path(""), "/");
        assert_eq!(aws_path("/a%2Fb/c"), "/a%2Fb/c", "an encoded slash stays in its segment");
        assert!(!format!("{:?}", suite()).contains("wJalr"), "the secret is redacted");
    }
}
