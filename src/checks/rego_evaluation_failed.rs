//! `rego-evaluation-failed`

use crate::diagnostic::Diagnostic;
use crate::rule::declare_rule;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a Rego policy (conftest rule, repository rule or Gatekeeper constraint) that could
    /// not be evaluated: it ran past its time budget (1 s per object, 10 s per repository-wide
    /// evaluation), or it called something that does not exist offline, such as `http.send` or
    /// `opa.runtime()`.
    ///
    /// ## Why is this bad?
    /// The policy checked nothing: its verdicts are missing, not "passed". Its other results in
    /// this run are dropped so that the report does not depend on which objects were evaluated
    /// before it was stopped. Policies never reach the network or the environment, so a policy
    /// from an untrusted pull request cannot read CI secrets.
    ///
    /// ## Example
    /// ```rego
    /// package main
    /// deny contains msg if {
    ///     resp := http.send({"method": "get", "url": "https://example.com"})
    ///     msg := resp.body
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Remove network and environment access; index objects by key instead of comparing every
    /// pair (see the built-in policies in `policies/`); test with `gitops-lint test`.
    pub struct RegoEvaluationFailed {
        code: "GL900",
        name: "rego-evaluation-failed",
        category: Policy,
        level: Error,
        summary: "A Rego policy could not be evaluated",
    }
}

pub fn diagnostic(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(&RegoEvaluationFailed::META, span, message)
}
