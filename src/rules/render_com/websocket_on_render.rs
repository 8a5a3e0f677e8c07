//! RND001 websocket-on-render: a `ws://` URL for a Render host (Render answers the handshake
//! with a 301 to HTTPS, which WebSocket clients do not follow), or a free-plan web service
//! that serves WebSockets (it spins down after 15 minutes without inbound traffic).

use super::RenderContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::spanned::Node;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RND001",
    name: "websocket-on-render",
    format: Some(Format::RenderCom),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "a ws:// URL for a Render host, or a free-plan service serving WebSockets",
};

pub struct WebsocketOnRender;

impl<'a> Rule<RenderContext<'a>> for WebsocketOnRender {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RenderContext<'a>, out: &mut Vec<Diagnostic>) {
        for url in cx.insecure_urls() {
            let fix = cx
                .secure_edit(&url)
                .map(|e| Fix::safe("use `wss://`", vec![e]));
            out.push(
                META.diag(
                    cx.file,
                    url.scheme.unwrap_or(url.node.span),
                    format!(
                        "`{}` is `{}`: Render serves its hosts over HTTPS only and answers a \
                         ws:// handshake with a 301 redirect, which WebSocket clients do not \
                         follow, so the connection fails",
                        url.key, url.url
                    ),
                )
                .help("use `wss://` for Render hosts (ws:// only on the private network)")
                .fix(fix),
            );
        }
        for service in cx.services() {
            let plan = service.get("plan");
            if plan.and_then(Node::as_str) != Some("free")
                || service.get("type").and_then(Node::as_str) != Some("web")
            {
                continue;
            }
            let evidence = cx.websocket_evidence(service);
            let Some(first) = evidence.first() else {
                continue;
            };
            let plan = plan.expect("checked above");
            let mut d = META
                .diag(
                    cx.file,
                    plan.span,
                    format!(
                        "web service `{}` serves WebSockets ({}) on the free plan: free web \
                         services can be restarted at any time, which drops every open socket, \
                         and spin down after 15 minutes of inactivity, so the next client waits \
                         for a cold start before its handshake is answered",
                        RenderContext::name(service),
                        first.what
                    ),
                )
                .help(
                    "use a paid instance type (`plan: starter` or larger) for a service whose \
                     clients hold WebSockets open",
                );
            for e in &evidence {
                d = d.label(e.file, e.span, e.what.clone());
            }
            out.push(d);
        }
    }
}
