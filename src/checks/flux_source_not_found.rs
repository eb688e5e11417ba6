//! `flux-source-not-found`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::graph::Instance;
use crate::flux::model::{self, HelmRelease, Kustomization, Ref};
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a Flux Kustomization `sourceRef`, a HelmRelease `chart.spec.sourceRef` or `chartRef`,
    /// or a HelmChart `sourceRef` that names a source (GitRepository, OCIRepository,
    /// HelmRepository, HelmChart, Bucket, ExternalArtifact) that does not exist in the same cluster.
    /// A reference without `namespace` means the referrer's namespace; when the source exists only
    /// in another namespace the message says so. The repository's own GitRepository (the root
    /// sync's, `flux-system` by default) and artifacts of ArtifactGenerators count as present.
    ///
    /// ## Why is this bad?
    /// The Kustomization or HelmRelease never becomes Ready: the controller waits for a source
    /// that nobody creates, and nothing is applied or upgraded.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   sourceRef:
    ///     kind: GitRepository
    ///     name: flux-sytem   # typo: flux-system
    /// ```
    ///
    /// ## How to fix
    /// Name an existing source, add `namespace:` when it lives in another namespace, or add the
    /// source to the cluster.
    pub struct FluxSourceNotFound {
        code: "GL201",
        name: "flux-source-not-found",
        category: Flux,
        level: Error,
        summary: "Flux sourceRef/chartRef names a source that does not exist in the cluster",
    }
}

impl Check for FluxSourceNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        // Outside every cluster what exists is unknown.
        for inst in model.instances.iter().filter(|i| i.cluster.is_some()) {
            let refs: Vec<Ref> = if model::is_flux_kustomization(&inst.api_version, &inst.kind) {
                Kustomization(&inst.node).source_ref().into_iter().collect()
            } else if model::is_helm_release(&inst.api_version, &inst.kind) {
                let hr = HelmRelease(&inst.node);
                hr.chart_source_ref()
                    .into_iter()
                    .chain(hr.chart_ref())
                    .collect()
            } else if inst.kind == "HelmChart" && inst.group() == model::SOURCE_GROUP {
                model::helm_chart_source_ref(&inst.node)
                    .into_iter()
                    .collect()
            } else {
                continue;
            };
            for r in refs
                .iter()
                .filter(|r| !r.is_templated() && !r.kind.is_empty())
            {
                check_ref(model, inst, r, out);
            }
        }
        crate::flux::dedup_from(out, start);
    }
}

fn check_ref(model: &Model, inst: &Instance, r: &Ref, out: &mut Vec<Diagnostic>) {
    let ns = r.namespace_or(&inst.namespace);
    if model.source_exists(inst.cluster, &r.kind, ns, &r.name) {
        return;
    }
    let cluster = model.cluster_name(inst.cluster);
    let elsewhere: Vec<&str> = model
        .namespaces_of(inst.cluster, &r.kind, &r.name)
        .into_iter()
        .filter(|n| *n != ns)
        .collect();
    let message = if elsewhere.is_empty() {
        format!(
            "{} `{}` refers to {} `{ns}/{}`, which does not exist in cluster `{cluster}`",
            inst.kind, inst.name, r.kind, r.name
        )
    } else {
        format!(
            "{} `{}` refers to {} `{ns}/{}`, which exists only in namespace `{}` in cluster `{cluster}`",
            inst.kind,
            inst.name,
            r.kind,
            r.name,
            elsewhere.join("`, `")
        )
    };
    let help = if elsewhere.is_empty() {
        "name an existing source or add it to the cluster".to_string()
    } else {
        format!(
            "add `namespace: {}` to the reference (cross-namespace references must be allowed by the controller)",
            elsewhere[0]
        )
    };
    out.push(
        Diagnostic::new(&FluxSourceNotFound::META, r.span, message)
            .with_object(inst.reference())
            .with_help(help),
    );
}
