//! The prepared policy set and its per-thread evaluators.

use super::load::{self, PolicyFile};
use super::metadata::{self, Annotation, Target};
use super::results::{RawResult, results_of};
use super::{Finding, Level, PolicyError, PolicyOptions, Scope, builtin};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, LimitError, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Index of a rule in [`PolicySet::rules`].
pub type RuleIndex = usize;

/// A Rego rule as the linter sees it: one name, its metadata and the Rego rules behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct RegoRule {
    /// `custom.name`, else `<package>.<rule>` (e.g. `main.deny`).
    pub name: String,
    /// `custom.code`, when the policy gives one.
    pub code: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub related_resources: Vec<String>,
    pub default_level: Level,
    pub scope: Scope,
    /// Package without the `data.` prefix.
    pub package: String,
    /// Rego rule names (`deny`, `warn_latest`) whose results this rule reports.
    pub rego_rules: Vec<String>,
    /// Where the rule is defined (file and 1-based line of its first head).
    pub file: PathBuf,
    pub line: u32,
    /// From the embedded pack.
    pub builtin: bool,
}

impl RegoRule {
    /// One line (SARIF `shortDescription`).
    pub fn summary(&self) -> String {
        match &self.title {
            Some(t) => t.clone(),
            None => format!(
                "Rego rule `{}` in package `{}`",
                self.rego_rules.join("`, `"),
                self.package
            ),
        }
    }

    /// Markdown help (SARIF `help`, `explain`).
    pub fn docs(&self) -> String {
        let mut out = String::new();
        if let Some(d) = &self.description {
            out.push_str(d.trim_end());
            out.push_str("\n\n");
        } else {
            out.push_str(&self.summary());
            out.push_str("\n\n");
        }
        if !self.related_resources.is_empty() {
            out.push_str("## Related resources\n");
            for r in &self.related_resources {
                out.push_str(&format!("- {r}\n"));
            }
            out.push('\n');
        }
        let scope = match self.scope {
            Scope::Object => "each object",
            Scope::Repository => "the whole repository",
        };
        out.push_str(&format!(
            "Defined in `{}` (package `{}`, rule `{}`), evaluated over {scope}.\n",
            self.file.display(),
            self.package,
            self.rego_rules.join("`, `")
        ));
        out
    }
}

#[derive(Clone, Debug)]
struct Entry {
    rule: RuleIndex,
    /// `data.main.deny_foo`
    path: String,
    level: Level,
    /// `Some("foo")` for `deny_foo`/`violation_foo`, `Some("")` for `deny`; `None` for `warn*`.
    exception_key: Option<String>,
    rego_rule: String,
}

#[derive(Clone, Debug)]
struct PackageEval {
    exception_path: Option<String>,
    entries: Vec<Entry>,
}

/// Policies compiled once (plus `--data` and the inventory), ready to be cloned per thread.
#[derive(Debug)]
pub struct PolicySet {
    engine: Engine,
    rules: Vec<RegoRule>,
    object_packages: Vec<PackageEval>,
    repository_packages: Vec<PackageEval>,
    disabled: Arc<[AtomicBool]>,
    budget: Duration,
    repository_budget: Duration,
    /// YAML files found in policy directories (Gatekeeper templates and constraints).
    pub yaml_files: Vec<PathBuf>,
}

/// `deny`, `violation`, `warn`, optionally `_<name>`: (level, exception key).
fn classify(rule: &str) -> Option<(Level, Option<String>)> {
    for (prefix, level, exceptable) in [
        ("deny", Level::Error, true),
        ("violation", Level::Error, true),
        ("warn", Level::Warning, false),
    ] {
        if let Some(rest) = rule.strip_prefix(prefix) {
            let suffix = if rest.is_empty() {
                ""
            } else if let Some(s) = rest.strip_prefix('_') {
                if s.is_empty() {
                    return None;
                }
                s
            } else {
                continue;
            };
            return Some((level, exceptable.then(|| suffix.to_string())));
        }
    }
    None
}

/// (source label, package, [(rule name, line of its first head)]) of one loaded module.
pub(crate) type ModuleRules = (String, String, Vec<(String, u32)>);

