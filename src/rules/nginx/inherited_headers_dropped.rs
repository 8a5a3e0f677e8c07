//! NGX004 inherited-headers-dropped: a level's own `proxy_set_header` discards the outer
//! Upgrade/Connection headers.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::HeaderLevel;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX004",
    name: "inherited-headers-dropped",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "a proxy_set_header in the location discards the Upgrade/Connection headers set at an outer level",
};

pub struct InheritedHeadersDropped;

impl<'a> Rule<NginxContext<'a>> for InheritedHeadersDropped {
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
            let Some((effective, outer)) = levels.split_first() else {
                continue;
            };
            let lost: Vec<_> = ["Upgrade", "Connection"]
                .into_iter()
                .filter(|name| cx.header_in(effective, name).is_none())
                .filter_map(|name| outer.iter().find_map(|l| cx.header_in(l, name)))
                .collect();
            if lost.is_empty() {
                continue;
            }
            let names: Vec<&str> = lost.iter().filter_map(|&h| cx.dir(h).arg(0)).collect();
            let here = if effective.level == loc {
                "this location".to_owned()
            } else {
                cx.describe(effective.level)
            };
            let first_own = effective.headers[0];
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} loses the {} header{} set at {}: {here} has its own \
                         proxy_set_header, and nginx then inherits none from outer levels",
                        cx.describe(loc),
                        names.join(" and "),
                        if names.len() > 1 { "s" } else { "" },
                        cx.position(lost[0]),
                    ),
                )
                .label(
                    cx.file(first_own),
                    cx.dir(first_own).span(),
                    "this proxy_set_header stops inheritance",
                )
                .help(format!(
                    "repeat the lost header{} in {here}{}",
                    if names.len() > 1 { "s" } else { "" },
                    also_lost(cx, effective, outer)
                ));
            for &h in &lost {
                d = d.label(cx.file(h), cx.dir(h).span(), "not inherited");
            }
            let text: Vec<&str> = lost.iter().map(|&h| cx.text(h)).collect();
            out.push(d.fix(Some(Fix::safe(
                format!("copy {} into {here}", names.join(" and ")),
                vec![cx.insert_into(effective.level, &["proxy_set_header"], &text.join("\n"))],
            ))));
        }
    }
}

/// The other outer headers the level drops too: the fix does not restore them (it only adds
/// what the finding names), so the help says which they are.
fn also_lost(cx: &NginxContext<'_>, effective: &HeaderLevel, outer: &[HeaderLevel]) -> String {
    let Some(first_outer) = outer.first() else {
        return String::new();
    };
    let others: Vec<&str> = first_outer
        .headers
        .iter()
        .filter_map(|&h| cx.dir(h).arg(0))
        .filter(|n| {
            !n.eq_ignore_ascii_case("upgrade")
                && !n.eq_ignore_ascii_case("connection")
                && cx.header_in(effective, n).is_none()
        })
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(
            "; it also drops {} from that level — repeat them too if the backend needs them",
            others.join(", ")
        )
    }
}
