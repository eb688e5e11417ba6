//! The repository graph: clusters, the Flux Kustomizations that apply each part of the
//! repository, and every object as it will be applied (patched, substituted) with its owner.
//!
//! Built once from the frozen inventory; the result is owned and never calls back.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::ignore::SourceIgnore;
use super::model::{self, GeneratedArtifact, Kustomization};
use super::roots::{self, FLUX_SYSTEM, FoundBy, OwnSource, Root};
use crate::inventory::Inventory;
use crate::kustomize::render::{self, Origin, Problem, Renderer, RepoIndex, Resource};
use crate::source::{FileId, Span};
use crate::yaml::Node;

/// A cluster: one root Kustomization chain (named after its directory, e.g. `clusters/prod`).
#[derive(Debug)]
pub struct Cluster {
    pub name: String,
    /// Repository directory of the root sync.
    pub dir: String,
    /// Index of the root in [`Model::kustomizations`].
    pub root: usize,
    /// The source the root sync reads this repository through (`flux-system` by default).
    pub own_source: OwnSource,
    /// The root Kustomization is not in the repository (bootstrap files are placeholders,
    /// or the Flux Operator creates it).
    pub synthetic_root: bool,
    pub found_by: FoundBy,
    /// ExternalArtifacts produced by ArtifactGenerators in this cluster.
    pub artifacts: Vec<GeneratedArtifact>,
    /// Objects a synthetic root applies instead of rendering `dir`.
    seeds: Vec<usize>,
    /// Index of the repository view of its source (ignore rules applied).
    index: usize,
}

/// How a Kustomization's source resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceStatus {
    /// Read from this repository at `dir`.
    Repository { dir: String },
    /// Another repository, registry or bucket: not rendered.
    External,
    /// No source, or not resolvable statically (e.g. an ExternalArtifact we cannot map).
    Unresolved,
}

/// A Flux Kustomization in one cluster.
#[derive(Debug)]
pub struct KsNode {
    pub name: String,
    pub namespace: String,
    pub cluster: usize,
    pub parent: Option<usize>,
    /// Its own object in [`Model::instances`] (`None` for a synthetic root).
    pub instance: Option<usize>,
    pub source: SourceStatus,
    /// Number of objects it applies.
    pub applied: usize,
}

impl KsNode {
    pub fn display(&self) -> String {
        format!("Kustomization/{}/{}", self.namespace, self.name)
    }
}

/// One object as it will be applied in one cluster by one owner (or standalone).
#[derive(Debug)]
pub struct Instance {
    pub origin: Origin,
    pub node: Node,
    pub owner: Option<usize>,
    pub cluster: Option<usize>,
    pub api_version: String,
    pub kind: String,
    /// Effective namespace: `""` for cluster-scoped objects, `default` when unset.
    pub namespace: String,
    pub name: String,
    /// The source object is SOPS-encrypted.
    pub sops: bool,
    /// Some content is unknown (generator reading an env file).
    pub opaque: bool,
}

impl Instance {
    pub fn group(&self) -> &str {
        model::group_of(&self.api_version)
    }
    pub fn reference(&self) -> crate::object::ObjectRef {
        crate::object::ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: (!self.namespace.is_empty()).then(|| self.namespace.clone()),
            name: self.name.clone(),
        }
    }

    /// `Kind/namespace/name` as people read it.
    pub fn display(&self) -> String {
        self.reference().display()
    }

    /// Where findings about the whole object point.
    pub fn name_span(&self) -> Span {
        self.node
            .pointer("/metadata/name")
            .map_or(self.node.span, |n| n.span)
    }
}

/// `${var}` used under a Kustomization with `postBuild`, defined nowhere.
#[derive(Debug, Clone)]
pub struct UndefinedVar {
    pub span: Span,
    pub name: String,
    pub kustomization: usize,
}

