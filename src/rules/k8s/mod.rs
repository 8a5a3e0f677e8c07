//! ingress-nginx rules (Kubernetes Ingress manifests). Each file holds one rule; what they
//! share lives in the Kubernetes model (`formats::k8s`).

mod ingress_read_timeout_short;
mod lint;
mod nginx_inc_annotation_ignored;
mod socketio_without_affinity;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;
use crate::formats::k8s::K8sContext;

/// Reported by the loader when a manifest is not valid YAML.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "K8S000",
    name: "syntax-error",
    format: Some(Format::Kubernetes),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the Kubernetes manifest is not valid YAML (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<K8sContext<'a>>] = &[
    &ingress_read_timeout_short::IngressReadTimeoutShort,
    &nginx_inc_annotation_ignored::NginxIncAnnotationIgnored,
    &socketio_without_affinity::SocketioWithoutAffinity,
];
