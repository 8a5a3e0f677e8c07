//! AWS001 alb-idle-timeout-short: an Application Load Balancer fronting a WebSocket service
//! with `idle_timeout.timeout_seconds` unset (60 s) or 60 s or less.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::aws::{AwsContext, DEFAULT_IDLE_TIMEOUT_S, IDLE_TIMEOUT_KEY};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "AWS001",
    name: "alb-idle-timeout-short",
    format: Some(Format::Aws),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "an ALB fronting WebSockets with idle_timeout at 60 s or less",
};

/// Socket.IO clients ping every 25 s: only a timeout below this cuts them.
const SOCKET_IO_MIN_S: i64 = 30;

pub struct AlbIdleTimeoutShort;

impl<'a> Rule<AwsContext<'a>> for AlbIdleTimeoutShort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AwsContext<'a>, out: &mut Vec<Diagnostic>) {
        let evidence = cx.websocket_evidence();
        let Some(first) = evidence.first() else {
            return;
        };
        let limit = if evidence.iter().all(|e| e.socket_io) {
            SOCKET_IO_MIN_S - 1
        } else {
            DEFAULT_IDLE_TIMEOUT_S
        };
        for lb in cx.load_balancers() {
            if !lb.is_application() {
                continue;
            }
            let Some(seconds) = lb.idle_timeout_seconds().filter(|s| *s <= limit) else {
                continue;
            };
            let (primary, how) = match lb.idle_timeout {
                Some(v) => (v.span, format!("`{IDLE_TIMEOUT_KEY}` is {seconds}")),
                None => (
                    lb.attributes.map_or(lb.id_span, |a| a.span),
                    format!("`{IDLE_TIMEOUT_KEY}` is unset (default {seconds})"),
                ),
            };
            let mut d = META
                .diag(
                    cx.file,
                    primary,
                    format!(
                        "load balancer `{}` fronts WebSockets ({}), but {how}: the ALB closes a \
                         connection, WebSockets included, when no data crosses it for that many \
                         seconds",
                        lb.logical_id, first.what
                    ),
                )
                .help(format!(
                    "add `{{Key: {IDLE_TIMEOUT_KEY}, Value: \"3600\"}}` to the load balancer's \
                     LoadBalancerAttributes, or make the application send a ping \
                     more often than the timeout"
                ));
            for e in &evidence {
                if e.file != cx.file || e.span != primary {
                    d = d.label(e.file, e.span, e.what.clone());
                }
            }
            out.push(d);
        }
    }
}
