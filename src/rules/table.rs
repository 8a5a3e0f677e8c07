//! The format table: one row per format says how its files are checked — the rule a file
//! that cannot be read or parsed is reported under, whether a text parses (the fix engine
//! refuses results that do not), where its comments are (for inline suppressions) and the
//! driver that lints a run's files of the format. Detection, which weighs the formats
//! against each other, is `formats::Format::detect`.

use super::driver::Run;
use super::{RuleKind, RuleMeta, apache, app, apprunner, aws, cloudrun, fly, haproxy, k8s, nginx};
use super::{railway, render_com};
use crate::diagnostic::Diagnostic;
use crate::formats::{self, Format};
use crate::source::{SourceDb, Span};
use crate::suppress::hash_comments;
use std::path::Path;

/// The metadata of a format's rules, from its `RULES`.
macro_rules! metas {
    ($rules:expr) => {
        || $rules.iter().map(|r| r.meta()).collect()
    };
}

pub struct FormatRow {
    pub format: Format,
    /// The finding of a file that cannot be read or does not parse.
    pub syntax: &'static RuleMeta,
    /// Findings made while reading the files, not by a rule over the model.
    pub loaders: &'static [&'static RuleMeta],
    /// The rules over the model (the format's `RULES`, written once).
    pub checks: fn() -> Vec<&'static RuleMeta>,
    /// Whether `text` (of the file at the path) parses, within the nesting limit.
    pub parses: fn(&Path, &str, usize) -> bool,
    /// The comments of a file; `None` for a syntax without comments (JSON: use
    /// `[per-file-ignores]`).
    pub comments: fn(&Path, &str) -> Option<Vec<Span>>,
    /// Lints one group of the run's files of this format.
    pub lint: fn(&mut SourceDb, &Run<'_>) -> Vec<Diagnostic>,
}

/// Every format, in [`Format::ALL`] order.
pub static FORMATS: [FormatRow; 11] = [
    FormatRow {
        format: Format::Nginx,
        syntax: &nginx::SYNTAX_ERROR,
        loaders: &[
            &nginx::INCLUDE_NOT_FOUND,
            &nginx::INCLUDE_CYCLE,
            &nginx::INCLUDE_OUTSIDE_ROOT,
            &nginx::NOT_UTF8,
        ],
        checks: metas!(nginx::RULES),
        parses: |path, text, depth| {
            let template = formats::nginx::template::scan(Some(path), text);
            formats::nginx::parser::parse_recovering(text, depth, template)
                .errors
                .is_empty()
        },
        comments: |_, text| {
            Some(
                formats::nginx::parser::parse(text)
                    .map(|p| p.comments)
                    .unwrap_or_else(|_| hash_comments(text)),
            )
        },
        lint: nginx::lint,
    },
    FormatRow {
        format: Format::Fly,
        syntax: &fly::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(fly::RULES),
        parses: |_, text, _| formats::fly::parses(text),
        comments: |_, text| Some(hash_comments(text)),
        lint: fly::lint,
    },
    FormatRow {
        format: Format::Railway,
        syntax: &railway::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(railway::RULES),
        parses: |path, text, _| {
            formats::railway::parses(text, formats::railway::ManifestSyntax::of(path, text))
        },
        comments: |path, text| match formats::railway::ManifestSyntax::of(path, text) {
            formats::railway::ManifestSyntax::Json => None,
            formats::railway::ManifestSyntax::Toml => Some(hash_comments(text)),
        },
        lint: railway::lint,
    },
    FormatRow {
        format: Format::AppRunner,
        syntax: &apprunner::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(apprunner::RULES),
        parses: |path, text, _| formats::apprunner::parses(path, text),
        comments: |path, text| {
            iac_comments(path, text).unwrap_or_else(|| Some(hash_comments(text)))
        },
        lint: apprunner::lint,
    },
    FormatRow {
        format: Format::App,
        syntax: &app::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(app::RULES),
        parses: |_, _, _| true,
        comments: crate::project::comments::of,
        // App files are read by the project view, which the engine builds once per run
        // over every format's files (`rules::app::lint`).
        lint: |_, _| Vec::new(),
    },
    FormatRow {
        format: Format::Kubernetes,
        syntax: &k8s::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(k8s::RULES),
        parses: |_, text, _| formats::k8s::parses(text),
        comments: |_, text| Some(hash_comments(text)),
        lint: k8s::lint,
    },
    FormatRow {
        format: Format::Haproxy,
        syntax: &haproxy::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(haproxy::RULES),
        parses: |_, text, _| formats::haproxy::parses(text),
        comments: |_, text| {
            Some(formats::haproxy::comments(text).unwrap_or_else(|| hash_comments(text)))
        },
        lint: haproxy::lint,
    },
    FormatRow {
        format: Format::Apache,
        syntax: &apache::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(apache::RULES),
        parses: |_, text, _| formats::apache::parses(text),
        comments: |_, text| {
            Some(formats::apache::comments(text).unwrap_or_else(|| hash_comments(text)))
        },
        lint: apache::lint,
    },
    FormatRow {
        format: Format::RenderCom,
        syntax: &render_com::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(render_com::RULES),
        parses: |_, text, _| formats::render_com::parses(text),
        comments: |_, text| Some(hash_comments(text)),
        lint: render_com::lint,
    },
    FormatRow {
        format: Format::CloudRun,
        syntax: &cloudrun::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(cloudrun::RULES),
        parses: |path, text, _| formats::cloudrun::parses(path, text),
        comments: |path, text| {
            iac_comments(path, text).unwrap_or_else(|| Some(hash_comments(text)))
        },
        lint: cloudrun::lint,
    },
    FormatRow {
        format: Format::Aws,
        syntax: &aws::SYNTAX_ERROR,
        loaders: &[],
        checks: metas!(aws::RULES),
        parses: |path, text, _| formats::aws::parses(path, text),
        comments: |path, text| {
            iac_comments(path, text)
                .unwrap_or_else(|| formats::aws::has_comments(text).then(|| hash_comments(text)))
        },
        lint: aws::lint,
    },
];

