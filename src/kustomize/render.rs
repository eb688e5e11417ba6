//! Rendering a directory the way `kustomize build` (and kustomize-controller) does, over the
//! frozen inventory: resources, components, generators, patches, namespace, name prefix/suffix and
//! labels. Output objects are owned trees whose nodes keep the span they came from (base or patch).

use std::collections::HashSet;

pub use super::index::{Entry, RepoIndex, is_remote, join, parent_dir};
pub use super::inline::parse_inline;
use super::json6902;
use super::names::set_prefix_suffix;
use super::select::{Candidate, Matcher, Target};
use super::smp;
use super::tree::{self, get, get_str, str_node};
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

/// Problems deduplicated (a base rendered by two overlays reports once).
pub fn dedup(problems: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.span, p.message.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"example"), "ZXhhbXBsZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
