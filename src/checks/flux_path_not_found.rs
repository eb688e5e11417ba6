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
            let ks = &model.kustomizations[missing.kustomization];
            let mut d = Diagnostic::new(
                &Self::META,
                missing.span,
                format!(
                    "Kustomization `{}` applies path `{}`, which does not exist in this repository (cluster `{}`)",
                    ks.name, missing.path, model.clusters[ks.cluster].name
                ),
            );
            if let Some(i) = ks.instance {
                d = d.with_object(model.instances[i].reference());
            }
            out.push(d);
        }
        crate::flux::dedup_from(out, start);
    }
}
