//! Reading a JSON API request into the operation's typed input (serde derive, members named as
//! in the Amazon Cognito user pools API reference), with Cognito's errors: a missing required
//! member is InvalidParameterException naming it; a member of the wrong type is
//! SerializationException. A `null` member counts as absent, as in the AWS JSON protocol.

use crate::error::*;
use crate::state::User;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// The body as the operation's input type.
pub fn parse<T: DeserializeOwned>(body: Value) -> ApiResult<T> {
    let Value::Object(mut members) = body else {
        return Err(fail(Exception::Serialization, "Request body must be a JSON object"));
    };
    members.retain(|_, v| !v.is_null());
    serde_json::from_value(Value::Object(members)).map_err(|e| from_serde(&e))
}

fn from_serde(e: &serde_json::Error) -> ApiError {
    let text = e.to_string();
    match text.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
        Some(field) => missing(field),
        None => fail(Exception::Serialization, text),
    }
}

/// An `AttributeType`: `{"Name", "Value"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// Attributes as (name, value), checked against Cognito's limits.
pub fn attributes(list: Vec<AttributeType>) -> ApiResult<Vec<(String, String)>> {
    list.into_iter()
        .map(|a| {
            if a.name.is_empty() || a.name.len() > 32 {
                return Err(invalid_param(format!("Invalid attribute name {}", a.name)));
            }
            if a.value.len() > 2048 {
                return Err(invalid_param(format!("Attribute {} is too long", a.name)));
            }
            Ok((a.name, a.value))
        })
        .collect()
}

/// ValidationData as the map a trigger event carries.
pub fn validation_map(list: Vec<AttributeType>) -> ApiResult<serde_json::Map<String, Value>> {
    Ok(attributes(list)?.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

pub fn attributes_json(user: &User) -> Value {
    Value::Array(user.attributes.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Input {
        client_id: String,
        username: String,
        #[allow(dead_code)]
        secret_hash: Option<String>,
    }

    #[test]
    fn missing_members_are_named_and_wrong_types_are_serialization_errors() {
        let e = parse::<Input>(json!({"ClientId": "c"})).unwrap_err();
        assert_eq!(e.name(), "InvalidParameterException");
        assert!(e.message.contains("'username'"), "{}", e.message);
        let e = parse::<Input>(json!({"ClientId": "c", "Username": null})).unwrap_err();
        assert!(e.message.contains("'username'"));
        assert_eq!(parse::<Input>(json!({"ClientId": "c", "Username": 42})).unwrap_err().name(), "SerializationException");
        assert_eq!(parse::<Input>(json!([1])).unwrap_err().name(), "SerializationException");
        let ok = parse::<Input>(json!({"ClientId": "c", "Username": "u", "Other": 1})).unwrap();
        assert_eq!((ok.client_id.as_str(), ok.username.as_str()), ("c", "u"));
        assert!(attributes(vec![AttributeType { name: String::new(), value: "x".into() }]).is_err());
    }
}
