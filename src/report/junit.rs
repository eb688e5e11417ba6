//! `--format junit`: one test case per analysed file, one failure per finding, for CI dashboards.

use std::io::{self, Write};

use super::Location;
use crate::Outcome;
use crate::cli::Settings;

pub fn render(settings: &Settings, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let inventory = &outcome.inventory;
    let files: Vec<_> = (inventory.files.iter())
        .filter(|file| crate::in_scope(settings, &file.path))
        .collect();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="gitops-lint" tests="{}" failures="{}">"#,
        files.len(),
        outcome.diagnostics.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="gitops-lint" tests="{}" failures="{}">"#,
        files.len(),
        outcome.diagnostics.len()
    )?;
    let mut diagnostics = outcome.diagnostics.iter().peekable();
    for file in files {
        write!(
            out,
            r#"    <testcase classname="gitops-lint" name="{}""#,
            xml(&file.path)
        )?;
        let mut failures = Vec::new();
        while let Some(d) = diagnostics.next_if(|d| d.primary.span.file == file.id) {
            failures.push(d);
        }
        if failures.is_empty() {
            writeln!(out, "/>")?;
            continue;
        }
        writeln!(out, ">")?;
        for d in failures {
            let at = Location::of(inventory, &d.primary);
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}:{}:{}: {} {} [{}] {}</failure>"#,
                d.level.as_str(),
                xml(&d.message),
                xml(at.path),
                at.start.line,
                at.start.column,
                d.level.as_str(),
                d.rule.code,
                d.rule.name,
                xml(&d.message)
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}
