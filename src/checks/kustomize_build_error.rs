//! `kustomize-build-error`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds kustomization entries that `kustomize build` (and kustomize-controller) cannot
    /// resolve: a `resources`/`components` entry or patch file that does not exist, a directory
    /// without `kustomization.yaml`, a generator file that is missing, a patch whose target does not
    /// exist or whose JSON 6902 operation fails. The finding points at the entry. Remote resources
    /// and `helmCharts` are not fetched or rendered, and not reported.
    ///
    /// ## Why is this bad?
    /// The whole build fails: the Flux Kustomization applying it goes not-Ready and applies
    /// nothing, not even the parts that are fine.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   - deploymnet.yaml   # typo
    /// ```
    ///
    /// ## How to fix
    /// Fix the path, add the missing file, or fix the patch target.
    pub struct KustomizeBuildError {
        code: "GL209",
        name: "kustomize-build-error",
        category: Flux,
        level: Error,
        summary: "A kustomization entry cannot be resolved: kustomize build would fail",
    }
}

impl Check for KustomizeBuildError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for problem in &model.problems {
            out.push(Diagnostic::new(
                &Self::META,
                problem.span,
                problem.message.clone(),
            ));
        }
        crate::flux::dedup_from(out, start);
    }
}
