//! What no cluster root reaches: Kustomizations on the repository's own source that nothing
//! applies (they become roots), kustomizations no Flux Kustomization builds, and standalone
//! objects.

use std::collections::HashSet;

use super::graph::{Builder, MissingPath};
use super::model::{self, Kustomization};
use super::roots::{self, FLUX_SYSTEM, FoundBy, OwnSource};
use crate::kustomize::render::{self, Origin, Renderer, Resource};
use crate::source::FileId;

impl Builder<'_, '_> {
    /// Kustomizations on the repository's own source that no cluster applies become roots; the
    /// ones that apply each other are one tree, and unapplied roots of one directory are one
    /// cluster (siblings such as `clusters/prod/{infra,apps}.yaml` applied by an outside bootstrap).
    pub(super) fn adopt_unapplied(&mut self) {
        let inv = self.repo.inventory;
        let applied: HashSet<usize> = (self.model.instances.iter())
            .filter_map(|i| match i.origin {
                Origin::Object(o) => Some(o),
                Origin::Generated { .. } => None,
            })
            .collect();
        let mut own: Vec<OwnSource> = (self.model.clusters.iter())
            .map(|c| c.own_source.clone())
            .collect();
        own.push(OwnSource::flux_system());
        let unapplied: Vec<usize> = (inv.objects.iter().enumerate())
            .filter(|(o, obj)| {
                model::is_flux_kustomization(&obj.api_version, obj.kind())
                    && !applied.contains(o)
                    && !self.model.patch_files.contains(&obj.file)
                    && !self.hidden_everywhere(obj.file)
                    && Kustomization(&obj.root).source_ref().is_some_and(|src| {
                        let ns = obj.id.namespace.as_deref().unwrap_or(FLUX_SYSTEM);
                        own.iter().any(|s| {
                            s.kind == src.kind
                                && s.name == src.name
                                && s.namespace == src.namespace_or(ns)
                        })
                    })
            })
            .map(|(o, _)| o)
            .collect();
        if unapplied.is_empty() {
            return;
        }
        let members: HashSet<usize> = unapplied.iter().copied().collect();
        let mut applied_by_member = HashSet::new();
        for &o in &unapplied {
            let Some(dir) = roots::path_dir(&inv.objects[o].root) else {
                continue;
            };
            let mut renderer = Renderer::new(self.repo);
            for res in renderer.build_flux_dir(&dir) {
                if let Origin::Object(child) = res.origin
                    && child != o
                    && members.contains(&child)
                {
                    applied_by_member.insert(child);
                }
            }
        }
        let mut by_dir: Vec<(String, Vec<usize>)> = Vec::new();
        for o in unapplied
            .into_iter()
            .filter(|o| !applied_by_member.contains(o))
        {
            let dir = render::parent_dir(&inv.file(inv.objects[o].file).path).to_string();
            match by_dir.iter_mut().find(|(d, _)| *d == dir) {
                Some((_, list)) => list.push(o),
                None => by_dir.push((dir, vec![o])),
            }
        }
        for (dir, list) in by_dir {
            let source =
                roots::own_source_of(&inv.objects[list[0]]).unwrap_or_else(OwnSource::flux_system);
            let root = if list.len() == 1 {
                let o = list[0];
                roots::Root {
                    object: Some(o),
                    dir: roots::path_dir(&inv.objects[o].root).unwrap_or_default(),
                    ..roots::synthetic(&dir, source, FoundBy::Unapplied)
                }
            } else {
                let mut root = roots::synthetic(&dir, source, FoundBy::Unapplied);
                let rendered: HashSet<usize> = if dir.is_empty() {
                    HashSet::new()
                } else {
                    let mut renderer = Renderer::new(self.repo);
                    (renderer.build_flux_dir(&dir).into_iter())
                        .filter_map(|r| match r.origin {
                            Origin::Object(o) => Some(o),
                            Origin::Generated { .. } => None,
                        })
                        .collect()
                };
                if !list.iter().all(|o| rendered.contains(o)) {
                    root.seeds = list;
                }
                root
            };
            let mut root = root;
            if self.model.clusters.iter().any(|c| c.name == root.name) {
                root.name = format!("{} ({})", root.name, self.model.clusters.len());
            }
            let c = self.add_cluster(root);
            self.walk_cluster(c);
        }
    }

