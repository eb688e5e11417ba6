//! Small helpers over the YAML tree used by the patch engines: lookup, mutation, construction.

use crate::source::Span;
use crate::yaml::{Node, Value};

/// The string of a scalar node (`Str` only).
pub fn str_of(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// The scalar as Kubernetes would print it (used to compare merge keys such as `containerPort: 80`).
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Null => None,
        _ => None,
    }
}

pub fn key_is(k: &Node, key: &str) -> bool {
    matches!(&k.value, Value::Str(s) if s == key)
}

pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| key_is(k, key)).map(|(_, v)| v),
        _ => None,
    }
}

pub fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| key_is(k, key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Follows a path of map keys.
pub fn get_path<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| get(n, k))
}

pub fn get_str<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    get_path(node, path).and_then(str_of)
}

/// Sets `key` in a map node (replacing an existing entry in place, else appending). A non-map
/// node becomes an empty map first.
pub fn set(node: &mut Node, key: &str, value: Node) {
    if !matches!(node.value, Value::Map(_)) {
        node.value = Value::Map(Vec::new());
    }
    if let Value::Map(entries) = &mut node.value {
        if let Some(slot) = entries.iter_mut().find(|(k, _)| key_is(k, key)) {
            slot.1 = value;
        } else {
            let span = value.span;
            entries.push((str_node(key, span), value));
        }
    }
}

/// Returns the map under `key`, creating it (with `span`) when absent.
pub fn ensure_map<'a>(node: &'a mut Node, key: &str, span: Span) -> &'a mut Node {
    let present = matches!(get(node, key), Some(n) if matches!(n.value, Value::Map(_)));
    if !present {
        set(node, key, Node::new(span, Value::Map(Vec::new())));
    }
    get_mut(node, key).expect("just inserted")
}

pub fn remove(node: &mut Node, key: &str) -> Option<Node> {
    match &mut node.value {
        Value::Map(entries) => {
            let i = entries.iter().position(|(k, _)| key_is(k, key))?;
            Some(entries.remove(i).1)
        }
        _ => None,
    }
}

pub fn str_node(s: &str, span: Span) -> Node {
    Node::new(span, Value::Str(s.to_string()))
}

/// Builds a tree from JSON (tests and generated objects); every node gets `span`.
pub fn from_json(v: &serde_json::Value, span: Span) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::Seq(a.iter().map(|x| from_json(x, span)).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, x)| (str_node(k, span), from_json(x, span)))
                .collect(),
        ),
    };
    Node::new(span, value)
}

/// The tree as JSON (spans dropped).
pub fn to_json(n: &Node) -> serde_json::Value {
    match &n.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Str(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(to_json).collect(),
        Value::Map(e) => e
            .iter()
            .map(|(k, v)| (scalar_text(k).unwrap_or_default(), to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
