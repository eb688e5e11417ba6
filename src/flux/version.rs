//! Which Flux the repository installs, and which API versions each Flux release serves.
//!
//! A repository that bootstraps Flux says which release it runs: the header of
//! `gotk-components.yaml` (`# Flux Version: v2.4.0`), a Flux Operator `FluxInstance`
//! (`spec.distribution.version`), or a HelmRelease of the operator's `flux-instance` chart
//! (`values.instance.distribution.version`). `fluxVersion:` in `.gitops-lint.yaml` overrides them.

use std::fmt;

use crate::inventory::Inventory;
use crate::source::{FileId, Span};

/// A Flux release, `v2.MINOR[.PATCH]` (a range like `2.4.x` keeps only its minor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FluxVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
}

impl fmt::Display for FluxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "v{}.{}.{patch}", self.major, self.minor),
            None => write!(f, "v{}.{}", self.major, self.minor),
        }
    }
}

impl FluxVersion {
    /// `v2.4.0`, `2.4.0`, `2.4`, and ranges that fix the minor: `2.4.x`, `2.4.*`, `~2.4.0`,
    /// `=2.4.1`. `None` for anything else, including ranges over minors (`2.x`, `>=2.3`): the
    /// operator then installs the newest release it knows, which the repository does not say.
    pub fn parse(text: &str) -> Option<FluxVersion> {
        let text = text.trim();
        let text = text
            .strip_prefix('~')
            .or_else(|| text.strip_prefix('='))
            .unwrap_or(text);
        let text = text.strip_prefix('v').unwrap_or(text);
        // `2.6.0-rc.1` is a release of 2.6.
        let text = text.split(['-', '+']).next().unwrap_or(text);
        let mut parts = text.split('.');
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        let patch = match parts.next() {
            None | Some("x" | "X" | "*") => None,
            Some(p) => Some(number(Some(p))?),
        };
        parts.next().is_none().then_some(FluxVersion {
            major,
            minor,
            patch,
        })
    }

    /// The minor release of Flux 2 this version is, when the lifecycle table can judge it.
    fn flux2_minor(self) -> Option<u32> {
        (self.major == 2).then_some(self.minor)
    }
}

/// Where the installed Flux version was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    pub version: FluxVersion,
    /// Repository-relative path of the file that says so.
    pub path: String,
    /// The version text (the header comment, or the `version:` value).
    pub span: Span,
    /// An object of that file (the FluxInstance or HelmRelease itself; any object of
    /// `gotk-components.yaml`), whose clusters the installation belongs to.
    pub object: Option<usize>,
}

/// Every Flux installation the repository declares with a version, in file order.
pub fn installed(inventory: &Inventory) -> Vec<Installed> {
    let mut found = Vec::new();
    for file in &inventory.files {
        if !(file.path == "gotk-components.yaml" || file.path.ends_with("/gotk-components.yaml")) {
            continue;
        }
        if let Some((start, end)) = components_header(&file.text)
            && let Some(version) = FluxVersion::parse(&file.text[start..end])
        {
            found.push(Installed {
                version,
                path: file.path.clone(),
                span: Span::new(file.id, start, end),
                object: first_object_of(inventory, file.id),
            });
        }
    }
    for (index, object) in inventory.objects.iter().enumerate() {
        let version = match object.id.kind.as_str() {
            "FluxInstance" if object.id.group == "fluxcd.controlplane.io" => {
                object.root.pointer("/spec/distribution/version")
            }
            "HelmRelease" if is_flux_instance_chart(inventory, object) => object
                .root
                .pointer("/spec/values/instance/distribution/version"),
            _ => None,
        };
        let Some(node) = version else { continue };
        let text = crate::object::scalar_text(node);
        if let Some(version) = FluxVersion::parse(&text) {
            found.push(Installed {
                version,
                path: inventory.file(object.file).path.clone(),
                span: node.span,
                object: Some(index),
            });
        }
    }
    found.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    found
}

