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
            let global = cv::flag(&input, "global").unwrap_or(false);
            let redirect = cv::flag(&input, "redirect").unwrap_or(true);
            let all = cv::flag(&input, "allAccounts").unwrap_or(false);
            task(async move { Ok(cv::sign_out_outcome(c.sign_out_with(global, redirect, all).await?)) })
        }
        Method::ListAccounts => task(async move { Ok(Json::Arr(c.list_accounts().await.iter().map(cv::account).collect())) }),
        Method::SwitchAccount => {
            let who = input.as_str().map(String::from).ok_or_else(|| Error::config("switchAccount needs a username or sub"))?;
            text_task(async move { Ok(cv::session(Some(&c.switch_account(&who).await?))) })
        }
    })
}
