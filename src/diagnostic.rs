//! What a rule reports: a located message with optional secondary labels, help and fix.

use crate::fix::Fix;
use crate::rule_meta::RuleMeta;
use crate::source::{FileId, Span};
use serde::Serialize;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!("unknown severity `{s}` (info, warning, error)")),
        }
    }
}

/// A value from a checked file as a message quotes it: at most 80 characters, so a
/// pathological 10 MB word never ends up in a message whole.
pub fn clip(value: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        None => std::borrow::Cow::Borrowed(value),
        Some((i, _)) => std::borrow::Cow::Owned(format!("{}…", &value[..i])),
    }
}

/// Text of a finding: most help, label and fix texts are fixed sentences, kept without an
/// allocation (a big configuration has thousands of findings).
pub type Text = std::borrow::Cow<'static, str>;

/// A secondary location: the block that shadows, the outer header that was lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: Text,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule that reported it: compared by identity (`std::ptr::eq`), never by code.
    pub rule: &'static RuleMeta,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<Text>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        meta: &'static RuleMeta,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: meta,
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            file,
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }
    pub fn label(mut self, file: FileId, span: Span, message: impl Into<Text>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
    pub fn help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
    pub fn url(&self) -> String {
        crate::rules::rule_url(self.code)
    }
    /// Identity used to report a finding once when a file is reached from several roots.
    pub fn key(&self) -> (FileId, Span, &'static str, &str) {
        (self.file, self.span, self.code, &self.message)
    }
}

/// Drops repeated findings (the same file, span, rule and message), keeping the first; a
/// file reached from several roots or groups reports its findings once.
pub fn dedupe(diags: &mut Vec<Diagnostic>) {
    let keep: Vec<bool> = {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.reserve(diags.len());
        diags.iter().map(|d| seen.insert(d.key())).collect()
    };
    let mut keep = keep.into_iter();
    diags.retain(|_| keep.next().unwrap_or(true));
}
