//! `helm-template-skipped`

use crate::diagnostic::Diagnostic;
use crate::rule::declare_rule;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Notes each Helm chart in the repository whose `templates/` were not linted.
    ///
    /// ## Why is this bad?
    /// Chart templates are Go templates, not YAML: they only become manifests when Helm renders
    /// them with values. Linting them as YAML would report nonsense, so they are skipped, and this
    /// note says so rather than staying silent.
    ///
    /// ## Example
    /// ```text
    /// charts/web/Chart.yaml
    /// charts/web/templates/deployment.yaml   # skipped
    /// ```
    ///
    /// ## How to fix
    /// Nothing to fix. Render the chart (`helm template`) and lint the output to check it.
    pub struct HelmTemplateSkipped {
        code: "GL005",
        name: "helm-template-skipped",
        category: Yaml,
        level: Note,
        summary: "Helm chart templates are not linted",
    }
}

pub fn diagnostic(chart_yaml: Span, chart_dir: &str) -> Diagnostic {
    let dir = if chart_dir.is_empty() { "." } else { chart_dir };
    Diagnostic::new(
        &HelmTemplateSkipped::META,
        chart_yaml,
        format!("Helm chart `{dir}`: its templates are rendered by Helm and not linted"),
    )
}
