//! Strategic merge patch, as kustomize applies it.
//!
//! Maps merge deeply; `null` deletes a key; lists of built-in Kubernetes types merge by their merge
//! key (`containers` by `name`, `volumeMounts` by `mountPath`, …), other lists are replaced. The
//! directives `$patch: delete`, `$patch: replace` and `$deleteFromPrimitiveList/<field>` are honoured.
//! Every node copied from the patch keeps its span, so a finding on a patched field points at the
//! patch file.

use super::tree::{key_is, scalar_text, str_of};
use crate::yaml::{Node, Value};

/// Whether an `apiVersion` belongs to a built-in Kubernetes group (lists merge by key) rather than
/// a custom resource (lists are replaced, as kustomize does without a schema).
pub fn is_builtin_api(api_version: &str) -> bool {
    match api_version.rsplit_once('/') {
        None => true,
        Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
    }
}

/// The merge key of a list field of a built-in type; `None` means the list is replaced.
fn merge_key(field: &str, first: Option<&Node>) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "conditions" => "type",
        "readinessGates" => "conditionType",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            let has_container_port = first.is_some_and(|n| has_key(n, "containerPort"));
            if has_container_port {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

fn has_key(node: &Node, key: &str) -> bool {
    matches!(&node.value, Value::Map(e) if e.iter().any(|(k, _)| key_is(k, key)))
}

fn directive(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Map(e) => e
            .iter()
            .find(|(k, _)| key_is(k, "$patch"))
            .and_then(|(_, v)| str_of(v)),
        _ => None,
    }
}

/// Applies `patch` to `base`. Returns `false` when the patch deletes the whole object
/// (`$patch: delete` at the top level).
pub fn apply(base: &mut Node, patch: &Node, builtin: bool) -> bool {
    merge_value(base, patch, builtin, "") != Outcome::Delete
}

#[derive(PartialEq, Eq)]
enum Outcome {
    Keep,
    Delete,
}

fn merge_value(base: &mut Node, patch: &Node, builtin: bool, field: &str) -> Outcome {
    match (&mut base.value, &patch.value) {
        (Value::Map(_), Value::Map(_)) => merge_map(base, patch, builtin),
        (Value::Seq(_), Value::Seq(_)) => {
            merge_list(base, patch, builtin, field);
            Outcome::Keep
        }
        _ => {
            if directive(patch) == Some("delete") {
                return Outcome::Delete;
            }
            *base = cleaned(patch);
            Outcome::Keep
        }
    }
}

