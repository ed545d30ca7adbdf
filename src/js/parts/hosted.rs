//! The hosted-UI part: redirect sign-in with PKCE and the callback.

use super::super::convert as cv;
use super::super::methods::{hosted::Method, Method as AnyMethod};
use super::super::{task, Task};
use super::{ready, PartCall};
use cognito_proto::error::Error;
use cognito_proto::json::Json;

pub(super) fn enter(call: PartCall) -> Result<Task, Error> {
    let input = call.json();
    let PartCall { c, method, .. } = call;
    let m = match method {
        Some(AnyMethod::Hosted(m)) => m,
        Some(_) => return super::misrouted(),
        None => return ready(),
    };
    Ok(match m {
        Method::SignInWithRedirect => {
            let (return_to, opts) = cv::authorize(&input);
            let add = cv::flag(&input, "addAccount").unwrap_or(false);
            task(async move {
                c.sign_in_with_redirect(return_to.as_deref(), &opts, add).await?;
                Ok(Json::object(vec![("redirecting", Json::Bool(true))]))
            })
        }
        Method::AuthorizeUrl => {
            let (return_to, opts) = cv::authorize(&input);
            let add = cv::flag(&input, "addAccount").unwrap_or(false);
            task(async move { Ok(Json::Str(c.authorize_url(return_to.as_deref(), &opts, add).await?)) })
        }
        Method::HandleRedirectCallback => {
            let url = input.as_str().map(String::from);
            task(async move { Ok(cv::redirect_outcome(&c.handle_redirect_callback(url).await?)) })
        }
    })
}
