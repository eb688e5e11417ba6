//! Events → node tree, with the limits that keep hostile input from hurting us.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::{Entry, Node, Value, resolve_plain};
use crate::source::{FileId, Span};

/// Deeper nesting than this is refused (no Kubernetes object comes close; a stack overflow would).
pub const MAX_DEPTH: usize = 256;
/// Nodes that alias expansion may add to one file (stops "billion laughs").
pub const ALIAS_NODE_BUDGET: usize = 100_000;

#[derive(Debug)]
pub struct Document {
    /// From the document's first byte (or `---`) to its end.
    pub span: Span,
    /// `None` for an empty document or one that could not be built.
    pub root: Option<Node>,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    Syntax,
    DuplicateKey { key: String, first: Span },
    AliasBudget,
    TooDeep,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
}

/// Parse every document of `text`. Never panics; problems are collected and the documents
/// completed before a syntax error are kept.
pub fn parse(file: FileId, text: &str) -> ParsedFile {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut builder = Builder::new(file, &text[bom..], bom);
    builder.run();
    builder.out
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
        /// Mappings named by `<<` keys, merged at the end (explicit keys win).
        merges: Vec<Node>,
    },
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
    base: usize,
    /// Byte offset of every char when the text is not ASCII (saphyr's markers count chars).
    char_to_byte: Option<Vec<u32>>,
    out: ParsedFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    doc_start: usize,
    root: Option<Node>,
    /// Set when the current document was abandoned (too deep, alias bomb): skip to its end.
    abandoned: bool,
}

impl<'t> Builder<'t> {
    fn new(file: FileId, text: &'t str, base: usize) -> Builder<'t> {
        let char_to_byte = (!text.is_ascii()).then(|| {
            let mut table: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            table.push(text.len() as u32);
            table
        });
        Builder {
            file,
            text,
            base,
            char_to_byte,
            out: ParsedFile::default(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            doc_start: 0,
            root: None,
            abandoned: false,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.char_to_byte {
            None => char_index.min(self.text.len()),
            Some(table) => table[char_index.min(table.len() - 1)] as usize,
        };
        self.base + local
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn run(&mut self) {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, marks) = match next {
                Ok(event) => event,
                Err(error) => {
                    let at = self.byte(error.marker().index());
                    let kind = if error.info() == "recursion limit exceeded" {
                        ProblemKind::TooDeep
                    } else {
                        ProblemKind::Syntax
                    };
                    self.problem(kind, at, at, syntax_message(error.info()));
                    return;
                }
            };
            let start = self.byte(marks.start.index());
            let end = self.byte(marks.end.index());
            match event {
                Event::DocumentStart(_) => {
                    self.doc_start = start;
                    self.stack.clear();
                    self.root = None;
                    self.abandoned = false;
                    self.alias_nodes = 0;
                }
                Event::DocumentEnd => {
                    // `---` alone yields an empty scalar: that is an empty document.
                    let root = self.root.take().filter(|root| root.value != Value::Null);
                    let span = self.span(self.doc_start, end.max(self.doc_start));
                    self.out.documents.push(Document { span, root });
                    self.anchors.clear();
                }
                _ if self.abandoned => {}
                Event::Scalar(text, style, anchor, tag) => {
                    let (value, implicit_type) = scalar_value(&text, style, tag.as_deref());
                    let mut node = Node::new(self.span(start, end), value);
                    node.implicit_type = implicit_type;
                    self.complete(node, anchor);
                }
                Event::Alias(id) => self.alias(id, start, end),
                Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                    start,
                    anchor,
                    items: Vec::new(),
                }),
                Event::MappingStart(anchor, _) => self.open(Frame::Map {
                    start,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                }),
                Event::SequenceEnd | Event::MappingEnd => self.close(end),
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            }
        }
    }

    fn problem(&mut self, kind: ProblemKind, start: usize, end: usize, message: String) {
        let span = self.span(start, end);
        self.out.problems.push(Problem {
            kind,
            span,
            message,
        });
    }

