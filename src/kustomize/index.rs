//! Directory facts of the repository as one source artifact holds it: files per directory,
//! kustomization directories, cluster-scoped kinds, and what kustomize-controller's generator
//! lists for a directory without a kustomization file.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::flux::ignore::SourceIgnore;
use crate::inventory::Inventory;
use crate::source::FileId;
use crate::yaml::Node;

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
