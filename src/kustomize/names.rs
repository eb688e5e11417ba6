//! `namePrefix` / `nameSuffix`, and the references kustomize's `nameReference` transformer
//! renames with them.

use super::render::Resource;
use super::tree;
use crate::yaml::{Node, Value};

pub(super) fn set_prefix_suffix(acc: &mut [Resource], prefix: &str, suffix: &str) {
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for res in acc.iter_mut() {
        if matches!(res.kind(), "Namespace" | "CustomResourceDefinition") {
            continue;
        }
        let old = res.name().to_string();
        let new = format!("{prefix}{old}{suffix}");
        if let Some(meta) = tree::get_mut(&mut res.node, "metadata")
            && let Some(name) = tree::get_mut(meta, "name")
        {
            name.value = Value::Str(new.clone());
            renamed.push((res.kind().to_string(), old, new));
        }
    }
    for res in acc.iter_mut() {
        rename_references(&mut res.node, &renamed);
    }
}

/// The reference fields kustomize's `nameReference` transformer follows: `(path, kind referred)`.
/// `*` steps over every item of a list.
const NAME_REFERENCES: &[(&[&str], &str)] = &[
    (&["spec", "serviceName"], "Service"),
    (&["spec", "valuesFrom", "*", "name"], "ConfigMap"),
    (&["roleRef", "name"], "Role"),
    (&["roleRef", "name"], "ClusterRole"),
    (&["spec", "scaleTargetRef", "name"], "Deployment"),
    (
        &["spec", "template", "spec", "serviceAccountName"],
        "ServiceAccount",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "volumes",
            "*",
            "configMap",
            "name",
        ],
        "ConfigMap",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "volumes",
            "*",
            "secret",
            "secretName",
        ],
        "Secret",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "volumes",
            "*",
            "persistentVolumeClaim",
            "claimName",
        ],
        "PersistentVolumeClaim",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "*",
            "envFrom",
            "*",
            "configMapRef",
            "name",
        ],
        "ConfigMap",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "*",
            "envFrom",
            "*",
            "secretRef",
            "name",
        ],
        "Secret",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "*",
            "env",
            "*",
            "valueFrom",
            "configMapKeyRef",
            "name",
        ],
        "ConfigMap",
    ),
    (
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "*",
            "env",
            "*",
            "valueFrom",
            "secretKeyRef",
            "name",
        ],
        "Secret",
    ),
    (
        &[
            "spec", "rules", "*", "http", "paths", "*", "backend", "service", "name",
        ],
        "Service",
    ),
];

fn rename_references(node: &mut Node, renamed: &[(String, String, String)]) {
    for (path, kind) in NAME_REFERENCES {
        rename_at(node, path, &|old: &str| {
            renamed
                .iter()
                .find(|(k, o, _)| k == kind && o == old)
                .map(|(_, _, n)| n.clone())
        });
    }
}

fn rename_at(node: &mut Node, path: &[&str], new_name: &dyn Fn(&str) -> Option<String>) {
    let Some((first, rest)) = path.split_first() else {
        if let Value::Str(s) = &mut node.value
            && let Some(n) = new_name(s)
        {
            *s = n;
        }
        return;
    };
    match (&mut node.value, *first) {
        (Value::Seq(items), "*") => items.iter_mut().for_each(|i| rename_at(i, rest, new_name)),
        (Value::Map(_), key) => {
            if let Some(child) = tree::get_mut(node, key) {
                rename_at(child, rest, new_name);
            }
        }
        _ => {}
    }
}