    fn open(&mut self, frame: Frame) {
        if self.stack.len() >= MAX_DEPTH {
            let start = match frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => start,
            };
            self.problem(
                ProblemKind::TooDeep,
                start,
                start,
                format!("nesting deeper than {MAX_DEPTH} levels; this document is not checked"),
            );
            self.abandon();
            return;
        }
        self.stack.push(frame);
    }

    fn abandon(&mut self) {
        self.abandoned = true;
        self.stack.clear();
        self.root = None;
    }

    fn close(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = match frame {
            Frame::Seq {
                start,
                anchor,
                items,
            } => (Node::new(self.span(start, end), Value::Seq(items)), anchor),
            Frame::Map {
                start,
                anchor,
                mut entries,
                merges,
                ..
            } => {
                merge_into(&mut entries, merges);
                (
                    Node::new(self.span(start, end), Value::Map(entries)),
                    anchor,
                )
            }
        };
        self.complete(node.0, node.1);
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) {
        let Some(target) = self.anchors.get(&id) else {
            self.problem(
                ProblemKind::Syntax,
                start,
                end,
                "alias to an unknown anchor".into(),
            );
            self.abandon();
            return;
        };
        self.alias_nodes += target.size();
        if self.alias_nodes > ALIAS_NODE_BUDGET {
            self.problem(
                ProblemKind::AliasBudget,
                start,
                end,
                format!(
                    "aliases expand to more than {ALIAS_NODE_BUDGET} nodes (an alias bomb?); this document is not checked"
                ),
            );
            self.abandon();
            return;
        }
        let mut node = target.clone();
        // The copy is reported where the alias is written.
        node.span = self.span(start, end);
        self.complete(node, 0);
    }

    fn complete(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            // A later anchor with the same name gets a new id from the parser, so this replaces.
            self.anchors.insert(anchor, node.clone());
        }
        let is_merge_key = node.as_str() == Some("<<") && self.is_plain(&node);
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                key: key @ None, ..
            }) => {
                // A plain `<<` key is flagged so that its value is merged, not stored.
                let mut node = node;
                node.implicit_type |= is_merge_key;
                *key = Some(node);
            }
            Some(Frame::Map {
                key,
                entries,
                merges,
                ..
            }) => {
                let key = key.take().expect("key is set in this arm");
                if key.as_str() == Some("<<") && key.implicit_type {
                    merges.push(node);
                    return;
                }
                let name = key.key_string().into_owned();
                if let Some(index) = entries.iter().position(|(k, _)| k.key_string() == name) {
                    let first = entries[index].0.span;
                    let span = key.span;
                    entries[index] = (key, node);
                    self.problem(
                        ProblemKind::DuplicateKey {
                            key: name.clone(),
                            first,
                        },
                        span.start as usize,
                        span.end as usize,
                        format!("duplicate key `{name}`"),
                    );
                } else {
                    entries.push((key, node));
                }
            }
        }
    }

    fn is_plain(&self, node: &Node) -> bool {
        let start = node.span.start as usize - self.base;
        self.text.get(start..start + 2) == Some("<<")
    }
}

/// Merge the mappings of `<<` keys: keys already present win, earlier merged mappings win.
fn merge_into(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for merged in merges {
        let sources: Vec<Node> = match merged.value {
            Value::Map(_) => vec![merged],
            Value::Seq(items) => items,
            _ => continue,
        };
        for source in sources {
            if let Value::Map(source_entries) = source.value {
                for (key, value) in source_entries {
                    let name = key.key_string();
                    if !entries.iter().any(|(k, _)| k.key_string() == name) {
                        entries.push((key, value));
                    }
                }
            }
        }
    }
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> (Value, bool) {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "int" | "float" | "bool" | "null" => (resolve_plain(text), false),
                _ => (Value::Str(text.to_owned()), false),
            };
        }
        // Custom tags (`!secret`, `!env_var`) belong to other tools: keep the text.
        return (Value::Str(text.to_owned()), false);
    }
    if style != ScalarStyle::Plain {
        return (Value::Str(text.to_owned()), false);
    }
    let value = resolve_plain(text);
    let implicit = !matches!(value, Value::Str(_));
    (value, implicit)
}