/// The byte range of `v2.x.y` in the `# Flux Version: v2.x.y` header (first 20 lines).
fn components_header(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n').take(20) {
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.strip_prefix('#') {
            let rest_start = offset + 1 + (rest.len() - rest.trim_start().len());
            if let Some(value) = rest.trim_start().strip_prefix("Flux Version:") {
                let start =
                    rest_start + "Flux Version:".len() + (value.len() - value.trim_start().len());
                return Some((start, offset + trimmed.len()));
            }
        }
        offset += line.len();
    }
    None
}

fn first_object_of(inventory: &Inventory, file: FileId) -> Option<usize> {
    inventory.objects.iter().position(|o| o.file == file)
}

/// A HelmRelease of the Flux Operator's `flux-instance` chart: `spec.chart.spec.chart`, or a
/// `chartRef` to an OCIRepository whose URL ends in `/flux-instance`.
fn is_flux_instance_chart(inventory: &Inventory, release: &crate::object::Object) -> bool {
    if release.id.group != super::model::HELM_GROUP {
        return false;
    }
    if release
        .root
        .pointer("/spec/chart/spec/chart")
        .and_then(|n| n.as_str())
        == Some("flux-instance")
    {
        return true;
    }
    let Some(chart_ref) = release.root.pointer("/spec/chartRef") else {
        return false;
    };
    if chart_ref.get_str("kind") != Some("OCIRepository") {
        return false;
    }
    let name = chart_ref.get_str("name");
    let namespace = chart_ref
        .get_str("namespace")
        .or(release.id.namespace.as_deref());
    inventory.objects_of_kind("OCIRepository").any(|repo| {
        Some(repo.id.name.as_str()) == name
            && (repo.id.namespace.as_deref() == namespace || namespace.is_none())
            && repo
                .root
                .pointer("/spec/url")
                .and_then(|n| n.as_str())
                .is_some_and(|url| url.trim_end_matches('/').ends_with("/flux-instance"))
    })
}

/// One Flux API version and the Flux 2 minor releases that introduced, deprecated and removed
/// it (`0` = served by Flux v2.0 already).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiLifecycle {
    pub group: &'static str,
    pub kind: &'static str,
    pub version: &'static str,
    pub introduced: u32,
    /// First minor in which a newer version of the kind is served (the old one is deprecated).
    pub deprecated: Option<u32>,
    /// First minor whose CRD no longer serves it.
    pub removed: Option<u32>,
}

const SRC: &str = "source.toolkit.fluxcd.io";
const KS: &str = "kustomize.toolkit.fluxcd.io";
const HELM: &str = "helm.toolkit.fluxcd.io";
const NOTIF: &str = "notification.toolkit.fluxcd.io";
const IMG: &str = "image.toolkit.fluxcd.io";

const fn api(
    group: &'static str,
    kind: &'static str,
    version: &'static str,
    introduced: u32,
    deprecated: Option<u32>,
    removed: Option<u32>,
) -> ApiLifecycle {
    ApiLifecycle {
        group,
        kind,
        version,
        introduced,
        deprecated,
        removed,
    }
}

/// The newest Flux minor release the table knows (its CRDs are `../shared/flux-crds/`).
pub const NEWEST_KNOWN_MINOR: u32 = 9;

