//! `service-account-missing`

use std::collections::HashSet;

use super::Check;
use crate::diagnostic::{Diagnostic, Label};
use crate::flux::Model;
use crate::flux::graph::{Instance, SourceStatus};
use crate::flux::model;
use crate::flux::provided::Provided;
use crate::inventory::Inventory;
use crate::kustomize::tree::{get, get_path, get_str};
use crate::rule::{Level, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a Flux Kustomization or HelmRelease whose `spec.serviceAccountName` names a
    /// ServiceAccount that does not exist in its namespace in the cluster (error), and one whose
    /// ServiceAccount exists but no RoleBinding or ClusterRoleBinding in the cluster grants it
    /// anything (warning). The Flux controllers' own accounts in the root namespace and
    /// accounts declared in `external.objects` of the configuration count as present.
    ///
    /// Nothing is reported in a namespace where a HelmRelease installs a chart (it may create the
    /// account or its bindings), for objects outside every cluster, or for templated names. The
    /// warning is also left out when a Kustomization whose content this repository does not hold
    /// may create bindings (one reading another repository without a service account of its own,
    /// or one targeting that namespace), or when a binding's subjects are still templated.
    ///
    /// ## Why is this bad?
    /// The controller impersonates the account for every apply. When it does not exist, the
    /// Kustomization or HelmRelease fails with "serviceaccounts not found"; when it holds no
    /// role, every object is refused with "forbidden" and nothing is applied.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Kustomization
    /// metadata:
    ///   name: team-a
    ///   namespace: team-a
    /// spec:
    ///   serviceAccountName: team-a-reconciler   # no such ServiceAccount in team-a
    /// ```
    ///
    /// ## How to fix
    /// Create the ServiceAccount in the same namespace as the Kustomization or HelmRelease and
    /// bind it with a RoleBinding, fix the name, or declare it under `external.objects` in
    /// `.gitops-lint.yaml` when it is created outside the repository.
    pub struct ServiceAccountMissing {
        code: "GL212",
        name: "service-account-missing",
        category: ApplySafety,
        level: Error,
        summary: "A Flux Kustomization or HelmRelease impersonates a ServiceAccount that is missing or bound to nothing",
    }
}

/// ServiceAccounts of the Flux controllers, created with Flux in the root namespace.
const FLUX_ACCOUNTS: &[&str] = &[
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
    "source-watcher",
];

impl Check for ServiceAccountMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let provided = Provided::new(model);
        let bindings = Bindings::new(model);
        // Outside every cluster what exists is unknown; a templated referrer is not known either.
        for inst in model.instances.iter().filter(|i| {
            i.cluster.is_some()
                && !i.name.contains("${")
                && !i.namespace.contains("${")
                && (model::is_flux_kustomization(&i.api_version, &i.kind)
                    || model::is_helm_release(&i.api_version, &i.kind))
        }) {
            let Some(node) = get_path(&inst.node, &["spec", "serviceAccountName"]) else {
                continue;
            };
            let Some(account) = node.as_str().filter(|s| !s.is_empty() && !s.contains("${")) else {
                continue;
            };
            let (cluster, ns) = (inst.cluster, inst.namespace.as_str());
            if model.is_external(cluster, "ServiceAccount", ns, account)
                || is_flux_account(model, cluster, ns, account)
                || provided.helm_installs_into(cluster, ns)
            {
                continue;
            }
            let found = model
                .find(cluster, "ServiceAccount", ns, account)
                .find(|i| i.group().is_empty());
            let cluster_name = model.cluster_name(cluster);
            let Some(sa) = found else {
                let message = format!(
                    "{} `{}` impersonates ServiceAccount `{ns}/{account}`, which does not exist in cluster `{cluster_name}`",
                    inst.kind, inst.name
                );
                out.push(
                    Diagnostic::new(&Self::META, node.span, message)
                        .with_object(inst.reference())
                        .with_help(format!(
                            "create ServiceAccount `{account}` in namespace `{ns}` (and bind it), fix the name, or declare it under `external.objects` in .gitops-lint.yaml"
                        )),
                );
                continue;
            };
            if bindings.may_bind(cluster, ns, account) {
                continue;
            }
            let message = format!(
                "{} `{}` impersonates ServiceAccount `{ns}/{account}`, which no RoleBinding or ClusterRoleBinding in cluster `{cluster_name}` grants anything",
                inst.kind, inst.name
            );
            out.push(
                Diagnostic::new(&Self::META, node.span, message)
                    .with_level(Level::Warning)
                    .with_object(inst.reference())
                    .with_related(Label::with_message(
                        sa.name_span(),
                        "the ServiceAccount, bound to no role",
                    ))
                    .with_help(format!(
                        "add a RoleBinding in `{ns}` with subject ServiceAccount `{account}` (namespace `{ns}`)"
                    )),
            );
        }
        crate::flux::dedup_from(out, start);
    }
}

