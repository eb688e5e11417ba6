use super::*;
use serde_json::json;

fn deployment(spec_extra: Value) -> Value {
    let mut d = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "web",
                    "image": "nginx:1.27",
                    "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}
                }]}
            }
        }
    });
    if let (Some(spec), Value::Object(extra)) = (d["spec"].as_object_mut(), spec_extra) {
        spec.extend(extra);
    }
    d
}

fn violations(store: &SchemaStore, object: &Value) -> Vec<Violation> {
    match store.validate(object) {
        Outcome::Valid => Vec::new(),
        Outcome::Invalid(v) => v,
        other => panic!("unexpected outcome {other:?}"),
    }
}

fn strict() -> SchemaStore {
    SchemaStore::new(Settings::default())
}

#[test]
fn a_valid_deployment_is_valid() {
    assert!(violations(&strict(), &deployment(json!({}))).is_empty());
}

#[test]
fn type_errors_point_at_the_value_and_read_like_the_api_server() {
    let v = violations(&strict(), &deployment(json!({"replicas": "three"})));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/spec/replicas");
    assert_eq!(
        v[0].kind,
        ViolationKind::Type {
            expected: vec!["integer"],
            found: "string"
        }
    );
    assert_eq!(
        v[0].message,
        "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"three\""
    );
}

#[test]
fn unknown_fields_name_the_key_in_strict_mode_only() {
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = json!("Always");
    let v = violations(&strict(), &d);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].pointer,
        "/spec/template/spec/containers/0/imagePullPolcy"
    );
    assert_eq!(
        v[0].kind,
        ViolationKind::UnknownField {
            key: "imagePullPolcy".into()
        }
    );
    assert_eq!(
        v[0].message,
        "unknown field \"spec.template.spec.containers[0].imagePullPolcy\""
    );
    let loose = SchemaStore::new(Settings {
        strict: false,
        ..Settings::default()
    });
    assert!(violations(&loose, &d).is_empty());
}

#[test]
fn yaml_1_1_booleans_are_type_errors_where_strings_are_wanted() {
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "DEBUG", "value": true}]);
    let v = violations(&strict(), &d);
    assert_eq!(v[0].pointer, "/spec/template/spec/containers/0/env/0/value");
    assert_eq!(
        v[0].kind,
        ViolationKind::Type {
            expected: vec!["string"],
            found: "boolean"
        }
    );
}

#[test]
fn quantities_and_int_or_string() {
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] =
        json!("512MB");
    let v = violations(&strict(), &d);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].pointer,
        "/spec/template/spec/containers/0/resources/limits/memory"
    );
    assert_eq!(
        v[0].kind,
        ViolationKind::Format {
            format: "quantity".into()
        }
    );
    assert!(
        v[0].message.contains("quantities must match"),
        "{}",
        v[0].message
    );
    // Numbers are quantities too.
    d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = json!(1.5);
    assert!(violations(&strict(), &d).is_empty());

    let mut d = deployment(json!({"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}));
    let v = violations(&strict(), &d);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/spec/strategy/rollingUpdate/maxSurge");
    assert!(
        matches!(&v[0].kind, ViolationKind::Type { expected, found: "number" } if expected == &vec!["string", "integer"])
    );
    d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = json!("25%");
    assert!(violations(&strict(), &d).is_empty());
}

#[test]
fn enum_and_required() {
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("HTTP");
    d["spec"]["template"]["spec"]["containers"][0]["name"] = Value::Null;
    d["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let v = violations(&strict(), &d);
    let kinds: Vec<_> = v
        .iter()
        .map(|v| (v.pointer.as_str(), v.kind.name()))
        .collect();
    assert!(
        kinds.contains(&("/spec/template/spec/containers/0", "required")),
        "{v:?}"
    );
    // The embedded schemas have no enum for protocol in every version; the required one is enough here.
    let required = v.iter().find(|v| v.kind.name() == "required").unwrap();
    assert_eq!(
        required.message,
        "spec.template.spec.containers[0].name: Required value"
    );
}

#[test]
fn sops_values_and_key_are_accepted() {
    let d = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
        "spec": {
            "replicas": "ENC[AES256_GCM,data:Mg==,iv:aa,tag:bb,type:int]",
            "selector": {}, "template": {}
        },
        "sops": {"version": "3.8.1", "mac": "ENC[...]"}
    });
    assert!(violations(&strict(), &d).is_empty());
    // Decrypts to a string where an integer is wanted: still an error.
    let mut bad = d.clone();
    bad["spec"]["replicas"] = json!("ENC[AES256_GCM,data:Mg==,iv:aa,tag:bb,type:str]");
    assert_eq!(violations(&strict(), &bad).len(), 1);
}

#[test]
fn flux_placeholders_are_not_type_errors_but_defaults_are_checked() {
    let d = deployment(json!({"replicas": "${REPLICAS}"}));
    assert!(violations(&strict(), &d).is_empty());
    let d = deployment(json!({"replicas": "${REPLICAS:=3}"}));
    assert!(violations(&strict(), &d).is_empty());
    let d = deployment(json!({"replicas": "${REPLICAS:=three}"}));
    let v = violations(&strict(), &d);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/spec/replicas");
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] =
        json!("${MEM}");
    assert!(violations(&strict(), &d).is_empty());
}

