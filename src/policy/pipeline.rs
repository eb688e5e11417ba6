//! The policy stage of `check`: load once, evaluate per object in parallel and once over the
//! repository, turn results into located diagnostics.

use super::gatekeeper::{self, GatekeeperSet};
use super::input::node_to_value;
use super::inventory::{
    RepoObject, inventory as gatekeeper_inventory, repository_input, with_clusters,
};
use super::{
    EvalError, Finding, Level, ObjectRef, Outcome, PathSeg, PolicyOptions, PolicySet, RegoRule,
    RuleIndex, finalize,
};
use crate::checks::rego_evaluation_failed;
use crate::cli::{PolicyArgs, Settings};
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::rule::{self, Category, Origin, RuleMeta};
use crate::source::Span;
use crate::yaml::{Node, Value as Yaml};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn level(level: Level) -> rule::Level {
    match level {
        Level::Error => rule::Level::Error,
        Level::Warning => rule::Level::Warning,
        Level::Note => rule::Level::Note,
    }
}

/// A Rego rule's `RuleMeta` (strings leaked once: every diagnostic holds a `&'static`).
fn meta_of(rule: &RegoRule) -> &'static RuleMeta {
    Box::leak(Box::new(RuleMeta {
        code: leak(rule.code.clone().unwrap_or_else(|| rule.name.clone())),
        name: leak(rule.name.clone()),
        origin: Origin::Rego,
        category: if rule.builtin {
            Category::CrossTeam
        } else {
            Category::Policy
        },
        default_level: level(rule.default_level),
        summary: leak(rule.summary().trim_end_matches('.').to_string()),
        docs: leak(rule.docs()),
    }))
}

/// The built-in pack's rules (`policies/`), for the static registry.
pub fn builtin_metas() -> &'static [&'static RuleMeta] {
    static METAS: OnceLock<Vec<&'static RuleMeta>> = OnceLock::new();
    METAS.get_or_init(|| {
        let options = PolicyOptions::default();
        match PolicySet::from_files(
            Vec::new(),
            super::builtin::files(false),
            &options,
            Vec::new(),
        ) {
            Ok(set) => set.rules().iter().map(meta_of).collect(),
            Err(e) => panic!("the built-in policy pack does not compile: {e}"),
        }
    })
}

/// `--policy` dirs, else `./policy` or `<root>/policy` when present.
fn policy_dirs(args: &PolicyArgs, root: &Path) -> Vec<PathBuf> {
    if !args.policy.is_empty() {
        return args.policy.clone();
    }
    let candidates = [PathBuf::from("policy"), root.join("policy")];
    candidates
        .into_iter()
        .find(|d| d.is_dir())
        .into_iter()
        .collect()
}

/// The static registry plus the rules of the policy directories (`rules`, `explain`).
pub fn registry_with(args: &PolicyArgs) -> Result<Vec<&'static RuleMeta>, String> {
    let root =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let policies = Policies::load_args(args, &root)?;
    let mut rules = crate::registry();
    rules.extend(policies.rules());
    rules.sort_by_key(|rule| rule.code);
    Ok(rules)
}

/// Loaded policies, ready for the inventory.
pub struct Policies {
    set: PolicySet,
    metas: Vec<&'static RuleMeta>,
    /// Rules not in the static registry (user policies).
    extra: Vec<&'static RuleMeta>,
}

impl Policies {
    /// Loads and compiles `--policy` dirs (and the built-in pack). A compile error is `Err`
    /// (exit code 2).
    pub fn load(settings: &Settings) -> Result<Policies, String> {
        Policies::load_args(&settings.policy, &settings.root)
    }

    /// [`Policies::load`] from the policy flags alone (`rules`, `explain`).
    pub fn load_args(args: &PolicyArgs, root: &Path) -> Result<Policies, String> {
        let options = PolicyOptions {
            dirs: policy_dirs(args, root),
            namespaces: args.namespace.clone(),
            all_namespaces: args.all_namespaces,
            data: args.data.clone(),
            ..PolicyOptions::default()
        };
        let set = PolicySet::load(&options).map_err(|e| format!("policy error: {e}"))?;
        let builtin = builtin_metas();
        let mut metas = Vec::new();
        let mut extra = Vec::new();
        for rule in set.rules() {
            match builtin.iter().find(|m| m.name == rule.name) {
                Some(meta) => metas.push(*meta),
                None => {
                    let meta = meta_of(rule);
                    metas.push(meta);
                    extra.push(meta);
                }
            }
        }
        // Constraints kept in policy directories are known now (for --select and `rules`).
        let objects = gatekeeper::read_yaml_objects(&set.yaml_files)
            .map_err(|e| format!("policy error: {e}"))?;
        let objects: Vec<_> = objects
            .into_iter()
            .filter(|(_, v)| is_gatekeeper(v))
            .collect();
        let budget = PolicyOptions::default().budget;
        let gk = GatekeeperSet::from_objects(&objects, budget)
            .map_err(|e| format!("policy error: {e}"))?;
        if let Some((_, error)) = gk.broken.first() {
            return Err(format!("policy error: {error}"));
        }
        extra.extend(gk.rules().iter().map(meta_of));
        Ok(Policies { set, metas, extra })
    }

