//! Rendering a directory the way `kustomize build` (and kustomize-controller) does, over the
//! frozen inventory: resources, components, generators, patches, namespace, name prefix/suffix and
//! labels. Output objects are owned trees whose nodes keep the span they came from (base or patch).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::json6902;
use super::select::{Candidate, Matcher, Target};
use super::smp;
use super::tree::{self, get, get_str, str_node};
use crate::flux::ignore::SourceIgnore;
use crate::inventory::Inventory;
use crate::source::{FileId, Span};
use crate::yaml::{Node, Value};

/// Where a rendered object comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `inventory.objects[i]`.
    Object(usize),
    /// A `configMapGenerator` / `secretGenerator` entry (span of its `name`). `hashed`: kustomize
    /// appends a content hash to the name (references through `nameReference` follow it).
    Generated { span: Span, hashed: bool },
}

/// One object of a build: its origin and its effective (patched, transformed) tree.
#[derive(Clone, Debug)]
pub struct Resource {
    pub origin: Origin,
    pub node: Node,
    /// Some content is not known statically (a generator reading an env file).
    pub opaque: bool,
}

impl Resource {
    pub fn api_version(&self) -> &str {
        get_str(&self.node, &["apiVersion"]).unwrap_or("")
    }
    pub fn kind(&self) -> &str {
        get_str(&self.node, &["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        get_str(&self.node, &["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&str> {
        get_str(&self.node, &["metadata", "namespace"]).filter(|s| !s.is_empty())
    }
    pub fn group_version(&self) -> (&str, &str) {
        split_api_version(self.api_version())
    }
    /// Labels (or annotations) as pairs of strings.
    pub fn meta_pairs(&self, field: &str) -> Vec<(String, String)> {
        meta_pairs(&self.node, field)
    }
}

pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

pub fn meta_pairs(node: &Node, field: &str) -> Vec<(String, String)> {
    tree::get_path(node, &["metadata", field])
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            (
                k.key_string().into_owned(),
                tree::scalar_text(v).unwrap_or_default(),
            )
        })
        .collect()
}

/// Why a build is incomplete, pointing at the exact entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

/// Directory facts of the repository, derived once from the inventory's file paths.
pub struct RepoIndex<'i> {
    pub inventory: &'i Inventory,
    /// Objects of each file, by `FileId` index.
    objects_by_file: Vec<Vec<usize>>,
    dirs: HashSet<String>,
    /// Direct children files of each directory (sorted paths).
    files_in_dir: BTreeMap<String, Vec<FileId>>,
    /// Direct children directories.
    subdirs: BTreeMap<String, Vec<String>>,
    /// Directories holding a kustomization file.
    pub kustomization_dirs: Vec<String>,
    /// Kinds that are cluster-scoped (built in, plus CRDs with `scope: Cluster`).
    cluster_scoped: HashSet<String>,
    /// The source's ignore rules: hidden files do not exist for this index.
    ignore: Option<Arc<SourceIgnore>>,
    hidden: HashSet<FileId>,
}

const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "APIService",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "PodSecurityPolicy",
    "GatewayClass",
    "ClusterIssuer",
    "ClusterPolicy",
    "ClusterSecretStore",
    "ClusterExternalSecret",
];

pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Joins `rel` onto `dir` and normalises `.`/`..`; `None` when it leaves the repository or is
/// absolute.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A resource entry kustomize fetches over the network (never done here).
pub fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("github.com/")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
}

impl<'i> RepoIndex<'i> {
    pub fn new(inventory: &'i Inventory) -> Self {
        Self::with_ignore(inventory, None)
    }

