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
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

pub use crate::rule_meta::{FixAvailability, RuleKind, RuleMeta};

impl RuleMeta {
    /// Adds this rule's finding to `out` unless the configuration turned the rule off; for
    /// findings made outside a rule's `check`, such as a file that does not parse.
    pub fn report(
        &'static self,
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

/// Every rule wscfg has, in code order: each format's (from the format table) and wscfg's own.
pub fn all() -> Vec<&'static RuleMeta> {
    static ALL: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static RuleMeta> = table::FORMATS.iter().flat_map(|r| r.rules()).collect();
        v.extend_from_slice(suppression::META);
        v.sort_by_key(|m| m.code);
        v
    })
    .clone()
}

/// How `meta`'s findings come about (syntax, loader, check, or about wscfg itself).
pub use table::kind;

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
