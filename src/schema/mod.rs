//! Schema validation: embedded Kubernetes schemas (1.25 … 1.37), embedded Flux schemas, schemas
//! from the repository's CustomResourceDefinitions and from `--schema-location` directories.
//!
//! ```
//! use gitops_lint::schema::{Outcome, SchemaStore, Settings};
//! let store = SchemaStore::new(Settings::default());
//! let deployment = serde_json::json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
//!     "spec": {"replicas": "three", "selector": {}, "template": {}}
//! });
//! let Outcome::Invalid(violations) = store.validate(&deployment) else { panic!() };
//! assert_eq!(violations[0].pointer, "/spec/replicas");
//! ```
//!
//! Lookup order for a kind: CRDs added with [`SchemaStore::add_crd`] (the repository's and
//! `--crds DIR`), then `--schema-location` templates, then the embedded Flux schemas, then the
//! embedded Kubernetes schemas of `--kubernetes-version`.

pub mod check;
pub mod crd;
pub mod flux;
pub mod format;
pub mod k8s;
pub mod location;
pub mod nulls;
pub mod subst;
pub mod violation;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{PatternOptions, ValidationOptions, Validator};
use serde_json::Value;

pub use crd::{CrdError, CrdSchema};
pub use k8s::KubeVersion;
pub use location::Location;
pub use violation::{Violation, ViolationKind};

/// Validation options shared by every schema: formats as the API server checks them (and no
/// other), RE2-like regexes.
pub(crate) fn options() -> ValidationOptions<'static> {
    format::all()
        .fold(jsonschema::options(), |options, (name, check)| {
            options.with_format(name, check)
        })
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::regex())
}

/// Loose mode: remove every `additionalProperties: false`.
pub fn loosen(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
            }
            map.values_mut().for_each(loosen);
        }
        Value::Array(items) => items.iter_mut().for_each(loosen),
        _ => {}
    }
}

/// How objects are validated.
#[derive(Clone, Debug)]
pub struct Settings {
    pub kubernetes_version: KubeVersion,
    /// Unknown fields are errors (`additionalProperties: false` kept). `--no-strict` turns it off.
    pub strict: bool,
    pub locations: Vec<Location>,
    /// `--crds DIR`: directories of CustomResourceDefinitions (the repository's own win).
    pub crd_dirs: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kubernetes_version: KubeVersion::NEWEST,
            strict: true,
            locations: Vec::new(),
            crd_dirs: Vec::new(),
        }
    }
}

impl Settings {
    /// From the `check` flags; errors are usage errors (exit code 2).
    pub fn from_flags(
        kubernetes_version: Option<&str>,
        strict: bool,
        crd_dirs: Vec<PathBuf>,
        locations: &[String],
    ) -> Result<Settings, String> {
        let kubernetes_version = match kubernetes_version {
            Some(v) => KubeVersion::parse(v).map_err(|e| format!("--kubernetes-version: {e}"))?,
            None => KubeVersion::NEWEST,
        };
        for dir in &crd_dirs {
            if !dir.is_dir() {
                return Err(format!("--crds {}: not a directory", dir.display()));
            }
        }
        Ok(Settings {
            kubernetes_version,
            strict,
            locations: locations
                .iter()
                .map(|l| Location::parse(l))
                .collect::<Result<_, _>>()?,
            crd_dirs,
        })
    }
}

/// Where the schema of a kind came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A CustomResourceDefinition (its description, e.g. the file it was read from).
    Crd(String),
    /// A file from `--schema-location`.
    File(PathBuf),
    Flux,
    Kubernetes(KubeVersion),
}

/// What validating one object gave. Never confuse "the manifest is wrong" with "we could not check".
#[derive(Debug)]
pub enum Outcome {
    Valid,
    Invalid(Vec<Violation>),
    /// No schema for this apiVersion/kind anywhere.
    Missing,
    /// A schema exists but cannot be used (a broken CRD or schema file): the message says why.
    Broken(String),
}

/// A schema compiled on first use.
pub struct LazySchema {
    pub origin: Origin,
    schema: Value,
    validator: OnceLock<Result<Arc<Validator>, String>>,
}

impl LazySchema {
    pub fn new(origin: Origin, schema: Value) -> LazySchema {
        LazySchema {
            origin,
            schema,
            validator: OnceLock::new(),
        }
    }