    /// The repository as a source artifact sees it: files `ignore` hides do not exist.
    pub fn with_ignore(inventory: &'i Inventory, ignore: Option<Arc<SourceIgnore>>) -> Self {
        let hidden: HashSet<FileId> = match &ignore {
            Some(rules) => (inventory.files.iter())
                .filter(|f| rules.hides(&inventory.root, &f.path, false))
                .map(|f| f.id)
                .collect(),
            None => HashSet::new(),
        };
        let mut objects_by_file = vec![Vec::new(); inventory.files.len()];
        for (i, object) in inventory.objects.iter().enumerate() {
            if !hidden.contains(&object.file) {
                objects_by_file[object.file.0 as usize].push(i);
            }
        }
        let mut dirs = HashSet::from([String::new()]);
        let mut files_in_dir: BTreeMap<String, Vec<FileId>> = BTreeMap::new();
        let mut subdirs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in inventory.files.iter().filter(|f| !hidden.contains(&f.id)) {
            let dir = parent_dir(&file.path);
            files_in_dir
                .entry(dir.to_string())
                .or_default()
                .push(file.id);
            let mut d = dir;
            while !d.is_empty() && dirs.insert(d.to_string()) {
                let parent = parent_dir(d);
                subdirs
                    .entry(parent.to_string())
                    .or_default()
                    .push(d.to_string());
                d = parent;
            }
        }
        for list in subdirs.values_mut() {
            list.sort();
        }
        for list in files_in_dir.values_mut() {
            list.sort_by(|a, b| inventory.file(*a).path.cmp(&inventory.file(*b).path));
        }
        let mut cluster_scoped: HashSet<String> =
            CLUSTER_SCOPED.iter().map(|s| s.to_string()).collect();
        for crd in inventory.objects_of_kind("CustomResourceDefinition") {
            if crd.root.pointer("/spec/scope").and_then(Node::as_str) == Some("Cluster")
                && let Some(kind) = crd.root.pointer("/spec/names/kind").and_then(Node::as_str)
            {
                cluster_scoped.insert(kind.to_string());
            }
        }
        let mut kustomization_dirs: Vec<String> = (inventory.files.iter())
            .filter(|f| !hidden.contains(&f.id))
            .filter(|f| KUSTOMIZATION_FILES.contains(&f.path.rsplit('/').next().unwrap_or("")))
            .map(|f| parent_dir(&f.path).to_string())
            .collect();
        kustomization_dirs.sort();
        kustomization_dirs.dedup();
        Self {
            inventory,
            objects_by_file,
            dirs,
            files_in_dir,
            subdirs,
            kustomization_dirs,
            cluster_scoped,
            ignore,
            hidden,
        }
    }

    /// Whether the source's ignore rules hide `path` (a file or directory not in the inventory).
    fn hides(&self, path: &str, is_dir: bool) -> bool {
        (self.ignore.as_ref()).is_some_and(|rules| rules.hides(&self.inventory.root, path, is_dir))
    }

    /// Whether any file of the inventory is hidden from this index.
    pub fn is_hidden(&self, file: FileId) -> bool {
        self.hidden.contains(&file)
    }

    pub fn is_dir(&self, dir: &str) -> bool {
        self.dirs.contains(dir)
            || (!self.hides(dir, true) && self.inventory.root.join(dir).is_dir())
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        (self.inventory.file_by_path(path))
            .map(|f| f.id)
            .filter(|id| !self.hidden.contains(id))
    }

    pub fn is_file(&self, path: &str) -> bool {
        self.file_id(path).is_some()
            || (!self.hides(path, false) && self.inventory.root.join(path).is_file())
    }

    pub fn is_cluster_scoped(&self, kind: &str) -> bool {
        self.cluster_scoped.contains(kind)
    }

    /// The kustomization file of a directory.
    pub fn kustomization_file(&self, dir: &str) -> Option<FileId> {
        KUSTOMIZATION_FILES
            .iter()
            .find_map(|name| self.file_id(&join_name(dir, name)))
    }

    /// The first document's root of a file.
    pub fn root_of(&self, file: FileId) -> Option<&'i Node> {
        self.inventory.documents[file.0 as usize]
            .iter()
            .find_map(|d| d.root.as_ref())
    }

    /// Every document tree of a file in order (object trees live in the inventory's objects).
    pub fn documents_of(&self, file: FileId) -> Vec<Node> {
        let inv = self.inventory;
        let mut docs: Vec<(usize, Node)> = (inv.documents[file.0 as usize].iter().enumerate())
            .filter_map(|(i, d)| d.root.clone().map(|r| (i, r)))
            .collect();
        docs.extend(
            self.objects_of_file(file)
                .iter()
                .map(|&o| (inv.objects[o].document, inv.objects[o].root.clone())),
        );
        docs.sort_by_key(|(i, _)| *i);
        docs.into_iter().map(|(_, n)| n).collect()
    }

    pub fn objects_of_file(&self, file: FileId) -> &[usize] {
        &self.objects_by_file[file.0 as usize]
    }

    /// Manifest files under `dir` as kustomize-controller's generator lists them: every YAML file,
    /// recursively, except that a sub-directory with its own kustomization file is one entry.
    pub fn flux_generated_entries(&self, dir: &str) -> Vec<Entry> {
        let mut out = Vec::new();
        self.collect_entries(dir, &mut out);
        out
    }

    fn collect_entries(&self, dir: &str, out: &mut Vec<Entry>) {
        for &file in self.files_in_dir.get(dir).into_iter().flatten() {
            let path = &self.inventory.file(file).path;
            let name = path.rsplit('/').next().unwrap_or(path);
            if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && !self.objects_of_file(file).is_empty()
            {
                out.push(Entry::File(file));
            }
        }
        for sub in self.subdirs.get(dir).into_iter().flatten() {
            if self.kustomization_file(sub).is_some() {
                out.push(Entry::Dir(sub.clone()));
            } else {
                self.collect_entries(sub, out);
            }
        }
    }
}

