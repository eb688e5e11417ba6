//! CustomResourceDefinition → one JSON Schema per served version.
//!
//! `openAPIV3Schema` is validated with draft 4 semantics. JSON Schema knows nothing of the
//! Kubernetes extensions, so they are rewritten here:
//! - `nullable: true` adds `null` to `type` (and to `enum`);
//! - `x-kubernetes-int-or-string: true` means `type: [integer, string]`;
//! - `x-kubernetes-preserve-unknown-fields: true` keeps unknown keys (no strictness below it);
//! - `x-kubernetes-embedded-resource: true` declares `apiVersion`, `kind`, `metadata`;
//! - strict mode adds `additionalProperties: false` to every object that declares `properties`
//!   (outside `allOf`/`anyOf`/`oneOf`/`not`, whose branches only constrain);
//! - `format` is kept only where the API server checks it (`src/schema/format.rs`: `duration` is
//!   a Go duration, `date-time` RFC 3339, `byte` base64, …); the others are dropped;
//! - `nullable: true` is kept as an annotation: null pruning (`src/schema/nulls.rs`) reads it.

use serde_json::{Map, Value, json};

/// One served version of a CRD, as a schema.
#[derive(Clone, Debug)]
pub struct CrdSchema {
    pub api_version: String,
    pub kind: String,
    pub schema: Value,
}

/// Why a CRD cannot be used; `pointer` points into the CRD object (for the `crd-invalid` span).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdError {
    pub pointer: String,
    pub message: String,
}

fn err(pointer: impl Into<String>, message: impl Into<String>) -> CrdError {
    CrdError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

/// Whether an object is a CustomResourceDefinition.
pub fn is_crd(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
        && object
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("apiextensions.k8s.io/"))
}

/// Converts a CRD (`apiextensions.k8s.io/v1` or `v1beta1`) into a schema per served version.
pub fn crd_schemas(crd: &Value, strict: bool) -> Result<Vec<CrdSchema>, CrdError> {
    let spec = crd
        .get("spec")
        .filter(|s| s.is_object())
        .ok_or_else(|| err("", "CRD has no `spec` mapping"))?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .ok_or_else(|| err("/spec", "CRD has no `spec.group`"))?;
    let kind = spec
        .pointer("/names/kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| err("/spec", "CRD has no `spec.names.kind`"))?;
    // v1beta1 allowed one top-level schema for every version.
    let shared = spec.pointer("/validation/openAPIV3Schema");
    let mut out = Vec::new();
    match spec.get("versions") {
        Some(Value::Array(versions)) => {
            for (i, version) in versions.iter().enumerate() {
                let at = format!("/spec/versions/{i}");
                let name = version
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| err(&at, format!("CRD version #{i} has no `name`")))?;
                if version.get("served").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                let (schema, schema_at) = match version.pointer("/schema/openAPIV3Schema") {
                    Some(s) => (Some(s), format!("{at}/schema/openAPIV3Schema")),
                    None => (shared, "/spec/validation/openAPIV3Schema".to_owned()),
                };
                out.push(CrdSchema {
                    api_version: format!("{group}/{name}"),
                    kind: kind.to_owned(),
                    schema: root_schema(schema, &schema_at, strict)?,
                });
            }
        }
        None => {
            let name = spec.get("version").and_then(Value::as_str).ok_or_else(|| {
                err(
                    "/spec",
                    "CRD has neither `spec.versions` nor `spec.version`",
                )
            })?;
            out.push(CrdSchema {
                api_version: format!("{group}/{name}"),
                kind: kind.to_owned(),
                schema: root_schema(shared, "/spec/validation/openAPIV3Schema", strict)?,
            });
        }
        Some(_) => return Err(err("/spec/versions", "`spec.versions` must be a list")),
    }
    Ok(out)
}

/// Every object has `apiVersion`, `kind` and `metadata`, whether the CRD declares them or not.
fn add_type_meta(props: &mut Map<String, Value>) {
    for (field, kind) in [
        ("apiVersion", "string"),
        ("kind", "string"),
        ("metadata", "object"),
    ] {
        props
            .entry(field)
            .or_insert_with(|| json!({ "type": kind }));
    }
}

fn root_schema(schema: Option<&Value>, at: &str, strict: bool) -> Result<Value, CrdError> {
    let Some(schema) = schema else {
        // No schema: anything goes (v1 requires one, but the API server would say so, not us).
        return Ok(json!({"type": "object"}));
    };
    let mut out = convert(schema, at, strict, true)?;
    if let Some(map) = out.as_object_mut() {
        // Every object has these, whether the CRD declares them or not.
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            add_type_meta(props);
        }
        map.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-04/schema#"),
        );
    }
    Ok(out)
}

