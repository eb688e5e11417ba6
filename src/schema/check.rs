//! The schema stage: CRDs (`--crds DIR`, then the repository's own) become schemas, then every
//! object except kustomize patch files is validated in parallel. Produces the findings of
//! `schema-violation`, `schema-unknown-field`, `schema-missing`, `crd-invalid`,
//! `yaml-implicit-type`, `api-removed` and `api-deprecated`.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use super::crd::is_crd;
use super::{Outcome, SchemaStore, Settings, Violation, ViolationKind};
use crate::checks::{
    SCHEMA_RULES, api_lifecycle, api_removed, api_removed::ApiRemoved, crd_invalid::CrdInvalid,
    schema_missing::SchemaMissing, schema_unknown_field::SchemaUnknownField,
    schema_violation::SchemaViolation, yaml_implicit_type::YamlImplicitType,
};
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::object::{Object, objects_in};
use crate::rule::RuleMeta;
use crate::source::{FileId, Span};
use crate::yaml::{Node, Value};

/// Runs the schema stage when any of its rules is enabled.
pub fn run(
    inventory: &Inventory,
    model: &crate::flux::Model,
    settings: &Settings,
    enabled: &(dyn Fn(&RuleMeta) -> bool + Sync),
) -> Vec<Diagnostic> {
    if !SCHEMA_RULES.iter().any(|rule| enabled(rule)) {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    let mut store = SchemaStore::new(settings.clone());
    for dir in &settings.crd_dirs {
        load_crd_dir(&mut store, dir);
    }
    for object in inventory
        .objects
        .iter()
        .filter(|o| o.kind() == "CustomResourceDefinition")
    {
        let json = object.root.to_json();
        if !is_crd(&json) {
            continue;
        }
        let origin = inventory.file(object.file).path.clone();
        if let Err(e) = store.add_crd(&json, &origin) {
            let (node, _) = object.root.pointer_prefix(&e.pointer);
            let span = if e.pointer.is_empty() {
                object.name_span()
            } else {
                node.span
            };
            diagnostics.push(
                Diagnostic::new(
                    &CrdInvalid::META,
                    span,
                    format!("CRD `{}`: {}", object.id.name, e.message),
                )
                .with_object(object.reference()),
            );
        }
    }
    // Objects as Flux applies them (patched, substituted), once per distinct placement.
    let mut patches = patch_files(inventory);
    patches.extend(model.patch_files.iter().copied());
    let effective = model.effective_objects(inventory);
    // A kind that `--kubernetes-version` removed gets `api-removed`, not `schema-missing`.
    let removed_reported = enabled(&ApiRemoved::META);
    let found: Vec<Diagnostic> = effective
        .par_iter()
        .filter(|o| !patches.contains(&o.file))
        .flat_map_iter(|object| validate_object(&store, object, inventory, removed_reported))
        .collect();
    let mut seen = HashSet::new();
    diagnostics.extend(
        found
            .into_iter()
            .filter(|d| seen.insert((d.rule.code, d.primary.span, d.message.clone()))),
    );
    diagnostics.extend(api_removed::check(
        model, inventory, &store, &patches, enabled,
    ));
    diagnostics
}

/// Reads every CRD under a `--crds` directory. Broken ones are said on stderr: they are outside the
/// repository, so there is no line of ours to point at.
fn load_crd_dir(store: &mut SchemaStore, dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut parsed = crate::yaml::parse(FileId(u32::MAX), &text);
        let (objects, _) = objects_in(FileId(u32::MAX), &mut parsed.documents);
        for object in objects {
            let json = object.root.to_json();
            if is_crd(&json)
                && let Err(e) = store.add_crd(&json, &path.display().to_string())
            {
                eprintln!(
                    "warning: --crds {}: CRD `{}`: {}",
                    path.display(),
                    object.id.name,
                    e.message
                );
            }
        }
    }
}

/// Files that a `kustomization.yaml` uses as patches: partial objects, never validated whole.
pub fn patch_files(inventory: &Inventory) -> HashSet<FileId> {
    let mut out = HashSet::new();
    for file in &inventory.files {
        let (dir, name) = file.path.rsplit_once('/').unwrap_or(("", &file.path));
        if !matches!(
            name,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        ) {
            continue;
        }
        for document in &inventory.documents[file.id.0 as usize] {
            let Some(root) = &document.root else { continue };
            let mut paths = Vec::new();
            for key in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
                for item in root.get(key).and_then(Node::as_seq).unwrap_or_default() {
                    match &item.value {
                        Value::Str(path) if !path.contains('\n') => paths.push(path.as_str()),
                        Value::Map(_) => paths.extend(item.get_str("path")),
                        _ => {}
                    }
                }
            }
            for path in paths {
                if let Some(target) = inventory.file_by_path(&join(dir, path)) {
                    out.insert(target.id);
                }
            }
        }
    }
    out
}