fn join_name(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

pub enum Entry {
    File(FileId),
    Dir(String),
}

/// A build in progress: problems found and files used as patches are collected across builds.
pub struct Renderer<'r, 'i> {
    pub repo: &'r RepoIndex<'i>,
    pub problems: Vec<Problem>,
    /// Files read as patches (never objects of their own).
    pub patch_files: HashSet<FileId>,
    /// `helmCharts` entries and remote resources: known but not rendered.
    pub not_rendered: Vec<Span>,
    /// Directories built through their kustomization file.
    pub built: HashSet<String>,
    stack: Vec<String>,
}

impl<'r, 'i> Renderer<'r, 'i> {
    pub fn new(repo: &'r RepoIndex<'i>) -> Self {
        Self {
            repo,
            problems: Vec::new(),
            patch_files: HashSet::new(),
            not_rendered: Vec::new(),
            built: HashSet::new(),
            stack: Vec::new(),
        }
    }

    fn problem(&mut self, span: Span, message: String) {
        self.problems.push(Problem { span, message });
    }

    /// The objects of one file, as resources.
    pub fn file_resources(&self, file: FileId) -> Vec<Resource> {
        let objects = &self.repo.inventory.objects;
        (self.repo.objects_of_file(file).iter())
            .map(|&i| Resource {
                origin: Origin::Object(i),
                node: objects[i].root.clone(),
                opaque: false,
            })
            .collect()
    }

    /// `kustomize build DIR` (the directory must hold a kustomization file).
    pub fn build_dir(&mut self, dir: &str) -> Vec<Resource> {
        let Some(kfile) = self.repo.kustomization_file(dir) else {
            return Vec::new();
        };
        if self.stack.iter().any(|d| d == dir) {
            return Vec::new();
        }
        self.stack.push(dir.to_string());
        self.built.insert(dir.to_string());
        let out = match self.repo.root_of(kfile) {
            Some(k) => {
                let mut acc = Vec::new();
                self.accumulate(dir, k, &mut acc);
                acc
            }
            None => Vec::new(),
        };
        self.stack.pop();
        out
    }

    /// What kustomize-controller builds for a Flux Kustomization path: the kustomization file if
    /// present, else every manifest under the directory.
    pub fn build_flux_dir(&mut self, dir: &str) -> Vec<Resource> {
        if self.repo.kustomization_file(dir).is_some() {
            return self.build_dir(dir);
        }
        let mut out = Vec::new();
        for entry in self.repo.flux_generated_entries(dir) {
            match entry {
                Entry::File(f) => out.extend(self.file_resources(f)),
                Entry::Dir(d) => out.extend(self.build_dir(&d)),
            }
        }
        out
    }

    /// One kustomization (or component) applied onto `acc`.
    fn accumulate(&mut self, dir: &str, k: &Node, acc: &mut Vec<Resource>) {
        for field in ["resources", "bases"] {
            for entry in seq(k, field) {
                let Some(rel) = entry.as_str() else { continue };
                self.add_resource(dir, rel, entry.span, acc);
            }
        }
        for entry in seq(k, "components") {
            let Some(rel) = entry.as_str() else { continue };
            if is_remote(rel) {
                self.not_rendered.push(entry.span);
                continue;
            }
            match join(dir, rel).filter(|p| self.repo.kustomization_file(p).is_some()) {
                Some(path) => self.apply_component(&path, acc),
                None => self.problem(
                    entry.span,
                    format!("component `{rel}` not found (no kustomization file in it)"),
                ),
            }
        }
        for entry in seq(k, "helmCharts") {
            self.not_rendered.push(entry.span);
        }
        let hash_default = !get(k, "generatorOptions")
            .and_then(|o| get(o, "disableNameSuffixHash"))
            .and_then(Node::as_bool)
            .unwrap_or(false);
        for (field, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for entry in seq(k, field) {
                self.generate(
                    dir,
                    entry,
                    kind,
                    hash_default,
                    get_str(k, &["namespace"]),
                    acc,
                );
            }
        }
        for entry in seq(k, "patchesStrategicMerge") {
            self.patch_entry(dir, entry, None, acc, true);
        }
        for entry in seq(k, "patches") {
            self.patch_entry(dir, entry, get(entry, "target"), acc, false);
        }
        if let Some(ns) = get_str(k, &["namespace"]).filter(|ns| !ns.is_empty()) {
            self.set_namespace(acc, ns, get(k, "namespace").map(|n| n.span));
        }
        let prefix = get_str(k, &["namePrefix"]).unwrap_or("");
        let suffix = get_str(k, &["nameSuffix"]).unwrap_or("");
        if !prefix.is_empty() || !suffix.is_empty() {
            set_prefix_suffix(acc, prefix, suffix);
        }
        if let Some(labels) = get(k, "commonLabels") {
            add_meta(acc, "labels", labels);
        }
        for entry in seq(k, "labels") {
            if let Some(pairs) = get(entry, "pairs") {
                add_meta(acc, "labels", pairs);
            }
        }
        if let Some(annotations) = get(k, "commonAnnotations") {
            add_meta(acc, "annotations", annotations);
        }
        for entry in seq(k, "patchesJson6902") {
            self.patch_entry(dir, entry, get(entry, "target"), acc, false);
        }
    }

    fn add_resource(&mut self, dir: &str, rel: &str, span: Span, acc: &mut Vec<Resource>) {
        if is_remote(rel) {
            self.not_rendered.push(span);
            return;
        }
        let Some(path) = join(dir, rel) else {
            self.problem(span, format!("resource `{rel}` is outside the repository"));
            return;
        };
        if let Some(file) = self.repo.file_id(&path) {
            acc.extend(self.file_resources(file));
        } else if self.repo.kustomization_file(&path).is_some() {
            acc.extend(self.build_dir(&path));
        } else if self.repo.is_dir(&path) {
            self.problem(
                span,
                format!("resource directory `{rel}` has no kustomization.yaml"),
            );
        } else if !self.repo.is_file(&path) {
            self.problem(span, format!("resource `{rel}` does not exist"));
        }
    }

    fn apply_component(&mut self, dir: &str, acc: &mut Vec<Resource>) {
        if self.stack.iter().any(|d| d == dir) {
            return;
        }
        let Some(k) = self
            .repo
            .kustomization_file(dir)
            .and_then(|f| self.repo.root_of(f))
        else {
            return;
        };
        self.stack.push(dir.to_string());
        self.built.insert(dir.to_string());
        self.accumulate(dir, k, acc);
        self.stack.pop();
    }

    fn generate(
        &mut self,
        dir: &str,
        entry: &Node,
        kind: &str,
        hash_default: bool,
        ns: Option<&str>,
        acc: &mut Vec<Resource>,
    ) {
        let Some(name_node) = get(entry, "name") else {
            return;
        };
        let name = name_node.as_str().unwrap_or("");
        let namespace = get_str(entry, &["namespace"]).or(ns);
        let hashed = get(entry, "options")
            .and_then(|o| get(o, "disableNameSuffixHash"))
            .and_then(Node::as_bool)
            .map_or(hash_default, |disabled| !disabled);
        let span = name_node.span;
        let mut data: Vec<(Node, Node)> = Vec::new();
        let mut opaque = false;
        for lit in seq(entry, "literals") {
            if let Some((k, v)) = lit.as_str().and_then(|s| s.split_once('=')) {
                data.push((
                    str_node(k.trim(), lit.span),
                    str_node(v.trim_matches('"'), lit.span),
                ));
            }
        }
        for file in seq(entry, "files") {
            let Some(spec) = file.as_str() else { continue };
            let (key, rel) = spec
                .split_once('=')
                .unwrap_or_else(|| (spec.rsplit('/').next().unwrap_or(spec), spec));
            if is_remote(rel) {
                self.not_rendered.push(file.span);
                opaque = true;
            } else if join(dir, rel).is_none_or(|p| !self.repo.is_file(&p)) {
                self.problem(file.span, format!("generator file `{rel}` does not exist"));
            }
            data.push((str_node(key, file.span), str_node("", file.span)));
        }
        if !seq(entry, "envs").is_empty() || get(entry, "env").is_some() {
            opaque = true;
        }
        let behavior = get_str(entry, &["behavior"]).unwrap_or("create");
        if behavior != "create"
            && let Some(existing) = acc
                .iter_mut()
                .find(|r| r.kind() == kind && r.name() == name)
        {
            if let Some(d) = tree::get_mut(&mut existing.node, "data")
                && let Value::Map(entries) = &mut d.value
            {
                if behavior == "replace" {
                    entries.clear();
                }
                entries.extend(data);
            }
            existing.opaque |= opaque;
            return;
        }
        let mut node = Node::new(span, Value::Map(Vec::new()));
        tree::set(&mut node, "apiVersion", str_node("v1", span));
        tree::set(&mut node, "kind", str_node(kind, span));
        let meta = tree::ensure_map(&mut node, "metadata", span);
        tree::set(meta, "name", str_node(name, span));
        if let Some(ns) = namespace {
            tree::set(meta, "namespace", str_node(ns, span));
        }
        if let Some(opts) = get(entry, "options") {
            for field in ["labels", "annotations"] {
                if let Some(pairs) = get(opts, field) {
                    tree::set(
                        tree::get_mut(&mut node, "metadata").expect("metadata"),
                        field,
                        pairs.clone(),
                    );
                }
            }
        }
        if kind == "Secret" {
            for (_, v) in &mut data {
                if let Value::Str(text) = &mut v.value {
                    *text = base64(text.as_bytes());
                }
            }
        }
        tree::set(&mut node, "data", Node::new(span, Value::Map(data)));
        if kind == "Secret" {
            let secret_type = get_str(entry, &["type"]).unwrap_or("Opaque");
            tree::set(&mut node, "type", str_node(secret_type, span));
        }
        acc.push(Resource {
            origin: Origin::Generated { span, hashed },
            node,
            opaque,
        });
    }

    /// One entry of `patches` / `patchesStrategicMerge` / `patchesJson6902`.
    fn patch_entry(
        &mut self,
        dir: &str,
        entry: &Node,
        target: Option<&Node>,
        acc: &mut Vec<Resource>,
        smp_only: bool,
    ) {
        let docs: Vec<Node> = if let Some(text) = entry.as_str() {
            // patchesStrategicMerge entry: a path, or inline YAML.
            let inline =
                text.contains('\n') || text.contains(": ") || text.trim_start().starts_with('{');
            if smp_only && !inline {
                match self.patch_file(dir, text, entry.span) {
                    Some(docs) => docs,
                    None => return,
                }
            } else {
                parse_inline(self.repo.inventory, entry, text)
            }
        } else if let Some(path) = get(entry, "path") {
            let Some(rel) = path.as_str().filter(|p| !p.is_empty()) else {
                return;
            };
            match self.patch_file(dir, rel, path.span) {
                Some(docs) => docs,
                None => return,
            }
        } else if let Some(patch) = get(entry, "patch") {
            parse_inline(self.repo.inventory, patch, patch.as_str().unwrap_or(""))
        } else if let Some(ops) = get(entry, "jsonPatch").or_else(|| get(entry, "ops")) {
            vec![ops.clone()]
        } else {
            return;
        };
        let target = target.map(read_target);
        for doc in &docs {
            self.apply_patch_doc(doc, target.as_ref(), acc, entry.span);
        }
    }

    fn patch_file(&mut self, dir: &str, rel: &str, span: Span) -> Option<Vec<Node>> {
        let path = join(dir, rel);
        let Some(file) = path.as_deref().and_then(|p| self.repo.file_id(p)) else {
            self.problem(span, format!("patch file `{rel}` does not exist"));
            return None;
        };
        self.patch_files.insert(file);
        Some(self.repo.documents_of(file))
    }

    /// Applies one parsed patch document to the matching resources.
    pub fn apply_patch_doc(
        &mut self,
        doc: &Node,
        target: Option<&Target>,
        acc: &mut Vec<Resource>,
        at: Span,
    ) {
        let is_json = matches!(doc.value, Value::Seq(_));
        let target = match (target, is_json) {
            (Some(t), _) => t.clone(),
            (None, true) => {
                self.problem(at, "a JSON 6902 patch needs a `target`".into());
                return;
            }
            (None, false) => {
                let t = target_of_patch(doc);
                if t.kind.is_none() || t.name.is_none() {
                    let message =
                        "a strategic-merge patch without `target` needs `kind` and `metadata.name`";
                    self.problem(at, message.into());
                    return;
                }
                t
            }
        };
        if target.from_patch && target.namespace.is_some() && !self.any_match(&target, acc) {
            // The namespace in a patch may be the one the enclosing overlay sets later.
            let mut relaxed = target.clone();
            relaxed.namespace = None;
            return self.apply_patch_doc(doc, Some(&relaxed), acc, at);
        }
        let matcher = match Matcher::new(&target) {
            Ok(m) => m,
            Err(e) => {
                self.problem(at, e);
                return;
            }
        };
        let ops = if is_json {
            match json6902::parse_ops(doc) {
                Ok(ops) => Some(ops),
                Err((message, node)) => {
                    self.problem(node.span, message);
                    return;
                }
            }
        } else {
            None
        };
        let mut matched = 0;
        let mut deleted = Vec::new();
        for (i, res) in acc.iter_mut().enumerate() {
            let labels = if matcher.uses_labels() {
                res.meta_pairs("labels")
            } else {
                Vec::new()
            };
            let annotations = if matcher.uses_annotations() {
                res.meta_pairs("annotations")
            } else {
                Vec::new()
            };
            let (group, version) = res.group_version();
            let candidate = Candidate {
                group,
                version,
                kind: res.kind(),
                name: res.name(),
                namespace: res.namespace().unwrap_or(""),
                labels: &labels,
                annotations: &annotations,
            };
            if !matcher.matches(&candidate) {
                continue;
            }
            matched += 1;
            match &ops {
                Some(ops) => {
                    if let Err((message, index)) = json6902::apply(&mut res.node, ops) {
                        let span = ops.get(index).map_or(at, |op| {
                            get(op.node, "path").map_or(op.node.span, |n| n.span)
                        });
                        self.problems.push(Problem {
                            span,
                            message: format!(
                                "patch cannot be applied to {} `{}`: {message}",
                                res.kind(),
                                res.name()
                            ),
                        });
                    }
                }
                None => {
                    let builtin = smp::is_builtin_api(res.api_version());
                    if !smp::apply(&mut res.node, &strip_identity(doc), builtin) {
                        deleted.push(i);
                    }
                }
            }
        }
        for i in deleted.into_iter().rev() {
            acc.remove(i);
        }
        if matched == 0 && target_is_from_patch(&target, doc, is_json) {
            let span = doc.pointer("/metadata/name").map_or(at, |n| n.span);
            let message = format!(
                "patch target {} `{}` not found",
                get_str(doc, &["kind"]).unwrap_or("object"),
                get_str(doc, &["metadata", "name"]).unwrap_or("")
            );
            self.problem(span, message);
        }
    }

    fn any_match(&self, target: &Target, acc: &[Resource]) -> bool {
        let Ok(matcher) = Matcher::new(target) else {
            return true;
        };
        acc.iter().any(|res| {
            let (group, version) = res.group_version();
            matcher.matches(&Candidate {
                group,
                version,
                kind: res.kind(),
                name: res.name(),
                namespace: res.namespace().unwrap_or(""),
                labels: &res.meta_pairs("labels"),
                annotations: &res.meta_pairs("annotations"),
            })
        })
    }

    /// kustomize's namespace transformer: namespaced objects move to `ns`, and every
    /// `Namespace` object is renamed to it (repositories write `name: _` and rely on this).
    fn set_namespace(&mut self, acc: &mut [Resource], ns: &str, span: Option<Span>) {
        for res in acc.iter_mut() {
            let rename = res.kind() == "Namespace" && res.api_version() == "v1";
            if self.repo.is_cluster_scoped(res.kind()) && !rename {
                continue;
            }
            let span = span.unwrap_or(res.node.span);
            let meta = tree::ensure_map(&mut res.node, "metadata", span);
            if rename {
                // The Namespace keeps its place in its file; only its name changes.
                match tree::get_mut(meta, "name") {
                    Some(name) => name.value = Value::Str(ns.to_string()),
                    None => tree::set(meta, "name", str_node(ns, span)),
                }
            } else {
                tree::set(meta, "namespace", str_node(ns, span));
            }
        }
    }

    /// `targetNamespace` of a Flux Kustomization (same rules as kustomize `namespace:`).
    pub fn target_namespace(&mut self, acc: &mut [Resource], ns: &str, span: Span) {
        self.set_namespace(acc, ns, Some(span));
    }

    /// Flux `spec.namePrefix` / `spec.nameSuffix` and `spec.commonMetadata`.
    pub fn flux_metadata(
        &mut self,
        acc: &mut [Resource],
        prefix: &str,
        suffix: &str,
        common: Option<&Node>,
    ) {
        if !prefix.is_empty() || !suffix.is_empty() {
            set_prefix_suffix(acc, prefix, suffix);
        }
        for field in ["labels", "annotations"] {
            if let Some(pairs) = common.and_then(|c| get(c, field)) {
                add_meta(acc, field, pairs);
            }
        }
    }

    /// Flux `spec.components`: paths relative to the Kustomization's path.
    pub fn flux_components(&mut self, dir: &str, components: &Node, acc: &mut Vec<Resource>) {
        for entry in components.as_seq().unwrap_or_default() {
            let Some(rel) = entry.as_str() else { continue };
            match join(dir, rel).filter(|p| self.repo.kustomization_file(p).is_some()) {
                Some(path) => self.apply_component(&path, acc),
                None => self.problem(entry.span, format!("component `{rel}` not found")),
            }
        }
    }

    /// Flux `spec.patches`: `{patch, target}` entries.
    pub fn flux_patches(&mut self, patches: &Node, acc: &mut Vec<Resource>) {
        for entry in patches.as_seq().unwrap_or_default() {
            self.patch_entry("", entry, get(entry, "target"), acc, false);
        }
    }
}

/// Whether a missing match is a kustomize build error (a patch without target names its object).
fn target_is_from_patch(target: &Target, _doc: &Node, is_json: bool) -> bool {
    !is_json
        && target.name.is_some()
        && target.label_selector.is_none()
        && target.annotation_selector.is_none()
        && target.kind.is_some()
        && target.from_patch
}

fn seq<'n>(node: &'n Node, key: &str) -> &'n [Node] {
    get(node, key).and_then(Node::as_seq).unwrap_or_default()
}

