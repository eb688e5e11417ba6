//! Command-line definitions and their translation into [`Settings`].

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rule::Level;

#[derive(Debug, Parser)]
#[command(
    name = "gitops-lint",
    version,
    about = "Audit a whole GitOps repository offline: YAML as Kubernetes reads it, schemas, the Flux graph and Rego policies",
    long_about = None,
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config error, 101 internal bug.\nRun `gitops-lint rules` for every rule and `gitops-lint explain RULE` for one."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of the `check` variant costs nothing worth a `Box`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint a repository (the whole repository is analysed; PATHS only choose what is reported)
    Check(CheckArgs),
    /// List every rule: code, name, level, origin, summary
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Show the full documentation of one rule (by code or name)
    Explain {
        /// Rule code (`GL501`) or name (`secret-plaintext`)
        rule: String,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Run Rego unit tests (`test_*` rules in `*_test.rego`), like `conftest verify`
    Test(TestArgs),
    /// Show the Flux graph per cluster: Kustomizations, sources, HelmReleases, dependsOn
    Graph {
        /// Repository root (default: the current directory)
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        /// Configuration file [default: .gitops-lint.yaml at the root, when present]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart (renders on GitHub)
    Mermaid,
    /// Graphviz
    Dot,
    /// Clusters, Kustomizations and object counts as text
    Text,
}

/// `gitops-lint test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy directories [default: ./policy]
    pub dirs: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// JSON/YAML data merged into `data` (repeatable)
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
}