/// A Flux controller's account in the cluster's root namespace (installed with Flux, bound to
/// `cluster-reconciler` by the install).
fn is_flux_account(model: &Model, cluster: Option<usize>, ns: &str, account: &str) -> bool {
    let Some(c) = cluster else { return false };
    let c = &model.clusters[c];
    FLUX_ACCOUNTS.contains(&account)
        && (c.own_source.namespace == ns || model.kustomizations[c.root].namespace == ns)
}

/// Which ServiceAccounts some binding in the cluster may name.
struct Bindings {
    /// `(cluster, namespace, name)`; namespace `*` when the subject names none.
    accounts: HashSet<(Option<usize>, String, String)>,
    /// `(cluster, namespace)`: group `system:serviceaccounts:<ns>`, or a Kustomization with
    /// unseen content that applies there.
    namespaces: HashSet<(Option<usize>, String)>,
    /// Clusters where any account may be bound: group `system:serviceaccounts`, templated
    /// subjects, or an unseen Kustomization that runs with the controller's own rights.
    clusters: HashSet<Option<usize>>,
}

impl Bindings {
    fn new(model: &Model) -> Bindings {
        let mut b = Bindings {
            accounts: HashSet::new(),
            namespaces: HashSet::new(),
            clusters: HashSet::new(),
        };
        for inst in model.instances.iter().filter(|i| {
            i.group() == "rbac.authorization.k8s.io"
                && matches!(i.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
        }) {
            b.add_subjects(inst);
        }
        for ks in &model.kustomizations {
            if matches!(ks.source, SourceStatus::Repository { .. }) {
                continue;
            }
            let cluster = Some(ks.cluster);
            let node = ks.instance.map(|i| &model.instances[i].node);
            let tenant = node.and_then(|n| get_str(n, &["spec", "serviceAccountName"]));
            let target = node.and_then(|n| get_str(n, &["spec", "targetNamespace"]));
            if tenant.is_none() {
                b.clusters.insert(cluster);
            }
            b.namespaces
                .insert((cluster, target.unwrap_or(&ks.namespace).to_string()));
        }
        b
    }

    fn add_subjects(&mut self, inst: &Instance) {
        let cluster = inst.cluster;
        let subjects = get(&inst.node, "subjects")
            .and_then(|s| s.as_seq())
            .unwrap_or_default();
        for subject in subjects {
            let kind = get_str(subject, &["kind"]).unwrap_or("");
            let name = get_str(subject, &["name"]).unwrap_or("");
            let ns = get_str(subject, &["namespace"]);
            if name.contains("${") || ns.is_some_and(|n| n.contains("${")) {
                self.clusters.insert(cluster);
                continue;
            }
            match kind {
                "ServiceAccount" => {
                    let ns = ns
                        .filter(|n| !n.is_empty())
                        .unwrap_or(match inst.kind.as_str() {
                            "RoleBinding" => inst.namespace.as_str(),
                            _ => "*",
                        });
                    self.accounts
                        .insert((cluster, ns.to_string(), name.to_string()));
                }
                "Group" if name == "system:serviceaccounts" || name == "system:authenticated" => {
                    self.clusters.insert(cluster);
                }
                "Group" => {
                    if let Some(ns) = name.strip_prefix("system:serviceaccounts:") {
                        self.namespaces.insert((cluster, ns.to_string()));
                    }
                }
                "User" => {
                    let parts = name.strip_prefix("system:serviceaccount:");
                    if let Some((ns, account)) = parts.and_then(|p| p.split_once(':')) {
                        self.accounts
                            .insert((cluster, ns.to_string(), account.to_string()));
                    }
                }
                _ => {}
            }
        }
    }

    /// Some binding in the cluster names (or may name) the account.
    fn may_bind(&self, cluster: Option<usize>, ns: &str, account: &str) -> bool {
        let key = |n: &str| (cluster, n.to_string(), account.to_string());
        self.clusters.contains(&cluster)
            || self.namespaces.contains(&(cluster, ns.to_string()))
            || self.accounts.contains(&key(ns))
            || self.accounts.contains(&key("*"))
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::Settings;
    use crate::rule::Level;

    #[test]
    fn missing_account_is_an_error_and_unbound_account_a_warning() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rules/service-account-missing/fail"
        );
        let mut settings = Settings::for_root(dir);
        settings.select = vec!["service-account-missing".to_string()];
        let outcome = crate::analyse(&settings).expect("fixture run");
        let mut found: Vec<(u32, Level)> = (outcome.diagnostics.iter())
            .map(|d| {
                let file = outcome.inventory.file(d.primary.span.file);
                (file.line_col(d.primary.span.start).line, d.level)
            })
            .collect();
        found.sort_by_key(|f| f.0);
        assert_eq!(found, vec![(10, Level::Error), (25, Level::Warning)]);
    }
}
