//! K8S002 nginx-inc-annotation-ignored: `nginx.org/websocket-services` (an annotation of F5
//! NGINX Inc's controller) on an Ingress that ingress-nginx serves, which ignores it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::k8s::{Controller, K8sContext, NGINX_INC_WEBSOCKET};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "K8S002",
    name: "nginx-inc-annotation-ignored",
    format: Some(Format::Kubernetes),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "`nginx.org/websocket-services` on an ingress-nginx Ingress, which ignores it",
};

pub struct NginxIncAnnotationIgnored;

impl<'a> Rule<K8sContext<'a>> for NginxIncAnnotationIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &K8sContext<'a>, out: &mut Vec<Diagnostic>) {
        for ing in cx.ingresses() {
            let Some(entry) = ing.annotation_entry(NGINX_INC_WEBSOCKET) else {
                continue;
            };
            let guess = cx.controller(&ing);
            // Only when the file says the Ingress is ingress-nginx's: the class name `nginx`
            // alone is the default of both controllers.
            if guess.controller != Controller::IngressNginx || !guess.certain {
                continue;
            }
            let mut d = META
                .diag(
                    cx.file,
                    entry.key_span,
                    format!(
                        "Ingress `{}` is served by ingress-nginx ({}), which ignores \
                         `{NGINX_INC_WEBSOCKET}`: that annotation belongs to F5 NGINX Inc's \
                         separate controller (nginx/kubernetes-ingress)",
                        ing.name, guess.why
                    ),
                )
                .help(
                    "remove the annotation: ingress-nginx proxies WebSockets without one. What \
                     it needs is a long enough `nginx.ingress.kubernetes.io/proxy-read-timeout` \
                     (and `proxy-send-timeout`), e.g. \"3600\"",
                );
            if let Some(span) = guess.span {
                d = d.label(cx.file, span, "ingress-nginx");
            }
            out.push(d);
        }
    }
}
