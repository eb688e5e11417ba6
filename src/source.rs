//! Source files and byte spans.
//!
//! Every later stage points into the text through a [`Span`] (file + byte range). Line and column
//! are computed only when a report is rendered, from the per-file [`LineIndex`].

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in the repository's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one file. `u32` offsets keep trees small (files over 4 GiB are refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both (same file assumed).
    pub fn cover(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column (column counted in characters), as editors and SARIF show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Start offset of every line, built once per file.
#[derive(Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { line_starts }
    }

    /// 0-based line number holding `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts[line]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, line: usize, text: &str) -> (usize, usize) {
        let start = self.line_starts[line] as usize;
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |&next| next as usize);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        (start, end)
    }

    pub fn line_col(&self, offset: u32, text: &str) -> LineCol {
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let offset = (offset as usize).min(text.len());
        let column = text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

/// One file read from the repository.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Path relative to the repository root, `/`-separated: what every report prints.
    pub path: String,
    /// Absolute (or root-joined) path on disk.
    pub disk_path: PathBuf,
    /// The file's text; empty when the file could not be decoded.
    pub text: Arc<str>,
    pub lines: LineIndex,
    /// True when the file holds a Secret (or looks like one): reports never print its lines.
    pub sensitive: bool,
}

impl SourceFile {
    pub fn new(id: FileId, path: String, disk_path: PathBuf, text: Arc<str>) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile {
            id,
            path,
            disk_path,
            text,
            lines,
            sensitive: false,
        }
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.lines.line_col(offset, &self.text)
    }

    /// The text of the 1-based `line`, without its terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let index = (line as usize).saturating_sub(1);
        if index >= self.lines.line_count() {
            return "";
        }
        let (start, end) = self.lines.line_range(index, &self.text);
        &self.text[start..end]
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a: 1\nnäme: x\r\nz: 2";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0, text), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.line_col(x, text), LineCol { line: 2, column: 7 });
        let z = text.find('z').unwrap() as u32;
        assert_eq!(index.line_col(z, text), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_range(1, text), (5, 13));
    }
}
