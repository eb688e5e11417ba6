//! `unused-suppression`

use crate::diagnostic::Diagnostic;
use crate::rule::declare_rule;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports suppressions that suppress nothing: a `# gitops-lint: ignore[rule]` comment with no
    /// finding of that rule on its line or the line below, or an `ignore.gitops-lint.dev/<rule>`
    /// annotation on an object without such a finding. Also reports suppressions that name a rule
    /// that does not exist.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real problem at that place, and an unknown rule name is
    /// usually a typo that suppresses nothing.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: web   # gitops-lint: ignore[invalid-name] legacy name
    /// ```
    ///
    /// ## How to fix
    /// Remove the suppression, or correct the rule name. Suppress with a comment on the finding's
    /// line or the line above it, `# gitops-lint: ignore[rule-name] reason`, or on the whole object
    /// with the annotation `ignore.gitops-lint.dev/<rule-name>: "<reason>"`.
    pub struct UnusedSuppression {
        code: "GL006",
        name: "unused-suppression",
        category: Yaml,
        level: Warning,
        summary: "Suppression comment or annotation that suppresses nothing",
    }
}

pub fn unused(span: Span, rule: &str) -> Diagnostic {
    Diagnostic::new(
        &UnusedSuppression::META,
        span,
        format!("this suppression of `{rule}` matches no finding"),
    )
}

pub fn unknown(span: Span, rule: &str) -> Diagnostic {
    Diagnostic::new(
        &UnusedSuppression::META,
        span,
        format!("`{rule}` is not a rule (see `gitops-lint rules`)"),
    )
}
