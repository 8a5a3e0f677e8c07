//! APP002: a `ws://` URL to a public host where the browser reads it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::project::kind::Kind;
use crate::project::url;
use crate::project::{ProjectView, scan::WsUrl};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "APP002",
    name: "insecure-ws-url",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "a non-local `ws://` URL in production client config: browsers block it from https pages",
};

pub struct InsecureWsUrl;

/// Whether this URL is one the browser build uses: in client code, a production `.env`
/// file's public variable (or one a client reads), or any variable of `.env.production`.
fn in_client_config(cx: &ProjectView, u: &WsUrl) -> bool {
    let kind = cx.files.iter().find(|(f, _)| *f == u.file).map(|(_, k)| *k);
    match (kind, &u.var) {
        (Some(Kind::Source(_)), _) => true,
        (Some(Kind::Env), Some(var)) => {
            let name = cx
                .path(u.file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            url::env_file_is_production(name)
                && (name != ".env" || url::is_public_var(var) || cx.client_vars().any(|v| v == var))
        }
        _ => false,
    }
}

impl Rule<ProjectView<'_>> for InsecureWsUrl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        for u in &cx.facts.ws_urls {
            let parts = url::split(&u.url);
            if url::is_local_host(parts.host) || !in_client_config(cx, u) {
                continue;
            }
            let start = u.span.start;
            let auth = Span::new(start + parts.authority.start, start + parts.authority.end);
            let fix = match parts.port {
                None => Fix::safe(
                    "use `wss://`",
                    vec![Edit::replace(u.file, Span::new(start, start + 5), "wss://")],
                ),
                Some("80") => Fix::safe(
                    "use `wss://` on the default port",
                    vec![
                        Edit::replace(u.file, Span::new(start, start + 5), "wss://"),
                        Edit::replace(u.file, auth, parts.host),
                    ],
                ),
                Some(p) => Fix::unsafe_(
                    format!("use `wss://` (port {p} must then serve TLS)"),
                    vec![Edit::replace(u.file, Span::new(start, start + 5), "wss://")],
                ),
            };
            let whose = match &u.var {
                Some(v) => format!("`{v}`"),
                None => "client code".to_owned(),
            };
            let mut d = META
                .diag(
                    u.file,
                    u.span,
                    format!(
                        "{whose} connects to `{}` over unencrypted `ws://`; a page served over https may not open it (mixed content)",
                        u.url
                    ),
                )
                .help("use `wss://` (TLS) for every public WebSocket URL; the platform's proxy terminates TLS for it")
                .fix(Some(fix));
            // Name the other end: the client code that reads this variable.
            if let Some(var) = &u.var {
                for c in cx.facts.clients.iter().filter(
                    |c| matches!(&c.target, crate::project::scan::Target::Env(n) if n == var),
                ) {
                    d = d.label(
                        c.file,
                        c.span,
                        format!("{} opens the URL in `{var}` here", c.call),
                    );
                }
            }
            out.push(d);
        }
    }
}
