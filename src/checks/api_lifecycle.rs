//! The lifecycle of the built-in Kubernetes API versions that have been removed: when each
//! (group, version, kind) was deprecated and removed, and what replaces it. The data of
//! `api-removed` and `api-deprecated`; the schema stage also uses it so that a removed kind gets
//! `api-removed` instead of `schema-missing`.
//!
//! Sources:
//! - "Deprecated API Migration Guide", <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>
//!   (section "Removed APIs by release": v1.16, v1.22, v1.25, v1.26, v1.27, v1.29, v1.32):
//!   the removals and the replacement API versions.
//! - The `+k8s:prerelease-lifecycle-gen:deprecated=` tags of the API types in `k8s.io/api`:
//!   the deprecation releases of the APIs removed from 1.22 on. For the removals of 1.16 the
//!   deprecation release is the one in which the replacement became available (1.9 for
//!   `apps/v1`, 1.8 for `networking.k8s.io/v1` NetworkPolicy, 1.10 for `policy/v1beta1`).
//!
//! The test below checks every row against the embedded schemas (1.25 to 1.37): a removed
//! (apiVersion, kind) has no schema from its removal on and has one the release before.

/// One removed (or deprecated) built-in API version of one kind.
#[derive(Clone, Copy, Debug)]
pub struct Lifecycle {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// Minor release of Kubernetes 1.x that added it, where that is inside the embedded range
    /// (1.25 and later); 0 otherwise.
    pub added: u8,
    /// Minor release that deprecated it.
    pub deprecated: u8,
    /// Minor release that stopped serving it.
    pub removed: u8,
    /// The API versions to use instead, preferred first; empty: the kind has no replacement.
    pub replacements: &'static [&'static str],
}

const fn row(
    api_version: &'static str,
    kind: &'static str,
    deprecated: u8,
    removed: u8,
    replacements: &'static [&'static str],
) -> Lifecycle {
    Lifecycle {
        api_version,
        kind,
        added: 0,
        deprecated,
        removed,
        replacements,
    }
}

const APPS: &[&str] = &["apps/v1"];
const NETWORKING: &[&str] = &["networking.k8s.io/v1"];
const FLOWCONTROL_1: &[&str] = &[
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "flowcontrol.apiserver.k8s.io/v1beta2",
];
const FLOWCONTROL_2: &[&str] = &[
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta3",
];
const FLOWCONTROL_3: &[&str] = &["flowcontrol.apiserver.k8s.io/v1"];

impl Lifecycle {
    const fn added_in(mut self, minor: u8) -> Lifecycle {
        self.added = minor;
        self
    }
}

/// Every removal of the migration guide, by release.
pub static TABLE: &[Lifecycle] = &[
    // v1.16
    row("extensions/v1beta1", "Deployment", 9, 16, APPS),
    row("apps/v1beta1", "Deployment", 9, 16, APPS),
    row("apps/v1beta2", "Deployment", 9, 16, APPS),
    row("extensions/v1beta1", "DaemonSet", 9, 16, APPS),
    row("apps/v1beta2", "DaemonSet", 9, 16, APPS),
    row("apps/v1beta1", "StatefulSet", 9, 16, APPS),
    row("apps/v1beta2", "StatefulSet", 9, 16, APPS),
    row("extensions/v1beta1", "ReplicaSet", 9, 16, APPS),
    row("apps/v1beta2", "ReplicaSet", 9, 16, APPS),
    row("apps/v1beta1", "ControllerRevision", 9, 16, APPS),
    row("apps/v1beta2", "ControllerRevision", 9, 16, APPS),
    row("extensions/v1beta1", "NetworkPolicy", 8, 16, NETWORKING),
    row("extensions/v1beta1", "PodSecurityPolicy", 10, 16, &[]),
    // v1.22
    row(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        &["admissionregistration.k8s.io/v1"],
    ),
    row(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        &["admissionregistration.k8s.io/v1"],
    ),
    row(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        22,
        &["apiextensions.k8s.io/v1"],
    ),
    row(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        19,
        22,
        &["apiregistration.k8s.io/v1"],
    ),
    row(
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        19,
        22,
        &["authentication.k8s.io/v1"],
    ),
    row(
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview",
        19,
        22,
        &["authorization.k8s.io/v1"],
    ),
    row(
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        19,
        22,
        &["authorization.k8s.io/v1"],
    ),
    row(
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        19,
        22,
        &["authorization.k8s.io/v1"],
    ),
    row(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        22,
        &["certificates.k8s.io/v1"],
    ),
    row(
        "coordination.k8s.io/v1beta1",
        "Lease",
        19,
        22,
        &["coordination.k8s.io/v1"],
    ),
    row("extensions/v1beta1", "Ingress", 14, 22, NETWORKING),
    row("networking.k8s.io/v1beta1", "Ingress", 19, 22, NETWORKING),
    row(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        NETWORKING,
    ),
    row(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        &["rbac.authorization.k8s.io/v1"],
    ),
    row(
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        &["rbac.authorization.k8s.io/v1"],
    ),
    row(
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        17,
        22,
        &["rbac.authorization.k8s.io/v1"],
    ),
    row(
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        &["rbac.authorization.k8s.io/v1"],
    ),
    row(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        &["scheduling.k8s.io/v1"],
    ),
    row(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        22,
        &["storage.k8s.io/v1"],
    ),
    row(
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        22,
        &["storage.k8s.io/v1"],
    ),
    row(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        19,
        22,
        &["storage.k8s.io/v1"],
    ),
    row(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        19,
        22,
        &["storage.k8s.io/v1"],
    ),
    // v1.25
    row("batch/v1beta1", "CronJob", 21, 25, &["batch/v1"]),
    row(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        &["discovery.k8s.io/v1"],
    ),
    row(
        "events.k8s.io/v1beta1",
        "Event",
        22,
        25,
        &["events.k8s.io/v1"],
    ),
    row(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        25,
        &["autoscaling/v2"],
    ),
    row(
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        25,
        &["policy/v1"],
    ),
    row("policy/v1beta1", "PodSecurityPolicy", 21, 25, &[]),
    row(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        25,
        &["node.k8s.io/v1"],
    ),
    // v1.26
    row(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        23,
        26,
        FLOWCONTROL_1,
    ),
    row(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        23,
        26,
        FLOWCONTROL_1,
    ),
    row(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        26,
        &["autoscaling/v2"],
    ),
    // v1.27
    row(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        27,
        &["storage.k8s.io/v1"],
    ),
    // v1.29
    row(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        26,
        29,
        FLOWCONTROL_2,
    ),
    row(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        26,
        29,
        FLOWCONTROL_2,
    ),
    // v1.32
    row(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        29,
        32,
        FLOWCONTROL_3,
    )
    .added_in(26),
    row(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        29,
        32,
        FLOWCONTROL_3,
    )
    .added_in(26),
];

