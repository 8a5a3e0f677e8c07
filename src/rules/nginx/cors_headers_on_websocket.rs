//! NGX012 cors-headers-on-websocket: CORS response headers on a WebSocket-only location,
//! where browsers never apply CORS.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::tree::NodeId;
use crate::formats::nginx::values::variables_in;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX012",
    name: "cors-headers-on-websocket",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "CORS headers on a WebSocket location protect nothing: browsers do not apply CORS to WebSocket handshakes",
};

pub struct CorsHeadersOnWebsocket;

impl<'a> Rule<NginxContext<'a>> for CorsHeadersOnWebsocket {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.websocket_locations() {
            let loc = ws.node;
            // Socket.IO/SockJS polling and any ordinary request are real CORS requests.
            if !cx.is_websocket_only(loc) {
                continue;
            }
            let cors: Vec<NodeId> = cx
                .add_headers_in_effect(loc)
                .into_iter()
                .filter(|&h| {
                    cx.dir(h).arg(0).is_some_and(|n| {
                        n.len() > 21
                            && n.get(..21)
                                .is_some_and(|p| p.eq_ignore_ascii_case("access-control-allow-"))
                    })
                })
                .collect();
            if cors.is_empty() {
                continue;
            }
            let names: Vec<&str> = cors.iter().filter_map(|&h| cx.dir(h).arg(0)).collect();
            // The origin the CORS header names, if it is one literal origin, for the help.
            let origin = cors
                .iter()
                .filter(|&&h| {
                    cx.dir(h)
                        .arg(0)
                        .is_some_and(|n| n.eq_ignore_ascii_case("access-control-allow-origin"))
                })
                .filter_map(|&h| cx.dir(h).arg(1))
                .find(|v| *v != "*" && variables_in(v).is_empty() && v.contains("://"))
                .unwrap_or("https://app.example.com");
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} sends {} but browsers do not apply CORS to WebSocket handshakes: any \
                         web page can open this WebSocket, so these headers protect nothing",
                        cx.describe(loc),
                        names.join(", ")
                    ),
                )
                .help(format!(
                    "check the Origin header instead, in nginx or in the WebSocket server: \
                     `map $http_origin $ws_origin_allowed {{ default 0; \"{origin}\" 1; }}` in the \
                     http block and `if ($ws_origin_allowed = 0) {{ return 403; }}` in this location"
                ));
            for &h in &cors {
                let label = if cx.tree.parent(h) == Some(loc) {
                    "not applied to WebSocket handshakes"
                } else {
                    "inherited here; not applied to WebSocket handshakes"
                };
                d = d.label(cx.file(h), cx.dir(h).span(), label);
            }
            out.push(d);
        }
    }
}
