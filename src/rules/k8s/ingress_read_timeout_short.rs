//! K8S001 ingress-read-timeout-short: an ingress-nginx Ingress routes WebSockets with the
//! proxy read timeout at its 60 s default (or shorter).

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::k8s::{
    Controller, DEFAULT_TIMEOUT_S, K8sContext, READ_TIMEOUT, SEND_TIMEOUT, timeout_seconds,
};
use crate::project::servers::{self, IdleVerdict};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "K8S001",
    name: "ingress-read-timeout-short",
    format: Some(Format::Kubernetes),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "an ingress-nginx Ingress routes WebSockets with proxy-read-timeout at 60 s or less",
};

/// What the fix sets both timeouts to, in seconds.
const TARGET: &str = "3600";
pub struct IngressReadTimeoutShort;

impl<'a> Rule<K8sContext<'a>> for IngressReadTimeoutShort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &K8sContext<'a>, out: &mut Vec<Diagnostic>) {
        let global = cx.controller_config("proxy-read-timeout");
        let project = servers::around(cx.db, &cx.db.get(cx.file).path);
        for ing in cx.ingresses() {
            let guess = cx.controller(&ing);
            if guess.controller != Controller::IngressNginx {
                continue;
            }
            let ws = cx.websocket_paths(&ing);
            let Some(first) = ws.first() else { continue };
            let set = ing.annotation(READ_TIMEOUT);
            let from = set.or(global);
            let seconds = match from {
                Some(n) => match timeout_seconds(n) {
                    Some(s) => s,
                    None => continue, // not a number wscfg can judge
                },
                None => DEFAULT_TIMEOUT_S,
            };
            if seconds > DEFAULT_TIMEOUT_S {
                continue;
            }
            // The first WebSocket path whose backend leaves the socket idle that long.
            let Some(backend) = ws.iter().find_map(|w| {
                let names = w.path.service_name().map(|n| ("backend service", n));
                let behind = servers::behind(Some(&w.path.path), names.as_slice(), &project);
                match servers::judge_idle(seconds * 1000, &behind) {
                    IdleVerdict::Closes(why) => Some(why),
                    IdleVerdict::KeptAlive => None,
                }
            }) else {
                continue;
            };
            let how = match (set, global) {
                (Some(_), _) => format!("`{READ_TIMEOUT}` is {seconds} s"),
                (None, Some(_)) => format!(
                    "`{READ_TIMEOUT}` is unset, so the controller ConfigMap's \
                     `proxy-read-timeout` ({seconds} s) applies"
                ),
                (None, None) => format!("`{READ_TIMEOUT}` is unset (default {seconds} s)"),
            };
            let primary = set.map_or(first.span, |n| n.span);
            let mut d = META
                .diag(
                    cx.file,
                    primary,
                    format!(
                        "Ingress `{}` routes WebSockets ({}), but {how}: ingress-nginx closes a \
                         proxied WebSocket that receives nothing from the backend for that long. \
                         {backend}",
                        ing.name, first.what
                    ),
                )
                .help(format!(
                    "set `{READ_TIMEOUT}: \"{TARGET}\"` and `{SEND_TIMEOUT}: \"{TARGET}\"` on \
                     this Ingress (values are seconds), or make the backend send a ping more \
                     often than the timeout"
                ));
            if set.is_some() || from.is_none() {
                d = d.label(cx.file, first.span, first.what.clone());
            } else if let Some(g) = global {
                d = d.label(cx.file, g.span, "controller-wide proxy-read-timeout");
            }
            if let Some(span) = guess.span.filter(|s| *s != primary) {
                d = d.label(cx.file, span, format!("ingress-nginx: {}", guess.why));
            }
            let mut pairs = Vec::new();
            for key in [READ_TIMEOUT, SEND_TIMEOUT] {
                let low = ing
                    .annotation(key)
                    .is_none_or(|n| timeout_seconds(n).is_some_and(|s| s <= DEFAULT_TIMEOUT_S));
                if low {
                    pairs.push((key, TARGET));
                }
            }
            let fix = cx.set_annotations(&ing, &pairs).map(|e| {
                Fix::safe(
                    format!("set `{READ_TIMEOUT}` and `{SEND_TIMEOUT}` to \"{TARGET}\""),
                    e,
                )
            });
            out.push(d.fix(fix));
        }
    }
}
