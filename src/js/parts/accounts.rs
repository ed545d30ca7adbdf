//! The accounts part: signing out, and the signed-in accounts (several accounts).

use super::super::convert as cv;
use super::super::methods::{accounts::Method, Method as AnyMethod};
use super::super::{task, text_task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let input = call.json();
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::Accounts(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    Ok(match m {
        Method::SignOut => {
            let global = input.get("global").and_then(Json::as_bool).unwrap_or(false);
            let redirect = input.get("redirect").and_then(Json::as_bool).unwrap_or(true);
            let all = input.get("allAccounts").and_then(Json::as_bool).unwrap_or(false);
            task(async move { Ok(cv::sign_out_outcome(c.sign_out_with(global, redirect, all).await?)) })
        }
        Method::ListAccounts => task(async move { Ok(Json::Arr(c.list_accounts().await.iter().map(cv::account).collect())) }),
        Method::SwitchAccount => {
            let who = input.as_str().map(String::from).ok_or_else(|| Error::config("switchAccount needs a username or sub"))?;
            text_task(async move { Ok(cv::session(Some(&c.switch_account(&who).await?))) })
        }
    })
}
