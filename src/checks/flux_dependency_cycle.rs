//! `flux-dependency-cycle`

use std::collections::HashMap;

use super::Check;
use crate::diagnostic::{Diagnostic, Label};
use crate::flux::Model;
use crate::flux::model::{self, HelmRelease, Kustomization, Ref};
use crate::inventory::Inventory;
use crate::rule::{RuleMeta, declare_rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds Flux Kustomizations or HelmReleases whose `dependsOn` entries form a cycle in one
    /// cluster (including an object that depends on itself). The finding points at one edge of the
    /// cycle and lists the others as related locations.
    ///
    /// ## Why is this bad?
    /// Every member waits for another member to become Ready first: none of them is ever applied.
    ///
    /// ## Example
    /// ```yaml
    /// # apps depends on infra, infra depends on apps
    /// spec:
    ///   dependsOn:
    ///     - name: apps
    /// ```
    ///
    /// ## How to fix
    /// Remove one `dependsOn` edge so that the order is a tree.
    pub struct FluxDependencyCycle {
        code: "GL204",
        name: "flux-dependency-cycle",
        category: Flux,
        level: Error,
        summary: "dependsOn entries form a cycle",
    }
}

/// `(cluster, kind, namespace, name)`.
type Key = (Option<usize>, String, String, String);

impl Check for FluxDependencyCycle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_model(&self, model: &Model, inventory: &Inventory, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        // Nodes and edges (with the span of each dependsOn entry), per cluster.
        let mut edges: HashMap<Key, Vec<(Key, Span)>> = HashMap::new();
        let mut order: Vec<Key> = Vec::new();
        for inst in &model.instances {
            let deps: Vec<Ref> = if model::is_flux_kustomization(&inst.api_version, &inst.kind) {
                Kustomization(&inst.node).depends_on()
            } else if model::is_helm_release(&inst.api_version, &inst.kind) {
                HelmRelease(&inst.node).depends_on()
            } else {
                continue;
            };
            let key: Key = (
                inst.cluster,
                inst.kind.clone(),
                inst.namespace.clone(),
                inst.name.clone(),
            );
            if edges.contains_key(&key) {
                continue;
            }
            order.push(key.clone());
            let targets = (deps.iter().filter(|d| !d.is_templated()))
                .map(|d| {
                    (
                        (
                            inst.cluster,
                            inst.kind.clone(),
                            d.namespace_or(&inst.namespace).to_string(),
                            d.name.clone(),
                        ),
                        d.span,
                    )
                })
                .collect();
            edges.insert(key, targets);
        }
        // Report each cycle once, from the member whose first edge comes first in the repository.
        let position = |span: Span| (inventory.file(span.file).path.clone(), span.start);
        let mut reported: Vec<Vec<Key>> = Vec::new();
        let mut starts: Vec<(Key, Span)> = order
            .iter()
            .flat_map(|k| edges[k].iter().map(move |(_, s)| (k.clone(), *s)))
            .collect();
        starts.sort_by_key(|(_, s)| position(*s));
        for (key, _) in starts {
            let Some(path) = cycle_through(&key, &edges) else {
                continue;
            };
            let mut members: Vec<Key> = path.iter().map(|(k, _)| k.clone()).collect();
            members.sort();
            if reported.contains(&members) {
                continue;
            }
            reported.push(members);
            let names: Vec<&str> = path
                .iter()
                .map(|(k, _)| k.3.as_str())
                .chain([key.3.as_str()])
                .collect();
            let (_, first_span) = &path[0];
            let mut d = Diagnostic::new(
                &Self::META,
                *first_span,
                format!(
                    "dependency cycle in cluster `{}`: {}",
                    model.cluster_name(key.0),
                    names.join(" → ")
                ),
            );
            for (k, span) in &path[1..] {
                d = d.with_related(Label::with_message(
                    *span,
                    format!("`{}` depends on the next member here", k.3),
                ));
            }
            out.push(d);
        }
        crate::flux::dedup_from(out, start);
    }
}

/// A shortest path from `start` back to itself: `[(member, span of its edge to the next)]`.
fn cycle_through(start: &Key, edges: &HashMap<Key, Vec<(Key, Span)>>) -> Option<Vec<(Key, Span)>> {
    let mut prev: HashMap<Key, (Key, Span)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start.clone()]);
    while let Some(node) = queue.pop_front() {
        for (next, span) in edges.get(&node).into_iter().flatten() {
            if next == start {
                let mut path = vec![(node.clone(), *span)];
                let mut cur = node.clone();
                while cur != *start {
                    let (p, s) = prev[&cur].clone();
                    path.push((p.clone(), s));
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            if edges.contains_key(next) && !prev.contains_key(next) && next != start {
                prev.insert(next.clone(), (node.clone(), *span));
                queue.push_back(next.clone());
            }
        }
    }
    None
}
