//! A small YAML → `serde_json::Value` reader for policy-side inputs: `# METADATA` blocks, `--data`
//! files and Gatekeeper templates found in policy directories.
//!
//! Manifests in the repository go through the foundation's YAML tree (spans, YAML 1.1, alias
//! budget); this reader only serves the few small, trusted-shape documents the policy layer reads
//! on its own. It resolves plain scalars with YAML 1.2 core rules plus the YAML 1.1 booleans
//! Kubernetes accepts, rejects aliases, and bounds nesting depth.

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Value};

const MAX_DEPTH: usize = 256;

/// Parses every document of `text`. Empty documents are returned as `Value::Null`.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    // Stack of open containers: (container, pending key for mappings).
    let mut stack: Vec<(Value, Option<String>)> = Vec::new();
    let mut current: Option<Value> = None;
    for item in &mut parser {
        let (event, span) = item.map_err(|e| e.to_string())?;
        let value = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                current = None;
                continue;
            }
            Event::DocumentEnd => {
                docs.push(current.take().unwrap_or(Value::Null));
                continue;
            }
            Event::Alias(_) => {
                return Err(format!(
                    "line {}: YAML aliases are not supported here",
                    span.start.line()
                ));
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("line {}: nesting too deep", span.start.line()));
                }
                let container = if matches!(event, Event::SequenceStart(..)) {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                };
                stack.push((container, None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((container, _)) => container,
                None => return Err("unbalanced YAML events".to_string()),
            },
            Event::Scalar(text, style, _, tag) => {
                let tagged_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                if style != ScalarStyle::Plain || tagged_str {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text)
                }
            }
        };
        match stack.last_mut() {
            None => current = Some(value),
            Some((Value::Array(items), _)) => items.push(value),
            Some((Value::Object(map), key)) => match key.take() {
                None => *key = Some(key_string(value)),
                Some(k) => {
                    map.insert(k, value);
                }
            },
            Some(_) => return Err("unexpected YAML container".to_string()),
        }
    }
    Ok(docs)
}

/// Parses a single-document YAML text (empty text gives `Null`).
pub fn parse_one(text: &str) -> Result<Value, String> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.remove(0)),
        n => Err(format!("expected one YAML document, found {n}")),
    }
}

fn key_string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => return Value::Bool(true),
        "false" | "no" | "off" => return Value::Bool(false),
        _ => {}
    }
    let looks_numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E' | '_'))
        && text.chars().any(|c| c.is_ascii_digit());
    if looks_numeric {
        let clean = text.replace('_', "");
        if let Ok(i) = clean.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(f) = clean.parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(f)
        {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_documents() {
        let docs = parse_documents("a: 1\nb: [x, 'yes', yes]\nc:\n  d: ~\n---\n- 2.5\n").unwrap();
        assert_eq!(
            docs[0],
            json!({"a": 1, "b": ["x", "yes", true], "c": {"d": null}})
        );
        assert_eq!(docs[1], json!([2.5]));
    }

    #[test]
    fn rejects_aliases() {
        assert!(parse_documents("a: &x 1\nb: *x\n").is_err());
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(parse_documents("a: [1, 2\n").is_err());
    }
}
