//! `schema-missing`

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Notes objects whose `apiVersion`/`kind` no schema knows: not a Kubernetes kind of
    /// `--kubernetes-version`, not an embedded Flux kind, not defined by a CustomResourceDefinition
    /// in the repository or `--crds DIR`, not found under `--schema-location`.
    ///
    /// ## Why is this bad?
    /// Such an object is not validated at all. It may also be a kind that this Kubernetes version
    /// no longer serves, or a custom resource whose CRD is installed from somewhere else.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: cert-manager.io/v1
    /// kind: Certificate     # no CRD in the repository
    /// ```
    ///
    /// ## How to fix
    /// Add the CRD to the repository, pass `--crds DIR` or `--schema-location`, or check the
    /// apiVersion against `--kubernetes-version`.
    pub struct SchemaMissing {
        code: "GL103",
        name: "schema-missing",
        category: Schema,
        level: Note,
        summary: "No schema for this apiVersion and kind",
        origin: Schema,
    }
}
