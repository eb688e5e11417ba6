//! Cluster roots, found the way fleets are really bootstrapped.
//!
//! In order of precedence (one root per directory; the first found wins):
//! 1. `clusters:` in the config file, which replaces discovery;
//! 2. a self-applying Kustomization: its `spec.path` renders a set that contains itself (what
//!    `flux bootstrap` writes to `flux-system/gotk-sync.yaml`, and hand-made roots);
//! 3. a `FluxInstance` object (Flux Operator): `spec.sync`;
//! 4. a HelmRelease of the Flux Operator's `flux-instance` chart: `values.instance.sync`;
//! 5. `<dir>/flux-system/gotk-{sync,components}.yaml` placeholders without the sync object.
//!
//! Kustomizations on the repository's own source that none of these applies become roots
//! afterwards (see `graph.rs`), because that needs the rendered clusters.

use super::model::{self, Kustomization};
use crate::kustomize::render::{self, Origin, Renderer, RepoIndex};
use crate::object::Object;
use crate::yaml::Node;

/// The source a cluster's root sync reads this repository through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnSource {
    /// `GitRepository`, `OCIRepository` or `Bucket`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl OwnSource {
    pub fn flux_system() -> OwnSource {
        OwnSource {
            kind: "GitRepository".into(),
            namespace: FLUX_SYSTEM.into(),
            name: FLUX_SYSTEM.into(),
        }
    }
}

pub const FLUX_SYSTEM: &str = "flux-system";

/// How a root was found (shown by `graph`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundBy {
    Config,
    SelfApplying,
    FluxInstance,
    FluxInstanceChart,
    BootstrapFiles,
    /// A Kustomization on the repository's own source that nothing in the repository applies.
    Unapplied,
}

impl FoundBy {
    pub fn describe(self) -> &'static str {
        match self {
            FoundBy::Config => "configured in .gitops-lint.yaml",
            FoundBy::SelfApplying => "self-applying Kustomization",
            FoundBy::FluxInstance => "FluxInstance sync",
            FoundBy::FluxInstanceChart => "flux-instance HelmRelease sync",
            FoundBy::BootstrapFiles => "bootstrap sync not in the repository",
            FoundBy::Unapplied => "Kustomization nothing in the repository applies",
        }
    }
}

/// One cluster root.
#[derive(Clone, Debug)]
pub struct Root {
    pub name: String,
    /// The directory the root sync applies.
    pub dir: String,
    /// The root Kustomization object, when the repository holds it.
    pub object: Option<usize>,
    pub source: OwnSource,
    pub found_by: FoundBy,
    /// Objects the root applies instead of rendering `dir` (several unapplied Kustomizations
    /// of one directory whose rendering does not hold them all).
    pub seeds: Vec<usize>,
}

/// Roots of the repository, sorted by directory.
pub fn discover(
    repo: &RepoIndex<'_>,
    configured: &[super::options::ConfiguredCluster],
) -> Vec<Root> {
    let mut roots = Vec::new();
    if !configured.is_empty() {
        for c in configured {
            if let Some(root) = configured_root(repo, c) {
                push(&mut roots, root);
            }
        }
        return roots;
    }
    let inv = repo.inventory;
    for (i, obj) in inv.objects.iter().enumerate() {
        if let Some(root) = self_applying(repo, i, obj) {
            push(&mut roots, root);
        }
    }
    for obj in inv.objects_of_kind("FluxInstance") {
        if let Some(root) = sync_root(obj.root.pointer("/spec/sync"), obj, FoundBy::FluxInstance) {
            push(&mut roots, root);
        }
    }
    for obj in inv.objects_of_kind("HelmRelease") {
        let sync = obj.root.pointer("/spec/values/instance/sync");
        if model::is_helm_release(&obj.api_version, obj.kind())
            && let Some(root) = sync_root(sync, obj, FoundBy::FluxInstanceChart)
        {
            push(&mut roots, root);
        }
    }
    for file in &inv.files {
        for marker in [
            "/flux-system/gotk-sync.yaml",
            "/flux-system/gotk-components.yaml",
        ] {
            if let Some(dir) = file.path.strip_suffix(marker) {
                push(
                    &mut roots,
                    synthetic(dir, OwnSource::flux_system(), FoundBy::BootstrapFiles),
                );
            }
        }
    }
    roots.sort_by(|a, b| a.dir.cmp(&b.dir));
    roots
}

/// Adds `root` unless a root for its directory exists.
fn push(roots: &mut Vec<Root>, root: Root) {
    if !roots.iter().any(|r| r.dir == root.dir) {
        roots.push(root);
    }
}

