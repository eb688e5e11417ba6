//! Graph construction on a synthetic repository: 2,000 Flux Kustomizations applying 10,000
//! objects through kustomize overlays, with dependsOn, postBuild substitution and a labelSelector
//! patch on every child. Budget: under 200 ms on the 2-core CI machine.
//!
//! `cargo bench --bench flux_graph` (set `FLUX_BENCH_KUSTOMIZATIONS` to scale, `FLUX_BENCH_DIR` to
//! keep the generated repository).

use std::fmt::Write;
use std::time::{Duration, Instant};

use gitops_lint::flux::Model;

fn write(root: &std::path::Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn generate(root: &std::path::Path, count: usize) {
    write(
        root,
        "clusters/prod/flux-system/gotk-sync.yaml",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://git.example.com/fleet\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./clusters/prod\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
    );
    write(
        root,
        "clusters/prod/flux-system/kustomization.yaml",
        "resources:\n  - gotk-sync.yaml\n",
    );
    write(
        root,
        "clusters/prod/cluster-vars.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  REGION: eu-west-1\n",
    );
    write(
        root,
        "clusters/prod/tenants.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenants\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./tenants\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  postBuild:\n    substitute:\n      CLUSTER: prod\n  patches:\n    - target:\n        kind: Kustomization\n        labelSelector: fleet/tenant\n      patch: |\n        - op: add\n          path: /spec/sourceRef\n          value:\n            kind: GitRepository\n            name: flux-system\n            namespace: flux-system\n",
    );
    let per_file = 100;
    for chunk in 0..count.div_ceil(per_file) {
        let mut text = String::new();
        for i in chunk * per_file..((chunk + 1) * per_file).min(count) {
            let depends = if i > 0 {
                format!("  dependsOn:\n    - name: app-{}\n", i - 1)
            } else {
                String::new()
            };
            let _ = write!(
                text,
                "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app-{i}\n  namespace: flux-system\n  labels:\n    fleet/tenant: t{i}\nspec:\n  interval: 10m\n  path: ./apps/app-{i}/${{CLUSTER}}\n  prune: true\n{depends}  postBuild:\n    substitute:\n      APP: app-{i}\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n"
            );
        }
        write(root, &format!("tenants/tenants-{chunk}.yaml"), &text);
    }
    for i in 0..count {
        write(
            root,
            &format!("apps/app-{i}/base/kustomization.yaml"),
            "resources:\n  - app.yaml\n",
        );
        write(
            root,
            &format!("apps/app-{i}/base/app.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  values.yaml: |\n    replicas: 2\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\nspec:\n  interval: 1h\n  url: https://charts.example.com\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${APP}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: web\n      version: 1.2.3\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n  valuesFrom:\n    - kind: ConfigMap\n      name: values\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0.0\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n",
        );
        write(
            root,
            &format!("apps/app-{i}/prod/kustomization.yaml"),
            &format!(
                "namespace: app-{i}\nresources:\n  - ../base\npatches:\n  - target:\n      kind: Deployment\n    patch: |\n      - op: add\n        path: /spec/replicas\n        value: 3\n"
            ),
        );
    }
}

fn main() {
    let count: usize = std::env::var("FLUX_BENCH_KUSTOMIZATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), count);
    if let Ok(keep) = std::env::var("FLUX_BENCH_DIR") {
        // Keep a copy for `gitops-lint check --stats` (end-to-end timings).
        generate(std::path::Path::new(&keep), count);
    }
    let started = Instant::now();
    let (inventory, _) = gitops_lint::read_repository(dir.path(), 2);
    let load_time = started.elapsed();
    let mut times: Vec<Duration> = Vec::new();
    let mut model = Model::default();
    for _ in 0..5 {
        let t = Instant::now();
        model = Model::build(&inventory, &Default::default());
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let kustomizations = model.kustomizations.len();
    let owned = model.instances.iter().filter(|i| i.owner.is_some()).count();
    println!(
        "flux_graph: {} files, {} objects parsed in {load_time:.2?}; graph: {kustomizations} Kustomizations, {owned} owned objects",
        inventory.files.len(),
        inventory.objects.len()
    );
    println!(
        "flux_graph: build median {median:.2?} (min {:.2?}, max {:.2?}) = {:.0} objects/s; budget 200 ms: {}",
        times[0],
        times[times.len() - 1],
        owned as f64 / median.as_secs_f64(),
        if median < Duration::from_millis(200) {
            "ok"
        } else {
            "OVER"
        }
    );
    let t = Instant::now();
    let findings = gitops_lint::checks::run(&inventory, &model, &|_| true);
    println!(
        "flux_graph: built-in checks over the model (a dependsOn chain of {count}): {:.2?}, {} findings",
        t.elapsed(),
        findings.len()
    );
    assert!(model.instances.iter().any(|i| i.name == "cluster-vars"));
    assert!(
        model.undefined_vars.is_empty()
            && model.missing_paths.is_empty()
            && model.problems.is_empty()
    );
}
