//! gitops-lint: audit a whole GitOps repository offline.
//!
//! The pipeline, one pass, each stage owning its input and never calling back:
//! settings → parallel walk → parallel parse → frozen inventory → Flux/kustomize model →
//! checks (Rust rules, Rego policies, schemas; parallel per object) → suppress → select, scope,
//! sort → render. [`analyse`] is the whole of it.

pub mod checks;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod flux;
pub mod inventory;
pub mod kustomize;
pub mod load;
pub mod object;
pub mod policy;
pub mod report;
pub mod rule;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod template;
pub mod walk;
pub mod yaml;

use std::io::Write;
use std::time::Instant;

use rayon::prelude::*;

use cli::Settings;
use diagnostic::{Counts, Diagnostic};
use inventory::Inventory;
use rule::RuleMeta;
use source::{FileId, Span};

/// The result of `check`: what was analysed and what is reported.
pub struct Outcome {
    pub inventory: Inventory,
    /// Clusters, Flux Kustomizations, owners and effective objects.
    pub flux: flux::Model,
    /// Sorted, selected and scoped.
    pub diagnostics: Vec<Diagnostic>,
    pub rules: Vec<&'static RuleMeta>,
}

impl Outcome {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diagnostics)
    }
}

/// Every rule that can fire, sorted by code.
pub fn registry() -> Vec<&'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = checks::builtin_rules()
        .chain(policy::pipeline::builtin_metas().iter().copied())
        .collect();
    rules.sort_by_key(|rule| rule.code);
    rules
}

/// Analyse the repository at `settings.root`. Usage errors are `Err`; findings never are.
pub fn analyse(settings: &Settings) -> Result<Outcome, String> {
    let policies = policy::pipeline::Policies::load(settings)?;
    let mut rules = registry();
    rules.extend(policies.rules());
    rules.sort_by_key(|rule| rule.code);
    let enabled = rule_filter(settings, &rules)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    pool.install(|| {
        let mut timer = Timer::new(settings.stats);
        let (inventory, mut diagnostics) =
            read_repository_excluding(&settings.root, settings.threads, &settings.exclude);
        timer.stage("read", inventory.files.len());
        let flux = flux::Model::build(&inventory, &settings.model);
        timer.stage("graph", flux.instances.len());
        diagnostics.extend(checks::run(&inventory, &flux, &|rule| enabled(rule)));
        timer.stage("checks", inventory.objects.len());
        let (found, constraints) = policies.run(&inventory, &flux, &|rule| enabled(rule))?;
        diagnostics.extend(found);
        rules.extend(constraints);
        rules.sort_by_key(|rule| rule.code);
        timer.stage("policies", inventory.objects.len());
        diagnostics.extend(schema::check::run(
            &inventory,
            &flux,
            &settings.schema,
            &enabled,
        ));
        timer.stage("schema", inventory.objects.len());
        let diagnostics = suppress::apply(diagnostics, &inventory, &rules, &enabled);
        let diagnostics = finish(diagnostics, settings, &inventory, &flux, &enabled);
        Ok(Outcome {
            inventory,
            flux,
            diagnostics,
            rules,
        })
    })
}

/// `graph`: the Flux graph of the repository at `root`, rendered as Mermaid, DOT or text
/// (walk, parse and the model only: no checks, no policies), with the configuration's `exclude`,
/// `clusters` and `external`.
pub fn graph(
    root: &std::path::Path,
    config: &config::Config,
    format: cli::GraphFormat,
) -> Result<String, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (inventory, _) = read_repository_excluding(&root, threads, &config.exclude);
    let model = flux::Model::build(&inventory, &config.model);
    Ok(flux::view::render(&model, &inventory, format))
}

/// Walk the repository, parse every file in parallel and freeze the inventory; the findings of
/// parsing (syntax, duplicate keys, half objects, skipped Helm templates) come back beside it.
pub fn read_repository(root: &std::path::Path, threads: usize) -> (Inventory, Vec<Diagnostic>) {
    read_repository_excluding(root, threads, &walk::Exclude::default())
}

