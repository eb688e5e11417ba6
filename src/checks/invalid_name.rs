//! `invalid-name`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{RuleMeta, declare_rule};
use crate::template::has_placeholder;
use crate::yaml::{Entry, Node};

declare_rule! {
    /// ## What it does
    /// Checks `metadata.name` and `metadata.namespace` against the syntax the API server enforces
    /// for the kind, and label keys, label values and annotation keys where Kubernetes reads
    /// them:
    ///
    /// - most kinds: a DNS-1123 subdomain (lowercase letters, digits, `-` and `.`, at most 253);
    /// - `Namespace` and every `metadata.namespace`: a DNS-1123 label (no `.`, at most 63);
    /// - `Service`: a DNS-1035 label (also starts with a letter);
    /// - `CronJob`: a subdomain of at most 52 characters (Jobs get an 11-character suffix);
    /// - RBAC roles and bindings: any path segment (no `/` or `%`, not `.` or `..`);
    /// - label and annotation keys: `[prefix/]name`, name at most 63 of `[A-Za-z0-9_.-]`
    ///   starting and ending alphanumeric, prefix a DNS subdomain;
    /// - label values: empty, or at most 63 of the same characters.
    ///
    /// Labels are checked in every object's own `metadata` and, for built-in Kubernetes kinds
    /// only, at the paths the API server validates: pod templates (`spec.template.metadata`,
    /// `spec.jobTemplate.metadata`, `spec.jobTemplate.spec.template.metadata`, StatefulSet
    /// `volumeClaimTemplates`), label selectors (`spec.selector` of workloads, Jobs,
    /// PodDisruptionBudgets and PersistentVolumeClaims, NetworkPolicy `podSelector` and
    /// `namespaceSelector`, pod affinity and `topologySpreadConstraints` selectors, webhook and
    /// admission policy `namespaceSelector`/`objectSelector`, ClusterRole aggregation
    /// selectors), Service and ReplicationController `spec.selector` and pod `nodeSelector`.
    /// In a custom resource (a group that is not a built-in API group) only `metadata` belongs
    /// to Kubernetes: the rest, CRD schemas, HelmRelease `values`, Kyverno and Gatekeeper
    /// policies, Cilium selectors with their own key syntax, is the custom resource's own.
    ///
    /// Names, keys and values holding a template placeholder, Flux `${var}` or `{{ … }}`
    /// (Helm, Go templates, Kyverno JMESPath), are not what the API server receives: Flux
    /// substitutions are checked after substitution, the others not at all.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object, so `kubectl apply` or the Flux Kustomization fails
    /// halfway through the set, after applying the objects before it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata:
    ///   name: Web_Frontend
    ///   labels:
    ///     app.kubernetes.io/version: 1.2.3+build   # `+` is not allowed
    /// ```
    ///
    /// ## How to fix
    /// Use lowercase names with `-`; keep free text in annotations, not labels.
    pub struct InvalidName {
        code: "GL403",
        name: "invalid-name",
        category: ApplySafety,
        level: Error,
        summary: "Name, namespace, label or annotation key the API server rejects",
    }
}

impl Check for InvalidName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let mut report = |node: &Node, message: String| {
            out.push(
                Diagnostic::new(&Self::META, node.span, message).with_object(object.reference()),
            );
        };
        if let Some(metadata) = object.root.get("metadata") {
            if let Some(name) = checkable(metadata.get("name")) {
                let format = NameFormat::for_kind(object.kind());
                if let Err(reason) = format.check(name.1) {
                    report(
                        name.0,
                        format!(
                            "{} name `{}` is not a valid {}: {reason}",
                            object.kind(),
                            name.1,
                            format.describe()
                        ),
                    );
                }
            }
            if let Some(namespace) = checkable(metadata.get("namespace"))
                && let Err(reason) = NameFormat::Dns1123Label.check(namespace.1)
            {
                report(
                    namespace.0,
                    format!(
                        "namespace `{}` is not a valid DNS-1123 label: {reason}",
                        namespace.1
                    ),
                );
            }
        }
        label_maps(object, &mut |map, what| {
            for (key, value) in map {
                if let Some(text) = key.as_str().filter(|k| !has_placeholder(k))
                    && let Err(reason) = check_qualified_name(text)
                {
                    report(key, format!("{what} key `{text}` is invalid: {reason}"));
                }
                if what != "annotation"
                    && let Some((node, text)) = checkable(Some(value))
                    && let Err(reason) = check_label_value(text)
                {
                    report(node, format!("{what} value `{text}` is invalid: {reason}"));
                }
            }
        });
    }
}

/// A string scalar without template placeholders.
fn checkable(node: Option<&Node>) -> Option<(&Node, &str)> {
    let node = node?;
    let text = node.as_str()?;
    (!text.is_empty() && !has_placeholder(text)).then_some((node, text))
}

