//! `api-deprecated` (found together with `api-removed`, see `api_removed::check`)

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Warns about built-in Kubernetes objects written with an API version that
    /// `--kubernetes-version` still serves but has deprecated for removal, e.g.
    /// `flowcontrol.apiserver.k8s.io/v1beta3` FlowSchema in Kubernetes 1.29 to 1.31 (removed in
    /// 1.32), or `autoscaling/v2beta2` HorizontalPodAutoscaler in 1.23 to 1.25 (removed in 1.26).
    /// The message names the release that removes it and the API version to use instead.
    ///
    /// ## Why is this bad?
    /// The object applies today, but the cluster upgrade that removes the API version makes
    /// every apply of it fail ("no matches for kind").
    ///
    /// ## Example
    /// ```yaml
    /// # gitops-lint check --kubernetes-version 1.30
    /// apiVersion: flowcontrol.apiserver.k8s.io/v1beta3   # removed in 1.32
    /// kind: FlowSchema
    /// ```
    ///
    /// ## How to fix
    /// Change `apiVersion` to the replacement (here `flowcontrol.apiserver.k8s.io/v1`) before
    /// the upgrade.
    pub struct ApiDeprecated {
        code: "GL402",
        name: "api-deprecated",
        category: ApplySafety,
        level: Warning,
        summary: "Kubernetes API version deprecated in --kubernetes-version",
        origin: Schema,
    }
}
