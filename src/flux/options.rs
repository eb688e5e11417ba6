//! What the configuration file tells the model beyond the repository itself.

/// Explicit cluster roots and objects that exist outside this repository
/// (`clusters:`, `external:` and `fluxVersion:` of `.gitops-lint.yaml`).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Explicit roots; when non-empty, they replace the roots the model would discover.
    pub clusters: Vec<ConfiguredCluster>,
    /// Objects created outside this repository (other repositories, operators, out of band).
    pub external: Vec<ExternalObject>,
    /// The Flux version the clusters run (`fluxVersion:`), e.g. `2.4.0`.
    pub flux_version: Option<String>,
}

/// One `clusters:` entry: a cluster name and the repository directory (or a bootstrap file in
/// it) that its root Kustomization applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfiguredCluster {
    pub name: String,
    /// Repository-relative path, `/`-separated, no leading `./`.
    pub path: String,
}

/// One object that exists in a cluster without being in this repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalObject {
    /// Cluster name; `None` means every cluster.
    pub cluster: Option<String>,
    pub kind: String,
    /// `None` for cluster-scoped kinds (and Namespaces).
    pub namespace: Option<String>,
    pub name: String,
}