fn syntax_message(info: &str) -> String {
    let info = info.trim_end_matches('.');
    if info == "recursion limit exceeded" {
        "flow collections nested more than 255 levels deep; this file is not checked".to_owned()
    } else if info.contains("tab") {
        format!("{info} (YAML does not allow tabs for indentation)")
    } else {
        info.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let parsed = parse(FileId(0), text);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        parsed.documents[0].root.clone().unwrap()
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "a: 1\nb:\n  c: ä\n  d: [x, y]\n";
        let node = root(text);
        let d1 = node.pointer("/b/d/1").unwrap();
        assert_eq!(&text[d1.span.start as usize..d1.span.end as usize], "y");
        let c = node.pointer("/b/c").unwrap();
        assert_eq!(&text[c.span.start as usize..c.span.end as usize], "ä");
    }

    #[test]
    fn quoted_and_tagged_scalars_stay_strings() {
        let node = root("a: 'yes'\nb: \"0777\"\nc: !!str on\nd: !!int 010\ne: !secret yes\n");
        assert_eq!(node.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(node.get("b").unwrap().value, Value::Str("0777".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Str("on".into()));
        assert_eq!(node.get("d").unwrap().value, Value::Int(8));
        assert_eq!(node.get("e").unwrap().value, Value::Str("yes".into()));
        assert!(!node.get("a").unwrap().implicit_type);
        assert!(root("x: on").get("x").unwrap().implicit_type);
    }

    #[test]
    fn merge_keys_do_not_override_explicit_keys() {
        let node = root("base: &b {x: 1, w: 2}\nmore: &m {z: 3}\nv:\n  <<: [*b, *m]\n  x: 9\n");
        assert_eq!(
            node.get("v").unwrap().to_json(),
            serde_json::json!({"x": 9, "w": 2, "z": 3})
        );
        assert_eq!(root("'<<': 1").get("<<").unwrap().value, Value::Int(1));
        // YAML 1.1: the key `y` is the boolean true, as Kubernetes reads it.
        assert_eq!(root("y: 1").to_json(), serde_json::json!({"true": 1}));
    }

    #[test]
    fn anchor_redefinition_uses_the_latest() {
        let node = root("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
        assert_eq!(node.to_json(), serde_json::json!({"a":1,"b":1,"c":2,"d":2}));
    }

    #[test]
    fn duplicate_key_keeps_last_and_reports_second() {
        let text = "a: 1\nb: 2\na: 3\n";
        let parsed = parse(FileId(0), text);
        assert_eq!(parsed.problems.len(), 1);
        let problem = &parsed.problems[0];
        assert_eq!(problem.span.start, 10);
        assert!(
            matches!(&problem.kind, ProblemKind::DuplicateKey { key, first } if key == "a" && first.start == 0)
        );
        let node = parsed.documents[0].root.as_ref().unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Int(3));
    }

    #[test]
    fn multi_document_spans_and_bom_and_crlf() {
        let text = "\u{feff}# c\r\n---\r\na: 1\r\n...\r\n---\r\nb: 2\r\n";
        let parsed = parse(FileId(0), text);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(parsed.documents.len(), 2);
        let b = parsed.documents[1].root.as_ref().unwrap().get("b").unwrap();
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "2");
    }

    #[test]
    fn alias_bomb_is_a_problem_not_an_oom() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let parsed = parse(FileId(0), &text);
        assert!(matches!(parsed.problems[0].kind, ProblemKind::AliasBudget));
        assert!(parsed.documents[0].root.is_none());
    }

    #[test]
    fn deep_nesting_is_a_problem_not_a_stack_overflow() {
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let parsed = parse(FileId(0), &flow);
        assert!(matches!(parsed.problems[0].kind, ProblemKind::TooDeep));
        let block: String = (0..MAX_DEPTH + 10)
            .map(|depth| format!("{}a:\n", " ".repeat(depth)))
            .collect();
        let parsed = parse(FileId(0), &block);
        assert!(matches!(parsed.problems[0].kind, ProblemKind::TooDeep));
        assert!(parsed.documents[0].root.is_none());
    }

    #[test]
    fn tabs_and_syntax_errors_have_a_location() {
        let parsed = parse(FileId(0), "a:\n\tb: 1\n");
        assert_eq!(parsed.problems[0].kind, ProblemKind::Syntax);
        let parsed = parse(FileId(0), "a: [1, 2\nb: 3\n");
        assert_eq!(parsed.problems[0].kind, ProblemKind::Syntax);
    }

    #[test]
    fn empty_and_separator_only_files_have_empty_documents() {
        for text in ["", "---\n", "# only a comment\n", "---\n---\n"] {
            let parsed = parse(FileId(0), text);
            assert!(parsed.problems.is_empty(), "{text:?}");
            assert!(
                parsed.documents.iter().all(|d| d.root.is_none()),
                "{text:?}"
            );
        }
    }
}