/// `dir` + relative `path`, normalised (`.` and `..` resolved), with `/`.
fn join(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn validate_object(
    store: &SchemaStore,
    object: &Object,
    inventory: &Inventory,
    removed_reported: bool,
) -> Vec<Diagnostic> {
    let json = object.root.to_json();
    let kind_span = object.root.get("kind").map_or(object.root.span, |k| k.span);
    let report = |meta: &'static RuleMeta, span: Span, message: String| {
        Diagnostic::new(meta, span, message).with_object(object.reference())
    };
    match store.validate(&json) {
        Outcome::Valid => Vec::new(),
        Outcome::Missing
            if removed_reported
                && api_lifecycle::is_removed(
                    &object.api_version,
                    object.kind(),
                    store.settings().kubernetes_version.minor(),
                ) =>
        {
            Vec::new()
        }
        Outcome::Missing => vec![report(
            &SchemaMissing::META,
            kind_span,
            format!(
                "no schema for `{}` `{}` (Kubernetes {}, Flux, CRDs in the repository)",
                object.api_version,
                object.kind(),
                store.settings().kubernetes_version
            ),
        )],
        Outcome::Broken(message) => vec![report(
            &CrdInvalid::META,
            kind_span,
            format!(
                "the schema of `{}` `{}` cannot be used: {message}",
                object.api_version,
                object.kind()
            ),
        )],
        Outcome::Invalid(violations) => violations
            .iter()
            .filter(|v| !through_template(&object.root, &v.pointer, inventory))
            .map(|v| {
                diagnostic(
                    object,
                    v,
                    &|s| inventory.file(s.file).slice(s).to_owned(),
                    &report,
                )
            })
            .collect(),
    }
}

fn diagnostic(
    object: &Object,
    v: &Violation,
    text_of: &dyn Fn(Span) -> String,
    report: &dyn Fn(&'static RuleMeta, Span, String) -> Diagnostic,
) -> Diagnostic {
    let root = &object.root;
    // Messages about a Secret never quote its values.
    let secret = object.kind() == "Secret" && object.id.group.is_empty();
    let message = || {
        if secret {
            secret_safe_message(object, v)
        } else {
            v.message.clone()
        }
    };
    match &v.kind {
        ViolationKind::UnknownField { .. } => report(
            &SchemaUnknownField::META,
            key_span(root, &v.pointer),
            message(),
        ),
        ViolationKind::Required { field } => {
            // A required field written `null` is missing: point at its key.
            let null_key = root
                .pointer(&v.pointer)
                .and_then(|parent| parent.entry(field))
                .map(|(k, _)| k.span);
            let span = match null_key {
                Some(span) => span,
                None if v.pointer.is_empty() => object.name_span(),
                None => key_span(root, &v.pointer),
            };
            report(&SchemaViolation::META, span, message())
        }
        ViolationKind::Type { expected, found } => {
            let (node, rest) = root.pointer_prefix(&v.pointer);
            if rest.is_empty()
                && node.implicit_type
                && expected.as_slice() == ["string"]
                && *found != "string"
            {
                let path = super::violation::display_path(&root.to_json(), &v.pointer);
                if secret {
                    return report(
                        &YamlImplicitType::META,
                        node.span,
                        format!("{path}: YAML 1.1 reads this unquoted value as {found}, but a string is wanted"),
                    )
                    .with_help("quote the value");
                }
                let text = text_of(node.span);
                return report(
                    &YamlImplicitType::META,
                    node.span,
                    format!(
                        "{path}: YAML 1.1 reads `{text}` as {found} `{}`, but a string is wanted",
                        resolved(node)
                    ),
                )
                .with_help(format!("quote it: \"{text}\""));
            }
            report(&SchemaViolation::META, node.span, message())
        }
        _ => {
            let (node, _) = root.pointer_prefix(&v.pointer);
            report(&SchemaViolation::META, node.span, message())
        }
    }
}

/// Whether the way to `pointer` goes through an unquoted `{{ … }}` template, which YAML reads as a
/// flow mapping (`replicas: {{ .Values.replicas }}`): whatever renders it decides the value.
fn through_template(root: &Node, pointer: &str, inventory: &Inventory) -> bool {
    let ends = pointer
        .match_indices('/')
        .map(|(i, _)| i)
        .skip(1)
        .chain([pointer.len()]);
    ends.filter_map(|end| root.pointer(&pointer[..end]))
        .filter(|node| matches!(node.value, Value::Map(_)))
        .any(|node| {
            let text = inventory.file(node.span.file).slice(node.span).trim();
            text.starts_with("{{") && text.ends_with("}}")
        })
}

/// The same finding as `v.message`, without the offending value.
fn secret_safe_message(object: &Object, v: &Violation) -> String {
    let path = super::violation::display_path(&object.root.to_json(), &v.pointer);
    match &v.kind {
        ViolationKind::UnknownField { .. } | ViolationKind::Required { .. } => v.message.clone(),
        ViolationKind::Type { expected, found } => format!(
            "{path}: Invalid value: {found} where {} is wanted (value not shown: Secret)",
            expected.join(" or ")
        ),
        kind => format!(
            "{path}: Invalid value: fails the schema's {} check (value not shown: Secret)",
            kind.name()
        ),
    }
}

/// The resolved value of a scalar as YAML 1.1 sees it (for the message).
fn resolved(node: &Node) -> String {
    match &node.value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "null".to_owned(),
        _ => String::new(),
    }
}

/// The key of the entry a pointer ends at (for unknown and required fields), else the closest node.
fn key_span(root: &Node, pointer: &str) -> Span {
    if let Some((parent, last)) = pointer.rsplit_once('/') {
        let key = super::violation::unescape(last);
        if let Some(parent) = root.pointer(parent)
            && let Some((k, _)) = parent.entry(&key)
        {
            return k.span;
        }
    }
    root.pointer_prefix(pointer).0.span
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn patch_paths_are_normalised() {
        assert_eq!(join("apps/prod", "patch.yaml"), "apps/prod/patch.yaml");
        assert_eq!(join("apps/prod", "./../base/p.yaml"), "apps/base/p.yaml");
        assert_eq!(join("", "p.yaml"), "p.yaml");
    }
}
