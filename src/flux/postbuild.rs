//! Flux `postBuild`: variables from `substitute` and `substituteFrom`, `${var}` substituted in
//! every object a Kustomization applies, undefined variables recorded.

use std::collections::HashMap;

use super::graph::{Builder, UndefinedVar};
use super::model::{Kustomization, Ref};
use super::subst;
use crate::inventory::Inventory;
use crate::kustomize::render::Resource;
use crate::kustomize::tree::{get, get_str};
use crate::source::Span;
use crate::yaml::{Node, Value};

impl Builder<'_, '_> {
    /// `postBuild`: collect the variables, report undefined ones, substitute.
    pub(super) fn post_build(
        &mut self,
        k: usize,
        ks: &Kustomization<'_>,
        resources: &mut [Resource],
    ) {
        let c = self.model.kustomizations[k].cluster;
        let ns = self.model.kustomizations[k].namespace.clone();
        let mut vars: HashMap<String, String> = HashMap::new();
        let mut complete = true;
        for r in ks.substitute_from() {
            match self.lookup_vars(c, &r, &ns) {
                Some(Some(found)) => vars.extend(found),
                Some(None) => complete = false,
                None if r.optional => {}
                None => complete = false,
            }
        }
        vars.extend(ks.substitute());
        for res in resources.iter_mut() {
            if substitution_disabled(&res.node) {
                continue;
            }
            let mut undefined = Vec::new();
            substitute_tree(
                &mut res.node,
                &vars,
                complete,
                &mut undefined,
                self.repo.inventory,
            );
            if complete {
                for (span, name) in undefined {
                    self.model.undefined_vars.push(UndefinedVar {
                        span,
                        name,
                        kustomization: k,
                    });
                }
            }
        }
    }

    /// Variables of a `substituteFrom` ConfigMap/Secret: `None` not found, `Some(None)` found but
    /// unknowable (SOPS, env files), `Some(Some(vars))` known.
    #[allow(clippy::option_option)]
    pub(super) fn lookup_vars(
        &self,
        c: usize,
        r: &Ref,
        ns: &str,
    ) -> Option<Option<Vec<(String, String)>>> {
        let want_ns = r.namespace_or(ns);
        let key = (r.kind.clone(), want_ns.to_string(), r.name.clone());
        let in_cluster = (self.live.get(&key).into_iter().flatten())
            .map(|&i| &self.model.instances[i])
            .find(|i| i.cluster == Some(c))
            .map(|i| (&i.node, i.sops, i.opaque));
        let raw = || {
            (self.inventory().objects_of_kind(&r.kind))
                .find(|o| {
                    o.id.name == r.name && o.id.namespace.as_deref().is_none_or(|n| n == want_ns)
                })
                .map(|o| (&o.root, o.sops, false))
        };
        let (node, sops, opaque) = in_cluster.or_else(raw)?;
        if sops || opaque {
            return Some(None);
        }
        let mut out = Vec::new();
        for field in ["data", "stringData"] {
            for (key, value) in get(node, field).and_then(Node::as_map).unwrap_or_default() {
                out.push((
                    key.key_string().into_owned(),
                    crate::object::scalar_text(value),
                ));
            }
        }
        Some(Some(out))
    }
}

const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

fn substitution_disabled(node: &Node) -> bool {
    ["annotations", "labels"]
        .iter()
        .any(|f| get_str(node, &["metadata", f, SUBSTITUTE_KEY]).is_some_and(|v| v == "disabled"))
}

/// Substitutes `${var}` in every string scalar; collects references with no value and no default.
/// A plain (unquoted) scalar is read again after substitution, as kustomize-controller re-parses
/// the substituted YAML: `replicas: ${REPLICAS}` becomes a number.
fn substitute_tree(
    node: &mut Node,
    vars: &HashMap<String, String>,
    complete: bool,
    undefined: &mut Vec<(Span, String)>,
    inventory: &Inventory,
) {
    match &mut node.value {
        Value::Str(s) if s.contains("${") => {
            for r in subst::refs(s) {
                if r.default.is_none() && !vars.contains_key(r.name) {
                    undefined.push((node.span, r.name.to_string()));
                }
            }
            let new = subst::substitute(s, |name| vars.get(name).map(String::as_str), complete);
            let text = &inventory.file(node.span.file).text;
            let first = text.as_bytes().get(node.span.start as usize).copied();
            let plain = !matches!(first, Some(b'"' | b'\'' | b'|' | b'>'));
            match crate::yaml::resolve_plain(&new) {
                Value::Str(_) => *s = new,
                resolved if plain => {
                    node.value = resolved;
                    node.implicit_type = true;
                }
                _ => *s = new,
            }
        }
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|n| substitute_tree(n, vars, complete, undefined, inventory)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, v)| substitute_tree(v, vars, complete, undefined, inventory)),
        _ => {}
    }
}
