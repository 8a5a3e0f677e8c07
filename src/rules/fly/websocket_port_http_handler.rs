//! FLY001 websocket-port-http-handler: a WebSocket service's own public port goes through
//! the proxy's `http` handler.

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
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "a WebSocket service's dedicated public port uses the `http` handler; TLS-only passes the socket through",
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
                let fix = complete.then(|| {
                    Fix::safe(
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
                            "{} of {}{} uses handlers = {}: the proxy parses HTTP on it and re-sends each \
                             handshake to the app over its own pooled HTTP/1.1 connections; when that hop \
                             fails, clients see \"WebSocket handshake failed\" and the logs `[PU02] could \
                             not complete HTTP request to instance`",
                            p.describe(),
                            s.describe(),
                            ws_because(s),
                            h.describe()
                        ),
                    )
                    .help(format!(
                        "a port of its own needs no HTTP handling: `handlers = {target}` terminates TLS and passes \
                         the WebSocket bytes through to the app untouched{}",
                        if forced.is_some() {
                            "; `force_https` goes too, since it is only allowed with the `http` handler"
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
