//! `flux-substitution-undefined`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds `${var}` references in objects applied by a Flux Kustomization with `postBuild`
    /// where `var` is defined neither in `postBuild.substitute` nor in any `substituteFrom`
    /// ConfigMap/Secret found in the repository, and has no default (`${var:=default}`). Objects
    /// annotated or labelled `kustomize.toolkit.fluxcd.io/substitute: disabled` are skipped, and
    /// so is everything under a Kustomization whose variables cannot be known (a SOPS-encrypted
    /// Secret, a ConfigMap/Secret not in the repository): unknown is never reported.
    ///
    /// ## Why is this bad?
    /// kustomize-controller replaces an undefined variable with an empty string (or fails the
    /// build in strict mode): names, hosts and image tags silently become empty.
    ///
    /// ## Example
    /// ```yaml
    /// data:
    ///   region: ${REGION}   # no REGION in substitute or substituteFrom
    /// ```
    ///
    /// ## How to fix
    /// Define the variable in `postBuild.substitute` or a `substituteFrom` ConfigMap, give it a
    /// default (`${REGION:=eu-west-1}`), or escape a literal dollar as `$${…}`.
    pub struct FluxSubstitutionUndefined {
        code: "GL206",
        name: "flux-substitution-undefined",
        category: Flux,
        level: Warning,
        summary: "${var} used under postBuild substitution but defined nowhere",
    }
}

impl Check for FluxSubstitutionUndefined {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for var in &model.undefined_vars {
            let ks = &model.kustomizations[var.kustomization];
            let message = format!(
                "`${{{}}}` is not defined by the postBuild of Kustomization `{}` (cluster `{}`) and has no default",
                var.name, ks.name, model.clusters[ks.cluster].name
            );
            out.push(Diagnostic::new(&Self::META, var.span, message));
        }
        crate::flux::dedup_from(out, start);
    }
}
