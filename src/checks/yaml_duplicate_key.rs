//! `yaml-duplicate-key`

use crate::diagnostic::{Diagnostic, Label};
use crate::rule::declare_rule;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds a key that appears twice in the same mapping.
    ///
    /// ## Why is this bad?
    /// The API server's strict decoding rejects the object; lenient tools silently keep the last
    /// value, so what is applied depends on the tool. The first value is usually a forgotten edit.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: 2
    ///   replicas: 3
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the keys.
    pub struct YamlDuplicateKey {
        code: "GL002",
        name: "yaml-duplicate-key",
        category: Yaml,
        level: Error,
        summary: "Mapping has the same key twice",
    }
}

pub fn diagnostic(span: Span, key: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        &YamlDuplicateKey::META,
        span,
        format!("duplicate key `{key}`; the last value wins"),
    )
    .with_related(Label::with_message(
        first,
        format!("`{key}` first defined here"),
    ))
}
