//! `flux-api-deprecated`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::version::{self, FluxVersion, Installed, Support};
use crate::flux::{Model, model};
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{Level, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds Flux objects written with an API version that current Flux no longer serves or has
    /// deprecated: `kustomize.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// `helm.toolkit.fluxcd.io/v2beta1|v2beta2`, `source.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// `notification.toolkit.fluxcd.io/v1beta1|v1beta2`, `image.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// and names the replacement.
    ///
    /// When the repository says which Flux it runs, objects are judged against that release
    /// instead: the `# Flux Version: v2.x.y` header of `gotk-components.yaml`, a `FluxInstance`'s
    /// `spec.distribution.version`, the Flux Operator `flux-instance` chart's
    /// `values.instance.distribution.version` (`2.4.x` counts as 2.4; `2.x` says nothing), or
    /// `fluxVersion:` in `.gitops-lint.yaml` (which wins). An API version that release still
    /// serves but deprecates is a warning; one it no longer serves, or does not serve yet, is an
    /// error. Each object is judged against the installation of its own cluster; an object outside
    /// every cluster, or in a cluster that installs no versioned Flux, against the lowest version
    /// the repository installs.
    ///
    /// ## Why is this bad?
    /// After a Flux upgrade the API server rejects the object ("no matches for kind"): the
    /// Kustomization that applies it fails, and so does everything after it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: helm.toolkit.fluxcd.io/v2beta1   # use helm.toolkit.fluxcd.io/v2
    /// kind: HelmRelease
    /// ```
    ///
    /// ## How to fix
    /// Change `apiVersion` to the replacement (and check the field renames in the Flux upgrade
    /// notes, e.g. HelmRelease `v2` and Kustomization `v1`).
    pub struct FluxApiDeprecated {
        code: "GL207",
        name: "flux-api-deprecated",
        category: Flux,
        level: Warning,
        summary: "Flux API version deprecated or removed in current Flux",
    }
}

impl Check for FluxApiDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let configured = (model.options.flux_version.as_deref()).and_then(FluxVersion::parse);
        let installs = if configured.is_some() {
            Vec::new()
        } else {
            version::installed(inventory)
        };
        let install_clusters: Vec<Vec<String>> = (installs.iter())
            .map(|i| i.object.map(|o| clusters_of(model, o)).unwrap_or_default())
            .collect();
        for (index, object) in inventory.objects.iter().enumerate() {
            if model.patch_files.contains(&object.file) || !is_flux_api(&object.id.group) {
                continue;
            }
            let installed = match configured {
                Some(version) => Some(Judge::Configured(version)),
                None => pick(&installs, &install_clusters, &clusters_of(model, index)),
            };
            if let Some(diagnostic) = judge(object, installed) {
                out.push(diagnostic);
            }
        }
    }
}

/// The Flux release an object is judged against.
#[derive(Clone, Copy)]
enum Judge<'a> {
    /// `fluxVersion:` in the configuration.
    Configured(FluxVersion),
    Installed(&'a Installed),
}

impl Judge<'_> {
    fn version(self) -> FluxVersion {
        match self {
            Judge::Configured(v) => v,
            Judge::Installed(i) => i.version,
        }
    }

    fn describe(self) -> String {
        match self {
            Judge::Configured(v) => format!("Flux {v} (`fluxVersion` in the configuration)"),
            Judge::Installed(i) => format!("Flux {} installed by {}", i.version, i.path),
        }
    }
}

fn is_flux_api(group: &str) -> bool {
    group.ends_with(".toolkit.fluxcd.io")
}

fn clusters_of(model: &Model, object: usize) -> Vec<String> {
    let mut clusters: Vec<String> = (model.placements(object).into_iter())
        .map(|(_, cluster)| cluster)
        .collect();
    clusters.sort();
    clusters.dedup();
    clusters
}

/// The installation of the object's clusters; else (no cluster, or a cluster that installs no
/// versioned Flux) the lowest version the repository installs anywhere.
fn pick<'a>(
    installs: &'a [Installed],
    install_clusters: &[Vec<String>],
    clusters: &[String],
) -> Option<Judge<'a>> {
    let in_clusters = (installs.iter().zip(install_clusters))
        .filter(|(_, cs)| cs.iter().any(|c| clusters.contains(c)))
        .map(|(i, _)| i);
    let lowest = |it: &mut dyn Iterator<Item = &'a Installed>| it.min_by_key(|i| i.version);
    lowest(&mut in_clusters.into_iter())
        .or_else(|| lowest(&mut installs.iter()))
        .map(Judge::Installed)
}

fn judge(object: &Object, installed: Option<Judge<'_>>) -> Option<Diagnostic> {
    let (group, version, kind) = (&object.id.group, &object.id.version, &object.id.kind);
    let span = object
        .root
        .get("apiVersion")
        .map_or(object.root.span, |n| n.span);
    let (level, message) = match installed {
        None => {
            let to = model::replacement(group, version, kind)?;
            (
                Level::Warning,
                format!(
                    "`{}` {kind} is deprecated and no longer served by current Flux; use `{group}/{to}`",
                    object.api_version
                ),
            )
        }
        Some(judge) => {
            let flux = judge.version();
            let use_instead = version::current_version(flux, group, kind)
                .map(|to| format!("; use `{group}/{to}`"))
                .unwrap_or_default();
            match version::support(flux, group, version, kind)? {
                Support::Current => return None,
                Support::Deprecated { removed } => (
                    Level::Warning,
                    format!(
                        "`{}` {kind} is deprecated in {}{}{use_instead}",
                        object.api_version,
                        judge.describe(),
                        removed.map_or(String::new(), |r| format!(" and removed in Flux v2.{r}")),
                    ),
                ),
                Support::Removed { since } => (
                    Level::Error,
                    format!(
                        "`{}` {kind} is not served by {}: removed in Flux v2.{since}{use_instead}",
                        object.api_version,
                        judge.describe(),
                    ),
                ),
                Support::NotYet { since } => (
                    Level::Error,
                    format!(
                        "`{}` {kind} is not served by {}: added in Flux v2.{since}{use_instead}",
                        object.api_version,
                        judge.describe(),
                    ),
                ),
            }
        }
    };
    Some(
        Diagnostic::new(&FluxApiDeprecated::META, span, message)
            .with_level(level)
            .with_object(object.reference()),
    )
}