/// Which Flux 2 minor release serves, deprecates and removes each Flux API version.
///
/// Sources:
/// - the Flux CRDs at every controller release tag (`config/crd/bases`; first and last tag serving
///   each version, as summarised in the project's `flux-crds/SOURCES.md`), mapped to Flux
///   releases: source-, kustomize- and notification-controller `v1.N` ship in Flux `v2.N`;
///   helm-controller `v1.N` in Flux `v2.(N+3)` (`v0.35`…`v0.37` in 2.0…2.2); image-reflector- and
///   image-automation-controller `v1.N` in Flux `v2.(N+7)` (`v0.29+k` / `v0.35+k` in `v2.k`);
/// - "deprecated" = the first release that serves the replacement (helm-controller#821 adds the
///   `v2beta1` warning in Flux 2.2; the Flux 2.7 announcement promotes the image APIs to `v1`);
/// - removals: fluxcd/flux2#5474 and discussion #5572 (`v1beta1`/`v2beta1` gone in Flux 2.7),
///   fluxcd/flux2#5711 (source and kustomize `v1beta2`, helm `v2beta2` gone in Flux 2.8),
///   image-reflector-controller v1.2.0 changelog and notification-controller v1.9 CRDs (image and
///   notification `v1beta2` gone in Flux 2.9).
pub const LIFECYCLE: &[ApiLifecycle] = &[
    api(SRC, "GitRepository", "v1beta1", 0, Some(0), Some(7)),
    api(SRC, "HelmRepository", "v1beta1", 0, Some(0), Some(7)),
    api(SRC, "HelmChart", "v1beta1", 0, Some(0), Some(7)),
    api(SRC, "Bucket", "v1beta1", 0, Some(0), Some(7)),
    api(SRC, "GitRepository", "v1beta2", 0, Some(0), Some(8)),
    api(SRC, "HelmRepository", "v1beta2", 0, Some(3), Some(8)),
    api(SRC, "HelmChart", "v1beta2", 0, Some(3), Some(8)),
    api(SRC, "Bucket", "v1beta2", 0, Some(4), Some(8)),
    api(SRC, "OCIRepository", "v1beta2", 0, Some(6), Some(8)),
    api(SRC, "GitRepository", "v1", 0, None, None),
    api(SRC, "HelmRepository", "v1", 3, None, None),
    api(SRC, "HelmChart", "v1", 3, None, None),
    api(SRC, "Bucket", "v1", 4, None, None),
    api(SRC, "OCIRepository", "v1", 6, None, None),
    api(SRC, "ExternalArtifact", "v1", 7, None, None),
    api(KS, "Kustomization", "v1beta1", 0, Some(0), Some(7)),
    api(KS, "Kustomization", "v1beta2", 0, Some(0), Some(8)),
    api(KS, "Kustomization", "v1", 0, None, None),
    api(HELM, "HelmRelease", "v2beta1", 0, Some(2), Some(7)),
    api(HELM, "HelmRelease", "v2beta2", 2, Some(3), Some(8)),
    api(HELM, "HelmRelease", "v2", 3, None, None),
    api(NOTIF, "Alert", "v1beta1", 0, Some(0), Some(7)),
    api(NOTIF, "Provider", "v1beta1", 0, Some(0), Some(7)),
    api(NOTIF, "Receiver", "v1beta1", 0, Some(0), Some(7)),
    api(NOTIF, "Alert", "v1beta2", 0, Some(2), Some(9)),
    api(NOTIF, "Provider", "v1beta2", 0, Some(2), Some(9)),
    api(NOTIF, "Receiver", "v1beta2", 0, Some(0), Some(9)),
    api(NOTIF, "Alert", "v1beta3", 2, None, None),
    api(NOTIF, "Provider", "v1beta3", 2, None, None),
    api(NOTIF, "Receiver", "v1", 0, None, None),
    api(IMG, "ImageRepository", "v1beta1", 0, Some(0), Some(7)),
    api(IMG, "ImagePolicy", "v1beta1", 0, Some(0), Some(7)),
    api(IMG, "ImageUpdateAutomation", "v1beta1", 0, Some(3), Some(7)),
    api(IMG, "ImageRepository", "v1beta2", 0, Some(7), Some(9)),
    api(IMG, "ImagePolicy", "v1beta2", 0, Some(7), Some(9)),
    api(IMG, "ImageUpdateAutomation", "v1beta2", 3, Some(7), Some(9)),
    api(IMG, "ImageRepository", "v1", 7, None, None),
    api(IMG, "ImagePolicy", "v1", 7, None, None),
    api(IMG, "ImageUpdateAutomation", "v1", 7, None, None),
];

/// What a Flux release does with one API version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Served and current.
    Current,
    /// Served, but a newer version exists; removed in that minor release (if known).
    Deprecated { removed: Option<u32> },
    /// No longer served since that minor release.
    Removed { since: u32 },
    /// Not served yet: first served by that minor release.
    NotYet { since: u32 },
}

