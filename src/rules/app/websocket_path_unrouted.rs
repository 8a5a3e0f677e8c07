//! APP006: the path a WebSocket client opens matches no route of the project's server.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::project::scan::Flavour;
use crate::project::{ProjectView, url};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APP006",
    name: "websocket-path-unrouted",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the path a WebSocket client opens matches no WebSocket route of the server",
};

pub struct WebsocketPathUnrouted;

impl Rule<ProjectView<'_>> for WebsocketPathUnrouted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        // Every plain server must declare its routes, or any path might be served.
        let servers: Vec<_> = cx.servers(Flavour::Plain).collect();
        if servers.is_empty() || servers.iter().any(|s| s.path.is_none()) {
            return;
        }
        for c in cx.clients(Flavour::Plain) {
            let Some(u) = cx.resolve(c) else { continue };
            let parts = url::split(&u.url);
            if parts.scheme.is_none() && !u.url.starts_with('/') {
                continue; // an expression, not a URL
            }
            if parts.path.contains("${") && parts.path.trim_start_matches('/').starts_with("${") {
                continue; // the whole path is computed
            }
            if u.var.is_none() && parts.scheme.is_some() && !url::is_local_host(parts.host) {
                continue; // a literal public host: maybe a third-party service
            }
            let path = if parts.path.is_empty() {
                "/"
            } else {
                parts.path
            };
            if servers
                .iter()
                .any(|s| url::path_matches(path, s.path.as_deref().unwrap_or("")))
            {
                continue;
            }
            let routes: Vec<String> = servers
                .iter()
                .filter_map(|s| s.path.as_ref().map(|p| format!("`{p}`")))
                .collect();
            let via = match &u.var {
                Some(v) => format!(" (`{v}` in {})", cx.show(u.file)),
                None => String::new(),
            };
            let mut d = META
                .diag(
                    c.file,
                    c.span,
                    format!(
                        "`{}` opens path `{path}`{via}, but the server routes WebSockets only at {}; the handshake gets 404/403",
                        c.call,
                        routes.join(", "),
                    ),
                )
                .help("make the client's path match a route the server declares (path parameters included)");
            if u.file != c.file || u.span != c.span {
                d = d.label(u.file, u.span, format!("the URL `{}` is set here", u.url));
            }
            for s in servers.iter().take(3) {
                d = d.label(s.file, s.span, format!("{} route", s.framework));
            }
            out.push(d);
        }
    }
}