/// [`read_repository`] without the files the configuration's `exclude:` matches.
pub fn read_repository_excluding(
    root: &std::path::Path,
    threads: usize,
    exclude: &walk::Exclude,
) -> (Inventory, Vec<Diagnostic>) {
    let walked = walk::walk_excluding(root, threads, exclude);
    let mut loaded: Vec<load::LoadedFile> = (walked.files.par_iter().enumerate())
        .map(|(index, path)| load::load(FileId(index as u32), root, path))
        .collect();
    let mut diagnostics: Vec<Diagnostic> = (loaded.iter_mut())
        .flat_map(|file| std::mem::take(&mut file.diagnostics))
        .collect();
    let mut inventory = Inventory::new(root.to_path_buf(), loaded);
    inventory.source_ignores = (walked.source_ignores.iter())
        .filter_map(|path| {
            let text = std::fs::read_to_string(root.join(path)).ok()?;
            Some((kustomize::render::parent_dir(path).to_string(), text))
        })
        .collect();
    diagnostics.extend(helm_notes(&inventory, &walked.helm_charts));
    (inventory, diagnostics)
}

/// `check`: analyse, render, and say whether the findings should fail the run.
pub fn check(settings: &Settings, out: &mut dyn Write) -> Result<bool, String> {
    let outcome = analyse(settings)?;
    let started = Instant::now();
    report::render(settings, &outcome, out).map_err(|e| format!("cannot write the report: {e}"))?;
    if settings.stats {
        eprintln!("{:>10}: {:>8.2?}", "render", started.elapsed());
    }
    Ok(!settings.exit_zero && outcome.counts().at_or_above(settings.fail_on) > 0)
}

fn rule_filter(
    settings: &Settings,
    rules: &[&'static RuleMeta],
) -> Result<impl Fn(&RuleMeta) -> bool + Sync + use<>, String> {
    for selector in settings.select.iter().chain(&settings.ignore) {
        if !rules.iter().any(|rule| rule.matches(selector)) {
            return Err(format!(
                "unknown rule selector `{selector}` (see `gitops-lint rules`)"
            ));
        }
    }
    let (select, ignore) = (settings.select.clone(), settings.ignore.clone());
    Ok(move |rule: &RuleMeta| {
        (select.is_empty() || select.iter().any(|s| rule.matches(s)))
            && !ignore.iter().any(|s| rule.matches(s))
    })
}

fn helm_notes(inventory: &Inventory, charts: &[String]) -> Vec<Diagnostic> {
    let chart_yaml = |dir: &String| {
        if dir.is_empty() {
            "Chart.yaml".to_owned()
        } else {
            format!("{dir}/Chart.yaml")
        }
    };
    (charts.iter())
        .filter_map(|dir| {
            inventory
                .file_by_path(&chart_yaml(dir))
                .map(|file| (dir, file))
        })
        .map(|(dir, file)| checks::helm_template_skipped::diagnostic(Span::new(file.id, 0, 0), dir))
        .collect()
}

/// Keep enabled rules and in-scope files (files no source artifact holds only for YAML syntax);
/// sort by (file, position, rule, message) for byte-identical output.
fn finish(
    diagnostics: Vec<Diagnostic>,
    settings: &Settings,
    inventory: &Inventory,
    flux: &flux::Model,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Diagnostic> {
    let syntax = checks::yaml_syntax::YamlSyntax::META.code;
    let mut kept: Vec<Diagnostic> = (diagnostics.into_iter())
        .filter(|d| {
            let file = d.primary.span.file;
            enabled(d.rule)
                && in_scope(settings, &inventory.file(file).path)
                && (d.rule.code == syntax || !flux.ignored_files.contains(&file))
        })
        .collect();
    // Borrowed keys: sorting thousands of findings allocates nothing.
    fn key<'a>(
        inventory: &'a Inventory,
        d: &'a Diagnostic,
    ) -> (&'a str, u32, u32, &'a str, &'a str) {
        let span = d.primary.span;
        (
            inventory.file(span.file).path.as_str(),
            span.start,
            span.end,
            d.rule.code,
            d.message.as_str(),
        )
    }
    kept.sort_by(|a, b| key(inventory, a).cmp(&key(inventory, b)));
    kept
}

/// Whether findings in the file at `path` are reported (PATHS given on the command line).
pub fn in_scope(settings: &Settings, path: &str) -> bool {
    settings.scope.is_empty()
        || (settings.scope.iter()).any(|s| {
            path == s
                || (path.starts_with(s.as_str()) && path.as_bytes().get(s.len()) == Some(&b'/'))
        })
}

/// `--stats`: elapsed time per stage on stderr.
struct Timer {
    enabled: bool,
    last: Instant,
}

impl Timer {
    fn new(enabled: bool) -> Timer {
        Timer {
            enabled,
            last: Instant::now(),
        }
    }

    fn stage(&mut self, name: &str, items: usize) {
        if self.enabled {
            eprintln!("{name:>10}: {:>8.2?} ({items} items)", self.last.elapsed());
        }
        self.last = Instant::now();
    }
}