pub fn read_target(node: &Node) -> Target {
    let s = |k| get_str(node, &[k]).map(str::to_string);
    Target {
        group: s("group"),
        version: s("version"),
        kind: s("kind"),
        name: s("name"),
        namespace: s("namespace"),
        label_selector: s("labelSelector"),
        annotation_selector: s("annotationSelector"),
        from_patch: false,
    }
}

/// The target a strategic-merge patch without `target` names: its own kind, name and namespace.
fn target_of_patch(doc: &Node) -> Target {
    let (group, version) = split_api_version(get_str(doc, &["apiVersion"]).unwrap_or(""));
    let lit = |s: &str| Some(s.to_string());
    Target {
        group: lit(group).filter(|_| !group.is_empty()),
        version: lit(version).filter(|_| !version.is_empty()),
        kind: get_str(doc, &["kind"]).and_then(lit),
        name: get_str(doc, &["metadata", "name"]).and_then(lit),
        namespace: get_str(doc, &["metadata", "namespace"]).and_then(lit),
        label_selector: None,
        annotation_selector: None,
        from_patch: true,
    }
}

/// A patch with a `target` may name anything; its identity fields are not merged.
fn strip_identity(doc: &Node) -> Node {
    let mut d = doc.clone();
    if let Some(meta) = tree::get_mut(&mut d, "metadata") {
        tree::remove(meta, "name");
        tree::remove(meta, "namespace");
    }
    tree::remove(&mut d, "apiVersion");
    tree::remove(&mut d, "kind");
    d
}

