//! The `gitops-lint` binary: parse arguments, run, exit. The only place that exits.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use gitops_lint::cli::{Cli, Command};
use gitops_lint::report;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => args
            .into_settings()
            .and_then(|settings| run_check(&settings)),
        Command::Rules { format, policy } => gitops_lint::policy::pipeline::registry_with(&policy)
            .and_then(|rules| write_stdout(|out| report::rules::render(format, &rules, out))),
        Command::Explain { rule, policy } => explain(&rule, &policy),
        Command::Test(args) => run_tests(args),
        Command::Graph {
            path,
            format,
            config,
        } => {
            let given = path.unwrap_or_else(|| ".".into());
            let shown = match given.to_str() {
                Some("." | "") | None => String::new(),
                Some(dir) => format!("{}/", dir.trim_end_matches('/')),
            };
            (given.canonicalize())
                .map_err(|e| format!("{}: {e}", given.display()))
                .and_then(|root| {
                    let config = gitops_lint::config::load(&root, config.as_deref(), &shown)?;
                    Ok((root, config))
                })
                .and_then(|(root, config)| gitops_lint::graph(&root, &config, format))
                .and_then(|text| write_stdout(|out| out.write_all(text.as_bytes())))
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gitops-lint: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_check(settings: &gitops_lint::cli::Settings) -> Result<ExitCode, String> {
    let failed = match &settings.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("--output {}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let failed = gitops_lint::check(settings, &mut out)?;
            out.flush()
                .map_err(|e| format!("--output {}: {e}", path.display()))?;
            failed
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let failed = gitops_lint::check(settings, &mut out)?;
            out.flush()
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
            failed
        }
    };
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_stdout(
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<ExitCode, String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn explain(selector: &str, policy: &gitops_lint::cli::PolicyArgs) -> Result<ExitCode, String> {
    let registry = gitops_lint::policy::pipeline::registry_with(policy)?;
    let rule = registry
        .iter()
        .find(|rule| rule.code.eq_ignore_ascii_case(selector) || rule.name == selector)
        .ok_or_else(|| format!("unknown rule `{selector}` (see `gitops-lint rules`)"))?;
    write_stdout(|out| report::rules::explain(rule, out))
}

fn run_tests(args: gitops_lint::cli::TestArgs) -> Result<ExitCode, String> {
    use gitops_lint::policy::test_runner;
    let dirs = if args.dirs.is_empty() {
        vec![std::path::PathBuf::from("policy")]
    } else {
        args.dirs
    };
    let budget = gitops_lint::policy::PolicyOptions::default().budget;
    let report = test_runner::run_dirs(&dirs, &args.data, budget)
        .map_err(|e| format!("policy error: {e}"))?;
    let text = match args.format {
        gitops_lint::cli::TestFormat::Text => report.render_text(),
        gitops_lint::cli::TestFormat::Json => report.render_json() + "\n",
    };
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::from(report.exit_code() as u8))
}
