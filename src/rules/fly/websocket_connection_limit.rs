//! FLY002 websocket-connection-limit: a WebSocket service caps open connections per Machine
//! at a number sockets fill.

use super::{with_reason, ws_because};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY002",
    name: "websocket-connection-limit",
    format: Some(Format::Fly),
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "a WebSocket service's concurrency hard_limit counts every open socket and fills up",
};

pub struct WebsocketConnectionLimit;

impl<'a> Rule<FlyContext<'a>> for WebsocketConnectionLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let ed = cx.editor();
        let low = i64::from(cx.settings.low_hard_limit);
        let target = cx.settings.target_hard_limit;
        let target_soft = cx.settings.target_soft_limit();
        for s in cx.websocket_services() {
            let Some(c) = &s.concurrency else { continue };
            if c.effective_type() != "connections" {
                continue;
            }
            let Some(hard) = &c.hard_limit else { continue };
            if hard.value > low {
                continue;
            }
            let mut edits = vec![ed.replace(hard.span(), target.to_string())];
            let mut what = format!("raise `hard_limit` to {target}");
            if let Some(soft) = c
                .soft_limit
                .as_ref()
                .filter(|s| s.value < i64::from(target_soft))
            {
                edits.push(ed.replace(soft.span(), target_soft.to_string()));
                what.push_str(&format!(" and `soft_limit` to {target_soft}"));
            }
            let typed = match &c.kind {
                Some(_) => "type = \"connections\"".to_owned(),
                None => "no `type` (so it counts connections, the default)".to_owned(),
            };
            let launch_default = hard.value == 25 && c.soft() == Some(20);
            let mut d = META
                .diag(
                    cx.file,
                    hard.span(),
                    format!(
                        "{}{} has hard_limit = {} with {typed}: each open WebSocket holds one connection for \
                         its whole life, so {} idle sockets fill a Machine and the proxy sends no new \
                         traffic to it{}",
                        s.describe(),
                        ws_because(s),
                        hard.value,
                        hard.value,
                        if launch_default {
                            " (25/20 is what `fly launch` long wrote into new files)"
                        } else {
                            ""
                        }
                    ),
                )
                .help(format!(
                    "size the limit for sockets, not requests: {what} (set [fly] target-hard-limit in wscfg.toml \
                     for another number), or remove `hard_limit`; with none set the proxy enforces no hard limit"
                ))
                .fix(Some(Fix::unsafe_(what, edits)));
            if let Some(k) = &c.kind {
                d = d.label(cx.file, k.span(), "counts connections");
            }
            out.push(with_reason(d, cx, s));
        }
    }
}
