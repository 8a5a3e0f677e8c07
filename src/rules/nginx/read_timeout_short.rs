//! NGX006 read-timeout-short: idle WebSocket connections are cut by proxy timeouts.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::ws_segment;
use crate::formats::nginx::tree::NodeId;
use crate::formats::nginx::values::{format_ms, parse_time_ms};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX006",
    name: "read-timeout-short",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "proxy_read_timeout/proxy_send_timeout close idle WebSocket connections",
};

pub struct ReadTimeoutShort;

const DIRECTIVES: [&str; 2] = ["proxy_read_timeout", "proxy_send_timeout"];
const DEFAULT_MS: u64 = 60_000;
const TARGET: &str = "3600s";
/// Socket.IO servers ping every 25 s by default: traffic in both directions well within this.
const SOCKET_IO_HEARTBEAT_MS: u64 = 30_000;

impl<'a> Rule<NginxContext<'a>> for ReadTimeoutShort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            let socket_io = ws.uri.as_deref().and_then(ws_segment) == Some("socket.io");
            let threshold = if socket_io {
                SOCKET_IO_HEARTBEAT_MS.min(cx.settings.min_read_timeout_ms)
            } else {
                cx.settings.min_read_timeout_ms
            };
            let mut short = Vec::new();
            for name in DIRECTIVES {
                let set = cx.effective(loc, name);
                let ms = match set {
                    Some(d) => match cx.dir(d).arg(0).and_then(parse_time_ms) {
                        Some(ms) => ms,
                        None => continue,
                    },
                    None if cx.outer_levels_are_defaults() => DEFAULT_MS,
                    None => continue,
                };
                if ms < threshold {
                    short.push((name, set, ms));
                }
            }
            if short.is_empty() {
                continue;
            }
            let mut edits: Vec<Edit> = Vec::new();
            let mut inserted: Vec<String> = Vec::new();
            for &(name, set, _) in &short {
                match set {
                    Some(d) if cx.tree.parent(d) == Some(loc) => {
                        edits.extend(cx.replace_arg(d, 0, TARGET));
                    }
                    _ => inserted.push(format!("{name} {TARGET};")),
                }
            }
            if !inserted.is_empty() {
                edits.push(cx.insert_at_end(loc, &inserted.join("\n")));
            }
            let mut d = META
                .diag(
                    cx.file(loc),
                    cx.header_span(loc),
                    format!(
                        "{} closes WebSocket connections that stay idle for {} ({}); nginx then \
                         drops the socket without a close frame and the browser sees code 1006",
                        cx.describe(loc),
                        format_ms(short.iter().map(|s| s.2).min().unwrap_or(DEFAULT_MS)),
                        describe_values(&short),
                    ),
                )
                .help(format!(
                    "raise the timeout{} to {TARGET} in this location, or have the application \
                     send pings more often than that (below {} wscfg reports it; set \
                     [nginx] min-read-timeout to change)",
                    if short.len() > 1 { "s" } else { "" },
                    format_ms(threshold)
                ))
                .fix(Some(Fix::safe(
                    format!(
                        "set {} to {TARGET}",
                        short.iter().map(|s| s.0).collect::<Vec<_>>().join(" and ")
                    ),
                    edits,
                )));
            for (_, set, _) in &short {
                if let Some(s) = set {
                    d = d.label(cx.file(*s), cx.dir(*s).span, "timeout set here");
                }
            }
            out.push(d);
        }
    }
}

/// "proxy_read_timeout and proxy_send_timeout are 60s, nginx's default" and the like.
fn describe_values(short: &[(&str, Option<NodeId>, u64)]) -> String {
    let defaults: Vec<&str> = short
        .iter()
        .filter(|s| s.1.is_none())
        .map(|s| s.0)
        .collect();
    let mut parts: Vec<String> = short
        .iter()
        .filter(|s| s.1.is_some())
        .map(|(name, _, ms)| format!("{name} is {}", format_ms(*ms)))
        .collect();
    match defaults.as_slice() {
        [] => {}
        [one] => parts.push(format!("{one} is unset: nginx's default is 60s")),
        many => parts.push(format!(
            "{} are unset: nginx's default is 60s",
            many.join(" and ")
        )),
    }
    parts.join("; ")
}
