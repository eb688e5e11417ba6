//! Reports: one file per format. Diagnostics are built elsewhere; here they are only rendered.

use std::io::{self, Write};

use crate::Outcome;
use crate::cli::{Format, Settings};
use crate::diagnostic::Label;
use crate::inventory::Inventory;
use crate::source::LineCol;

pub mod github;
pub mod json;
pub mod junit;
pub mod rules;
pub mod sarif;
pub mod text;

pub fn render(settings: &Settings, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    match settings.format {
        Format::Text => text::render(settings, outcome, out),
        Format::Json => json::render(outcome, out),
        Format::Sarif => sarif::render(outcome, out),
        Format::Github => github::render(outcome, out),
        Format::Junit => junit::render(settings, outcome, out),
    }
}

/// A label resolved to its file and 1-based line/column range.
pub struct Location<'a> {
    pub path: &'a str,
    pub start: LineCol,
    pub end: LineCol,
}

impl<'a> Location<'a> {
    pub fn of(inventory: &'a Inventory, label: &Label) -> Location<'a> {
        let file = inventory.file(label.span.file);
        Location {
            path: &file.path,
            start: file.line_col(label.span.start),
            end: file.line_col(label.span.end),
        }
    }
}
