//! HAP001 tunnel-timeout-missing: an HTTP-mode proxy carries WebSockets with no
//! `timeout tunnel`, so the client/server timeouts cut idle sockets after the upgrade.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::formats::haproxy::{HaproxyContext, format_ms};
use crate::project::servers::{self, IdleVerdict};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "HAP001",
    name: "tunnel-timeout-missing",
    format: Some(Format::Haproxy),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "an HTTP-mode proxy carries WebSockets without `timeout tunnel`",
};

/// What the fix sets.
const TARGET: &str = "1h";
/// Client/server timeouts at least this long do not need a tunnel timeout.
const LONG_MS: u64 = 3_600_000;

pub struct TunnelTimeoutMissing;

impl<'a> Rule<HaproxyContext<'a>> for TunnelTimeoutMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &HaproxyContext<'a>, out: &mut Vec<Diagnostic>) {
        let project = servers::around(cx.db, &cx.source().path);
        for (idx, why) in cx.websocket_proxies() {
            let section = &cx.cfg.sections[idx];
            if cx.mode(idx).0 != "http" || cx.timeout(idx, "tunnel").is_some() {
                continue;
            }
            // The idle timeouts that apply to the upgraded connection without a tunnel
            // timeout: the backend's `timeout server`, and `timeout client` of the proxy or of
            // the frontends routing to it.
            let mut cuts = Vec::new();
            cuts.extend(cx.timeout(idx, "server"));
            cuts.extend(cx.timeout(idx, "client"));
            for f in cx.frontends_of(idx) {
                cuts.extend(cx.timeout(f, "client"));
            }
            let Some(shortest) = cuts
                .iter()
                .filter(|t| t.ms.is_some_and(|ms| ms < LONG_MS))
                .min_by_key(|t| t.ms)
            else {
                continue; // no idle timeout shorter than an hour applies
            };
            let ms = shortest.ms.unwrap_or(0);
            let name = section.name_str();
            let behind = if why.socket_io {
                vec![servers::socket_io(&why.what)]
            } else {
                servers::behind(None, &[(section.kind(), name)], &project)
            };
            let IdleVerdict::Closes(backend) = servers::judge_idle(ms, &behind) else {
                continue; // the backend's pings keep the socket busy
            };
            let d = META
                .diag(
                    cx.file,
                    section.header.span,
                    format!(
                        "{} `{name}` carries WebSockets ({}) in `mode http` with no `timeout \
                         tunnel`: after the upgrade `{}` ({}) still applies, so a socket idle for \
                         that long is closed. {backend}",
                        section.kind(),
                        why.what,
                        shortest.line.words[..2]
                            .iter()
                            .map(|w| w.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        format_ms(ms)
                    ),
                )
                .label(cx.file, why.span, why.what.clone())
                .label(
                    cx.file,
                    shortest.line.span,
                    "this timeout cuts idle WebSockets",
                )
                .help(format!(
                    "add `timeout tunnel {TARGET}` to this {} (or to its defaults section): it \
                     replaces the client and server timeouts once the connection is a tunnel. \
                     `option http-server-close` does not need to change",
                    section.kind()
                ));
            out.push(d.fix(insert_tunnel(cx, idx)));
        }
    }
}

/// `timeout tunnel 1h` as a new line after the section's last line, indented like it.
fn insert_tunnel(cx: &HaproxyContext<'_>, idx: usize) -> Option<Fix> {
    let section = &cx.cfg.sections[idx];
    let src = cx.source();
    let last = section.lines.last()?;
    let indent = src.indentation_at(last.span.start);
    let at = src.line_end(last.span.end);
    Some(Fix::safe(
        format!("add `timeout tunnel {TARGET}`"),
        vec![Edit::insert(
            cx.file,
            at,
            format!("{}{indent}timeout tunnel {TARGET}", src.newline_at(at)),
        )],
    ))
}
