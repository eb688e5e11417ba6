//! Turning `jsonschema` errors into violations: a JSON pointer into the instance, what kind of error
//! it is, and a message worded the way the Kubernetes API server words it.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError, Validator};
use serde_json::Value;

use super::format::QUANTITY_MESSAGE;

/// One schema error in one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending value; for `UnknownField` the unknown key's value,
    /// for `Required` the object that lacks the field.
    pub pointer: String,
    pub kind: ViolationKind,
    /// One sentence, like the API server: `spec.replicas: Invalid value: "string": …`.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// A key the schema does not declare (strict mode).
    UnknownField {
        key: String,
    },
    /// Wrong JSON type. `found` is `string`, `integer`, `number`, `boolean`, `null`, `array` or `object`.
    Type {
        expected: Vec<&'static str>,
        found: &'static str,
    },
    Enum,
    Required {
        field: String,
    },
    Pattern,
    Format {
        format: String,
    },
    /// Any other keyword (`minimum`, `maxLength`, `oneOf`, …).
    Other {
        keyword: String,
    },
}

impl ViolationKind {
    /// A short name for the kind, for JSON output and tests.
    pub fn name(&self) -> &'static str {
        match self {
            ViolationKind::UnknownField { .. } => "unknown-field",
            ViolationKind::Type { .. } => "type",
            ViolationKind::Enum => "enum",
            ViolationKind::Required { .. } => "required",
            ViolationKind::Pattern => "pattern",
            ViolationKind::Format { .. } => "format",
            ViolationKind::Other { .. } => "other",
        }
    }
}

/// Runs `validator` over `instance` and classifies every error.
pub fn collect(validator: &Validator, instance: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        classify(&error, instance, &mut out);
    }
    out
}

fn classify(error: &ValidationError<'_>, root: &Value, out: &mut Vec<Violation>) {
    let pointer = error.instance_path().as_str().to_owned();
    let path = display_path(root, &pointer);
    let instance = error.instance();
    let value = short(instance);
    let (kind, message) = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for key in unexpected {
                let pointer = format!("{pointer}/{}", escape(key));
                let field = display_path(root, &pointer);
                out.push(Violation {
                    message: format!("unknown field \"{field}\""),
                    pointer,
                    kind: ViolationKind::UnknownField { key: key.clone() },
                });
            }
            return;
        }
        ValidationErrorKind::Type { kind } => {
            let expected = expected_types(kind);
            let found = json_type(instance);
            let message = format!(
                "{path}: Invalid value: \"{found}\": {path} in body must be of type {}: {value}",
                expected.join(" or ")
            );
            (ViolationKind::Type { expected, found }, message)
        }
        ValidationErrorKind::Enum { options } => {
            let supported = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .filter(|v| !v.is_null())
                        .map(short)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            (
                ViolationKind::Enum,
                format!("{path}: Unsupported value: {value}: supported values: {supported}"),
            )
        }
        ValidationErrorKind::Required { property } => {
            let field = property.as_str().unwrap_or_default().to_owned();
            let full = if path == "<root>" {
                field.clone()
            } else {
                format!("{path}.{field}")
            };
            (
                ViolationKind::Required { field },
                format!("{full}: Required value"),
            )
        }
        ValidationErrorKind::Pattern { pattern } => (
            ViolationKind::Pattern,
            format!("{path}: Invalid value: {value}: {path} in body should match '{pattern}'"),
        ),
        ValidationErrorKind::Format { format } => (
            ViolationKind::Format {
                format: format.clone(),
            },
            format_message(&path, &value, format),
        ),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // Kubernetes' own unions are int-or-string and quantity: explain them in those terms.
            if let Some(format) = context
                .iter()
                .flat_map(|branch| branch.iter())
                .find_map(|e| match e.kind() {
                    ValidationErrorKind::Format { format }
                        if e.instance_path().as_str() == pointer =>
                    {
                        Some(format)
                    }
                    _ => None,
                })
            {
                (
                    ViolationKind::Format {
                        format: format.clone(),
                    },
                    format_message(&path, &value, format),
                )
            } else if context.iter().all(|branch| {
                branch.len() == 1
                    && branch[0].instance_path().as_str() == pointer
                    && matches!(branch[0].kind(), ValidationErrorKind::Type { .. })
            }) {
                let mut expected = Vec::new();
                for branch in context {
                    if let ValidationErrorKind::Type { kind } = branch[0].kind() {
                        for t in expected_types(kind) {
                            if !expected.contains(&t) {
                                expected.push(t);
                            }
                        }
                    }
                }
                let found = json_type(instance);
                let message = format!(
                    "{path}: Invalid value: \"{found}\": {path} in body must be of type {}: {value}",
                    expected.join(" or ")
                );
                (ViolationKind::Type { expected, found }, message)
            } else {
                (
                    ViolationKind::Other {
                        keyword: error.kind().keyword().to_owned(),
                    },
                    format!("{path}: Invalid value: {value}: {error}"),
                )
            }
        }
        other => (
            ViolationKind::Other {
                keyword: other.keyword().to_owned(),
            },
            format!("{path}: Invalid value: {value}: {error}"),
        ),
    };
    out.push(Violation {
        pointer,
        kind,
        message,
    });
}

fn format_message(path: &str, value: &str, format: &str) -> String {
    if format == "quantity" {
        format!("{path}: Invalid value: {value}: {QUANTITY_MESSAGE}")
    } else {
        format!("{path}: Invalid value: {value}: {path} in body must be of type {format}: {value}")
    }
}

fn expected_types(kind: &TypeKind) -> Vec<&'static str> {
    let mut types: Vec<&'static str> = match kind {
        TypeKind::Single(t) => vec![type_name(*t)],
        TypeKind::Multiple(set) => set.iter().map(type_name).collect(),
    };
    // Every Kubernetes field is nullable; saying so in each message is noise.
    if types.len() > 1 {
        types.retain(|t| *t != "null");
    }
    types
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "array",
        JsonType::Boolean => "boolean",
        JsonType::Integer => "integer",
        JsonType::Null => "null",
        JsonType::Number => "number",
        JsonType::Object => "object",
        JsonType::String => "string",
    }
}

/// The JSON type of a value (`integer` for whole numbers).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as a message shows it: JSON, cut short.
fn short(v: &Value) -> String {
    let text = match v {
        Value::Object(_) => return "object".to_owned(),
        Value::Array(_) => return "array".to_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// RFC 6901 escaping of one pointer segment.
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// RFC 6901 unescaping of one pointer segment.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`, the way
/// the API server names fields (array indexes only where the instance has an array).
pub fn display_path(root: &Value, pointer: &str) -> String {
    if pointer.is_empty() {
        return "<root>".to_owned();
    }
    let mut out = String::new();
    let mut node = Some(root);
    for raw in pointer.split('/').skip(1) {
        let segment = unescape(raw);
        match node {
            Some(Value::Array(items)) => {
                out.push('[');
                out.push_str(&segment);
                out.push(']');
                node = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segment);
                node = other.and_then(|n| n.get(&segment));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_read_like_the_api_server() {
        let root =
            json!({"spec": {"containers": [{"env": [{"name": "a"}]}], "labels": {"a/b": "1"}}});
        assert_eq!(
            display_path(&root, "/spec/containers/0/env/0/value"),
            "spec.containers[0].env[0].value"
        );
        assert_eq!(display_path(&root, "/spec/labels/a~1b"), "spec.labels.a/b");
        assert_eq!(display_path(&root, ""), "<root>");
    }
}
