//! Unit tests of the policy layer that need several modules together (fixtures in
//! `tests/policy.rs` cover whole directories).

use super::*;
use regorus::Value;

fn file(name: &str, text: &str) -> PolicyFile {
    PolicyFile {
        path: name.into(),
        text: text.to_string(),
        is_test: name.ends_with("_test.rego"),
    }
}

fn set(files: Vec<PolicyFile>, options: PolicyOptions) -> Result<PolicySet, PolicyError> {
    PolicySet::from_files(files, Vec::new(), &options, Vec::new())
}

#[test]
fn builtin_pack_tests_pass() {
    let report = test_runner::run(
        &builtin::files(true),
        &[],
        std::time::Duration::from_secs(5),
    )
    .expect("pack compiles");
    assert!(report.results.len() >= 12, "{}", report.render_text());
    assert_eq!(report.failed(), 0, "{}", report.render_text());
}

#[test]
fn runaway_policy_is_stopped_and_the_run_goes_on() {
    let options = PolicyOptions {
        budget: std::time::Duration::from_millis(100),
        ..PolicyOptions::default()
    };
    let policies = set(
        vec![file(
            "slow.rego",
            "package main\n\
             deny contains \"slow\" if { some i in numbers.range(1, 3000); some j in numbers.range(1, 3000); i * j < 0 }\n\
             deny_fast contains \"fast\" if input.kind == \"Pod\"\n",
        )],
        options,
    )
    .unwrap();
    let mut evaluator = policies.evaluator();
    let mut outcome = Outcome::default();
    for i in 0..3 {
        outcome
            .extend(evaluator.eval_object(i, Value::from_json_str(r#"{"kind": "Pod"}"#).unwrap()));
    }
    let outcome = finalize(outcome);
    assert_eq!(outcome.errors.len(), 1);
    assert!(outcome.errors[0].timeout);
    assert!(
        outcome.errors[0].message.contains("budget"),
        "{}",
        outcome.errors[0].message
    );
    assert_eq!(policies.rule(outcome.errors[0].rule).name, "main.deny");
    let fast: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(fast, vec!["fast", "fast", "fast"]);
}

#[test]
fn no_network_and_no_environment() {
    // SAFETY: tests in this process do not read this variable concurrently.
    unsafe { std::env::set_var("GITOPS_LINT_SECRET", "hunter2") };
    for (name, src) in [
        (
            "http.rego",
            "package main\ndeny contains msg if { r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:1/\"}); msg := sprintf(\"%v\", [r]) }\n",
        ),
        (
            "runtime.rego",
            "package main\ndeny contains msg if { msg := sprintf(\"%v\", [opa.runtime().env.GITOPS_LINT_SECRET]) }\n",
        ),
        (
            "env.rego",
            "package main\ndeny contains msg if { msg := sprintf(\"%v\", [opa.runtime()]) }\n",
        ),
    ] {
        let result = set(vec![file(name, src)], PolicyOptions::default());
        match result {
            Err(e) => assert!(e.message.contains("could not find function"), "{name}: {e}"),
            Ok(policies) => {
                let mut evaluator = policies.evaluator();
                let outcome = evaluator.eval_object(0, Value::new_object());
                assert!(
                    outcome.findings.is_empty(),
                    "{name}: {:?}",
                    outcome.findings
                );
                assert_eq!(outcome.errors.len(), 1, "{name}");
                assert!(
                    outcome.errors[0]
                        .message
                        .contains("could not find function"),
                    "{name}: {}",
                    outcome.errors[0].message
                );
                assert!(!outcome.errors[0].message.contains("hunter2"));
            }
        }
    }
}

#[test]
fn conftest_namespaces_and_exceptions() {
    let files = vec![
        file(
            "main.rego",
            "package main\nimport rego.v1\n\
             deny contains \"plain deny\" if input.kind == \"Deployment\"\n\
             deny_root contains \"runs as root\" if input.kind == \"Deployment\"\n\
             violation_labels contains {\"msg\": \"no labels\", \"path\": \"/metadata\", \"details\": {\"missing\": [\"app\"]}} if not input.metadata.labels\n\
             warn_latest contains \"latest tag\" if input.kind == \"Deployment\"\n\
             exception contains rules if { input.metadata.name == \"allowed\"; rules := [\"root\"] }\n",
        ),
        file(
            "other.rego",
            "package other\ndeny[msg] { input.kind == \"Deployment\"; msg := \"from other\" }\n",
        ),
    ];
    let input = |name: &str| {
        Value::from_json_str(&format!(
            r#"{{"kind": "Deployment", "metadata": {{"name": "{name}"}}}}"#
        ))
        .unwrap()
    };

    let main_only = set(files.clone(), PolicyOptions::default()).unwrap();
    let names: Vec<&str> = main_only.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "main.deny",
            "main.deny_root",
            "main.violation_labels",
            "main.warn_latest"
        ]
    );
    let mut e = main_only.evaluator();
    let out = e.eval_object(0, input("web"));
    let mut got: Vec<(String, Level, String)> = out
        .findings
        .iter()
        .map(|f| {
            (
                main_only.rule(f.rule).name.clone(),
                f.level,
                f.message.clone(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("main.deny".into(), Level::Error, "plain deny".into()),
            ("main.deny_root".into(), Level::Error, "runs as root".into()),
            (
                "main.violation_labels".into(),
                Level::Error,
                "no labels".into()
            ),
            (
                "main.warn_latest".into(),
                Level::Warning,
                "latest tag".into()
            ),
        ]
    );
    let labels = out
        .findings
        .iter()
        .find(|f| f.message == "no labels")
        .unwrap();
    assert_eq!(labels.path, Some(vec![PathSeg::Key("metadata".into())]));
    assert_eq!(
        labels.details,
        Some(serde_json::json!({"missing": ["app"]}))
    );

    // The exception removes `deny_root` only.
    let out = e.eval_object(1, input("allowed"));
    assert!(out.findings.iter().all(|f| f.message != "runs as root"));
    assert_eq!(out.findings.len(), 3);
    assert_eq!(out.exceptions.len(), 1);

    // --namespace other (the v0 file), --all-namespaces.
    let other = set(
        files.clone(),
        PolicyOptions {
            namespaces: vec!["other".into()],
            ..PolicyOptions::default()
        },
    )
    .unwrap();
    let out = other.evaluator().eval_object(0, input("web"));
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].message, "from other");
    let all = set(
        files,
        PolicyOptions {
            all_namespaces: true,
            ..PolicyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        all.evaluator().eval_object(0, input("web")).findings.len(),
        5
    );
}

#[test]
fn metadata_names_rules() {
    let policies = set(
        vec![file(
            "pack.rego",
            "# METADATA\n# title: No privileged pods\n# custom:\n#   code: AC100\n#   name: no-privileged\n#   level: warning\n\
             package acme.privileged\nimport rego.v1\n\
             deny contains \"privileged\" if input.spec.privileged\n",
        )],
        PolicyOptions::default(),
    )
    .unwrap();
    let rule = &policies.rules()[0];
    assert_eq!(rule.name, "no-privileged");
    assert_eq!(rule.code.as_deref(), Some("AC100"));
    assert_eq!(rule.default_level, Level::Warning);
    assert_eq!(rule.summary(), "No privileged pods");
    let out = policies.evaluator().eval_object(
        0,
        Value::from_json_str(r#"{"spec": {"privileged": true}}"#).unwrap(),
    );
    assert_eq!(out.findings[0].level, Level::Warning);
}

#[test]
fn syntax_errors_name_the_file() {
    let err = set(
        vec![file("bad.rego", "package main\ndeny contains msg if {\n")],
        PolicyOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.file, std::path::PathBuf::from("bad.rego"));
}
