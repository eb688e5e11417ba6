//! The embedded Kubernetes schemas: one zstd bundle (see `schemas/SOURCES.md`), decoded per version
//! on first use, with one validator per (apiVersion, kind) compiled lazily and shared by all threads.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, OnceLock};

use jsonschema::{Registry, Validator};
use serde_json::Value;

static BUNDLE: &[u8] = include_bytes!("../../schemas/kubernetes.json.zst");

/// `$id` of every version's `_definitions.json`.
pub const DEFINITIONS_ID: &str = "https://kubernetes.io/api/_definitions.json";

/// Oldest and newest embedded minor versions of Kubernetes 1.x.
pub const OLDEST_MINOR: u8 = 25;
pub const NEWEST_MINOR: u8 = 37;
const COUNT: usize = (NEWEST_MINOR - OLDEST_MINOR + 1) as usize;

/// A Kubernetes version we have schemas for (`1.<minor>`; patch versions share the minor's schema).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KubeVersion {
    minor: u8,
}

impl KubeVersion {
    pub const NEWEST: KubeVersion = KubeVersion {
        minor: NEWEST_MINOR,
    };

    /// Parses `1.30`, `1.30.2`, `v1.30.0`. Versions outside the embedded range are an error that
    /// names the range.
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let mut parts = t.split('.');
        let major = parts.next().and_then(|p| p.parse::<u32>().ok());
        let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
        let patch_ok =
            parts.next().is_none_or(|p| p.parse::<u32>().is_ok()) && parts.next().is_none();
        match (major, minor) {
            (Some(1), Some(m))
                if patch_ok && (OLDEST_MINOR as u32..=NEWEST_MINOR as u32).contains(&m) =>
            {
                Ok(KubeVersion { minor: m as u8 })
            }
            (Some(_), Some(_)) if patch_ok => Err(format!(
                "Kubernetes version `{text}` is not embedded (supported: 1.{OLDEST_MINOR} to 1.{NEWEST_MINOR})"
            )),
            _ => Err(format!(
                "`{text}` is not a Kubernetes version (expected X.Y or X.Y.Z, e.g. 1.{NEWEST_MINOR})"
            )),
        }
    }

    pub fn minor(self) -> u8 {
        self.minor
    }

    /// kubeconform's `NormalizedKubernetesVersion`: `v1.30.0`.
    pub fn normalized(self) -> String {
        format!("v1.{}.0", self.minor)
    }

    fn slot(self) -> usize {
        (NEWEST_MINOR - self.minor) as usize
    }

    pub fn all() -> impl Iterator<Item = KubeVersion> {
        (OLDEST_MINOR..=NEWEST_MINOR)
            .rev()
            .map(|minor| KubeVersion { minor })
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::NEWEST
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

/// Decodes the text of one version's `_definitions.json` from the bundle: reads the stream only as
/// far as that version's end (newest versions come first).
pub fn definitions_text(version: KubeVersion) -> Result<String, String> {
    let mut input = BUNDLE;
    let mut decoder = ruzstd::decoding::StreamingDecoder::new(&mut input)
        .map_err(|e| format!("embedded schema bundle is corrupt: {e}"))?;
    let mut header = Vec::with_capacity(2048);
    let mut byte = [0u8; 1];
    loop {
        decoder
            .read_exact(&mut byte)
            .map_err(|e| format!("embedded schema bundle is corrupt: {e}"))?;
        if byte[0] == b'\n' {
            break;
        }
        header.push(byte[0]);
    }
    let index: Value =
        serde_json::from_slice(&header).map_err(|e| format!("schema bundle index: {e}"))?;
    let wanted = version.to_string();
    let entry = index["versions"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["version"] == wanted.as_str()))
        .ok_or_else(|| format!("Kubernetes {wanted} is not in the schema bundle"))?;
    let (start, end) = (
        entry["start"].as_u64().unwrap_or(0) as usize,
        entry["end"].as_u64().unwrap_or(0) as usize,
    );
    let mut buf = vec![0u8; end];
    decoder
        .read_exact(&mut buf)
        .map_err(|e| format!("embedded schema bundle is corrupt: {e}"))?;
    buf.drain(..start);
    String::from_utf8(buf).map_err(|e| format!("embedded schema bundle is not UTF-8: {e}"))
}

/// Everything known about one version in one mode (strict or loose).
pub struct VersionSchemas {
    registry: Registry<'static>,
    /// The `_definitions.json` document, for null pruning (`super::nulls`).
    doc: Value,
    /// (apiVersion, kind) → (definition name, validator slot)
    kinds: HashMap<(String, String), usize>,
    slots: Vec<Slot>,
}

struct Slot {
    definition: String,
    validator: OnceLock<Result<Arc<Validator>, String>>,
}

