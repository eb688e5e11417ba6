//! `gitops-lint rules` and `gitops-lint explain`.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::RulesFormat;
use crate::rule::RuleMeta;

pub fn render(
    format: RulesFormat,
    rules: &[&'static RuleMeta],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        RulesFormat::Text => {
            for rule in rules {
                writeln!(
                    out,
                    "{:<6} {:<28} {:<7} {:<8} {}",
                    rule.code,
                    rule.name,
                    rule.default_level.as_str(),
                    format!("{:?}", rule.origin).to_lowercase(),
                    rule.summary
                )?;
            }
            Ok(())
        }
        RulesFormat::Json => {
            #[derive(Serialize)]
            struct Entry<'a> {
                #[serde(flatten)]
                meta: &'a RuleMeta,
                docs: String,
            }
            let entries: Vec<Entry> = (rules.iter())
                .map(|meta| Entry {
                    meta,
                    docs: meta.docs_markdown(),
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)
        }
        RulesFormat::Markdown => out.write_all(markdown_table(rules).as_bytes()),
    }
}

/// The rule table of the README (a test keeps the README in sync with it).
pub fn markdown_table(rules: &[&'static RuleMeta]) -> String {
    let mut table = String::from("| Code | Name | Level | Summary |\n|---|---|---|---|\n");
    for rule in rules {
        table.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            rule.code,
            rule.name,
            rule.default_level.as_str(),
            rule.summary
        ));
    }
    table
}

pub fn explain(rule: &RuleMeta, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# {} {}\n", rule.code, rule.name)?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(
        out,
        "Default level: {}. Category: {:?}. Origin: {:?}.\n",
        rule.default_level.as_str(),
        rule.category,
        rule.origin
    )?;
    out.write_all(rule.docs_markdown().as_bytes())
}