/// Rego policy flags of `check` (conftest's names).
#[derive(Clone, Debug, Default, Args)]
pub struct PolicyArgs {
    /// Rego policy directory (repeatable) [default: ./policy when present]
    #[arg(long = "policy", short = 'p', value_name = "DIR")]
    pub policy: Vec<PathBuf>,
    /// Rego packages whose deny/violation/warn rules run (repeatable) [default: main]
    #[arg(long = "namespace", value_name = "NS")]
    pub namespace: Vec<String>,
    /// Run the rules of every Rego package
    #[arg(long)]
    pub all_namespaces: bool,
    /// JSON/YAML data merged into `data` (repeatable)
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames for people
    Text,
    /// One stable JSON document
    Json,
    /// SARIF 2.1.0 for GitHub code scanning
    Sarif,
    /// GitHub Actions annotations (`::error file=…`)
    Github,
    /// JUnit XML for CI dashboards
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to report on [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write results to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only these rules: codes (`GL501`), code prefixes (`GL2`), names, or `ALL` (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (same syntax as --select)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Lowest level that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings
    #[arg(long)]
    pub exit_zero: bool,
    /// Worker threads [default: number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Repository root [default: nearest ancestor with .git, else the common parent of PATHS]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// No colours (also when NO_COLOR is set or output is not a terminal)
    #[arg(long)]
    pub no_color: bool,
    /// Print findings only, no summary
    #[arg(long, short)]
    pub quiet: bool,
    /// Print timings per stage on stderr
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Configuration file [default: .gitops-lint.yaml at the root, when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Kubernetes version whose schemas validate objects (1.25 … 1.37; default: newest)
    #[arg(long, value_name = "X.Y[.Z]")]
    pub kubernetes_version: Option<String>,
    /// Accept fields the schemas do not declare
    #[arg(long)]
    pub no_strict: bool,
    /// Directory of CustomResourceDefinitions for custom resources (repeatable)
    #[arg(long, value_name = "DIR")]
    pub crds: Vec<PathBuf>,
    /// kubeconform schema location template over local directories (repeatable)
    #[arg(long, value_name = "TEMPLATE")]
    pub schema_location: Vec<String>,
}

/// Everything `check` needs, resolved and validated.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Absolute repository root: everything under it is analysed.
    pub root: PathBuf,
    /// How people should see the root in front of repository-relative paths (`""` for `.`).
    pub root_display: String,
    /// Root-relative paths whose findings are reported; empty = all.
    pub scope: Vec<String>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Level,
    pub exit_zero: bool,
    pub threads: usize,
    pub color: bool,
    pub quiet: bool,
    pub stats: bool,
    pub policy: PolicyArgs,
    pub schema: crate::schema::Settings,
    /// Explicit roots, external objects and the Flux version from the config file.
    pub model: crate::flux::Options,
    /// `exclude:` of the config file: not analysed at all.
    pub exclude: crate::walk::Exclude,
}

impl Settings {
    /// Defaults for linting `root` (tests and embedders use this).
    pub fn for_root(root: impl Into<PathBuf>) -> Settings {
        Settings {
            root: root.into(),
            root_display: String::new(),
            scope: Vec::new(),
            format: Format::Text,
            output: None,
            select: Vec::new(),
            ignore: Vec::new(),
            fail_on: Level::Error,
            exit_zero: false,
            threads: 1,
            color: false,
            quiet: false,
            stats: false,
            policy: PolicyArgs::default(),
            schema: crate::schema::Settings::default(),
            model: crate::flux::Options::default(),
            exclude: crate::walk::Exclude::default(),
        }
    }
}

impl CheckArgs {
    pub fn into_settings(self) -> Result<Settings, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let paths = if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths
        };
        let mut absolute = Vec::new();
        for path in &paths {
            let joined = cwd.join(path);
            let canonical = joined
                .canonicalize()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            absolute.push(canonical);
        }
        let (root, root_display) = match &self.root {
            Some(root) => {
                let canonical = cwd
                    .join(root)
                    .canonicalize()
                    .map_err(|e| format!("--root {}: {e}", root.display()))?;
                if !canonical.is_dir() {
                    return Err(format!("--root {}: not a directory", root.display()));
                }
                (canonical, display_prefix(root))
            }
            None => {
                let root = find_root(&absolute);
                let shown = pathdiff(&root, &cwd);
                (root, shown)
            }
        };
        let mut scope = Vec::new();
        for (given, path) in paths.iter().zip(&absolute) {
            let relative = path.strip_prefix(&root).map_err(|_| {
                format!(
                    "{} is outside the repository root {}",
                    given.display(),
                    root.display()
                )
            })?;
            scope.push(slash_path(relative));
        }
        if scope.iter().any(String::is_empty) {
            scope.clear();
        }
        let threads = match self.threads {
            Some(0) => return Err("--threads must be at least 1".into()),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        // A relative `--config` is relative to the current directory, as every other path.
        let config = crate::config::load(&root, self.config.as_deref(), &root_display)?;
        let color = !self.no_color
            && self.output.is_none()
            && std::env::var_os("NO_COLOR").is_none()
            && std::io::IsTerminal::is_terminal(&std::io::stdout());
        Ok(Settings {
            root,
            root_display,
            scope,
            format: self.format,
            output: self.output,
            select: self.select,
            ignore: self.ignore,
            fail_on: match self.fail_on {
                FailOn::Error => Level::Error,
                FailOn::Warning => Level::Warning,
                FailOn::Note => Level::Note,
            },
            exit_zero: self.exit_zero,
            threads,
            color,
            quiet: self.quiet,
            stats: self.stats,
            policy: self.policy,
            schema: crate::schema::Settings::from_flags(
                // The flag wins over the file.
                (self.kubernetes_version.as_deref()).or(config.kubernetes_version.as_deref()),
                !self.no_strict,
                self.crds.iter().map(|d| cwd.join(d)).collect(),
                &self.schema_location,
            )?,
            model: config.model,
            exclude: config.exclude,
        })
    }
}

/// The nearest ancestor of the first path holding `.git`; else the paths' common parent.
fn find_root(paths: &[PathBuf]) -> PathBuf {
    let dir = |p: &PathBuf| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map_or(p.clone(), Path::to_path_buf)
        }
    };
    let dirs: Vec<PathBuf> = paths.iter().map(dir).collect();
    let mut common = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map_or(common.clone(), Path::to_path_buf)
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn display_prefix(root: &Path) -> String {
    let shown = slash_path(root);
    if shown.is_empty() || shown == "." {
        String::new()
    } else {
        format!("{}/", shown.trim_end_matches('/'))
    }
}

/// `root` relative to `cwd` when below it (`sub/`), else absolute, for printing paths.
fn pathdiff(root: &Path, cwd: &Path) -> String {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    match root.strip_prefix(&cwd) {
        Ok(relative) => display_prefix(relative),
        Err(_) => {
            // Walk up from cwd with `..` when that is shorter than the absolute path.
            let mut up = PathBuf::new();
            for ancestor in cwd.ancestors().skip(1) {
                up.push("..");
                if let Ok(rest) = root.strip_prefix(ancestor) {
                    return display_prefix(&up.join(rest));
                }
            }
            display_prefix(root)
        }
    }
}
