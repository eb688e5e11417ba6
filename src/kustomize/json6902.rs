//! JSON patch (RFC 6902) over the YAML tree, as kustomize `patchesJson6902` / `patches` apply it.

use super::tree::{key_is, str_of};
use crate::yaml::{Node, Value};

/// One operation of a JSON patch document.
#[derive(Clone, Debug)]
pub struct Op<'a> {
    pub op: &'a str,
    pub path: &'a str,
    pub from: Option<&'a str>,
    pub value: Option<&'a Node>,
    /// The operation's node (for locating errors).
    pub node: &'a Node,
}

/// Reads a JSON patch document (a sequence of `{op, path, from?, value?}` maps).
pub fn parse_ops(doc: &Node) -> Result<Vec<Op<'_>>, (String, &Node)> {
    let Value::Seq(items) = &doc.value else {
        return Err(("a JSON 6902 patch must be a list of operations".into(), doc));
    };
    items
        .iter()
        .map(|item| {
            let field = |k| super::tree::get(item, k);
            let op = field("op")
                .and_then(str_of)
                .ok_or(("operation without `op`".to_string(), item))?;
            let path = field("path")
                .and_then(str_of)
                .ok_or(("operation without `path`".to_string(), item))?;
            Ok(Op {
                op,
                path,
                from: field("from").and_then(str_of),
                value: field("value"),
                node: item,
            })
        })
        .collect()
}

/// Applies the operations in order; stops at the first that fails (kustomize fails the build).
pub fn apply(target: &mut Node, ops: &[Op<'_>]) -> Result<(), (String, usize)> {
    for (i, op) in ops.iter().enumerate() {
        apply_one(target, op).map_err(|e| (e, i))?;
    }
    Ok(())
}

fn apply_one(target: &mut Node, op: &Op<'_>) -> Result<(), String> {
    let need_value = || {
        op.value
            .cloned()
            .ok_or_else(|| format!("`{}` at `{}` needs a `value`", op.op, op.path))
    };
    match op.op {
        "add" => add(target, op.path, need_value()?),
        "remove" => remove(target, op.path).map(drop),
        "replace" => {
            let slot = lookup_mut(target, op.path)?;
            *slot = need_value()?;
            Ok(())
        }
        "move" => {
            let from = op.from.ok_or("`move` needs `from`")?;
            let moved = remove(target, from)?;
            add(target, op.path, moved)
        }
        "copy" => {
            let from = op.from.ok_or("`copy` needs `from`")?;
            let copied = lookup(target, from)?.clone();
            add(target, op.path, copied)
        }
        "test" => {
            let want = need_value()?;
            if same_value(lookup(target, op.path)?, &want) {
                Ok(())
            } else {
                Err(format!("`test` failed at `{}`", op.path))
            }
        }
        other => Err(format!("unknown operation `{other}`")),
    }
}

/// Splits a JSON pointer into unescaped tokens.
pub fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("`{pointer}` is not a JSON pointer"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn child<'a>(node: &'a Node, tok: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(e) => e.iter().find(|(k, _)| key_is(k, tok)).map(|(_, v)| v),
        Value::Seq(items) => tok.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn child_mut<'a>(node: &'a mut Node, tok: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(e) => e.iter_mut().find(|(k, _)| key_is(k, tok)).map(|(_, v)| v),
        Value::Seq(items) => tok.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

pub fn lookup<'a>(node: &'a Node, pointer: &str) -> Result<&'a Node, String> {
    tokens(pointer)?
        .iter()
        .try_fold(node, |n, t| child(n, t))
        .ok_or_else(|| format!("path `{pointer}` does not exist"))
}

fn lookup_mut<'a>(node: &'a mut Node, pointer: &str) -> Result<&'a mut Node, String> {
    let toks = tokens(pointer)?;
    let mut cur = node;
    for t in &toks {
        cur = child_mut(cur, t).ok_or_else(|| format!("path `{pointer}` does not exist"))?;
    }
    Ok(cur)
}

