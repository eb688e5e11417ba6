//! Turning rule values into findings: strings, `{msg, path?, details?, object?}` objects, sets
//! and arrays of them.

use regorus::Value;

/// One step of a result `path`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// Which object a repository-scope result is about. `file`/`line` disambiguate the same identity
/// defined twice (a policy can simply return the input object itself as `object`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: Option<String>,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A result's `path`: a JSON pointer (`/spec/ports/0`) or an array of keys and indexes.
pub fn parse_path(value: &Value) -> Option<Vec<PathSeg>> {
    match value {
        Value::String(s) => {
            let s: &str = s;
            if s.is_empty() {
                return Some(Vec::new());
            }
            let rest = s.strip_prefix('/')?;
            Some(
                rest.split('/')
                    .map(|t| {
                        let key = t.replace("~1", "/").replace("~0", "~");
                        match key.parse::<usize>() {
                            Ok(i) if !key.starts_with('+') => PathSeg::Index(i),
                            _ => PathSeg::Key(key),
                        }
                    })
                    .collect(),
            )
        }
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Some(PathSeg::Key(s.to_string())),
                Value::Number(_) => item.as_u64().ok().map(|i| PathSeg::Index(i as usize)),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn str_field(map: &regorus::Value, key: &str) -> Option<String> {
    match &map[key] {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Reads an `object` reference from a result (or an input object returned whole).
pub fn object_ref(value: &Value) -> Option<ObjectRef> {
    if !matches!(value, Value::Object(_)) {
        return None;
    }
    let meta = &value["metadata"];
    let (namespace, name) = if matches!(meta, Value::Object(_)) {
        (str_field(meta, "namespace"), str_field(meta, "name")?)
    } else {
        (str_field(value, "namespace"), str_field(value, "name")?)
    };
    Some(ObjectRef {
        api_version: str_field(value, "apiVersion"),
        kind: str_field(value, "kind")?,
        namespace: namespace.filter(|n| !n.is_empty()),
        name,
        file: str_field(value, "file"),
        line: value["line"].as_u64().ok().map(|l| l as u32),
    })
}

/// A result before it is tied to a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RawResult {
    pub message: String,
    pub path: Option<Vec<PathSeg>>,
    pub object: Option<ObjectRef>,
    pub details: Option<serde_json::Value>,
}

/// Every result of a rule value: sets/arrays of strings or objects, `true` for boolean rules.
pub fn results_of(value: &Value, rule_name: &str) -> Vec<RawResult> {
    let mut out = Vec::new();
    match value {
        Value::Set(items) => items
            .iter()
            .for_each(|v| push_result(v, rule_name, &mut out)),
        Value::Array(items) => items
            .iter()
            .for_each(|v| push_result(v, rule_name, &mut out)),
        Value::Undefined | Value::Null | Value::Bool(false) => {}
        other => push_result(other, rule_name, &mut out),
    }
    out
}

fn push_result(value: &Value, rule_name: &str, out: &mut Vec<RawResult>) {
    let raw = match value {
        Value::String(s) => RawResult {
            message: s.to_string(),
            path: None,
            object: None,
            details: None,
        },
        Value::Bool(true) => RawResult {
            message: format!("`{rule_name}` is true"),
            path: None,
            object: None,
            details: None,
        },
        Value::Object(_) => {
            let message = match &value["msg"] {
                Value::String(s) => s.to_string(),
                Value::Undefined => value.to_string(),
                other => other.to_string(),
            };
            let details = match &value["details"] {
                Value::Undefined => None,
                d => to_json(d),
            };
            let path = match &value["path"] {
                Value::Undefined => None,
                p => parse_path(p),
            };
            RawResult {
                message,
                path,
                object: object_ref(&value["object"]),
                details,
            }
        }
        Value::Undefined | Value::Null | Value::Bool(false) => return,
        other => RawResult {
            message: other.to_string(),
            path: None,
            object: None,
            details: None,
        },
    };
    out.push(raw);
}

/// regorus value → serde_json (sets become arrays).
pub fn to_json(value: &Value) -> Option<serde_json::Value> {
    value
        .to_json_str()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn paths_from_pointer_and_array() {
        let want = vec![
            PathSeg::Key("spec".into()),
            PathSeg::Key("a/b".into()),
            PathSeg::Index(0),
        ];
        assert_eq!(parse_path(&v(r#""/spec/a~1b/0""#)), Some(want.clone()));
        assert_eq!(parse_path(&v(r#"["spec", "a/b", 0]"#)), Some(want));
        assert_eq!(parse_path(&v(r#""spec.a""#)), None);
    }

    #[test]
    fn results_of_strings_and_objects() {
        let value = v(
            r#"["plain", {"msg": "obj", "path": "/spec", "details": {"k": 1},
            "object": {"kind": "Namespace", "name": "ns", "file": "a.yaml"}}]"#,
        );
        let results = results_of(&value, "deny");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].message, "plain");
        assert_eq!(results[1].message, "obj");
        assert_eq!(results[1].path, Some(vec![PathSeg::Key("spec".into())]));
        assert_eq!(results[1].details, Some(serde_json::json!({"k": 1})));
        let object = results[1].object.clone().unwrap();
        assert_eq!(
            (object.kind.as_str(), object.name.as_str()),
            ("Namespace", "ns")
        );
        assert_eq!(object.file.as_deref(), Some("a.yaml"));
    }

    #[test]
    fn object_ref_from_whole_input_object() {
        let o = v(
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"}, "file": "f.yaml", "line": 3}"#,
        );
        let r = object_ref(&o).unwrap();
        assert_eq!(r.namespace.as_deref(), Some("n"));
        assert_eq!(r.line, Some(3));
    }
}