/// The row of `format`.
pub fn row(format: Format) -> &'static FormatRow {
    let row = &FORMATS[format as usize];
    debug_assert_eq!(row.format, format, "FORMATS is in Format::ALL order");
    row
}

impl FormatRow {
    /// Every rule of the format, once: its syntax rule, its loader's, its checks (a check
    /// may report under the syntax rule, as nginx's does for what `nginx -t` refuses in a
    /// file that parses).
    pub fn rules(&self) -> impl Iterator<Item = &'static RuleMeta> {
        let syntax = self.syntax;
        std::iter::once(syntax)
            .chain(self.loaders.iter().copied())
            .chain(
                (self.checks)()
                    .into_iter()
                    .filter(move |m| !std::ptr::eq(*m, syntax)),
            )
    }
}

/// How `meta`'s findings come about.
pub fn kind(meta: &RuleMeta) -> RuleKind {
    let is = |m: &&RuleMeta| std::ptr::eq(*m, meta);
    for row in &FORMATS {
        if std::ptr::eq(row.syntax, meta) {
            return RuleKind::Syntax;
        }
        if row.loaders.iter().any(is) {
            return RuleKind::Loader;
        }
    }
    if super::suppression::META.iter().any(is) {
        RuleKind::Engine
    } else {
        RuleKind::Check
    }
}

/// The comments of a Terraform file (none in its JSON syntax), for the formats whose
/// resources Terraform declares; `None` when the file is not Terraform.
fn iac_comments(path: &Path, text: &str) -> Option<Option<Vec<Span>>> {
    if formats::terraform::is_terraform_name(path) {
        Some(Some(formats::terraform::comments(text)))
    } else if formats::terraform::is_terraform_json_name(path) {
        Some(None)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_format_in_order() {
        for (i, f) in Format::ALL.into_iter().enumerate() {
            assert_eq!(FORMATS[i].format, f);
            assert_eq!(FORMATS[i].syntax.format, Some(f));
            assert!(FORMATS[i].rules().all(|m| m.format == Some(f)), "{f:?}");
        }
        assert_eq!(kind(&nginx::SYNTAX_ERROR), RuleKind::Syntax);
        assert_eq!(kind(&nginx::NOT_UTF8), RuleKind::Loader);
        assert_eq!(
            kind(&super::super::suppression::UNUSED_SUPPRESSION),
            RuleKind::Engine
        );
        assert_eq!(kind(FORMATS[0].rules().nth(5).unwrap()), RuleKind::Check);
    }
}