impl VersionSchemas {
    fn build(version: KubeVersion, strict: bool) -> Result<VersionSchemas, String> {
        let text = definitions_text(version)?;
        let mut doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("schema bundle for {version}: {e}"))?;
        if !strict {
            super::loosen(&mut doc);
        }
        let mut kinds = HashMap::new();
        let mut slots = Vec::new();
        if let Some(defs) = doc.get("$defs").and_then(Value::as_object) {
            for (name, def) in defs {
                let Some(gvks) = def
                    .get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array)
                else {
                    continue;
                };
                // Only top-level kinds: those whose `kind` property is pinned by an enum.
                if def.pointer("/properties/kind/enum").is_none() {
                    continue;
                }
                for gvk in gvks {
                    let (Some(group), Some(ver), Some(kind)) = (
                        gvk["group"].as_str(),
                        gvk["version"].as_str(),
                        gvk["kind"].as_str(),
                    ) else {
                        continue;
                    };
                    let api_version = if group.is_empty() {
                        ver.to_owned()
                    } else {
                        format!("{group}/{ver}")
                    };
                    kinds
                        .entry((api_version, kind.to_owned()))
                        .or_insert_with(|| {
                            slots.push(Slot {
                                definition: name.clone(),
                                validator: OnceLock::new(),
                            });
                            slots.len() - 1
                        });
                }
            }
        }
        let registry = Registry::new()
            .add(DEFINITIONS_ID, doc.clone())
            .and_then(|b| b.prepare())
            .map_err(|e| format!("schema registry for {version}: {e}"))?;
        Ok(VersionSchemas {
            registry,
            doc,
            kinds,
            slots,
        })
    }

    /// The validator for one kind, compiled on first use. `None`: no such kind in this version.
    pub fn validator(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<Result<Arc<Validator>, String>> {
        let slot = &self.slots[*self.kinds.get(&(api_version.to_owned(), kind.to_owned()))?];
        let built = slot.validator.get_or_init(|| {
            let schema = serde_json::json!({ "$ref": format!("{DEFINITIONS_ID}#/$defs/{}", slot.definition) });
            super::options()
                .with_registry(&self.registry)
                .build(&schema)
                .map(Arc::new)
                .map_err(|e| format!("cannot compile the schema of {api_version} {kind}: {e}"))
        });
        Some(built.clone())
    }

    /// Every (apiVersion, kind) of this version.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &str)> {
        self.kinds.keys().map(|(a, k)| (a.as_str(), k.as_str()))
    }

    /// How the API server reads `null` in one kind (every declared field: unset).
    pub fn nulls(&self, api_version: &str, kind: &str) -> Option<super::nulls::Nulls<'_>> {
        let name = self.definition_name(api_version, kind)?;
        Some(super::nulls::Nulls {
            schema: self.doc.get("$defs")?.get(name)?,
            root: &self.doc,
            builtin: true,
        })
    }

    pub fn definition_name(&self, api_version: &str, kind: &str) -> Option<&str> {
        let slot = self.kinds.get(&(api_version.to_owned(), kind.to_owned()))?;
        Some(&self.slots[*slot].definition)
    }
}

type Cell = OnceLock<Result<VersionSchemas, String>>;
static STRICT: [Cell; COUNT] = [const { OnceLock::new() }; COUNT];
static LOOSE: [Cell; COUNT] = [const { OnceLock::new() }; COUNT];

/// The schemas of one version, decoded and registered on first use (shared by all threads).
pub fn version(version: KubeVersion, strict: bool) -> Result<&'static VersionSchemas, String> {
    let cells = if strict { &STRICT } else { &LOOSE };
    cells[version.slot()]
        .get_or_init(|| VersionSchemas::build(version, strict))
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(KubeVersion::parse("1.30").unwrap().minor(), 30);
        assert_eq!(KubeVersion::parse("v1.25.3").unwrap().minor(), 25);
        assert!(
            KubeVersion::parse("1.24")
                .unwrap_err()
                .contains("1.25 to 1.37")
        );
        assert!(KubeVersion::parse("one").is_err());
        assert!(KubeVersion::parse("1.30.x").is_err());
        assert_eq!(KubeVersion::parse("1.31").unwrap().normalized(), "v1.31.0");
    }

    #[test]
    fn every_version_decodes_and_knows_deployments() {
        for v in KubeVersion::all() {
            let text = definitions_text(v).unwrap();
            assert!(text.starts_with('{') && text.ends_with('}'), "{v}");
            assert!(!text.contains("\"description\":\""), "{v}");
            assert!(text.contains("\"format\":\"quantity\""), "{v}");
        }
        let s = version(KubeVersion::NEWEST, true).unwrap();
        assert_eq!(
            s.definition_name("apps/v1", "Deployment"),
            Some("io.k8s.api.apps.v1.Deployment")
        );
        assert_eq!(
            s.definition_name("v1", "ConfigMap"),
            Some("io.k8s.api.core.v1.ConfigMap")
        );
        assert!(s.definition_name("apps/v1", "DeploymentSpec").is_none());
    }
}
