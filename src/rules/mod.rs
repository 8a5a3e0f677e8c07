//! The rule registry: every rule's metadata, and lookup by code or name.

pub mod apache;
pub mod app;
pub mod apprunner;
pub mod aws;
pub mod cloudrun;
pub mod driver;
pub mod fly;
pub mod haproxy;
pub mod iac;
pub mod k8s;
pub mod nginx;
pub mod railway;
pub mod render_com;
pub mod suppression;
pub mod table;

use crate::config::Config;
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
    pub fn diag(&self, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self, file, span, message)
    }
    /// Adds this rule's finding to `out` unless the configuration turned the rule off; for
    /// findings made outside a rule's `check`, such as a file that does not parse.
    pub fn report(
        &self,
        config: &Config,
        file: FileId,
        span: Span,
        message: impl Into<String>,
        out: &mut Vec<Diagnostic>,
    ) {
        if config.enabled(self) {
            out.push(self.diag(file, span, message));
        }
    }
}

/// A rule over one format's model.
pub trait Rule<Cx>: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Cx, out: &mut Vec<Diagnostic>);
}

/// Runs a format's enabled rules over one model. Findings are deduplicated once, by the engine.
pub fn run<Cx, R: Rule<Cx> + ?Sized>(
    rules: &[&R],
    cx: &Cx,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    for rule in rules {
        if config.enabled(rule.meta()) {
            rule.check(cx, out);
        }
    }
}

/// Every rule wscfg has, in code order.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = nginx::META.to_vec();
    v.extend_from_slice(fly::META);
    v.extend_from_slice(railway::META);
    v.extend_from_slice(apprunner::META);
    v.extend_from_slice(app::META);
    v.extend_from_slice(k8s::META);
    v.extend_from_slice(haproxy::META);
    v.extend_from_slice(apache::META);
    v.extend_from_slice(render_com::META);
    v.extend_from_slice(cloudrun::META);
    v.extend_from_slice(aws::META);
    v.extend_from_slice(suppression::META);
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
