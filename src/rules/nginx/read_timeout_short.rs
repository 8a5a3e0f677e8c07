//! NGX006 read-timeout-short: idle WebSocket connections are cut by proxy_read_timeout.
//!
//! Only the read timeout matters for an idle socket: in the upgraded tunnel nginx arms
//! `proxy_send_timeout` only while a write to the upstream is blocked, never while both sides
//! are quiet (checked on nginx 1.22.1: `proxy_send_timeout 2s` with 5 s of silence keeps the
//! socket; `proxy_read_timeout 2s` closes it at 2 s).

use super::backend::Backends;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::values::{format_ms, parse_time_ms};
use crate::project::servers::{IdleVerdict, judge_idle};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX006",
    name: "read-timeout-short",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "proxy_read_timeout closes idle WebSocket connections",
};

pub struct ReadTimeoutShort;

const DIRECTIVE: &str = "proxy_read_timeout";
const DEFAULT_MS: u64 = 60_000;
const TARGET: &str = "3600s";

impl<'a> Rule<NginxContext<'a>> for ReadTimeoutShort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        let backends = Backends::new(cx);
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            let unread = cx.unread_include_setting(loc, DIRECTIVE);
            if unread.as_ref().is_some_and(|u| u.in_location) {
                continue;
            }
            let threshold = cx.settings.min_read_timeout_ms;
            let set = cx.effective(loc, DIRECTIVE);
            let ms = match set {
                Some(d) => match cx.dir(d).arg(0).and_then(parse_time_ms) {
                    Some(ms) => ms,
                    None => continue,
                },
                None if cx.outer_levels_are_defaults() => DEFAULT_MS,
                None => continue,
            };
            if ms >= threshold {
                continue;
            }
            // A socket the backend keeps busy is never idle for that long.
            let IdleVerdict::Closes(backend) = judge_idle(ms, &backends.behind(ws)) else {
                continue;
            };
            let edit = match set {
                Some(d) if cx.tree.parent(d) == Some(loc) => cx.replace_arg(d, 0, TARGET),
                _ => Some(cx.insert_at_end(loc, &format!("{DIRECTIVE} {TARGET};"))),
            };
            let source = if set.is_some() {
                format!("{DIRECTIVE} {}", format_ms(ms))
            } else {
                format!("{DIRECTIVE} is unset: nginx's default is 60s")
            };
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} closes WebSocket connections when the backend sends nothing for {} \
                         ({source}); nginx drops the socket without a close frame and the \
                         browser sees code 1006. {}",
                        cx.describe(loc),
                        format_ms(ms),
                        backend,
                    ),
                )
                .help(format!(
                    "raise it to `{DIRECTIVE} {TARGET};` in this location, or have the backend \
                     send a ping more often than every {} (wscfg reports values below {}; set \
                     [nginx] min-read-timeout to change that)",
                    format_ms(ms),
                    format_ms(threshold)
                ))
                .fix(edit.map(|e| Fix::safe(format!("set `{DIRECTIVE} {TARGET};`"), vec![e])));
            if let Some(s) = set {
                d = d.label(cx.file(s), cx.dir(s).span(), "timeout set here");
            }
            if let Some(u) = unread {
                d = cx.unless_unread_sets(d, u.include, DIRECTIVE);
            }
            out.push(d);
        }
    }
}
