//! `duplicate-object`

use std::collections::HashMap;

use super::Check;
use crate::diagnostic::{Diagnostic, Label};
use crate::flux::Model;
use crate::inventory::Inventory;
use crate::kustomize::render::Origin;
use crate::rule::{RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds the same object (group, kind, namespace, name after kustomize and `targetNamespace`)
    /// applied by two different Flux Kustomizations in one cluster. Both locations are reported
    /// (SARIF related locations).
    ///
    /// ## Why is this bad?
    /// The two Kustomizations overwrite each other's version on every reconciliation, and when
    /// one of them stops applying it, its garbage collection (`prune`) deletes the object the
    /// other one still wants.
    ///
    /// ## Example
    /// `infrastructure/namespaces.yaml` and `apps/web/namespace.yaml` both define
    /// `Namespace/web`, applied by `infrastructure` and `apps`.
    ///
    /// ## How to fix
    /// Keep the object in one place, owned by one Kustomization.
    pub struct DuplicateObject {
        code: "GL301",
        name: "duplicate-object",
        category: CrossTeam,
        level: Error,
        summary: "The same object is applied by two Flux Kustomizations in one cluster",
    }
}

impl Check for DuplicateObject {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, _inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let mut first: HashMap<(usize, &str, &str, &str, &str), usize> = HashMap::new();
        for (i, inst) in model.instances.iter().enumerate() {
            let (Some(cluster), Some(owner)) = (inst.cluster, inst.owner) else {
                continue;
            };
            if matches!(inst.origin, Origin::Generated { hashed: true, .. }) || inst.name.is_empty()
            {
                continue;
            }
            let key = (
                cluster,
                inst.group(),
                inst.kind.as_str(),
                inst.namespace.as_str(),
                inst.name.as_str(),
            );
            let Some(&j) = first.get(&key) else {
                first.insert(key, i);
                continue;
            };
            let other = &model.instances[j];
            let Some(other_owner) = other.owner.filter(|o| *o != owner) else {
                continue;
            };
            let (a, b) = (
                &model.kustomizations[other_owner],
                &model.kustomizations[owner],
            );
            let message = format!(
                "{} is applied by both `{}` and `{}` in cluster `{}`",
                inst.display(),
                a.name,
                b.name,
                model.clusters[cluster].name
            );
            out.push(
                Diagnostic::new(&Self::META, inst.name_span(), message)
                    .with_object(inst.reference())
                    .with_related(Label::with_message(
                        other.name_span(),
                        format!("also applied by `{}` here", a.name),
                    )),
            );
        }
        crate::flux::dedup_from(out, start);
    }
}
