//! FLY003 autostop-drops-sockets: the proxy may stop every Machine of a WebSocket service.

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
    fix: FixAvailability::Sometimes,
    summary: "auto_stop_machines with min_machines_running = 0 stops Machines under open WebSockets",
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
            if min.is_some_and(|m| m.value > 0) {
                continue;
            }
            let fix = match min {
                Some(m) => Some(ed.replace(m.span(), "1")),
                None => ed.insert_entry(s.table, Some(&stop.entry), "min_machines_running = 1"),
            }
            .map(|e| Fix::unsafe_("set `min_machines_running = 1`", vec![e]));
            let action = if stop.value == AutoStop::Suspend {
                "suspends"
            } else {
                "stops"
            };
            let mut d = META
                .diag(
                    cx.file,
                    stop.span(),
                    format!(
                        "{}{} has auto_stop_machines = {} and {}: whenever the proxy counts spare capacity \
                         it {action} a Machine, and every WebSocket open on it is closed; with one \
                         Machine in a region, the last one goes too",
                        s.describe(),
                        ws_because(s),
                        cx.src.slice(stop.span()),
                        match min {
                            Some(_) => "min_machines_running = 0".to_owned(),
                            None => "no min_machines_running (0)".to_owned(),
                        }
                    ),
                )
                .help(
                    "keep a Machine up for the sockets with `min_machines_running = 1` (primary region), \
                     or set `auto_stop_machines = \"off\"` if no socket may ever be dropped",
                )
                .fix(fix);
            if let Some(m) = min {
                d = d.label(cx.file, m.span(), "no Machine is kept running");
            }
            out.push(with_reason(d, cx, s));
        }
    }
}
