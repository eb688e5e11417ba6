//! `flux-chart-version-floating`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::model::HelmRelease;
use crate::inventory::Inventory;
use crate::kustomize::tree::get;
use crate::rule::{RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds HelmReleases whose `chart.spec.version` is missing or `*`, after kustomize overlays
    /// and Flux patches are applied (a base without a version that every overlay pins is fine).
    ///
    /// ## Why is this bad?
    /// Any new chart release, including a major one, is installed on the next reconciliation,
    /// in every cluster at once, without review.
    ///
    /// ## Example
    /// ```yaml
    /// chart:
    ///   spec:
    ///     chart: podinfo
    ///     version: "*"
    /// ```
    ///
    /// ## How to fix
    /// Pin a version or a bounded range (`6.5.x`, `>=6.5.0 <7.0.0`).
    pub struct FluxChartVersionFloating {
        code: "GL208",
        name: "flux-chart-version-floating",
        category: Flux,
        level: Warning,
        summary: "HelmRelease chart version missing or `*`",
    }
}

impl Check for FluxChartVersionFloating {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        for inst in model.helm_releases() {
            let Some(spec) = HelmRelease(&inst.node).chart_spec() else {
                continue;
            };
            let version = get(spec, "version");
            let floating = match version.map(|v| &v.value) {
                None | Some(crate::yaml::Value::Null) => true,
                Some(_) => version
                    .and_then(Node::as_str)
                    .is_some_and(|v| v.trim() == "*" || v.trim().is_empty()),
            };
            if !floating {
                continue;
            }
            let span = version
                .or_else(|| get(spec, "chart"))
                .map_or(spec.span, |n| n.span);
            let what = if version.is_some() {
                "floats (`*`)"
            } else {
                "has no version"
            };
            let message = format!(
                "HelmRelease `{}` chart {what}: any new chart release is installed unreviewed",
                inst.name
            );
            out.push(Diagnostic::new(&Self::META, span, message).with_object(inst.reference()));
        }
        crate::flux::dedup_from(out, start);
    }
}
