//! `--schema-location`: kubeconform's templates over local directories.
//!
//! A location without `{{` and not ending in `json` is a directory laid out like
//! kubernetes-json-schema: `DIR/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/
//! {{ .ResourceKind }}{{ .KindSuffix }}.json`. `default` means the embedded schemas. URLs are refused:
//! gitops-lint never goes to the network.

use std::path::PathBuf;

use super::k8s::KubeVersion;

/// A parsed `--schema-location`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `default`: the embedded Kubernetes schemas.
    Embedded,
    Template(String),
}

const VARIABLES: [&str; 6] = [
    "NormalizedKubernetesVersion",
    "StrictSuffix",
    "ResourceKind",
    "ResourceAPIVersion",
    "Group",
    "KindSuffix",
];

impl Location {
    /// Parses one `--schema-location` value; the error is for the user (exit code 2).
    pub fn parse(text: &str) -> Result<Location, String> {
        if text == "default" {
            return Ok(Location::Embedded);
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") || lower.contains("://") {
            return Err(format!(
                "--schema-location `{text}` is a URL; gitops-lint never uses the network: download the schemas and pass their directory"
            ));
        }
        let mut template = text.to_owned();
        if !template.contains("{{") && !template.ends_with("json") {
            template = format!(
                "{}/{{{{ .NormalizedKubernetesVersion }}}}-standalone{{{{ .StrictSuffix }}}}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
                template.trim_end_matches('/')
            );
        }
        // Every `{{ … }}` must be one of kubeconform's variables.
        let mut rest = template.as_str();
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                return Err(format!("--schema-location `{text}`: unclosed `{{{{`"));
            };
            let inner = rest[start + 2..start + len].trim();
            let name = inner.strip_prefix('.').unwrap_or("");
            if !VARIABLES.contains(&name) {
                return Err(format!(
                    "--schema-location `{text}`: unknown variable `{inner}` (known: {})",
                    VARIABLES.map(|v| format!(".{v}")).join(", ")
                ));
            }
            rest = &rest[start + len + 2..];
        }
        Ok(Location::Template(template))
    }

    /// The file this location names for one kind, or `None` for `default`.
    pub fn path(
        &self,
        api_version: &str,
        kind: &str,
        version: KubeVersion,
        strict: bool,
    ) -> Option<PathBuf> {
        let Location::Template(template) = self else {
            return None;
        };
        let (group_part, resource_version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => (api_version, api_version),
        };
        let first = group_part.split('.').next().unwrap_or_default();
        let mut kind_suffix = format!("-{}", first.to_lowercase());
        if let Some((_, v)) = api_version.split_once('/') {
            kind_suffix.push('-');
            kind_suffix.push_str(&v.to_lowercase());
        }
        let value = |name: &str| -> String {
            match name {
                "NormalizedKubernetesVersion" => version.normalized(),
                "StrictSuffix" => if strict { "-strict" } else { "" }.to_owned(),
                "ResourceKind" => kind.to_lowercase(),
                "ResourceAPIVersion" => resource_version.to_owned(),
                "Group" => group_part.to_owned(),
                "KindSuffix" => kind_suffix.clone(),
                _ => String::new(),
            }
        };
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template.as_str();
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let len = rest[start..].find("}}").unwrap_or(rest.len() - start);
            let inner = rest[start + 2..start + len].trim();
            out.push_str(&value(inner.trim_start_matches('.')));
            rest = rest.get(start + len + 2..).unwrap_or("");
        }
        out.push_str(rest);
        Some(PathBuf::from(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v() -> KubeVersion {
        KubeVersion::parse("1.30").unwrap()
    }

    #[test]
    fn expands_kubeconform_templates() {
        let l = Location::parse(
            "schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
        )
        .unwrap();
        assert_eq!(
            l.path("cert-manager.io/v1", "Certificate", v(), true)
                .unwrap(),
            PathBuf::from("schemas/cert-manager.io/certificate_v1.json")
        );
        let l =
            Location::parse("s/{{.ResourceKind}}{{.KindSuffix}}{{ .StrictSuffix }}.json").unwrap();
        assert_eq!(
            l.path("apps/v1", "Deployment", v(), true).unwrap(),
            PathBuf::from("s/deployment-apps-v1-strict.json")
        );
        assert_eq!(
            l.path("v1", "Service", v(), false).unwrap(),
            PathBuf::from("s/service-v1.json")
        );
        assert_eq!(
            l.path("helm.toolkit.fluxcd.io/v2", "HelmRelease", v(), false)
                .unwrap(),
            PathBuf::from("s/helmrelease-helm-v2.json")
        );
    }

    #[test]
    fn directories_get_the_standalone_layout() {
        let l = Location::parse("/opt/k8s/").unwrap();
        assert_eq!(
            l.path("apps/v1", "Deployment", v(), true).unwrap(),
            PathBuf::from("/opt/k8s/v1.30.0-standalone-strict/deployment-apps-v1.json")
        );
        assert_eq!(Location::parse("default").unwrap(), Location::Embedded);
    }

    #[test]
    fn urls_and_unknown_variables_are_refused() {
        assert!(
            Location::parse("https://raw.githubusercontent.com/x/{{ .ResourceKind }}.json")
                .unwrap_err()
                .contains("URL")
        );
        assert!(Location::parse("http://x").is_err());
        assert!(
            Location::parse("d/{{ .Kind }}.json")
                .unwrap_err()
                .contains("unknown variable")
        );
        assert!(Location::parse("d/{{ .ResourceKind .json").is_err());
    }
}
