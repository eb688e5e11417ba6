//! Values that are not final in the repository: SOPS-encrypted scalars (`ENC[…,type:int]`) and Flux
//! `postBuild` placeholders (`${VAR}`, `${VAR:=default}`). Validation sees them as they will be
//! applied: a placeholder with a default is replaced by its default before validating, and errors
//! on values that stay unknown are dropped.

use serde_json::Value;

/// The JSON type a SOPS-encrypted scalar decrypts to, when `text` is one (`ENC[AES256_GCM,data:…,
/// type:int]` → `integer`). `None`: not a SOPS value. Unknown SOPS types give `Some("unknown")`.
pub fn sops_type(text: &str) -> Option<&'static str> {
    let inner = text.strip_prefix("ENC[")?.strip_suffix(']')?;
    let kind = inner
        .rsplit(',')
        .find_map(|part| part.trim().strip_prefix("type:"));
    Some(match kind {
        Some("str" | "bytes") => "string",
        Some("int") => "integer",
        Some("float") => "number",
        Some("bool") => "boolean",
        _ => "unknown",
    })
}

/// A whole-string Flux placeholder: `${VAR}` → `Some(None)`, `${VAR:=default}` (also `:-`, `=`, `-`)
/// → `Some(Some(default))`. Anything else → `None`.
pub fn whole_placeholder(text: &str) -> Option<Option<&str>> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    if inner.contains("${") || inner.contains('}') {
        return None;
    }
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_end);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if rest.is_empty() {
        return Some(None);
    }
    for op in [":=", ":-", "=", "-"] {
        if let Some(default) = rest.strip_prefix(op) {
            return Some(Some(default));
        }
    }
    None
}

/// Whether a string holds a Flux placeholder anywhere.
pub fn has_placeholder(text: &str) -> bool {
    text.find("${").is_some_and(|i| text[i..].contains('}'))
}

/// Whether a string holds a template expression, `{{ … }}`: Helm and Go templates, Kyverno's
/// JMESPath (`{{ request.object.metadata.name }}`), sed-style placeholders. Whatever fills it in
/// decides the value, so the schema has nothing to say about the text.
pub fn has_template(text: &str) -> bool {
    text.find("{{")
        .is_some_and(|i| text[i + 2..].contains("}}"))
}

/// A copy of `value` with every placeholder that has a default replaced by it, the way Flux's
/// envsubst would (a whole-string placeholder becomes a YAML scalar: `${R:=3}` → `3`). `None` when
/// there is nothing to replace.
pub fn substitute_defaults(value: &Value) -> Option<Value> {
    let mut copy = value.clone();
    substitute(&mut copy).then_some(copy)
}

fn substitute(value: &mut Value) -> bool {
    match value {
        Value::String(s) if s.contains("${") => {
            if let Some(Some(default)) = whole_placeholder(s) {
                *value = scalar(default);
                return true;
            }
            let replaced = replace_defaults(s);
            let changed = replaced != *s;
            *s = replaced;
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, v| substitute(v) | acc),
        Value::Object(map) => map.values_mut().fold(false, |acc, v| substitute(v) | acc),
        _ => false,
    }
}

/// Replaces `${VAR:=default}` by `default` inside a longer string; `${VAR}` stays.
fn replace_defaults(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        match tail.find('}') {
            Some(end) => {
                let token = &tail[..=end];
                match whole_placeholder(token) {
                    Some(Some(default)) => out.push_str(default),
                    _ => out.push_str(token),
                }
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A default as YAML 1.1 (go-yaml v2) reads a plain scalar: booleans, integers, floats, null.
fn scalar(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if text.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = text.parse::<f64>()
        && f.is_finite()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sops_values() {
        assert_eq!(
            sops_type("ENC[AES256_GCM,data:Zm9v,iv:a,tag:b,type:int]"),
            Some("integer")
        );
        assert_eq!(
            sops_type("ENC[AES256_GCM,data:Zm9v,iv:a,tag:b,type:str]"),
            Some("string")
        );
        assert_eq!(
            sops_type("ENC[AES256_GCM,data:Zm9v,type:bool]"),
            Some("boolean")
        );
        assert_eq!(sops_type("ENC[weird]"), Some("unknown"));
        assert_eq!(sops_type("plain"), None);
    }

    #[test]
    fn placeholders() {
        assert_eq!(whole_placeholder("${REPLICAS}"), Some(None));
        assert_eq!(whole_placeholder("${REPLICAS:=1}"), Some(Some("1")));
        assert_eq!(whole_placeholder("${a:-x y}"), Some(Some("x y")));
        assert_eq!(whole_placeholder("x${A}"), None);
        assert_eq!(whole_placeholder("${1A}"), None);
        assert!(has_placeholder("app.${DOMAIN}"));
        assert!(!has_placeholder("$5 {x}"));
        assert!(has_template("{{ .Values.replicas }}"));
        assert!(has_template("app-{{request.object.metadata.name}}"));
        assert!(!has_template("{{ unclosed") && !has_template("}} {{"));
    }

    #[test]
    fn defaults_are_substituted_as_yaml_scalars() {
        let v = json!({"replicas": "${R:=3}", "host": "a.${D:=example.com}", "x": "${NO_DEFAULT}", "on": "${B:=true}"});
        let s = substitute_defaults(&v).unwrap();
        assert_eq!(
            s,
            json!({"replicas": 3, "host": "a.example.com", "x": "${NO_DEFAULT}", "on": true})
        );
        assert!(substitute_defaults(&json!({"a": "${X}"})).is_none());
    }
}