/// Rule heads of every loaded module.
pub(crate) fn module_rules(engine: &mut Engine) -> Vec<ModuleRules> {
    use regorus::unstable::{Parser, Rule, RuleHead};
    let mut out = Vec::new();
    for module in engine.get_modules().iter() {
        let source = module.package.span.source.get_path().to_string();
        let package = Parser::get_path_ref_components(&module.package.refr)
            .map(|c| {
                c.iter()
                    .map(|s| s.text().trim_matches('"').to_string())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_default();
        let mut rules: Vec<(String, u32)> = Vec::new();
        for rule in &module.policy {
            let (refr, span) = match rule.as_ref() {
                Rule::Spec { head, span, .. } => match head {
                    RuleHead::Compr { refr, .. }
                    | RuleHead::Set { refr, .. }
                    | RuleHead::Func { refr, .. } => (refr, span),
                },
                Rule::Default { refr, span, .. } => (refr, span),
            };
            if let Ok(components) = Parser::get_path_ref_components(refr)
                && let Some(first) = components.first()
            {
                let name = first.text().to_string();
                if !rules.iter().any(|(n, _)| *n == name) {
                    rules.push((name, span.line));
                }
            }
        }
        out.push((source, package, rules));
    }
    out
}

/// Builds an engine with the given files (v1, v0 retry per file); returns the packages per file.
pub(crate) fn engine_with(
    files: &[PolicyFile],
    data: &[PathBuf],
) -> Result<(Engine, Vec<String>), PolicyError> {
    let mut engine = Engine::new();
    let mut packages = Vec::new();
    for f in files {
        packages.push(load::add_policy(&mut engine, f)?);
    }
    for path in data {
        for value in load::load_data_file(path)? {
            engine
                .add_data(Value::from(value))
                .map_err(|e| PolicyError {
                    file: path.clone(),
                    message: format!("cannot merge data: {e}"),
                })?;
        }
    }
    Ok((engine, packages))
}

/// Forces regorus to analyse the modules now, so compile errors surface at load time.
pub(crate) fn prepare(engine: &mut Engine, fallback: &std::path::Path) -> Result<(), PolicyError> {
    engine
        .eval_query("true".to_string(), false)
        .map(|_| ())
        .map_err(|e| {
            let message = e.to_string();
            let file = message
                .split("--> ")
                .nth(1)
                .and_then(|rest| rest.split(':').next())
                .map(PathBuf::from)
                .unwrap_or_else(|| fallback.to_path_buf());
            PolicyError { file, message }
        })
}

pub(crate) fn timer(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit,
        check_interval: NonZeroU32::new(32).unwrap_or(NonZeroU32::MIN),
    }
}

impl PolicySet {
    /// Loads, parses and compiles the policies of `options` (and the built-in pack).
    pub fn load(options: &PolicyOptions) -> Result<PolicySet, PolicyError> {
        let (discovered, yaml_files) = load::discover(&options.dirs)?;
        let user: Vec<PolicyFile> = discovered.into_iter().filter(|f| !f.is_test).collect();
        let builtin_files = if options.builtin {
            builtin::files(false)
        } else {
            Vec::new()
        };
        Self::from_files(user, builtin_files, options, yaml_files)
    }

    /// Same as [`PolicySet::load`] from in-memory files.
    pub fn from_files(
        user: Vec<PolicyFile>,
        builtin_files: Vec<PolicyFile>,
        options: &PolicyOptions,
        yaml_files: Vec<PathBuf>,
    ) -> Result<PolicySet, PolicyError> {
        let (mut engine, user_packages) = engine_with(&user, &options.data)?;
        // A user copy of a built-in package replaces the embedded one.
        let mut files = user;
        let builtin_start = files.len();
        for f in builtin_files {
            let package = builtin::package_of(&f.text);
            if user_packages
                .iter()
                .any(|p| Some(p.as_str()) == package.as_deref())
            {
                continue;
            }
            load::add_policy(&mut engine, &f)?;
            files.push(f);
        }
        let fallback = options
            .dirs
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("policy"));
        prepare(&mut engine, &fallback)?;

        // METADATA per file.
        let mut annotations: HashMap<String, Vec<metadata::Block>> = HashMap::new();
        let mut builtin_labels = BTreeSet::new();
        for (i, f) in files.iter().enumerate() {
            let label = f.path.display().to_string();
            let blocks = metadata::parse_blocks(&f.text).map_err(|message| PolicyError {
                file: f.path.clone(),
                message,
            })?;
            if i >= builtin_start {
                builtin_labels.insert(label.clone());
            }
            annotations.insert(label, blocks);
        }

        let modules = module_rules(&mut engine);
        // Package-level annotations and rule-level ones, across the package's files.
        let mut package_notes: BTreeMap<String, Annotation> = BTreeMap::new();
        let mut rule_notes: BTreeMap<(String, String), Annotation> = BTreeMap::new();
        for (source, package, _) in &modules {
            for block in annotations.get(source).into_iter().flatten() {
                match &block.target {
                    Target::Package => {
                        let merged = block
                            .annotation
                            .or(package_notes.get(package).unwrap_or(&Annotation::default()));
                        package_notes.insert(package.clone(), merged);
                    }
                    Target::Rule(r) => {
                        let key = (package.clone(), r.clone());
                        let merged = block
                            .annotation
                            .or(rule_notes.get(&key).unwrap_or(&Annotation::default()));
                        rule_notes.insert(key, merged);
                    }
                }
            }
        }

        let wanted: Vec<String> = if options.namespaces.is_empty() {
            vec!["main".to_string()]
        } else {
            options.namespaces.clone()
        };
        let mut rules: Vec<RegoRule> = Vec::new();
        let mut by_name: HashMap<String, RuleIndex> = HashMap::new();
        let mut packages: BTreeMap<String, PackageEval> = BTreeMap::new();
        let mut exceptions: BTreeSet<String> = BTreeSet::new();
        for (source, package, heads) in &modules {
            let is_builtin = builtin_labels.contains(source);
            for (rule_name, line) in heads {
                if rule_name == "exception" {
                    exceptions.insert(package.clone());
                    continue;
                }
                let Some((kind_level, exception_key)) = classify(rule_name) else {
                    continue;
                };
                let empty = Annotation::default();
                let note = rule_notes
                    .get(&(package.clone(), rule_name.clone()))
                    .unwrap_or(&empty)
                    .or(package_notes.get(package).unwrap_or(&empty));
                let declared = note.name.is_some() || note.code.is_some();
                let selected = options.all_namespaces
                    || wanted.iter().any(|w| w == package)
                    || is_builtin
                    || declared;
                if !selected {
                    continue;
                }
                let name = note
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{package}.{rule_name}"));
                let index = match by_name.get(&name) {
                    Some(&i) => {
                        let existing: &mut RegoRule = &mut rules[i];
                        if existing.package != *package {
                            return Err(PolicyError {
                                file: PathBuf::from(source),
                                message: format!(
                                    "rule name `{name}` is used by packages `{}` and `{package}`",
                                    existing.package
                                ),
                            });
                        }
                        if !existing.rego_rules.contains(rule_name) {
                            existing.rego_rules.push(rule_name.clone());
                        }
                        i
                    }
                    None => {
                        rules.push(RegoRule {
                            name: name.clone(),
                            code: note.code.clone(),
                            title: note.title.clone(),
                            description: note.description.clone(),
                            related_resources: note.related_resources.clone(),
                            default_level: note.level.unwrap_or(kind_level),
                            scope: note.scope.unwrap_or_default(),
                            package: package.clone(),
                            rego_rules: vec![rule_name.clone()],
                            file: PathBuf::from(source),
                            line: *line,
                            builtin: is_builtin,
                        });
                        by_name.insert(name, rules.len() - 1);
                        rules.len() - 1
                    }
                };
                let entry = Entry {
                    rule: index,
                    path: format!("data.{package}.{rule_name}"),
                    level: note.level.unwrap_or(kind_level),
                    exception_key,
                    rego_rule: rule_name.clone(),
                };
                let scope = rules[index].scope;
                let key = format!(
                    "{}{package}",
                    if scope == Scope::Repository {
                        "r:"
                    } else {
                        "o:"
                    }
                );
                let group = packages.entry(key).or_insert_with(|| PackageEval {
                    exception_path: None,
                    entries: Vec::new(),
                });
                if !group.entries.iter().any(|e| e.path == entry.path) {
                    group.entries.push(entry);
                }
            }
        }
        let mut object_packages = Vec::new();
        let mut repository_packages = Vec::new();
        for (key, mut group) in packages {
            let (scope, package) = key.split_at(2);
            if exceptions.contains(package) && scope == "o:" {
                group.exception_path = Some(format!("data.{package}.exception"));
            }
            if scope == "r:" {
                repository_packages.push(group);
            } else {
                object_packages.push(group);
            }
        }
        let disabled: Arc<[AtomicBool]> = rules.iter().map(|_| AtomicBool::new(false)).collect();
        Ok(PolicySet {
            engine,
            rules,
            object_packages,
            repository_packages,
            disabled,
            budget: options.budget,
            repository_budget: options.repository_budget,
            yaml_files,
        })
    }

    /// Every rule that can report, in load order.
    pub fn rules(&self) -> &[RegoRule] {
        &self.rules
    }

    pub fn rule(&self, index: RuleIndex) -> &RegoRule {
        &self.rules[index]
    }

    /// Whether any rule is evaluated per object / over the repository.
    pub fn has_object_rules(&self) -> bool {
        !self.object_packages.is_empty()
    }

    pub fn has_repository_rules(&self) -> bool {
        !self.repository_packages.is_empty()
    }

    /// Skips the rules whose `mask` entry is false (not selected): they are not evaluated.
    pub fn set_enabled(&mut self, mask: &[bool]) {
        for (flag, &on) in self.disabled.iter().zip(mask) {
            flag.store(!on, Ordering::Relaxed);
        }
    }

    /// Merges `data.inventory` (Gatekeeper-shaped, see [`super::inventory`]) and re-prepares.
    pub fn set_inventory(&mut self, inventory: Value) -> Result<(), PolicyError> {
        let mut data = Value::new_object();
        if let Ok(map) = data.as_object_mut() {
            map.insert(Value::from("inventory"), inventory);
        }
        self.engine.add_data(data).map_err(|e| PolicyError {
            file: PathBuf::from("data.inventory"),
            message: e.to_string(),
        })?;
        prepare(&mut self.engine, std::path::Path::new("data.inventory"))
    }

    /// A cheap clone of the prepared engine for one worker thread.
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator {
            set: self,
            engine: self.engine.clone(),
        }
    }
}

