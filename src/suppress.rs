//! Suppressions: `# gitops-lint: ignore[rule, …] reason` comments on the finding's line or the
//! line above, and `ignore.gitops-lint.dev/<rule>: "<reason>"` annotations on an object.
//! Suppressions that match nothing are reported as `unused-suppression`.

use crate::checks::unused_suppression;
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::rule::RuleMeta;
use crate::source::{FileId, Span};

const COMMENT: &str = "# gitops-lint: ignore[";
const ANNOTATION: &str = "ignore.gitops-lint.dev/";

struct Suppression {
    /// Where it is written (for the unused report).
    span: Span,
    rule: Option<&'static RuleMeta>,
    written: String,
    scope: Scope,
    used: bool,
}

enum Scope {
    /// Findings starting on these 0-based lines of the file.
    Lines(FileId, usize, usize),
    /// Findings inside this object's span.
    Object(Span),
}

impl Suppression {
    fn covers(&self, diagnostic: &Diagnostic, inventory: &Inventory) -> bool {
        if self
            .rule
            .is_none_or(|rule| rule.code != diagnostic.rule.code)
        {
            return false;
        }
        let at = diagnostic.primary.span;
        match self.scope {
            Scope::Lines(file, first, last) => {
                at.file == file
                    && (first..=last).contains(&inventory.file(file).lines.line_of(at.start))
            }
            Scope::Object(span) => {
                at.file == span.file && span.start <= at.start && at.start <= span.end
            }
        }
    }
}

/// Drop suppressed diagnostics; add one for each suppression that matched nothing.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    inventory: &Inventory,
    rules: &[&'static RuleMeta],
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Diagnostic> {
    let find = |name: &str| {
        rules
            .iter()
            .copied()
            .find(|r| r.name == name || r.code == name)
    };
    let mut suppressions = Vec::new();
    for file in &inventory.files {
        let mut search_from = 0;
        while let Some(found) = file.text[search_from..].find(COMMENT) {
            let start = search_from + found;
            let names_start = start + COMMENT.len();
            let Some(close) = file.text[names_start..].find(']') else {
                break;
            };
            let line = file.lines.line_of(start as u32);
            for name in file.text[names_start..names_start + close]
                .split(',')
                .map(str::trim)
            {
                suppressions.push(Suppression {
                    span: Span::new(file.id, start, names_start + close + 1),
                    rule: find(name),
                    written: name.to_owned(),
                    // A comment alone on its line covers the next line; after code, its own line.
                    scope: Scope::Lines(file.id, line, line + 1),
                    used: false,
                });
            }
            search_from = names_start + close;
        }
    }
    for object in &inventory.objects {
        let annotations = object
            .root
            .pointer("/metadata/annotations")
            .and_then(|a| a.as_map());
        for (key, _) in annotations.unwrap_or_default() {
            if let Some(name) = key.as_str().and_then(|k| k.strip_prefix(ANNOTATION)) {
                suppressions.push(Suppression {
                    span: key.span,
                    rule: find(name),
                    written: name.to_owned(),
                    scope: Scope::Object(object.root.span),
                    used: false,
                });
            }
        }
    }
    if suppressions.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let mut suppressed = false;
        for suppression in suppressions
            .iter_mut()
            .filter(|s| s.covers(&diagnostic, inventory))
        {
            suppression.used = true;
            suppressed = true;
        }
        if !suppressed {
            kept.push(diagnostic);
        }
    }
    for suppression in suppressions.iter().filter(|s| !s.used) {
        match suppression.rule {
            None => kept.push(unused_suppression::unknown(
                suppression.span,
                &suppression.written,
            )),
            // A rule that did not run cannot have used its suppression.
            Some(rule) if enabled(rule) => kept.push(unused_suppression::unused(
                suppression.span,
                &suppression.written,
            )),
            Some(_) => {}
        }
    }
    kept
}
