//! RWY004 sleep-drops-sockets: app sleeping (Serverless) on a service that serves WebSockets.

use super::RailwayContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::formats::railway::Section;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY004",
    name: "sleep-drops-sockets",
    format: Some(Format::Railway),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "sleepApplication = true on a service that serves WebSockets",
};

pub struct SleepDropsSockets;

impl<'a> Rule<RailwayContext<'a>> for SleepDropsSockets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        for env in cx.environments() {
            let keys = [
                (Section::Deploy, "sleepApplication"),
                (Section::Deploy, "startCommand"),
                (Section::Deploy, "healthcheckPath"),
            ];
            if !cx.overrides(&env, &keys) {
                continue;
            }
            let Some((true, f)) = cx.sleep_application(&env) else {
                continue;
            };
            let evidence = cx.websocket_evidence(&env);
            let Some(first) = evidence.first() else {
                continue;
            };
            let mut d = META
                .diag(
                    cx.file,
                    f.node.span,
                    format!(
                        "sleepApplication is on{} for a service that serves WebSockets ({}): Railway puts it \
                         to sleep after 10 minutes without outbound traffic, dropping sockets that stay \
                         quiet, and the first connection after that waits for a cold start and may fail",
                        env.suffix(),
                        first.what
                    ),
                )
                .help("set `sleepApplication = false` for a service that keeps WebSocket connections open")
                .fix(Some(Fix::unsafe_(
                    "set sleepApplication to false",
                    vec![Edit::replace(cx.file, f.node.span, "false")],
                )));
            for e in evidence.iter().take(3) {
                d = d.label(e.file, e.span, e.what.clone());
            }
            out.push(d);
        }
    }
}