fn merge_map(base: &mut Node, patch: &Node, builtin: bool) -> Outcome {
    match directive(patch) {
        Some("delete") => return Outcome::Delete,
        Some("replace") => {
            *base = cleaned(patch);
            return Outcome::Keep;
        }
        _ => {}
    }
    let Value::Map(patch_entries) = &patch.value else {
        return Outcome::Keep;
    };
    for (pk, pv) in patch_entries {
        let Some(key) = str_of(pk) else { continue };
        if let Some(list_field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            delete_from_primitive_list(base, list_field, pv);
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        let Value::Map(entries) = &mut base.value else {
            unreachable!()
        };
        let pos = entries.iter().position(|(k, _)| key_is(k, key));
        match (&pv.value, pos) {
            (Value::Null, Some(i)) => {
                entries.remove(i);
            }
            (Value::Null, None) => {}
            (_, Some(i)) => {
                if merge_value(&mut entries[i].1, pv, builtin, key) == Outcome::Delete {
                    entries.remove(i);
                }
            }
            (_, None) => {
                if directive(pv) != Some("delete") {
                    entries.push((pk.clone(), cleaned(pv)));
                }
            }
        }
    }
    Outcome::Keep
}

fn delete_from_primitive_list(base: &mut Node, field: &str, values: &Node) {
    let Value::Seq(doomed) = &values.value else {
        return;
    };
    let doomed: Vec<String> = doomed.iter().filter_map(scalar_text).collect();
    let Value::Map(entries) = &mut base.value else {
        return;
    };
    if let Some((_, list)) = entries.iter_mut().find(|(k, _)| key_is(k, field))
        && let Value::Seq(items) = &mut list.value
    {
        items.retain(|n| scalar_text(n).is_none_or(|t| !doomed.contains(&t)));
    }
}

fn merge_list(base: &mut Node, patch: &Node, builtin: bool, field: &str) {
    let Value::Seq(patch_items) = &patch.value else {
        return;
    };
    let replace = patch_items.iter().any(|n| directive(n) == Some("replace"));
    let key = if builtin {
        merge_key(field, patch_items.first())
    } else {
        None
    };
    let (Some(key), false) = (key, replace) else {
        let kept = patch_items
            .iter()
            .filter(|n| directive(n).is_none())
            .map(cleaned)
            .collect();
        base.value = Value::Seq(kept);
        return;
    };
    let Value::Seq(items) = &mut base.value else {
        return;
    };
    // As kustomize orders the result: the patch's items first (merged with their base
    // counterparts), then the base items the patch does not mention.
    let mut base_items: Vec<Option<Node>> = std::mem::take(items).into_iter().map(Some).collect();
    let mut merged = Vec::with_capacity(base_items.len() + patch_items.len());
    for p in patch_items {
        let Some(id) = field_text(p, key) else {
            merged.push(cleaned(p));
            continue;
        };
        let pos = base_items.iter().position(|b| {
            b.as_ref()
                .is_some_and(|b| field_text(b, key).as_deref() == Some(id.as_str()))
        });
        match (directive(p), pos) {
            (Some("delete"), Some(i)) => base_items[i] = None,
            (Some("delete"), None) => {}
            (_, Some(i)) => {
                let mut item = base_items[i].take().expect("present");
                if merge_value(&mut item, p, builtin, "") != Outcome::Delete {
                    merged.push(item);
                }
            }
            (_, None) => merged.push(cleaned(p)),
        }
    }
    merged.extend(base_items.into_iter().flatten());
    *items = merged;
}

fn field_text(node: &Node, key: &str) -> Option<String> {
    match &node.value {
        Value::Map(e) => e
            .iter()
            .find(|(k, _)| key_is(k, key))
            .and_then(|(_, v)| scalar_text(v)),
        _ => None,
    }
}

/// A copy of a patch value with every `$…` directive key removed.
fn cleaned(node: &Node) -> Node {
    let value = match &node.value {
        Value::Map(e) => Value::Map(
            e.iter()
                .filter(|(k, _)| !str_of(k).is_some_and(|s| s.starts_with('$')))
                .map(|(k, v)| (k.clone(), cleaned(v)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(cleaned).collect()),
        other => other.clone(),
    };
    Node {
        span: node.span,
        value,
        implicit_type: node.implicit_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::tree::{from_json, to_json};
    use serde_json::json;

    fn merged(
        base: serde_json::Value,
        patch: serde_json::Value,
        builtin: bool,
    ) -> Option<serde_json::Value> {
        let mut b = from_json(&base, Default::default());
        let p = from_json(&patch, Default::default());
        apply(&mut b, &p, builtin).then(|| to_json(&b))
    }

    #[test]
    fn containers_merge_by_name_and_env_by_name() {
        let base = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}]}});
        let patch = json!({"spec": {"containers": [
            {"name": "a", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "9"}]},
            {"name": "c", "image": "c:1"}]}});
        let out = merged(base, patch, true).unwrap();
        assert_eq!(
            out,
            json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "9"}]},
            {"name": "c", "image": "c:1"},
            {"name": "b", "image": "b:1"}]}})
        );
    }

    #[test]
    fn custom_resource_lists_are_replaced() {
        let out = merged(
            json!({"spec": {"containers": [{"name": "a"}]}}),
            json!({"spec": {"containers": [{"name": "b"}]}}),
            false,
        );
        assert_eq!(
            out.unwrap(),
            json!({"spec": {"containers": [{"name": "b"}]}})
        );
    }

    #[test]
    fn directives() {
        let base = json!({"a": {"x": 1, "y": 2}, "b": {"k": 1}, "c": 3,
            "spec": {"volumes": [{"name": "v1"}, {"name": "v2"}], "finalizers": ["f1", "f2"]}});
        let patch = json!({"a": {"$patch": "replace", "z": 3}, "b": {"$patch": "delete"}, "c": null,
            "spec": {"volumes": [{"name": "v1", "$patch": "delete"}], "$deleteFromPrimitiveList/finalizers": ["f1"]}});
        assert_eq!(
            merged(base, patch, true).unwrap(),
            json!({"a": {"z": 3}, "spec": {"volumes": [{"name": "v2"}], "finalizers": ["f2"]}})
        );
        assert!(
            merged(
                json!({"kind": "Service"}),
                json!({"$patch": "delete"}),
                true
            )
            .is_none()
        );
    }

    #[test]
    fn builtin_groups() {
        assert!(is_builtin_api("v1"));
        assert!(is_builtin_api("apps/v1"));
        assert!(is_builtin_api("networking.k8s.io/v1"));
        assert!(!is_builtin_api("helm.toolkit.fluxcd.io/v2"));
    }
}
