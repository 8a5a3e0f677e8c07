//! NGX013 socketio-upstream-not-sticky: Socket.IO proxied to several servers without
//! session affinity.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::ws_segment;
use crate::formats::nginx::tree::NodeId;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX013",
    name: "socketio-upstream-not-sticky",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "Socket.IO proxied to several upstream servers without ip_hash, hash or sticky",
};

pub struct SocketioUpstreamNotSticky;

/// Balancing methods that spread one client's requests over the servers.
const NON_STICKY_METHODS: &[&str] = &["least_conn", "random", "least_time"];

impl<'a> Rule<NginxContext<'a>> for SocketioUpstreamNotSticky {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.websocket_locations() {
            let loc = ws.node;
            if ws.uri.as_deref().and_then(ws_segment) != Some("socket.io") {
                continue;
            }
            let Some(target) = cx.proxy_target(loc) else {
                continue;
            };
            let Some(up) = cx.proxied_upstream(loc) else {
                continue;
            };
            let servers = cx.primary_servers(up);
            if servers.len() < 2 || cx.sticky_balancing(up).is_some() {
                continue;
            }
            let method = cx
                .tree
                .children(up)
                .iter()
                .copied()
                .find(|&c| NON_STICKY_METHODS.contains(&cx.tree.name(c)));
            let upstream_name = cx.dir(up).arg(0).unwrap_or("");
            let help = if cx.has_backup_servers(up) {
                "pin each client to one server with `sticky` (NGINX Plus) or in the load \
                 balancer in front: `ip_hash` and `hash` refuse `backup` servers (nginx -t: \
                 \"balancing method does not support parameter backup\"). Or make the clients \
                 skip polling (`transports: [\"websocket\"]`)"
            } else {
                "pin each client to one server: `ip_hash;` (or `hash $remote_addr consistent;`) \
                 first in the upstream block; clients behind one NAT or proxy then share a \
                 server. Or make the clients skip polling (`transports: [\"websocket\"]`)"
            };
            let d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} proxies Socket.IO to `upstream {upstream_name}`, which spreads requests \
                         over {} servers ({}): the HTTP long-polling requests of one session land \
                         on servers that do not know it and answer 400 \"Session ID unknown\"",
                        cx.describe(loc),
                        servers.len(),
                        method.map_or("round robin", |m| cx.tree.name(m)),
                    ),
                )
                .label(
                    cx.file(up),
                    cx.header_span(up),
                    "no ip_hash, hash or sticky in this upstream",
                )
                .label(cx.file(target.node), cx.dir(target.node).span(), "proxied here")
                .help(help)
                .fix(add_ip_hash(cx, up, method));
            out.push(d);
        }
    }
}

/// `ip_hash;` first in the upstream (balancing methods must precede `keepalive`), or in
/// place of a non-sticky method that comes before any `keepalive`. None with `backup`
/// servers, which `ip_hash` refuses.
fn add_ip_hash(cx: &NginxContext<'_>, up: NodeId, method: Option<NodeId>) -> Option<Fix> {
    if cx.has_backup_servers(up) {
        return None;
    }
    let edit = match method {
        None => cx.insert_first(up, "ip_hash;"),
        Some(m) => {
            let after_keepalive = cx
                .upstream_keepalive(up)
                .is_some_and(|k| cx.dir(k).span().start < cx.dir(m).span().start);
            if after_keepalive {
                return None;
            }
            Edit::replace(cx.file(m), cx.dir(m).span(), "ip_hash;")
        }
    };
    Some(Fix::unsafe_(
        "balance the upstream with `ip_hash;` so each client stays on one server",
        vec![edit],
    ))
}