    /// User rules (the built-in pack is in [`crate::registry`] already).
    pub fn rules(&self) -> impl Iterator<Item = &'static RuleMeta> + '_ {
        self.extra.iter().copied()
    }

    /// Evaluates the policies and the Gatekeeper constraints over the frozen inventory. Returns the
    /// diagnostics and the rules of the constraints found in the repository (known only now).
    pub fn run(
        mut self,
        inventory: &Inventory,
        model: &crate::flux::Model,
        enabled: &(dyn Fn(&RuleMeta) -> bool + Sync),
    ) -> Result<(Vec<Diagnostic>, Vec<&'static RuleMeta>), String> {
        // Nothing can fire (e.g. `--select GL2`): skip building an input value per object.
        let any_rule = (builtin_metas().iter().copied().chain(self.rules()))
            .chain([&rego_evaluation_failed::RegoEvaluationFailed::META])
            .any(enabled);
        let any_template = !self.set.yaml_files.is_empty()
            || inventory
                .objects_of_kind("ConstraintTemplate")
                .next()
                .is_some();
        if !any_rule && !any_template {
            return Ok((Vec::new(), Vec::new()));
        }
        let values: Vec<regorus::Value> = inventory
            .objects
            .par_iter()
            .map(|o| node_to_value(&o.root))
            .collect();
        let repo: Vec<RepoObject> = inventory
            .objects
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (o, v))| {
                let file = inventory.file(o.file);
                // The Flux Kustomization applying it (first cluster), else its top-level directory.
                let placement = model.placements(i).into_iter().next();
                let top_dir = || {
                    file.path
                        .split_once('/')
                        .map(|(top, _)| top.to_string())
                        .unwrap_or_default()
                };
                RepoObject {
                    manifest: v.clone(),
                    file: file.path.clone(),
                    line: file.line_col(o.root.span.start).line,
                    owner: placement
                        .as_ref()
                        .map_or_else(top_dir, |(owner, _)| owner.clone()),
                    cluster: placement.map(|(_, cluster)| cluster),
                }
            })
            .collect();
        let inv = gatekeeper_inventory(&repo);

        // Gatekeeper: templates and constraints in the repository and in policy dirs outside it.
        let mut gk_objects: Vec<(PathBuf, regorus::Value)> = Vec::new();
        let mut gk_repo_objects: Vec<usize> = Vec::new();
        for (i, (o, v)) in inventory.objects.iter().zip(&values).enumerate() {
            if is_gatekeeper(v) {
                gk_objects.push((PathBuf::from(&inventory.file(o.file).path), v.clone()));
                gk_repo_objects.push(i);
            }
        }
        let outside: Vec<PathBuf> = self
            .set
            .yaml_files
            .iter()
            .filter(|p| !is_under(p, &inventory.root))
            .cloned()
            .collect();
        let from_dirs: Vec<(PathBuf, regorus::Value)> = gatekeeper::read_yaml_objects(&outside)
            .map_err(|e| format!("policy error: {e}"))?
            .into_iter()
            .filter(|(_, v)| is_gatekeeper(v))
            .collect();
        let outside_count = from_dirs.len();
        gk_objects.extend(from_dirs);
        let mut gk = GatekeeperSet::from_objects(&gk_objects, PolicyOptions::default().budget)
            .map_err(|e| format!("policy error: {e}"))?;
        let gk_metas: Vec<&'static RuleMeta> = gk
            .rules()
            .iter()
            .map(|r| match self.extra.iter().find(|m| m.name == r.name) {
                Some(known) => *known,
                None => meta_of(r),
            })
            .collect();
        let new_constraints: Vec<&'static RuleMeta> = gk_metas
            .iter()
            .copied()
            .filter(|m| !self.extra.iter().any(|e| std::ptr::eq(*e, *m)))
            .collect();
        let mut diagnostics = Vec::new();
        // A broken template in the repository is a finding on it; one in a policy dir is a
        // policy error.
        let repo_gk = gk_objects.len() - outside_count;
        for (index, error) in &gk.broken {
            if *index >= repo_gk {
                return Err(format!("policy error: {error}"));
            }
            let object = gk_repo_objects[*index];
            let object = &inventory.objects[object];
            diagnostics.push(
                rego_evaluation_failed::diagnostic(
                    object.name_span(),
                    format!(
                        "ConstraintTemplate does not compile: {}",
                        error.message.trim()
                    ),
                )
                .with_object(object.reference()),
            );
        }
        if !gk.is_empty() {
            gk.set_inventory(&inv)
                .map_err(|e| format!("policy error: {e}"))?;
        }
        // Failures are only found by evaluating: with `rego-evaluation-failed` selected, all run.
        let all = enabled(&rego_evaluation_failed::RegoEvaluationFailed::META);
        let enabled_mask: Vec<bool> = self.metas.iter().map(|m| all || enabled(m)).collect();
        self.set.set_enabled(&enabled_mask);
        if self.set.has_object_rules() || self.set.has_repository_rules() {
            self.set
                .set_inventory(inv)
                .map_err(|e| format!("policy error: {e}"))?;
        }

        let set = &self.set;
        let gk_ref = &gk;
        let per_object: Vec<(Outcome, Outcome)> = (0..values.len())
            .into_par_iter()
            .map_init(
                || (set.evaluator(), gk_ref.evaluator()),
                |(rego, gatekeeper), i| {
                    let own = if set.has_object_rules() {
                        rego.eval_object(i, values[i].clone())
                    } else {
                        Outcome::default()
                    };
                    let constraints = if gk_ref.is_empty() || is_gatekeeper(&values[i]) {
                        Outcome::default()
                    } else {
                        gatekeeper.eval_object(i, &values[i])
                    };
                    (own, constraints)
                },
            )
            .collect();
        let mut rego_all = Outcome::default();
        let mut gk_all = Outcome::default();
        let mut object_of_finding: Vec<usize> = Vec::new();
        let mut object_of_gk: Vec<usize> = Vec::new();
        for (i, (own, constraints)) in per_object.into_iter().enumerate() {
            object_of_finding.extend(std::iter::repeat_n(i, own.findings.len()));
            object_of_gk.extend(std::iter::repeat_n(i, constraints.findings.len()));
            rego_all.extend(own);
            gk_all.extend(constraints);
        }
        // Keep the object index next to each finding through `finalize`.
        let tagged: Vec<(usize, Finding)> = object_of_finding
            .into_iter()
            .zip(std::mem::take(&mut rego_all.findings))
            .collect();
        let repo_outcome = if set.has_repository_rules() && !values.is_empty() {
            let input = with_clusters(repository_input(&repo), model.clusters_json());
            set.evaluator().eval_repository(input)
        } else {
            Outcome::default()
        };
        let errors = finalize(Outcome {
            findings: Vec::new(),
            errors: rego_all
                .errors
                .into_iter()
                .chain(repo_outcome.errors.iter().cloned())
                .collect(),
            exceptions: Vec::new(),
        })
        .errors;
        let failed: Vec<usize> = errors.iter().map(|e| e.rule).collect();
        for (i, f) in tagged {
            if failed.contains(&f.rule) {
                continue;
            }
            diagnostics.push(object_finding(self.metas[f.rule], &inventory.objects[i], f));
        }
        let index = ObjectIndex::new(inventory);
        for f in repo_outcome.findings {
            if failed.contains(&f.rule) {
                continue;
            }
            let target = f.object.as_ref().and_then(|r| index.find(inventory, r));
            let Some(i) = target else {
                // A result that names no object of the repository: shown on the first object
                // rather than lost (the policy should return `object`).
                if let Some(first) = inventory.objects.first() {
                    let named = f.object.as_ref().map_or(String::new(), |r| {
                        format!(" (object {}/{} not found)", r.kind, r.name)
                    });
                    diagnostics.push(
                        Diagnostic::new(
                            self.metas[f.rule],
                            first.name_span(),
                            format!("{}{named}", f.message),
                        )
                        .with_level(level(f.level)),
                    );
                }
                continue;
            };
            diagnostics.push(object_finding(self.metas[f.rule], &inventory.objects[i], f));
        }
        diagnostics.extend(evaluation_failures(&errors, inventory, |rule| {
            format!("policy `{}`", self.metas[rule].name)
        }));
        // Gatekeeper constraints.
        let gk_tagged: Vec<(usize, Finding)> = object_of_gk
            .into_iter()
            .zip(std::mem::take(&mut gk_all.findings))
            .collect();
        let gk_errors = finalize(gk_all).errors;
        let gk_failed: Vec<usize> = gk_errors.iter().map(|e| e.rule).collect();
        for (i, f) in gk_tagged {
            if gk_failed.contains(&f.rule) {
                continue;
            }
            diagnostics.push(object_finding(gk_metas[f.rule], &inventory.objects[i], f));
        }
        diagnostics.extend(evaluation_failures(&gk_errors, inventory, |rule| {
            format!("constraint `{}`", gk_metas[rule].name)
        }));
        Ok((diagnostics, new_constraints))
    }
}

