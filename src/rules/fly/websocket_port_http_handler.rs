//! FLY001 websocket-port-http-handler: a WebSocket service's own public port goes through
//! the proxy's `http` handler. A hint, not a fault: the handler carries WebSockets (Fly's own
//! guides run them over it); TLS alone passes the bytes through but drops what the handler
//! adds.

use super::{with_reason, ws_because};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::formats::fly::model::ServiceKind;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY001",
    name: "websocket-port-http-handler",
    format: Some(Format::Fly),
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    summary: "a WebSocket service's dedicated public port uses the `http` handler; TLS alone would pass the socket through without an HTTP hop",
};

pub struct WebsocketPortHttpHandler;

impl<'a> Rule<FlyContext<'a>> for WebsocketPortHttpHandler {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let ed = cx.editor();
        for s in cx.websocket_services() {
            if !matches!(s.kind, ServiceKind::Services(_)) || s.protocol() != "tcp" {
                continue;
            }
            for p in s.ports.iter().filter(|p| p.is_dedicated()) {
                let Some(h) = &p.handlers else { continue };
                let Some(http) = h.position("http") else {
                    continue;
                };
                let spans: Vec<_> = h.items.iter().map(|(_, s)| *s).collect();
                let mut edits = vec![ed.remove_array_item(h.entry.value, &spans, http)];
                let forced = p.force_https.as_ref().filter(|f| f.value);
                let drop_forced = forced.map(|f| ed.delete_entry(&f.entry));
                // `protocol = "tcp"` is only made explicit where the service has a header to
                // write it under; the proxy speaks TCP to it either way.
                let add_protocol = s
                    .protocol
                    .is_none()
                    .then(|| ed.insert_entry(s.table, None, "protocol = \"tcp\""))
                    .flatten();
                let complete = !matches!(drop_forced, Some(None));
                edits.extend(drop_forced.flatten());
                let adds_protocol = add_protocol.is_some();
                edits.extend(add_protocol);
                let kept: Vec<&str> = h
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != http)
                    .map(|(_, (n, _))| n.as_str())
                    .collect();
                let target = format!(
                    "[{}]",
                    kept.iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                // Unsafe: the app loses the proxy's headers (Fly-Client-IP, X-Forwarded-*) and
                // fly-replay on that port, which some apps read.
                let fix = complete.then(|| {
                    Fix::unsafe_(
                        format!(
                            "set `handlers = {target}`{}{}",
                            if forced.is_some() {
                                ", drop `force_https`"
                            } else {
                                ""
                            },
                            if adds_protocol {
                                ", add `protocol = \"tcp\"`"
                            } else {
                                ""
                            }
                        ),
                        edits,
                    )
                });
                let mut d = META
                    .diag(
                        cx.file,
                        h.entry.value,
                        format!(
                            "{} of {}{} uses handlers = {}: WebSockets work through the `http` \
                             handler, but a port of their own does not need it; `handlers = {target}` \
                             would pass the socket through without the proxy's HTTP hop, at the cost of \
                             what that hop adds",
                            p.describe(),
                            s.describe(),
                            ws_because(s),
                            h.describe()
                        ),
                    )
                    .help(format!(
                        "`handlers = {target}` {}; on this port the app then gets no `Fly-Client-IP` / `X-Forwarded-*` headers and \
                         cannot answer with `fly-replay`: keep `http` if it relies on them{}",
                        if kept.contains(&"tls") {
                            "terminates TLS and hands the raw bytes to the app"
                        } else {
                            "hands the raw TCP stream to the app"
                        },
                        if forced.is_some() {
                            " (`force_https` is only allowed with the `http` handler, so it goes too)"
                        } else {
                            ""
                        }
                    ))
                    .fix(fix);
                if let Some(f) = forced {
                    d = d.label(
                        cx.file,
                        f.entry.key.cover(f.entry.value),
                        "only valid with `http`",
                    );
                }
                out.push(with_reason(d, cx, s));
            }
        }
    }
}
