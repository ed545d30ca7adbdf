//! A SigV4-verifying stand-in for AWS services: `/_emulator/aws/<service>/<path>` accepts a
//! request signed (Authorization header, or a presigned URL) with credentials this emulator's
//! identity pools issued, recomputes the signature with the issued secret (`cognito_proto::sigv4`,
//! from the request as received), and answers as that service would.
//!
//! ```text
//! checks: credentials known (S3 InvalidAccessKeyId | UnrecognizedClientException), session token
//!   (InvalidToken | UnrecognizedClientException), not expired (ExpiredToken |
//!   ExpiredTokenException), scope names this service, X-Amz-Date within 5 minutes
//!   (RequestTimeTooSkewed | InvalidSignatureException), a presigned URL not past X-Amz-Expires,
//!   S3's x-amz-content-sha256 is the body's, the signature (SignatureDoesNotMatch |
//!   InvalidSignatureException)
//! S3 (`s3`): errors as XML <Error><Code/><Message/></Error>; PUT stores the object, GET returns it
//! others (`execute-api`, `lambda`, …): errors as JSON {"message"} with x-amzn-ErrorType;
//!   success: 200 {"identityId", "authenticated", "service", "method", "path", "query", "bodySha256"}
//! ```

use crate::http::{json_response, response, Answer, Request};
use crate::state::{Db, IssuedCredentials};
use crate::util::*;
use cognito_proto::codec::hex_encode;
use cognito_proto::crypto::{ct_eq, sha256};
use cognito_proto::sigv4::{self, Signable, UNSIGNED_PAYLOAD};
use serde_json::json;

/// How far X-Amz-Date may be from now.
const SKEW_SECONDS: i64 = 300;

fn failure(service: &str, status: u16, code: &str, message: &str) -> Answer {
    if service == "s3" {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{}</RequestId></Error>",
            uuid()
        );
        return response(status, "application/xml", body.into_bytes(), &[]);
    }
    let mut a = json_response(status, &json!({"message": message}));
    a.headers.push(("x-amzn-ErrorType".into(), format!("{code}:http://internal.amazon.com/coral/com.amazon.coral.service/")));
    a
}

/// `20150830T123600Z` → seconds since the epoch.
fn parse_amz_date(d: &str) -> Option<i64> {
    if d.len() != 16 || !d.ends_with('Z') || d.as_bytes()[8] != b'T' {
        return None;
    }
    let n = |a: usize, b: usize| d.get(a..b)?.parse::<i64>().ok();
    let days = cognito_proto::time::days_from_civil(n(0, 4)?, n(4, 6)? as u32, n(6, 8)? as u32);
    Some(days * 86_400 + n(9, 11)? * 3600 + n(11, 13)? * 60 + n(13, 15)?)
}

struct Auth {
    access_key: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    token: Option<String>,
    /// Presigned: X-Amz-Expires.
    expires: Option<i64>,
}

fn parse_auth(r: &Request) -> Option<Auth> {
    let scope = |credential: &str| -> Option<(String, String, String)> {
        let parts: Vec<&str> = credential.split('/').collect();
        (parts.len() == 5 && parts[4] == "aws4_request").then(|| (parts[0].to_string(), parts[2].to_string(), parts[3].to_string()))
    };
    if let Some(h) = r.header("authorization").and_then(|h| h.strip_prefix("AWS4-HMAC-SHA256 ")) {
        let field = |name: &str| h.split(',').map(str::trim).find_map(|p| p.strip_prefix(name)).map(String::from);
        let (access_key, region, service) = scope(&field("Credential=")?)?;
        return Some(Auth {
            access_key,
            date: r.header("x-amz-date")?.to_string(),
            region,
            service,
            signed_headers: field("SignedHeaders=")?.split(';').map(String::from).collect(),
            signature: field("Signature=")?,
            token: r.header("x-amz-security-token").map(String::from),
            expires: None,
        });
    }
    let q = sigv4::query_pairs(&r.query);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if get("X-Amz-Algorithm")? != "AWS4-HMAC-SHA256" {
        return None;
    }
    let (access_key, region, service) = scope(&get("X-Amz-Credential")?)?;
    Some(Auth {
        access_key,
        date: get("X-Amz-Date")?,
        region,
        service,
        signed_headers: get("X-Amz-SignedHeaders")?.split(';').map(String::from).collect(),
        signature: get("X-Amz-Signature")?,
        token: get("X-Amz-Security-Token"),
        expires: Some(get("X-Amz-Expires")?.parse().ok()?),
    })
}