fn is_gatekeeper(value: &regorus::Value) -> bool {
    gatekeeper::is_template(value)
        || matches!(&value["apiVersion"], regorus::Value::String(a) if a.starts_with("constraints.gatekeeper.sh/"))
}

fn is_under(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    }
}

/// A policy result on the object it is about, at its `path` when the policy gave one.
fn object_finding(
    meta: &'static RuleMeta,
    object: &crate::object::Object,
    f: Finding,
) -> Diagnostic {
    Diagnostic::new(meta, locate(&object.root, object, &f.path), f.message)
        .with_level(level(f.level))
        .with_object(object.reference())
}

/// One `rego-evaluation-failed` per failed evaluation, on the object it failed on (repository
/// rules: the first object), named by `what(rule)`.
fn evaluation_failures(
    errors: &[EvalError],
    inventory: &Inventory,
    what: impl Fn(RuleIndex) -> String,
) -> Vec<Diagnostic> {
    let on = |e: &EvalError| {
        e.object
            .and_then(|i| inventory.objects.get(i))
            .or_else(|| inventory.objects.first())
    };
    (errors.iter())
        .filter_map(|e| on(e).map(|o| (e, o)))
        .map(|(e, o)| {
            rego_evaluation_failed::diagnostic(
                o.name_span(),
                format!("{}: {}", what(e.rule), e.message),
            )
            .with_object(o.reference())
        })
        .collect()
}

