//! Turning diagnostics into output: human (miette), concise, JSON, SARIF, GitHub workflow
//! commands and JUnit XML. Every renderer takes positions from [`range`].

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::source::{FileId, SourceDb, Span};
use serde::Serialize;

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// 1-based line/column range of a span, as every renderer reports it.
pub fn range(db: &SourceDb, file: FileId, span: Span) -> Range {
    let f = db.get(file);
    let s = f.line_col(span.start);
    let e = f.line_col(span.end);
    Range {
        start: Position {
            line: s.line,
            column: s.column,
        },
        end: Position {
            line: e.line,
            column: e.column,
        },
    }
}

pub fn display_path(db: &SourceDb, file: FileId) -> String {
    db.get(file).path.display().to_string()
}
