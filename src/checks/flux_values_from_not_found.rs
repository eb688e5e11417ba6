//! `flux-values-from-not-found`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::model::HelmRelease;
use crate::flux::provided::Provided;
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds HelmRelease `valuesFrom` entries naming a ConfigMap or Secret that is not produced in
    /// the same cluster and namespace: not a manifest, not a kustomize `configMapGenerator` /
    /// `secretGenerator` (matched by name before the hash suffix), not created by a SealedSecret,
    /// ExternalSecret, cert-manager Certificate, Vault or 1Password operator object. Entries with
    /// `optional: true` are skipped.
    ///
    /// ## Why is this bad?
    /// helm-controller cannot compose the values: the release fails with "could not find
    /// ConfigMap" and is never installed or upgraded.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   valuesFrom:
    ///     - kind: ConfigMap
    ///       name: web-overrides   # nothing creates it
    /// ```
    ///
    /// ## How to fix
    /// Add the ConfigMap/Secret (or its generator) next to the HelmRelease, fix the name, or mark
    /// the entry `optional: true` when it is created outside the repository.
    pub struct FluxValuesFromNotFound {
        code: "GL205",
        name: "flux-values-from-not-found",
        category: Flux,
        level: Error,
        summary: "HelmRelease valuesFrom names a ConfigMap or Secret that is not in the cluster",
    }
}

impl Check for FluxValuesFromNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let provided = Provided::new(model);
        // Outside every cluster what exists is unknown.
        for inst in model.helm_releases().filter(|i| i.cluster.is_some()) {
            for r in HelmRelease(&inst.node).values_from() {
                if r.optional
                    || r.is_templated()
                    || !matches!(r.kind.as_str(), "ConfigMap" | "Secret")
                {
                    continue;
                }
                let ns = r.namespace_or(&inst.namespace);
                let direct = model
                    .find(inst.cluster, &r.kind, ns, &r.name)
                    .any(|i| i.group().is_empty());
                let produced =
                    r.kind == "Secret" && provided.produced_secret(inst.cluster, ns, &r.name);
                if direct || produced || model.is_external(inst.cluster, &r.kind, ns, &r.name) {
                    continue;
                }
                let message = format!(
                    "HelmRelease `{}` takes values from {} `{ns}/{}`, which is not in cluster `{}`",
                    inst.name,
                    r.kind,
                    r.name,
                    model.cluster_name(inst.cluster)
                );
                out.push(
                    Diagnostic::new(&Self::META, r.span, message).with_object(inst.reference()),
                );
            }
        }
        crate::flux::dedup_from(out, start);
    }
}
