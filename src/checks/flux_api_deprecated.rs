//! `flux-api-deprecated`

use super::Check;
use crate::diagnostic::Diagnostic;
use crate::flux::model;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds Flux objects written with an API version that current Flux no longer serves or has
    /// deprecated: `kustomize.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// `helm.toolkit.fluxcd.io/v2beta1|v2beta2`, `source.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// `notification.toolkit.fluxcd.io/v1beta1|v1beta2`, `image.toolkit.fluxcd.io/v1beta1|v1beta2`,
    /// and names the replacement.
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

    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let Some(to) = model::replacement(&object.id.group, &object.id.version, &object.id.kind)
        else {
            return;
        };
        let span = object
            .root
            .get("apiVersion")
            .map_or(object.root.span, |n| n.span);
        let message = format!(
            "`{}` {} is deprecated and no longer served by current Flux; use `{}/{to}`",
            object.api_version, object.id.kind, object.id.group
        );
        out.push(Diagnostic::new(&Self::META, span, message).with_object(object.reference()));
    }
}
