//! The main part: what a returning user's page needs.

use super::super::convert as cv;
use super::super::methods::{main::Method, Method as AnyMethod, Part};
use super::super::{task, Task};
use super::{warm, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let PartCall { c, method, input } = call;
    let m = match method {
        Some(AnyMethod::Main(m)) => m,
        Some(_) => return super::misrouted(),
        None => return super::ready(),
    };
    Ok(match m {
        Method::GetSession => {
            let force = input.get("forceRefresh").and_then(Json::as_bool).unwrap_or(false);
            let meta = cv::metadata(&input)?;
            task(async move { Ok(cv::session(c.get_session_with(force, &meta).await?.as_ref())) })
        }
        Method::Preload => {
            let part = input.as_str().and_then(Part::parse).ok_or_else(|| {
                Error::config("preload needs a part: 'signIn', 'signOut', 'account', 'hosted', 'verify' or 'aws'")
            })?;
            task(async move {
                warm(c, part).await?;
                Ok(Json::Null)
            })
        }
    })
}