/// A `spec.path` that does not exist in the repository.
#[derive(Debug, Clone)]
pub struct MissingPath {
    pub span: Span,
    pub path: String,
    /// The Kustomization in the graph; `None` for one no cluster applies.
    pub kustomization: Option<usize>,
    /// Its object (`Kustomization/ns/name`).
    pub object: Option<crate::object::ObjectRef>,
}

/// The repository model.
#[derive(Debug, Default)]
pub struct Model {
    pub clusters: Vec<Cluster>,
    pub kustomizations: Vec<KsNode>,
    pub instances: Vec<Instance>,
    /// kustomize build problems (missing resources, patches that cannot apply).
    pub problems: Vec<Problem>,
    pub missing_paths: Vec<MissingPath>,
    pub undefined_vars: Vec<UndefinedVar>,
    /// Files read as patches: never objects of their own.
    pub patch_files: HashSet<FileId>,
    /// Files no cluster's source artifact holds (`spec.ignore`, `.sourceignore`): only YAML
    /// syntax is judged there.
    pub ignored_files: HashSet<FileId>,
    /// What the configuration says beyond the repository.
    pub options: super::Options,
    /// `inventory.objects` index → instances built from it.
    by_object: HashMap<usize, Vec<usize>>,
    /// `(kind, namespace, name)` → instances.
    by_id: HashMap<(String, String, String), Vec<usize>>,
    /// Objects of each file with their root spans, for span → object lookups.
    by_file: HashMap<FileId, Vec<(Span, usize)>>,
}

/// The repository as each root source sees it; the first entry is `flux-system` (the default
/// for Kustomizations no root applies). `None`: the source has no ignore rules.
fn source_indexes<'i>(
    inventory: &'i Inventory,
    roots: &[Root],
) -> Vec<(OwnSource, Option<RepoIndex<'i>>)> {
    let mut sources = vec![OwnSource::flux_system()];
    for root in roots {
        if !sources.contains(&root.source) {
            sources.push(root.source.clone());
        }
    }
    (sources.into_iter())
        .map(|source| {
            let index = source_ignore(inventory, &source)
                .map(|rules| RepoIndex::with_ignore(inventory, Some(Arc::new(rules))));
            (source, index)
        })
        .collect()
}

/// `spec.ignore` of the source object (when the repository holds it) and the `.sourceignore`
/// files: what source-controller leaves out of a GitRepository or Bucket artifact.
fn source_ignore(inventory: &Inventory, source: &OwnSource) -> Option<SourceIgnore> {
    if source.kind != "GitRepository" && source.kind != "Bucket" {
        return None;
    }
    let spec = (inventory.objects_of_kind(&source.kind))
        .find(|o| {
            model::is_source(&o.api_version, o.kind())
                && o.id.name == source.name
                && (o.id.namespace.as_deref()).is_none_or(|n| n == source.namespace)
        })
        .and_then(|o| o.root.pointer("/spec/ignore"))
        .and_then(Node::as_str);
    if spec.is_none() && inventory.source_ignores.is_empty() {
        return None;
    }
    Some(SourceIgnore::new(
        &inventory.root,
        spec,
        &inventory.source_ignores,
    ))
}

impl Model {
    /// Every HelmRelease placement, in model order.
    pub fn helm_releases(&self) -> impl Iterator<Item = &Instance> {
        (self.instances.iter()).filter(|i| super::model::is_helm_release(&i.api_version, &i.kind))
    }

