//! `gitops-lint test`: runs `test_*` rules of `*_test.rego` files, like `opa test` / `conftest
//! verify`. A test passes when its rule evaluates to `true`.

use super::engine::{engine_with, module_rules, prepare, timer};
use super::{PolicyError, PolicyFile, load};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The outcome of one test rule.
#[derive(Clone, Debug, PartialEq)]
pub struct TestResult {
    pub package: String,
    pub name: String,
    pub file: PathBuf,
    pub line: u32,
    pub passed: bool,
    /// Evaluation error (budget exceeded, builtin error); `None` when the rule was just false or
    /// undefined.
    pub error: Option<String>,
    pub duration: Duration,
}

/// Every test of a run, in file then line order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestReport {
    pub results: Vec<TestResult>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// 0 when every test passed, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.failed() > 0)
    }

    /// `PASS`/`FAIL` per test, then a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for r in &self.results {
            let status = if r.passed { "PASS" } else { "FAIL" };
            out.push_str(&format!(
                "{status}: {}:{}: data.{}.{}",
                r.file.display(),
                r.line,
                r.package,
                r.name
            ));
            if let Some(e) = &r.error {
                out.push_str(&format!(" ({})", e.lines().last().unwrap_or(e).trim()));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{} tests, {} passed, {} failed\n",
            self.results.len(),
            self.passed(),
            self.failed()
        ));
        out
    }

    /// A JSON array, one object per test (durations in microseconds).
    pub fn render_json(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .results
            .iter()
            .map(|r| {
                serde_json::json!({
                    "file": r.file.display().to_string(),
                    "line": r.line,
                    "package": r.package,
                    "name": r.name,
                    "passed": r.passed,
                    "error": r.error,
                    "duration_us": r.duration.as_micros() as u64,
                })
            })
            .collect();
        serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
    }
}

/// Runs the tests found in `dirs` (policies and tests are loaded together).
pub fn run_dirs(
    dirs: &[PathBuf],
    data: &[PathBuf],
    budget: Duration,
) -> Result<TestReport, PolicyError> {
    let (files, _) = load::discover(dirs)?;
    run(&files, data, budget)
}

/// Runs the `test_*` rules of the test files among `files`.
pub fn run(
    files: &[PolicyFile],
    data: &[PathBuf],
    budget: Duration,
) -> Result<TestReport, PolicyError> {
    let (mut engine, _) = engine_with(files, data)?;
    let fallback = files
        .first()
        .map(|f| f.path.clone())
        .unwrap_or_else(|| PathBuf::from("policy"));
    prepare(&mut engine, &fallback)?;
    engine.set_execution_timer_config(timer(budget));
    let test_files: Vec<String> = files
        .iter()
        .filter(|f| f.is_test)
        .map(|f| f.path.display().to_string())
        .collect();
    let mut report = TestReport::default();
    for (source, package, heads) in module_rules(&mut engine) {
        if !test_files.contains(&source) {
            continue;
        }
        for (name, line) in heads {
            if !name.starts_with("test_") {
                continue;
            }
            let start = Instant::now();
            let value = engine.eval_rule(format!("data.{package}.{name}"));
            let duration = start.elapsed();
            let (passed, error) = match value {
                Ok(v) => (v == regorus::Value::from(true), None),
                Err(e) => (false, Some(e.to_string())),
            };
            report.results.push(TestResult {
                package: package.clone(),
                name,
                file: Path::new(&source).to_path_buf(),
                line,
                passed,
                error,
                duration,
            });
        }
    }
    report
        .results
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(report)
}
