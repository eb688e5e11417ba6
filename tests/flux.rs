//! End-to-end tests of the repository model: the fixture repositories under `fixtures/repos/`
//! report exactly their `expected.json` findings, and the kustomize renderer agrees with
//! `kubectl kustomize` on the object identities of the overlays under `fixtures/kustomize/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use gitops_lint::cli::Settings;
use gitops_lint::kustomize::render::{Origin, Renderer, RepoIndex};
use gitops_lint::source::FileId;

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(dir)
}

/// Writes `text` to `root/path`, creating directories.
fn write_file(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = (std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Rules of the repository model (other rules have their own fixtures).
fn is_model_rule(name: &str, code: &str) -> bool {
    code.starts_with("GL2") || name == "duplicate-object"
}

#[test]
fn fixture_repos_report_exactly_their_expected_findings() {
    let mut failures = Vec::new();
    for repo in subdirs(&fixtures("repos")) {
        let outcome = gitops_lint::analyse(&Settings::for_root(&repo)).expect("analyse");
        let actual: BTreeSet<(String, String, u32)> = (outcome.diagnostics.iter())
            .filter(|d| is_model_rule(d.rule.name, d.rule.code))
            .map(|d| {
                let file = outcome.inventory.file(d.primary.span.file);
                (
                    d.rule.name.to_owned(),
                    file.path.clone(),
                    file.line_col(d.primary.span.start).line,
                )
            })
            .collect();
        let text = std::fs::read_to_string(repo.join("expected.json")).expect("expected.json");
        let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let expected: BTreeSet<(String, String, u32)> = (list.iter())
            .map(|v| {
                (
                    v["rule"].as_str().unwrap().to_owned(),
                    v["file"].as_str().unwrap().to_owned(),
                    v["line"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        if actual != expected {
            failures.push(format!(
                "{}:\n  missing: {:?}\n  unexpected: {:?}",
                repo.display(),
                expected.difference(&actual).collect::<Vec<_>>(),
                actual.difference(&expected).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_repo_has_no_findings_of_any_rule_above_note() {
    // Regression: the schema stage validated `apps/prod/team-shop.yaml` without the sourceRef its
    // parent's labelSelector patch adds, and `${HISTORY:=5}` as a string.
    let outcome = gitops_lint::analyse(&Settings::for_root(fixtures("repos/clean"))).unwrap();
    let found: Vec<String> = (outcome.diagnostics.iter())
        .filter(|d| d.level > gitops_lint::rule::Level::Note)
        .map(|d| {
            format!(
                "{} {}: {}",
                d.rule.name,
                outcome.inventory.file(d.primary.span.file).path,
                d.message
            )
        })
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn flux_operator_instance_is_a_cluster_root() {
    let outcome =
        gitops_lint::analyse(&Settings::for_root(fixtures("repos/flux-operator"))).unwrap();
    let model = &outcome.flux;
    assert_eq!(model.clusters.len(), 1);
    assert_eq!(model.clusters[0].name, "clusters/dev");
    let settings = model
        .instances
        .iter()
        .find(|i| i.name == "settings")
        .unwrap();
    assert_eq!(model.kustomizations[settings.owner.unwrap()].name, "apps");
    let summary = model.clusters_json();
    assert_eq!(summary[0]["kustomizations"][1]["path"], "apps", "{summary}");
}

#[test]
fn clean_repo_has_two_clusters_and_every_object_owned() {
    let outcome = gitops_lint::analyse(&Settings::for_root(fixtures("repos/clean"))).unwrap();
    let model = &outcome.flux;
    let names: Vec<&str> = model.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["clusters/prod", "clusters/staging"]);
    assert!(
        model.instances.iter().all(|i| i.owner.is_some()),
        "an object has no owner"
    );
    // The labelSelector patch gave `shop` its sourceRef, so its path was rendered.
    let shop = model
        .kustomizations
        .iter()
        .find(|k| k.name == "shop")
        .unwrap();
    assert!(
        matches!(shop.source, gitops_lint::flux::graph::SourceStatus::Repository { ref dir } if dir == "apps/shop")
    );
    // postBuild substituted `${CLUSTER}`; the overlay's env var came from the patch file.
    let web = model
        .instances
        .iter()
        .find(|i| i.kind == "Deployment" && i.name == "web")
        .unwrap();
    let env = web
        .node
        .pointer("/spec/template/spec/containers/0/env")
        .unwrap()
        .to_json();
    assert!(
        env.to_string().contains("\"prod\"") && env.to_string().contains("eu-west-1"),
        "{env}"
    );
    let history = web.node.pointer("/spec/revisionHistoryLimit").unwrap();
    assert_eq!(history.to_json(), serde_json::json!(5));
    let replicas = web.node.pointer("/spec/replicas").unwrap();
    assert_eq!(
        outcome.inventory.file(replicas.span.file).path,
        "apps/prod/web-replicas.yaml"
    );
    // `commonMetadata` of the staging Kustomization labels what it applies there only.
    let labelled: Vec<_> = (model.instances.iter())
        .filter(|i| {
            i.node
                .pointer("/metadata/labels/fleet.example.com~1cluster")
                .is_some()
        })
        .map(|i| model.cluster_name(i.cluster))
        .collect();
    assert_eq!(labelled, ["clusters/staging"; 4]);
    // Placements are exposed per inventory object.
    let index = outcome
        .inventory
        .objects
        .iter()
        .position(|o| o.id.kind == "HelmRepository")
        .unwrap();
    let placements = model.placements(index);
    assert_eq!(placements.len(), 2, "{placements:?}");
}

type Rendered = BTreeMap<(String, String, String), serde_json::Value>;

/// What kubectl renders, by `(kind, namespace, name)`; generated names get a `<hash>` marker.
fn kubectl_objects(dir: &Path) -> Option<Rendered> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "kubectl kustomize {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let parsed = gitops_lint::yaml::parse(FileId(0), &text);
    let ids = (parsed.documents.iter().filter_map(|d| d.root.as_ref()))
        .map(|n| {
            let s = |p: &str| {
                n.pointer(p)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let kind = s("/kind");
            let mut name = s("/metadata/name");
            if matches!(kind.as_str(), "ConfigMap" | "Secret")
                && let Some((base, hash)) = name.rsplit_once('-')
                && hash.len() == 10
                && hash.chars().all(|c| c.is_ascii_alphanumeric())
            {
                name = format!("{base}-<hash>");
            }
            let mut json = n.to_json();
            json["metadata"]["name"] = name.clone().into();
            ((kind, s("/metadata/namespace"), name), json)
        })
        .collect();
    Some(ids)
}

#[test]
fn renderer_agrees_with_kubectl_kustomize() {
    if Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        eprintln!("kubectl not found: skipping the differential test");
        return;
    }
    let root = fixtures("kustomize");
    let outcome = gitops_lint::analyse(&Settings::for_root(&root)).unwrap();
    let index = RepoIndex::new(&outcome.inventory);
    for dir in subdirs(&root) {
        let rel = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !rel.starts_with("overlay") {
            continue;
        }
        let mut renderer = Renderer::new(&index);
        let ours: Rendered = (renderer.build_dir(&rel).iter())
            .map(|r| {
                let name = match r.origin {
                    Origin::Generated { hashed: true, .. } => format!("{}-<hash>", r.name()),
                    _ => r.name().to_owned(),
                };
                let mut json = r.node.to_json();
                json["metadata"]["name"] = name.clone().into();
                let id = (
                    r.kind().to_owned(),
                    r.namespace().unwrap_or("").to_owned(),
                    name,
                );
                (id, json)
            })
            .collect();
        assert!(
            renderer.problems.is_empty(),
            "{rel}: {:?}",
            renderer.problems
        );
        let Some(theirs) = kubectl_objects(&dir) else {
            return;
        };
        // Same identities, and the same content (patches, generators, name references).
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{rel}"
        );
        for (id, object) in &ours {
            assert_eq!(object, &theirs[id], "{rel}: {id:?}");
        }
        eprintln!("{rel}: {} objects agree with kubectl", ours.len());
    }
}

#[test]
fn graph_command_highlights_broken_edges() {
    use gitops_lint::cli::GraphFormat;
    let repo = fixtures("repos/flux-dependency-not-found");
    let mermaid = gitops_lint::graph(&repo, &Default::default(), GraphFormat::Mermaid).unwrap();
    assert!(mermaid.starts_with("flowchart LR"));
    assert!(
        mermaid.contains("missing Kustomization flux-system/infra-controlers\"]:::broken"),
        "{mermaid}"
    );
    assert!(mermaid.contains("-. dependsOn .->"));
    let dot = gitops_lint::graph(&repo, &Default::default(), GraphFormat::Dot).unwrap();
    assert!(
        dot.starts_with("digraph flux {") && dot.contains("color=red"),
        "{dot}"
    );
    let text = gitops_lint::graph(&repo, &Default::default(), GraphFormat::Text).unwrap();
    assert!(
        text.contains(
            "cluster clusters/prod (self-applying Kustomization): 3 Kustomizations, 3 resolved"
        ),
        "{text}"
    );
}

#[test]
fn malformed_kustomizations_and_flux_objects_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write_file(dir.path(), path, text);
    write("clusters/x/flux-system/gotk-sync.yaml", "# placeholder\n");
    write(
        "clusters/x/odd.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: odd, namespace: flux-system}\nspec: []\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: odd2, namespace: flux-system}\nspec:\n  sourceRef: flux-system\n  dependsOn: {name: x}\n  postBuild: {substitute: [a, b], substituteFrom: 7}\n  patches: [1, null, {patch: 5}, {patch: '- op: add'}, {patch: '{{{'}]\n  components: x\n  path: ./a\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: loop, namespace: flux-system}\nspec: {sourceRef: {kind: GitRepository, name: flux-system}, path: ./clusters/x, dependsOn: [{name: loop}, 3, {name: [1]}]}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: hr}\nspec: {chart: 5, chartRef: [], valuesFrom: {kind: ConfigMap}, dependsOn: x}\n",
    );
    write(
        "a/kustomization.yaml",
        "resources: foo\npatches: [1, {path: 3}, {target: 5, patch: x}]\ncomponents: [../b, 5]\nnamespace: [x]\nnamePrefix: 3\nconfigMapGenerator: [{name: [x]}, 5, {literals: 3}]\n",
    );
    write(
        "b/kustomization.yaml",
        "kind: Component\nresources: [../a, ., '', /abs, ../../../outside]\npatchesJson6902: [{target: {kind: '('}, patch: '[]'}, {patch: '- {op: move, from: /nope, path: /x}'}]\npatchesStrategicMerge: ['$patch: delete', 'nothing.yaml']\n",
    );
    write("c/kustomization.yaml", "---\n- not a map\n");
    write(
        "d/kustomization.yaml",
        "resources: [../d, ../c]\nhelmCharts: [{name: x}]\n",
    );
    let outcome = gitops_lint::analyse(&Settings::for_root(dir.path())).expect("analyse");
    for d in &outcome.diagnostics {
        eprintln!(
            "{} {} {}",
            d.rule.name,
            outcome.inventory.file(d.primary.span.file).path,
            d.message
        );
    }
    assert!(!outcome.flux.clusters.is_empty());
    assert!(
        outcome
            .diagnostics
            .iter()
            .any(|d| d.rule.name == "kustomize-build-error")
    );
    for format in [
        gitops_lint::cli::GraphFormat::Mermaid,
        gitops_lint::cli::GraphFormat::Dot,
        gitops_lint::cli::GraphFormat::Text,
    ] {
        gitops_lint::graph(dir.path(), &Default::default(), format).unwrap();
    }
}

#[test]
fn json_findings_carry_owner_and_cluster() {
    let mut settings = Settings::for_root(fixtures("repos/duplicate-object"));
    settings.format = gitops_lint::cli::Format::Json;
    settings.select = vec!["duplicate-object".to_owned()];
    let mut out = Vec::new();
    gitops_lint::check(&settings, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(
        finding["placements"][0]["owner"], "Kustomization/flux-system/apps",
        "{json}"
    );
    assert_eq!(finding["placements"][0]["cluster"], "clusters/prod");
    assert_eq!(
        finding["related"][0]["file"],
        "infrastructure/namespaces.yaml"
    );
}

#[test]
fn findings_on_patched_fields_point_at_the_patch() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write_file(dir.path(), path, text);
    write(
        "clusters/prod/flux-system/gotk-components.yaml",
        "# placeholder\n",
    );
    write(
        "clusters/prod/apps.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 1h\n  prune: true\n  path: ./overlay\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
    );
    write("base/kustomization.yaml", "resources:\n  - cm.yaml\n");
    write(
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: b\n",
    );
    write(
        "overlay/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - path: labels.yaml\n",
    );
    write(
        "overlay/labels.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n  labels:\n    team: platform+apps\n",
    );
    let outcome = gitops_lint::analyse(&Settings::for_root(dir.path())).unwrap();
    let found: Vec<(String, String, u32)> = (outcome.diagnostics.iter())
        .filter(|d| d.rule.name == "invalid-name")
        .map(|d| {
            let file = outcome.inventory.file(d.primary.span.file);
            (
                d.rule.name.to_owned(),
                file.path.clone(),
                file.line_col(d.primary.span.start).line,
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "invalid-name".to_owned(),
            "overlay/labels.yaml".to_owned(),
            7
        )]
    );
}
