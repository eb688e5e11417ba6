//! The built-in policy pack (`policies/`), embedded in the binary.

use super::PolicyFile;
use std::path::PathBuf;

/// (file name, text) of every embedded policy and test.
pub const PACK: &[(&str, &str)] = &[
    (
        "duplicate_cluster_object.rego",
        include_str!("../../policies/duplicate_cluster_object.rego"),
    ),
    (
        "duplicate_cluster_object_test.rego",
        include_str!("../../policies/duplicate_cluster_object_test.rego"),
    ),
    (
        "ingress_host_conflict.rego",
        include_str!("../../policies/ingress_host_conflict.rego"),
    ),
    (
        "ingress_host_conflict_test.rego",
        include_str!("../../policies/ingress_host_conflict_test.rego"),
    ),
    (
        "namespace_owner_conflict.rego",
        include_str!("../../policies/namespace_owner_conflict.rego"),
    ),
    (
        "namespace_owner_conflict_test.rego",
        include_str!("../../policies/namespace_owner_conflict_test.rego"),
    ),
    (
        "service_port_mismatch.rego",
        include_str!("../../policies/service_port_mismatch.rego"),
    ),
    (
        "service_port_mismatch_test.rego",
        include_str!("../../policies/service_port_mismatch_test.rego"),
    ),
];

/// The embedded files, labelled `policies/<name>`; tests only when `with_tests`.
pub fn files(with_tests: bool) -> Vec<PolicyFile> {
    PACK.iter()
        .filter(|(name, _)| with_tests || !name.ends_with("_test.rego"))
        .map(|(name, text)| PolicyFile {
            path: PathBuf::from("policies").join(name),
            text: (*text).to_string(),
            is_test: name.ends_with("_test.rego"),
        })
        .collect()
}

/// `data.<package>` of a Rego text, read from its `package` line.
pub fn package_of(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .map(|p| format!("data.{}", p.trim()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_policy_has_a_test_file() {
        for (name, _) in super::PACK {
            if let Some(stem) = name.strip_suffix(".rego")
                && !stem.ends_with("_test")
            {
                let test = format!("{stem}_test.rego");
                assert!(
                    super::PACK.iter().any(|(n, _)| *n == test),
                    "{name} has no {test}"
                );
            }
        }
    }
}