/// The row of one (apiVersion, kind), if it was ever deprecated for removal.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static Lifecycle> {
    TABLE
        .iter()
        .find(|row| row.api_version == api_version && row.kind == kind)
}

/// What Kubernetes `1.<minor>` does with an (apiVersion, kind) of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Served,
    Deprecated,
    Removed,
}

impl Lifecycle {
    pub fn status(&self, minor: u8) -> Status {
        if minor >= self.removed {
            Status::Removed
        } else if minor >= self.deprecated {
            Status::Deprecated
        } else {
            Status::Served
        }
    }

    /// The first replacement that `served` says the chosen release serves, else the preferred one.
    pub fn replacement(&self, served: impl Fn(&str) -> bool) -> Option<&'static str> {
        (self.replacements.iter().copied())
            .find(|r| served(r))
            .or_else(|| self.replacements.first().copied())
    }
}

/// The (apiVersion, kind) is removed in Kubernetes `1.<minor>`.
pub fn is_removed(api_version: &str, kind: &str, minor: u8) -> bool {
    lookup(api_version, kind).is_some_and(|row| row.status(minor) == Status::Removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::KubeVersion;
    use crate::schema::k8s;

    fn has_schema(version: KubeVersion, api_version: &str, kind: &str) -> bool {
        let schemas = k8s::version(version, true).expect("embedded schemas");
        schemas.kinds().any(|(a, k)| a == api_version && k == kind)
    }

    #[test]
    fn table_agrees_with_embedded_schemas() {
        for row in TABLE {
            assert!(row.deprecated < row.removed, "{row:?}");
            for version in KubeVersion::all() {
                let present = has_schema(version, row.api_version, row.kind);
                let removed = row.status(version.minor()) == Status::Removed;
                let served = !removed && version.minor() >= row.added;
                assert_eq!(
                    present,
                    served,
                    "{} {} in Kubernetes 1.{}: schema present = {present}, table says served = {served}",
                    row.api_version,
                    row.kind,
                    version.minor()
                );
                // The replacement a finding names is served by that release.
                if row.status(version.minor()) == Status::Served {
                    continue;
                }
                if let Some(to) = row.replacement(|r| has_schema(version, r, row.kind)) {
                    assert!(
                        has_schema(version, to, row.kind),
                        "{} {}: replacement {to} not served by 1.{}",
                        row.api_version,
                        row.kind,
                        version.minor()
                    );
                }
            }
        }
    }

    #[test]
    fn every_removal_release_of_the_guide_is_covered() {
        let mut releases: Vec<u8> = TABLE.iter().map(|r| r.removed).collect();
        releases.sort();
        releases.dedup();
        assert_eq!(releases, [16, 22, 25, 26, 27, 29, 32]);
    }

    #[test]
    fn status_by_release() {
        let row = lookup("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema").unwrap();
        assert_eq!(row.status(28), Status::Served);
        assert_eq!(row.status(29), Status::Deprecated);
        assert_eq!(row.status(32), Status::Removed);
        assert!(is_removed("extensions/v1beta1", "Ingress", 25));
        assert!(!is_removed("networking.k8s.io/v1", "Ingress", 37));
        assert!(lookup("apps/v1", "Deployment").is_none());
    }
}
