//! The binary end to end: exit codes, formats, scope, determinism.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cli")
        .join(name)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gitops-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gitops-lint")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn clean_repository_exits_zero() {
    let output = run(&fixture("clean"), &["check", "--root", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "No problems found (checked 1 objects in 1 files).\n"
    );
}

#[test]
fn findings_exit_one_with_text_frames() {
    let output = run(&fixture("demo"), &["check", "--root", "."]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("demo_text", stdout(&output));
}

#[test]
fn secret_values_are_never_printed() {
    for format in ["text", "json", "sarif"] {
        let output = run(
            &fixture("demo"),
            &["check", "--root", ".", "--format", format],
        );
        let text = stdout(&output);
        assert!(
            text.contains("web-db"),
            "{format}: the finding names the Secret"
        );
        assert!(
            !text.contains("correct-horse"),
            "{format}: the value leaked"
        );
    }
}

#[test]
fn regression_schema_findings_on_secrets_do_not_quote_values() {
    for format in ["text", "json", "sarif", "github", "junit"] {
        let output = run(
            &fixture("secrets"),
            &["check", "--root", ".", "--format", format],
        );
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = stdout(&output);
        assert!(
            text.contains("stringData.pin"),
            "{format}: the finding names the key"
        );
        for value in ["98765", "s3cr3t"] {
            assert!(!text.contains(value), "{format}: `{value}` leaked:\n{text}");
        }
    }
}

#[test]
fn json_is_stable() {
    let output = run(
        &fixture("demo"),
        &["check", "--root", ".", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("demo_json", stdout(&output));
}

#[test]
fn github_annotations_and_junit() {
    let github = run(
        &fixture("demo"),
        &["check", "--root", ".", "--format", "github"],
    );
    assert_eq!(github.status.code(), Some(1));
    insta::assert_snapshot!("demo_github", stdout(&github));
    let junit = run(
        &fixture("demo"),
        &["check", "--root", ".", "--format", "junit"],
    );
    insta::assert_snapshot!("demo_junit", stdout(&junit));
}

#[test]
fn paths_choose_what_is_reported_not_what_is_analysed() {
    let output = run(
        &fixture("demo"),
        &["check", "--root", ".", "--format", "json", "infra"],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["infra/namespace.yaml", "infra/values.yaml"]);
    assert_eq!(
        json["summary"]["objects"], 3,
        "the whole root is still analysed"
    );
}

#[test]
fn fail_on_select_ignore_and_exit_zero() {
    let demo = fixture("demo");
    let code = |args: &[&str]| run(&demo, args).status.code();
    assert_eq!(
        code(&["check", "--root", ".", "--select", "yaml-syntax"]),
        Some(0),
        "a note alone passes"
    );
    assert_eq!(
        code(&[
            "check",
            "--root",
            ".",
            "--select",
            "yaml-syntax",
            "--fail-on",
            "note"
        ]),
        Some(1)
    );
    assert_eq!(
        code(&["check", "--root", ".", "--ignore", "GL0,GL1,GL4,GL5"]),
        Some(0)
    );
    assert_eq!(code(&["check", "--root", ".", "--exit-zero"]), Some(0));
}

#[test]
fn usage_errors_exit_two() {
    let demo = fixture("demo");
    for args in [
        &["check", "--select", "no-such-rule"][..],
        &["check", "does-not-exist"],
        &["check", "--threads", "0"],
        &["check", "--format", "xml"],
        &["explain", "GL999"],
        &["frobnicate"],
    ] {
        let output = run(&demo, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: errors go to stderr");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn output_is_byte_identical_across_thread_counts() {
    let demo = fixture("demo");
    for format in ["text", "json", "sarif", "github", "junit"] {
        let one = stdout(&run(
            &demo,
            &["check", "--root", ".", "--format", format, "--threads", "1"],
        ));
        let eight = stdout(&run(
            &demo,
            &["check", "--root", ".", "--format", format, "--threads", "8"],
        ));
        assert_eq!(one, eight, "{format}");
    }
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.sarif");
    let output = run(
        &fixture("demo"),
        &[
            "check",
            "--root",
            ".",
            "--format",
            "sarif",
            "--output",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(target).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn rules_and_explain() {
    let output = run(&fixture("clean"), &["rules"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output)
            .lines()
            .any(|l| l.starts_with("GL501  secret-plaintext"))
    );
    let by_code = stdout(&run(&fixture("clean"), &["explain", "GL501"]));
    let by_name = stdout(&run(&fixture("clean"), &["explain", "secret-plaintext"]));
    assert_eq!(by_code, by_name);
    assert!(by_code.starts_with("# GL501 secret-plaintext\n"));
    assert!(by_code.contains("## How to fix"));
}

#[test]
fn hostile_inputs_give_one_finding_per_bad_file_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, bytes: &[u8]| std::fs::write(root.join(name), bytes).unwrap();
    write(
        "duplicate.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 1, k: 2}\n",
    );
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    write("bomb.yaml", bomb.as_bytes());
    write(
        "deep.yaml",
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).as_bytes(),
    );
    write(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    );
    write("binary.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    write(
        "tabs.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: t\n",
    );
    write("empty.yaml", b"");
    write("separators.yaml", b"---\n---\n");
    let output = run(root, &["check", ".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut files: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    files.sort();
    let expected = [
        ("binary.yaml", "yaml-syntax"),
        ("bomb.yaml", "yaml-syntax"),
        ("deep.yaml", "yaml-syntax"),
        ("duplicate.yaml", "yaml-duplicate-key"),
        ("duplicate.yaml", "yaml-implicit-type"),
        ("latin1.yaml", "yaml-syntax"),
        ("tabs.yaml", "yaml-syntax"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, r)| (f.to_string(), r.to_string()))
        .collect();
    assert_eq!(files, expected);
}
