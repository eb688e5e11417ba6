//! The YAML node tree: every node knows its span.

use std::borrow::Cow;

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
    /// A plain scalar that YAML 1.1 turned into a bool, number or null (`yes`, `0777`, `~`).
    pub implicit_type: bool,
}

/// A mapping entry: key node, value node.
pub type Entry = (Node, Node);

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order; keys are unique (duplicates are reported and the last one kept).
    Map(Vec<Entry>),
}

impl Node {
    pub fn new(span: Span, value: Value) -> Node {
        Node {
            span,
            value,
            implicit_type: false,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The key node and value node under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.key_string() == key)
            .map(|(k, v)| (k, v))
    }

    /// The value under `key` when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// How a scalar reads as a JSON object key (`sigs.k8s.io/yaml` stringifies non-string keys).
    pub fn key_string(&self) -> Cow<'_, str> {
        match &self.value {
            Value::Str(s) => Cow::Borrowed(s),
            Value::Null => Cow::Borrowed("null"),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Float(f) => Cow::Owned(f.to_string()),
            Value::Seq(_) | Value::Map(_) => Cow::Borrowed(""),
        }
    }

    /// The node at an RFC 6901 JSON pointer (`/spec/containers/0/image`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let (node, rest) = self.pointer_prefix(pointer);
        rest.is_empty().then_some(node)
    }

    /// The deepest node on the way to `pointer`, and the part of the pointer not found.
    /// Reports use it to point as close as possible to a path that does not fully exist.
    pub fn pointer_prefix<'p>(&self, pointer: &'p str) -> (&Node, &'p str) {
        let mut node = self;
        let mut rest = pointer;
        while let Some(after_slash) = rest.strip_prefix('/') {
            let (token, next) = after_slash.find('/').map_or((after_slash, ""), |i| {
                (&after_slash[..i], &after_slash[i..])
            });
            let token = unescape_pointer_token(token);
            let child = match &node.value {
                Value::Map(_) => node.get(&token),
                Value::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match child {
                Some(child) => {
                    node = child;
                    rest = next;
                }
                None => break,
            }
        }
        (node, rest)
    }

    /// The value as JSON, as `sigs.k8s.io/yaml` converts it (non-finite floats become null).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_string().into_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Number of nodes in this subtree (used for the alias expansion budget).
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
            _ => 0,
        }
    }
}

fn unescape_pointer_token(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}
