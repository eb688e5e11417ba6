//! Rego policy directories written for this project: conftest-style (with a Rego v0 file and an
//! `exception`), a METADATA-annotated pack with a repository-scope rule, and Gatekeeper
//! templates + constraints. Verdicts are asserted per object.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gitops_lint::cli::Settings;
use gitops_lint::policy::test_runner;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/policy")
        .join(path)
}

/// (rule, object, level, line) of every Rego finding.
fn verdicts(settings: &Settings) -> BTreeSet<(String, String, String, u32)> {
    let outcome = gitops_lint::analyse(settings).expect("analysis runs");
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.origin == gitops_lint::rule::Origin::Rego || d.rule.code == "GL900")
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            (
                d.rule.name.to_owned(),
                d.object.as_ref().map(|o| o.display()).unwrap_or_default(),
                d.level.as_str().to_owned(),
                file.line_col(d.primary.span.start).line,
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str, u32)]) -> BTreeSet<(String, String, String, u32)> {
    items
        .iter()
        .map(|(r, o, l, n)| (r.to_string(), o.to_string(), l.to_string(), *n))
        .collect()
}

#[test]
fn conftest_directory_runs_unchanged() {
    let mut settings = Settings::for_root(fixture("conftest/repo"));
    settings.policy.policy = vec![fixture("conftest/policy")];
    assert_eq!(
        verdicts(&settings),
        set(&[
            // `worker` runs as root, has no `app` selector and a latest tag (warning).
            ("main.deny_run_as_root", "Deployment/worker", "error", 25),
            ("main.violation_app_label", "Deployment/worker", "error", 28),
            ("main.warn_latest", "Deployment/worker", "warning", 37),
            // `legacy-agent` runs as root but has an exception.
            // The v0 file: only the public LoadBalancer.
            ("main.deny", "Service/web-public", "error", 4),
        ])
    );
}

#[test]
fn namespaces_select_packages() {
    let mut settings = Settings::for_root(fixture("conftest/repo"));
    settings.policy.policy = vec![fixture("conftest/policy")];
    settings.policy.namespace = vec!["kubernetes.labels".into()];
    let only_labels: BTreeSet<String> = verdicts(&settings).into_iter().map(|v| v.1).collect();
    assert_eq!(
        only_labels,
        [
            "Deployment/legacy-agent",
            "Deployment/worker",
            "Service/web-internal",
            "Service/web-public"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    );
    settings.policy.namespace.clear();
    settings.policy.all_namespaces = true;
    assert_eq!(verdicts(&settings).len(), 8);
}

#[test]
fn metadata_pack_names_rules_and_runs_repository_scope() {
    let mut settings = Settings::for_root(fixture("metadata-pack/repo"));
    settings.policy.policy = vec![fixture("metadata-pack/policy")];
    assert_eq!(
        verdicts(&settings),
        set(&[
            ("image-tag-pinned", "Deployment/team-a/api", "warning", 17),
            (
                "hpa-target-missing",
                "HorizontalPodAutoscaler/team-b/worker",
                "error",
                10
            ),
        ])
    );
    let policies = gitops_lint::policy::pipeline::Policies::load(&settings).unwrap();
    let rules: Vec<_> = policies.rules().map(|r| (r.code, r.name)).collect();
    assert_eq!(
        rules,
        vec![
            ("ACME002", "hpa-target-missing"),
            ("ACME001", "image-tag-pinned")
        ]
    );
    let image = policies.rules().find(|r| r.code == "ACME001").unwrap();
    assert!(image.docs.contains("## How to fix"));
    assert!(
        image
            .docs
            .contains("https://kubernetes.io/docs/concepts/containers/images/")
    );
    // --select by name keeps only that rule.
    settings.select = vec!["hpa-target-missing".into()];
    assert_eq!(verdicts(&settings).len(), 1);
}

#[test]
fn gatekeeper_templates_and_constraints() {
    let mut settings = Settings::for_root(fixture("gatekeeper/repo"));
    settings.policy.policy = vec![fixture("gatekeeper/policy")];
    let outcome = gitops_lint::analyse(&settings).unwrap();
    let found: BTreeSet<(String, String, String)> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.origin == gitops_lint::rule::Origin::Rego && d.rule.code.contains('-'))
        .map(|d| {
            (
                d.rule.name.to_owned(),
                d.object.as_ref().unwrap().display(),
                d.level.as_str().to_owned(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        // Template in the policy dir, constraint `warn`: kube-system is excluded.
        (
            "deployments-need-owner",
            "Deployment/payments/checkout",
            "warning",
        ),
        // Template + constraint in the repository, using data.inventory; the labelSelector
        // skips coredns-extra.
        (
            "namespace-must-exist",
            "Deployment/payments/checkout",
            "error",
        ),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, want);
    let message = outcome
        .diagnostics
        .iter()
        .find(|d| d.rule.name == "namespace-must-exist")
        .unwrap();
    assert_eq!(
        message.message,
        "namespace `payments` is not defined in this repository"
    );
    assert!(
        outcome
            .rules
            .iter()
            .any(|r| r.name == "deployments-need-owner")
    );
}

#[test]
fn test_runner_reports_each_test() {
    let report = test_runner::run_dirs(
        &[fixture("conftest/policy")],
        &[],
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let verdicts: Vec<(&str, bool)> = report
        .results
        .iter()
        .map(|r| (r.name.as_str(), r.passed))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("test_root_denied", true),
            ("test_non_root_allowed", true),
            ("test_deliberately_failing", false)
        ]
    );
    assert_eq!(report.exit_code(), 1);
    let json: serde_json::Value = serde_json::from_str(&report.render_json()).unwrap();
    assert_eq!(json[2]["passed"], false);
    assert!(report.render_text().contains("3 tests, 2 passed, 1 failed"));
}

#[test]
fn policy_compile_error_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.rego"),
        "package main\ndeny contains msg if {\n",
    )
    .unwrap();
    let mut settings = Settings::for_root(fixture("conftest/repo"));
    settings.policy.policy = vec![dir.path().to_path_buf()];
    let err = gitops_lint::analyse(&settings)
        .err()
        .expect("compile error");
    assert!(err.contains("bad.rego"), "{err}");
}