/// What a label map is, in messages.
type Visit<'a> = dyn FnMut(&[Entry], &'static str) + 'a;

/// Calls `f` with every label map of the object that the API server validates: its own
/// labels and annotations and, for built-in kinds, the pod templates and selectors.
fn label_maps(object: &Object, f: &mut Visit) {
    let root = &object.root;
    metadata(root.get("metadata"), f);
    let spec = root.get("spec");
    match (object.id.group.as_str(), object.kind()) {
        ("", "Pod") => pod_spec(spec, f),
        ("", "PodTemplate") => pod_template(root.get("template"), f),
        ("", "ReplicationController") => {
            plain_selector(at(spec, &["selector"]), f);
            pod_template(at(spec, &["template"]), f);
        }
        ("", "Service") => plain_selector(at(spec, &["selector"]), f),
        ("", "PersistentVolumeClaim") => selector(at(spec, &["selector"]), f),
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet") => {
            selector(at(spec, &["selector"]), f);
            pod_template(at(spec, &["template"]), f);
            for claim in items(at(spec, &["volumeClaimTemplates"])) {
                metadata(claim.get("metadata"), f);
                selector(at(claim.get("spec"), &["selector"]), f);
            }
        }
        ("batch", "Job") => job_spec(spec, f),
        ("batch", "CronJob") => {
            let job = at(spec, &["jobTemplate"]);
            metadata(at(job, &["metadata"]), f);
            job_spec(at(job, &["spec"]), f);
        }
        ("networking.k8s.io", "NetworkPolicy") => {
            selector(at(spec, &["podSelector"]), f);
            for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
                for rule in items(at(spec, &[rules])) {
                    for peer in items(rule.get(peers)) {
                        selector(peer.get("podSelector"), f);
                        selector(peer.get("namespaceSelector"), f);
                    }
                }
            }
        }
        ("policy", "PodDisruptionBudget") => selector(at(spec, &["selector"]), f),
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => {
            for webhook in items(root.get("webhooks")) {
                selector(webhook.get("namespaceSelector"), f);
                selector(webhook.get("objectSelector"), f);
            }
        }
        ("admissionregistration.k8s.io", kind) if kind.ends_with("AdmissionPolicy") => {
            resource_rules(at(spec, &["matchConstraints"]), f);
        }
        ("admissionregistration.k8s.io", kind) if kind.ends_with("AdmissionPolicyBinding") => {
            resource_rules(at(spec, &["matchResources"]), f);
        }
        ("rbac.authorization.k8s.io", "ClusterRole") => {
            for aggregated in items(at(root.get("aggregationRule"), &["clusterRoleSelectors"])) {
                selector(Some(aggregated), f);
            }
        }
        _ => {}
    }
}

/// The node at `path` (map keys) below `node`.
fn at<'a>(node: Option<&'a Node>, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node?, |node, key| node.get(key))
}

/// The items of a sequence (none for anything else).
fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

/// `labels` and `annotations` of an `ObjectMeta`.
fn metadata(meta: Option<&Node>, f: &mut Visit) {
    for (what, field) in [("label", "labels"), ("annotation", "annotations")] {
        if let Some(map) = at(meta, &[field]).and_then(Node::as_map) {
            f(map, what);
        }
    }
}

/// A `LabelSelector`: its `matchLabels`.
fn selector(selector: Option<&Node>, f: &mut Visit) {
    if let Some(map) = at(selector, &["matchLabels"]).and_then(Node::as_map) {
        f(map, "label selector");
    }
}

/// A selector written as a plain label map (Service, ReplicationController).
fn plain_selector(selector: Option<&Node>, f: &mut Visit) {
    if let Some(map) = selector.and_then(Node::as_map) {
        f(map, "label selector");
    }
}

fn pod_template(template: Option<&Node>, f: &mut Visit) {
    metadata(at(template, &["metadata"]), f);
    pod_spec(at(template, &["spec"]), f);
}

fn job_spec(spec: Option<&Node>, f: &mut Visit) {
    selector(at(spec, &["selector"]), f);
    pod_template(at(spec, &["template"]), f);
}

fn pod_spec(spec: Option<&Node>, f: &mut Visit) {
    if let Some(map) = at(spec, &["nodeSelector"]).and_then(Node::as_map) {
        f(map, "node selector");
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let affinity = at(spec, &["affinity", kind]);
        let required = items(at(
            affinity,
            &["requiredDuringSchedulingIgnoredDuringExecution"],
        ));
        let preferred = items(at(
            affinity,
            &["preferredDuringSchedulingIgnoredDuringExecution"],
        ));
        let preferred = preferred.iter().filter_map(|p| p.get("podAffinityTerm"));
        for term in required.iter().chain(preferred) {
            selector(term.get("labelSelector"), f);
            selector(term.get("namespaceSelector"), f);
        }
    }
    for constraint in items(at(spec, &["topologySpreadConstraints"])) {
        selector(constraint.get("labelSelector"), f);
    }
}

