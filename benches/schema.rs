//! Schema validation throughput and first-use latency. `cargo bench --bench schema`
//! (plain `main`, no harness: prints objects/s and milliseconds).

use std::time::Instant;

use gitops_lint::schema::{KubeVersion, Outcome, SchemaStore, Settings, k8s};
use serde_json::json;

fn deployment(i: usize) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": format!("web-{i}"), "namespace": "apps", "labels": {"app": "web", "team": "a"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}, "annotations": {"a": "b"}},
                "spec": {
                    "serviceAccountName": "web",
                    "securityContext": {"runAsNonRoot": true, "fsGroup": 1000},
                    "containers": [{
                        "name": "web",
                        "image": format!("registry.example.com/web:{i}"),
                        "imagePullPolicy": "IfNotPresent",
                        "args": ["--port=8080", "--verbose"],
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                    }],
                    "volumes": [{"name": "data", "emptyDir": {}}]
                }
            }
        }
    })
}

fn main() {
    // First use of a version: decompress + parse + registry (no validator yet), then one kind.
    for v in ["1.37", "1.25"] {
        let version = KubeVersion::parse(v).unwrap();
        let t = Instant::now();
        let text = k8s::definitions_text(version).unwrap();
        let decoded = t.elapsed();
        k8s::version(version, true).unwrap();
        let registry = t.elapsed();
        let store = SchemaStore::new(Settings {
            kubernetes_version: version,
            ..Settings::default()
        });
        assert!(matches!(store.validate(&deployment(0)), Outcome::Valid));
        let first = t.elapsed();
        println!(
            "first use of {v}: decode {:.1} ms ({} KB), + parse & registry {:.1} ms, + compile Deployment & validate {:.1} ms",
            decoded.as_secs_f64() * 1e3,
            text.len() / 1024,
            registry.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3
        );
    }

    let store = SchemaStore::new(Settings::default());
    let objects: Vec<_> = (0..10_000).map(deployment).collect();
    for o in objects.iter().take(100) {
        assert!(matches!(store.validate(o), Outcome::Valid));
    }
    for round in 0..3 {
        let t = Instant::now();
        let mut valid = 0;
        for o in &objects {
            if matches!(store.validate(o), Outcome::Valid) {
                valid += 1;
            }
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "round {round}: {valid} valid Deployments in {:.1} ms = {:.0} objects/s (one thread)",
            s * 1e3,
            objects.len() as f64 / s
        );
    }
    let mut bad = deployment(1);
    bad["spec"]["replicas"] = json!("three");
    bad["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = json!("x");
    let t = Instant::now();
    for _ in 0..10_000 {
        assert!(matches!(store.validate(&bad), Outcome::Invalid(_)));
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "invalid Deployments (2 errors each): {:.0} objects/s",
        10_000.0 / s
    );
}
