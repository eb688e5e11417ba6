//! `--format json`: one stable document. Fields are only ever added, never renamed.
//!
//! ```json
//! {"version": 1, "tool": {...}, "summary": {"errors": 1, ...},
//!  "findings": [{"code": "GL501", "rule": "secret-plaintext", "level": "error",
//!                "message": "...", "file": "apps/db.yaml", "line": 6, "column": 1,
//!                "endLine": 6, "endColumn": 11, "object": {...}, "related": [...],
//!                "placements": [{"owner": "Kustomization/flux-system/apps", "cluster": "clusters/prod"}]}]}
//! ```

use std::io::{self, Write};

use serde::Serialize;

use super::Location;
use crate::Outcome;
use crate::diagnostic::{Counts, Diagnostic};
use crate::inventory::Inventory;
use crate::object::ObjectRef;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Vec<Finding<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    files: usize,
    objects: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Finding<'a> {
    code: &'static str,
    rule: &'static str,
    level: &'static str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
    /// Which Flux Kustomization applies the object, in which cluster (one per cluster).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    placements: Vec<Placement>,
}

#[derive(Serialize)]
struct Placement {
    owner: String,
    cluster: String,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn finding<'a>(inventory: &'a Inventory, diagnostic: &'a Diagnostic) -> Finding<'a> {
    let at = Location::of(inventory, &diagnostic.primary);
    Finding {
        code: diagnostic.rule.code,
        rule: diagnostic.rule.name,
        level: diagnostic.level.as_str(),
        message: &diagnostic.message,
        file: at.path,
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        object: diagnostic.object.as_ref(),
        help: diagnostic.help.as_deref(),
        related: (diagnostic.related.iter())
            .map(|label| {
                let at = Location::of(inventory, label);
                Related {
                    file: at.path,
                    line: at.start.line,
                    column: at.start.column,
                    message: label.message.as_deref(),
                }
            })
            .collect(),
        placements: Vec::new(),
    }
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: 1,
        tool: Tool {
            name: "gitops-lint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            counts: outcome.counts(),
            files: outcome.inventory.files.len(),
            objects: outcome.inventory.objects.len(),
        },
        findings: (outcome.diagnostics.iter())
            .map(|d| {
                let mut f = finding(&outcome.inventory, d);
                f.placements = (outcome
                    .flux
                    .placements_at(&outcome.inventory, d.primary.span)
                    .into_iter())
                .map(|(owner, cluster)| Placement { owner, cluster })
                .collect();
                f
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