#[test]
fn data_files_are_merged_into_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("registries.rego"),
        "package main\nimport rego.v1\n\
         deny contains msg if {\n  some c in input.spec.template.spec.containers\n  \
         not startswith(c.image, data.allowed.registry)\n  msg := sprintf(\"`%s` is not from %s\", [c.image, data.allowed.registry])\n}\n",
    )
    .unwrap();
    let data = dir.path().join("data.yaml");
    std::fs::write(&data, "allowed:\n  registry: ghcr.io/example/\n").unwrap();
    let mut settings = Settings::for_root(fixture("metadata-pack/repo"));
    settings.policy.policy = vec![dir.path().to_path_buf()];
    settings.policy.data = vec![data];
    let got: Vec<_> = verdicts(&settings)
        .into_iter()
        .filter(|v| v.0 == "main.deny")
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "Deployment/team-a/api");
}

#[test]
fn broken_template_is_a_finding_and_orphan_constraints_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("platform")).unwrap();
    std::fs::write(
        dir.path().join("platform/gatekeeper.yaml"),
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: broken\nspec:\n  crd:\n    spec:\n      names:\n        kind: Broken\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package broken\n        violation[{\"msg\": msg}] {\n---\n\
         apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sFromAHelmChart\nmetadata:\n  name: orphan\nspec: {}\n",
    )
    .unwrap();
    let settings = Settings::for_root(dir.path());
    let outcome = gitops_lint::analyse(&settings).expect("not a usage error");
    let failures: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.name == "rego-evaluation-failed")
        .map(|d| d.object.as_ref().unwrap().display())
        .collect();
    assert_eq!(failures, vec!["ConstraintTemplate/broken"]);
}

#[test]
fn policy_findings_do_not_depend_on_threads() {
    let run = |threads: usize| {
        let mut settings = Settings::for_root(fixture("conftest/repo"));
        settings.policy.policy = vec![fixture("conftest/policy")];
        settings.policy.all_namespaces = true;
        settings.threads = threads;
        let outcome = gitops_lint::analyse(&settings).unwrap();
        outcome
            .diagnostics
            .iter()
            .map(|d| (d.rule.name, d.primary.span, d.message.clone()))
            .collect::<Vec<_>>()
    };
    let one = run(1);
    assert!(!one.is_empty());
    assert_eq!(one, run(4));
}

#[test]
fn cli_test_and_check_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_gitops-lint");
    let test = std::process::Command::new(bin)
        .args(["test", "--format", "json"])
        .arg(fixture("conftest/policy"))
        .output()
        .unwrap();
    assert_eq!(test.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&test.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    let pack = std::process::Command::new(bin)
        .arg("test")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
        .output()
        .unwrap();
    assert_eq!(
        pack.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pack.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.rego"),
        "package main\ndeny contains msg if {\n",
    )
    .unwrap();
    let check = std::process::Command::new(bin)
        .args(["check", "--no-color", "--policy"])
        .arg(dir.path())
        .arg(fixture("conftest/repo"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&check.stderr).contains("bad.rego"));
}

#[test]
fn runaway_policy_gives_one_finding_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("slow.rego"),
        "package main\nimport rego.v1\n\
         deny_slow contains \"never\" if { some i in numbers.range(1, 4000); some j in numbers.range(1, 4000); i * j < 0 }\n\
         deny_fast contains \"fast\" if input.kind == \"Deployment\"\n",
    )
    .unwrap();
    let mut settings = Settings::for_root(fixture("metadata-pack/repo"));
    settings.policy.policy = vec![dir.path().to_path_buf()];
    settings.threads = 2;
    let found = verdicts(&settings);
    let names: Vec<&str> = found.iter().map(|v| v.0.as_str()).collect();
    assert_eq!(
        names,
        vec!["main.deny_fast", "rego-evaluation-failed"],
        "{found:?}"
    );
}

#[test]
fn constraints_in_policy_dirs_are_rules_before_the_run() {
    let mut settings = Settings::for_root(fixture("gatekeeper/repo"));
    settings.policy.policy = vec![fixture("gatekeeper/policy")];
    settings.select = vec!["deployments-need-owner".into()];
    let outcome = gitops_lint::analyse(&settings).unwrap();
    let names: Vec<&str> = outcome.diagnostics.iter().map(|d| d.rule.name).collect();
    assert_eq!(names, vec!["deployments-need-owner"]);
    let listed = outcome
        .rules
        .iter()
        .filter(|r| r.name == "deployments-need-owner")
        .count();
    assert_eq!(listed, 1);
}
