//! RWY002 port-hardcoded: the manifest sets PORT itself while Railway injects it.

use super::RailwayContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::railway::{Section, VARIABLE_TABLES};
use crate::formats::spanned::Node;
use crate::project::start_command::{Invocation, assignment, basename};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY002",
    name: "port-hardcoded",
    format: Some(Format::Railway),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "PORT is pinned in the manifest while Railway injects its own",
};

pub struct PortHardcoded;

const HELP: &str = "let the app listen on the PORT Railway injects; to choose the port yourself, set PORT \
                    as a service variable (dashboard or `railway variables --set PORT=…`), which Railway \
                    also uses for routing and health checks";

fn literal(node: &Node) -> Option<String> {
    match &node.kind {
        crate::formats::spanned::Kind::Str(s) => Some(s.value.clone()),
        crate::formats::spanned::Kind::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

impl<'a> Rule<RailwayContext<'a>> for PortHardcoded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        // PORT in a variables table (which Railway's config as code does not read).
        for (path, node, _) in cx.schema_maps() {
            for table in VARIABLE_TABLES {
                let Some(vars) = node.get(table) else {
                    continue;
                };
                let Some(port) = vars.entry("PORT") else {
                    continue;
                };
                let value = literal(&port.value).unwrap_or_else(|| "…".into());
                if value.contains("PORT") {
                    continue;
                }
                let where_ = if path.is_empty() {
                    (*table).to_owned()
                } else {
                    format!("{path}.{table}")
                };
                out.push(
                    META.diag(
                        cx.file,
                        port.key_span.cover(port.value.span),
                        format!(
                            "PORT is pinned to {value} in `{where_}`, but Railway injects PORT itself and \
                             routes traffic and health checks to the port it injects; `{where_}` is not \
                             part of Railway's config as code, so the app gets Railway's PORT while this \
                             file claims {value}"
                        ),
                    )
                    .help(HELP),
                );
            }
        }
        // PORT=8080 in front of the start command, or `export PORT=8080`.
        for env in cx.environments() {
            if !cx.overrides(&env, &[(Section::Deploy, "startCommand")]) {
                continue;
            }
            let Some(cmd) = cx.start_command(&env) else {
                continue;
            };
            for simple in &cmd.parsed.simple {
                let mut pins = Vec::new();
                if let Some(inv) = Invocation::find(simple) {
                    pins.extend(inv.assignments.iter().copied());
                    if basename(&simple.words[inv.program].text) == "export" {
                        pins.extend(inv.args());
                    }
                }
                for w in pins {
                    let Some(("PORT", value)) = assignment(&w.text) else {
                        continue;
                    };
                    if value.contains("PORT") {
                        continue;
                    }
                    out.push(
                        META.diag(
                            cx.file,
                            cx.command_span(&cmd, w.span.clone()),
                            format!(
                                "startCommand{} sets PORT={value} for the server, but Railway sends traffic \
                                 and health checks to the PORT it injects, which this overrides",
                                env.suffix()
                            ),
                        )
                        .help(HELP),
                    );
                }
            }
        }
    }
}
