//! APA001 websocket-proxypass-broken: a WebSocket `ProxyPass` that cannot work — placed after
//! `ProxyPass /` in the same context (the first match wins), a `ws://` backend with
//! mod_proxy_wstunnel not loaded, or an `http://` backend for a WebSocket path that nothing
//! upgrades.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::apache::{ApacheContext, ProxyPass};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APA001",
    name: "websocket-proxypass-broken",
    format: Some(Format::Apache),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a WebSocket ProxyPass is shadowed by `ProxyPass /`, lacks mod_proxy_wstunnel, or is never upgraded",
};

pub struct WebsocketProxypassBroken;

fn same_context(a: &ProxyPass<'_>, b: &ProxyPass<'_>) -> bool {
    a.within.len() == b.within.len()
        && a.within
            .iter()
            .zip(&b.within)
            .all(|(x, y)| std::ptr::eq(*x, *y))
}

impl<'a> Rule<ApacheContext<'a>> for WebsocketProxypassBroken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &ApacheContext<'a>, out: &mut Vec<Diagnostic>) {
        let all = cx.proxy_passes();
        let wstunnel = cx.loads_module("proxy_wstunnel_module");
        let rewrite = cx.rewrites_upgrades();
        for (i, pp) in all.iter().enumerate() {
            let ws_path = pp.websocket_path();
            let carries_ws = pp.is_websocket_url() || pp.upgrades_websocket() || ws_path.is_some();
            if !carries_ws || pp.url.is_none_or(|u| u.text == "!") {
                continue;
            }
            // 1. Shadowed by an earlier catch-all in the same context.
            let in_location = pp
                .within
                .last()
                .is_some_and(|s| s.is("Location") || s.is("LocationMatch"));
            if let Some(catch_all) = all[..i]
                .iter()
                .find(|c| !in_location && c.is_catch_all() && same_context(c, pp))
                .filter(|_| pp.path != "/")
            {
                out.push(
                    META.diag(
                        cx.file,
                        pp.dir.span,
                        format!(
                            "`ProxyPass {}` comes after `ProxyPass /`, which already matches \
                             every request: Apache uses the first ProxyPass that matches, so \
                             WebSocket requests for `{}` go to {} instead",
                            pp.path,
                            pp.path,
                            catch_all.url.map_or("", |u| u.text.as_str())
                        ),
                    )
                    .label(cx.file, catch_all.dir.span, "matches first")
                    .help(format!(
                        "move `ProxyPass {}` (and its ProxyPassReverse) above `ProxyPass /`: \
                         list the longest paths first",
                        pp.path
                    )),
                );
                continue;
            }
            // 2. ws:// needs mod_proxy_wstunnel.
            let guarded = pp.within.iter().any(|s| {
                s.is("IfModule")
                    && s.arg(0)
                        .is_some_and(|m| m.contains("wstunnel") && !m.starts_with('!'))
            });
            if pp.is_websocket_url() && wstunnel == Some(false) && !guarded {
                let url = pp.url.expect("checked above");
                out.push(
                    META.diag(
                        cx.file,
                        url.span,
                        format!(
                            "`ProxyPass {} {}` uses a {}:// backend, but this configuration \
                             loads its modules and not mod_proxy_wstunnel: before httpd 2.4.47 \
                             no other module handles {}:// URLs, and the handshake fails with \
                             500 (AH01144 \"No protocol handler was valid for the URL\")",
                            pp.path,
                            url.text,
                            pp.scheme().unwrap_or_default(),
                            pp.scheme().unwrap_or_default()
                        ),
                    )
                    .help(
                        "add `LoadModule proxy_wstunnel_module modules/mod_proxy_wstunnel.so` (or \
                         `a2enmod proxy_wstunnel`), or on httpd 2.4.47+ use an http:// backend \
                         with `upgrade=websocket`",
                    ),
                );
                continue;
            }
            // 3. An http(s) backend for a WebSocket path that nothing upgrades.
            let http = matches!(pp.scheme().as_deref(), Some("http" | "https"));
            if let (true, Some(seg), false, None) =
                (http, &ws_path, pp.upgrades_websocket(), rewrite)
            {
                let url = pp.url.expect("checked above");
                out.push(
                    META.diag(
                        cx.file,
                        pp.dir.span,
                        format!(
                            "`ProxyPass {} {}` sends the WebSocket path `{}` (`{seg}`) to an \
                             {}:// backend without `upgrade=websocket`: mod_proxy_http forwards \
                             the handshake as a plain request and the upgrade fails",
                            pp.path,
                            url.text,
                            pp.path,
                            pp.scheme().unwrap_or_default()
                        ),
                    )
                    .label(cx.file, pp.path_span, "WebSocket path")
                    .help(format!(
                        "on httpd 2.4.47+ add `upgrade=websocket` to this ProxyPass; on older \
                         versions proxy it to ws://{} with mod_proxy_wstunnel, or route upgrades \
                         with `RewriteCond %{{HTTP:Upgrade}} websocket [NC]` and a `[P]` \
                         RewriteRule",
                        url.text.split_once("://").map_or("", |(_, r)| r)
                    )),
                );
            }
        }
    }
}
