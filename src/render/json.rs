//! The stable JSON report (version 1), documented in README.md.

use super::{Range, display_path, range};
use crate::diagnostic::Diagnostic;
use crate::fix::Applicability;
use crate::source::SourceDb;
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    path: String,
    range: Range,
    message: &'a str,
    help: Option<&'a str>,
    url: String,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: String,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    range: Range,
    content: &'a str,
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], files_checked: usize) -> String {
    let report = Report {
        version: 1,
        files_checked,
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                name: d.name,
                severity: d.severity.as_str(),
                path: display_path(db, d.file),
                range: range(db, d.file, d.span),
                message: &d.message,
                help: d.help.as_deref(),
                url: d.url(),
                labels: d
                    .labels
                    .iter()
                    .map(|l| JsonLabel {
                        path: display_path(db, l.file),
                        range: range(db, l.file, l.span),
                        message: &l.message,
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    applicability: f.applicability,
                    message: &f.message,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            path: display_path(db, e.file),
                            range: range(db, e.file, e.span),
                            content: &e.content,
                        })
                        .collect(),
                }),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("report serialises");
    s.push('\n');
    s
}
