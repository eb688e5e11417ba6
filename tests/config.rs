//! `.gitops-lint.yaml`: parsing, line-exact errors, flags over the file, `exclude` end to end,
//! and the Flux version it sets.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::Parser;
use gitops_lint::cli::{Cli, Settings};
use gitops_lint::config;
use gitops_lint::flux::options::{ConfiguredCluster, ExternalObject};
use gitops_lint::rule::Level;
use gitops_lint::schema::KubeVersion;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// A repository with `clusters/prod/flux-system/gotk-sync.yaml` and `apps/`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for d in ["clusters/prod/flux-system", "apps", "vendor/lib"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(
        dir.path().join("clusters/prod/flux-system/gotk-sync.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
    )
    .unwrap();
    dir
}

fn parse(root: &Path, text: &str) -> Result<config::Config, String> {
    config::parse(root, text, ".gitops-lint.yaml")
}

const EXAMPLE: &str = r#"# every key
exclude:
  - vendor/
  - "**/testdata/"
clusters:
  prod: ./clusters/prod/
  prod-sync: clusters/prod/flux-system/gotk-sync.yaml
external:
  namespaces: [monitoring]
  objects:
    - kind: Kustomization
      name: infra
      namespace: flux-system
      cluster: prod
    - {kind: ClusterIssuer, name: letsencrypt}
kubernetesVersion: 1.30
fluxVersion: "2.4.0"
"#;

#[test]
fn parses_every_key() {
    let dir = repo();
    let config = parse(dir.path(), EXAMPLE).unwrap();
    assert_eq!(
        config.model.clusters,
        [
            ConfiguredCluster {
                name: "prod".into(),
                path: "clusters/prod".into()
            },
            ConfiguredCluster {
                name: "prod-sync".into(),
                path: "clusters/prod/flux-system/gotk-sync.yaml".into()
            },
        ]
    );
    assert_eq!(
        config.model.external,
        [
            ExternalObject {
                cluster: None,
                kind: "Namespace".into(),
                namespace: None,
                name: "monitoring".into()
            },
            ExternalObject {
                cluster: Some("prod".into()),
                kind: "Kustomization".into(),
                namespace: Some("flux-system".into()),
                name: "infra".into()
            },
            ExternalObject {
                cluster: None,
                kind: "ClusterIssuer".into(),
                namespace: None,
                name: "letsencrypt".into()
            },
        ]
    );
    // An unquoted `1.30` is read as written, not as the float 1.3.
    assert_eq!(config.kubernetes_version.as_deref(), Some("1.30"));
    assert_eq!(config.model.flux_version.as_deref(), Some("2.4.0"));
    assert!(config.exclude.excludes(&dir.path().join("vendor"), true));
    assert!(
        config
            .exclude
            .excludes(&dir.path().join("apps/testdata"), true)
    );
    assert!(!config.exclude.excludes(&dir.path().join("apps"), true));
}

#[test]
fn empty_and_comment_only_files_are_an_empty_configuration() {
    let dir = repo();
    for text in ["", "# nothing yet\n", "---\n"] {
        let config = parse(dir.path(), text).unwrap();
        assert!(config.model.clusters.is_empty() && config.kubernetes_version.is_none());
    }
}

