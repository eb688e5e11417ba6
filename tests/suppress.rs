//! Suppression comments and annotations, and the report of unused ones.

use std::path::Path;

use gitops_lint::cli::Settings;

fn findings(settings: &Settings) -> Vec<(String, u32)> {
    let outcome = gitops_lint::analyse(settings).unwrap();
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            (
                d.rule.name.to_owned(),
                file.line_col(d.primary.span.start).line,
            )
        })
        .collect()
}

#[test]
fn comments_and_annotations_suppress_and_unused_ones_are_reported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/suppress");
    let found = findings(&Settings::for_root(&root));
    let expected = [
        ("invalid-name", 8),
        ("unused-suppression", 13),
        ("unused-suppression", 21),
    ];
    let expected: Vec<(String, u32)> = expected.iter().map(|(r, l)| (r.to_string(), *l)).collect();
    assert_eq!(found, expected);
}

#[test]
fn suppressions_of_rules_that_did_not_run_are_not_unused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/suppress");
    let mut settings = Settings::for_root(&root);
    settings.select = vec!["unused-suppression".into()];
    assert_eq!(findings(&settings), []);
}
