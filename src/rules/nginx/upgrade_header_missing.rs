//! NGX002 upgrade-header-missing: the Upgrade header never reaches the upstream.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX002",
    name: "upgrade-header-missing",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "WebSocket location does not pass the Upgrade header to its upstream",
};

pub struct UpgradeHeaderMissing;

const LINE: &str = "proxy_set_header Upgrade $http_upgrade;";

impl<'a> Rule<NginxContext<'a>> for UpgradeHeaderMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            if cx.unread_include_may_set_headers(loc) {
                continue;
            }
            let levels = cx.header_levels(loc);
            let Some(missing_everywhere) = cx.header_missing_everywhere(&levels, "Upgrade") else {
                continue;
            };
            if !missing_everywhere {
                continue;
            }
            out.push(
                META.diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} does not pass the Upgrade header: it is hop-by-hop, so nginx drops \
                         it unless `proxy_set_header Upgrade` is set, and the upstream sees a \
                         plain request",
                        cx.describe(loc)
                    ),
                )
                .help(format!("add `{LINE}` to this location"))
                .fix(Some(Fix::safe(
                    format!("add `{LINE}`"),
                    vec![cx.add_headers(loc, &[LINE.to_owned()])],
                ))),
            );
        }
    }
}
