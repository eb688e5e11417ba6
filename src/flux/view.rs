//! `gitops-lint graph`: the Flux graph per cluster as Mermaid, DOT or text.
//!
//! Nodes are Kustomizations, sources and HelmReleases; edges are "applies" (parent → child),
//! `sourceRef`/`chartRef`, and `dependsOn`. A reference that does not resolve points at a red
//! "missing" node.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::graph::{Model, SourceStatus};
use super::model::{self, HelmRelease, Kustomization, Ref};
use crate::cli::GraphFormat;
use crate::inventory::Inventory;

#[derive(Default)]
struct Graph {
    /// id → (label, shape)
    nodes: BTreeMap<String, (String, Shape)>,
    edges: Vec<(String, String, &'static str, bool)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Kustomization,
    Source,
    Release,
    Missing,
}

impl Graph {
    fn node(&mut self, id: String, label: String, shape: Shape) -> String {
        self.nodes.entry(id.clone()).or_insert((label, shape));
        id
    }
}

fn node_id(cluster: usize, kind: &str, ns: &str, name: &str) -> String {
    let raw = format!("c{cluster}_{kind}_{ns}_{name}");
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// One graph per cluster, in cluster order.
fn build(model: &Model) -> Vec<(String, Graph)> {
    let mut out = Vec::new();
    for (c, cluster) in model.clusters.iter().enumerate() {
        let mut g = Graph::default();
        let own = &cluster.own_source;
        g.node(
            node_id(c, &own.kind, &own.namespace, &own.name),
            format!("{} {}/{}", own.kind, own.namespace, own.name),
            Shape::Source,
        );
        for (_, inst) in model
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.cluster == Some(c))
        {
            if model::is_source(&inst.api_version, &inst.kind) {
                let label = format!("{} {}/{}", inst.kind, inst.namespace, inst.name);
                g.node(
                    node_id(c, &inst.kind, &inst.namespace, &inst.name),
                    label,
                    Shape::Source,
                );
            }
        }
        for artifact in &cluster.artifacts {
            let label = format!("ExternalArtifact {}/{}", artifact.namespace, artifact.name);
            g.node(
                node_id(c, "ExternalArtifact", &artifact.namespace, &artifact.name),
                label,
                Shape::Source,
            );
        }
        let reference = |g: &mut Graph,
                         from: &str,
                         ns: &str,
                         r: &Ref,
                         kind: &str,
                         label: &'static str,
                         exists: bool| {
            let ns = r.namespace_or(ns).to_string();
            let target = if exists {
                node_id(c, kind, &ns, &r.name)
            } else {
                let id = format!("{}_missing", node_id(c, kind, &ns, &r.name));
                g.node(
                    id,
                    format!("missing {kind} {ns}/{}", r.name),
                    Shape::Missing,
                )
            };
            g.edges.push((from.to_string(), target, label, !exists));
        };
        for ks in model.kustomizations.iter().filter(|k| k.cluster == c) {
            let id = node_id(c, "Kustomization", &ks.namespace, &ks.name);
            let path = match &ks.source {
                SourceStatus::Repository { dir } => format!("./{dir}"),
                SourceStatus::External => "external".into(),
                SourceStatus::Unresolved => "unresolved".into(),
            };
            g.node(
                id.clone(),
                format!("Kustomization {}/{}<br/>{path}", ks.namespace, ks.name),
                Shape::Kustomization,
            );
            if let Some(p) = ks.parent {
                let parent = &model.kustomizations[p];
                g.edges.push((
                    node_id(c, "Kustomization", &parent.namespace, &parent.name),
                    id.clone(),
                    "applies",
                    false,
                ));
            }
            let Some(i) = ks.instance else {
                g.edges.push((
                    id.clone(),
                    node_id(c, &own.kind, &own.namespace, &own.name),
                    "source",
                    false,
                ));
                continue;
            };
            let view = Kustomization(&model.instances[i].node);
            if let Some(src) = view.source_ref().filter(|r| !r.is_templated()) {
                let exists = model.source_exists(
                    Some(c),
                    &src.kind,
                    src.namespace_or(&ks.namespace),
                    &src.name,
                );
                reference(
                    &mut g,
                    &id,
                    &ks.namespace,
                    &src,
                    &src.kind.clone(),
                    "source",
                    exists,
                );
            }
            for dep in view.depends_on().iter().filter(|r| !r.is_templated()) {
                let exists = (model.kustomizations.iter()).any(|k| {
                    k.cluster == c
                        && k.name == dep.name
                        && k.namespace == dep.namespace_or(&ks.namespace)
                });
                reference(
                    &mut g,
                    &id,
                    &ks.namespace,
                    dep,
                    "Kustomization",
                    "dependsOn",
                    exists,
                );
            }
        }
        for (_, inst) in model
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.cluster == Some(c))
        {
            if !model::is_helm_release(&inst.api_version, &inst.kind) {
                continue;
            }
            let id = node_id(c, "HelmRelease", &inst.namespace, &inst.name);
            g.node(
                id.clone(),
                format!("HelmRelease {}/{}", inst.namespace, inst.name),
                Shape::Release,
            );
            if let Some(owner) = inst.owner {
                let o = &model.kustomizations[owner];
                g.edges.push((
                    node_id(c, "Kustomization", &o.namespace, &o.name),
                    id.clone(),
                    "applies",
                    false,
                ));
            }
            let hr = HelmRelease(&inst.node);
            for src in hr
                .chart_source_ref()
                .into_iter()
                .chain(hr.chart_ref())
                .filter(|r| !r.is_templated())
            {
                let exists = model.source_exists(
                    Some(c),
                    &src.kind,
                    src.namespace_or(&inst.namespace),
                    &src.name,
                );
                reference(
                    &mut g,
                    &id,
                    &inst.namespace,
                    &src,
                    &src.kind.clone(),
                    "chart",
                    exists,
                );
            }
            for dep in hr.depends_on().iter().filter(|r| !r.is_templated()) {
                let exists = model
                    .find(
                        Some(c),
                        "HelmRelease",
                        dep.namespace_or(&inst.namespace),
                        &dep.name,
                    )
                    .next()
                    .is_some();
                reference(
                    &mut g,
                    &id,
                    &inst.namespace,
                    dep,
                    "HelmRelease",
                    "dependsOn",
                    exists,
                );
            }
        }
        out.push((cluster.name.clone(), g));
    }
    out
}

