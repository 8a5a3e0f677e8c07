//! NGX014 websocket-bypassed-by-redirect: a `return` or `rewrite` answers the WebSocket
//! handshake (or sends it elsewhere) before the WebSocket location's `proxy_pass` runs.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::rewrite::{Catch, Route, WsRequest};
use crate::formats::nginx::tree::{Context, NodeId};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX014",
    name: "websocket-bypassed-by-redirect",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a server-level return/rewrite (or an if with return) answers WebSocket handshakes before their location",
};

pub struct WebsocketBypassedByRedirect;

struct Bypass {
    catcher: NodeId,
    catch: Catch,
    ws: NodeId,
    uri: String,
    /// Where the request ended up, for a rewrite that sent it to another location.
    landed: Option<NodeId>,
}

impl<'a> Rule<NginxContext<'a>> for WebsocketBypassedByRedirect {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        let mut found: Vec<Bypass> = Vec::new();
        for ws in cx.websocket_locations() {
            let (Some(uri), Some(server)) = (ws.uri.as_deref(), ws.server) else {
                continue;
            };
            // Nothing to run before `proxy_pass`: the handshake is caught by no rewrite (if
            // another location takes it, that is NGX007's finding).
            if !cx.has_rewrite_directives(server) && !cx.has_rewrite_directives(ws.node) {
                continue;
            }
            // The schemes the server is reached with: a WebSocket location is bypassed only
            // if it is bypassed for every one of them.
            let mut schemes: Vec<bool> = cx
                .listens(server)
                .iter()
                .map(|l| cx.merged_listen(l).ssl)
                .collect();
            schemes.sort();
            schemes.dedup();
            if schemes.is_empty() {
                schemes.push(false);
            }
            let mut caught = None;
            for https in schemes {
                let req = WsRequest {
                    uri: uri.to_owned(),
                    https,
                };
                let this = match cx.route(server, &req) {
                    Route::Caught { by, catch } => Some((by, catch, None)),
                    Route::Reaches {
                        location,
                        rewritten_by: Some(r),
                    } if !cx.tree.is_descendant(location, ws.node) => {
                        Some((r, Catch::Rewrite, Some(location)))
                    }
                    _ => None,
                };
                match this {
                    Some(c) => caught = caught.or(Some(c)),
                    None => {
                        caught = None;
                        break;
                    }
                }
            }
            if let Some((catcher, catch, landed)) = caught {
                found.push(Bypass {
                    catcher,
                    catch,
                    ws: ws.node,
                    uri: uri.to_owned(),
                    landed,
                });
            }
        }
        // One finding per catching directive, naming every WebSocket location it bypasses.
        let mut catchers: Vec<NodeId> = found.iter().map(|b| b.catcher).collect();
        catchers.sort();
        catchers.dedup();
        for catcher in catchers {
            let mine: Vec<&Bypass> = found.iter().filter(|b| b.catcher == catcher).collect();
            let first = mine[0];
            let locations: Vec<String> = mine.iter().map(|b| cx.describe(b.ws)).collect();
            let uris: Vec<String> = mine.iter().map(|b| format!("`{}`", b.uri)).collect();
            let when = match enclosing_if(cx, catcher) {
                Some(i) => format!(
                    "`{}` holds for them, so ",
                    cx.source(i).slice(cx.header_span(i))
                ),
                None => String::new(),
            };
            let level = match level_of(cx, catcher) {
                Some(l) if cx.tree.node(l).context() == Context::Location => {
                    format!("in {}, before its `proxy_pass` runs", cx.describe(l))
                }
                _ => "at the server level, before any location is chosen".to_owned(),
            };
            let outcome = match (first.catch, first.landed) {
                (Catch::Rewrite, Some(l)) => {
                    format!("they are served by {} instead", cx.describe(l))
                }
                (Catch::Rewrite, None) => "they are sent to another location".to_owned(),
                (Catch::Redirect, _) => {
                    "the client gets a redirect, which WebSocket clients do not follow".to_owned()
                }
                (Catch::Return, _) => describe_return(cx, catcher),
            };
            let mut d = META
                .diag(
                    cx.file(catcher),
                    cx.dir(catcher).span(),
                    format!(
                        "`{}` runs {level}: {when}WebSocket handshakes for {} never reach {}; {outcome}",
                        cx.text(catcher),
                        uris.join(", "),
                        locations.join(", "),
                    ),
                )
                .help(
                    "keep redirects out of the server that carries the WebSocket locations (a \
                     separate `server` for the old scheme or host), or exempt the WebSocket paths \
                     from them; browsers on an https page connect with wss:// to the TLS server",
                );
            for b in &mine {
                d = d.label(
                    cx.file(b.ws),
                    cx.header_span(b.ws),
                    "never reached by WebSocket handshakes",
                );
            }
            out.push(d);
        }
    }
}

/// The `if` block a directive sits in, if any.
fn enclosing_if(cx: &NginxContext<'_>, node: NodeId) -> Option<NodeId> {
    cx.tree
        .ancestors(node)
        .skip(1)
        .take_while(|&a| cx.tree.node(a).context() == Context::If)
        .last()
}

/// The server or location whose rewrite phase runs a directive.
fn level_of(cx: &NginxContext<'_>, node: NodeId) -> Option<NodeId> {
    cx.tree.ancestors(node).skip(1).find(|&a| {
        matches!(
            cx.tree.node(a).context(),
            Context::Server | Context::Location
        )
    })
}

fn describe_return(cx: &NginxContext<'_>, ret: NodeId) -> String {
    let d = cx.dir(ret);
    match d.arg(0) {
        Some(code @ ("301" | "302" | "303" | "307" | "308")) => {
            format!("the client gets a {code} redirect, which WebSocket clients do not follow")
        }
        Some(url) if url.contains("://") || url.starts_with("$scheme") => {
            "the client gets a 302 redirect, which WebSocket clients do not follow".to_owned()
        }
        Some("444") => "nginx closes the connection without a response".to_owned(),
        Some(code) => format!("the client gets {code} instead of 101"),
        None => "the request ends there".to_owned(),
    }
}