    /// Builds the model from the frozen inventory.
    pub fn build(inventory: &Inventory, options: &super::Options) -> Model {
        let repo = RepoIndex::new(inventory);
        let found = roots::discover(&repo, &options.clusters);
        let indexes = source_indexes(inventory, &found);
        let mut b = Builder {
            repo: &repo,
            indexes: &indexes,
            model: Model {
                options: options.clone(),
                ..Model::default()
            },
            seen: HashSet::new(),
            built: HashSet::new(),
            live: HashMap::new(),
            root_objects: HashMap::new(),
        };
        for root in found {
            let c = b.add_cluster(root);
            b.walk_cluster(c);
        }
        b.adopt_unapplied();
        b.model.ignored_files = (inventory.files.iter())
            .filter(|f| b.hidden_everywhere(f.id))
            .map(|f| f.id)
            .collect();
        let unreached = b.build_unreached_kustomizations();
        b.add_standalone(unreached);
        let mut model = b.model;
        model.by_id = b.live;
        render::dedup(&mut model.problems);
        let mut seen = HashSet::new();
        model
            .undefined_vars
            .retain(|u| seen.insert((u.span, u.name.clone())));
        let mut seen = HashSet::new();
        model.missing_paths.retain(|m| seen.insert(m.span));
        for (o, object) in inventory.objects.iter().enumerate() {
            model
                .by_file
                .entry(object.file)
                .or_default()
                .push((object.root.span, o));
        }
        for (i, inst) in model.instances.iter().enumerate() {
            if let Origin::Object(o) = inst.origin {
                model.by_object.entry(o).or_default().push(i);
            }
        }
        model
    }