const TYPES: [&str; 6] = ["object", "array", "string", "integer", "number", "boolean"];

/// Converts one schema node. `structural`: false inside `allOf`/`anyOf`/`oneOf`/`not`.
fn convert(node: &Value, at: &str, strict: bool, structural: bool) -> Result<Value, CrdError> {
    let map = match node {
        Value::Object(map) => map,
        Value::Bool(_) => return Ok(node.clone()),
        _ => return Err(err(at, format!("schema at `{at}` must be a mapping"))),
    };
    let flag = |k: &str| map.get(k).and_then(Value::as_bool) == Some(true);
    let nullable = flag("nullable");
    let int_or_string = flag("x-kubernetes-int-or-string");
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let embedded = flag("x-kubernetes-embedded-resource");
    let mut out = Map::new();
    for (key, value) in map {
        let here = format!("{at}/{}", super::violation::escape(key));
        match key.as_str() {
            "type" => {
                let t = value
                    .as_str()
                    .ok_or_else(|| err(&here, format!("`type` at `{at}` must be a string")))?;
                if !TYPES.contains(&t) {
                    return Err(err(&here, format!("unknown type `{t}` at `{at}`")));
                }
                if !int_or_string {
                    out.insert(key.clone(), value.clone());
                }
            }
            "properties" | "patternProperties" | "definitions" => {
                let props = value
                    .as_object()
                    .ok_or_else(|| err(&here, format!("`{key}` at `{at}` must be a mapping")))?;
                let mut converted = Map::new();
                for (name, sub) in props {
                    let sub_at = format!("{here}/{}", super::violation::escape(name));
                    converted.insert(name.clone(), convert(sub, &sub_at, strict, structural)?);
                }
                out.insert(key.clone(), Value::Object(converted));
            }
            "items" => {
                let converted = match value {
                    Value::Array(list) => Value::Array(
                        list.iter()
                            .enumerate()
                            .map(|(i, s)| convert(s, &format!("{here}/{i}"), strict, structural))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => convert(other, &here, strict, structural)?,
                };
                out.insert(key.clone(), converted);
            }
            "additionalProperties" | "additionalItems" => {
                let converted = match value {
                    Value::Bool(_) => value.clone(),
                    other => convert(other, &here, strict, structural)?,
                };
                out.insert(key.clone(), converted);
            }
            "not" => {
                out.insert(key.clone(), convert(value, &here, strict, false)?);
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = value
                    .as_array()
                    .ok_or_else(|| err(&here, format!("`{key}` at `{at}` must be a list")))?;
                let converted = list
                    .iter()
                    .enumerate()
                    .map(|(i, s)| convert(s, &format!("{here}/{i}"), strict, false))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(key.clone(), Value::Array(converted));
            }
            "required" => {
                let ok = value
                    .as_array()
                    .is_some_and(|r| r.iter().all(Value::is_string));
                if !ok {
                    return Err(err(
                        &here,
                        format!("`required` at `{at}` must be a list of strings"),
                    ));
                }
                out.insert(key.clone(), value.clone());
            }
            "enum" => {
                let mut list = value
                    .as_array()
                    .ok_or_else(|| err(&here, format!("`enum` at `{at}` must be a list")))?
                    .clone();
                if nullable && !list.contains(&Value::Null) {
                    list.push(Value::Null);
                }
                out.insert(key.clone(), Value::Array(list));
            }
            "pattern" => {
                let p = value
                    .as_str()
                    .ok_or_else(|| err(&here, format!("`pattern` at `{at}` must be a string")))?;
                if regex_syntax_ok(p).is_err() {
                    return Err(err(
                        &here,
                        format!("`pattern` at `{at}` is not a valid regular expression: {p}"),
                    ));
                }
                out.insert(key.clone(), value.clone());
            }
            "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties"
            | "minProperties" => {
                if !value.is_u64() {
                    return Err(err(
                        &here,
                        format!("`{key}` at `{at}` must be a non-negative integer"),
                    ));
                }
                out.insert(key.clone(), value.clone());
            }
            "maximum" | "minimum" | "multipleOf" => {
                if !value.is_number() {
                    return Err(err(&here, format!("`{key}` at `{at}` must be a number")));
                }
                out.insert(key.clone(), value.clone());
            }
            "exclusiveMaximum" | "exclusiveMinimum" | "uniqueItems" => {
                if !value.is_boolean() {
                    return Err(err(
                        &here,
                        format!("`{key}` at `{at}` must be true or false"),
                    ));
                }
                out.insert(key.clone(), value.clone());
            }
            "format"
                if value
                    .as_str()
                    .is_some_and(super::format::validated_for_crds) =>
            {
                out.insert(key.clone(), value.clone());
            }
            "nullable" if nullable => {
                out.insert(key.clone(), Value::Bool(true));
            }
            // Annotations, Kubernetes extensions and keywords we deliberately do not check.
            _ => {}
        }
    }
    if int_or_string {
        out.insert("type".into(), json!(["integer", "string"]));
    }
    if nullable {
        match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(ts)) => ts.push(json!("null")),
            _ => {}
        }
    }
    if embedded {
        let props = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut();
        if let Some(props) = props {
            add_type_meta(props);
        }
    }
    if strict
        && structural
        && !preserve
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Ok(out.into())
}

