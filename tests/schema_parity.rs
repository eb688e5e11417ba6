//! kubeconform parity: the cases its README and issues describe, with the verdicts kubeconform
//! `-strict` gives (valid, invalid, error, skipped), checked file by file.

use std::collections::BTreeMap;
use std::path::Path;

use gitops_lint::cli::Settings;

/// file → sorted (rule, line) findings.
fn findings() -> BTreeMap<String, Vec<(String, u32)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema-parity");
    let outcome = gitops_lint::analyse(&Settings::for_root(&dir)).expect("run");
    let mut out: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for d in &outcome.diagnostics {
        let file = outcome.inventory.file(d.primary.span.file);
        let line = file.line_col(d.primary.span.start).line;
        out.entry(file.path.clone())
            .or_default()
            .push((d.rule.name.to_owned(), line));
    }
    out
}

fn rules(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|(r, l)| ((*r).to_owned(), *l)).collect()
}

#[test]
fn kubeconform_cases() {
    let found = findings();
    let get = |file: &str| found.get(file).cloned().unwrap_or_default();
    // Valid: nothing.
    assert_eq!(get("valid.yaml"), rules(&[]));
    // Invalid type (kubeconform README: `replicas: asd`).
    assert_eq!(get("invalid-type.yaml"), rules(&[("schema-violation", 6)]));
    // -strict: additional property.
    assert_eq!(
        get("unknown-field.yaml"),
        rules(&[("schema-unknown-field", 5)])
    );
    // Duplicate keys (kubeconform reports an error since v0.4.13).
    assert_eq!(
        get("duplicate-key.yaml"),
        rules(&[("yaml-duplicate-key", 7)])
    );
    // Missing kind: kubeconform says "missing 'kind' key".
    assert_eq!(
        get("missing-kind.yaml"),
        rules(&[("manifest-type-missing", 1)])
    );
    // CR without schema: kubeconform errors unless -ignore-missing-schemas; we note it.
    assert_eq!(
        get("cr-without-schema.yaml"),
        rules(&[("schema-missing", 2)])
    );
    // CR with its CRD in the repository: validated against it.
    assert_eq!(
        get("cr-with-schema.yaml"),
        rules(&[("schema-violation", 35)])
    );
    // Multi-document file with one bad document: only that one.
    assert_eq!(
        get("multi-doc-one-bad.yaml"),
        rules(&[("schema-violation", 12)])
    );
    // `kind: List`: items are validated one by one.
    assert_eq!(get("list.yaml"), rules(&[("schema-violation", 12)]));
    // Empty documents and non-manifests are skipped.
    assert_eq!(get("empty-and-non-manifest.yaml"), rules(&[]));
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gitops-lint"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema-parity"))
        .output()
        .expect("run gitops-lint");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn schema_flags() {
    // URLs are refused: never the network.
    let (code, _, err) = run(&[
        "check",
        "--root",
        ".",
        "--schema-location",
        "https://example.com/{{ .ResourceKind }}.json",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("URL"), "{err}");
    let (code, _, err) = run(&["check", "--root", ".", "--kubernetes-version", "1.24"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("1.25 to 1.37"), "{err}");
    // --no-strict: the unknown field is accepted.
    let (_, out, _) = run(&[
        "check",
        "--root",
        ".",
        "--no-strict",
        "--format",
        "json",
        "unknown-field.yaml",
    ]);
    assert!(!out.contains("schema-unknown-field"), "{out}");
    let (_, out, _) = run(&[
        "check",
        "--root",
        ".",
        "--format",
        "json",
        "unknown-field.yaml",
    ]);
    assert!(out.contains("schema-unknown-field"), "{out}");
    // --crds DIR and --schema-location over a local directory give the Bundle a schema.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: bundles.trust.cert-manager.io}\nspec:\n  group: trust.cert-manager.io\n  names: {kind: Bundle, plural: bundles}\n  scope: Cluster\n  versions:\n  - name: v1alpha1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object, required: [spec]}\n",
    )
    .unwrap();
    let crds = dir.path().to_string_lossy().into_owned();
    let (_, out, _) = run(&[
        "check",
        "--root",
        ".",
        "--crds",
        &crds,
        "--format",
        "json",
        "cr-without-schema.yaml",
    ]);
    assert!(
        out.contains("spec: Required value")
            || out.contains("<root>")
            || out.contains("Required value"),
        "{out}"
    );
    assert!(!out.contains("schema-missing"), "{out}");
    std::fs::create_dir_all(dir.path().join("trust.cert-manager.io")).unwrap();
    std::fs::write(
        dir.path()
            .join("trust.cert-manager.io/bundle_v1alpha1.json"),
        r#"{"type": "object"}"#,
    )
    .unwrap();
    let template = format!(
        "{crds}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json"
    );
    let (_, out, _) = run(&[
        "check",
        "--root",
        ".",
        "--schema-location",
        &template,
        "--format",
        "json",
        "cr-without-schema.yaml",
    ]);
    assert!(!out.contains("schema-missing"), "{out}");
}