pub fn render(model: &Model, inventory: &Inventory, format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => mermaid(model),
        GraphFormat::Dot => dot(model),
        GraphFormat::Text => text(model, inventory),
    }
}

fn mermaid(model: &Model) -> String {
    let mut s = String::from("flowchart LR\n");
    let mut edges = Vec::new();
    for (c, (name, g)) in build(model).into_iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster{c}[\"{name}\"]");
        for (id, (label, shape)) in &g.nodes {
            let label = label.replace('"', "'");
            let node = match shape {
                Shape::Kustomization => format!("{id}[\"{label}\"]"),
                Shape::Source => format!("{id}[(\"{label}\")]"),
                Shape::Release => format!("{id}{{{{\"{label}\"}}}}"),
                Shape::Missing => format!("{id}[\"{label}\"]:::broken"),
            };
            let _ = writeln!(s, "    {node}");
        }
        s.push_str("  end\n");
        edges.extend(g.edges);
    }
    for (from, to, label, broken) in &edges {
        let arrow = if *label == "dependsOn" {
            format!("-. {label} .->")
        } else {
            format!("-- {label} -->")
        };
        let _ = writeln!(s, "  {from} {arrow} {to}");
        let _ = broken;
    }
    s.push_str("  classDef broken stroke:#d00,stroke-width:2px,color:#d00,stroke-dasharray:4\n");
    s
}

fn dot(model: &Model) -> String {
    let mut s = String::from("digraph flux {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (c, (name, g)) in build(model).into_iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_{c} {{\n    label=\"{name}\";");
        for (id, (label, shape)) in &g.nodes {
            let label = label.replace("<br/>", "\\n").replace('"', "'");
            let attrs = match shape {
                Shape::Kustomization => "shape=box",
                Shape::Source => "shape=cylinder",
                Shape::Release => "shape=hexagon",
                Shape::Missing => "shape=box, color=red, fontcolor=red, style=dashed",
            };
            let _ = writeln!(s, "    {id} [label=\"{label}\", {attrs}];");
        }
        for (from, to, label, broken) in &g.edges {
            let style = match (*broken, *label) {
                (true, _) => ", color=red, style=dashed",
                (_, "dependsOn") => ", style=dashed",
                _ => "",
            };
            let _ = writeln!(s, "    {from} -> {to} [label=\"{label}\"{style}];");
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

fn text(model: &Model, inventory: &Inventory) -> String {
    let mut s = String::new();
    for (c, cluster) in model.clusters.iter().enumerate() {
        let owned = model
            .instances
            .iter()
            .filter(|i| i.cluster == Some(c))
            .count();
        let resolved = (model.kustomizations.iter())
            .filter(|k| k.cluster == c && matches!(k.source, SourceStatus::Repository { .. }))
            .count();
        let total = model
            .kustomizations
            .iter()
            .filter(|k| k.cluster == c)
            .count();
        let root = format!(" ({})", cluster.found_by.describe());
        let _ = writeln!(
            s,
            "cluster {}{root}: {total} Kustomizations, {resolved} resolved in this repository, {owned} objects",
            cluster.name
        );
        print_tree(model, cluster.root, 1, &mut s);
    }
    let standalone = (model.instances.iter())
        .filter(|i| i.owner.is_none() && i.cluster.is_none())
        .count();
    let _ = writeln!(
        s,
        "standalone objects (no Kustomization applies them): {standalone} of {} objects",
        inventory.objects.len()
    );
    s
}

fn print_tree(model: &Model, k: usize, depth: usize, s: &mut String) {
    let ks = &model.kustomizations[k];
    let source = match &ks.source {
        SourceStatus::Repository { dir } => format!("./{dir}"),
        SourceStatus::External => "external source".into(),
        SourceStatus::Unresolved => "unresolved".into(),
    };
    let _ = writeln!(
        s,
        "{}{} [{source}] {} objects",
        "  ".repeat(depth),
        ks.display(),
        ks.applied
    );
    for (child, _) in model
        .kustomizations
        .iter()
        .enumerate()
        .filter(|(_, c)| c.parent == Some(k))
    {
        print_tree(model, child, depth + 1, s);
    }
}