fn set_prefix_suffix(acc: &mut [Resource], prefix: &str, suffix: &str) {
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

/// Standard base64 (secretGenerator `data`).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn add_meta(acc: &mut [Resource], field: &str, pairs: &Node) {
    let Some(entries) = pairs.as_map() else {
        return;
    };
    for res in acc.iter_mut() {
        let span = res.node.span;
        let meta = tree::ensure_map(&mut res.node, "metadata", span);
        let map = tree::ensure_map(meta, field, pairs.span);
        for (k, v) in entries {
            tree::set(map, &k.key_string(), v.clone());
        }
    }
}

/// Parses an inline patch (a YAML string inside a kustomization or a Flux Kustomization) and
/// maps its spans back into the file: exactly for block scalars (`patch: |`), else onto the
/// scalar itself.
pub fn parse_inline(inventory: &Inventory, scalar: &Node, text: &str) -> Vec<Node> {
    let file = scalar.span.file;
    let parsed = crate::yaml::parse(file, text);
    let source = inventory.file(file);
    let map = BlockMap::new(&source.text, scalar.span, text);
    parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .map(|mut n| {
            remap(&mut n, &|off| map.map(off), map.fallback);
            n
        })
        .collect()
}

/// Maps offsets inside a block scalar's value back to offsets in the file.
struct BlockMap {
    /// For each line of the value: (offset of the line in the value, offset in the file).
    lines: Vec<(u32, u32)>,
    fallback: Span,
}

