//! Typed views over the Flux kinds (every served version maps to one view). Views read the
//! effective tree; a missing or ill-typed field is simply absent (schema rules report it).

use crate::kustomize::tree::{get, get_path, get_str};
use crate::source::Span;
use crate::yaml::Node;

pub const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
pub const HELM_GROUP: &str = "helm.toolkit.fluxcd.io";
pub const NOTIFICATION_GROUP: &str = "notification.toolkit.fluxcd.io";
pub const ARTIFACT_GROUP: &str = "source.extensions.fluxcd.io";

/// The source kinds a Kustomization or HelmRelease can name.
pub const SOURCE_KINDS: &[&str] = &[
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "HelmChart",
    "Bucket",
    "ExternalArtifact",
];

pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

pub fn is_flux_kustomization(api_version: &str, kind: &str) -> bool {
    kind == "Kustomization" && group_of(api_version) == KUSTOMIZE_GROUP
}

pub fn is_helm_release(api_version: &str, kind: &str) -> bool {
    kind == "HelmRelease" && group_of(api_version) == HELM_GROUP
}

pub fn is_source(api_version: &str, kind: &str) -> bool {
    group_of(api_version) == SOURCE_GROUP && SOURCE_KINDS.contains(&kind)
}

/// A reference to another object by kind/name/namespace, with the node it was written at.
#[derive(Clone, Debug)]
pub struct Ref {
    pub kind: String,
    pub name: String,
    /// As written; `None` means the referrer's namespace.
    pub namespace: Option<String>,
    /// The `name` node (where findings point).
    pub span: Span,
    pub optional: bool,
}

impl Ref {
    fn read(node: &Node, default_kind: &str) -> Option<Ref> {
        let name_node = get(node, "name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))?;
        Some(Ref {
            kind: get_str(node, &["kind"]).unwrap_or(default_kind).to_string(),
            name: name_node
                .as_str()
                .map_or_else(|| crate::object::scalar_text(name_node), str::to_string),
            namespace: get_str(node, &["namespace"])
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            span: name_node.span,
            optional: get(node, "optional")
                .and_then(Node::as_bool)
                .unwrap_or(false),
        })
    }

    /// The namespace the reference resolves in.
    pub fn namespace_or<'a>(&'a self, referrer: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(referrer)
    }

    /// Still holds an unsubstituted `${…}` (unknown value: never reported as dangling).
    pub fn is_templated(&self) -> bool {
        self.name.contains("${") || self.namespace.as_deref().is_some_and(|n| n.contains("${"))
    }
}

fn refs(node: Option<&Node>, default_kind: &str) -> Vec<Ref> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| Ref::read(n, default_kind))
        .collect()
}

/// `kustomize.toolkit.fluxcd.io` Kustomization.
pub struct Kustomization<'n>(pub &'n Node);

impl<'n> Kustomization<'n> {
    pub fn source_ref(&self) -> Option<Ref> {
        get_path(self.0, &["spec", "sourceRef"]).and_then(|n| Ref::read(n, ""))
    }
    /// `spec.path` and its node.
    pub fn path(&self) -> Option<(&'n str, Span)> {
        let n = get_path(self.0, &["spec", "path"])?;
        Some((n.as_str()?, n.span))
    }
    pub fn depends_on(&self) -> Vec<Ref> {
        refs(get_path(self.0, &["spec", "dependsOn"]), "Kustomization")
    }
    pub fn target_namespace(&self) -> Option<(&'n str, Span)> {
        let n = get_path(self.0, &["spec", "targetNamespace"])?;
        Some((n.as_str().filter(|s| !s.is_empty())?, n.span))
    }
    pub fn patches(&self) -> Option<&'n Node> {
        get_path(self.0, &["spec", "patches"])
    }
    pub fn components(&self) -> Option<&'n Node> {
        get_path(self.0, &["spec", "components"])
    }
    pub fn post_build(&self) -> Option<&'n Node> {
        get_path(self.0, &["spec", "postBuild"])
    }
    /// `postBuild.substitute` pairs.
    pub fn substitute(&self) -> Vec<(String, String)> {
        (self
            .post_build()
            .and_then(|p| get(p, "substitute"))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter())
        .map(|(k, v)| (k.key_string().into_owned(), crate::object::scalar_text(v)))
        .collect()
    }
    pub fn substitute_from(&self) -> Vec<Ref> {
        refs(
            self.post_build().and_then(|p| get(p, "substituteFrom")),
            "ConfigMap",
        )
    }
}

/// `helm.toolkit.fluxcd.io` HelmRelease.
pub struct HelmRelease<'n>(pub &'n Node);