/// Checks a CRD `pattern` compiles (the same engine validation uses).
fn regex_syntax_ok(pattern: &str) -> Result<(), String> {
    super::options()
        .build(&json!({"pattern": pattern}))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(schema: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "scope": "Namespaced",
                "versions": [
                    {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": schema}},
                    {"name": "v0", "served": false, "storage": false, "schema": {"openAPIV3Schema": {"type": "object"}}}
                ]
            }
        })
    }

    fn validate(schema: &Value, instance: Value) -> Vec<String> {
        let v = super::super::options().build(schema).unwrap();
        v.iter_errors(&instance)
            .map(|e| format!("{}: {}", e.instance_path().as_str(), e))
            .collect()
    }

    #[test]
    fn converts_served_versions_with_kubernetes_extensions() {
        let c = crd(json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["port"],
                    "properties": {
                        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                        "note": {"type": "string", "nullable": true, "format": "uri"},
                        "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}},
                        "mode": {"type": "string", "enum": ["a", "b"]}
                    },
                    "anyOf": [{"required": ["port"]}, {"properties": {"x": {"type": "string"}}}]
                }
            }
        }));
        let schemas = crd_schemas(&c, true).unwrap();
        assert_eq!(schemas.len(), 1);
        assert_eq!(schemas[0].api_version, "example.com/v1");
        assert_eq!(schemas[0].kind, "Widget");
        let s = &schemas[0].schema;
        let ok = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
            "spec": {"port": "http", "note": null, "values": {"anything": 1}, "mode": "a"}});
        assert!(validate(s, ok).is_empty());
        let errors = validate(s, json!({"spec": {"port": 1.5, "mode": "c", "extra": 1}}));
        assert!(
            errors.iter().any(|e| e.starts_with("/spec/port")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("/spec/mode")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("extra")), "{errors:?}");
        // Not strict: unknown fields pass.
        let loose = &crd_schemas(&c, false).unwrap()[0].schema;
        assert!(validate(loose, json!({"spec": {"port": 1, "extra": 1}})).is_empty());
    }

    #[test]
    fn broken_crds_are_errors_not_panics() {
        let bad_type = crd(json!({"type": "object", "properties": {"spec": {"type": "strin"}}}));
        let e = crd_schemas(&bad_type, true).unwrap_err();
        assert_eq!(
            e.pointer,
            "/spec/versions/0/schema/openAPIV3Schema/properties/spec/type"
        );
        assert!(crd_schemas(&json!({"kind": "CustomResourceDefinition"}), true).is_err());
        assert!(
            crd_schemas(
                &json!({"spec": {"group": "g", "names": {"kind": "K"}, "versions": 3}}),
                true
            )
            .is_err()
        );
        let bad_pattern = crd(
            json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "(("}}}),
        );
        assert!(crd_schemas(&bad_pattern, true).is_err());
        let not_map = crd(json!("nope"));
        assert!(crd_schemas(&not_map, true).is_err());
    }

    #[test]
    fn v1beta1_shared_schema() {
        let c = json!({"apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition",
            "spec": {"group": "g.io", "version": "v1", "names": {"kind": "K"},
                "validation": {"openAPIV3Schema": {"properties": {"spec": {"properties": {"a": {"type": "integer"}}}}}}}});
        let s = crd_schemas(&c, true).unwrap();
        assert_eq!(s[0].api_version, "g.io/v1");
        assert_eq!(validate(&s[0].schema, json!({"spec": {"a": "x"}})).len(), 1);
    }
}
