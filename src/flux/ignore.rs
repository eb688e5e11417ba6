//! Which repository files a Flux source artifact holds: the root GitRepository's `spec.ignore`
//! and every `.sourceignore` file, with gitignore semantics (source-controller's rules).

use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// The ignore rules of one source: matchers from the root to the deepest directory; a deeper
/// decision wins, as in git.
pub struct SourceIgnore {
    /// `(directory, matcher)`, directories sorted by depth.
    matchers: Vec<(String, Gitignore)>,
}

impl SourceIgnore {
    /// `spec_ignore`: the GitRepository's `spec.ignore` (rooted at the repository root);
    /// `sourceignore`: `(directory, text)` of every `.sourceignore` file.
    pub fn new(root: &Path, spec_ignore: Option<&str>, sourceignore: &[(String, String)]) -> Self {
        let mut files: Vec<(String, &str)> = Vec::new();
        if let Some(text) = spec_ignore {
            files.push((String::new(), text));
        }
        files.extend(sourceignore.iter().map(|(d, t)| (d.clone(), t.as_str())));
        files.sort_by_key(|(dir, _)| dir.matches('/').count() + usize::from(!dir.is_empty()));
        let matchers = (files.into_iter())
            .filter_map(|(dir, text)| {
                let mut builder = GitignoreBuilder::new(root.join(&dir));
                for line in text.lines() {
                    // A bad glob is skipped, as source-controller skips it.
                    let _ = builder.add_line(None, line);
                }
                Some((dir, builder.build().ok()?))
            })
            .collect();
        SourceIgnore { matchers }
    }

    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// Whether the repository-relative file `path` is left out of the artifact.
    pub fn hides(&self, root: &Path, path: &str, is_dir: bool) -> bool {
        let full = root.join(path);
        let mut hidden = false;
        for (dir, matcher) in &self.matchers {
            let inside = dir.is_empty()
                || path
                    .strip_prefix(dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            if !inside {
                continue;
            }
            let found = matcher.matched_path_or_any_parents(&full, is_dir);
            if found.is_ignore() {
                hidden = true;
            } else if found.is_whitelist() {
                hidden = false;
            }
        }
        hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_ignore_keeps_only_the_whitelisted_tree() {
        let root = Path::new("/repo");
        let ignore = SourceIgnore::new(root, Some("/*\n!/kube\n"), &[]);
        assert!(ignore.hides(root, ".archive/app/deploy.yaml", false));
        assert!(ignore.hides(root, "README.yaml", false));
        assert!(!ignore.hides(root, "kube/apps/deploy.yaml", false));
    }

    #[test]
    fn sourceignore_files_match_relative_to_their_directory() {
        let root = Path::new("/repo");
        let files = [("apps".to_string(), "drafts/\n*.tmp.yaml\n".to_string())];
        let ignore = SourceIgnore::new(root, None, &files);
        assert!(ignore.hides(root, "apps/drafts/a.yaml", false));
        assert!(ignore.hides(root, "apps/x/b.tmp.yaml", false));
        assert!(!ignore.hides(root, "drafts/a.yaml", false));
        assert!(!ignore.hides(root, "apps/x/b.yaml", false));
    }

    #[test]
    fn a_deeper_file_can_unignore() {
        let root = Path::new("/repo");
        let files = [("kube/keep".to_string(), "!*.yaml\n".to_string())];
        let ignore = SourceIgnore::new(root, Some("*.yaml\n"), &files);
        assert!(ignore.hides(root, "kube/a.yaml", false));
        assert!(!ignore.hides(root, "kube/keep/a.yaml", false));
    }
}