/// The node a result `path` names (as deep as it exists), else the object's `metadata.name`.
fn locate(root: &Node, object: &crate::object::Object, path: &Option<Vec<PathSeg>>) -> Span {
    let Some(path) = path else {
        return object.name_span();
    };
    let mut node = root;
    for seg in path {
        let next = match (seg, &node.value) {
            (PathSeg::Key(k), Yaml::Map(_)) => node.get(k),
            (PathSeg::Index(i), Yaml::Seq(items)) => items.get(*i),
            (PathSeg::Index(i), Yaml::Map(_)) => node.get(&i.to_string()),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    if std::ptr::eq(node, root) {
        object.name_span()
    } else {
        node.span
    }
}

/// Objects by (kind, namespace, name), for repository results.
struct ObjectIndex {
    by_id: HashMap<(String, Option<String>, String), Vec<usize>>,
}

impl ObjectIndex {
    fn new(inventory: &Inventory) -> ObjectIndex {
        let mut by_id: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, o) in inventory.objects.iter().enumerate() {
            by_id
                .entry((o.id.kind.clone(), o.id.namespace.clone(), o.id.name.clone()))
                .or_default()
                .push(i);
        }
        ObjectIndex { by_id }
    }

    fn find(&self, inventory: &Inventory, r: &ObjectRef) -> Option<usize> {
        let namespace = r.namespace.clone().filter(|n| !n.is_empty());
        let candidates = self
            .by_id
            .get(&(r.kind.clone(), namespace, r.name.clone()))?;
        let by_file: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                r.file.as_deref().is_none_or(|f| {
                    f.is_empty() || inventory.file(inventory.objects[i].file).path == f
                })
            })
            .collect();
        let by_line = by_file.iter().copied().find(|&i| {
            r.line.is_some_and(|l| {
                let o = &inventory.objects[i];
                inventory.file(o.file).line_col(o.root.span.start).line == l
            })
        });
        by_line
            .or_else(|| by_file.first().copied())
            .or_else(|| candidates.first().copied())
    }
}