impl<'n> HelmRelease<'n> {
    pub fn chart_spec(&self) -> Option<&'n Node> {
        get_path(self.0, &["spec", "chart", "spec"])
    }
    /// `chart.spec.sourceRef` (HelmRepository, GitRepository, Bucket).
    pub fn chart_source_ref(&self) -> Option<Ref> {
        self.chart_spec()
            .and_then(|s| get(s, "sourceRef"))
            .and_then(|n| Ref::read(n, "HelmRepository"))
    }
    /// `spec.chartRef` (OCIRepository, HelmChart, ExternalArtifact).
    pub fn chart_ref(&self) -> Option<Ref> {
        get_path(self.0, &["spec", "chartRef"]).and_then(|n| Ref::read(n, ""))
    }
    pub fn depends_on(&self) -> Vec<Ref> {
        refs(get_path(self.0, &["spec", "dependsOn"]), "HelmRelease")
    }
    pub fn values_from(&self) -> Vec<Ref> {
        refs(get_path(self.0, &["spec", "valuesFrom"]), "ConfigMap")
    }
}

/// `source.toolkit.fluxcd.io` HelmChart.
pub fn helm_chart_source_ref(node: &Node) -> Option<Ref> {
    get_path(node, &["spec", "sourceRef"]).and_then(|n| Ref::read(n, "HelmRepository"))
}

/// One `copy` rule of an ArtifactGenerator artifact, as repository directories.
#[derive(Clone, Debug)]
pub struct ArtifactCopy {
    /// Source directory in the repository (from `@alias/<dir>/**`).
    pub from_dir: String,
    /// Directory in the artifact (from `@artifact/<dir>/`).
    pub to_dir: String,
}

/// An ExternalArtifact produced by an ArtifactGenerator (source-watcher).
#[derive(Clone, Debug)]
pub struct GeneratedArtifact {
    pub name: String,
    pub namespace: String,
    /// `(kind, name)` of the generator's sources by alias.
    pub copies: Vec<(String, ArtifactCopy)>,
    pub sources: Vec<(String, String, String)>,
}

/// `source.extensions.fluxcd.io` ArtifactGenerator → the artifacts it produces.
pub fn generated_artifacts(node: &Node, namespace: &str) -> Vec<GeneratedArtifact> {
    let sources: Vec<(String, String, String)> = (get_path(node, &["spec", "sources"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter())
    .map(|s| {
        let f = |k| get_str(s, &[k]).unwrap_or("").to_string();
        (f("alias"), f("kind"), f("name"))
    })
    .collect();
    (get_path(node, &["spec", "artifacts"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter())
    .filter_map(|a| {
        let name = get_str(a, &["name"])?.to_string();
        let copies = (get(a, "copy")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter())
        .filter_map(|c| {
            let from = get_str(c, &["from"])?;
            let to = get_str(c, &["to"])?;
            let (alias, rest) = from.strip_prefix('@')?.split_once('/')?;
            let from_dir = rest
                .strip_suffix("/**")
                .or_else(|| rest.strip_suffix("/*"))
                .or(if rest == "**" { Some("") } else { None })?;
            let to_dir = to.strip_prefix("@artifact")?.trim_matches('/');
            Some((
                alias.to_string(),
                ArtifactCopy {
                    from_dir: from_dir.to_string(),
                    to_dir: to_dir.to_string(),
                },
            ))
        })
        .collect();
        Some(GeneratedArtifact {
            name,
            namespace: namespace.to_string(),
            copies,
            sources: sources.clone(),
        })
    })
    .collect()
}

/// Deprecated or removed Flux API versions: `(group, version, kinds (empty = all), replacement)`.
pub const DEPRECATED_APIS: &[(&str, &str, &str)] = &[
    (KUSTOMIZE_GROUP, "v1beta1", "v1"),
    (KUSTOMIZE_GROUP, "v1beta2", "v1"),
    (HELM_GROUP, "v2beta1", "v2"),
    (HELM_GROUP, "v2beta2", "v2"),
    (SOURCE_GROUP, "v1beta1", "v1"),
    (SOURCE_GROUP, "v1beta2", "v1"),
    (NOTIFICATION_GROUP, "v1beta1", "v1beta3"),
    (NOTIFICATION_GROUP, "v1beta2", "v1beta3"),
    ("image.toolkit.fluxcd.io", "v1beta1", "v1"),
    ("image.toolkit.fluxcd.io", "v1beta2", "v1"),
];

/// The replacement for a deprecated Flux API version (Receiver moved to `v1`).
pub fn replacement(group: &str, version: &str, kind: &str) -> Option<&'static str> {
    let (_, _, to) = DEPRECATED_APIS
        .iter()
        .find(|(g, v, _)| *g == group && *v == version)?;
    Some(if group == NOTIFICATION_GROUP && kind == "Receiver" {
        "v1"
    } else {
        to
    })
}
