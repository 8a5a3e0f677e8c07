//! K8S003 socketio-without-affinity: an ingress-nginx Ingress routes Socket.IO to more than
//! one pod without cookie affinity, so the polling requests of one session land on different
//! pods.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::k8s::{AFFINITY, Controller, K8sContext};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "K8S003",
    name: "socketio-without-affinity",
    format: Some(Format::Kubernetes),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "Socket.IO behind ingress-nginx with several replicas and no cookie affinity",
};

pub struct SocketioWithoutAffinity;

impl<'a> Rule<K8sContext<'a>> for SocketioWithoutAffinity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &K8sContext<'a>, out: &mut Vec<Diagnostic>) {
        for ing in cx.ingresses() {
            if cx.controller(&ing).controller != Controller::IngressNginx {
                continue;
            }
            let affinity = ing.annotation(AFFINITY);
            if affinity.and_then(|a| a.as_str()) == Some("cookie") {
                continue;
            }
            for ws in cx.websocket_paths(&ing).into_iter().filter(|w| w.socket_io) {
                let Some(service) = ws.path.service_name() else {
                    continue;
                };
                let Some((workload, replicas, span)) = cx.replicas_behind(service) else {
                    continue;
                };
                if replicas <= 1 {
                    continue;
                }
                let wname = workload
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(|n| n.as_str())
                    .unwrap_or("(unnamed)");
                let mut d = META
                    .diag(
                        cx.file,
                        ws.span,
                        format!(
                            "Ingress `{}` routes Socket.IO (`{}`) to service `{service}`, whose \
                             workload `{wname}` runs up to {replicas} pods, without \
                             `{AFFINITY}: cookie`: the HTTP long-polling requests of one session \
                             reach different pods, which answer 400 \"Session ID unknown\"",
                            ing.name, ws.path.path
                        ),
                    )
                    .help(format!(
                        "add `{AFFINITY}: \"cookie\"` to the Ingress's annotations (sticky \
                         sessions), or configure the Socket.IO clients with \
                         `transports: [\"websocket\"]` so no polling request is made"
                    ));
                if let Some(s) = span {
                    d = d.label(cx.file, s, format!("{replicas} replicas"));
                }
                if let Some(a) = affinity {
                    d = d.label(cx.file, a.span, "affinity set to something else");
                }
                out.push(d);
            }
        }
    }
}
