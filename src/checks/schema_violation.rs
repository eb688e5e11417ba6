//! `schema-violation`

use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Validates every object against the schema of its `apiVersion` and `kind`: the embedded
    /// Kubernetes schemas of `--kubernetes-version` (1.25 to 1.37, newest by default), the embedded
    /// Flux schemas, the repository's CustomResourceDefinitions, `--crds DIR` and
    /// `--schema-location` templates. Reports wrong types, values outside an enum, strings that do
    /// not match a pattern or format (e.g. `512MB` is not a quantity), and missing required fields,
    /// on the offending line. The message is worded like the API server's.
    ///
    /// SOPS-encrypted values (`ENC[…,type:int]`) count as their decrypted type, the top-level `sops`
    /// key is ignored, and Flux `${VAR}` placeholders are not errors; `${VAR:=default}` is checked
    /// as its default. Files used as kustomize patches are partial objects and are not validated.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object: `kubectl apply` fails halfway, or the Flux Kustomization
    /// that applies it stops being Ready.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: "three"      # must be an integer
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           resources:
    ///             limits:
    ///               memory: 512MB   # not a quantity: 512Mi or 512M
    /// ```
    ///
    /// ## How to fix
    /// Follow the message; `gitops-lint explain schema-violation` lists where schemas come from.
    pub struct SchemaViolation {
        code: "GL101",
        name: "schema-violation",
        category: Schema,
        level: Error,
        summary: "Object does not match the schema of its kind",
        origin: Schema,
    }
}
