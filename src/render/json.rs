//! The stable JSON report (version 1), documented in README.md.

use super::{Range, display_path, range};
use crate::diagnostic::{Diagnostic, Label};
use crate::fix::{Applicability, Edit};
use crate::source::{FileId, SourceDb};
use serde::Serialize;
use std::cell::OnceCell;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files_checked: usize,
    diagnostics: Diagnostics<'a>,
}

/// The findings, serialised one by one as they are written (no list of them is built).
struct Diagnostics<'a> {
    db: &'a SourceDb,
    diags: &'a [Diagnostic],
    /// Each file's displayed path, made once.
    paths: Vec<OnceCell<String>>,
}

impl<'a> Diagnostics<'a> {
    fn path(&self, file: FileId) -> &str {
        self.paths[file.0 as usize].get_or_init(|| display_path(self.db, file))
    }
}

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let db = self.db;
        serializer.collect_seq(self.diags.iter().map(|d| JsonDiagnostic {
            code: d.code,
            name: d.name,
            severity: d.severity.as_str(),
            path: self.path(d.file),
            range: range(db, d.file, d.span),
            message: &d.message,
            help: d.help.as_deref(),
            url: Url(d.code),
            labels: Labels(self, &d.labels),
            fix: d.fix.as_ref().map(|f| JsonFix {
                applicability: f.applicability,
                message: &f.message,
                edits: Edits(self, &f.edits),
            }),
        }))
    }
}

/// A rule's documentation address, written without building it first.
struct Url<'a>(&'a str);

impl Serialize for Url<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}/{}.md", crate::rules::DOCS_BASE, self.0))
    }
}

struct Labels<'a>(&'a Diagnostics<'a>, &'a [Label]);

impl Serialize for Labels<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Labels(all, labels) = self;
        serializer.collect_seq(labels.iter().map(|l| JsonLabel {
            path: all.path(l.file),
            range: range(all.db, l.file, l.span),
            message: &l.message,
        }))
    }
}

struct Edits<'a>(&'a Diagnostics<'a>, &'a [Edit]);

impl Serialize for Edits<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Edits(all, edits) = self;
        serializer.collect_seq(edits.iter().map(|e| JsonEdit {
            path: all.path(e.file),
            range: range(all.db, e.file, e.span),
            content: &e.content,
        }))
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    path: &'a str,
    range: Range,
    message: &'a str,
    help: Option<&'a str>,
    url: Url<'a>,
    labels: Labels<'a>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: &'a str,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Edits<'a>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: &'a str,
    range: Range,
    content: &'a str,
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], files_checked: usize) -> String {
    let mut out = Vec::new();
    write(&mut out, db, diags, files_checked).expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`render`] written straight to `out` as it is produced.
pub fn write(
    out: &mut impl std::io::Write,
    db: &SourceDb,
    diags: &[Diagnostic],
    files_checked: usize,
) -> std::io::Result<()> {
    let report = Report {
        version: 1,
        files_checked,
        diagnostics: Diagnostics {
            db,
            diags,
            paths: (0..db.ids().count()).map(|_| OnceCell::new()).collect(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