    /// Whether every cluster's source leaves `file` out (never in any cluster).
    pub(super) fn hidden_everywhere(&self, file: FileId) -> bool {
        !self.model.clusters.is_empty()
            && (0..self.model.clusters.len()).all(|c| self.index(c).is_hidden(file))
    }

    /// Kustomization directories no Flux Kustomization reaches are built as `kustomize build`
    /// would (for their problems, and so their objects carry the overlay's `namespace:`, prefix
    /// and patches); only the top ones, which no other unreached kustomization includes.
    pub(super) fn build_unreached_kustomizations(&mut self) -> Vec<Resource> {
        let ignored = &self.model.ignored_files;
        let unreached: Vec<&String> = (self.repo.kustomization_dirs.iter())
            .filter(|dir| !self.built.contains(*dir))
            .filter(|dir| {
                // A Component is only ever applied by the kustomization that uses it.
                (self.repo.kustomization_file(dir)).is_some_and(|f| {
                    !ignored.contains(&f)
                        && (self.repo.root_of(f)).and_then(|k| k.get_str("kind"))
                            != Some("Component")
                })
            })
            .collect();
        let mut builds = Vec::new();
        let mut included: HashSet<String> = HashSet::new();
        for dir in unreached {
            let mut renderer = Renderer::new(self.repo);
            let resources = renderer.build_dir(dir);
            included.extend(renderer.built.iter().filter(|d| *d != dir).cloned());
            builds.push((dir, resources, renderer));
        }
        let mut out = Vec::new();
        for (dir, resources, mut renderer) in builds {
            if included.contains(dir) {
                continue;
            }
            self.model.problems.append(&mut renderer.problems);
            self.model.patch_files.extend(renderer.patch_files);
            out.extend(resources);
        }
        out
    }

    /// Objects no Flux Kustomization applies are linted standalone (no owner, no cluster): as
    /// their top kustomization renders them, else as written. Files outside every source
    /// artifact are left out.
    pub(super) fn add_standalone(&mut self, rendered: Vec<Resource>) {
        let inv = self.repo.inventory;
        let mut owned: HashSet<usize> = (self.model.instances.iter())
            .filter_map(|i| match i.origin {
                Origin::Object(o) => Some(o),
                Origin::Generated { .. } => None,
            })
            .collect();
        for res in rendered {
            if let Origin::Object(o) = res.origin
                && (owned.contains(&o) || self.model.patch_files.contains(&inv.objects[o].file))
            {
                continue;
            }
            let i = self.push_instance(res, None, None);
            self.check_standalone_path(i);
        }
        owned.extend(
            (self.model.instances.iter()).filter_map(|i| match i.origin {
                Origin::Object(o) => Some(o),
                Origin::Generated { .. } => None,
            }),
        );
        for (o, obj) in inv.objects.iter().enumerate() {
            if owned.contains(&o)
                || self.model.patch_files.contains(&obj.file)
                || self.model.ignored_files.contains(&obj.file)
            {
                continue;
            }
            let res = Resource {
                origin: Origin::Object(o),
                node: obj.root.clone(),
                opaque: false,
            };
            let i = self.push_instance(res, None, None);
            self.check_standalone_path(i);
        }
    }

    /// A Kustomization no cluster applies, on the conventional bootstrap GitRepository
    /// (`flux-system/flux-system`): its path must still exist.
    pub(super) fn check_standalone_path(&mut self, i: usize) {
        let inst = &self.model.instances[i];
        if !model::is_flux_kustomization(&inst.api_version, &inst.kind) {
            return;
        }
        let ks = Kustomization(&inst.node);
        let Some(src) = ks.source_ref() else { return };
        let own = src.kind == "GitRepository"
            && src.name == "flux-system"
            && src.namespace_or(&inst.namespace) == "flux-system";
        let Some((path, span)) = ks.path() else {
            return;
        };
        if !own || path.contains("${") {
            return;
        }
        if render::join("", path).is_none_or(|d| !self.repo.is_dir(&d)) {
            let missing = MissingPath {
                span,
                path: path.to_string(),
                kustomization: None,
                object: Some(inst.reference()),
            };
            self.model.missing_paths.push(missing);
        }
    }
}