fn split_parent(pointer: &str) -> Result<(String, String), String> {
    let toks = tokens(pointer)?;
    let Some((last, parent)) = toks.split_last() else {
        return Err("cannot patch the document root".into());
    };
    let parent = parent
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect();
    Ok((parent, last.clone()))
}

fn add(target: &mut Node, pointer: &str, value: Node) -> Result<(), String> {
    let (parent, last) = split_parent(pointer)?;
    let parent = lookup_mut(target, &parent)?;
    match &mut parent.value {
        Value::Map(e) => {
            if let Some(slot) = e.iter_mut().find(|(k, _)| key_is(k, &last)) {
                slot.1 = value;
            } else {
                let span = value.span;
                e.push((Node::new(span, Value::Str(last)), value));
            }
            Ok(())
        }
        Value::Seq(items) => {
            let i = if last == "-" {
                items.len()
            } else {
                index(&last, items.len() + 1, pointer)?
            };
            items.insert(i, value);
            Ok(())
        }
        _ => Err(format!("path `{pointer}`: parent is not a map or list")),
    }
}

fn remove(target: &mut Node, pointer: &str) -> Result<Node, String> {
    let (parent, last) = split_parent(pointer)?;
    let parent = lookup_mut(target, &parent)?;
    let missing = || format!("path `{pointer}` does not exist");
    match &mut parent.value {
        Value::Map(e) => {
            let i = e
                .iter()
                .position(|(k, _)| key_is(k, &last))
                .ok_or_else(missing)?;
            Ok(e.remove(i).1)
        }
        Value::Seq(items) => {
            let i = index(&last, items.len(), pointer)?;
            Ok(items.remove(i))
        }
        _ => Err(missing()),
    }
}

fn index(tok: &str, bound: usize, pointer: &str) -> Result<usize, String> {
    match tok.parse::<usize>() {
        Ok(i) if i < bound => Ok(i),
        _ => Err(format!("path `{pointer}`: index `{tok}` out of range")),
    }
}

/// Structural equality ignoring spans.
pub fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .any(|(k2, v2)| same_value(k, k2) && same_value(v, v2))
                })
        }
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::tree::{from_json, to_json};
    use serde_json::json;

    fn run(doc: serde_json::Value, ops: serde_json::Value) -> Result<serde_json::Value, String> {
        let mut d = from_json(&doc, Default::default());
        let o = from_json(&ops, Default::default());
        let parsed = parse_ops(&o).map_err(|(e, _)| e)?;
        apply(&mut d, &parsed).map_err(|(e, _)| e)?;
        Ok(to_json(&d))
    }

    #[test]
    fn operations() {
        let doc = json!({"spec": {"args": ["a"], "acme": {"server": "s", "email": "e"}}, "metadata": {"name": "x"}});
        let ops = json!([
            {"op": "add", "path": "/spec/args/-", "value": "b"},
            {"op": "add", "path": "/spec/args/0", "value": "z"},
            {"op": "replace", "path": "/spec/acme/server", "value": "t"},
            {"op": "remove", "path": "/spec/acme/email"},
            {"op": "copy", "from": "/metadata/name", "path": "/metadata/labels"},
            {"op": "move", "from": "/metadata/labels", "path": "/metadata/a~1b"},
            {"op": "test", "path": "/spec/acme/server", "value": "t"}]);
        assert_eq!(
            run(doc, ops).unwrap(),
            json!({"spec": {"args": ["z", "a", "b"], "acme": {"server": "t"}}, "metadata": {"name": "x", "a/b": "x"}})
        );
    }

    #[test]
    fn failures_are_reported() {
        let doc = json!({"spec": {}});
        assert!(
            run(
                doc.clone(),
                json!([{"op": "replace", "path": "/spec/missing", "value": 1}])
            )
            .is_err()
        );
        assert!(
            run(
                doc.clone(),
                json!([{"op": "test", "path": "/spec", "value": 1}])
            )
            .is_err()
        );
        assert!(
            run(
                doc.clone(),
                json!([{"op": "add", "path": "/a/b", "value": 1}])
            )
            .is_err()
        );
        assert!(run(doc, json!({"op": "add"})).is_err());
    }
}
