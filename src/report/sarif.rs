//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Location;
use crate::Outcome;
use crate::diagnostic::Diagnostic;
use crate::rule::{Category, RuleMeta};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<ResultEntry>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultEntry {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<ResultLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<ResultLocation>,
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fingerprints {
    #[serde(rename = "primaryLocationLineHash")]
    primary_location_line_hash: String,
}

fn rule(meta: &RuleMeta) -> Rule {
    let docs = meta.docs_markdown();
    let security = meta.category == Category::Security;
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.summary.to_owned(),
        },
        full_description: Text {
            text: first_paragraph(&docs),
        },
        help: Help {
            text: docs.clone(),
            markdown: docs,
        },
        default_configuration: Configuration {
            level: meta.default_level.as_str(),
        },
        properties: RuleProperties {
            // The Security category's tag is `security`, the tag GitHub looks for.
            tags: vec![category_tag(meta.category)],
            precision: "high",
            security_severity: security.then_some("8.0"),
        },
    }
}

fn category_tag(category: Category) -> &'static str {
    match category {
        Category::Yaml => "yaml",
        Category::Schema => "schema",
        Category::Flux => "flux",
        Category::CrossTeam => "cross-team",
        Category::ApplySafety => "apply-safety",
        Category::Security => "security",
        Category::Policy => "policy",
    }
}

/// The body of "## What it does", or the first paragraph.
fn first_paragraph(docs: &str) -> String {
    docs.split("\n\n")
        .map(|p| {
            p.lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|p| !p.trim().is_empty())
        .unwrap_or_default()
}

fn physical(outcome: &Outcome, label: &crate::diagnostic::Label) -> PhysicalLocation {
    let at = Location::of(&outcome.inventory, label);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(at.path),
            uri_base_id: "%SRCROOT%",
        },
        region: Region {
            start_line: at.start.line,
            start_column: at.start.column,
            end_line: at.end.line,
            end_column: at
                .end
                .column
                .max(at.start.column + u32::from(at.end.line == at.start.line)),
        },
    }
}

/// Percent-encode a repository path for a URI reference (keeping `/`).
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// GitHub tracks alerts across commits by this hash: the rule plus the whitespace-free text of
/// the line (the message instead, for files holding Secrets), then `:n` for the n-th repeat.
fn line_hash(
    outcome: &Outcome,
    diagnostic: &Diagnostic,
    seen: &mut HashMap<(String, u64), u32>,
) -> String {
    let file = outcome.inventory.file(diagnostic.primary.span.file);
    let line = file.line_col(diagnostic.primary.span.start).line;
    let content: String = if file.sensitive {
        diagnostic.message.clone()
    } else {
        file.line_text(line)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in diagnostic
        .rule
        .code
        .bytes()
        .chain([0])
        .chain(content.bytes())
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let count = seen.entry((file.path.clone(), hash)).or_insert(0);
    *count += 1;
    format!("{hash:016x}:{count}")
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let index: HashMap<&str, usize> = outcome
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code, i))
        .collect();
    let mut seen = HashMap::new();
    let results = (outcome.diagnostics.iter())
        .map(|diagnostic| ResultEntry {
            rule_id: diagnostic.rule.code,
            rule_index: index.get(diagnostic.rule.code).copied().unwrap_or(0),
            level: diagnostic.level.as_str(),
            message: Text {
                text: diagnostic.message.clone(),
            },
            locations: vec![ResultLocation {
                id: None,
                physical_location: physical(outcome, &diagnostic.primary),
                logical_locations: (diagnostic.object.iter())
                    .map(|object| LogicalLocation {
                        name: object.name.clone(),
                        fully_qualified_name: object.display(),
                        kind: "resource",
                    })
                    .collect(),
                message: None,
            }],
            related_locations: (diagnostic.related.iter().enumerate())
                .map(|(i, label)| ResultLocation {
                    id: Some(i + 1),
                    physical_location: physical(outcome, label),
                    logical_locations: Vec::new(),
                    message: label.message.as_ref().map(|m| Text { text: m.clone() }),
                })
                .collect(),
            partial_fingerprints: Fingerprints {
                primary_location_line_hash: line_hash(outcome, diagnostic, &mut seen),
            },
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "gitops-lint",
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/gitops-lint/gitops-lint",
                    rules: outcome.rules.iter().map(|r| rule(r)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
