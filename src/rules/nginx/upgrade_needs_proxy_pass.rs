//! NGX010 upgrade-needs-proxy-pass: a WebSocket location hands its requests to a module that
//! cannot tunnel an upgraded connection (`fastcgi_pass`, `grpc_pass`), or sets the upgrade
//! headers but hands its requests to nothing, so nginx serves them from files.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::WsReason;
use crate::formats::nginx::tree::NodeId;
use crate::formats::nginx::upstream::Handoff;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX010",
    name: "upgrade-needs-proxy-pass",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "WebSocket location handed to fastcgi_pass or grpc_pass, which cannot tunnel an upgraded connection, or to no handler at all",
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
                if ws.reason == WsReason::SetsUpgrade {
                    check_served_from_files(cx, loc, out);
                }
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
                .label(cx.file(pass), cx.dir(pass).span(), why)
                .help(
                    "run the WebSocket endpoint as an HTTP server (its own port or socket) and \
                     give it a location of its own with `proxy_pass`, `proxy_http_version 1.1` \
                     and the Upgrade/Connection headers",
                ),
            );
        }
    }
}

/// Directives that leave a location's response to nginx's static-file handler. A location
/// with anything else (`return`, `try_files`, `rewrite`, `if`, nested locations, a module's
/// content handler, an unresolved `include`) may answer another way: it is not judged.
fn leaves_response_to_static_files(name: &str) -> bool {
    name.starts_with("proxy_")
        || matches!(
            name,
            "add_header"
                | "more_set_headers"
                | "allow"
                | "deny"
                | "access_log"
                | "error_log"
                | "log_not_found"
                | "client_max_body_size"
                | "client_body_timeout"
                | "send_timeout"
                | "keepalive_timeout"
                | "limit_req"
                | "limit_conn"
                | "auth_basic"
                | "auth_basic_user_file"
                | "expires"
                | "charset"
                | "root"
                | "alias"
                | "index"
                | "autoindex"
                | "default_type"
                | "gzip"
                | "internal"
        )
}

/// `proxy_set_header Upgrade` without `proxy_pass`: the header settings only apply to proxied
/// requests, and nginx answers the handshake from the file system (404, 403 or a file).
fn check_served_from_files(cx: &NginxContext<'_>, loc: NodeId, out: &mut Vec<Diagnostic>) {
    // A location snippet checked alone is included into a location that may proxy.
    if cx.tree.dir(loc).is_none_or(|d| d.name() != "location") {
        return;
    }
    let children = cx.tree.children(loc);
    if !children
        .iter()
        .all(|&c| leaves_response_to_static_files(cx.tree.name(c)))
    {
        return;
    }
    let Some(upgrade) = cx.tree.children_named(loc, "proxy_set_header").find(|&h| {
        cx.dir(h)
            .arg(0)
            .is_some_and(|a| a.eq_ignore_ascii_case("upgrade"))
    }) else {
        return;
    };
    out.push(
        META.diag(
            cx.file(loc),
            cx.header_span(loc),
            format!(
                "{} sets the WebSocket headers but has no `proxy_pass`: nginx answers the \
                 handshake itself from the file system (a 404, a 403 or a file's content), so \
                 no WebSocket server ever sees it",
                cx.describe(loc),
            ),
        )
        .label(
            cx.file(upgrade),
            cx.dir(upgrade).span(),
            "only used by `proxy_pass`, which this location does not have",
        )
        .help(
            "add `proxy_pass http://<the WebSocket server>;` to this location (a commented-out \
             or misplaced `proxy_pass` is the usual cause)",
        ),
    );
}
