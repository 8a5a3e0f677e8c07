//! GCR001 websocket-request-timeout: a Cloud Run service serving WebSockets with the request
//! timeout at its 300 s default or lower (every socket is cut when it expires), or with HTTP/2
//! end-to-end (`h2c` port), which Cloud Run's WebSocket guide says not to enable.

use super::CloudRunContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::cloudrun::{DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S, ServiceSyntax};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "GCR001",
    name: "websocket-request-timeout",
    format: Some(Format::CloudRun),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "a Cloud Run WebSocket service with the 300 s request timeout (or less), or an h2c port",
};

pub struct WebsocketRequestTimeout;

impl<'a> Rule<CloudRunContext<'a>> for WebsocketRequestTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &CloudRunContext<'a>, out: &mut Vec<Diagnostic>) {
        let evidence = cx.websocket_evidence();
        let Some(first) = evidence.first() else {
            return;
        };
        let labelled = |mut d: Diagnostic, primary: Span| {
            for e in &evidence {
                if e.file != cx.file || e.span != primary {
                    d = d.label(e.file, e.span, e.what.clone());
                }
            }
            d
        };
        let (node, seconds) = cx.timeout();
        if let Some(s) = seconds.filter(|s| *s <= DEFAULT_TIMEOUT_S) {
            let primary = node
                .map(|n| n.span)
                .or_else(|| cx.revision_spec().map(|s| s.span))
                .unwrap_or(first.span);
            let key = cx.timeout_key();
            let how = if node.is_some() {
                format!("`{key}` is {s} s")
            } else {
                format!("`{key}` is unset (default {s} s)")
            };
            let fix = cx.raise_timeout().map(|e| {
                // Unsafe: a longer timeout keeps instances active (and billed) longer.
                Fix::unsafe_(
                    format!("set the request timeout to {MAX_TIMEOUT_S} s, the maximum"),
                    vec![e],
                )
            });
            let d = META
                .diag(
                    cx.file,
                    primary,
                    format!(
                        "service `{}` serves WebSockets ({}), but {how}: Cloud Run treats a \
                         WebSocket as one HTTP request and closes it when the request timeout \
                         expires, however busy it is",
                        cx.name(),
                        first.what
                    ),
                )
                .help(format!(
                    "set {} up to {MAX_TIMEOUT_S} s (the maximum) and make clients reconnect \
                     when the socket closes",
                    match cx.flavor {
                        ServiceSyntax::Knative => "`spec.template.spec.timeoutSeconds`",
                        ServiceSyntax::TerraformV2 => "`template.timeout` (e.g. `\"3600s\"`)",
                        ServiceSyntax::TerraformV1 => "`template.spec.timeout_seconds`",
                    }
                ))
                .fix(fix);
            out.push(labelled(d, primary));
        }
        for port in cx.h2c_ports() {
            let d = META
                .diag(
                    cx.file,
                    port.span,
                    format!(
                        "service `{}` serves WebSockets ({}) on a port named `h2c` (HTTP/2 \
                         end-to-end): a WebSocket handshake is an HTTP/1.1 Upgrade, and Cloud \
                         Run's WebSocket guide says not to enable HTTP/2 end-to-end",
                        cx.name(),
                        first.what
                    ),
                )
                .help("name the port `http1` (or remove the name) for a WebSocket service");
            out.push(labelled(d, port.span));
        }
    }
}
