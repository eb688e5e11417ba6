//! The parallel walk: every file that may hold manifests, sorted.

use std::path::Path;
use std::sync::Mutex;

use ignore::gitignore::Gitignore;
use ignore::{WalkBuilder, WalkState};

/// `exclude:` globs of the configuration (gitignore syntax, relative to the root): what they
/// match is not analysed at all.
#[derive(Clone, Debug, Default)]
pub struct Exclude(Option<Gitignore>);

impl Exclude {
    pub fn new(matcher: Gitignore) -> Exclude {
        Exclude((!matcher.is_empty()).then_some(matcher))
    }

    /// Whether `path` (absolute, below the root the globs were built for) is excluded.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        self.0
            .as_ref()
            .is_some_and(|m| m.matched(path, is_dir).is_ignore())
    }
}

/// What the walk found, as `/`-separated paths relative to the root, sorted.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<String>,
    /// Directories holding a `Chart.yaml` whose `templates/` were left out (Helm renders them).
    pub helm_charts: Vec<String>,
    /// `.sourceignore` files (Flux's per-directory ignore rules for source artifacts).
    pub source_ignores: Vec<String>,
}

/// `*.yaml`, `*.yml`, `*.json` and kustomize's extension-less `Kustomization`.
fn is_candidate(file_name: &str) -> bool {
    file_name == "Kustomization"
        || [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| file_name.len() > ext.len() && file_name.ends_with(ext))
}

/// Walk `root` in parallel, honouring `.gitignore`/`.ignore` (even outside git), including
/// hidden files such as `.github/`, never entering `.git`.
pub fn walk(root: &Path, threads: usize) -> Walked {
    walk_excluding(root, threads, &Exclude::default())
}

/// [`walk`], skipping what `exclude` matches (a directory is not entered at all).
pub fn walk_excluding(root: &Path, threads: usize, exclude: &Exclude) -> Walked {
    let found = Mutex::new(Vec::new());
    let exclude = exclude.clone();
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .threads(threads)
        .filter_entry(move |entry| {
            entry.file_name() != ".git"
                && !exclude.excludes(entry.path(), entry.file_type().is_some_and(|t| t.is_dir()))
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                let path = match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        entry.into_path()
                    }
                    Ok(_) => return WalkState::Continue,
                    // An unreadable directory entry: keep its path so loading reports it.
                    Err(error) => match error_path(&error) {
                        Some(path) => path,
                        None => return WalkState::Continue,
                    },
                };
                let keep = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| is_candidate(n) || n == SOURCEIGNORE);
                if keep && let Some(relative) = relative(root, &path) {
                    found.lock().expect("walk mutex").push(relative);
                }
                WalkState::Continue
            })
        });
    let mut files = found.into_inner().expect("walk mutex");
    files.sort();
    files.dedup();
    let (source_ignores, files): (Vec<String>, Vec<String>) =
        (files.into_iter()).partition(|f| f.rsplit('/').next() == Some(SOURCEIGNORE));
    Walked {
        source_ignores,
        ..drop_helm_templates(files)
    }
}

const SOURCEIGNORE: &str = ".sourceignore";

fn error_path(error: &ignore::Error) -> Option<std::path::PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    Some(parts.join("/"))
}

fn drop_helm_templates(files: Vec<String>) -> Walked {
    let chart_dirs: Vec<&str> = (files.iter())
        .filter_map(|f| {
            f.strip_suffix("Chart.yaml")
                .filter(|dir| dir.is_empty() || dir.ends_with('/'))
        })
        .collect();
    let in_templates = |file: &str| {
        chart_dirs.iter().copied().find(|dir| {
            file.strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with("templates/"))
        })
    };
    let mut helm_charts: Vec<String> = (files.iter())
        .filter_map(|f| in_templates(f))
        .map(|dir| dir.trim_end_matches('/').to_owned())
        .collect();
    helm_charts.dedup();
    let files = files
        .iter()
        .filter(|f| in_templates(f).is_none())
        .cloned()
        .collect();
    Walked {
        files,
        helm_charts,
        source_ignores: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates() {
        for name in ["a.yaml", "b.yml", "c.json", "Kustomization", ".x.yaml"] {
            assert!(is_candidate(name), "{name}");
        }
        for name in [".yaml", "a.txt", "kustomization", "Makefile"] {
            assert!(!is_candidate(name), "{name}");
        }
    }

    #[test]
    fn honours_gitignore_outside_git_and_sees_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("chart/templates")).unwrap();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::create_dir_all(root.join("app")).unwrap();
        for file in [
            ".github/workflows/ci.yaml",
            ".git/config.yaml",
            "chart/Chart.yaml",
            "chart/values.yaml",
            "chart/templates/deploy.yaml",
            "build/out.yaml",
            "app.yml",
            "notes.txt",
            "app/.sourceignore",
        ] {
            std::fs::write(root.join(file), "a: 1\n").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        let walked = walk(root, 2);
        assert_eq!(
            walked.files,
            [
                ".github/workflows/ci.yaml",
                "app.yml",
                "chart/Chart.yaml",
                "chart/values.yaml"
            ]
        );
        assert_eq!(walked.helm_charts, ["chart"]);
        assert_eq!(walked.source_ignores, ["app/.sourceignore"]);
    }

    #[test]
    fn exclude_globs_skip_files_and_whole_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["vendor/x", "apps/testdata", "apps/web"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for file in [
            "vendor/x/a.yaml",
            "apps/testdata/bad.yaml",
            "apps/web/app.yaml",
            "apps/web/app.generated.yaml",
            "top.yaml",
        ] {
            std::fs::write(root.join(file), "a: 1\n").unwrap();
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
        for glob in ["/vendor/", "testdata/", "*.generated.yaml"] {
            builder.add_line(None, glob).unwrap();
        }
        let exclude = Exclude::new(builder.build().unwrap());
        let walked = walk_excluding(root, 2, &exclude);
        assert_eq!(walked.files, ["apps/web/app.yaml", "top.yaml"]);
    }
}
