//! YAML as Kubernetes reads it: a node tree with byte spans, built from `saphyr-parser` events and
//! resolved with the YAML 1.1 rules of go-yaml v2 (what `sigs.k8s.io/yaml` uses).
//!
//! ```
//! use gitops_lint::source::FileId;
//! use gitops_lint::yaml::{parse, Value};
//!
//! let parsed = parse(FileId(0), "spec:\n  enabled: yes\n  mode: 0777\n");
//! let root = parsed.documents[0].root.as_ref().unwrap();
//! assert_eq!(root.pointer("/spec/enabled").unwrap().value, Value::Bool(true));
//! assert_eq!(root.pointer("/spec/mode").unwrap().value, Value::Int(511));
//! ```

mod node;
mod parse;
mod resolve;

pub use node::{Entry, Node, Value};
pub use parse::{Document, ParsedFile, Problem, ProblemKind, parse};
pub use resolve::resolve_plain;

/// Every document of a small YAML file as JSON (`null` for empty ones), for inputs that need no
/// spans: Rego `# METADATA` blocks, `--data` files, Gatekeeper templates in policy directories.
/// The first problem (with its line) is an error.
pub fn documents_as_json(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let parsed = parse(crate::source::FileId(0), text);
    if let Some(problem) = parsed.problems.first() {
        let line = text[..(problem.span.start as usize).min(text.len())]
            .matches('\n')
            .count()
            + 1;
        return Err(format!("line {line}: {}", problem.message));
    }
    Ok((parsed.documents.iter())
        .map(|d| {
            d.root
                .as_ref()
                .map_or(serde_json::Value::Null, Node::to_json)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_as_json_reads_every_document_and_reports_the_line_of_a_problem() {
        let docs = documents_as_json("a: 1\nb: [x, 'yes', yes]\n---\n---\n- 2.5\n").unwrap();
        assert_eq!(
            docs,
            [
                serde_json::json!({"a": 1, "b": ["x", "yes", true]}),
                serde_json::Value::Null,
                serde_json::json!([2.5])
            ]
        );
        let error = documents_as_json("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(error.starts_with("line 3: "), "{error}");
    }
}
