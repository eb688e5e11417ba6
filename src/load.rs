//! Read one file: decode, parse, find its objects. Problems become diagnostics; nothing panics.

use std::path::Path;
use std::sync::Arc;

use crate::checks::{manifest_type_missing, yaml_duplicate_key, yaml_syntax};
use crate::diagnostic::Diagnostic;
use crate::object::{Object, objects_in};
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::{Document, ProblemKind, parse};

/// One file after the parse stage.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: SourceFile,
    pub documents: Vec<Document>,
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a file is, from its name: this decides what is read out of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// Any YAML file: documents with `apiVersion` and `kind` are objects.
    Manifests,
    /// A JSON file: read only when it looks like a manifest.
    Json,
    /// `kustomization.yaml` and friends, `Chart.yaml`: parsed, but they hold no cluster objects.
    ToolConfig,
}

impl FileRole {
    pub fn of(path: &str) -> FileRole {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name {
            "kustomization.yaml" | "kustomization.yml" | "Kustomization" | "Chart.yaml" => {
                FileRole::ToolConfig
            }
            _ if name.ends_with(".json") => FileRole::Json,
            _ => FileRole::Manifests,
        }
    }
}

/// Files bigger than this are not parsed (spans are `u32`; nobody commits 256 MiB of YAML).
const MAX_FILE_BYTES: u64 = 256 << 20;

pub fn load(id: FileId, root: &Path, path: &str) -> LoadedFile {
    let disk_path = root.join(path);
    let role = FileRole::of(path);
    let empty = |text: &str| SourceFile::new(id, path.to_owned(), disk_path.clone(), text.into());
    let mut loaded = LoadedFile {
        source: empty(""),
        documents: Vec::new(),
        objects: Vec::new(),
        diagnostics: Vec::new(),
    };
    let at_start = Span::new(id, 0, 0);
    let bytes = match std::fs::metadata(&disk_path).and_then(|meta| {
        if meta.len() > MAX_FILE_BYTES {
            Err(std::io::Error::other(format!(
                "file is larger than {} MiB",
                MAX_FILE_BYTES >> 20
            )))
        } else {
            std::fs::read(&disk_path)
        }
    }) {
        Ok(bytes) => bytes,
        Err(error) => {
            let message = format!("cannot read file: {error}");
            loaded
                .diagnostics
                .push(yaml_syntax::diagnostic(at_start, message, true));
            return loaded;
        }
    };
    if role == FileRole::Json && !contains(&bytes, b"\"apiVersion\"") {
        return loaded;
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes[..nul]);
        let line = text.matches('\n').count() + 1;
        let message = format!("binary content (NUL byte on line {line}); not a YAML file");
        loaded
            .diagnostics
            .push(yaml_syntax::diagnostic(at_start, message, true));
        return loaded;
    }
    let text: Arc<str> = match String::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            loaded.source = empty(&lossy);
            let span = Span::new(id, valid, valid);
            let message = "invalid UTF-8; Kubernetes reads manifests as UTF-8".to_owned();
            let manifest_like = looks_like_manifest(&lossy);
            loaded
                .diagnostics
                .push(yaml_syntax::diagnostic(span, message, manifest_like));
            return loaded;
        }
    };
    loaded.source = SourceFile::new(id, path.to_owned(), disk_path, text.clone());
    let mut parsed = parse(id, &text);
    let manifest_like = role != FileRole::ToolConfig && looks_like_manifest(&text);
    for problem in parsed.problems {
        let diagnostic = match &problem.kind {
            ProblemKind::DuplicateKey { key, first } => {
                yaml_duplicate_key::diagnostic(problem.span, key, *first)
            }
            ProblemKind::Syntax | ProblemKind::AliasBudget | ProblemKind::TooDeep => {
                yaml_syntax::diagnostic(problem.span, problem.message, manifest_like)
            }
        };
        loaded.diagnostics.push(diagnostic);
    }
    if role != FileRole::ToolConfig {
        let (objects, incomplete) = objects_in(id, &mut parsed.documents);
        loaded.objects = objects;
        loaded
            .diagnostics
            .extend(incomplete.iter().map(manifest_type_missing::diagnostic));
    }
    loaded.source.sensitive = loaded.objects.iter().any(|o| o.kind() == "Secret")
        || (loaded.objects.is_empty() && text.contains("kind: Secret"));
    loaded.documents = parsed.documents;
    loaded
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A file whose text has an `apiVersion` key is meant for Kubernetes: its problems are errors.
fn looks_like_manifest(text: &str) -> bool {
    text.contains("apiVersion:") || text.contains("\"apiVersion\"")
}