    /// A schema known to be unusable.
    pub fn broken(origin: Origin, message: String) -> LazySchema {
        LazySchema {
            origin,
            schema: Value::Null,
            validator: OnceLock::from(Err(message)),
        }
    }

    /// How this schema reads `null` (`nullable`, or `null` among a field's types).
    pub fn nulls(&self) -> nulls::Nulls<'_> {
        nulls::Nulls {
            schema: &self.schema,
            root: &self.schema,
            builtin: false,
        }
    }

    pub fn validator(&self) -> Result<Arc<Validator>, String> {
        self.validator
            .get_or_init(|| {
                options()
                    .build(&self.schema)
                    .map(Arc::new)
                    .map_err(|e| format!("the schema cannot be compiled: {e}"))
            })
            .clone()
    }
}

type Key = (String, String);

/// Where the schema of a kind was found.
enum Found {
    Own(Arc<LazySchema>),
    Kubernetes(&'static k8s::VersionSchemas),
    Unusable(String),
}

impl Found {
    fn validator(&self, api_version: &str, kind: &str) -> Result<Arc<Validator>, String> {
        match self {
            Found::Own(s) => s.validator(),
            Found::Kubernetes(v) => v
                .validator(api_version, kind)
                .unwrap_or_else(|| Err(format!("no schema for {api_version} {kind}"))),
            Found::Unusable(e) => Err(e.clone()),
        }
    }

    fn nulls(&self, api_version: &str, kind: &str) -> Option<nulls::Nulls<'_>> {
        match self {
            Found::Own(s) => Some(s.nulls()),
            Found::Kubernetes(v) => v.nulls(api_version, kind),
            Found::Unusable(_) => None,
        }
    }
}

/// Every schema known to one run. `Sync`: validators compile lazily, once, on any thread.
pub struct SchemaStore {
    settings: Settings,
    crds: HashMap<Key, Arc<LazySchema>>,
    from_locations: Mutex<HashMap<Key, Option<Arc<LazySchema>>>>,
}

