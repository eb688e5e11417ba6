//! `schema-unknown-field`

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds keys that the schema of the object's kind does not declare (kubeconform `-strict`,
    /// `kubectl apply --validate=strict`). Fields under `x-kubernetes-preserve-unknown-fields`
    /// (e.g. HelmRelease `values`) are free. `--no-strict` turns the rule off.
    ///
    /// ## Why is this bad?
    /// A misspelt field is silently dropped by the API server with lenient validation, or the
    /// whole object is rejected with strict validation: either way the setting you wrote is not
    /// applied (`imagePullPolcy: Always` leaves the default policy).
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     imagePullPolcy: Always   # typo: imagePullPolicy
    /// ```
    ///
    /// ## How to fix
    /// Fix the spelling or the indentation (a field one level too deep is unknown there), or remove
    /// the field.
    pub struct SchemaUnknownField {
        code: "GL102",
        name: "schema-unknown-field",
        category: Schema,
        level: Error,
        summary: "Field not declared by the schema of its kind",
        origin: Schema,
    }
}
