//! AWS001 alb-idle-timeout-short: an Application Load Balancer (CloudFormation or Terraform)
//! or a Classic Load Balancer fronting a WebSocket service with its idle timeout unset (60 s)
//! or 60 s or less.

use super::AwsContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::aws::{DEFAULT_IDLE_TIMEOUT_S, FIXED_IDLE_TIMEOUT_S};
use crate::project::servers::{self, IdleVerdict};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "AWS001",
    name: "alb-idle-timeout-short",
    format: Some(Format::Aws),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "an ALB fronting WebSockets with idle_timeout at 60 s or less",
};

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
        // Socket.IO evidence everywhere names the server; otherwise the project's own
        // dependencies may.
        let behind = if evidence.iter().all(|e| e.socket_io) {
            vec![servers::socket_io(&first.what)]
        } else {
            servers::around(cx.db, &cx.db.get(cx.file).path)
        };
        for lb in cx.load_balancers() {
            if !lb.is_application() {
                continue;
            }
            let Some(seconds) = lb
                .idle_timeout_seconds()
                .filter(|s| *s <= DEFAULT_IDLE_TIMEOUT_S)
            else {
                continue;
            };
            let ms = u64::try_from(seconds).unwrap_or(0) * 1000;
            let IdleVerdict::Closes(backend) = servers::judge_idle(ms, &behind) else {
                continue; // the backend's pings keep the connection busy
            };
            let key = lb.key();
            let (primary, how) = match lb.idle_timeout {
                Some(v) => (v.span, format!("`{key}` is {seconds}")),
                None => (
                    lb.attributes.map_or(lb.id_span, |a| a.span),
                    format!("`{key}` is unset (default {seconds})"),
                ),
            };
            let text = &cx.db.get(cx.file).text;
            let fix = lb
                .raise_timeout(cx.file, text)
                .map(|e| Fix::safe(format!("set `{key}` to {FIXED_IDLE_TIMEOUT_S}"), e));
            let mut d = META
                .diag(
                    cx.file,
                    primary,
                    format!(
                        "load balancer `{}` fronts WebSockets ({}), but {how}: the load balancer \
                         closes a connection, WebSockets included, when no data crosses it for \
                         that many seconds. {backend}",
                        lb.name, first.what
                    ),
                )
                .help(format!(
                    "{}, or make the application send a ping more often than the timeout",
                    lb.how_to_fix()
                ))
                .fix(fix);
            for e in &evidence {
                if e.file != cx.file || e.span != primary {
                    d = d.label(e.file, e.span, e.what.clone());
                }
            }
            out.push(d);
        }
    }
}
