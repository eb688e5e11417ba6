//! Kubernetes objects found in YAML documents.

use serde::Serialize;

use crate::source::{FileId, Span};
use crate::yaml::{Document, Node, Value};

/// The identity of an object as the API server sees it (namespace as written in the manifest).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// A short, owned reference to an object: the logical location of a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{}/{}", self.kind, namespace, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

#[derive(Debug)]
pub struct Object {
    pub id: ObjectId,
    pub api_version: String,
    pub file: FileId,
    /// Index of the document in its file.
    pub document: usize,
    /// The object's mapping (a `List` item's own mapping for expanded lists).
    pub root: Node,
    /// The document is SOPS-encrypted (top-level `sops:` mapping).
    pub sops: bool,
}

impl Object {
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.id.kind.clone(),
            namespace: self.id.namespace.clone(),
            name: self.id.name.clone(),
        }
    }

    /// Where findings about the whole object point: `metadata.name`, else the object's start.
    pub fn name_span(&self) -> Span {
        self.root
            .pointer("/metadata/name")
            .map_or(self.root.span, |node| node.span)
    }

    pub fn kind(&self) -> &str {
        &self.id.kind
    }
}

/// A document that is almost an object: it has `apiVersion` or `kind` but not both (as strings).
#[derive(Debug)]
pub struct IncompleteTypeMeta {
    pub span: Span,
    pub missing: &'static str,
}

/// Documents that describe kustomize itself, not cluster objects.
fn is_tool_config(api_version: &str) -> bool {
    api_version.starts_with("kustomize.config.k8s.io/")
}

/// The objects of one file's documents; `List` kinds are expanded to their items.
///
/// An object's tree is moved out of its document (`root` becomes `None`), so that no tree is held
/// twice: documents keep only what is not an object (values files, tool configs).
pub fn objects_in(
    file: FileId,
    documents: &mut [Document],
) -> (Vec<Object>, Vec<IncompleteTypeMeta>) {
    let mut objects = Vec::new();
    let mut incomplete = Vec::new();
    for (index, document) in documents.iter_mut().enumerate() {
        let Some(root) = &document.root else { continue };
        let sops = root.get("sops").is_some_and(Node::is_map);
        let list_items = match type_meta(root) {
            TypeMeta::Object(_, kind) if kind.ends_with("List") => {
                root.get("items").and_then(Node::as_seq)
            }
            _ => None,
        };
        if let Some(items) = list_items {
            for item in items {
                match type_meta(item) {
                    TypeMeta::Object(api_version, kind) if !is_tool_config(&api_version) => {
                        objects.push(new_object(
                            file,
                            index,
                            item.clone(),
                            api_version,
                            kind,
                            sops,
                        ));
                    }
                    TypeMeta::Object(..) => {}
                    TypeMeta::Incomplete(missing) => incomplete.push(IncompleteTypeMeta {
                        span: type_meta_span(item),
                        missing,
                    }),
                    TypeMeta::NotAnObject => incomplete.push(IncompleteTypeMeta {
                        span: item.span,
                        missing: "apiVersion` and `kind",
                    }),
                }
            }
            continue;
        }
        match type_meta(root) {
            TypeMeta::Object(api_version, kind) if !is_tool_config(&api_version) => {
                let root = document.root.take().expect("checked above");
                objects.push(new_object(file, index, root, api_version, kind, sops));
            }
            TypeMeta::Incomplete(missing) => incomplete.push(IncompleteTypeMeta {
                span: type_meta_span(root),
                missing,
            }),
            TypeMeta::Object(..) | TypeMeta::NotAnObject => {}
        }
    }
    (objects, incomplete)
}

/// The `apiVersion` or `kind` key that is there, else the whole node.
fn type_meta_span(node: &Node) -> Span {
    (node.entry("apiVersion").or_else(|| node.entry("kind")))
        .map_or(node.span, |(key, value)| key.span.cover(value.span))
}

enum TypeMeta {
    Object(String, String),
    Incomplete(&'static str),
    NotAnObject,
}

fn type_meta(node: &Node) -> TypeMeta {
    if !node.is_map() {
        return TypeMeta::NotAnObject;
    }
    let api_version = node.get("apiVersion");
    let kind = node.get("kind");
    match (api_version, kind) {
        (None, None) => TypeMeta::NotAnObject,
        (Some(a), Some(k)) => match (a.as_str(), k.as_str()) {
            (Some(a), Some(k)) if !a.is_empty() && !k.is_empty() => {
                TypeMeta::Object(a.to_owned(), k.to_owned())
            }
            (Some(a), _) if !a.is_empty() => TypeMeta::Incomplete("kind"),
            _ => TypeMeta::Incomplete("apiVersion"),
        },
        (Some(_), None) => TypeMeta::Incomplete("kind"),
        (None, Some(_)) => TypeMeta::Incomplete("apiVersion"),
    }
}

fn new_object(
    file: FileId,
    document: usize,
    node: Node,
    api_version: String,
    kind: String,
    sops: bool,
) -> Object {
    let (group, version) = match api_version.rsplit_once('/') {
        Some((group, version)) => (group.to_owned(), version.to_owned()),
        None => (String::new(), api_version.clone()),
    };
    let metadata = node.get("metadata");
    let text = |key: &str| metadata.and_then(|m| m.get(key)).map(scalar_text);
    Object {
        id: ObjectId {
            group,
            version,
            kind,
            namespace: text("namespace").filter(|ns| !ns.is_empty()),
            name: text("name").unwrap_or_default(),
        },
        api_version,
        file,
        document,
        root: node,
        sops,
    }
}

/// A scalar as text (names written as `123` or `true` are still names).
pub fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) | Value::Null => String::new(),
        _ => node.key_string().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn objects(text: &str) -> (Vec<Object>, Vec<IncompleteTypeMeta>) {
        objects_in(FileId(0), &mut parse(FileId(0), text).documents)
    }

    #[test]
    fn lists_expand_and_tool_configs_are_skipped() {
        let (found, incomplete) = objects(
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b, namespace: x}}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
        );
        assert!(incomplete.is_empty());
        let ids: Vec<_> = found.iter().map(|o| o.reference().display()).collect();
        assert_eq!(ids, ["ConfigMap/a", "Secret/x/b"]);
    }

    #[test]
    fn half_objects_are_reported_and_other_yaml_is_not() {
        let (found, incomplete) = objects(
            "apiVersion: v1\nmetadata: {name: a}\n---\nkind: Pod\n---\nname: build\non: [push]\n---\n- a\n",
        );
        assert!(found.is_empty());
        let missing: Vec<_> = incomplete.iter().map(|i| i.missing).collect();
        assert_eq!(missing, ["kind", "apiVersion"]);
    }

    #[test]
    fn sops_documents_are_marked() {
        let (found, _) = objects(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: ENC[AES256_GCM,data:x,type:str]\nsops: {version: 3.8.1}\n",
        );
        assert!(found[0].sops);
        assert_eq!(found[0].id.group, "");
        assert_eq!(found[0].id.version, "v1");
    }
}
