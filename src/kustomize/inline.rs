//! Inline patches: YAML inside a string of a kustomization or Flux Kustomization, with spans
//! mapped back into the file.

use crate::inventory::Inventory;
use crate::source::Span;
use crate::yaml::{Node, Value};

/// Parses an inline patch (a YAML string inside a kustomization or a Flux Kustomization) and
/// maps its spans back into the file: exactly for block scalars (`patch: |`), else onto the
/// scalar itself.
pub fn parse_inline(inventory: &Inventory, scalar: &Node, text: &str) -> Vec<Node> {
    let file = scalar.span.file;
    let parsed = crate::yaml::parse(file, text);
    let source = inventory.file(file);
    let map = BlockMap::new(&source.text, scalar.span, text);
    parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .map(|mut n| {
            remap(&mut n, &|off| map.map(off), map.fallback);
            n
        })
        .collect()
}

/// Maps offsets inside a block scalar's value back to offsets in the file.
struct BlockMap {
    /// For each line of the value: (offset of the line in the value, offset in the file).
    lines: Vec<(u32, u32)>,
    fallback: Span,
}

impl BlockMap {
    fn new(file_text: &str, span: Span, value: &str) -> Self {
        let fallback = Self {
            lines: Vec::new(),
            fallback: span,
        };
        let (start, end) = (
            span.start as usize,
            (span.end as usize).min(file_text.len()),
        );
        let Some(raw) = file_text.get(start..end) else {
            return fallback;
        };
        let line_start = file_text[..start].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &file_text[line_start..start];
        let (content_start, indent) = if raw.starts_with('|') {
            // The span includes the indicator: content starts on the next line.
            let Some(nl) = raw.find('\n') else {
                return fallback;
            };
            let content = &raw[nl + 1..];
            let indent = (content.lines().find(|l| !l.trim().is_empty()))
                .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
            (start + nl + 1, indent)
        } else if prefix.trim().is_empty() {
            // The span starts at the content of a literal block: check the indicator.
            let before = file_text[..line_start].trim_end();
            let literal = before.rsplit('\n').next().is_some_and(|l| {
                let l = l.split(" #").next().unwrap_or(l).trim_end();
                l.ends_with('|') || l.ends_with("|-") || l.ends_with("|+")
            });
            if !literal {
                return fallback;
            }
            (start, prefix.len())
        } else if !value.contains('\n') && !raw.starts_with(['"', '\'', '>']) {
            // A plain one-line scalar: offsets map one to one.
            return Self {
                lines: vec![(0, span.start)],
                fallback: span,
            };
        } else {
            return fallback;
        };
        let mut lines = Vec::new();
        let mut file_off = content_start as u32;
        let mut value_off = 0u32;
        for line in file_text[content_start..].split_inclusive('\n') {
            if value_off as usize >= value.len() {
                break;
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let skip = if line.trim().is_empty() {
                spaces.min(indent)
            } else {
                indent.min(spaces)
            } as u32;
            lines.push((value_off, file_off + skip));
            value_off += (line.len() as u32).saturating_sub(skip);
            file_off += line.len() as u32;
        }
        Self {
            lines,
            fallback: span,
        }
    }

    fn map(&self, offset: u32) -> Option<u32> {
        let i = self
            .lines
            .partition_point(|(v, _)| *v <= offset)
            .checked_sub(1)?;
        let (v, f) = self.lines[i];
        Some(f + (offset - v))
    }
}

fn remap(node: &mut Node, map: &dyn Fn(u32) -> Option<u32>, fallback: Span) {
    match (map(node.span.start), map(node.span.end.saturating_sub(1))) {
        (Some(s), Some(e)) => {
            node.span.start = s;
            node.span.end = e + 1;
        }
        _ => node.span = fallback,
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map, fallback)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            remap(k, map, fallback);
            remap(v, map, fallback);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn inline_patch_spans_point_into_the_file() {
        let text = "patches:\n  - target:\n      kind: Deployment\n    patch: |\n      - op: add\n        path: /spec/x\n        value: 1\nnext: 1\n";
        let parsed = crate::yaml::parse(FileId(0), text);
        let root = parsed.documents[0].root.as_ref().unwrap();
        let scalar = root.pointer("/patches/0/patch").unwrap();
        let value = scalar.as_str().unwrap();
        let map = BlockMap::new(text, scalar.span, value);
        let mut docs = crate::yaml::parse(FileId(0), value).documents;
        let mut node = docs.remove(0).root.unwrap();
        remap(&mut node, &|off| map.map(off), map.fallback);
        let path = node.pointer("/0/path").unwrap();
        assert_eq!(
            &text[path.span.start as usize..path.span.end as usize],
            "/spec/x"
        );
        let op = node.pointer("/0/op").unwrap();
        assert_eq!(&text[op.span.start as usize..op.span.end as usize], "add");
    }
}