pub fn synthetic(dir: &str, source: OwnSource, found_by: FoundBy) -> Root {
    Root {
        name: dir.to_string(),
        dir: dir.to_string(),
        object: None,
        source,
        found_by,
        seeds: Vec::new(),
    }
}

fn namespace_of(obj: &Object) -> String {
    obj.id
        .namespace
        .clone()
        .unwrap_or_else(|| FLUX_SYSTEM.into())
}

/// The source a Kustomization reads, when it can be this repository.
pub fn own_source_of(obj: &Object) -> Option<OwnSource> {
    let src = Kustomization(&obj.root).source_ref()?;
    if !matches!(
        src.kind.as_str(),
        "GitRepository" | "OCIRepository" | "Bucket"
    ) || src.is_templated()
    {
        return None;
    }
    Some(OwnSource {
        namespace: src.namespace_or(&namespace_of(obj)).to_string(),
        name: src.name.clone(),
        kind: src.kind,
    })
}

/// The directory a Kustomization's `spec.path` names (`None` when templated or outside).
pub fn path_dir(node: &Node) -> Option<String> {
    let (path, _) = Kustomization(node).path()?;
    if path.contains("${") {
        return None;
    }
    render::join("", path)
}

/// A Kustomization whose path renders a set holding itself.
fn self_applying(repo: &RepoIndex<'_>, i: usize, obj: &Object) -> Option<Root> {
    if !model::is_flux_kustomization(&obj.api_version, obj.kind()) {
        return None;
    }
    let source = own_source_of(obj)?;
    let dir = path_dir(&obj.root)?;
    // OCI artifacts and buckets are built elsewhere; `./` of a Git source is this repository
    // only for the conventional bootstrap source (tenants sync `./` of their own repositories).
    if source.kind != "GitRepository" || (dir.is_empty() && source.name != FLUX_SYSTEM) {
        return None;
    }
    let file = &repo.inventory.file(obj.file).path;
    let under = dir.is_empty() || file.starts_with(&format!("{dir}/"));
    if !under || repo.is_hidden(obj.file) {
        return None;
    }
    let mut renderer = Renderer::new(repo);
    let rendered = renderer.build_flux_dir(&dir);
    if !rendered.iter().any(|r| r.origin == Origin::Object(i)) {
        return None;
    }
    Some(Root {
        name: dir.clone(),
        dir,
        object: Some(i),
        source,
        found_by: FoundBy::SelfApplying,
        seeds: Vec::new(),
    })
}

/// A Flux Operator sync block (`FluxInstance.spec.sync` or the chart's `instance.sync`): the
/// operator creates a source and a Kustomization named after the instance's namespace.
fn sync_root(sync: Option<&Node>, obj: &Object, found_by: FoundBy) -> Option<Root> {
    let sync = sync?;
    let dir = (sync.get_str("path"))
        .filter(|p| !p.contains("${") && !p.contains("{{"))
        .and_then(|p| render::join("", p))?;
    let namespace = match found_by {
        FoundBy::FluxInstanceChart => (obj.root.pointer("/spec/targetNamespace"))
            .and_then(Node::as_str)
            .map_or_else(|| namespace_of(obj), str::to_string),
        _ => namespace_of(obj),
    };
    let source = OwnSource {
        kind: sync.get_str("kind").unwrap_or("GitRepository").to_string(),
        name: sync.get_str("name").unwrap_or(&namespace).to_string(),
        namespace,
    };
    Some(synthetic(&dir, source, found_by))
}

/// A `clusters:` entry: a directory, or a bootstrap file whose Kustomization is the root.
fn configured_root(repo: &RepoIndex<'_>, c: &super::options::ConfiguredCluster) -> Option<Root> {
    let inv = repo.inventory;
    if let Some(file) = repo.file_id(&c.path) {
        let (i, obj) = (repo.objects_of_file(file).iter())
            .map(|&i| (i, &inv.objects[i]))
            .find(|(_, o)| model::is_flux_kustomization(&o.api_version, o.kind()))?;
        return Some(Root {
            name: c.name.clone(),
            dir: path_dir(&obj.root)?,
            object: Some(i),
            source: own_source_of(obj).unwrap_or_else(OwnSource::flux_system),
            found_by: FoundBy::Config,
            seeds: Vec::new(),
        });
    }
    let mut root = synthetic(&c.path, OwnSource::flux_system(), FoundBy::Config);
    root.name = c.name.clone();
    Some(root)
}
