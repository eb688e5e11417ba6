//! What a cluster provides beyond the objects written in it: Secrets that controllers create
//! (SealedSecret, ExternalSecret, cert-manager, Vault, 1Password, Cluster API), and namespaces
//! where a HelmRelease installs objects the repository cannot see. One index, built once per
//! rule run, so that a reference costs a hash lookup.

use std::collections::HashSet;

use super::Model;
use super::model::{self, HELM_GROUP};
use crate::kustomize::tree::get_str;

/// Indexes over the model by `(cluster, namespace, name)`.
#[derive(Debug, Default)]
pub struct Provided {
    /// Secrets some controller in the cluster creates.
    produced_secrets: HashSet<(Option<usize>, String, String)>,
    /// `(cluster, namespace)` where a HelmRelease installs its chart.
    helm_namespaces: HashSet<(Option<usize>, String)>,
}

impl Provided {
    pub fn new(model: &Model) -> Provided {
        let mut provided = Provided::default();
        for i in &model.instances {
            if i.name.contains("${") || i.namespace.contains("${") {
                continue;
            }
            let field = |path: &[&str]| get_str(&i.node, path);
            if model::is_helm_release(&i.api_version, &i.kind) && i.group() == HELM_GROUP {
                let target = field(&["spec", "targetNamespace"]).unwrap_or(&i.namespace);
                provided
                    .helm_namespaces
                    .insert((i.cluster, target.to_string()));
                continue;
            }
            let name = match i.kind.as_str() {
                "SealedSecret" | "OnePasswordItem" => Some(i.name.clone()),
                "ExternalSecret" => Some(
                    field(&["spec", "target", "name"])
                        .unwrap_or(&i.name)
                        .to_string(),
                ),
                "Certificate" => field(&["spec", "secretName"]).map(str::to_string),
                "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret" => {
                    field(&["spec", "destination", "name"]).map(str::to_string)
                }
                // Cluster API writes `<cluster>-kubeconfig` next to each Cluster.
                "Cluster" if i.group() == "cluster.x-k8s.io" => {
                    Some(format!("{}-kubeconfig", i.name))
                }
                _ => None,
            };
            if let Some(name) = name {
                provided
                    .produced_secrets
                    .insert((i.cluster, i.namespace.clone(), name));
            }
        }
        provided
    }

    /// A controller object in `cluster` (exactly) creates the Secret `ns/name`.
    pub fn produced_secret(&self, cluster: Option<usize>, ns: &str, name: &str) -> bool {
        self.produced_secrets
            .contains(&(cluster, ns.to_string(), name.to_string()))
    }

    /// The Secret `ns/name` exists in `cluster`: a manifest (SOPS-encrypted or not), a
    /// `secretGenerator` output, a controller-created Secret, or one the config declares external.
    pub fn secret(&self, model: &Model, cluster: Option<usize>, ns: &str, name: &str) -> bool {
        model
            .find(cluster, "Secret", ns, name)
            .any(|i| i.group().is_empty())
            || self.produced_secret(cluster, ns, name)
            || model.is_external(cluster, "Secret", ns, name)
    }

    /// A HelmRelease in `cluster` installs into `ns`: its chart may create any object there.
    pub fn helm_installs_into(&self, cluster: Option<usize>, ns: &str) -> bool {
        self.helm_namespaces.contains(&(cluster, ns.to_string()))
    }
}
