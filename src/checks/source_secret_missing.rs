//! `source-secret-missing`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::graph::Instance;
use crate::flux::model::{HELM_GROUP, KUSTOMIZE_GROUP, SOURCE_GROUP};
use crate::flux::provided::Provided;
use crate::inventory::Inventory;
use crate::kustomize::tree::get_path;
use crate::rule::{Level, RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds a Secret reference of a Flux source or reconciler that nothing in the cluster
    /// provides: `secretRef`, `certSecretRef`, `proxySecretRef`, `verify.secretRef` (and a
    /// Bucket's `sts.secretRef` / `sts.certSecretRef`) of a GitRepository, OCIRepository,
    /// HelmRepository or Bucket; `kubeConfig.secretRef` of a Kustomization or HelmRelease;
    /// `decryption.secretRef` of a Kustomization. Provided means: a Secret manifest in that
    /// cluster and namespace (SOPS-encrypted counts), a kustomize `secretGenerator`, an
    /// ExternalSecret, SealedSecret, OnePasswordItem, Vault secret, cert-manager Certificate or
    /// Cluster API Cluster (`<name>-kubeconfig`) that creates it, an object declared in
    /// `external.objects` of the configuration, or the bootstrap Secret (`flux-system`, and whatever the
    /// cluster's own sync source names) in the root namespace.
    ///
    /// Decryption keys (`sops-age`, `sops-gpg`) and kubeconfigs are usually created out of band
    /// (the Flux SOPS guide creates the key with `kubectl`), so those references are warnings;
    /// source credentials are errors. Nothing is reported in a namespace where a HelmRelease
    /// installs a chart (it may create the Secret), for objects outside every cluster, or for
    /// references that still hold `${…}`.
    ///
    /// ## Why is this bad?
    /// source-controller cannot authenticate: the source never produces an artifact, and every
    /// Kustomization and HelmRelease built from it stays not-Ready with "secrets not found".
    ///
    /// ## Example
    /// ```yaml
    /// kind: HelmRepository
    /// spec:
    ///   url: https://charts.example.com
    ///   secretRef:
    ///     name: charts-auth   # no Secret charts-auth in this namespace
    /// ```
    ///
    /// ## How to fix
    /// Add the Secret (SOPS-encrypted, or through an ExternalSecret/SealedSecret) in the same
    /// namespace, fix the name, or list it under `external.objects` in `.gitops-lint.yaml` when it is
    /// created outside the repository.
    pub struct SourceSecretMissing {
        code: "GL210",
        name: "source-secret-missing",
        category: Flux,
        level: Error,
        summary: "A Flux source or Kustomization names a Secret that nothing in the cluster provides",
    }
}

/// Secret references of the source kinds (path under the object, what it is for).
const SOURCE_REFS: &[(&[&str], &str)] = &[
    (&["spec", "secretRef"], "credentials"),
    (&["spec", "certSecretRef"], "TLS certificates"),
    (&["spec", "proxySecretRef"], "proxy credentials"),
    (&["spec", "verify", "secretRef"], "verification keys"),
    (&["spec", "sts", "secretRef"], "STS credentials"),
    (&["spec", "sts", "certSecretRef"], "STS TLS certificates"),
];

/// Secret references of the reconcilers: commonly created out of band, hence warnings.
const RECONCILER_REFS: &[(&[&str], &str)] = &[
    (&["spec", "decryption", "secretRef"], "decryption keys"),
    (&["spec", "kubeConfig", "secretRef"], "kubeconfig"),
];

