//! What identifies a rule: its metadata, which findings point to (`Diagnostic::rule`) and
//! every layer compares by identity, never by code or name strings.

use crate::diagnostic::{Diagnostic, Severity};
use crate::format_id::Format;
use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "no",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "yes",
        }
    }
}

#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// The format whose files the rule reads; `None` for rules about wscfg itself (inline
    /// suppressions), which apply to every format.
    pub format: Option<Format>,
    pub severity: Severity,
    pub fix: FixAvailability,
    pub summary: &'static str,
}

impl RuleMeta {
    /// `nginx`, `fly`, … or `any`.
    pub fn scope(&self) -> &'static str {
        self.format.map_or("any", Format::as_str)
    }
    pub fn is_named(&self, name: &str) -> bool {
        self.code.eq_ignore_ascii_case(name) || self.name == name
    }
    pub fn diag(&'static self, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self, file, span, message)
    }
}

/// How a rule's findings come about; from the format table (`rules::kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A file that cannot be read or parsed: always reported, and no other rule ran on it.
    Syntax,
    /// Found while reading the files (nginx includes, bytes that are not UTF-8).
    Loader,
    /// A rule over a format's model.
    Check,
    /// About wscfg itself (inline suppressions), for every format.
    Engine,
}
