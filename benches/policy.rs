//! Policy-stage benchmark: a synthetic repository of 10k objects owned by 50 teams.
//!
//! `cargo bench --bench policy [-- OBJECTS]` prints: YAML → regorus conversion, the built-in
//! repository-scope pack over all objects, a conftest-style per-object policy on 2 threads, and
//! the whole `check` per stage (`--stats`).

use std::fmt::Write as _;
use std::time::Instant;

use gitops_lint::cli::Settings;
use gitops_lint::load;
use gitops_lint::policy::input::node_to_value;
use gitops_lint::policy::inventory::{RepoObject, repository_input};
use gitops_lint::policy::{Outcome, PolicyFile, PolicyOptions, PolicySet, builtin};
use gitops_lint::source::FileId;
use rayon::prelude::*;

const OBJECTS_PER_FILE: usize = 20;

fn team_file(team: usize, file: usize) -> String {
    let mut out = String::new();
    for i in 0..OBJECTS_PER_FILE / 4 {
        let app = format!("app-{file}-{i}");
        let ns = format!("team-{team}");
        // Some cross-team collisions so that rules have results.
        let host = if i == 0 && file == 0 {
            "shared.example.com".to_string()
        } else {
            format!("{app}.{ns}.example.com")
        };
        let _ = write!(
            out,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels:\n    app: {app}\n    team: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n        team: {ns}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers:\n        - name: {app}\n          image: ghcr.io/example/{app}:1.{i}.0\n          ports:\n            - name: http\n              containerPort: 8080\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  selector:\n    app: {app}\n  ports:\n    - name: http\n      port: 80\n      targetPort: {target}\n---\n\
             apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}\n                port: {{number: 80}}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE_X: \"true\"\n---\n",
            target = if i == 1 { "metrics" } else { "http" },
        );
    }
    if file == 0 {
        let _ = write!(
            out,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shared-monitoring\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-apps\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get{}]\n",
            if team.is_multiple_of(2) { ", list" } else { "" }
        );
    }
    out
}

fn main() {
    let objects: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let teams = 50;
    let files_per_team = objects.div_ceil(OBJECTS_PER_FILE * teams);
    let dir = tempfile::tempdir().expect("tempdir");
    for team in 0..teams {
        let team_dir = dir.path().join(format!("team-{team}"));
        std::fs::create_dir_all(&team_dir).unwrap();
        for file in 0..files_per_team {
            std::fs::write(
                team_dir.join(format!("apps-{file}.yaml")),
                team_file(team, file),
            )
            .unwrap();
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();

    // Parse (not timed here; `check --stats` below shows it).
    let mut paths = Vec::new();
    for team in 0..teams {
        for file in 0..files_per_team {
            paths.push(format!("team-{team}/apps-{file}.yaml"));
        }
    }
    let loaded: Vec<_> = pool.install(|| {
        paths
            .par_iter()
            .enumerate()
            .map(|(i, p)| load::load(FileId(i as u32), dir.path(), p))
            .collect()
    });
    let objects_list: Vec<_> = loaded.iter().flat_map(|f| f.objects.iter()).collect();
    let n = objects_list.len();
    println!("objects: {n} in {} files, 2 threads", paths.len());

    let t = Instant::now();
    let values: Vec<regorus::Value> = pool.install(|| {
        objects_list
            .par_iter()
            .map(|o| node_to_value(&o.root))
            .collect()
    });
    let convert = t.elapsed();
    println!(
        "YAML tree → regorus values: {convert:.2?} ({:.1} µs/object/thread)",
        convert.as_secs_f64() * 2e6 / n as f64
    );

    let repo: Vec<RepoObject> = objects_list
        .iter()
        .zip(&values)
        .map(|(o, v)| RepoObject {
            manifest: v.clone(),
            file: paths[o.file.0 as usize].clone(),
            line: 1,
            owner: paths[o.file.0 as usize]
                .split('/')
                .next()
                .unwrap()
                .to_string(),
            cluster: None,
        })
        .collect();
    let t = Instant::now();
    let input = repository_input(&repo);
    println!("repository input: {:.2?}", t.elapsed());

    let pack = PolicySet::from_files(
        Vec::new(),
        builtin::files(false),
        &PolicyOptions::default(),
        Vec::new(),
    )
    .unwrap();
    for rule in pack.rules() {
        let one = PolicySet::from_files(
            Vec::new(),
            builtin::files(false)
                .into_iter()
                .filter(|f| f.text.contains(&format!("name: {}", rule.name)))
                .collect(),
            &PolicyOptions::default(),
            Vec::new(),
        )
        .unwrap();
        let t = Instant::now();
        let out = one.evaluator().eval_repository(input.clone());
        println!(
            "repository rule {:<26} {:>8.2?}  {} findings, {} errors",
            rule.name,
            t.elapsed(),
            out.findings.len(),
            out.errors.len()
        );
    }
    let t = Instant::now();
    let out = pack.evaluator().eval_repository(input.clone());
    println!(
        "built-in pack (4 repository rules): {:.2?}, {} findings",
        t.elapsed(),
        out.findings.len()
    );

    let conftest = PolicySet::from_files(
        vec![PolicyFile {
            path: "bench.rego".into(),
            text: "package main\nimport rego.v1\n\
                   deny contains msg if { input.kind == \"Deployment\"; not input.spec.template.spec.securityContext.runAsNonRoot; msg := \"root\" }\n\
                   deny contains msg if { input.kind == \"Deployment\"; some c in input.spec.template.spec.containers; not c.resources.limits.memory; msg := \"limits\" }\n\
                   warn contains msg if { some c in input.spec.template.spec.containers; endswith(c.image, \":latest\"); msg := \"latest\" }\n"
                .into(),
            is_test: false,
        }],
        Vec::new(),
        &PolicyOptions::default(),
        Vec::new(),
    )
    .unwrap();
    let t = Instant::now();
    let outcome = pool.install(|| {
        (0..n)
            .into_par_iter()
            .map_init(
                || conftest.evaluator(),
                |e, i| e.eval_object(i, values[i].clone()),
            )
            .reduce(Outcome::default, |mut a, b| {
                a.extend(b);
                a
            })
    });
    let per_object = t.elapsed();
    println!(
        "per-object conftest policy (3 rules): {per_object:.2?} ({:.0} objects/s), {} findings",
        n as f64 / per_object.as_secs_f64(),
        outcome.findings.len()
    );

    let mut settings = Settings::for_root(dir.path());
    settings.threads = 2;
    settings.stats = true;
    let t = Instant::now();
    let result = gitops_lint::analyse(&settings).unwrap();
    println!(
        "check (whole pipeline, 2 threads): {:.2?}, {} findings",
        t.elapsed(),
        result.diagnostics.len()
    );
}
