//! `--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

use std::io::{self, Write};

use super::Location;
use crate::Outcome;
use crate::rule::Level;

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &outcome.diagnostics {
        let at = Location::of(&outcome.inventory, &diagnostic.primary);
        let command = match diagnostic.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(at.path),
            at.start.line,
            at.start.column,
            at.end.line,
            at.end.column,
            property(&format!(
                "{} {}",
                diagnostic.rule.code, diagnostic.rule.name
            )),
            data(&diagnostic.message)
        )?;
    }
    Ok(())
}

/// Escaping of a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
