//! `null` as the API server reads it: unset.
//!
//! A field written `postBuild:` (nothing after it), `substitute: null` or `resources: ~` is not a
//! value. The API server drops it before validating: built-in types decode `null` into Go's zero
//! value, and CRDs prune every `null` in a field that is not `nullable: true`
//! (apiextensions-apiserver's `PruneNonNullableNullsWithoutDefaults`). So a pruned copy of the
//! object is validated; a *required* field that was `null` is then reported as missing.
//!
//! Pruning follows the schema: only keys the schema declares (in `properties` or through an
//! `additionalProperties` schema) are pruned, so an unknown key stays unknown and a `null` under
//! `x-kubernetes-preserve-unknown-fields` stays as written. List items are never pruned.

use serde_json::Value;

/// How one schema reads `null`.
#[derive(Clone, Copy)]
pub struct Nulls<'a> {
    /// The schema of the object (a definition of `root` for the embedded Kubernetes schemas).
    pub schema: &'a Value,
    /// The document local `$ref`s (`#/$defs/…`, `#/definitions/…`) resolve against.
    pub root: &'a Value,
    /// The embedded Kubernetes schemas mark every field `null`-able (`type: [string, "null"]`),
    /// but the API server reads `null` as unset there too: ignore `null` in their `type`.
    pub builtin: bool,
}

impl Nulls<'_> {
    /// A copy of `instance` without the `null`s the API server prunes; `None` when there are none.
    pub fn pruned(&self, instance: &Value) -> Option<Value> {
        if !has_null_member(instance) {
            return None;
        }
        let mut copy = instance.clone();
        self.prune(&mut copy).then_some(copy)
    }

    /// Prunes in place; whether anything was removed.
    pub fn prune(&self, instance: &mut Value) -> bool {
        self.walk(instance, self.schema, 0)
    }

    fn walk(&self, instance: &mut Value, schema: &Value, depth: usize) -> bool {
        // Recursive schemas (JSONSchemaProps) cannot loop: the instance is finite, but stay safe.
        if depth > 128 {
            return false;
        }
        let Some(schema) = self.resolve(schema) else {
            return false;
        };
        let mut changed = false;
        match instance {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let Some(field) = self.field_schema(schema, &key) else {
                        continue;
                    };
                    if map[&key].is_null() {
                        if !self.nullable(field) {
                            map.remove(&key);
                            changed = true;
                        }
                    } else if let Some(value) = map.get_mut(&key) {
                        changed |= self.walk(value, field, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = self.items_schema(schema) {
                    for value in items.iter_mut() {
                        changed |= self.walk(value, item, depth + 1);
                    }
                }
            }
            _ => {}
        }
        changed
    }

    /// A local `$ref` followed (several hops); `None` for a reference we cannot resolve.
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> Option<&'s Value> {
        for _ in 0..16 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                return Some(schema);
            };
            let (_, fragment) = reference.split_once('#')?;
            schema = self.root.pointer(fragment)?;
        }
        None
    }

    /// The schema of one key of an object: `properties`, else an `additionalProperties` schema;
    /// `allOf` branches count as part of the object.
    fn field_schema<'s>(&'s self, schema: &'s Value, key: &str) -> Option<&'s Value> {
        let mut branches = vec![schema];
        if let Some(Value::Array(all)) = schema.get("allOf") {
            branches.extend(all.iter().filter_map(|b| self.resolve(b)));
        }
        branches
            .iter()
            .find_map(|b| b.get("properties").and_then(|p| p.get(key)))
            .or_else(|| {
                branches
                    .iter()
                    .find_map(|b| b.get("additionalProperties").filter(|a| a.is_object()))
            })
    }

    fn items_schema<'s>(&'s self, schema: &'s Value) -> Option<&'s Value> {
        schema.get("items").filter(|i| i.is_object())
    }

    /// Whether `null` is a value of this field: `nullable: true`, or `null` among its types.
    fn nullable(&self, field: &Value) -> bool {
        if self.builtin {
            return false;
        }
        let Some(field) = self.resolve(field) else {
            return true;
        };
        if field.get("nullable") == Some(&Value::Bool(true)) {
            return true;
        }
        match field.get("type") {
            Some(Value::String(t)) => t == "null",
            Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
            _ => false,
        }
    }
}

/// Whether any mapping in `value` has a `null` member.
fn has_null_member(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().any(|v| v.is_null() || has_null_member(v)),
        Value::Array(items) => items.iter().any(has_null_member),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["spec"],
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "postBuild": {"type": "object", "properties": {
                            "substitute": {"type": "object", "additionalProperties": {"type": "string"}}
                        }},
                        "note": {"type": "string", "nullable": true},
                        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
                        "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                    }
                }
            },
            "$defs": {"item": {"type": "object", "properties": {"name": {"type": "string"}}}}
        })
    }

    #[test]
    fn prunes_declared_non_nullable_nulls_only() {
        let s = schema();
        let nulls = Nulls {
            schema: &s,
            root: &s,
            builtin: false,
        };
        let instance = json!({"spec": {
            "postBuild": {"substitute": null},
            "note": null,
            "items": [{"name": null}, null],
            "values": {"x": null},
            "unknown": null
        }});
        let pruned = nulls.pruned(&instance).unwrap();
        assert_eq!(
            pruned,
            json!({"spec": {
                "postBuild": {},
                "note": null,
                "items": [{}, null],
                "values": {"x": null},
                "unknown": null
            }})
        );
        assert!(nulls.pruned(&json!({"spec": {"note": "x"}})).is_none());
        assert!(nulls.pruned(&json!({"spec": {"note": null}})).is_none());
    }

    #[test]
    fn builtin_schemas_read_every_null_as_unset() {
        let s = json!({"$defs": {"D": {"type": ["object", "null"], "properties": {
            "replicas": {"type": ["integer", "null"]}
        }}}});
        let nulls = Nulls {
            schema: &s["$defs"]["D"],
            root: &s,
            builtin: true,
        };
        assert_eq!(nulls.pruned(&json!({"replicas": null})), Some(json!({})));
    }
}
