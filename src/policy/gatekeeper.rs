//! Gatekeeper ConstraintTemplates and their constraints, evaluated offline like `gator test`.
//!
//! Each object that a constraint's `spec.match` selects is wrapped as `input.review.object`, the
//! constraint's `spec.parameters` become `input.parameters`, and the template's
//! `violation[{"msg": msg, "details": d}]` results become findings named after the constraint.
//! `data.inventory` holds the repository inventory (see [`super::inventory`]).
//!
//! `spec.match.namespaceSelector` is matched against the labels of the Namespace objects of the
//! repository (a namespace the repository does not define has no labels). Not supported: CEL
//! (`K8sNativeValidation`) code blocks (templates with only CEL are skipped).

use super::engine::{RegoRule, is_timeout, prepare, timer};
use super::load::{self, PolicyFile};
use super::results::{RawResult, results_of};
use super::{EvalError, Finding, Level, Outcome, PolicyError, Scope};
use regorus::{Engine, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

struct Template {
    kind: String,
    package: String,
    engine: Engine,
}

/// `spec.match` of a constraint.
#[derive(Clone, Debug, Default)]
pub struct Match {
    /// (apiGroups, kinds); empty = every kind.
    pub kinds: Vec<(Vec<String>, Vec<String>)>,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub scope: Option<String>,
    pub name: Option<String>,
    pub label_selector: Option<Value>,
    pub namespace_selector: Option<Value>,
}

struct Constraint {
    rule: usize,
    template: usize,
    parameters: Value,
    matcher: Match,
    level: Level,
}

/// Templates and constraints, ready to evaluate.
pub struct GatekeeperSet {
    templates: Vec<Template>,
    constraints: Vec<Constraint>,
    rules: Vec<RegoRule>,
    budget: Duration,
    /// Templates that do not compile: (index in the objects given, error).
    pub broken: Vec<(usize, PolicyError)>,
    /// `data.inventory.cluster.v1.Namespace`, for `namespaceSelector`.
    namespaces: Value,
    /// Constraints stopped after exceeding the budget (by rule index).
    stopped: std::sync::Arc<[std::sync::atomic::AtomicBool]>,
}

fn text(value: &Value, key: &str) -> Option<String> {
    match &value[key] {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads every YAML document of `paths` (for templates and constraints kept in policy dirs).
pub fn read_yaml_objects(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Value)>, PolicyError> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            file: path.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let docs = crate::yaml::documents_as_json(&text).map_err(|e| PolicyError {
            file: path.clone(),
            message: format!("invalid YAML: {e}"),
        })?;
        for doc in docs {
            if doc.get("kind").is_some() {
                out.push((path.clone(), Value::from(doc)));
            }
        }
    }
    Ok(out)
}

/// Whether an object is a ConstraintTemplate or a constraint (so the caller can skip schema
/// checks it cannot do, or route it here).
pub fn is_template(object: &Value) -> bool {
    text(object, "kind").as_deref() == Some("ConstraintTemplate")
        && text(object, "apiVersion").is_some_and(|a| a.starts_with("templates.gatekeeper.sh/"))
}

fn rego_sources(target: &Value) -> Option<(String, Vec<String>)> {
    if let Some(rego) = text(target, "rego") {
        return Some((rego, strings(&target["libs"])));
    }
    if let Value::Array(code) = &target["code"] {
        for c in code.iter() {
            if text(c, "engine").as_deref() == Some("Rego") {
                let source = &c["source"];
                return Some((text(source, "rego")?, strings(&source["libs"])));
            }
        }
    }
    None
}

type TemplateDocs = (String, Option<String>, Option<String>);

/// Compiles one ConstraintTemplate; `None` when it has no Rego (CEL only).
fn compile_template(
    path: &Path,
    object: &Value,
    budget: Duration,
) -> Result<Option<(Template, TemplateDocs)>, PolicyError> {
    let err = |message: String| PolicyError {
        file: path.to_path_buf(),
        message,
    };
    let name = text(&object["metadata"], "name").unwrap_or_default();
    let kind = text(&object["spec"]["crd"]["spec"]["names"], "kind").ok_or_else(|| {
        err(format!(
            "ConstraintTemplate `{name}` has no spec.crd.spec.names.kind"
        ))
    })?;
    let Value::Array(targets) = &object["spec"]["targets"] else {
        return Err(err(format!(
            "ConstraintTemplate `{name}` has no spec.targets"
        )));
    };
    let Some((rego, libs)) = targets.iter().find_map(rego_sources) else {
        return Ok(None);
    };
    let mut engine = Engine::new();
    let label = |suffix: &str| {
        path.with_file_name(format!(
            "{}#{name}{suffix}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("template")
        ))
    };
    let main = PolicyFile {
        path: label(""),
        text: rego,
        is_test: false,
    };
    let package = load::add_policy(&mut engine, &main)?;
    for (i, lib) in libs.into_iter().enumerate() {
        load::add_policy(
            &mut engine,
            &PolicyFile {
                path: label(&format!("/libs/{i}")),
                text: lib,
                is_test: false,
            },
        )?;
    }
    prepare(&mut engine, path)?;
    engine.set_execution_timer_config(timer(budget));
    let annotations = &object["metadata"]["annotations"];
    let docs = (
        kind.clone(),
        text(annotations, "metadata.gatekeeper.sh/title"),
        text(annotations, "description"),
    );
    Ok(Some((
        Template {
            kind,
            package: package.trim_start_matches("data.").to_string(),
            engine,
        },
        docs,
    )))
}

impl GatekeeperSet {
    /// Builds the set from the templates and constraints among `objects` (path, manifest).
    pub fn from_objects(
        objects: &[(PathBuf, Value)],
        budget: Duration,
    ) -> Result<GatekeeperSet, PolicyError> {
        let mut set = GatekeeperSet {
            templates: Vec::new(),
            constraints: Vec::new(),
            rules: Vec::new(),
            budget,
            broken: Vec::new(),
            namespaces: Value::Undefined,
            stopped: std::sync::Arc::new([]),
        };
        let mut docs: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for (index, (path, object)) in objects.iter().enumerate() {
            if !is_template(object) {
                continue;
            }
            match compile_template(path, object, budget) {
                Ok(None) => {}
                Ok(Some((template, doc))) => {
                    set.templates.push(template);
                    docs.push(doc);
                }
                Err(e) => set.broken.push((index, e)),
            }
        }
        for (path, object) in objects {
            let Some(api_version) = text(object, "apiVersion") else {
                continue;
            };
            if !api_version.starts_with("constraints.gatekeeper.sh/") {
                continue;
            }
            let kind = text(object, "kind").unwrap_or_default();
            // Templates may be installed elsewhere (a Helm chart): nothing to evaluate offline.
            let Some(template) = set.templates.iter().position(|t| t.kind == kind) else {
                continue;
            };
            let name = text(&object["metadata"], "name").unwrap_or_default();
            let spec = &object["spec"];
            let level = text(spec, "enforcementAction")
                .and_then(|a| Level::parse(&a))
                .unwrap_or(Level::Error);
            let m = &spec["match"];
            let matcher = Match {
                kinds: match &m["kinds"] {
                    Value::Array(ks) => ks
                        .iter()
                        .map(|k| (strings(&k["apiGroups"]), strings(&k["kinds"])))
                        .collect(),
                    _ => Vec::new(),
                },
                namespaces: strings(&m["namespaces"]),
                excluded_namespaces: strings(&m["excludedNamespaces"]),
                scope: text(m, "scope"),
                name: text(m, "name"),
                label_selector: match &m["labelSelector"] {
                    Value::Undefined | Value::Null => None,
                    v => Some(v.clone()),
                },
                namespace_selector: match &m["namespaceSelector"] {
                    Value::Undefined | Value::Null => None,
                    v => Some(v.clone()),
                },
            };
            let (_, title, description) = &docs[template];
            let description = description
                .clone()
                .unwrap_or_else(|| format!("Gatekeeper constraint `{name}` of kind `{kind}`."));
            set.rules.push(RegoRule {
                name: name.clone(),
                code: None,
                title: title
                    .clone()
                    .or_else(|| Some(format!("Gatekeeper constraint {kind}/{name}"))),
                description: Some(description),
                related_resources: Vec::new(),
                default_level: level,
                scope: Scope::Object,
                package: set.templates[template].package.clone(),
                rego_rules: vec!["violation".to_string()],
                file: path.clone(),
                line: 1,
                builtin: false,
            });
            set.constraints.push(Constraint {
                rule: set.rules.len() - 1,
                template,
                parameters: match &spec["parameters"] {
                    Value::Undefined => Value::new_object(),
                    p => p.clone(),
                },
                matcher,
                level,
            });
        }
        set.stopped = set
            .rules
            .iter()
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        Ok(set)
    }

    /// One rule per constraint (named after the constraint).
    pub fn rules(&self) -> &[RegoRule] {
        &self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty()
    }

    /// Adds `data.inventory` to every template.
    pub fn set_inventory(&mut self, inventory: &Value) -> Result<(), PolicyError> {
        self.namespaces = inventory["cluster"]["v1"]["Namespace"].clone();
        for t in &mut self.templates {
            let mut data = Value::new_object();
            if let Ok(map) = data.as_object_mut() {
                map.insert(Value::from("inventory"), inventory.clone());
            }
            t.engine.add_data(data).map_err(|e| PolicyError {
                file: PathBuf::from("data.inventory"),
                message: e.to_string(),
            })?;
            prepare(&mut t.engine, Path::new("data.inventory"))?;
        }
        Ok(())
    }

    /// Clones of the prepared engines for one worker thread.
    pub fn evaluator(&self) -> GatekeeperEvaluator<'_> {
        GatekeeperEvaluator {
            set: self,
            engines: self.templates.iter().map(|t| t.engine.clone()).collect(),
        }
    }
}

