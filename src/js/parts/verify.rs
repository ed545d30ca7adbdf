//! The token-verification part: JWKS and RS256 signatures.

use super::super::methods::{verify::Method, Method as AnyMethod};
use super::super::{text_task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let input = call.json();
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::Verify(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    Ok(match m {
        Method::VerifyToken => {
            let jwt = input.as_str().ok_or_else(|| Error::config("verifyToken needs a JWT"))?.to_string();
            text_task(async move { c.verify(&jwt).await })
        }
    })
}
