//! `flux-dependency-not-found`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::model::{self, HelmRelease, Kustomization};
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds `dependsOn` entries of a Flux Kustomization or HelmRelease that name a Kustomization
    /// (or HelmRelease) that does not exist in the same cluster. A dependency without `namespace`
    /// is looked up in the dependant's namespace.
    ///
    /// ## Why is this bad?
    /// Flux waits for the dependency forever: the dependant never becomes Ready and nothing says
    /// why until someone reads the controller logs.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   dependsOn:
    ///     - name: infra-controlers   # typo: infra-controllers
    /// ```
    ///
    /// ## How to fix
    /// Name an existing object, or add `namespace:` when it lives in another namespace.
    pub struct FluxDependencyNotFound {
        code: "GL203",
        name: "flux-dependency-not-found",
        category: Flux,
        level: Error,
        summary: "dependsOn names a Kustomization or HelmRelease that does not exist in the cluster",
    }
}

impl Check for FluxDependencyNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for inst in &model.instances {
            // Outside every cluster the dependency's cluster is unknown.
            if inst.cluster.is_none() {
                continue;
            }
            let deps = if model::is_flux_kustomization(&inst.api_version, &inst.kind) {
                Kustomization(&inst.node).depends_on()
            } else if model::is_helm_release(&inst.api_version, &inst.kind) {
                HelmRelease(&inst.node).depends_on()
            } else {
                continue;
            };
            for dep in deps.iter().filter(|d| !d.is_templated()) {
                let ns = dep.namespace_or(&inst.namespace);
                let found = model
                    .find(inst.cluster, &inst.kind, ns, &dep.name)
                    .any(|d| d.group() == inst.group())
                    || (inst.kind == "Kustomization"
                        && model.kustomizations.iter().any(|k| {
                            Some(k.cluster) == inst.cluster
                                && k.namespace == ns
                                && k.name == dep.name
                        }))
                    || model.is_external(inst.cluster, &inst.kind, ns, &dep.name);
                if found {
                    continue;
                }
                let message = format!(
                    "`{}` depends on {} `{ns}/{}`, which does not exist in cluster `{}`",
                    inst.name,
                    inst.kind,
                    dep.name,
                    model.cluster_name(inst.cluster)
                );
                out.push(
                    Diagnostic::new(&Self::META, dep.span, message).with_object(inst.reference()),
                );
            }
        }
        crate::flux::dedup_from(out, start);
    }
}
