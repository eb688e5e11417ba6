//! Rego policies, evaluated with regorus: conftest-compatible per-object rules, repository-wide
//! rules over every team's objects, the built-in pack in `policies/`, Gatekeeper
//! ConstraintTemplates, and the `test` runner.
//!
//! ```no_run
//! use gitops_lint::policy::{PolicyOptions, PolicySet};
//! let options = PolicyOptions { dirs: vec!["policy".into()], ..PolicyOptions::default() };
//! let policies = PolicySet::load(&options).expect("policies compile");
//! let mut evaluator = policies.evaluator();
//! let input = regorus::Value::from_json_str(r#"{"kind": "Pod", "metadata": {"name": "x"}}"#).unwrap();
//! let outcome = evaluator.eval_object(0, input);
//! for finding in &outcome.findings {
//!     println!("{}: {}", policies.rule(finding.rule).name, finding.message);
//! }
//! ```
//!
//! Safety: regorus is built without the `http` and `opa-runtime` features, so `http.send` and
//! `opa.runtime()` do not exist (a policy using them fails with "could not find function"), and
//! every evaluation runs under a wall-clock budget (see [`PolicyOptions::budget`]).

pub mod builtin;
mod engine;
pub mod gatekeeper;
pub mod input;
pub mod inventory;
mod load;
pub mod metadata;
pub mod pipeline;
mod results;
pub mod test_runner;

pub use engine::{EvalError, Evaluator, Outcome, PolicySet, RegoRule, RuleIndex, finalize};
pub use load::{PolicyFile, discover, load_data_file};
pub use results::{ObjectRef, PathSeg, parse_path};

use std::path::PathBuf;
use std::time::Duration;

/// Severity of a finding (mirrors the foundation's `Level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    /// `error`, `warning` (`warn`), `note` (`info`), case-insensitive.
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "error" | "deny" | "violation" => Some(Level::Error),
            "warning" | "warn" => Some(Level::Warning),
            "note" | "info" | "dryrun" => Some(Level::Note),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// What a rule sees as `input`: one object (conftest) or the whole repository.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scope {
    #[default]
    Object,
    Repository,
}

/// How policies are found and which packages count.
#[derive(Clone, Debug)]
pub struct PolicyOptions {
    /// Policy directories (or single `.rego` files), searched recursively.
    pub dirs: Vec<PathBuf>,
    /// Packages whose `deny`/`violation`/`warn` rules are evaluated; empty means `main`.
    pub namespaces: Vec<String>,
    /// Evaluate every package (`--all-namespaces`).
    pub all_namespaces: bool,
    /// `--data` files or directories (JSON/YAML), merged at the root of `data`.
    pub data: Vec<PathBuf>,
    /// Load the embedded pack from `policies/`.
    pub builtin: bool,
    /// Wall-clock budget for one evaluation of one rule on one input.
    pub budget: Duration,
    /// Budget for one evaluation of a repository-scope rule.
    pub repository_budget: Duration,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        PolicyOptions {
            dirs: Vec::new(),
            namespaces: Vec::new(),
            all_namespaces: false,
            data: Vec::new(),
            builtin: true,
            budget: Duration::from_secs(1),
            repository_budget: Duration::from_secs(10),
        }
    }
}

/// Why policies could not be loaded (exit code 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub file: PathBuf,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message.trim())
    }
}

impl std::error::Error for PolicyError {}

/// One result of a Rego rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Index into [`PolicySet::rules`] (or the Gatekeeper set's rules).
    pub rule: RuleIndex,
    pub level: Level,
    pub message: String,
    /// `path` of the result: where in the object the problem is.
    pub path: Option<Vec<PathSeg>>,
    /// The object a repository-scope result is about.
    pub object: Option<ObjectRef>,
    /// `details` of the result, as the policy returned it.
    pub details: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests;
