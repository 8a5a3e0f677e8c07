//! NGX015 missing-host-header: a WebSocket location proxies to an upstream group and nginx
//! sends the group's name as Host.

use super::backend::Backends;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::upstream::TargetKind;
use crate::project::servers::{OriginVerdict, judge_origin};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX015",
    name: "missing-host-header",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "WebSocket location proxies to an upstream group without setting Host: nginx sends the group name, and servers that compare Origin with Host refuse the handshake",
};

pub struct MissingHostHeader;

impl<'a> Rule<NginxContext<'a>> for MissingHostHeader {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        let backends = Backends::new(cx);
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            let Some(target) = cx.proxy_target(loc) else {
                continue;
            };
            // An upstream group's name is never a host any backend answers to; a host name in
            // the URL (`http://app:8080`) is at least the backend's own name.
            if !matches!(target.kind, TargetKind::Upstream(_)) {
                continue;
            }
            let levels = cx.header_levels(loc);
            let missing = match levels.first() {
                Some(effective) => cx.header_in(effective, "Host").is_none(),
                None => cx.outer_levels_are_defaults(),
            };
            if !missing {
                continue;
            }
            let backend = match judge_origin(&backends.behind(ws)) {
                OriginVerdict::Accepted => continue, // the backend never compares the two
                OriginVerdict::Refused(why) | OriginVerdict::Depends(why) => why,
            };
            // A Host set at an outer level that this location's own headers drop.
            let dropped = levels.iter().skip(1).find_map(|l| cx.header_in(l, "Host"));
            let line = match dropped {
                Some(h) => cx.text(h).to_owned(),
                None => format!("proxy_set_header Host {};", host_variable(cx, ws.server)),
            };
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} sets no Host header, so nginx sends `Host: {}` (the upstream group's \
                         name) instead of the host the browser used. {backend}",
                        cx.describe(loc),
                        target.authority,
                    ),
                )
                .label(
                    cx.file(target.node),
                    cx.dir(target.node).span(),
                    format!("Host becomes `{}`", target.authority),
                )
                .help(format!(
                    "add `{line}` to this location so the backend sees the host the browser used"
                ))
                .fix(Some(Fix::safe(
                    format!("add `{line}`"),
                    vec![cx.add_headers(loc, std::slice::from_ref(&line))],
                )));
            if let Some(h) = dropped {
                d = d.label(
                    cx.file(h),
                    cx.dir(h).span(),
                    "not inherited: the location has proxy_set_header directives of its own",
                );
            }
            out.push(d);
        }
    }
}

/// `$host` drops the port; on a server reached on a port other than 80/443 the browser's
/// Origin carries the port, so only `$http_host` (the Host header as sent) matches it.
fn host_variable(
    cx: &NginxContext<'_>,
    server: Option<crate::formats::nginx::tree::NodeId>,
) -> &'static str {
    let default_ports = server.is_none_or(|s| {
        cx.listens(s)
            .iter()
            .all(|l| matches!(l.port, Some(80 | 443) | None))
    });
    if default_ports { "$host" } else { "$http_host" }
}
