//! Findings: built in one place (rules), rendered in another (reports).

use serde::Serialize;

use crate::object::ObjectRef;
use crate::rule::{Level, RuleMeta};
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
}

impl Label {
    pub fn new(span: Span) -> Label {
        Label {
            span,
            message: None,
        }
    }

    pub fn with_message(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: Some(message.into()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub level: Level,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    /// The object the finding is about (SARIF logical location), when there is one.
    pub object: Option<ObjectRef>,
    /// How to fix it, when the rule can say more than its docs.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            level: rule.default_level,
            message: message.into(),
            primary: Label::new(span),
            related: Vec::new(),
            object: None,
            help: None,
        }
    }

    pub fn with_level(mut self, level: Level) -> Diagnostic {
        self.level = level;
        self
    }

    pub fn with_object(mut self, object: ObjectRef) -> Diagnostic {
        self.object = Some(object);
        self
    }

    pub fn with_related(mut self, label: Label) -> Diagnostic {
        self.related.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// Counts per level, for the summary line and the exit code.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in diagnostics {
            match diagnostic.level {
                Level::Error => counts.errors += 1,
                Level::Warning => counts.warnings += 1,
                Level::Note => counts.notes += 1,
            }
        }
        counts
    }

    pub fn at_or_above(&self, level: Level) -> usize {
        match level {
            Level::Error => self.errors,
            Level::Warning => self.errors + self.warnings,
            Level::Note => self.errors + self.warnings + self.notes,
        }
    }
}
