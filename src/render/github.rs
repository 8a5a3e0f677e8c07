//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! which GitHub shows as an annotation on the file and line of the pull request.
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`, CR
//! and LF are percent-encoded; in property values `:` and `,` are encoded as well. Columns
//! are given only when the finding starts and ends on one line, as the runner requires.

use super::{display_path, range};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceDb;

/// Escapes the message part of a workflow command (after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`title=…`, `file=…`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let r = range(db, d.file, d.span);
        let path = display_path(db, d.file).replace('\\', "/");
        let path = path.strip_prefix("./").unwrap_or(&path);
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        message.push_str(&format!("\nsee {}", d.url()));
        // The runner rejects columns on an annotation that spans several lines.
        let position = if r.start.line == r.end.line {
            format!(
                "line={},col={},endLine={},endColumn={}",
                r.start.line, r.start.column, r.end.line, r.end.column
            )
        } else {
            format!("line={},endLine={}", r.start.line, r.end.line)
        };
        out.push_str(&format!(
            "::{} title={},file={},{position}::{}\n",
            command(d.severity),
            escape_property(&format!("wscfg {} ({})", d.code, d.name)),
            escape_property(path),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(
            escape_property("100% a\r\nb: c, d"),
            "100%25 a%0D%0Ab%3A c%2C d"
        );
        // `%` first, so an encoded sequence is never encoded twice.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn multi_line_findings_have_no_columns() {
        let mut db = SourceDb::default();
        let f = db.add("a,b.conf".into(), "x {\n}\n".into());
        let d =
            crate::rules::nginx::SYNTAX_ERROR.diag(f, crate::source::Span::new(0, 5), "bad\nthing");
        let out = render(&db, &[d]);
        assert!(
            out.starts_with(
                "::error title=wscfg NGX000 (syntax-error),file=a%2Cb.conf,line=1,endLine=2::bad%0Athing%0A"
            ),
            "{out}"
        );
    }
}
