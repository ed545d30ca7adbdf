//! Reading requests: the per-request facts from the HTTP layer, and the members of a JSON API
//! body, with the validation errors Cognito gives for missing or mistyped ones.

use crate::state::User;
use crate::util::*;
use serde_json::{json, Map, Value};

/// Per-request facts from the HTTP layer.
pub struct Ctx {
    /// `http://127.0.0.1:PORT`: issuer prefix and hosted-UI origin.
    pub base: String,
    pub ip: String,
}

/// A pool's token issuer: `<base>/<poolId>`, or the pool's `issuer` (which ends in
/// `/<poolId>`, as both of Cognito's issuer forms do).
pub fn issuer(db: &crate::state::Db, ctx: &Ctx, pool: &str) -> String {
    match db.pools.get(pool).and_then(|p| p.config.issuer.clone()) {
        Some(i) => i,
        None => format!("{}/{}", ctx.base, pool),
    }
}

// ---------------------------------------------------------------------------------------------
// Request reading

pub fn missing(field: &str) -> ApiError {
    let f = field.chars().next().map(|c| c.to_lowercase().collect::<String>() + &field[c.len_utf8()..]).unwrap_or_default();
    invalid_param(format!("1 validation error detected: Value null at '{f}' failed to satisfy constraint: Member must not be null"))
}

pub fn req<'a>(body: &'a Value, field: &str) -> ApiResult<&'a str> {
    match body.get(field) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(missing(field)),
        Some(_) => Err(err("SerializationException", format!("{field} must be a string"))),
    }
}

pub fn opt<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

/// A string→string map member (AuthParameters, ChallengeResponses).
pub fn map_of(body: &Value, field: &str) -> ApiResult<Map<String, Value>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => Ok(m.clone()),
        Some(_) => Err(err("SerializationException", format!("{field} must be a map of strings"))),
    }
}

pub fn attributes_of(body: &Value, field: &str) -> ApiResult<Vec<(String, String)>> {
    let Some(v) = body.get(field) else { return Ok(vec![]) };
    let Some(list) = v.as_array() else {
        return if v.is_null() { Ok(vec![]) } else { Err(err("SerializationException", format!("{field} must be a list"))) };
    };
    let mut out = vec![];
    for a in list {
        let name = a.get("Name").and_then(Value::as_str).ok_or_else(|| missing("Name"))?;
        if name.is_empty() || name.len() > 32 {
            return Err(invalid_param(format!("Invalid attribute name {name}")));
        }
        let value = a.get("Value").and_then(Value::as_str).unwrap_or("");
        if value.len() > 2048 {
            return Err(invalid_param(format!("Attribute {name} is too long")));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

pub fn attributes_json(user: &User) -> Value {
    Value::Array(user.attributes.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect())
}
