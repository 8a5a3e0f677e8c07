//! The rule registry: every rule's metadata, and lookup by code or name.

pub mod fly;
pub mod nginx;

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
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
    pub format: Format,
    pub severity: Severity,
    pub fix: FixAvailability,
    pub summary: &'static str,
}

impl RuleMeta {
    pub fn is_named(&self, name: &str) -> bool {
        self.code.eq_ignore_ascii_case(name) || self.name == name
    }
    pub fn diag(&self, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self, file, span, message)
    }
}

/// A rule over one format's model.
pub trait Rule<Cx>: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Cx, out: &mut Vec<Diagnostic>);
}

/// Every rule wscfg has, in code order.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = nginx::META.to_vec();
    v.extend_from_slice(fly::META);
    v.sort_by_key(|m| m.code);
    v
}

pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|m| m.is_named(code_or_name))
}

pub const DOCS_BASE: &str = "https://github.com/wscfg/wscfg/blob/main/rules";

pub fn rule_url(code: &str) -> String {
    format!("{DOCS_BASE}/{code}.md")
}

/// The rule's page, compiled into the binary so `wscfg explain` works anywhere.
pub fn page(code: &str) -> Option<&'static str> {
    PAGES.iter().find(|(c, _)| *c == code).map(|(_, p)| *p)
}

include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));
