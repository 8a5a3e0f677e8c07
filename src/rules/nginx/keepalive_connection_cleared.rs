//! NGX009 keepalive-connection-cleared: `proxy_set_header Connection ""` (the upstream
//! keepalive idiom) is in effect for a WebSocket location, so the upgrade never passes.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX009",
    name: "keepalive-connection-cleared",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "`proxy_set_header Connection \"\"` (upstream keepalive) in a WebSocket location: the upgrade can never pass",
};

pub struct KeepaliveConnectionCleared;

impl<'a> Rule<NginxContext<'a>> for KeepaliveConnectionCleared {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            let levels = cx.header_levels(loc);
            let Some(h) = levels.first().and_then(|l| cx.header_in(l, "Connection")) else {
                continue;
            };
            if cx.header_value(h).is_none_or(|v| !v.value.is_empty()) {
                continue;
            }
            let keepalive = cx.keepalive_for(loc);
            let fix = cx.connection_variable(true).and_then(|(var, map)| {
                let mut edits: Vec<_> = map.into_iter().collect();
                edits.push(cx.replace_arg(h, 1, &format!("${var}"))?);
                Some(Fix::safe(
                    format!("set `proxy_set_header Connection ${var};` (empty for ordinary requests, `upgrade` for WebSocket ones)"),
                    edits,
                ))
            });
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} clears the Connection header (`{}`, the upstream keepalive idiom), so \
                         nginx never sends `Connection: upgrade` and the WebSocket handshake \
                         cannot pass",
                        cx.describe(loc),
                        cx.text(h)
                    ),
                )
                .label(
                    cx.file(h),
                    cx.dir(h).span(),
                    "clears Connection for every request, WebSocket handshakes included",
                )
                .help(
                    "keep upstream keepalive and the upgrade: `map $http_upgrade \
                     $connection_upgrade_keepalive { default upgrade; '' ''; }` in the http block \
                     and `proxy_set_header Connection $connection_upgrade_keepalive;` — an empty \
                     value sends no Connection header on ordinary requests",
                )
                .fix(fix);
            if let Some(k) = keepalive {
                d = d.label(
                    cx.file(k),
                    cx.dir(k).span(),
                    "the keepalive cache the empty Connection header is for",
                );
            }
            out.push(d);
        }
    }
}
