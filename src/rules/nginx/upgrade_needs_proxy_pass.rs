//! NGX010 upgrade-needs-proxy-pass: a WebSocket location hands its requests to a module that
//! cannot tunnel an upgraded connection (`fastcgi_pass`, `grpc_pass`).

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::upstream::Handoff;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX010",
    name: "upgrade-needs-proxy-pass",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "WebSocket location handed to fastcgi_pass or grpc_pass, which cannot tunnel an upgraded connection",
};

pub struct UpgradeNeedsProxyPass;

impl<'a> Rule<NginxContext<'a>> for UpgradeNeedsProxyPass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.websocket_locations() {
            let loc = ws.node;
            let Some((pass, handoff)) = cx.handoff(loc) else {
                continue;
            };
            if handoff.can_tunnel() {
                continue;
            }
            let why = match handoff {
                Handoff::Grpc => {
                    "it speaks HTTP/2 to the backend, which has no 101 Switching Protocols, and \
                     it drops the Upgrade and Connection headers"
                }
                _ => {
                    "FastCGI carries one request and its response; after the response has \
                     started, nginx never forwards the client's bytes to the backend"
                }
            };
            out.push(
                META.diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} looks like a WebSocket location ({}) but hands its requests to \
                         `{}`, which cannot tunnel an upgraded connection: no WebSocket ever \
                         works through it",
                        cx.describe(loc),
                        ws.reason.describe(),
                        handoff.directive(),
                    ),
                )
                .label(cx.file(pass), cx.dir(pass).span, why)
                .help(
                    "run the WebSocket endpoint as an HTTP server (its own port or socket) and \
                     give it a location of its own with `proxy_pass`, `proxy_http_version 1.1` \
                     and the Upgrade/Connection headers",
                ),
            );
        }
    }
}