/// A runtime failure of one rule: budget exceeded, or a builtin error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub rule: RuleIndex,
    /// Index of the object being evaluated (None for repository rules).
    pub object: Option<usize>,
    pub message: String,
    pub timeout: bool,
}

/// Whether an evaluation error is the time budget running out (regorus reports it either as a
/// typed `LimitError` or, from inside some builtins, only in the message).
pub(crate) fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        error.downcast_ref::<LimitError>(),
        Some(LimitError::TimeLimitExceeded { .. })
    ) || error.to_string().contains("exceeded time limit")
}

/// What evaluating one input produced.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<EvalError>,
    /// Rules skipped by a conftest `exception`.
    pub exceptions: Vec<RuleIndex>,
}

impl Outcome {
    pub fn extend(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.exceptions.extend(other.exceptions);
    }
}

/// Deterministic end of a run: findings of a rule that failed anywhere are dropped (its results
/// would depend on scheduling once it is disabled), and one error per rule is kept (the one of
/// the lowest object index).
pub fn finalize(mut outcome: Outcome) -> Outcome {
    outcome.errors.sort_by(|a, b| {
        (a.rule, a.object.unwrap_or(usize::MAX), &a.message).cmp(&(
            b.rule,
            b.object.unwrap_or(usize::MAX),
            &b.message,
        ))
    });
    outcome.errors.dedup_by_key(|e| e.rule);
    let failed: BTreeSet<RuleIndex> = outcome.errors.iter().map(|e| e.rule).collect();
    outcome.findings.retain(|f| !failed.contains(&f.rule));
    outcome
}

