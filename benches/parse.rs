//! Parse throughput over a generated 10k-document repository.
//!
//! `cargo bench --bench parse` prints MB/s per thread for the YAML stage alone and for the whole
//! `check` pipeline at 1 and 2 threads. Numbers are ratios within one run: machines are noisy.

use std::time::Instant;

use gitops_lint::cli::Settings;
use gitops_lint::source::FileId;

const DOCUMENTS: usize = 10_000;
const PER_FILE: usize = 10;

/// A realistic ~2 KB Deployment + Service pair, varied per index.
fn manifest(i: usize) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{team}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/part-of: shop
    team: team-{team}
  annotations:
    description: "Service number {i} of the shop, owned by team {team}"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
    spec:
      serviceAccountName: app-{i}
      containers:
        - name: app
          image: "registry.example.com/shop/app-{i}:1.{i}.0"
          args: ["--port=8080", "--log-level=info", "--feature-flags=a,b,c"]
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: DATABASE_HOST
              value: db.team-{team}.svc.cluster.local
            - name: ENABLE_CACHE
              value: "true"
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
            periodSeconds: 10
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: team-{team}
spec:
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
    - name: http
      port: 80
      targetPort: http
"#,
        team = i % 20,
        replicas = 1 + i % 3
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = 0usize;
    let mut texts = Vec::new();
    for file in 0..DOCUMENTS / PER_FILE / 2 {
        let text: String = (0..PER_FILE)
            .map(|k| manifest(file * PER_FILE + k))
            .collect::<Vec<_>>()
            .join("---\n");
        bytes += text.len();
        let sub = dir.path().join(format!("team-{}", file % 20));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("app-{file}.yaml")), &text).unwrap();
        texts.push(text);
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {DOCUMENTS} documents in {} files, {mb:.1} MB",
        texts.len()
    );

    // YAML stage alone, one thread, best of 5.
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let mut nodes = 0usize;
        for (i, text) in texts.iter().enumerate() {
            let parsed = gitops_lint::yaml::parse(FileId(i as u32), text);
            nodes += parsed.documents.len();
        }
        assert_eq!(nodes, DOCUMENTS);
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "yaml::parse, 1 thread: {:.1} MB/s ({:.0} documents/s)",
        mb / best,
        DOCUMENTS as f64 / best
    );

    // The whole pipeline (walk, read, parse, objects, checks), per thread count, best of 5.
    for threads in [1, 2] {
        let mut settings = Settings::for_root(dir.path());
        settings.threads = threads;
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let outcome = gitops_lint::analyse(&settings).unwrap();
            assert_eq!(outcome.inventory.objects.len(), DOCUMENTS);
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!(
            "check pipeline, {threads} thread(s): {:.0} ms, {:.1} MB/s, {:.1} MB/s per thread, {:.0} objects/s",
            best * 1e3,
            mb / best,
            mb / best / threads as f64,
            DOCUMENTS as f64 / best
        );
    }
}
