//! `flux-path-not-found`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a Flux Kustomization whose source is this repository (the GitRepository of the root
    /// sync, or an ExternalArtifact an ArtifactGenerator copies from it) and whose `spec.path`
    /// does not exist as a directory in the repository. Paths still holding a `${var}` after
    /// `postBuild` substitution are not judged.
    ///
    /// ## Why is this bad?
    /// kustomize-controller fails the build with "no such file or directory": nothing under the
    /// Kustomization is applied, and everything that depends on it waits.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   path: ./apps/prodution   # typo: ./apps/production
    /// ```
    ///
    /// ## How to fix
    /// Point `spec.path` at an existing directory, relative to the repository root.
    pub struct FluxPathNotFound {
        code: "GL202",
        name: "flux-path-not-found",
        category: Flux,
        level: Error,
        summary: "Flux Kustomization spec.path does not exist in the repository",
    }
}

impl Check for FluxPathNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for missing in &model.missing_paths {
            let (name, cluster, object) = match missing.kustomization {
                Some(k) => {
                    let ks = &model.kustomizations[k];
                    let object = ks.instance.map(|i| model.instances[i].reference());
                    (
                        ks.name.clone(),
                        format!("cluster `{}`", model.clusters[ks.cluster].name),
                        object,
                    )
                }
                None => {
                    let name = missing
                        .object
                        .as_ref()
                        .map_or_else(String::new, |o| o.name.clone());
                    (
                        name,
                        "no cluster applies it".to_string(),
                        missing.object.clone(),
                    )
                }
            };
            let message = format!(
                "Kustomization `{name}` applies path `{}`, which does not exist in this repository ({cluster})",
                missing.path
            );
            let mut d = Diagnostic::new(&Self::META, missing.span, message);
            if let Some(object) = object {
                d = d.with_object(object);
            }
            out.push(d);
        }
        crate::flux::dedup_from(out, start);
    }
}
