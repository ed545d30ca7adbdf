//! The AWS part: identity-pool credentials and SigV4 signing.

use super::super::convert as cv;
use super::super::methods::{aws::Method, Method as AnyMethod};
use super::super::{task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let input = call.json();
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::Aws(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    Ok(match m {
        Method::GetCredentials => {
            let force = input.get("forceRefresh").and_then(Json::as_bool).unwrap_or(false);
            task(async move { Ok(cv::credentials(c.get_credentials(force).await?.as_ref())) })
        }
        // Called by aws.js's signRequest, fetchSigned and presignUrl (which hash the body).
        Method::SignRequest | Method::PresignUrl => {
            let r = cv::sign_input(&input, m == Method::PresignUrl)?;
            task(async move { Ok(cv::signed_request(&c.sign_request(&r).await?)) })
        }
    })
}