/// One worker's engines.
pub struct GatekeeperEvaluator<'a> {
    set: &'a GatekeeperSet,
    engines: Vec<Engine>,
}

impl GatekeeperEvaluator<'_> {
    /// Evaluates every constraint whose `spec.match` selects `object` (a manifest).
    pub fn eval_object(&mut self, index: usize, object: &Value) -> Outcome {
        let mut outcome = Outcome::default();
        for c in &self.set.constraints {
            if self.set.stopped[c.rule].load(std::sync::atomic::Ordering::Relaxed)
                || !matches(&c.matcher, object, &self.set.namespaces)
            {
                continue;
            }
            let template = &self.set.templates[c.template];
            let engine = &mut self.engines[c.template];
            engine.set_input(review(object, &c.parameters));
            match engine.eval_rule(format!("data.{}.violation", template.package)) {
                Ok(value) => {
                    for RawResult {
                        message,
                        path,
                        details,
                        ..
                    } in results_of(&value, "violation")
                    {
                        outcome.findings.push(Finding {
                            rule: c.rule,
                            level: c.level,
                            message,
                            path,
                            object: None,
                            details,
                        });
                    }
                }
                Err(e) => {
                    let timeout = is_timeout(&*e);
                    if timeout {
                        self.set.stopped[c.rule].store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    outcome.errors.push(EvalError {
                        rule: c.rule,
                        object: if timeout { None } else { Some(index) },
                        message: if timeout {
                            format!(
                                "constraint `{}` exceeded its evaluation budget of {} ms",
                                self.set.rules[c.rule].name,
                                self.set.budget.as_millis()
                            )
                        } else {
                            e.to_string()
                        },
                        timeout,
                    });
                }
            }
        }
        outcome
    }
}

