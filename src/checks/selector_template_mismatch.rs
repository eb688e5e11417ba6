//! `selector-template-mismatch`

use std::collections::HashMap;

use super::Check;
use crate::diagnostic::{Diagnostic, Label};
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{RuleMeta, declare_rule};
use crate::source::Span;
use crate::template::has_placeholder;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds a Deployment, StatefulSet, DaemonSet or ReplicaSet (`apps/v1`), or a Job with
    /// `manualSelector: true`, whose `spec.selector` does not select the labels of its own pod
    /// template (`spec.template.metadata.labels`). Both `matchLabels` and `matchExpressions`
    /// (`In`, `NotIn`, `Exists`, `DoesNotExist`) are evaluated, on the object as Flux applies it
    /// (after kustomize patches and `postBuild` substitution).
    ///
    /// Objects whose selector or template labels still hold a `${…}` or `{{ … }}` placeholder
    /// are not judged, and neither is a Job that lets Kubernetes generate its selector.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object ("`selector` does not match template `labels`"): the
    /// apply fails, and so does the Flux Kustomization that applies it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: frontend   # the selector wants app: web
    /// ```
    ///
    /// ## How to fix
    /// Give the pod template every label the selector requires. Change the template, not the
    /// selector, of an object that already exists: the selector of a Deployment, StatefulSet,
    /// DaemonSet or Job cannot be changed after creation.
    pub struct SelectorTemplateMismatch {
        code: "GL404",
        name: "selector-template-mismatch",
        category: ApplySafety,
        level: Error,
        summary: "Workload selector does not match its pod template labels",
    }
}

impl Check for SelectorTemplateMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let workload = match (object.id.group.as_str(), object.id.version.as_str()) {
            ("apps", "v1") => matches!(
                object.kind(),
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            ),
            ("batch", "v1") => object.kind() == "Job",
            _ => false,
        };
        let Some(spec) = object.root.get("spec").filter(|_| workload) else {
            return;
        };
        if object.kind() == "Job"
            && spec.get("manualSelector").and_then(Node::as_bool) != Some(true)
        {
            return;
        }
        let (Some(selector), Some(template)) = (spec.get("selector"), spec.get("template")) else {
            return;
        };
        let labels_node = template.pointer("/metadata/labels");
        let Some(labels) = labels_of(labels_node) else {
            return;
        };
        let Some(requirements) = requirements(selector) else {
            return;
        };
        let Some(failed) = requirements.iter().find(|r| !r.matches(&labels)) else {
            return;
        };
        let found = match labels.get(failed.key) {
            Some(value) => format!("has `{}: {value}`", failed.key),
            None => format!("has no label `{}`", failed.key),
        };
        let mut diagnostic = Diagnostic::new(
            &Self::META,
            failed.span,
            format!(
                "{}: `spec.selector` requires `{}`, but the pod template {found}; the API server rejects it (selector does not match template labels)",
                object.reference().display(),
                failed.describe()
            ),
        )
        .with_help("give `spec.template.metadata.labels` every label the selector requires (the selector of an existing object cannot be changed)")
        .with_object(object.reference());
        if let Some(node) = labels_node {
            diagnostic = diagnostic.with_related(Label::new(node.span));
        }
        out.push(diagnostic);
    }
}

/// The template's labels; `None` when they cannot be judged (not strings, placeholders).
fn labels_of(node: Option<&Node>) -> Option<HashMap<&str, &str>> {
    let Some(node) = node.filter(|n| !matches!(n.value, crate::yaml::Value::Null)) else {
        return Some(HashMap::new());
    };
    let mut labels = HashMap::new();
    for (key, value) in node.as_map()? {
        let (key, value) = (key.as_str()?, value.as_str()?);
        if has_placeholder(key) || has_placeholder(value) {
            return None;
        }
        labels.insert(key, value);
    }
    Some(labels)
}

#[derive(Debug)]
enum Operator<'a> {
    In(Vec<&'a str>),
    NotIn(Vec<&'a str>),
    Exists,
    DoesNotExist,
}

#[derive(Debug)]
struct Requirement<'a> {
    key: &'a str,
    operator: Operator<'a>,
    span: Span,
    /// Written as `matchLabels` (shown as `key=value`).
    equals: bool,
}

impl Requirement<'_> {
    fn matches(&self, labels: &HashMap<&str, &str>) -> bool {
        let value = labels.get(self.key);
        match &self.operator {
            Operator::In(values) => value.is_some_and(|v| values.contains(v)),
            Operator::NotIn(values) => value.is_none_or(|v| !values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }

    fn describe(&self) -> String {
        match &self.operator {
            Operator::In(values) if self.equals => format!("{}={}", self.key, values[0]),
            Operator::In(values) => format!("{} In ({})", self.key, values.join(", ")),
            Operator::NotIn(values) => format!("{} NotIn ({})", self.key, values.join(", ")),
            Operator::Exists => format!("{} Exists", self.key),
            Operator::DoesNotExist => format!("{} DoesNotExist", self.key),
        }
    }
}

/// The selector's requirements; `None` when it cannot be judged: malformed (the schema or the
/// API server says so), empty, or holding a placeholder.
fn requirements(selector: &Node) -> Option<Vec<Requirement<'_>>> {
    let mut out = Vec::new();
    if let Some(match_labels) = selector.get("matchLabels").filter(|n| !is_null(n)) {
        for (key, value) in match_labels.as_map()? {
            out.push(Requirement {
                key: text(key)?,
                operator: Operator::In(vec![text(value)?]),
                span: value.span,
                equals: true,
            });
        }
    }
    if let Some(expressions) = selector.get("matchExpressions").filter(|n| !is_null(n)) {
        for expression in expressions.as_seq()? {
            let key_node = expression.get("key")?;
            let values: Vec<&str> = match expression.get("values").filter(|n| !is_null(n)) {
                Some(values) => (values.as_seq()?.iter()).map(text).collect::<Option<_>>()?,
                None => Vec::new(),
            };
            let operator = match (expression.get_str("operator")?, values.is_empty()) {
                ("In", false) => Operator::In(values),
                ("NotIn", false) => Operator::NotIn(values),
                ("Exists", true) => Operator::Exists,
                ("DoesNotExist", true) => Operator::DoesNotExist,
                _ => return None,
            };
            out.push(Requirement {
                key: text(key_node)?,
                operator,
                span: key_node.span,
                equals: false,
            });
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A string scalar without placeholders.
fn text(node: &Node) -> Option<&str> {
    node.as_str().filter(|s| !has_placeholder(s))
}

fn is_null(node: &Node) -> bool {
    matches!(node.value, crate::yaml::Value::Null)
}
