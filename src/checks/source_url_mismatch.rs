//! `source-url-mismatch`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::Model;
use crate::flux::graph::Instance;
use crate::flux::model::SOURCE_GROUP;
use crate::inventory::Inventory;
use crate::kustomize::tree::{get_path, get_str};
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a Flux source whose URL does not fit its kind or its settings:
    /// - a HelmRepository with an `oci://` URL but no `type: oci`, or `type: oci` with an
    ///   `http(s)://` URL;
    /// - an OCIRepository whose URL is not `oci://`;
    /// - a GitRepository with an scp-like URL (`git@host:org/repo`), which source-controller
    ///   does not accept, or an `ssh://` URL without `secretRef` (SSH needs a key).
    ///
    /// URLs that still hold `${…}` are skipped, and so is a missing `secretRef` on the source the
    /// cluster's root sync reads the repository through (the bootstrap provides its key). Plain `http://` is not reported: GitRepository
    /// and default-type HelmRepository accept it, and `insecure: true` only matters for OCI
    /// registries and Bucket endpoints, whose URLs carry no `http://` scheme.
    ///
    /// ## Why is this bad?
    /// The source never becomes Ready: the controller refuses the URL scheme, asks a Helm index
    /// server for an OCI registry (or the reverse), or cannot authenticate the SSH connection.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HelmRepository
    /// spec:
    ///   url: oci://ghcr.io/acme/charts   # needs `type: oci`
    /// ```
    ///
    /// ## How to fix
    /// Set `type: oci` for OCI registries (or use an OCIRepository), write SSH URLs as
    /// `ssh://git@host/org/repo` with a `secretRef` holding the key, or switch to `https://`.
    pub struct SourceUrlMismatch {
        code: "GL211",
        name: "source-url-mismatch",
        category: Flux,
        level: Error,
        summary: "A Flux source URL does not fit its kind, type or credentials",
    }
}

impl Check for SourceUrlMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        // About the object itself: every placement is judged, inside a cluster or not.
        for inst in model.instances.iter().filter(|i| i.group() == SOURCE_GROUP) {
            let Some(url) = get_path(&inst.node, &["spec", "url"]) else {
                continue;
            };
            let Some(text) = url.as_str().filter(|u| !u.contains("${")) else {
                continue;
            };
            let Some((message, help)) = mismatch(inst, text, is_own_source(model, inst)) else {
                continue;
            };
            out.push(
                Diagnostic::new(&Self::META, url.span, message)
                    .with_object(inst.reference())
                    .with_help(help),
            );
        }
        crate::flux::dedup_from(out, start);
    }
}

/// What is wrong with `url` for this source, and how to fix it.
/// `own`: the cluster's root sync reads this repository through it (its credentials come from
/// the bootstrap, which may add them out of band).
fn mismatch(inst: &Instance, url: &str, own: bool) -> Option<(String, String)> {
    let field = |path: &[&str]| get_str(&inst.node, path);
    let (kind, name) = (&inst.kind, &inst.name);
    let oci = url.starts_with("oci://");
    match kind.as_str() {
        "HelmRepository" => {
            let typ = field(&["spec", "type"]).unwrap_or("default");
            if oci && typ != "oci" {
                Some((
                    format!("HelmRepository `{name}` has the OCI URL `{url}` but is not `type: oci`"),
                    "add `type: oci` to the spec (or use an OCIRepository)".to_string(),
                ))
            } else if !oci && typ == "oci" {
                Some((
                    format!("HelmRepository `{name}` is `type: oci` but its URL `{url}` is not `oci://`"),
                    "write the registry URL as `oci://host/path`, or drop `type: oci` for a Helm index server".to_string(),
                ))
            } else {
                None
            }
        }
        "OCIRepository" if !oci => Some((
            format!("OCIRepository `{name}` has the URL `{url}`, which is not `oci://`"),
            "write the artifact URL as `oci://host/path`".to_string(),
        )),
        "GitRepository" if is_scp_like(url) => Some((
            format!("GitRepository `{name}` uses the scp-like URL `{url}`, which source-controller does not accept"),
            format!("write it as `{}`", scp_to_ssh(url)),
        )),
        "GitRepository"
            if url.starts_with("ssh://")
                && !own
                && get_path(&inst.node, &["spec", "secretRef"]).is_none() =>
        {
            Some((
                format!("GitRepository `{name}` clones `{url}` over SSH without a `secretRef`"),
                "add `secretRef` naming a Secret with `identity` and `known_hosts`, or use an `https://` URL".to_string(),
            ))
        }
        _ => None,
    }
}

/// The source the cluster's root sync reads this repository through.
fn is_own_source(model: &Model, inst: &Instance) -> bool {
    let Some(c) = inst.cluster else { return false };
    let own = &model.clusters[c].own_source;
    own.kind == inst.kind && own.namespace == inst.namespace && own.name == inst.name
}

fn has_scheme(url: &str) -> bool {
    url.contains("://")
}

/// `user@host:path`: no scheme, an `@` before the first `:`, and no `/` before it.
fn is_scp_like(url: &str) -> bool {
    if has_scheme(url) {
        return false;
    }
    let Some((head, _)) = url.split_once(':') else {
        return false;
    };
    head.contains('@') && !head.contains('/')
}

fn scp_to_ssh(url: &str) -> String {
    let (head, path) = url.split_once(':').unwrap_or((url, ""));
    format!("ssh://{head}/{}", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_like_urls_are_told_apart_from_ssh_and_https() {
        assert!(is_scp_like("git@github.com:acme/fleet.git"));
        assert!(!is_scp_like("ssh://git@github.com/acme/fleet.git"));
        assert!(!is_scp_like("https://github.com/acme/fleet"));
        assert!(!is_scp_like("github.com/acme/fleet"));
        assert_eq!(
            scp_to_ssh("git@github.com:acme/fleet.git"),
            "ssh://git@github.com/acme/fleet.git"
        );
    }
}
