//! `api-removed`

use std::collections::HashSet;

use super::api_deprecated::ApiDeprecated;
use super::api_lifecycle::{self, Status};
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::kustomize::render::Origin;
use crate::rule::{Level, RuleMeta, declare_rule};
use crate::schema::{SchemaStore, k8s};
use crate::source::FileId;

declare_rule! {
    /// ## What it does
    /// Finds built-in Kubernetes objects written with an API version that `--kubernetes-version`
    /// (default: the newest embedded release) no longer serves: `extensions/v1beta1` and
    /// `apps/v1beta1|v1beta2` workloads (removed in 1.16), `networking.k8s.io/v1beta1` Ingress and
    /// the `v1beta1` RBAC, webhook and CRD APIs (1.22), `batch/v1beta1` CronJob,
    /// `policy/v1beta1` PodDisruptionBudget and PodSecurityPolicy, `autoscaling/v2beta1` (1.25),
    /// `autoscaling/v2beta2` and `flowcontrol.apiserver.k8s.io/v1beta1` (1.26),
    /// `storage.k8s.io/v1beta1` CSIStorageCapacity (1.27), and the later `flowcontrol` betas
    /// (1.29, 1.32), as listed by the Kubernetes "Deprecated API Migration Guide". The message
    /// names the release that removed it and the API version to use instead.
    ///
    /// Only the built-in groups are judged; kinds that a CustomResourceDefinition defines are
    /// not. Objects that no cluster of the repository applies get a warning instead of an error.
    ///
    /// ## Why is this bad?
    /// The API server answers "no matches for kind": `kubectl apply` fails, and so does the Flux
    /// Kustomization that applies the object, holding back everything that depends on it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1beta1   # removed in Kubernetes 1.25
    /// kind: PodDisruptionBudget
    /// ```
    ///
    /// ## How to fix
    /// Change `apiVersion` to the replacement (here `policy/v1`) and check the field changes in
    /// the migration guide. PodSecurityPolicy has no replacement: use Pod Security Admission.
    pub struct ApiRemoved {
        code: "GL401",
        name: "api-removed",
        category: ApplySafety,
        level: Error,
        summary: "Kubernetes API version no longer served by --kubernetes-version",
        origin: Schema,
    }
}

/// Findings of `api-removed` and `api-deprecated` over every object as it will be applied,
/// except those in `skip` (kustomize patch files) and kinds a CRD defines.
pub fn check(
    model: &Model,
    inventory: &Inventory,
    store: &SchemaStore,
    skip: &HashSet<FileId>,
    enabled: &(dyn Fn(&RuleMeta) -> bool + Sync),
) -> Vec<Diagnostic> {
    let (removed_on, deprecated_on) = (enabled(&ApiRemoved::META), enabled(&ApiDeprecated::META));
    if !removed_on && !deprecated_on {
        return Vec::new();
    }
    let settings = store.settings();
    let version = settings.kubernetes_version;
    let schemas = k8s::version(version, settings.strict).ok();
    let served = |api_version: &str, kind: &str| {
        schemas.is_some_and(|s| s.definition_name(api_version, kind).is_some())
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for instance in &model.instances {
        let Origin::Object(index) = instance.origin else {
            continue;
        };
        let (api_version, kind) = (instance.api_version.as_str(), instance.kind.as_str());
        let Some(row) = api_lifecycle::lookup(api_version, kind) else {
            continue;
        };
        let object = &inventory.objects[index];
        if skip.contains(&object.file) || store.has_crd(api_version, kind) {
            continue;
        }
        let use_instead = match row.replacement(|to| served(to, kind)) {
            Some(to) => format!("; use `{to}`"),
            None => " and has no replacement".to_owned(),
        };
        let (meta, level, message) = match row.status(version.minor()) {
            Status::Served => continue,
            Status::Removed if removed_on => {
                let (level, outside) = match instance.cluster {
                    Some(_) => (Level::Error, ""),
                    None => (
                        Level::Warning,
                        " (no cluster of this repository applies it)",
                    ),
                };
                let message = format!(
                    "`{api_version}` {kind} is not served by Kubernetes {version}: removed in 1.{}{use_instead}{outside}",
                    row.removed
                );
                (&ApiRemoved::META, level, message)
            }
            Status::Deprecated if deprecated_on => {
                let message = format!(
                    "`{api_version}` {kind} is deprecated in Kubernetes {version} (since 1.{}) and removed in 1.{}{use_instead}",
                    row.deprecated, row.removed
                );
                (&ApiDeprecated::META, Level::Warning, message)
            }
            _ => continue,
        };
        let span = (instance.node.get("apiVersion")).map_or(instance.node.span, |n| n.span);
        if !seen.insert((span, message.clone())) {
            continue;
        }
        let help = if kind == "PodSecurityPolicy" {
            "PodSecurityPolicy is gone: enforce Pod Security Standards with Pod Security Admission (namespace labels `pod-security.kubernetes.io/*`)".to_owned()
        } else {
            "change `apiVersion` and check the field changes in the Kubernetes Deprecated API Migration Guide".to_owned()
        };
        out.push(
            Diagnostic::new(meta, span, message)
                .with_level(level)
                .with_help(help)
                .with_object(instance.reference()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rule::Level;

    fn findings(fixture: &str) -> Vec<(String, Level, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let outcome = crate::analyse(&crate::cli::Settings::for_root(dir)).unwrap();
        (outcome.diagnostics.iter())
            .filter(|d| d.rule.name.starts_with("api-") || d.rule.name == "schema-missing")
            .map(|d| (d.rule.name.to_owned(), d.level, d.message.clone()))
            .collect()
    }

    #[test]
    fn removed_kinds_get_api_removed_instead_of_schema_missing() {
        let found = findings("fixtures/rules/api-removed/fail");
        let levels: Vec<(&str, Level)> = found.iter().map(|(r, l, _)| (r.as_str(), *l)).collect();
        assert_eq!(
            levels,
            [
                ("api-removed", Level::Error),
                ("api-removed", Level::Error),
                ("api-removed", Level::Error),
                ("api-removed", Level::Warning),
            ],
            "{found:#?}"
        );
        assert_eq!(
            found[0].2,
            "`policy/v1beta1` PodDisruptionBudget is not served by Kubernetes 1.37: removed in 1.25; use `policy/v1`"
        );
        assert!(
            found[3]
                .2
                .ends_with("(no cluster of this repository applies it)")
        );
    }

    #[test]
    fn other_unknown_kinds_still_get_schema_missing() {
        let found = findings("fixtures/rules/api-removed/pass");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "schema-missing");
    }
}