#[test]
fn every_mistake_is_reported_at_its_line_and_column() {
    let dir = repo();
    let cases = [
        (
            "exclude: [a]\nclusterz: {}\n",
            ".gitops-lint.yaml:2:1: unknown key `clusterz` (expected one of: exclude, clusters, external, kubernetesVersion, fluxVersion)",
        ),
        (
            "exclude: vendor/\n",
            ".gitops-lint.yaml:1:10: exclude must be a list, not a string",
        ),
        (
            "exclude:\n  - 42\n",
            ".gitops-lint.yaml:2:5: an exclude glob must be a string, not a number",
        ),
        (
            "exclude:\n  - \"a/{b\"\n",
            ".gitops-lint.yaml:2:5: exclude: bad glob `a/{b`: ",
        ),
        (
            "clusters:\n  - prod\n",
            ".gitops-lint.yaml:2:3: clusters must be a mapping, not a list",
        ),
        (
            "clusters:\n  prod: clusters/production\n",
            ".gitops-lint.yaml:2:9: clusters: `clusters/production` does not exist in the repository",
        ),
        (
            "clusters:\n  prod: ../elsewhere\n",
            ".gitops-lint.yaml:2:9: clusters: `../elsewhere` must be a path inside the repository (relative, without `..`)",
        ),
        (
            "external:\n  objects:\n    - kind: secret\n      name: a\n",
            ".gitops-lint.yaml:3:13: `secret` is not a kind (e.g. Secret, Kustomization)",
        ),
        (
            "external:\n  objects:\n    - kind: Secret\n",
            ".gitops-lint.yaml:3:7: an external object needs `name`",
        ),
        (
            "external:\n  objects:\n    - kind: Secret\n      name: a\n      apiVersion: v1\n",
            ".gitops-lint.yaml:5:7: unknown key `apiVersion` in an external object (expected kind, name, namespace, cluster)",
        ),
        (
            "external:\n  namespaces: [Monitoring]\n",
            ".gitops-lint.yaml:2:16: `Monitoring` is not a valid namespace name (lowercase letters, digits and `-`)",
        ),
        (
            "external:\n  secrets: []\n",
            ".gitops-lint.yaml:2:3: unknown key `secrets` in external (expected namespaces or objects)",
        ),
        (
            "clusters:\n  prod: clusters/prod\nexternal:\n  objects:\n    - {kind: Secret, name: a, cluster: staging}\n",
            ".gitops-lint.yaml:5:40: external: cluster `staging` is not one of the configured `clusters`",
        ),
        (
            "kubernetesVersion: \"1.99\"\n",
            ".gitops-lint.yaml:1:20: kubernetesVersion: Kubernetes version `1.99` is not embedded (supported: 1.25 to 1.37)",
        ),
        (
            "fluxVersion: latest\n",
            ".gitops-lint.yaml:1:14: fluxVersion: `latest` is not a Flux 2 release (expected 2.Y or 2.Y.Z, e.g. 2.4.0)",
        ),
        (
            "- a\n",
            ".gitops-lint.yaml:1:1: the configuration must be a mapping, not a list",
        ),
        ("exclude: []\nexclude: []\n", ".gitops-lint.yaml:2:1: "),
        ("exclude: [a\n", ".gitops-lint.yaml:"),
    ];
    for (text, expected) in cases {
        let error = parse(dir.path(), text).expect_err(text);
        assert!(
            error.starts_with(expected),
            "{text:?}\n  got: {error}\n want: {expected}"
        );
    }
}

fn settings(args: &[&str]) -> Result<Settings, String> {
    let mut argv = vec!["gitops-lint", "check"];
    argv.extend_from_slice(args);
    match Cli::try_parse_from(argv).unwrap().command {
        gitops_lint::cli::Command::Check(check) => check.into_settings(),
        _ => unreachable!(),
    }
}

#[test]
fn settings_model_is_filled_from_the_default_file_and_flags_win() {
    let dir = repo();
    std::fs::write(dir.path().join(".gitops-lint.yaml"), EXAMPLE).unwrap();
    let root = dir.path().to_str().unwrap();
    let from_file = settings(&["--root", root, root]).unwrap();
    assert_eq!(
        from_file.schema.kubernetes_version,
        KubeVersion::parse("1.30").unwrap()
    );
    assert_eq!(from_file.model.clusters.len(), 2);
    assert_eq!(from_file.model.external.len(), 3);
    assert_eq!(from_file.model.flux_version.as_deref(), Some("2.4.0"));
    let flagged = settings(&["--root", root, root, "--kubernetes-version", "1.31"]).unwrap();
    assert_eq!(
        flagged.schema.kubernetes_version,
        KubeVersion::parse("1.31").unwrap()
    );
}

#[test]
fn a_missing_default_file_is_fine_and_a_missing_explicit_one_is_an_error() {
    let dir = repo();
    let root = dir.path().to_str().unwrap();
    let plain = settings(&["--root", root, root]).unwrap();
    assert!(plain.model.clusters.is_empty() && plain.model.flux_version.is_none());
    let missing = dir.path().join("nope.yaml");
    let error =
        settings(&["--root", root, root, "--config", missing.to_str().unwrap()]).unwrap_err();
    assert!(error.starts_with("--config "), "{error}");
    assert!(error.contains("nope.yaml"), "{error}");
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gitops-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gitops-lint")
}

