//! The Flux model: typed views over the Flux kinds, the graph of Kustomizations per cluster,
//! owners, and `postBuild` substitution.
pub mod graph;
pub mod ignore;
pub mod model;
pub mod options;
mod outside;
mod postbuild;
pub mod provided;
pub mod roots;
pub mod subst;
pub mod version;
pub mod view;

pub use graph::Model;
pub use options::Options;

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;

/// Drops repeated findings of one rule at one span (a base rendered into several clusters or by
/// several overlays is reported once), keeping the first.
pub fn dedup_from(out: &mut Vec<Diagnostic>, start: usize) {
    let mut seen = HashSet::new();
    let mut i = start;
    while i < out.len() {
        if seen.insert((out[i].rule.code, out[i].primary.span)) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
}
