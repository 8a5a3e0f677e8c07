//! NGX001 proxy-http-version: a WebSocket location is proxied with HTTP/1.0.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::ast::Word;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX001",
    name: "proxy-http-version",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "WebSocket location proxied with HTTP/1.0, which cannot carry the upgrade",
};

pub struct ProxyHttpVersion;

impl<'a> Rule<NginxContext<'a>> for ProxyHttpVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            let unread = cx.unread_include_setting(loc, "proxy_http_version");
            if unread.as_ref().is_some_and(|u| u.in_location) {
                continue;
            }
            let set = cx.effective(loc, "proxy_http_version");
            if set.is_some_and(|d| cx.dir(d).args.first().is_some_and(Word::is_templated)) {
                continue; // the version is only known once the template is rendered
            }
            let version = set.and_then(|d| cx.dir(d).arg(0));
            let fix = match set {
                Some(d) if version != Some("1.1") && cx.tree.parent(d) == Some(loc) => cx
                    .replace_arg(d, 0, "1.1")
                    .map(|e| Fix::safe("set `proxy_http_version 1.1;`", vec![e])),
                _ => Some(Fix::safe(
                    "add `proxy_http_version 1.1;`",
                    vec![cx.insert_into(loc, &["proxy_pass"], "proxy_http_version 1.1;")],
                )),
            };
            let message = match (set, version) {
                (Some(_), Some("1.1")) => continue,
                (Some(_), v) => format!(
                    "{} is proxied with HTTP/{}; the WebSocket handshake requires HTTP/1.1 \
                     (RFC 6455) and conforming servers refuse it",
                    cx.describe(loc),
                    v.unwrap_or("?")
                ),
                (None, _) if cx.settings.proxies_http11_by_default() => continue,
                (None, _) if !cx.outer_levels_are_defaults() => continue,
                (None, _) => format!(
                    "{} is proxied with HTTP/1.0 (nginx's default before 1.29.7); the WebSocket \
                     handshake requires HTTP/1.1 (RFC 6455) and conforming servers refuse it",
                    cx.describe(loc)
                ),
            };
            let mut d = META
                .diag(cx.file(loc), cx.header_span(loc), message)
                .help(format!(
                    "add `proxy_http_version 1.1;` to this location; wscfg treats it as a WebSocket \
                     location because {}",
                    ws.reason.describe()
                ))
                .fix(fix);
            if let Some(s) = set {
                d = d.label(cx.file(s), cx.dir(s).span(), "HTTP version set here");
            }
            if let Some(u) = unread {
                d = cx.unless_unread_sets(d, u.include, "proxy_http_version");
            }
            out.push(d);
        }
    }
}