impl Check for SourceSecretMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let provided = Provided::new(model);
        // Outside every cluster what exists is unknown; a templated referrer is not known either.
        for inst in model.instances.iter().filter(|i| {
            i.cluster.is_some() && !i.name.contains("${") && !i.namespace.contains("${")
        }) {
            let (refs, level) = match inst.group() {
                SOURCE_GROUP
                    if matches!(
                        inst.kind.as_str(),
                        "GitRepository" | "OCIRepository" | "HelmRepository" | "Bucket"
                    ) =>
                {
                    if is_own_source(model, inst) {
                        // The bootstrap created its credentials, or Flux could not read this.
                        continue;
                    }
                    (SOURCE_REFS, Level::Error)
                }
                KUSTOMIZE_GROUP if inst.kind == "Kustomization" => {
                    (RECONCILER_REFS, Level::Warning)
                }
                HELM_GROUP if inst.kind == "HelmRelease" => (&RECONCILER_REFS[1..], Level::Warning),
                _ => continue,
            };
            for (path, purpose) in refs {
                let Some((name, span)) = secret_name(inst, path) else {
                    continue;
                };
                if name.contains("${")
                    || provided.secret(model, inst.cluster, &inst.namespace, name)
                    || is_bootstrap_secret(model, inst.cluster, &inst.namespace, name)
                    || provided.helm_installs_into(inst.cluster, &inst.namespace)
                {
                    continue;
                }
                let message = format!(
                    "{} `{}` takes its {purpose} from Secret `{}/{name}`, which nothing provides in cluster `{}`",
                    inst.kind,
                    inst.name,
                    inst.namespace,
                    model.cluster_name(inst.cluster)
                );
                out.push(
                    Diagnostic::new(&Self::META, span, message)
                        .with_level(level)
                        .with_object(inst.reference())
                        .with_help(
                            "add the Secret (SOPS-encrypted, ExternalSecret or SealedSecret) in the same namespace, fix the name, or declare it under `external.objects` in .gitops-lint.yaml",
                        ),
                );
            }
        }
        crate::flux::dedup_from(out, start);
    }
}

/// `path.name` of the object, when it is a non-empty string.
fn secret_name<'n>(inst: &'n Instance, path: &[&str]) -> Option<(&'n str, Span)> {
    let node = get_path(&inst.node, path)?.get("name")?;
    Some((node.as_str().filter(|s| !s.is_empty())?, node.span))
}

/// The source the cluster's root sync reads this repository through.
fn is_own_source(model: &Model, inst: &Instance) -> bool {
    let Some(c) = inst.cluster else { return false };
    let own = &model.clusters[c].own_source;
    own.kind == inst.kind && own.namespace == inst.namespace && own.name == inst.name
}

/// The Secret `flux bootstrap` (or the Flux Operator) creates out of band in the root namespace.
fn is_bootstrap_secret(model: &Model, cluster: Option<usize>, ns: &str, name: &str) -> bool {
    let Some(c) = cluster else { return false };
    let own = &model.clusters[c].own_source;
    own.namespace == ns && (name == "flux-system" || name == own.name)
}

#[cfg(test)]
mod tests {
    use crate::cli::Settings;
    use crate::flux::options::ExternalObject;
    use crate::rule::Level;

    /// `(line, level)` of every finding on the fail fixture.
    fn findings(external: Vec<ExternalObject>) -> Vec<(String, u32, Level)> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rules/source-secret-missing/fail"
        );
        let mut settings = Settings::for_root(dir);
        settings.select = vec!["source-secret-missing".to_string()];
        settings.model.external = external;
        let outcome = crate::analyse(&settings).expect("fixture run");
        let mut out: Vec<_> = (outcome.diagnostics.iter())
            .map(|d| {
                let file = outcome.inventory.file(d.primary.span.file);
                let line = file.line_col(d.primary.span.start).line;
                (file.path.clone(), line, d.level)
            })
            .collect();
        out.sort_by_key(|f| (f.0.clone(), f.1));
        out
    }

    #[test]
    fn decryption_keys_are_warnings_and_source_credentials_errors() {
        let found = findings(Vec::new());
        let level = |path: &str| (found.iter()).find(|f| f.0.ends_with(path)).map(|f| f.2);
        assert_eq!(level("clusters/prod/apps.yaml"), Some(Level::Warning));
        assert_eq!(level("apps/sources.yaml"), Some(Level::Error));
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn secrets_declared_external_are_present() {
        let external = |name: &str, ns: &str| ExternalObject {
            cluster: None,
            kind: "Secret".into(),
            namespace: Some(ns.into()),
            name: name.into(),
        };
        let found = findings(vec![
            external("registry-pull", "apps"),
            external("sops-age", "flux-system"),
        ]);
        let lines: Vec<u32> = found.iter().map(|f| f.1).collect();
        assert_eq!(lines, vec![11, 25]);
    }
}
