//! Every rule's fixtures: `fixtures/rules/<rule-name>/{pass,fail}/`.
//!
//! In `fail/`, each expected finding is written next to the offending line as a comment
//! `# expect: <rule-name>` (several names comma-separated), or listed in `expected.json` as
//! `[{"rule": "...", "file": "...", "line": N}]` for files that cannot hold comments. The run
//! must report exactly those findings of the rule under test. `pass/` must report none.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gitops_lint::cli::Settings;

mod common;
use common::{Finding, expect_comments, files as walk, relative};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

fn actual(dir: &Path, rule: &str) -> BTreeSet<Finding> {
    let mut settings = Settings::for_root(dir);
    settings.select = vec![rule.to_owned()];
    // A fixture's `.gitops-lint.yaml` may choose the Kubernetes version.
    let config = gitops_lint::config::load(dir, None, "").expect("fixture config");
    if let Some(version) = config.kubernetes_version {
        settings.schema.kubernetes_version =
            gitops_lint::schema::KubeVersion::parse(&version).expect("fixture kubernetesVersion");
    }
    let outcome = gitops_lint::analyse(&settings).expect("fixture run");
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            let line = file.line_col(d.primary.span.start).line;
            (d.rule.name.to_owned(), file.path.clone(), line)
        })
        .collect()
}

fn expected(dir: &Path, rule: &str) -> BTreeSet<Finding> {
    let mut found = BTreeSet::new();
    for entry in walk(dir) {
        let relative = relative(dir, &entry);
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        if relative == "expected.json" {
            let list: Vec<serde_json::Value> = serde_json::from_str(&text).expect("expected.json");
            for item in list {
                found.insert((
                    item["rule"].as_str().unwrap().to_owned(),
                    item["file"].as_str().unwrap().to_owned(),
                    item["line"].as_u64().unwrap() as u32,
                ));
            }
            continue;
        }
        expect_comments(&relative, &text, &mut found);
    }
    found.retain(|(name, _, _)| name == rule);
    found
}

fn rule_dirs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_reports_exactly_its_expectations() {
    let mut failures = Vec::new();
    for rule in rule_dirs() {
        for case in ["pass", "fail"] {
            let dir = fixtures_root().join(&rule).join(case);
            let actual = actual(&dir, &rule);
            let expected = if case == "pass" {
                BTreeSet::new()
            } else {
                expected(&dir, &rule)
            };
            if case == "fail" && expected.is_empty() {
                failures.push(format!("{rule}/fail: no `# expect: {rule}` anywhere"));
            }
            if actual != expected {
                failures.push(format!(
                    "{rule}/{case}:\n  missing: {:?}\n  unexpected: {:?}",
                    expected.difference(&actual).collect::<Vec<_>>(),
                    actual.difference(&expected).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_pass_and_fail_fixtures_and_every_fixture_a_rule() {
    let registry = gitops_lint::registry();
    let names: BTreeSet<&str> = registry.iter().map(|r| r.name).collect();
    for rule in &registry {
        for case in ["pass", "fail"] {
            let dir = fixtures_root().join(rule.name).join(case);
            assert!(
                dir.is_dir() && !walk(&dir).is_empty(),
                "rule `{}` has no fixtures in {}",
                rule.name,
                dir.display()
            );
        }
    }
    for dir in rule_dirs() {
        assert!(
            names.contains(dir.as_str()),
            "fixtures/rules/{dir} names no rule"
        );
    }
}

#[test]
fn registry_codes_and_names_are_unique_and_documented() {
    let registry = gitops_lint::registry();
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in &registry {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        let docs = rule.docs_markdown();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                docs.contains(section),
                "{}: docs lack `{section}`",
                rule.name
            );
        }
        assert!(
            !rule.summary.is_empty() && !rule.summary.ends_with('.'),
            "{}: summary",
            rule.name
        );
        assert!(
            rule.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: names are kebab-case",
            rule.name
        );
    }
}

#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find("<!-- rules:start -->\n").expect("start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("end marker");
    let table = gitops_lint::report::rules::markdown_table(&gitops_lint::registry());
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(
            &path,
            format!("{}{table}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README rule table is stale: run `UPDATE_README=1 cargo test --test rules readme`"
    );
}