/// The service a request is for, and how it speaks its errors.
struct Service<'a> {
    name: &'a str,
    s3: bool,
}

impl Service<'_> {
    fn fail(&self, status: u16, code: &str, message: &str) -> Answer {
        failure(self.name, status, code, message)
    }

    /// S3's code, or the other services' code, for the same failure.
    fn either(&self, status: (u16, u16), s3: &str, other: &str, message: (&str, &str)) -> Answer {
        if self.s3 {
            self.fail(status.0, s3, message.0)
        } else {
            self.fail(status.1, other, message.1)
        }
    }
}

/// The credentials a request is signed with: issued here, with their session token, unexpired,
/// scoped to this service.
fn credentials(db: &Db, svc: &Service, a: &Auth, now: i64) -> Result<IssuedCredentials, Answer> {
    let Some(c) = db.runtime.aws_credentials.get(&a.access_key).cloned() else {
        let m =
            ("The AWS Access Key Id you provided does not exist in our records.", "The security token included in the request is invalid.");
        return Err(svc.either((403, 403), "InvalidAccessKeyId", "UnrecognizedClientException", m));
    };
    if a.token.as_deref().is_none_or(|t| !ct_eq(t.as_bytes(), c.session_token.as_bytes())) {
        let m = ("The provided token is malformed or otherwise invalid.", "The security token included in the request is invalid.");
        return Err(svc.either((400, 403), "InvalidToken", "UnrecognizedClientException", m));
    }
    if now >= c.expiration {
        let m = ("The provided token has expired.", "The security token included in the request is expired");
        return Err(svc.either((400, 403), "ExpiredToken", "ExpiredTokenException", m));
    }
    if a.service != svc.name {
        let m = format!("Credential should be scoped to correct service: '{}'.", svc.name);
        return Err(svc.either((403, 403), "SignatureDoesNotMatch", "InvalidSignatureException", (&m, &m)));
    }
    Ok(c)
}

/// X-Amz-Date within 5 minutes, or a presigned URL not past X-Amz-Expires.
fn check_time(svc: &Service, a: &Auth, now: i64) -> Result<(), Answer> {
    let Some(signed_at) = parse_amz_date(&a.date) else {
        let m = ("X-Amz-Date must be in the ISO8601 Long Format", "Invalid X-Amz-Date");
        return Err(svc.either((403, 403), "AccessDenied", "IncompleteSignatureException", m));
    };
    match a.expires {
        Some(e) if now > signed_at + e => Err(svc.fail(403, "AccessDenied", "Request has expired")),
        None if (now - signed_at).abs() > SKEW_SECONDS => {
            let m = (
                "The difference between the request time and the current time is too large.",
                "Signature expired: the request time is more than 5 minutes from the current time.",
            );
            Err(svc.either((403, 403), "RequestTimeTooSkewed", "InvalidSignatureException", m))
        }
        _ => Ok(()),
    }
}

/// The payload hash the signature covers; S3's x-amz-content-sha256 must be the body's.
fn payload_hash(svc: &Service, a: &Auth, r: &Request, body_hash: &str) -> Result<String, Answer> {
    if a.expires.is_some() {
        return Ok(UNSIGNED_PAYLOAD.to_string());
    }
    if !svc.s3 {
        return Ok(body_hash.to_string());
    }
    let claimed = r.header("x-amz-content-sha256").unwrap_or("").to_string();
    if claimed != UNSIGNED_PAYLOAD && claimed != body_hash {
        return Err(svc.fail(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ));
    }
    Ok(claimed)
}

