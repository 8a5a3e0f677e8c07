//! NGX011 http2-cleartext-listen: a server with WebSocket locations listens on a socket that
//! speaks HTTP/2 only (`http2` without `ssl`, nginx before 1.25.1).

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::tree::NodeId;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX011",
    name: "http2-cleartext-listen",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a WebSocket server listens with `http2` and no `ssl`: the port speaks HTTP/2 only (nginx before 1.25.1)",
};

pub struct Http2CleartextListen;

/// From 1.25.1 a plain-text HTTP/2 port sniffs the client preface and also serves HTTP/1.x.
const SNIFFS_PREFACE: (u32, u32, u32) = (1, 25, 1);

impl<'a> Rule<NginxContext<'a>> for Http2CleartextListen {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        if cx.settings.version.is_some_and(|v| v >= SNIFFS_PREFACE) || cx.uses_http2_directive() {
            return;
        }
        let mut servers: Vec<(NodeId, NodeId)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for ws in cx.websocket_locations() {
            if let Some(s) = ws.server
                && seen.insert(s)
            {
                servers.push((s, ws.node));
            }
        }
        for (server, ws_loc) in servers {
            for listen in cx.listens(server) {
                let merged = cx.merged_listen(&listen);
                if !merged.http2 || merged.ssl {
                    continue;
                }
                let socket = listen.display();
                // The `listen … http2` that made the socket HTTP/2: this server's own, or
                // another server's on the same address and port.
                let culprit = if listen.http2 {
                    listen.node
                } else {
                    cx.listens_on_socket(&listen)
                        .iter()
                        .find(|l| l.http2)
                        .and_then(|l| l.node)
                };
                let (file, span) = match listen.node {
                    Some(n) => (cx.file(n), cx.dir(n).span()),
                    None => (cx.file(server), cx.header_span(server)),
                };
                let how = match culprit {
                    Some(c) if Some(c) != listen.node => format!(
                        "`{}` at {} makes {socket} HTTP/2-only for every server on it",
                        cx.text(c),
                        cx.position(c)
                    ),
                    _ => format!("`http2` without `ssl` makes {socket} HTTP/2-only"),
                };
                let mut d = META
                    .diag(
                        file,
                        span,
                        format!(
                            "{how} (h2c with prior knowledge, nginx before 1.25.1): browsers and \
                             WebSocket clients speak HTTP/1.1 there and get no valid response, so \
                             {} cannot be reached on this port",
                            cx.describe(ws_loc)
                        ),
                    )
                    .label(
                        cx.file(ws_loc),
                        cx.header_span(ws_loc),
                        "WebSocket location served on this port",
                    )
                    .help(
                        "drop `http2` from plain-text listens (browsers use HTTP/2 only over TLS: \
                         `listen 443 ssl http2;`); nginx 1.25.1 and later also answer HTTP/1.1 on \
                         such a port — set `[nginx] version` if you run one",
                    );
                if let Some(c) = culprit
                    && Some(c) != listen.node
                {
                    d = d.label(
                        cx.file(c),
                        cx.dir(c).span(),
                        "`http2` set for the socket here",
                    );
                }
                out.push(d);
            }
        }
    }
}