/// `MatchResources` of admission policies and their bindings.
fn resource_rules(resources: Option<&Node>, f: &mut Visit) {
    selector(at(resources, &["namespaceSelector"]), f);
    selector(at(resources, &["objectSelector"]), f);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum NameFormat {
    Dns1123Subdomain { max: usize },
    Dns1123Label,
    Dns1035Label,
    PathSegment,
}

impl NameFormat {
    fn for_kind(kind: &str) -> NameFormat {
        match kind {
            "Namespace" => NameFormat::Dns1123Label,
            "Service" => NameFormat::Dns1035Label,
            "CronJob" => NameFormat::Dns1123Subdomain { max: 52 },
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
                NameFormat::PathSegment
            }
            _ => NameFormat::Dns1123Subdomain { max: 253 },
        }
    }

    fn describe(self) -> &'static str {
        match self {
            NameFormat::Dns1123Subdomain { .. } => "DNS-1123 subdomain",
            NameFormat::Dns1123Label => "DNS-1123 label",
            NameFormat::Dns1035Label => "DNS-1035 label",
            NameFormat::PathSegment => "path segment",
        }
    }

    fn check(self, name: &str) -> Result<(), String> {
        match self {
            NameFormat::Dns1123Subdomain { max } => {
                at_most(name, max)?;
                name.split('.').try_for_each(|part| dns_label(part, false))
            }
            NameFormat::Dns1123Label => {
                at_most(name, 63)?;
                dns_label(name, false)
            }
            NameFormat::Dns1035Label => {
                at_most(name, 63)?;
                dns_label(name, true)
            }
            NameFormat::PathSegment => {
                if name == "." || name == ".." {
                    Err(format!("may not be `{name}`"))
                } else if let Some(c) = name.chars().find(|c| matches!(c, '/' | '%')) {
                    Err(format!("may not contain `{c}`"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

fn at_most(text: &str, max: usize) -> Result<(), String> {
    if text.len() > max {
        return Err(format!("{} characters, at most {max} allowed", text.len()));
    }
    Ok(())
}

fn dns_label(label: &str, letter_first: bool) -> Result<(), String> {
    let Some(first) = label.chars().next() else {
        return Err("empty part between dots".into());
    };
    if let Some(bad) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let hint = if bad.is_ascii_uppercase() {
            " (use lowercase)"
        } else {
            ""
        };
        return Err(format!("`{bad}` is not allowed{hint}"));
    }
    if letter_first && !first.is_ascii_lowercase() {
        return Err("must start with a lowercase letter".into());
    }
    if first == '-' || label.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// Label and annotation keys: `[prefix/]name`.
fn check_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        NameFormat::Dns1123Subdomain { max: 253 }
            .check(prefix)
            .map_err(|reason| format!("prefix `{prefix}`: {reason}"))?;
    }
    if name.is_empty() {
        return Err("the name part is empty".into());
    }
    at_most(name, 63)?;
    label_characters(name)
}

fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    at_most(value, 63)?;
    label_characters(value)
}

fn label_characters(text: &str) -> Result<(), String> {
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!("`{bad}` is not allowed"));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(text.chars().next()) || !alnum(text.chars().last()) {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_formats() {
        let sub = NameFormat::Dns1123Subdomain { max: 253 };
        assert!(sub.check("web-1.example").is_ok());
        assert!(sub.check("Web").unwrap_err().contains("lowercase"));
        assert!(sub.check("web_1").is_err());
        assert!(sub.check("a..b").is_err());
        assert!(sub.check(&"a".repeat(254)).is_err());
        assert!(NameFormat::Dns1123Label.check("a.b").is_err());
        assert!(NameFormat::Dns1123Label.check("1abc").is_ok());
        assert!(NameFormat::Dns1035Label.check("1abc").is_err());
        assert!(
            NameFormat::Dns1123Subdomain { max: 52 }
                .check(&"a".repeat(53))
                .is_err()
        );
        assert!(NameFormat::PathSegment.check("system:controller:x").is_ok());
        assert!(NameFormat::PathSegment.check("a/b").is_err());
    }

    #[test]
    fn label_syntax() {
        assert!(check_qualified_name("app.kubernetes.io/name").is_ok());
        assert!(check_qualified_name("Example.com/x").is_err());
        assert!(check_qualified_name("a/").is_err());
        assert!(check_qualified_name("team_A.x").is_ok());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("1.2.3+build").is_err());
        assert!(check_label_value("-x").is_err());
        assert!(check_label_value(&"v".repeat(64)).is_err());
    }
}
