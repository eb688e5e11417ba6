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