    /// Instances with this identity in `cluster` (`None`: standalone objects and every cluster).
    pub fn find(
        &self,
        cluster: Option<usize>,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = &Instance> {
        (self
            .by_id
            .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
            .into_iter()
            .flatten())
        .map(|&i| &self.instances[i])
        .filter(move |inst| cluster.is_none() || inst.cluster == cluster)
    }

    /// Whether the config declares this object as existing outside the repository in `cluster`
    /// (an entry without namespace matches every namespace).
    pub fn is_external(
        &self,
        cluster: Option<usize>,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> bool {
        let cluster_name = cluster.map(|c| self.clusters[c].name.as_str());
        (self.options.external.iter()).any(|e| {
            e.kind == kind
                && e.name == name
                && e.namespace.as_deref().is_none_or(|n| n == namespace)
                && (e.cluster.is_none() || e.cluster.as_deref() == cluster_name)
        })
    }

    /// Namespaces where an object of this kind and name exists in `cluster` (for "exists only in
    /// another namespace" messages).
    pub fn namespaces_of(&self, cluster: Option<usize>, kind: &str, name: &str) -> Vec<&str> {
        let mut out: Vec<&str> = (self.instances.iter())
            .filter(|i| {
                i.kind == kind
                    && i.name == name
                    && !i.namespace.contains("${")
                    && (cluster.is_none() || i.cluster == cluster)
            })
            .map(|i| i.namespace.as_str())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether a source reference resolves in the referrer's cluster.
    pub fn source_exists(
        &self,
        cluster: Option<usize>,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> bool {
        // The bootstrap source: a GitRepository, or any source kind when the sync is not in the
        // repository (Flux Operator and OCI bootstraps name theirs `flux-system` too).
        let own = |c: &Cluster| {
            (kind == c.own_source.kind || c.synthetic_root)
                && c.own_source.namespace == namespace
                && c.own_source.name == name
        };
        let artifact = |c: &Cluster| {
            kind == "ExternalArtifact"
                && c.artifacts
                    .iter()
                    .any(|a| a.name == name && a.namespace == namespace)
        };
        let in_clusters = match cluster {
            Some(c) => own(&self.clusters[c]) || artifact(&self.clusters[c]),
            None => {
                self.clusters.iter().any(|c| own(c) || artifact(c))
                    || (namespace == "flux-system" && name == "flux-system")
            }
        };
        in_clusters
            || self.is_external(cluster, kind, namespace, name)
            || self
                .find(cluster, kind, namespace, name)
                .any(|i| model::is_source(&i.api_version, &i.kind))
    }

    /// Owner and cluster of every instance built from `inventory.objects[object]`.
    pub fn placements(&self, object: usize) -> Vec<(String, String)> {
        (self.by_object.get(&object).into_iter().flatten())
            .filter_map(|&i| {
                let inst = &self.instances[i];
                Some((
                    self.kustomizations[inst.owner?].display(),
                    self.clusters[inst.cluster?].name.clone(),
                ))
            })
            .collect()
    }

    /// Every object as it will be applied (one per placement; standalone objects as written),
    /// for the schema stage. Generated objects are left out.
    pub fn effective_objects(&self, inventory: &Inventory) -> Vec<crate::object::Object> {
        (self.instances.iter())
            .filter_map(|inst| {
                let Origin::Object(o) = inst.origin else {
                    return None;
                };
                let source = &inventory.objects[o];
                let (group, version) = render::split_api_version(&inst.api_version);
                Some(crate::object::Object {
                    id: crate::object::ObjectId {
                        group: group.to_string(),
                        version: version.to_string(),
                        kind: inst.kind.clone(),
                        namespace: (inst.node.pointer("/metadata/namespace"))
                            .and_then(Node::as_str)
                            .map(str::to_string),
                        name: inst.name.clone(),
                    },
                    api_version: inst.api_version.clone(),
                    file: source.file,
                    document: source.document,
                    root: inst.node.clone(),
                    sops: source.sops,
                })
            })
            .collect()
    }

    /// Clusters and their Kustomizations as JSON: the `clusters` input of Rego repository rules.
    pub fn clusters_json(&self) -> serde_json::Value {
        let clusters: Vec<serde_json::Value> = (self.clusters.iter().enumerate())
            .map(|(c, cluster)| {
                let kustomizations: Vec<serde_json::Value> = (self.kustomizations.iter())
                    .filter(|k| k.cluster == c)
                    .map(|k| {
                        let path = match &k.source {
                            SourceStatus::Repository { dir } => {
                                serde_json::Value::from(dir.as_str())
                            }
                            _ => serde_json::Value::Null,
                        };
                        serde_json::json!({
                            "name": k.name,
                            "namespace": k.namespace,
                            "parent": k.parent.map(|p| self.kustomizations[p].display()),
                            "path": path,
                            "objects": k.applied,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "name": cluster.name,
                    "root": self.kustomizations[cluster.root].display(),
                    "kustomizations": kustomizations,
                })
            })
            .collect();
        serde_json::Value::Array(clusters)
    }

    /// The inventory object whose tree holds `span`.
    pub fn object_at(&self, span: Span) -> Option<usize> {
        (self.by_file.get(&span.file).into_iter().flatten())
            .find(|(root, _)| root.start <= span.start && span.start < root.end.max(root.start + 1))
            .map(|(_, o)| *o)
    }

    /// Owner and cluster of the object a finding points into (JSON output, Rego input).
    pub fn placements_at(&self, _inventory: &Inventory, span: Span) -> Vec<(String, String)> {
        self.object_at(span)
            .map(|o| self.placements(o))
            .unwrap_or_default()
    }

    pub fn cluster_name(&self, cluster: Option<usize>) -> &str {
        cluster.map_or("(no cluster)", |c| self.clusters[c].name.as_str())
    }
}

/// The model under construction; its stages live here, in `postbuild.rs` (substitution) and in
/// `outside.rs` (what no root reaches).
pub(super) struct Builder<'r, 'i> {
    pub(super) repo: &'r RepoIndex<'i>,
    /// The repository as each root source sees it (`None`: no ignore rules, use `repo`).
    pub(super) indexes: &'r [(OwnSource, Option<RepoIndex<'i>>)],
    pub(super) model: Model,
    /// Root Kustomization node → its object as written (read before it applies itself).
    pub(super) root_objects: HashMap<usize, usize>,
    /// `(cluster, namespace, name)` of Kustomizations already in the graph.
    pub(super) seen: HashSet<(usize, String, String)>,
    /// Directories built by some Flux Kustomization.
    pub(super) built: HashSet<String>,
    /// `(kind, namespace, name)` → instances so far (substituteFrom lookups).
    pub(super) live: HashMap<(String, String, String), Vec<usize>>,
}

impl<'r, 'i> Builder<'r, 'i> {
    pub(super) fn inventory(&self) -> &Inventory {
        self.repo.inventory
    }

    /// Adds a cluster for `root` with its root Kustomization node.
    pub(super) fn add_cluster(&mut self, root: Root) -> usize {
        let inv = self.repo.inventory;
        let c = self.model.clusters.len();
        let (name, namespace) = match root.object {
            Some(o) => {
                let id = &inv.objects[o].id;
                let ns = id.namespace.clone();
                (id.name.clone(), ns.unwrap_or_else(|| FLUX_SYSTEM.into()))
            }
            None => (root.source.name.clone(), root.source.namespace.clone()),
        };
        self.seen.insert((c, namespace.clone(), name.clone()));
        let k = self.model.kustomizations.len();
        self.model.kustomizations.push(KsNode {
            name,
            namespace,
            cluster: c,
            parent: None,
            instance: None,
            source: SourceStatus::Repository {
                dir: root.dir.clone(),
            },
            applied: 0,
        });
        let index = (self.indexes.iter())
            .position(|(s, _)| *s == root.source)
            .unwrap_or(0);
        self.model.clusters.push(Cluster {
            name: root.name,
            dir: root.dir,
            root: k,
            own_source: root.source,
            synthetic_root: root.object.is_none(),
            found_by: root.found_by,
            artifacts: Vec::new(),
            seeds: root.seeds,
            index,
        });
        if let Some(o) = root.object {
            // The root object as written: it applies itself, and adopts the rendered copy.
            self.root_objects.insert(k, o);
        }
        c
    }

    /// The repository as cluster `c`'s source artifact holds it.
    pub(super) fn index(&self, c: usize) -> &'r RepoIndex<'i> {
        let indexes: &'r [(OwnSource, Option<RepoIndex<'i>>)] = self.indexes;
        indexes[self.model.clusters[c].index]
            .1
            .as_ref()
            .unwrap_or(self.repo)
    }

    pub(super) fn walk_cluster(&mut self, c: usize) {
        let root = self.model.clusters[c].root;
        let mut queue = VecDeque::from([root]);
        let mut pending: Vec<usize> = Vec::new();
        loop {
            while let Some(k) = queue.pop_front() {
                match self.process(k) {
                    Some(children) => queue.extend(children),
                    None => pending.push(k),
                }
            }
            // Kustomizations on ExternalArtifacts wait until their generator has been seen.
            let before = pending.len();
            let mut still = Vec::new();
            for k in std::mem::take(&mut pending) {
                match self.process_artifact(k) {
                    Some(children) => queue.extend(children),
                    None => still.push(k),
                }
            }
            if queue.is_empty() && still.len() == before {
                for k in still {
                    self.model.kustomizations[k].source = SourceStatus::Unresolved;
                }
                break;
            }
            pending = still;
        }
        // A root applied from outside the repository is itself in the cluster.
        if self.model.kustomizations[root].instance.is_none()
            && let Some(&o) = self.root_objects.get(&root)
        {
            let res = Resource {
                origin: Origin::Object(o),
                node: self.repo.inventory.objects[o].root.clone(),
                opaque: false,
            };
            let i = self.push_instance(res, None, Some(c));
            self.model.kustomizations[root].instance = Some(i);
        }
    }

    /// The effective tree of a Kustomization (`None` for a synthetic root).
    pub(super) fn ks_node(&self, k: usize) -> Option<&Node> {
        match self.model.kustomizations[k].instance {
            Some(i) => Some(&self.model.instances[i].node),
            None => (self.root_objects.get(&k)).map(|&o| &self.repo.inventory.objects[o].root),
        }
    }

    /// Resolves and renders one Kustomization. `None`: waits for an ArtifactGenerator.
    fn process(&mut self, k: usize) -> Option<Vec<usize>> {
        let c = self.model.kustomizations[k].cluster;
        let Some(node) = self.ks_node(k).cloned() else {
            // Synthetic root: render the cluster directory as is (or apply its seeds).
            let dir = self.model.clusters[c].dir.clone();
            return Some(self.render(k, &dir, None));
        };
        let ks = Kustomization(&node);
        let ns = self.model.kustomizations[k].namespace.clone();
        let Some(src) = ks.source_ref() else {
            self.model.kustomizations[k].source = SourceStatus::Unresolved;
            return Some(Vec::new());
        };
        let own = &self.model.clusters[c].own_source;
        if src.kind == "ExternalArtifact" {
            return None;
        }
        if !(src.kind == own.kind && src.name == own.name && src.namespace_or(&ns) == own.namespace)
        {
            self.model.kustomizations[k].source = SourceStatus::External;
            return Some(Vec::new());
        }
        let (path, span) = ks.path().unwrap_or(("", node.span));
        if path.contains("${") {
            self.model.kustomizations[k].source = SourceStatus::Unresolved;
            return Some(Vec::new());
        }
        match render::join("", path).filter(|d| self.index(c).is_dir(d)) {
            Some(dir) => {
                self.model.kustomizations[k].source = SourceStatus::Repository { dir: dir.clone() };
                Some(self.render(k, &dir, Some(&node)))
            }
            None => {
                self.model.missing_paths.push(MissingPath {
                    span,
                    path: path.to_string(),
                    kustomization: Some(k),
                    object: None,
                });
                self.model.kustomizations[k].source = SourceStatus::Unresolved;
                Some(Vec::new())
            }
        }
    }

    fn process_artifact(&mut self, k: usize) -> Option<Vec<usize>> {
        let c = self.model.kustomizations[k].cluster;
        let node = self.ks_node(k)?.clone();
        let ks = Kustomization(&node);
        let ns = self.model.kustomizations[k].namespace.clone();
        let src = ks.source_ref()?;
        let cluster = &self.model.clusters[c];
        let artifact = cluster
            .artifacts
            .iter()
            .find(|a| a.name == src.name && a.namespace == src.namespace_or(&ns))?
            .clone();
        let own = cluster.own_source.clone();
        let index = self.index(c);
        let (path, span) = ks.path().unwrap_or(("", node.span));
        let path = render::join("", path).unwrap_or_default();
        let mut candidates = Vec::new();
        for (alias, copy) in &artifact.copies {
            let from_own = artifact
                .sources
                .iter()
                .any(|(a, kind, name)| a == alias && *kind == own.kind && *name == own.name);
            if !from_own {
                continue;
            }
            let rest = if copy.to_dir.is_empty() {
                Some(path.as_str())
            } else if path == copy.to_dir {
                Some("")
            } else {
                path.strip_prefix(&format!("{}/", copy.to_dir))
            };
            if let Some(rest) = rest {
                candidates.push(render::join(&copy.from_dir, rest).unwrap_or_default());
            }
        }
        if let Some(dir) = candidates.iter().find(|d| index.is_dir(d)).cloned() {
            self.model.kustomizations[k].source = SourceStatus::Repository { dir: dir.clone() };
            return Some(self.render(k, &dir, Some(&node)));
        }
        if !artifact.copies.is_empty() && !candidates.is_empty() {
            self.model.missing_paths.push(MissingPath {
                span,
                path,
                kustomization: Some(k),
                object: None,
            });
        }
        self.model.kustomizations[k].source = SourceStatus::Unresolved;
        Some(Vec::new())
    }

    /// Renders `dir` for Kustomization `k` and records the objects it applies.
    pub(super) fn render(&mut self, k: usize, dir: &str, node: Option<&Node>) -> Vec<usize> {
        let c = self.model.kustomizations[k].cluster;
        let mut renderer = Renderer::new(self.index(c));
        let seeds = &self.model.clusters[c].seeds;
        let mut resources = if node.is_none() && !seeds.is_empty() {
            let objects = &self.repo.inventory.objects;
            (seeds.iter())
                .map(|&o| Resource {
                    origin: Origin::Object(o),
                    node: objects[o].root.clone(),
                    opaque: false,
                })
                .collect()
        } else {
            renderer.build_flux_dir(dir)
        };
        if let Some(node) = node {
            let ks = Kustomization(node);
            if let Some(components) = ks.components() {
                renderer.flux_components(dir, components, &mut resources);
            }
            if let Some(patches) = ks.patches() {
                renderer.flux_patches(patches, &mut resources);
            }
            if let Some((ns, span)) = ks.target_namespace() {
                renderer.target_namespace(&mut resources, ns, span);
            }
            let spec_str = |key| node.pointer(key).and_then(Node::as_str).unwrap_or("");
            let (prefix, suffix) = (spec_str("/spec/namePrefix"), spec_str("/spec/nameSuffix"));
            let common = node.pointer("/spec/commonMetadata");
            renderer.flux_metadata(&mut resources, prefix, suffix, common);
            if ks.post_build().is_some() {
                self.post_build(k, &ks, &mut resources);
            }
        }
        self.model.problems.append(&mut renderer.problems);
        self.model.patch_files.extend(renderer.patch_files);
        self.built.extend(renderer.built);
        let mut children = Vec::new();
        self.model.kustomizations[k].applied += resources.len();
        for res in resources {
            let i = self.push_instance(res, Some(k), Some(c));
            let inst = &self.model.instances[i];
            if model::is_flux_kustomization(&inst.api_version, &inst.kind) {
                let ns = inst.namespace.clone();
                let key = (c, ns.clone(), inst.name.clone());
                if key
                    == (
                        c,
                        self.model.kustomizations[k].namespace.clone(),
                        self.model.kustomizations[k].name.clone(),
                    )
                    && self.model.kustomizations[k].instance.is_none()
                {
                    // The root applies itself (bootstrap): adopt the rendered object.
                    self.model.kustomizations[k].instance = Some(i);
                    continue;
                }
                if self.seen.insert(key) {
                    let child = self.model.kustomizations.len();
                    self.model.kustomizations.push(KsNode {
                        name: inst.name.clone(),
                        namespace: ns,
                        cluster: c,
                        parent: Some(k),
                        instance: Some(i),
                        source: SourceStatus::Unresolved,
                        applied: 0,
                    });
                    children.push(child);
                }
            } else if inst.kind == "ArtifactGenerator" && inst.group() == model::ARTIFACT_GROUP {
                let ns = if inst.namespace.is_empty() {
                    "default"
                } else {
                    inst.namespace.as_str()
                };
                let artifacts = model::generated_artifacts(&inst.node, ns);
                self.model.clusters[c].artifacts.extend(artifacts);
            }
        }
        children
    }

    pub(super) fn push_instance(
        &mut self,
        res: Resource,
        owner: Option<usize>,
        cluster: Option<usize>,
    ) -> usize {
        let sops = match res.origin {
            Origin::Object(o) => self.inventory().objects[o].sops,
            Origin::Generated { .. } => false,
        };
        let namespace = if self.repo.is_cluster_scoped(res.kind()) {
            String::new()
        } else {
            res.namespace().unwrap_or("default").to_string()
        };
        let inst = Instance {
            api_version: res.api_version().to_string(),
            kind: res.kind().to_string(),
            name: res.name().to_string(),
            namespace,
            origin: res.origin,
            node: res.node,
            owner,
            cluster,
            sops,
            opaque: res.opaque,
        };
        let i = self.model.instances.len();
        // An unsubstituted `${…}` is no identity another object can match.
        if !inst.name.contains("${") && !inst.namespace.contains("${") {
            let key = (inst.kind.clone(), inst.namespace.clone(), inst.name.clone());
            self.live.entry(key).or_default().push(i);
        }
        self.model.instances.push(inst);
        i
    }
}
