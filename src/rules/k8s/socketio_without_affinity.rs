//! K8S003 socketio-without-affinity: an ingress-nginx Ingress routes Socket.IO to more than
//! one pod without cookie affinity, so the polling requests of one session land on different
//! pods.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::k8s::{AFFINITY, Controller, K8sContext};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "K8S003",
    name: "socketio-without-affinity",
    format: Some(Format::Kubernetes),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
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
                // Adding the annotation only makes each client stick to one pod; replacing a
                // value someone chose (`none`, `balanced`) overrides a decision: unsafe.
                let fix = cx.set_annotations(&ing, &[(AFFINITY, "cookie")]).map(|e| {
                    let msg = format!("set `{AFFINITY}: \"cookie\"`");
                    if affinity.is_some() {
                        Fix::unsafe_(msg, e)
                    } else {
                        Fix::safe(msg, e)
                    }
                });
                out.push(d.fix(fix));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Applicability, apply_edits};
    use crate::source::SourceDb;

    const BASE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: chat\nspec:\n  replicas: 4\n  template:\n    metadata:\n      labels:\n        app: chat\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: chat\nspec:\n  selector:\n    app: chat\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: chat\nANNOTATIONS\nspec:\n  ingressClassName: nginx\n  rules:\n    - http:\n        paths:\n          - path: /socket.io\n            pathType: Prefix\n            backend:\n              service:\n                name: chat\n                port:\n                  number: 80\n";

    fn findings(annotations: &str) -> (String, Vec<Diagnostic>) {
        let text = BASE.replace("ANNOTATIONS\n", annotations);
        let out = findings_in(&text);
        (text, out)
    }

    #[test]
    fn adds_safely_replaces_unsafely_and_leaves_flow_maps_alone() {
        let (text, d) = findings("");
        assert_eq!(d.len(), 1);
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        let out = apply_edits(&text, &fix.edits);
        assert!(out.contains(
            "  name: chat\n  annotations:\n    nginx.ingress.kubernetes.io/affinity: \"cookie\"\nspec:"
        ));
        assert!(findings_in(&out).is_empty());

        let (text, d) =
            findings("  annotations:\n    nginx.ingress.kubernetes.io/affinity: balanced\n");
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert!(apply_edits(&text, &fix.edits).contains("affinity: \"cookie\"\nspec:"));

        let (_, d) = findings("  annotations: {kubernetes.io/description: chat}\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }

    fn findings_in(text: &str) -> Vec<Diagnostic> {
        let docs = crate::formats::k8s::parse(text).unwrap();
        let mut db = SourceDb::default();
        let file = db.add("chat.yaml".into(), text.into());
        let cx = K8sContext {
            db: &db,
            file,
            docs: &docs,
        };
        let mut out = Vec::new();
        SocketioWithoutAffinity.check(&cx, &mut out);
        out
    }
}
