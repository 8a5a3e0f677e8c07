//! RWY006 unknown-key: a key Railway's config-as-code schema does not have.

use super::RailwayContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::railway::{BUILD_KEYS, DEPLOY_KEYS, ManifestSyntax, VARIABLE_TABLES};
use crate::formats::spanned::{did_you_mean, keys};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY006",
    name: "unknown-key",
    format: Some(Format::Railway),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a key Railway's config-as-code schema does not have, so Railway does not apply it",
};

pub struct UnknownKey;

impl<'a> Rule<RailwayContext<'a>> for UnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        for (path, node, known) in cx.schema_maps() {
            // Region names under multiRegionConfig and environment names are free-form.
            for e in keys(node) {
                if known.contains(&e.key.as_str()) {
                    continue;
                }
                let shown = if path.is_empty() {
                    e.key.clone()
                } else {
                    format!("{path}.{}", e.key)
                };
                let section_of = |k: &str| {
                    if BUILD_KEYS.contains(&k) && path.ends_with("deploy") {
                        Some("build")
                    } else if DEPLOY_KEYS.contains(&k) && path.ends_with("build") {
                        Some("deploy")
                    } else {
                        None
                    }
                };
                let help = if let Some(right) = section_of(&e.key) {
                    let parent = path
                        .rsplit_once('.')
                        .map(|(p, _)| format!("{p}."))
                        .unwrap_or_default();
                    let table = match cx.flavor {
                        ManifestSyntax::Toml => format!("[{parent}{right}]"),
                        ManifestSyntax::Json => format!("`{parent}{right}`"),
                    };
                    format!("`{}` belongs in {table}", e.key)
                } else if VARIABLE_TABLES.contains(&e.key.as_str()) {
                    "Railway does not read variables from this file: set them as service variables \
                     (dashboard, `railway variables --set NAME=value`)"
                        .to_owned()
                } else if let Some(k) = did_you_mean(&e.key, known) {
                    format!("did you mean `{k}`?")
                } else {
                    format!("known keys here: {}", known.join(", "))
                };
                out.push(
                    META.diag(
                        cx.file,
                        e.key_span,
                        format!("`{shown}` is not a key of Railway's config as code, so Railway does not apply it"),
                    )
                    .help(help),
                );
            }
        }
    }
}