/// How `version` (a Flux 2 release) treats `group/version` `kind`; `None` when the table does
/// not know the API version or cannot judge the release (Flux before 2.0).
pub fn support(flux: FluxVersion, group: &str, version: &str, kind: &str) -> Option<Support> {
    let minor = flux.flux2_minor()?.min(NEWEST_KNOWN_MINOR);
    let row = LIFECYCLE
        .iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)?;
    Some(if row.removed.is_some_and(|r| r <= minor) {
        Support::Removed {
            since: row.removed.unwrap_or_default(),
        }
    } else if row.introduced > minor {
        Support::NotYet {
            since: row.introduced,
        }
    } else if row.deprecated.is_some_and(|d| d <= minor) {
        Support::Deprecated {
            removed: row.removed,
        }
    } else {
        Support::Current
    })
}

/// The API version of `kind` that `flux` serves and does not deprecate (what to write instead).
pub fn current_version(flux: FluxVersion, group: &str, kind: &str) -> Option<&'static str> {
    (LIFECYCLE.iter())
        .filter(|r| r.group == group && r.kind == kind)
        .find(|r| support(flux, r.group, r.version, r.kind) == Some(Support::Current))
        .map(|r| r.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> FluxVersion {
        FluxVersion::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn parses_releases_and_ranges_that_fix_the_minor() {
        assert_eq!(
            v("v2.4.0"),
            FluxVersion {
                major: 2,
                minor: 4,
                patch: Some(0)
            }
        );
        assert_eq!(v("2.4").to_string(), "v2.4");
        assert_eq!(v("2.4.x").to_string(), "v2.4");
        assert_eq!(v("~2.5.1").to_string(), "v2.5.1");
        assert_eq!(v("2.6.0-rc.1").to_string(), "v2.6.0");
        for bad in ["2.x", "2", ">=2.3", "latest", "", "2.4.0.1", "v2.a"] {
            assert_eq!(FluxVersion::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn lifecycle_matches_the_flux_releases() {
        use Support::*;
        let s = |flux: &str, group, version, kind| support(v(flux), group, version, kind);
        assert_eq!(s("2.2.0", SRC, "v1beta2", "HelmRepository"), Some(Current));
        assert_eq!(
            s("2.3.0", SRC, "v1beta2", "HelmRepository"),
            Some(Deprecated { removed: Some(8) })
        );
        assert_eq!(
            s("2.8.0", SRC, "v1beta2", "OCIRepository"),
            Some(Removed { since: 8 })
        );
        assert_eq!(
            s("2.5.0", SRC, "v1", "OCIRepository"),
            Some(NotYet { since: 6 })
        );
        assert_eq!(
            s("2.6.3", HELM, "v2beta1", "HelmRelease"),
            Some(Deprecated { removed: Some(7) })
        );
        assert_eq!(s("2.1", HELM, "v2beta1", "HelmRelease"), Some(Current));
        // Releases newer than the table are judged as the newest known one.
        assert_eq!(
            s("2.12", NOTIF, "v1beta2", "Alert"),
            Some(Removed { since: 9 })
        );
        assert_eq!(s("0.41.2", KS, "v1beta2", "Kustomization"), None);
        assert_eq!(
            current_version(v("2.2"), HELM, "HelmRelease"),
            Some("v2beta2")
        );
        assert_eq!(
            current_version(v("2.5"), SRC, "OCIRepository"),
            Some("v1beta2")
        );
    }

    #[test]
    fn every_kind_has_one_current_version_in_the_newest_flux() {
        let newest = v(&format!("2.{NEWEST_KNOWN_MINOR}"));
        for row in LIFECYCLE {
            assert!(
                current_version(newest, row.group, row.kind).is_some(),
                "{} {}",
                row.group,
                row.kind
            );
        }
    }

    #[test]
    fn components_header_points_at_the_version() {
        let text = "---\n# This manifest was generated by flux. DO NOT EDIT.\n# Flux Version: v2.3.0\n# Components: a\napiVersion: v1\n";
        let (start, end) = components_header(text).unwrap();
        assert_eq!(&text[start..end], "v2.3.0");
        assert_eq!(components_header("apiVersion: v1\n"), None);
    }
}