impl SchemaStore {
    pub fn new(settings: Settings) -> SchemaStore {
        SchemaStore {
            settings,
            crds: HashMap::new(),
            from_locations: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Adds the served versions of a CRD; a later CRD for the same kind replaces an earlier one.
    /// Returns the (apiVersion, kind) pairs added.
    pub fn add_crd(&mut self, crd: &Value, origin: &str) -> Result<Vec<Key>, CrdError> {
        let schemas = crd::crd_schemas(crd, self.settings.strict)?;
        let mut added = Vec::new();
        for s in schemas {
            let key = (s.api_version, s.kind);
            self.crds.insert(
                key.clone(),
                Arc::new(LazySchema::new(Origin::Crd(origin.to_owned()), s.schema)),
            );
            added.push(key);
        }
        Ok(added)
    }

    /// Whether a CRD added to this store defines the kind.
    pub fn has_crd(&self, api_version: &str, kind: &str) -> bool {
        self.crds
            .contains_key(&(api_version.to_owned(), kind.to_owned()))
    }

    /// Validates one object (a mapping with `apiVersion` and `kind`).
    pub fn validate(&self, object: &Value) -> Outcome {
        let (Some(api_version), Some(kind)) = (
            object.get("apiVersion").and_then(Value::as_str),
            object.get("kind").and_then(Value::as_str),
        ) else {
            return Outcome::Missing;
        };
        let Some(found) = self.lookup(api_version, kind) else {
            return Outcome::Missing;
        };
        match found.validator(api_version, kind) {
            Err(message) => Outcome::Broken(message),
            Ok(validator) => {
                let violations =
                    validate_with(&validator, object, found.nulls(api_version, kind).as_ref());
                if violations.is_empty() {
                    Outcome::Valid
                } else {
                    Outcome::Invalid(violations)
                }
            }
        }
    }

    /// The validator for a kind, in lookup order; `None` when nothing knows the kind.
    pub fn validator(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<Result<Arc<Validator>, String>> {
        self.lookup(api_version, kind)
            .map(|found| found.validator(api_version, kind))
    }

    /// The schema of a kind, in lookup order.
    fn lookup(&self, api_version: &str, kind: &str) -> Option<Found> {
        let key = (api_version.to_owned(), kind.to_owned());
        if let Some(s) = self.crds.get(&key) {
            return Some(Found::Own(s.clone()));
        }
        if !self.settings.locations.is_empty()
            && let Some(s) = self.lookup_location(&key)
        {
            return Some(Found::Own(s));
        }
        if let Some(s) = flux::schema(api_version, kind, self.settings.strict) {
            return Some(Found::Own(s));
        }
        match k8s::version(self.settings.kubernetes_version, self.settings.strict) {
            Ok(v) => v
                .definition_name(api_version, kind)
                .map(|_| Found::Kubernetes(v)),
            Err(e) => Some(Found::Unusable(e)),
        }
    }

    fn lookup_location(&self, key: &Key) -> Option<Arc<LazySchema>> {
        if let Some(found) = self.from_locations.lock().ok()?.get(key) {
            return found.clone();
        }
        let s = &self.settings;
        let found = s.locations.iter().find_map(|l| {
            let path = l.path(&key.0, &key.1, s.kubernetes_version, s.strict)?;
            let text = std::fs::read_to_string(&path).ok()?;
            let schema = match serde_json::from_str::<Value>(&text) {
                Ok(v) => v,
                Err(e) => {
                    // A broken file is a schema that cannot be used, not a missing one.
                    let message = format!("{}: not JSON: {e}", path.display());
                    return Some(Arc::new(LazySchema::broken(Origin::File(path), message)));
                }
            };
            Some(Arc::new(LazySchema::new(Origin::File(path), schema)))
        });
        self.from_locations
            .lock()
            .ok()?
            .insert(key.clone(), found.clone());
        found
    }
}

/// Validates `instance` as the API server would see it once Flux and SOPS have done their work:
/// `null`s the API server prunes are removed first (`nulls`; a required field that was `null` is
/// reported missing), the top-level `sops` key, SOPS-encrypted scalars of the right type and
/// placeholders (`${VAR}`, `{{ … }}` templates) are no errors, and a `${VAR:=default}` is validated
/// as its default.
pub fn validate_with(
    validator: &Validator,
    instance: &Value,
    nulls: Option<&nulls::Nulls<'_>>,
) -> Vec<Violation> {
    let pruned = nulls.and_then(|n| n.pruned(instance));
    let base = pruned.as_ref().unwrap_or(instance);
    let first = violation::collect(validator, base);
    if first.is_empty() {
        return first;
    }
    let needs_defaults = first.iter().any(|v| {
        base.pointer(&v.pointer)
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("${"))
    });
    let substituted = needs_defaults
        .then(|| subst::substitute_defaults(base))
        .flatten()
        .map(|mut s| {
            // `${VAR:=}` substitutes to `null`: unset too.
            if let Some(n) = nulls {
                n.prune(&mut s);
            }
            s
        });
    let (root, mut violations) = match &substituted {
        Some(s) => (s, violation::collect(validator, s)),
        None => (base, first),
    };
    violations.retain(|v| keep(v, root));
    for v in &mut violations {
        if let ViolationKind::Required { field } = &v.kind
            && instance
                .pointer(&v.pointer)
                .and_then(|parent| parent.get(field))
                .is_some_and(Value::is_null)
        {
            v.message.push_str(" (`null` leaves it unset)");
        }
    }
    violations
}

fn keep(v: &Violation, root: &Value) -> bool {
    if let ViolationKind::UnknownField { key } = &v.kind
        && key == "sops"
        && v.pointer == "/sops"
    {
        return false;
    }
    if matches!(
        v.kind,
        ViolationKind::Required { .. } | ViolationKind::UnknownField { .. }
    ) {
        return true;
    }
    let Some(Value::String(text)) = root.pointer(&v.pointer) else {
        return true;
    };
    if subst::has_placeholder(text) || subst::has_template(text) {
        return false;
    }
    match (subst::sops_type(text), &v.kind) {
        (None, _) => true,
        (Some("unknown"), _) => false,
        (Some(t), ViolationKind::Type { expected, .. }) => {
            !(expected.contains(&t) || (t == "integer" && expected.contains(&"number")))
        }
        // The encrypted text says nothing about the pattern, enum or format of the clear text.
        (Some(_), _) => false,
    }
}

#[cfg(test)]
mod tests;