/// One worker's engine.
pub struct Evaluator<'a> {
    set: &'a PolicySet,
    engine: Engine,
}

impl Evaluator<'_> {
    /// Evaluates every selected per-object rule on `input` (the manifest, conftest-style).
    pub fn eval_object(&mut self, object: usize, input: Value) -> Outcome {
        self.engine.set_input(input);
        self.engine
            .set_execution_timer_config(timer(self.set.budget));
        let mut outcome = Outcome::default();
        for group in &self.set.object_packages {
            self.eval_group(group, Some(object), self.set.budget, &mut outcome);
        }
        outcome
    }

    /// Evaluates the repository-scope rules once; `input` = `{objects: [...]}`. Packages run in
    /// parallel (each on its own engine clone); results keep package order.
    pub fn eval_repository(&mut self, input: Value) -> Outcome {
        use rayon::prelude::*;
        let set = self.set;
        let outcomes: Vec<Outcome> = set
            .repository_packages
            .par_iter()
            .map(|group| {
                let mut evaluator = Evaluator {
                    set,
                    engine: set.engine.clone(),
                };
                evaluator.engine.set_input(input.clone());
                evaluator
                    .engine
                    .set_execution_timer_config(timer(set.repository_budget));
                let mut outcome = Outcome::default();
                evaluator.eval_group(group, None, set.repository_budget, &mut outcome);
                outcome
            })
            .collect();
        let mut outcome = Outcome::default();
        for o in outcomes {
            outcome.extend(o);
        }
        outcome
    }

    fn eval_group(
        &mut self,
        group: &PackageEval,
        object: Option<usize>,
        budget: Duration,
        out: &mut Outcome,
    ) {
        let mut excepted: BTreeSet<String> = BTreeSet::new();
        if let Some(path) = &group.exception_path
            && let Ok(value) = self.engine.eval_rule(path.clone())
        {
            collect_strings(&value, &mut excepted);
        }
        for entry in &group.entries {
            if self.set.disabled[entry.rule].load(Ordering::Relaxed) {
                continue;
            }
            if let Some(key) = &entry.exception_key
                && excepted.contains(key)
            {
                out.exceptions.push(entry.rule);
                continue;
            }
            match self.engine.eval_rule(entry.path.clone()) {
                Ok(value) => {
                    for RawResult {
                        message,
                        path,
                        object,
                        details,
                    } in results_of(&value, &entry.rego_rule)
                    {
                        out.findings.push(Finding {
                            rule: entry.rule,
                            level: entry.level,
                            message,
                            path,
                            object,
                            details,
                        });
                    }
                }
                Err(e) => {
                    let timeout = is_timeout(&*e);
                    let message = if timeout {
                        self.set.disabled[entry.rule].store(true, Ordering::Relaxed);
                        format!(
                            "`{}` exceeded its evaluation budget of {} ms and was stopped",
                            entry.path,
                            budget.as_millis()
                        )
                    } else {
                        format!("`{}` failed: {}", entry.path, e.to_string().trim())
                    };
                    out.errors.push(EvalError {
                        rule: entry.rule,
                        // Once stopped, the rule is skipped on other threads: which object hit
                        // the budget first depends on scheduling, so a timeout names none.
                        object: if timeout { None } else { object },
                        message,
                        timeout,
                    });
                }
            }
        }
    }
}

fn collect_strings(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            out.insert(s.to_string());
        }
        Value::Set(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::classify;
    use crate::policy::Level;

    #[test]
    fn classifies_conftest_rule_names() {
        assert_eq!(classify("deny"), Some((Level::Error, Some(String::new()))));
        assert_eq!(
            classify("violation_x"),
            Some((Level::Error, Some("x".into())))
        );
        assert_eq!(classify("warn_latest"), Some((Level::Warning, None)));
        assert_eq!(classify("denyall"), None);
        assert_eq!(classify("deny_"), None);
        assert_eq!(classify("allow"), None);
    }
}
