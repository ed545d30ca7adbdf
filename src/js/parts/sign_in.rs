//! The sign-in part: SRP, every challenge, remembered devices, passkey sign-in.

use super::super::convert as cv;
use super::super::methods::{sign_in::Method, Method as AnyMethod};
use super::super::{task, Task};
use super::PartCall;
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let (input, meta) = (call.json(), call.metadata());
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::SignIn(m)) => m,
        Some(_) => return super::misrouted(),
        None => {
            // Loaded ahead (`preload('signIn')`, a login page): a sign-in is coming.
            c.preconnect();
            c.prepare_soon();
            return super::ready();
        }
    };
    Ok(match m {
        Method::SignIn => {
            let input = cv::sign_in_input(&input, meta?)?;
            task(async move {
                let r = c.sign_in(input).await;
                c.prepare_soon();
                Ok(cv::sign_in_outcome(&r?))
            })
        }
        Method::ConfirmSignIn => {
            let (answer, meta) = (cv::answer(&input)?, meta?);
            task(async move { Ok(cv::sign_in_outcome(&c.confirm_sign_in(answer, &meta).await?)) })
        }
        Method::GetPendingSignIn => task(async move { Ok(c.pending_sign_in().await.map_or(Json::Null, |p| cv::next_step(&p))) }),
        Method::AutoSignIn => {
            let meta = meta?;
            task(async move { Ok(cv::sign_in_outcome(&c.auto_sign_in(&meta).await?)) })
        }
    })
}
