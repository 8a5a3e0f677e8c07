//! What kept part of a configuration from being read, as data: the nginx driver reports each
//! problem as its rule's finding; the loader knows no rule.

use crate::source::{FileId, SourceDb, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A file that does not parse, or a limit that stopped the reading.
    Syntax,
    IncludeNotFound,
    IncludeOutsideRoot,
    IncludeCycle,
    /// A file that is not UTF-8, read with each invalid byte as U+FFFD.
    NotUtf8,
}

#[derive(Clone, Debug)]
pub struct LoadProblem {
    pub kind: Problem,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: Option<&'static str>,
}

impl LoadProblem {
    pub fn new(kind: Problem, file: FileId, span: Span, message: impl Into<String>) -> Self {
        LoadProblem {
            kind,
            file,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: &'static str) -> Self {
        self.help = Some(help);
        self
    }

    /// The file `file` is not UTF-8 from byte `at` on (the character there is the span).
    pub fn not_utf8(db: &SourceDb, file: FileId, at: usize, message: impl Into<String>) -> Self {
        let text = &db.get(file).text;
        let end = text
            .get(at..)
            .and_then(|t| t.chars().next())
            .map_or(at, |c| at + c.len_utf8());
        LoadProblem::new(Problem::NotUtf8, file, Span::new(at, end), message)
    }
}
