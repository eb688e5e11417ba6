//! `yaml-syntax`

use crate::diagnostic::Diagnostic;
use crate::rule::{Level, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports files that cannot be read as YAML the way Kubernetes reads them: syntax errors,
    /// tabs used for indentation, invalid UTF-8, binary content, nesting deeper than 256 levels and
    /// aliases that expand to more than 100,000 nodes ("billion laughs").
    ///
    /// ## Why is this bad?
    /// Flux cannot build a Kustomization that contains such a file, so nothing in it is applied,
    /// and every other check is blind to it.
    ///
    /// A file that does not look like a Kubernetes manifest (no `apiVersion` key) is reported as a
    /// note only: it may be an editor config or Helm values that nothing applies.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    /// 	name: web   # a tab
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax at the reported line; indent with spaces; save the file as UTF-8.
    pub struct YamlSyntax {
        code: "GL001",
        name: "yaml-syntax",
        category: Yaml,
        level: Error,
        summary: "File cannot be parsed as YAML",
    }
}

pub fn diagnostic(span: Span, message: String, manifest_like: bool) -> Diagnostic {
    let level = if manifest_like {
        Level::Error
    } else {
        Level::Note
    };
    Diagnostic::new(&YamlSyntax::META, span, message).with_level(level)
}