#[test]
fn kinds_without_schema_are_missing_and_versions_matter() {
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
    assert!(matches!(strict().validate(&cr), Outcome::Missing));
    let old = json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "metadata": {"name": "c"}});
    assert!(matches!(strict().validate(&old), Outcome::Missing));
    let store = SchemaStore::new(Settings {
        kubernetes_version: KubeVersion::parse("1.25").unwrap(),
        ..Settings::default()
    });
    assert!(!matches!(store.validate(&old), Outcome::Missing));
}

#[test]
fn crds_become_schemas_and_win_over_embedded_ones() {
    let mut store = strict();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget"}, "versions": [{
            "name": "v1", "served": true,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}
            }}}
        }]}
    });
    assert_eq!(store.add_crd(&crd, "crds.yaml").unwrap().len(), 1);
    let good = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}});
    assert!(violations(&store, &good).is_empty());
    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": "L", "colour": 1}});
    let v = violations(&store, &bad);
    let names: Vec<_> = v.iter().map(|v| v.kind.name()).collect();
    assert_eq!(names, vec!["type", "unknown-field"], "{v:?}");
}

#[test]
fn schema_locations_are_read_from_local_directories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("example.com")).unwrap();
    std::fs::write(
        dir.path().join("example.com/widget_v1.json"),
        r#"{"type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}, "additionalProperties": false}}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("broken.io")).unwrap();
    std::fs::write(dir.path().join("broken.io/thing_v1.json"), "{nope").unwrap();
    let template = format!(
        "{}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        dir.path().display()
    );
    let store = SchemaStore::new(Settings {
        locations: vec![Location::parse(&template).unwrap()],
        ..Settings::default()
    });
    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"size": "L"}});
    assert_eq!(violations(&store, &bad).len(), 1);
    let broken = json!({"apiVersion": "broken.io/v1", "kind": "Thing"});
    assert!(matches!(store.validate(&broken), Outcome::Broken(m) if m.contains("not JSON")));
    // Kinds the location lacks fall back to the embedded schemas.
    assert!(violations(&store, &deployment(json!({}))).is_empty());
}

#[test]
fn validators_are_shared_across_threads() {
    let store = strict();
    let d = deployment(json!({"replicas": "x"}));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(violations(&store, &d).len(), 1));
        }
    });
}

#[test]
fn fields_named_description_survive_the_generator_regression() {
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
        "metadata": {"name": "high"}, "value": 1000, "description": "for important pods"});
    assert!(violations(&strict(), &pc).is_empty());
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "description": "A widget.",
                    "properties": {"spec": {"type": "object", "description": "The spec."}}}}}]}
    });
    assert!(violations(&strict(), &crd).is_empty());
}

