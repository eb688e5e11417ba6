//! Real-repository layouts under `fixtures/precision/<name>/`: each reports exactly the warnings
//! and errors its files mark with `# expect: <rule-name>` on the offending line, of every rule
//! (notes are left out: they promise nothing). Each fixture is a layout that once printed false
//! errors, with a real defect planted that must still be found.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gitops_lint::cli::Settings;
use gitops_lint::rule::Level;

mod common;
use common::{Finding, expect_comments, files, relative};

fn expected(dir: &Path) -> BTreeSet<Finding> {
    let mut found = BTreeSet::new();
    for path in files(dir) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            expect_comments(&relative(dir, &path), &text, &mut found);
        }
    }
    found
}

fn actual(dir: &Path) -> BTreeSet<Finding> {
    let mut settings = Settings::for_root(dir);
    let config = gitops_lint::config::load(dir, None, "").expect("config");
    settings.model = config.model;
    settings.exclude = config.exclude;
    let outcome = gitops_lint::analyse(&settings).expect("analyse");
    (outcome.diagnostics.iter())
        .filter(|d| d.level >= Level::Warning)
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            let line = file.line_col(d.primary.span.start).line;
            (d.rule.name.to_owned(), file.path.clone(), line)
        })
        .collect()
}

#[test]
fn precision_fixtures_report_exactly_their_planted_defects() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precision");
    let mut dirs: Vec<PathBuf> = (std::fs::read_dir(&root).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "precision fixtures are missing");
    let mut failures = Vec::new();
    for dir in dirs {
        let (want, got) = (expected(&dir), actual(&dir));
        assert!(!want.is_empty(), "{}: plants no defect", dir.display());
        if want != got {
            failures.push(format!(
                "{}:\n  missing: {:?}\n  unexpected: {:?}",
                dir.display(),
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `graph` shows the clusters of every bootstrap layout, each with how its root was found.
#[test]
fn graph_shows_the_clusters_of_every_bootstrap_layout() {
    use gitops_lint::cli::GraphFormat;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precision");
    let cases: &[(&str, &[&str])] = &[
        (
            "flux-operator-fleet",
            &[
                "cluster kubernetes/clusters/main (flux-instance HelmRelease sync): 4 Kustomizations, 4 resolved",
                "cluster kubernetes/clusters/test (flux-instance HelmRelease sync): 4 Kustomizations, 4 resolved",
                "cluster kubernetes/clusters/utility (flux-instance HelmRelease sync): 3 Kustomizations, 3 resolved",
            ],
        ),
        (
            "self-applying-root",
            &[
                "cluster kubernetes/flux (self-applying Kustomization): 3 Kustomizations, 3 resolved",
            ],
        ),
        (
            "flux-bootstrap",
            &["cluster clusters/prod (self-applying Kustomization): 2 Kustomizations, 2 resolved"],
        ),
        (
            "unapplied-roots",
            &[
                "cluster clusters/dev (Kustomization nothing in the repository applies): 1 Kustomizations, 1 resolved",
                "cluster clusters/prod (Kustomization nothing in the repository applies): 3 Kustomizations, 3 resolved",
            ],
        ),
    ];
    for (dir, lines) in cases {
        let text = gitops_lint::graph(&root.join(dir), &Default::default(), GraphFormat::Text)
            .expect("graph");
        for line in *lines {
            assert!(text.contains(line), "{dir}: `{line}` not in\n{text}");
        }
        assert!(
            text.contains("standalone objects (no Kustomization applies them): 0 of"),
            "{dir}:\n{text}"
        );
    }
}