/// `input` as Gatekeeper builds it for an admission review of `object`.
fn review(object: &Value, parameters: &Value) -> Value {
    let api_version = text(object, "apiVersion").unwrap_or_default();
    let (group, version) = api_version
        .rsplit_once('/')
        .map(|(g, v)| (g.to_string(), v.to_string()))
        .unwrap_or((String::new(), api_version.clone()));
    let json = serde_json::json!({
        "kind": {"group": group, "version": version, "kind": text(object, "kind")},
        "name": text(&object["metadata"], "name"),
        "namespace": text(&object["metadata"], "namespace"),
        "operation": "CREATE",
        "userInfo": {"username": "gitops-lint"},
    });
    let mut review = Value::from(json);
    let mut input = Value::new_object();
    if let (Ok(r), Ok(i)) = (review.as_object_mut(), input.as_object_mut()) {
        r.insert(Value::from("object"), object.clone());
        i.insert(Value::from("parameters"), parameters.clone());
    }
    if let Ok(i) = input.as_object_mut() {
        i.insert(Value::from("review"), review);
    }
    input
}

fn glob_match(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

/// `spec.match` semantics: kinds, namespaces / excludedNamespaces (prefix globs), scope, name,
/// labelSelector, namespaceSelector (against `namespaces`: Namespace objects by name).
pub fn matches(m: &Match, object: &Value, namespaces: &Value) -> bool {
    let api_version = text(object, "apiVersion").unwrap_or_default();
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let kind = text(object, "kind").unwrap_or_default();
    if !m.kinds.is_empty()
        && !m.kinds.iter().any(|(groups, kinds)| {
            (groups.is_empty() || groups.iter().any(|g| g == "*" || g == group))
                && (kinds.is_empty() || kinds.iter().any(|k| k == "*" || *k == kind))
        })
    {
        return false;
    }
    let metadata = &object["metadata"];
    let declared_ns = text(metadata, "namespace");
    let namespace = declared_ns.clone().or_else(|| {
        (kind == "Namespace" && group.is_empty())
            .then(|| text(metadata, "name"))
            .flatten()
    });
    if let Some(ns) = &namespace {
        if !m.namespaces.is_empty() && !m.namespaces.iter().any(|p| glob_match(p, ns)) {
            return false;
        }
        if m.excluded_namespaces.iter().any(|p| glob_match(p, ns)) {
            return false;
        }
    }
    match m.scope.as_deref() {
        Some("Cluster") if declared_ns.is_some() => return false,
        Some("Namespaced") if declared_ns.is_none() => return false,
        _ => {}
    }
    if let Some(name) = &m.name
        && !text(metadata, "name").is_some_and(|n| glob_match(name, &n))
    {
        return false;
    }
    if let Some(selector) = &m.label_selector
        && !label_selector_matches(selector, &metadata["labels"])
    {
        return false;
    }
    match (&m.namespace_selector, &namespace) {
        (Some(selector), Some(ns)) => {
            let labels = if declared_ns.is_none() {
                &metadata["labels"]
            } else {
                &namespaces[ns.as_str()]["metadata"]["labels"]
            };
            label_selector_matches(selector, labels)
        }
        _ => true,
    }
}

/// Kubernetes label selector: `matchLabels` and `matchExpressions` (In, NotIn, Exists,
/// DoesNotExist).
pub fn label_selector_matches(selector: &Value, labels: &Value) -> bool {
    let label = |k: &str| text(labels, k);
    if let Value::Object(ml) = &selector["matchLabels"] {
        for (k, v) in ml.iter() {
            let (Value::String(k), Value::String(v)) = (k, v) else {
                return false;
            };
            if label(k).as_deref() != Some(&**v) {
                return false;
            }
        }
    }
    if let Value::Array(exprs) = &selector["matchExpressions"] {
        for e in exprs.iter() {
            let key = text(e, "key").unwrap_or_default();
            let values = strings(&e["values"]);
            let actual = label(&key);
            let ok = match text(e, "operator").as_deref() {
                Some("In") => actual.is_some_and(|a| values.contains(&a)),
                Some("NotIn") => actual.is_none_or(|a| !values.contains(&a)),
                Some("Exists") => actual.is_some(),
                Some("DoesNotExist") => actual.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn match_kinds_namespaces_and_labels() {
        let m = Match {
            kinds: vec![(vec!["apps".into()], vec!["Deployment".into()])],
            excluded_namespaces: vec!["kube-*".into()],
            label_selector: Some(v(
                r#"{"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]}"#,
            )),
            ..Match::default()
        };
        let dep = |ns: &str, team: &str| {
            v(&format!(
                r#"{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {{"name": "x", "namespace": "{ns}", "labels": {{"team": "{team}"}}}}}}"#
            ))
        };
        assert!(matches(&m, &dep("shop", "a"), &Value::Undefined));
        assert!(!matches(&m, &dep("kube-system", "a"), &Value::Undefined));
        assert!(!matches(&m, &dep("shop", "c"), &Value::Undefined));
        let svc = v(
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "shop", "labels": {"team": "a"}}}"#,
        );
        assert!(!matches(&m, &svc, &Value::Undefined));
    }

    #[test]
    fn namespace_objects_match_by_name() {
        let m = Match {
            namespaces: vec!["team-*".into()],
            ..Match::default()
        };
        assert!(matches(
            &m,
            &v(r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}"#),
            &Value::Undefined,
        ));
        assert!(!matches(
            &m,
            &v(r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}"#),
            &Value::Undefined,
        ));
    }

    #[test]
    fn namespace_selector_uses_repository_namespaces() {
        let m = Match {
            namespace_selector: Some(v(r#"{"matchLabels": {"env": "prod"}}"#)),
            ..Match::default()
        };
        let namespaces = v(
            r#"{"shop": {"metadata": {"name": "shop", "labels": {"env": "prod"}}},
                               "lab": {"metadata": {"name": "lab", "labels": {"env": "dev"}}}}"#,
        );
        let pod = |ns: &str| {
            v(&format!(
                r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p", "namespace": "{ns}"}}}}"#
            ))
        };
        assert!(matches(&m, &pod("shop"), &namespaces));
        assert!(!matches(&m, &pod("lab"), &namespaces));
        assert!(!matches(&m, &pod("unknown"), &namespaces));
        let ns = v(
            r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"env": "prod"}}}"#,
        );
        assert!(matches(&m, &ns, &namespaces));
    }
}
