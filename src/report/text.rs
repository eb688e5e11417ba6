//! `--format text`: miette code frames over our own line index, then a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, Severity,
    SourceCode, SourceSpan, SpanContents,
};

use super::Location;
use crate::Outcome;
use crate::cli::Settings;
use crate::diagnostic::Diagnostic;
use crate::rule::Level;
use crate::source::SourceFile;

pub fn render(settings: &Settings, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let theme = if settings.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut buffer = String::new();
    for diagnostic in &outcome.diagnostics {
        buffer.clear();
        let shown = Shown::new(settings, outcome, diagnostic);
        handler
            .render_report(&mut buffer, &shown)
            .map_err(|_| io::Error::other("formatting failed"))?;
        out.write_all(buffer.as_bytes())?;
        writeln!(out)?;
    }
    if !settings.quiet {
        writeln!(out, "{}", summary(outcome))?;
    }
    Ok(())
}

fn summary(outcome: &Outcome) -> String {
    let counts = outcome.counts();
    let checked = format!(
        "checked {} objects in {} files",
        outcome.inventory.objects.len(),
        outcome.inventory.files.len()
    );
    if outcome.diagnostics.is_empty() {
        return format!("No problems found ({checked}).");
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut files: Vec<_> = outcome
        .diagnostics
        .iter()
        .map(|d| d.primary.span.file)
        .collect();
    files.dedup();
    format!(
        "Found {}, {} and {} in {} ({checked}).",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note"),
        plural(files.len(), "file")
    )
}

/// One diagnostic as miette sees it.
struct Shown<'a> {
    header: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: Option<IndexedSource<'a>>,
}

impl<'a> Shown<'a> {
    fn new(settings: &Settings, outcome: &'a Outcome, diagnostic: &'a Diagnostic) -> Shown<'a> {
        let inventory = &outcome.inventory;
        let file = inventory.file(diagnostic.primary.span.file);
        let at = Location::of(inventory, &diagnostic.primary);
        let shown_path = format!("{}{}", settings.root_display, file.path);
        let mut header = format!(
            "{}:{}:{}: {}",
            shown_path, at.start.line, at.start.column, diagnostic.message
        );
        let mut notes = Vec::new();
        let mut labels = Vec::new();
        let primary_text = diagnostic.primary.message.clone();
        labels.push(LabeledSpan::new_primary_with_span(
            primary_text,
            span(diagnostic.primary.span),
        ));
        for related in &diagnostic.related {
            let here = Location::of(inventory, related);
            if related.span.file == file.id && !file.sensitive {
                labels.push(LabeledSpan::new_with_span(
                    related.message.clone(),
                    span(related.span),
                ));
            } else {
                let what = related.message.as_deref().unwrap_or("related");
                notes.push(format!(
                    "{what}: {}{}:{}:{}",
                    settings.root_display, here.path, here.start.line, here.start.column
                ));
            }
        }
        if file.sensitive {
            header.push_str(" (source not shown: the file holds a Secret)");
        }
        let help = diagnostic
            .help
            .iter()
            .cloned()
            .chain(notes)
            .collect::<Vec<_>>();
        Shown {
            header,
            code: format!("{}/{}", diagnostic.rule.code, diagnostic.rule.name),
            severity: match diagnostic.level {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warning,
                Level::Note => Severity::Advice,
            },
            help: (!help.is_empty()).then(|| help.join("\n")),
            labels,
            source: (!file.sensitive && !file.text.is_empty()).then_some(IndexedSource {
                file,
                name: shown_path,
            }),
        }
    }
}

fn span(span: crate::source::Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// miette's stock `SourceCode` rescans the file from byte 0 for every diagnostic; this one asks
/// the file's line index.
struct IndexedSource<'a> {
    file: &'a SourceFile,
    name: String,
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = &self.file.text;
        let lines = &self.file.lines;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = lines.line_of(start as u32).saturating_sub(before);
        let last_of_span =
            lines.line_of(end.saturating_sub(usize::from(!span.is_empty())).max(start) as u32);
        let last = (last_of_span + after).min(lines.line_count() - 1);
        let context_start = lines.line_start(first) as usize;
        let context_end = lines.line_range(last, text).1.max(end);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[context_start..context_end],
            SourceSpan::new(context_start.into(), context_end - context_start),
            first,
            0,
            last - first + 1,
        )))
    }
}
