//! `manifest-type-missing`

use crate::diagnostic::Diagnostic;
use crate::object::IncompleteTypeMeta;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds YAML documents that have `apiVersion` but no `kind`, or `kind` but no `apiVersion`
    /// (or either one empty or not a string), including the items of a `List`.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` and kustomize-controller refuse the document, and the whole apply fails.
    /// Documents with neither key are not Kubernetes objects and are skipped without a finding.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// metadata:
    ///   name: settings
    /// data: {}
    /// ```
    ///
    /// ## How to fix
    /// Add the missing `kind:` or `apiVersion:`.
    pub struct ManifestTypeMissing {
        code: "GL004",
        name: "manifest-type-missing",
        category: Yaml,
        level: Error,
        summary: "Document has apiVersion or kind, but not both",
    }
}

pub fn diagnostic(problem: &IncompleteTypeMeta) -> Diagnostic {
    Diagnostic::new(
        &ManifestTypeMissing::META,
        problem.span,
        format!(
            "this document has no `{}`, so it cannot be applied",
            problem.missing
        ),
    )
}