/// Recomputes the signature from the request as received (the signed headers, the query without
/// the signature) with the issued secret.
fn check_signature(svc: &Service, a: &Auth, r: &Request, secret: &str, payload: &str) -> Result<(), Answer> {
    let headers: Vec<(String, String)> =
        a.signed_headers.iter().filter(|h| *h != "host").map(|h| (h.clone(), r.header(h).unwrap_or("").to_string())).collect();
    let pairs: Vec<(String, String)> = sigv4::query_pairs(&r.query).into_iter().filter(|(k, _)| k != "X-Amz-Signature").collect();
    let query = sigv4::canonical_query(&pairs);
    let host = r.header("host").unwrap_or("");
    let signable = Signable { method: &r.method, host, path: &r.path, query: &r.query, headers: &headers, payload_hash: payload };
    let canonical = sigv4::canonical_request(&signable, svc.s3, &query, &[]);
    let scope = sigv4::scope(&a.date, &a.region, svc.name);
    let sts = sigv4::string_to_sign(&a.date, &scope, &canonical.request);
    let key = sigv4::signing_key(secret, &a.date, &a.region, svc.name);
    let expected = hex_encode(&cognito_proto::crypto::hmac_sha256(&key, &[sts.as_bytes()]));
    if canonical.signed_headers != a.signed_headers.join(";") || !ct_eq(expected.as_bytes(), a.signature.as_bytes()) {
        let m = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
        return Err(svc.either((403, 403), "SignatureDoesNotMatch", "InvalidSignatureException", (m, m)));
    }
    Ok(())
}

/// S3: PUT stores the object, GET returns it, DELETE removes it.
fn s3(db: &mut Db, svc: &Service, r: &Request, object: &str, body_hash: &str) -> Answer {
    let key = cognito_proto::codec::percent_decode(object).unwrap_or_default();
    match r.method.as_str() {
        "PUT" => {
            let ct = r.header("content-type").unwrap_or("application/octet-stream").to_string();
            db.runtime.s3_objects.insert(key, (ct, r.body.clone()));
            response(200, "", vec![], &[("ETag".into(), format!("\"{}\"", &body_hash[..32]))])
        }
        "GET" => match db.runtime.s3_objects.get(&key) {
            Some((ct, bytes)) => response(200, ct, bytes.clone(), &[]),
            None => svc.fail(404, "NoSuchKey", "The specified key does not exist."),
        },
        "DELETE" => {
            db.runtime.s3_objects.remove(&key);
            response(204, "", vec![], &[])
        }
        _ => response(200, "", vec![], &[]),
    }
}

pub fn handle(db: &mut Db, r: &Request) -> Answer {
    let rest = r.path.trim_start_matches("/_emulator/aws/");
    let (service, object) = rest.split_once('/').unwrap_or((rest, ""));
    let svc = Service { name: service, s3: service == "s3" };
    let Some(a) = parse_auth(r) else {
        return svc.either(
            (403, 403),
            "AccessDenied",
            "MissingAuthenticationTokenException",
            ("Access Denied", "Missing Authentication Token"),
        );
    };
    let now = system_now();
    let body_hash = hex_encode(&sha256(&[&r.body]));
    let checked = credentials(db, &svc, &a, now).and_then(|c| {
        check_time(&svc, &a, now)?;
        let payload = payload_hash(&svc, &a, r, &body_hash)?;
        check_signature(&svc, &a, r, &c.secret, &payload)?;
        Ok(c)
    });
    let c = match checked {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    db.count(&c.identity_pool, &format!("aws:{service}"));
    if svc.s3 {
        return s3(db, &svc, r, object, &body_hash);
    }
    json_response(
        200,
        &json!({
            "identityId": c.identity_id,
            "authenticated": c.authenticated,
            "service": service,
            "method": r.method,
            "path": r.path,
            "query": r.query,
            "bodySha256": body_hash,
        }),
    )
}