fn widget_store() -> SchemaStore {
    let mut store = strict();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget"}, "versions": [{
            "name": "v1", "served": true,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "required": ["size"], "properties": {
                    "size": {"type": "integer"},
                    "interval": {"type": "string", "format": "duration"},
                    "since": {"type": "string", "format": "date-time"},
                    "owner": {"type": "string", "format": "email"},
                    "link": {"type": "string", "format": "uri-reference"},
                    "cpu": {"type": "string", "format": "quantity"},
                    "note": {"type": "string", "nullable": true},
                    "options": {"type": "object", "properties": {"a": {"type": "string"}}}
                }}
            }}}
        }]}
    });
    store.add_crd(&crd, "crds.yaml").unwrap();
    store
}

fn widget(spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec})
}

#[test]
fn null_is_unset_unless_the_field_is_required() {
    let store = widget_store();
    // Non-nullable nulls are pruned; a nullable one is a value.
    let ok = widget(json!({"size": 1, "options": null, "interval": null, "note": null}));
    assert!(violations(&store, &ok).is_empty());
    let v = violations(&store, &widget(json!({"size": null})));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].kind,
        ViolationKind::Required {
            field: "size".into()
        }
    );
    assert_eq!(
        v[0].message,
        "spec.size: Required value (`null` leaves it unset)"
    );
    // Built-in kinds: `null` is unset everywhere, and `selector` is required.
    let d = deployment(json!({"replicas": null, "strategy": null}));
    assert!(violations(&strict(), &d).is_empty());
    let mut d = deployment(json!({"selector": null}));
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({"limits": {"cpu": null}});
    let v = violations(&strict(), &d);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/spec");
    assert_eq!(
        v[0].message,
        "spec.selector: Required value (`null` leaves it unset)"
    );
    // Flux: `postBuild:` with nothing after it.
    let ks = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"interval": "10m", "path": "./apps", "prune": true, "postBuild": null,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}});
    assert!(violations(&strict(), &ks).is_empty());
    let mut ks = ks;
    ks["spec"]["postBuild"] = json!({"substitute": null});
    assert!(violations(&strict(), &ks).is_empty());
    ks["spec"]["sourceRef"] = Value::Null;
    let v = violations(&strict(), &ks);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].kind,
        ViolationKind::Required {
            field: "sourceRef".into()
        }
    );
}

#[test]
fn crd_formats_are_the_api_servers() {
    let store = widget_store();
    let ok = widget(
        json!({"size": 1, "interval": "1h30m", "since": "2024-01-15T10:00:00Z",
        "owner": "Ops <ops@example.com>", "link": "not a uri ::", "cpu": "lots"}),
    );
    assert!(violations(&store, &ok).is_empty());
    for fine in ["5m", "300ms", "1.5h", "-1s", "0", "5 minutes"] {
        let w = widget(json!({"size": 1, "interval": fine}));
        assert!(violations(&store, &w).is_empty(), "{fine}");
    }
    let v = violations(
        &store,
        &widget(json!({"size": 1, "interval": "5", "since": "yesterday"})),
    );
    let formats: Vec<_> = v
        .iter()
        .map(|v| (v.pointer.as_str(), v.kind.clone()))
        .collect();
    assert_eq!(
        formats,
        vec![
            (
                "/spec/interval",
                ViolationKind::Format {
                    format: "duration".into()
                }
            ),
            (
                "/spec/since",
                ViolationKind::Format {
                    format: "date-time".into()
                }
            ),
        ]
    );
    assert_eq!(
        v[0].message,
        "spec.interval: Invalid value: \"5\": spec.interval in body must be of type duration: \"5\""
    );
}

#[test]
fn template_placeholders_are_not_values() {
    let store = widget_store();
    let w = widget(json!({"size": "{{ .Values.size }}", "interval": "{{ request.object.x }}"}));
    assert!(violations(&store, &w).is_empty());
    let d = deployment(json!({"replicas": "{{ .Values.replicas }}"}));
    assert!(violations(&strict(), &d).is_empty());
    // A template does not excuse a missing field.
    assert_eq!(
        violations(&store, &widget(json!({"interval": "{{ x }}"}))).len(),
        1
    );
}

#[test]
fn secret_data_is_base64() {
    let secret = |value: &str| json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": value}});
    assert!(violations(&strict(), &secret("aGVsbG8=")).is_empty());
    let v = violations(&strict(), &secret("hello"));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].kind,
        ViolationKind::Format {
            format: "byte".into()
        }
    );
}
