//! `.gitops-lint.yaml`: what the repository cannot say about itself.
//!
//! Read with the project's own YAML parser so that every mistake is reported as
//! `path:line:col: message` (a usage error, exit code 2). Flags win over the file.
//!
//! ```yaml
//! exclude: [vendor/, "**/testdata/"]
//! clusters:
//!   production: clusters/production
//! external:
//!   namespaces: [monitoring]
//!   objects:
//!     - {kind: Kustomization, name: infra, namespace: flux-system, cluster: production}
//! kubernetesVersion: "1.31"
//! fluxVersion: "2.4.0"
//! ```

use std::path::Path;

use ignore::gitignore::GitignoreBuilder;

use crate::flux::options::{ConfiguredCluster, ExternalObject};
use crate::flux::version::FluxVersion;
use crate::source::{FileId, LineIndex, Span};
use crate::walk::Exclude;
use crate::yaml::{Node, Value};

/// The file read when `--config` is not given (at the repository root; absent is fine).
pub const DEFAULT_FILE: &str = ".gitops-lint.yaml";

const KEYS: &[&str] = &[
    "exclude",
    "clusters",
    "external",
    "kubernetesVersion",
    "fluxVersion",
];

/// The configuration, validated.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `exclude:` globs, compiled against the root.
    pub exclude: Exclude,
    /// `clusters:`, `external:` and `fluxVersion:`.
    pub model: crate::flux::Options,
    /// `kubernetesVersion:` as written (already checked); `--kubernetes-version` wins.
    pub kubernetes_version: Option<String>,
}

/// Reads the configuration of the repository at `root`: `explicit` (`--config FILE`, which must
/// exist) or `root/.gitops-lint.yaml` (which may be absent). `shown` is how people see `explicit`
/// or the root prefix in messages.
pub fn load(root: &Path, explicit: Option<&Path>, root_display: &str) -> Result<Config, String> {
    let (path, shown) = match explicit {
        Some(path) => (path.to_path_buf(), path.display().to_string()),
        None => {
            let path = root.join(DEFAULT_FILE);
            if !path.exists() {
                return Ok(Config::default());
            }
            (path, format!("{root_display}{DEFAULT_FILE}"))
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("--config {shown}: {e}"))?;
    parse(root, &text, &shown)
}

/// Parses and validates configuration `text`; `shown` names the file in error messages.
pub fn parse(root: &Path, text: &str, shown: &str) -> Result<Config, String> {
    let reader = Reader {
        text,
        shown,
        lines: LineIndex::new(text),
    };
    let parsed = crate::yaml::parse(FileId(0), text);
    if let Some(problem) = parsed.problems.first() {
        return Err(reader.error(problem.span, &problem.message));
    }
    let mut config = Config::default();
    let documents: Vec<&Node> = (parsed.documents.iter())
        .filter_map(|d| d.root.as_ref())
        .collect();
    if documents.len() > 1 {
        return Err(reader.error(documents[1].span, "the configuration is one YAML document"));
    }
    let Some(root_node) = documents.first() else {
        return Ok(config);
    };
    if root_node.value == Value::Null {
        return Ok(config);
    }
    let entries = reader.map(root_node, "the configuration")?;
    for (key, value) in entries {
        let name = reader.key(key)?;
        match name {
            "exclude" => config.exclude = reader.exclude(root, value)?,
            "clusters" => config.model.clusters = reader.clusters(root, value)?,
            "external" => config.model.external = reader.external(value)?,
            "kubernetesVersion" => {
                let version = reader.version_text(value, name)?;
                crate::schema::KubeVersion::parse(&version)
                    .map_err(|e| reader.error(value.span, &format!("kubernetesVersion: {e}")))?;
                config.kubernetes_version = Some(version);
            }
            "fluxVersion" => {
                let version = reader.version_text(value, name)?;
                let parsed = FluxVersion::parse(&version).filter(|v| v.major == 2);
                if parsed.is_none() {
                    return Err(reader.error(
                        value.span,
                        &format!(
                            "fluxVersion: `{version}` is not a Flux 2 release (expected 2.Y or 2.Y.Z, e.g. 2.4.0)"
                        ),
                    ));
                }
                config.model.flux_version = Some(version);
            }
            _ => {
                return Err(reader.error(
                    key.span,
                    &format!(
                        "unknown key `{name}` (expected one of: {})",
                        KEYS.join(", ")
                    ),
                ));
            }
        }
    }
    for object in &config.model.external {
        if let Some(cluster) = &object.cluster
            && !config.model.clusters.is_empty()
            && !config.model.clusters.iter().any(|c| &c.name == cluster)
        {
            // Reported at the entry: find it again for its span.
            let span = reader.find_cluster_value(root_node, cluster);
            return Err(reader.error(
                span,
                &format!("external: cluster `{cluster}` is not one of the configured `clusters`"),
            ));
        }
    }
    Ok(config)
}

struct Reader<'t> {
    text: &'t str,
    shown: &'t str,
    lines: LineIndex,
}

