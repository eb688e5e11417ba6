//! Fixture helpers shared by the data-driven tests (`rules.rs`, `precision.rs`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `(rule name, root-relative file, 1-based line)`.
pub type Finding = (String, String, u32);

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `path` relative to `dir`, `/`-separated.
pub fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `# expect: rule[, rule…]` comments of one file's text, at their lines.
pub fn expect_comments(relative: &str, text: &str, found: &mut BTreeSet<Finding>) {
    for (index, line) in text.lines().enumerate() {
        if let Some((_, names)) = line.split_once("# expect: ") {
            for name in names.split(',').map(str::trim) {
                found.insert((name.to_owned(), relative.to_owned(), index as u32 + 1));
            }
        }
    }
}
