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
