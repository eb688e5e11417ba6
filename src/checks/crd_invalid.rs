//! `crd-invalid`

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds CustomResourceDefinitions whose `openAPIV3Schema` cannot be turned into a schema: no
    /// `spec.group` or `spec.names.kind`, an unknown `type`, a `pattern` that is not a regular
    /// expression, `properties` that is not a mapping, and so on. Also reported on a custom
    /// resource whose schema (from a CRD or `--schema-location`) cannot be compiled.
    ///
    /// ## Why is this bad?
    /// The API server refuses the CRD, so every custom resource of that kind fails to apply, and
    /// none of them can be validated here.
    ///
    /// ## Example
    /// ```yaml
    /// openAPIV3Schema:
    ///   type: object
    ///   properties:
    ///     size:
    ///       type: int       # integer
    /// ```
    ///
    /// ## How to fix
    /// Fix the schema at the reported line (regenerate the CRD with controller-gen if it is
    /// generated).
    pub struct CrdInvalid {
        code: "GL104",
        name: "crd-invalid",
        category: Schema,
        level: Error,
        summary: "CustomResourceDefinition schema cannot be used",
        origin: Schema,
    }
}
