//! The main part: what a returning user's page needs. Its input is read as a `Raw` and its
//! output written as text: no JSON tree in the main module.

use super::super::convert as cv;
use super::super::methods::{main::Method, Method as AnyMethod, Part};
use super::super::{text_task, Task};
use super::{warm, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Raw;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let PartCall { c, method, input } = call;
    let m = match method {
        Some(AnyMethod::Main(m)) => m,
        Some(_) => return super::misrouted(),
        None => return super::ready(),
    };
    let raw = Raw::parse(&input).map_err(|_| Error::config("the argument cannot be read"))?;
    Ok(match m {
        Method::GetSession => {
            let force = raw.get("forceRefresh").and_then(Raw::as_bool).unwrap_or(false);
            let meta = cv::metadata(raw)?;
            text_task(async move { Ok(cv::session(c.get_session_with(force, &meta).await?.as_ref())) })
        }
        Method::Preload => {
            let part = raw.as_str().as_deref().and_then(Part::parse).ok_or_else(|| {
                Error::config("preload needs a part: 'signIn', 'accounts', 'account', 'hosted', 'verify' or 'aws'")
            })?;
            let ready = warm(c, part)?;
            text_task(async move {
                ready.await?;
                Ok(String::from("null"))
            })
        }
    })
}
