//! `path:line:col: CODE [severity] message`, one line per finding.

use crate::diagnostic::Diagnostic;
use crate::source::SourceDb;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let r = super::range(db, d.file, d.span);
        out.push_str(&format!(
            "{}:{}:{}: {} [{}] {}\n",
            super::display_path(db, d.file),
            r.start.line,
            r.start.column,
            d.code,
            d.severity.as_str(),
            super::human::clip_message(&d.message)
        ));
    }
    out
}