#[test]
fn exclude_is_honoured_end_to_end() {
    let dir = repo();
    std::fs::write(
        dir.path().join("vendor/lib/broken.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
    )
    .unwrap();
    let before = run(dir.path(), &["check", "--root", ".", "--format", "json"]);
    assert_eq!(before.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&before.stdout).contains("vendor/lib/broken.yaml"));
    std::fs::write(dir.path().join(".gitops-lint.yaml"), "exclude: [vendor/]\n").unwrap();
    let after = run(dir.path(), &["check", "--root", ".", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&after.stdout);
    assert_eq!(after.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("vendor/"), "{stdout}");
}

#[test]
fn a_bad_or_missing_config_file_exits_two_with_its_location() {
    let dir = repo();
    std::fs::write(
        dir.path().join(".gitops-lint.yaml"),
        "exclude: []\nflux: 2\n",
    )
    .unwrap();
    let output = run(dir.path(), &["check", "--root", "."]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("gitops-lint: error: .gitops-lint.yaml:2:1: unknown key `flux`"),
        "{stderr}"
    );
    let output = run(
        dir.path(),
        &["check", "--root", ".", "--config", "other.yaml"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("gitops-lint: error: --config other.yaml: "),
        "{stderr}"
    );
    let output = run(dir.path(), &["graph", ".", "--config", "other.yaml"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn graph_reads_the_configuration() {
    let repo = fixture("fixtures/repos/flux-version-installed");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    let shown = |args: &[&str]| {
        let output = run(&repo, args);
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let all = shown(&["graph", ".", "--format", "text"]);
    assert!(all.contains("clusters/new"), "{all}");
    std::fs::write(&config, "exclude: [/clusters/new/]\n").unwrap();
    let excluded = shown(&[
        "graph",
        ".",
        "--format",
        "text",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(excluded.contains("clusters/old"), "{excluded}");
    assert!(!excluded.contains("clusters/new"), "{excluded}");
}

/// `(level, line, message)` of every `flux-api-deprecated` finding.
fn deprecations(settings: &Settings) -> Vec<(Level, String, u32, String)> {
    let outcome = gitops_lint::analyse(settings).unwrap();
    (outcome.diagnostics.iter())
        .filter(|d| d.rule.name == "flux-api-deprecated")
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            (
                d.level,
                file.path.clone(),
                file.line_col(d.primary.span.start).line,
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn flux_api_versions_are_judged_against_the_flux_each_cluster_installs() {
    let settings = Settings::for_root(fixture("fixtures/repos/flux-version-installed"));
    let found = deprecations(&settings);
    assert_eq!(
        found,
        [
            (
                Level::Error,
                "apps/new/release.yaml".to_string(),
                2,
                "`source.toolkit.fluxcd.io/v1beta2` OCIRepository is not served by Flux v2.8 installed by clusters/new/flux-instance.yaml: removed in Flux v2.8; use `source.toolkit.fluxcd.io/v1`".to_string()
            ),
            (
                Level::Warning,
                "apps/old/release.yaml".to_string(),
                11,
                "`helm.toolkit.fluxcd.io/v2beta1` HelmRelease is deprecated in Flux v2.2.0 installed by clusters/old/flux-system/gotk-components.yaml and removed in Flux v2.7; use `helm.toolkit.fluxcd.io/v2beta2`".to_string()
            ),
            (
                Level::Error,
                "apps/old/release.yaml".to_string(),
                26,
                "`source.toolkit.fluxcd.io/v1` OCIRepository is not served by Flux v2.2.0 installed by clusters/old/flux-system/gotk-components.yaml: added in Flux v2.6; use `source.toolkit.fluxcd.io/v1beta2`".to_string()
            ),
            // In no cluster: the lowest version the repository installs.
            (
                Level::Warning,
                "unapplied/source.yaml".to_string(),
                2,
                "`source.toolkit.fluxcd.io/v1beta1` GitRepository is deprecated in Flux v2.2.0 installed by clusters/old/flux-system/gotk-components.yaml and removed in Flux v2.7; use `source.toolkit.fluxcd.io/v1`".to_string()
            ),
        ]
    );
}

#[test]
fn flux_version_of_the_configuration_wins_over_the_installed_one() {
    let mut settings = Settings::for_root(fixture("fixtures/repos/flux-version-installed"));
    settings.model.flux_version = Some("2.9.0".into());
    let found: Vec<(Level, String, u32)> = (deprecations(&settings).into_iter())
        .map(|(level, file, line, message)| {
            assert!(
                message.contains("Flux v2.9.0 (`fluxVersion` in the configuration)"),
                "{message}"
            );
            (level, file, line)
        })
        .collect();
    assert_eq!(
        found,
        [
            (Level::Error, "apps/new/release.yaml".to_string(), 2),
            (Level::Error, "apps/old/release.yaml".to_string(), 2),
            (Level::Error, "apps/old/release.yaml".to_string(), 11),
            (Level::Error, "unapplied/source.yaml".to_string(), 2),
        ]
    );
}

#[test]
fn without_an_installed_version_the_warning_is_unchanged() {
    let settings = Settings::for_root(fixture("fixtures/repos/flux-api-deprecated"));
    let found = deprecations(&settings);
    assert_eq!(found.len(), 3);
    for (level, _, _, message) in found {
        assert_eq!(level, Level::Warning);
        assert!(
            message.contains("no longer served by current Flux"),
            "{message}"
        );
    }
}