impl<'t> Reader<'t> {
    fn error(&self, span: Span, message: &str) -> String {
        let at = self.lines.line_col(span.start, self.text);
        format!("{}:{}:{}: {message}", self.shown, at.line, at.column)
    }

    fn type_name(node: &Node) -> &'static str {
        match node.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    fn map<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [(Node, Node)], String> {
        node.as_map().ok_or_else(|| {
            self.error(
                node.span,
                &format!("{what} must be a mapping, not {}", Self::type_name(node)),
            )
        })
    }

    fn seq<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], String> {
        node.as_seq().ok_or_else(|| {
            self.error(
                node.span,
                &format!("{what} must be a list, not {}", Self::type_name(node)),
            )
        })
    }

    fn key<'n>(&self, key: &'n Node) -> Result<&'n str, String> {
        key.as_str().ok_or_else(|| {
            self.error(
                key.span,
                &format!("keys must be strings, not {}", Self::type_name(key)),
            )
        })
    }

    /// A non-empty string (numbers and booleans are refused: `yes` is not a name).
    fn string(&self, node: &Node, what: &str) -> Result<String, String> {
        match node.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
            Some(_) => Err(self.error(node.span, &format!("{what} must not be empty"))),
            None => Err(self.error(
                node.span,
                &format!("{what} must be a string, not {}", Self::type_name(node)),
            )),
        }
    }

    /// A version as written: a string, or a plain number read from the source text (YAML turns
    /// `1.30` into the float 1.3).
    fn version_text(&self, node: &Node, what: &str) -> Result<String, String> {
        match node.value {
            Value::Int(_) | Value::Float(_) => {
                let (start, end) = (node.span.start as usize, node.span.end as usize);
                Ok(self.text[start..end].trim().to_string())
            }
            _ => self.string(node, what),
        }
    }

    fn exclude(&self, root: &Path, node: &Node) -> Result<Exclude, String> {
        let mut builder = GitignoreBuilder::new(root);
        for item in self.seq(node, "exclude")? {
            let glob = self.string(item, "an exclude glob")?;
            builder
                .add_line(None, &glob)
                .map_err(|e| self.error(item.span, &format!("exclude: bad glob `{glob}`: {e}")))?;
        }
        let matcher = builder
            .build()
            .map_err(|e| self.error(node.span, &format!("exclude: {e}")))?;
        Ok(Exclude::new(matcher))
    }

    fn clusters(&self, root: &Path, node: &Node) -> Result<Vec<ConfiguredCluster>, String> {
        let mut clusters = Vec::new();
        for (key, value) in self.map(node, "clusters")? {
            let name = self.string(key, "a cluster name")?;
            let written = self.string(value, &format!("the path of cluster `{name}`"))?;
            let path = normalise(&written).ok_or_else(|| {
                self.error(
                    value.span,
                    &format!(
                        "clusters: `{written}` must be a path inside the repository (relative, without `..`)"
                    ),
                )
            })?;
            if !root.join(&path).exists() {
                return Err(self.error(
                    value.span,
                    &format!("clusters: `{written}` does not exist in the repository"),
                ));
            }
            clusters.push(ConfiguredCluster { name, path });
        }
        Ok(clusters)
    }

    fn external(&self, node: &Node) -> Result<Vec<ExternalObject>, String> {
        let mut external = Vec::new();
        for (key, value) in self.map(node, "external")? {
            match self.key(key)? {
                "namespaces" => {
                    for item in self.seq(value, "external.namespaces")? {
                        let name = self.string(item, "a namespace")?;
                        self.dns_label(item, &name, "namespace")?;
                        external.push(ExternalObject {
                            cluster: None,
                            kind: "Namespace".into(),
                            namespace: None,
                            name,
                        });
                    }
                }
                "objects" => {
                    for item in self.seq(value, "external.objects")? {
                        external.push(self.external_object(item)?);
                    }
                }
                other => {
                    return Err(self.error(
                        key.span,
                        &format!(
                            "unknown key `{other}` in external (expected namespaces or objects)"
                        ),
                    ));
                }
            }
        }
        Ok(external)
    }

    fn external_object(&self, node: &Node) -> Result<ExternalObject, String> {
        let (mut kind, mut name, mut namespace, mut cluster) = (None, None, None, None);
        for (key, value) in self.map(node, "an external object")? {
            match self.key(key)? {
                "kind" => {
                    let text = self.string(value, "kind")?;
                    let valid = text.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && text.chars().all(|c| c.is_ascii_alphanumeric());
                    if !valid {
                        return Err(self.error(
                            value.span,
                            &format!("`{text}` is not a kind (e.g. Secret, Kustomization)"),
                        ));
                    }
                    kind = Some(text);
                }
                "name" => name = Some(self.string(value, "name")?),
                "namespace" => {
                    let text = self.string(value, "namespace")?;
                    self.dns_label(value, &text, "namespace")?;
                    namespace = Some(text);
                }
                "cluster" => cluster = Some(self.string(value, "cluster")?),
                other => {
                    return Err(self.error(
                        key.span,
                        &format!(
                            "unknown key `{other}` in an external object (expected kind, name, namespace, cluster)"
                        ),
                    ));
                }
            }
        }
        let missing =
            |what: &str| self.error(node.span, &format!("an external object needs `{what}`"));
        Ok(ExternalObject {
            cluster,
            kind: kind.ok_or_else(|| missing("kind"))?,
            namespace,
            name: name.ok_or_else(|| missing("name"))?,
        })
    }

    fn dns_label(&self, node: &Node, text: &str, what: &str) -> Result<(), String> {
        let valid = text.len() <= 63
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if valid {
            Ok(())
        } else {
            Err(self.error(
                node.span,
                &format!("`{text}` is not a valid {what} name (lowercase letters, digits and `-`)"),
            ))
        }
    }

    /// The span of the `cluster:` value naming `cluster` under `external.objects`.
    fn find_cluster_value(&self, root: &Node, cluster: &str) -> Span {
        (root.pointer("/external/objects").and_then(Node::as_seq))
            .into_iter()
            .flatten()
            .filter_map(|o| o.get("cluster"))
            .find(|c| c.as_str() == Some(cluster))
            .map_or(root.span, |c| c.span)
    }
}

/// `./clusters/prod/` → `clusters/prod`; `None` for absolute paths and `..`.
fn normalise(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let parts: Vec<&str> = (path.split('/'))
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_cluster_paths() {
        assert_eq!(
            normalise("./clusters/prod/").as_deref(),
            Some("clusters/prod")
        );
        assert_eq!(
            normalise("clusters//prod").as_deref(),
            Some("clusters/prod")
        );
        assert_eq!(normalise("."), Some(String::new()));
        assert_eq!(normalise("/etc"), None);
        assert_eq!(normalise("../other"), None);
    }
}
