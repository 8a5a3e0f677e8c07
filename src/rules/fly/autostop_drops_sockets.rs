//! FLY003 autostop-drops-sockets: the proxy may stop a Machine that holds open WebSockets.
//!
//! Fly Proxy stops one Machine per region every few minutes while a region with more than one
//! Machine has excess capacity (`machines - (machines over soft_limit + 1) >= 1`); a lone
//! Machine is stopped only with no traffic, so open sockets keep it up.
//! `min_machines_running` only stops the count going below it (primary region), so it does
//! not keep the sockets of the Machines above it.

use super::{with_reason, ws_because};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::formats::fly::model::AutoStop;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY003",
    name: "autostop-drops-sockets",
    format: Some(Format::Fly),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "auto_stop_machines stops a Machine under open WebSockets whenever a region has more than one",
};

pub struct AutostopDropsSockets;

impl<'a> Rule<FlyContext<'a>> for AutostopDropsSockets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let ed = cx.editor();
        for s in cx.websocket_services() {
            let Some(stop) = s.auto_stop.as_ref().filter(|a| a.value.stops()) else {
                continue;
            };
            let min = s.min_machines_running.as_ref();
            let written = cx.src.slice(stop.span());
            let off = match written.chars().next() {
                Some(q @ ('"' | '\'')) => format!("{q}off{q}"),
                _ => "false".to_owned(),
            };
            let fix = Some(Fix::unsafe_(
                format!("set `auto_stop_machines = {off}`"),
                vec![ed.replace(stop.span(), &off)],
            ));
            let action = if stop.value == AutoStop::Suspend {
                "suspends"
            } else {
                "stops"
            };
            let kept = match min.map(|m| m.value) {
                Some(n) if n > 0 => format!(
                    "min_machines_running = {n} keeps {n} running in the primary region, not the \
                     sockets of the Machines above it"
                ),
                _ => "nothing keeps a Machine running (min_machines_running = 0)".to_owned(),
            };
            let mut d = META
                .diag(
                    cx.file,
                    stop.span(),
                    format!(
                        "{}{} has auto_stop_machines = {written}: in a region with more than one \
                         Machine (fly launch creates two), the proxy {action} one every few \
                         minutes while the others have spare capacity, and the WebSockets open on \
                         it are closed and must reconnect; {kept}. A lone Machine is not stopped \
                         while sockets are open on it (they count as load)",
                        s.describe(),
                        ws_because(s),
                    ),
                )
                .help(
                    "if no socket may be dropped by a scale-down, set `auto_stop_machines = \"off\"` \
                     (every Machine keeps running and is billed), or run a single Machine per region \
                     (`fly scale count 1`); otherwise make sure clients reconnect",
                )
                .fix(fix);
            if let Some(m) = min {
                d = d.label(
                    cx.file,
                    m.span(),
                    "a floor for the running count: Machines above it are still stopped",
                );
            }
            out.push(with_reason(d, cx, s));
        }
    }
}
