//! The sign-out part.

use super::super::convert as cv;
use super::super::methods::{sign_out::Method, Method as AnyMethod};
use super::super::{task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let input = call.json();
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::SignOut(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    Ok(match m {
        Method::SignOut => {
            let global = input.get("global").and_then(Json::as_bool).unwrap_or(false);
            let redirect = input.get("redirect").and_then(Json::as_bool).unwrap_or(true);
            task(async move { Ok(cv::sign_out_outcome(c.sign_out(global, redirect).await?)) })
        }
    })
}
