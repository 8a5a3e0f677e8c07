//! JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines): one
//! `<testsuite>` per file, one failing `<testcase>` per finding, and one passing test case for
//! a file without findings, so clean files show up as passed.

use super::{display_path, range};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceDb};
use std::fmt::Write;

/// Escapes an XML 1.0 attribute value (line breaks and tabs survive attribute-value
/// normalisation as character references).
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes XML 1.0 element text; line breaks stay literal.
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD.
fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `files` are the checked files; files that only hold findings (reached through an
/// include) are added to them.
pub fn render(db: &SourceDb, diags: &[Diagnostic], files: &[FileId]) -> String {
    let mut all: Vec<FileId> = files
        .iter()
        .copied()
        .chain(diags.iter().map(|d| d.file))
        .collect();
    all.sort_by(|a, b| db.get(*a).path.cmp(&db.get(*b).path).then(a.cmp(b)));
    all.dedup();
    let failures = diags.len();
    let tests: usize = all
        .iter()
        .map(|f| diags.iter().filter(|d| d.file == *f).count().max(1))
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"wscfg\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for file in all {
        let path = escape_attr(&display_path(db, file));
        let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.file == file).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            found.len().max(1),
            found.len()
        );
        if found.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"no problems\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for d in found {
            let r = range(db, d.file, d.span);
            let mut body = format!(
                "{}:{}:{}: {} [{}] {}",
                display_path(db, d.file),
                r.start.line,
                r.start.column,
                d.code,
                d.severity.as_str(),
                d.message
            );
            if let Some(h) = &d.help {
                let _ = write!(body, "\nhelp: {h}");
            }
            let _ = write!(body, "\nsee {}", d.url());
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at {}:{}\" classname=\"{path}\" file=\"{path}\" line=\"{}\">",
                d.code, d.name, r.start.line, r.start.column, r.start.line
            );
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                d.severity.as_str(),
                escape_attr(&d.message),
                escape_text(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape_attr("a<b>&\"c' \u{1}\n\r"),
            "a&lt;b&gt;&amp;&quot;c&apos; \u{FFFD}&#10;&#13;"
        );
        assert_eq!(escape_text("a\nb<"), "a\nb&lt;");
    }
}
