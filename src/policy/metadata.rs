//! `# METADATA` blocks: OPA's YAML annotations in comments, read by us (regorus keeps no comments).
//!
//! ```rego
//! # METADATA
//! # title: Ingress host claimed by two teams
//! # description: Two owners route the same host and path.
//! # custom:
//! #   code: GL310
//! #   name: ingress-host-conflict
//! #   level: error
//! #   scope: repository
//! package gitops_lint.ingress_host_conflict
//! ```
//!
//! A block directly above `package` annotates the package (all its rules); a block above a rule
//! annotates that rule and wins over the package block.

use super::{Level, Scope};
use serde_json::Value;

/// What one `# METADATA` block says, with owned strings (policies are loaded at run time).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotation {
    pub title: Option<String>,
    pub description: Option<String>,
    pub related_resources: Vec<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub level: Option<Level>,
    pub scope: Option<Scope>,
}

impl Annotation {
    /// Fills the fields this annotation lacks from `fallback` (rule block over package block).
    pub fn or(&self, fallback: &Annotation) -> Annotation {
        Annotation {
            title: self.title.clone().or_else(|| fallback.title.clone()),
            description: self
                .description
                .clone()
                .or_else(|| fallback.description.clone()),
            related_resources: if self.related_resources.is_empty() {
                fallback.related_resources.clone()
            } else {
                self.related_resources.clone()
            },
            code: self.code.clone().or_else(|| fallback.code.clone()),
            name: self.name.clone().or_else(|| fallback.name.clone()),
            level: self.level.or(fallback.level),
            scope: self.scope.or(fallback.scope),
        }
    }
}

/// What a block is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Package,
    /// The rule's name (first identifier of its head).
    Rule(String),
}

/// One parsed block and the 1-based line of the statement it annotates.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub target: Target,
    pub line: u32,
    pub annotation: Annotation,
}

/// Finds and parses every `# METADATA` block of a Rego source.
pub fn parse_blocks(source: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "# METADATA" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len() && lines[i].trim_start().starts_with('#') {
            let text = lines[i].trim_start();
            if text.trim() == "# METADATA" {
                break;
            }
            body.push(&text[1..]);
            i += 1;
        }
        // The annotated statement: next line that is neither blank nor a comment.
        let mut j = i;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        let yaml = dedent(&body);
        let value = single_document(&yaml)
            .map_err(|e| format!("line {start}: invalid METADATA block: {e}"))?;
        let (annotation, explicit_scope) = annotation_from(&value)
            .map_err(|e| format!("line {start}: invalid METADATA block: {e}"))?;
        let Some(statement) = lines.get(j) else {
            continue;
        };
        let statement = statement.trim_start();
        let target = if statement.starts_with("package ")
            || matches!(explicit_scope.as_deref(), Some("package" | "subpackages"))
        {
            Target::Package
        } else {
            match rule_name(statement) {
                Some(name) => Target::Rule(name),
                None => continue,
            }
        };
        blocks.push(Block {
            target,
            line: (j + 1) as u32,
            annotation,
        });
    }
    Ok(blocks)
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for l in lines {
        out.push_str(l.get(indent..).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// The first identifier of a rule head: `deny contains msg if` → `deny`, `default x := 1` → `x`.
pub fn rule_name(statement: &str) -> Option<String> {
    let s = statement
        .strip_prefix("default ")
        .unwrap_or(statement)
        .trim_start();
    let name: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

fn annotation_from(value: &Value) -> Result<(Annotation, Option<String>), String> {
    let Some(map) = value.as_object() else {
        return Err("expected a YAML mapping".to_string());
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let mut annotation = Annotation {
        title: text("title"),
        description: text("description"),
        ..Annotation::default()
    };
    if let Some(resources) = map.get("related_resources").and_then(Value::as_array) {
        for r in resources {
            match r {
                Value::String(s) => annotation.related_resources.push(s.clone()),
                Value::Object(o) => {
                    if let Some(url) = o.get("ref").and_then(Value::as_str) {
                        let entry = match o.get("description").and_then(Value::as_str) {
                            Some(d) => format!("{url} ({d})"),
                            None => url.to_string(),
                        };
                        annotation.related_resources.push(entry);
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(custom) = map.get("custom").and_then(Value::as_object) {
        let ctext = |key: &str| custom.get(key).and_then(Value::as_str).map(str::to_string);
        annotation.code = ctext("code");
        annotation.name = ctext("name");
        if let Some(level) = ctext("level") {
            annotation.level = Some(
                Level::parse(&level)
                    .ok_or_else(|| format!("custom.level `{level}` is not error|warning|note"))?,
            );
        }
        if let Some(scope) = ctext("scope") {
            annotation.scope = Some(match scope.as_str() {
                "object" => Scope::Object,
                "repository" => Scope::Repository,
                _ => return Err(format!("custom.scope `{scope}` is not object|repository")),
            });
        }
    }
    Ok((annotation, text("scope")))
}

/// A METADATA block is one YAML document (empty gives `null`).
fn single_document(text: &str) -> Result<serde_json::Value, String> {
    let mut docs = crate::yaml::documents_as_json(text)?;
    match docs.len() {
        0 => Ok(serde_json::Value::Null),
        1 => Ok(docs.remove(0)),
        n => Err(format!("expected one YAML document, found {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"# METADATA
# title: Package title
# custom:
#   name: pkg-rule
#   scope: repository
package acme.pkg

import rego.v1

# A plain comment.

# METADATA
# title: Denies things
# description: |-
#   Long text
#   on two lines.
# related_resources:
#   - https://example.com/a
#   - ref: https://example.com/b
#     description: B
# custom:
#   code: AC001
#   level: warning
deny contains msg if {
	msg := "x"
}
"#;

    #[test]
    fn parses_package_and_rule_blocks() {
        let blocks = parse_blocks(SRC).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].target, Target::Package);
        assert_eq!(blocks[0].annotation.name.as_deref(), Some("pkg-rule"));
        assert_eq!(blocks[0].annotation.scope, Some(Scope::Repository));
        assert_eq!(blocks[1].target, Target::Rule("deny".into()));
        assert_eq!(blocks[1].line, 24);
        let rule = &blocks[1].annotation;
        assert_eq!(
            rule.description.as_deref(),
            Some("Long text\non two lines.")
        );
        assert_eq!(
            rule.related_resources,
            vec!["https://example.com/a", "https://example.com/b (B)"]
        );
        assert_eq!(rule.code.as_deref(), Some("AC001"));
        assert_eq!(rule.level, Some(Level::Warning));
        let merged = rule.or(&blocks[0].annotation);
        assert_eq!(merged.name.as_deref(), Some("pkg-rule"));
        assert_eq!(merged.title.as_deref(), Some("Denies things"));
    }

    #[test]
    fn rejects_bad_level() {
        let err =
            parse_blocks("# METADATA\n# custom:\n#   level: fatal\ndeny if true\n").unwrap_err();
        assert!(err.contains("fatal"), "{err}");
    }

    #[test]
    fn rule_names() {
        assert_eq!(rule_name("deny[msg] {").as_deref(), Some("deny"));
        assert_eq!(
            rule_name("default allow := false").as_deref(),
            Some("allow")
        );
        assert_eq!(rule_name("{").as_deref(), None);
    }
}
