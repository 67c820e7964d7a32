//! Reading FHIR JSON with the path of every value, so an error says where it is
//! (`entry[3].resource.relationship.coding[0].code`).

use serde_json::Value;

use crate::family::{Format, FormatError, Location};

/// A JSON value and its path in the document.
#[derive(Clone)]
pub struct J<'a> {
    pub v: &'a Value,
    pub path: String,
}

pub type R<T> = Result<T, FormatError>;

impl<'a> J<'a> {
    pub fn root(v: &'a Value) -> J<'a> {
        J { v, path: String::new() }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn err(&self, reason: impl Into<String>) -> FormatError {
        let at = if self.path.is_empty() { Location::File } else { Location::Path(self.path.clone()) };
        FormatError::new(Format::Fhir, at, reason)
    }

    pub fn err_at(&self, key: &str, reason: impl Into<String>) -> FormatError {
        FormatError::new(Format::Fhir, Location::Path(self.child_path(key)), reason)
    }

    /// A member, if present and not null.
    pub fn get(&self, key: &str) -> Option<J<'a>> {
        self.v.get(key).filter(|v| !v.is_null()).map(|v| J { v, path: self.child_path(key) })
    }

    pub fn req(&self, key: &str) -> R<J<'a>> {
        self.get(key).ok_or_else(|| self.err_at(key, "required but missing"))
    }

    /// An object member, if present (an error if it is not an object).
    pub fn obj(&self, key: &str) -> R<Option<J<'a>>> {
        match self.get(key) {
            Some(j) if j.v.is_object() => Ok(Some(j)),
            Some(j) => Err(j.err(format!("expected an object, found {}", kind(j.v)))),
            None => Ok(None),
        }
    }

    /// The elements of an array member (none if absent; an error if it is not an array).
    pub fn arr(&self, key: &str) -> R<Vec<J<'a>>> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(j) => match j.v.as_array() {
                Some(items) => {
                    Ok(items.iter().enumerate().map(|(i, v)| J { v, path: format!("{}[{i}]", j.path) }).collect())
                }
                None => Err(j.err(format!("expected an array, found {}", kind(j.v)))),
            },
        }
    }

    pub fn str(&self, key: &str) -> R<Option<&'a str>> {
        match self.get(key) {
            Some(j) => j.v.as_str().map(Some).ok_or_else(|| j.err(format!("expected a string, found {}", kind(j.v)))),
            None => Ok(None),
        }
    }

    pub fn req_str(&self, key: &str) -> R<&'a str> {
        self.str(key)?.ok_or_else(|| self.err_at(key, "required but missing"))
    }

    pub fn num(&self, key: &str) -> R<Option<f64>> {
        match self.get(key) {
            Some(j) => j.v.as_f64().map(Some).ok_or_else(|| j.err(format!("expected a number, found {}", kind(j.v)))),
            None => Ok(None),
        }
    }

    pub fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.get(key) {
            Some(j) => {
                j.v.as_bool().map(Some).ok_or_else(|| j.err(format!("expected true or false, found {}", kind(j.v))))
            }
            None => Ok(None),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
