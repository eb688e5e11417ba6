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
        // Nodes (Kustomizations and HelmReleases per cluster) and dependsOn edges with their spans.
        let mut ids: HashMap<Key, usize> = HashMap::new();
        let mut nodes: Vec<(Key, Vec<Ref>)> = Vec::new();
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
            if !ids.contains_key(&key) {
                ids.insert(key.clone(), nodes.len());
                nodes.push((key, deps));
            }
        }
        let adj: Vec<Vec<(usize, Span)>> = (nodes.iter())
            .map(|((cluster, kind, ns, _), deps)| {
                (deps.iter().filter(|d| !d.is_templated()))
                    .filter_map(|d| {
                        let target = (
                            *cluster,
                            kind.clone(),
                            d.namespace_or(ns).to_string(),
                            d.name.clone(),
                        );
                        ids.get(&target).map(|&t| (t, d.span))
                    })
                    .collect()
            })
            .collect();
        let position = |span: Span| (inventory.file(span.file).path.clone(), span.start);
        let mut cycles: Vec<Vec<(usize, Span)>> = Vec::new();
        for component in strongly_connected(&adj) {
            let self_loop =
                component.len() == 1 && adj[component[0]].iter().any(|(t, _)| *t == component[0]);
            if component.len() < 2 && !self_loop {
                continue;
            }
            // Start at the member whose edge inside the cycle comes first in the repository.
            let inside: std::collections::HashSet<usize> = component.iter().copied().collect();
            let first = (component.iter())
                .flat_map(|&n| {
                    adj[n]
                        .iter()
                        .filter(|(t, _)| inside.contains(t))
                        .map(move |(_, s)| (n, *s))
                })
                .min_by_key(|(_, s)| position(*s));
            if let Some((n, _)) = first
                && let Some(path) = cycle_from(n, &adj, &inside)
            {
                cycles.push(path);
            }
        }
        cycles.sort_by_key(|path| position(path[0].1));
        for path in cycles {
            let name = |n: usize| nodes[n].0.3.as_str();
            let names: Vec<&str> = path
                .iter()
                .map(|(n, _)| name(*n))
                .chain([name(path[0].0)])
                .collect();
            let cluster = nodes[path[0].0].0.0;
            let mut d = Diagnostic::new(
                &Self::META,
                path[0].1,
                format!(
                    "dependency cycle in cluster `{}`: {}",
                    model.cluster_name(cluster),
                    names.join(" → ")
                ),
            );
            for (n, span) in &path[1..] {
                d = d.with_related(Label::with_message(
                    *span,
                    format!("`{}` depends on the next member here", name(*n)),
                ));
            }
            out.push(d);
        }
        crate::flux::dedup_from(out, start);
    }
}

/// Tarjan's strongly connected components, iteratively (long dependsOn chains are common).
fn strongly_connected(adj: &[Vec<(usize, Span)>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut out, mut next) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _)) = adj[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    out
}

/// A shortest cycle through `start` inside one component: `[(member, span of its edge onward)]`.
fn cycle_from(
    start: usize,
    adj: &[Vec<(usize, Span)>],
    inside: &std::collections::HashSet<usize>,
) -> Option<Vec<(usize, Span)>> {
    let mut prev: HashMap<usize, (usize, Span)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &(next, span) in &adj[node] {
            if next == start {
                let mut path = vec![(node, span)];
                let mut cur = node;
                while cur != start {
                    let (p, s) = prev[&cur];
                    path.push((p, s));
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            if inside.contains(&next) && !prev.contains_key(&next) {
                prev.insert(next, (node, span));
                queue.push_back(next);
            }
        }
    }
    None
}
