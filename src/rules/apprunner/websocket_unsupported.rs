//! APR001 websocket-unsupported: the service serves WebSockets, which App Runner cannot carry.

use super::AppRunnerContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APR001",
    name: "websocket-unsupported",
    format: Some(Format::AppRunner),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the service serves WebSockets or Socket.IO, which App Runner does not support",
};

pub struct WebsocketUnsupported;

impl<'a> Rule<AppRunnerContext<'a>> for WebsocketUnsupported {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AppRunnerContext<'a>, out: &mut Vec<Diagnostic>) {
        let evidence = cx.websocket_evidence();
        let Some(first) = evidence.first() else {
            return;
        };
        // Point at the evidence in this file, or at the service's run command.
        let primary = evidence
            .iter()
            .find(|e| e.file == cx.file)
            .map(|e| e.span)
            .unwrap_or_else(|| cx.anchor());
        let mut d = META
            .diag(
                cx.file,
                primary,
                format!(
                    "{} serves WebSockets ({}), but App Runner has no WebSocket support: it \
                     passes only HTTP/1.0 and HTTP/1.1 requests to the container and ends every request \
                     after 120 seconds, so upgrades fail",
                    cx.declared.map_or("this service".to_owned(), |d| format!("`{}`", d.name)),
                    first.what
                ),
            )
            .help(
                "App Runner is closed to new customers since 30 April 2026 (AWS points to Amazon ECS \
                 Express Mode). For WebSockets run the container on ECS/Fargate behind an Application \
                 Load Balancer (raise its idle_timeout from the 60 s default), use API Gateway WebSocket \
                 APIs, or move the feature to server-sent events",
            );
        for e in &evidence {
            if e.file != cx.file || e.span != primary {
                d = d.label(e.file, e.span, e.what.clone());
            }
        }
        out.push(d);
    }
}
