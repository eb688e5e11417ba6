//! Repository-scope input (`{objects: [...]}`) and the Gatekeeper-shaped `data.inventory`.

use regorus::Value;

/// One object of the repository as policies see it.
#[derive(Clone, Debug)]
pub struct RepoObject {
    /// The manifest (apiVersion, kind, metadata, spec …) as a regorus object.
    pub manifest: Value,
    /// Repository-relative path of the file.
    pub file: String,
    /// 1-based line of the document start.
    pub line: u32,
    /// Owner: the applying Flux Kustomization, else the top-level directory.
    pub owner: String,
    pub cluster: Option<String>,
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    match &value[key] {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// The manifest plus top-level `file`, `line`, `owner`, `cluster`.
pub fn repository_object(object: &RepoObject) -> Value {
    let mut value = object.manifest.clone();
    if let Ok(map) = value.as_object_mut() {
        map.insert(Value::from("file"), Value::from(object.file.as_str()));
        map.insert(Value::from("line"), Value::from(object.line as u64));
        map.insert(Value::from("owner"), Value::from(object.owner.as_str()));
        map.insert(
            Value::from("cluster"),
            object
                .cluster
                .as_deref()
                .map(Value::from)
                .unwrap_or(Value::Null),
        );
    }
    value
}

/// `{"objects": [...]}` for repository-scope rules.
pub fn repository_input(objects: &[RepoObject]) -> Value {
    let items: Vec<Value> = objects.iter().map(repository_object).collect();
    let mut input = Value::new_object();
    if let Ok(map) = input.as_object_mut() {
        map.insert(Value::from("objects"), Value::from(items));
    }
    input
}

/// Adds `clusters` (the Flux model's clusters, `Model::clusters_json`) to a repository input:
/// an empty list means no cluster is known (no Flux roots, none configured).
pub fn with_clusters(mut input: Value, clusters: serde_json::Value) -> Value {
    if let Ok(map) = input.as_object_mut() {
        map.insert(Value::from("clusters"), Value::from(clusters));
    }
    input
}

/// Kinds of the core Kubernetes API that are cluster-scoped (others: see the CRDs).
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
];

fn child<'a>(parent: &'a mut Value, key: &str) -> &'a mut Value {
    let key = Value::from(key);
    if !matches!(parent, Value::Object(_)) {
        *parent = Value::new_object();
    }
    let map = match parent.as_object_mut() {
        Ok(m) => m,
        Err(_) => unreachable!("parent was just made an object"),
    };
    if map.get(&key).is_none() {
        map.insert(key.clone(), Value::new_object());
    }
    match map.get_mut(&key) {
        Some(v) => v,
        None => unreachable!("key was just inserted"),
    }
}

/// Gatekeeper's inventory: `cluster[apiVersion][kind][name]` for cluster-scoped objects and
/// `namespace[ns][apiVersion][kind][name]` for the others (namespace `default` when unset).
/// Cluster scope = a core kind of [`CLUSTER_SCOPED_KINDS`] or a kind that a CRD of `objects`
/// declares `scope: Cluster`. The first definition of an identity wins.
pub fn inventory(objects: &[RepoObject]) -> Value {
    let mut crd_cluster_kinds = std::collections::BTreeSet::new();
    for o in objects {
        let m = &o.manifest;
        if text(m, "kind") == Some("CustomResourceDefinition")
            && text(&m["spec"], "scope") == Some("Cluster")
            && let (Some(group), Some(kind)) =
                (text(&m["spec"], "group"), text(&m["spec"]["names"], "kind"))
        {
            crd_cluster_kinds.insert((group.to_string(), kind.to_string()));
        }
    }
    let mut inv = Value::new_object();
    for o in objects {
        let m = &o.manifest;
        let (Some(api_version), Some(kind), Some(name)) = (
            text(m, "apiVersion"),
            text(m, "kind"),
            text(&m["metadata"], "name"),
        ) else {
            continue;
        };
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let cluster_scoped = CLUSTER_SCOPED_KINDS.contains(&kind)
            || crd_cluster_kinds.contains(&(group.to_string(), kind.to_string()));
        let slot = if cluster_scoped {
            child(child(child(&mut inv, "cluster"), api_version), kind)
        } else {
            let ns = text(&m["metadata"], "namespace").unwrap_or("default");
            child(
                child(child(child(&mut inv, "namespace"), ns), api_version),
                kind,
            )
        };
        if let Ok(map) = slot.as_object_mut() {
            let key = Value::from(name);
            if map.get(&key).is_none() {
                map.insert(key, m.clone());
            }
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &str, owner: &str) -> RepoObject {
        RepoObject {
            manifest: Value::from_json_str(json).unwrap(),
            file: format!("{owner}/x.yaml"),
            line: 1,
            owner: owner.to_string(),
            cluster: Some("prod".into()),
        }
    }

    #[test]
    fn inventory_is_gatekeeper_shaped() {
        let objects = vec![
            obj(
                r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}"#,
                "a",
            ),
            obj(
                r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"}}"#,
                "a",
            ),
            obj(
                r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}"#,
                "b",
            ),
            obj(
                r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x"},
                "spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}}}"#,
                "b",
            ),
            obj(
                r#"{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}"#,
                "b",
            ),
        ];
        let inv = inventory(&objects);
        assert_eq!(
            inv["cluster"]["v1"]["Namespace"]["shop"]["kind"],
            Value::from("Namespace")
        );
        assert_eq!(
            inv["namespace"]["shop"]["apps/v1"]["Deployment"]["api"]["metadata"]["name"],
            Value::from("api")
        );
        assert_ne!(
            inv["namespace"]["default"]["v1"]["ConfigMap"]["c"],
            Value::Undefined
        );
        assert_ne!(
            inv["cluster"]["example.com/v1"]["Widget"]["w"],
            Value::Undefined
        );
        let input = repository_input(&objects);
        assert_eq!(input["objects"][0]["owner"], Value::from("a"));
        assert_eq!(input["objects"][1]["cluster"], Value::from("prod"));
        assert_eq!(input["objects"][1]["file"], Value::from("a/x.yaml"));
        let input = with_clusters(input, serde_json::json!([{"name": "prod"}]));
        assert_eq!(input["clusters"][0]["name"], Value::from("prod"));
        assert_eq!(input["objects"][0]["owner"], Value::from("a"));
    }
}