impl BlockMap {
    fn new(file_text: &str, span: Span, value: &str) -> Self {
        let fallback = Self {
            lines: Vec::new(),
            fallback: span,
        };
        let (start, end) = (
            span.start as usize,
            (span.end as usize).min(file_text.len()),
        );
        let Some(raw) = file_text.get(start..end) else {
            return fallback;
        };
        let line_start = file_text[..start].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &file_text[line_start..start];
        let (content_start, indent) = if raw.starts_with('|') {
            // The span includes the indicator: content starts on the next line.
            let Some(nl) = raw.find('\n') else {
                return fallback;
            };
            let content = &raw[nl + 1..];
            let indent = (content.lines().find(|l| !l.trim().is_empty()))
                .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
            (start + nl + 1, indent)
        } else if prefix.trim().is_empty() {
            // The span starts at the content of a literal block: check the indicator.
            let before = file_text[..line_start].trim_end();
            let literal = before.rsplit('\n').next().is_some_and(|l| {
                let l = l.split(" #").next().unwrap_or(l).trim_end();
                l.ends_with('|') || l.ends_with("|-") || l.ends_with("|+")
            });
            if !literal {
                return fallback;
            }
            (start, prefix.len())
        } else if !value.contains('\n') && !raw.starts_with(['"', '\'', '>']) {
            // A plain one-line scalar: offsets map one to one.
            return Self {
                lines: vec![(0, span.start)],
                fallback: span,
            };
        } else {
            return fallback;
        };
        let mut lines = Vec::new();
        let mut file_off = content_start as u32;
        let mut value_off = 0u32;
        for line in file_text[content_start..].split_inclusive('\n') {
            if value_off as usize >= value.len() {
                break;
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let skip = if line.trim().is_empty() {
                spaces.min(indent)
            } else {
                indent.min(spaces)
            } as u32;
            lines.push((value_off, file_off + skip));
            value_off += (line.len() as u32).saturating_sub(skip);
            file_off += line.len() as u32;
        }
        Self {
            lines,
            fallback: span,
        }
    }

    fn map(&self, offset: u32) -> Option<u32> {
        let i = self
            .lines
            .partition_point(|(v, _)| *v <= offset)
            .checked_sub(1)?;
        let (v, f) = self.lines[i];
        Some(f + (offset - v))
    }
}

fn remap(node: &mut Node, map: &dyn Fn(u32) -> Option<u32>, fallback: Span) {
    match (map(node.span.start), map(node.span.end.saturating_sub(1))) {
        (Some(s), Some(e)) => {
            node.span.start = s;
            node.span.end = e + 1;
        }
        _ => node.span = fallback,
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map, fallback)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            remap(k, map, fallback);
            remap(v, map, fallback);
        }),
        _ => {}
    }
}

/// Problems deduplicated (a base rendered by two overlays reports once).
pub fn dedup(problems: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.span, p.message.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"example"), "ZXhhbXBsZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn inline_patch_spans_point_into_the_file() {
        let text = "patches:\n  - target:\n      kind: Deployment\n    patch: |\n      - op: add\n        path: /spec/x\n        value: 1\nnext: 1\n";
        let parsed = crate::yaml::parse(FileId(0), text);
        let root = parsed.documents[0].root.as_ref().unwrap();
        let scalar = root.pointer("/patches/0/patch").unwrap();
        let value = scalar.as_str().unwrap();
        let map = BlockMap::new(text, scalar.span, value);
        let mut docs = crate::yaml::parse(FileId(0), value).documents;
        let mut node = docs.remove(0).root.unwrap();
        remap(&mut node, &|off| map.map(off), map.fallback);
        let path = node.pointer("/0/path").unwrap();
        assert_eq!(
            &text[path.span.start as usize..path.span.end as usize],
            "/spec/x"
        );
        let op = node.pointer("/0/op").unwrap();
        assert_eq!(&text[op.span.start as usize..op.span.end as usize], "add");
    }
}
