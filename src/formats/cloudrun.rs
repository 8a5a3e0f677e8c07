//! Google Cloud Run service YAML (`gcloud run services describe --format export`, the file
//! `gcloud run services replace` reads): a Knative `serving.knative.dev/v1` `Service`, parsed
//! with the shared located YAML loader, and the questions Cloud Run rules ask of it: the
//! request timeout, the container ports and WebSocket evidence from the containers' commands
//! and the project's dependencies.
//!
//! The same questions are asked of Terraform's `google_cloud_run_v2_service` (`template.timeout`,
//! a duration such as `"300s"`) and `google_cloud_run_service` (the v1 resource mirrors the
//! Knative shape: `template.spec.timeout_seconds`); see [`ServiceSyntax`].

use std::path::Path;

use crate::formats::head::Head;
use crate::formats::spanned::Node;

/// Cloud Run's request timeout when `timeoutSeconds` is unset, in seconds.
pub const DEFAULT_TIMEOUT_S: i64 = 300;
/// The largest request timeout Cloud Run accepts for services, in seconds.
pub const MAX_TIMEOUT_S: i64 = 3600;

/// `.yaml` files holding a Knative `Service`: any the user names, and ones found in a walk that
/// mention a `run.googleapis.com/` annotation.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return false;
    }
    let text = head.text();
    looks_like_service(text) && (named || text.contains("run.googleapis.com/"))
}

pub fn looks_like_service(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("apiVersion:") && l.contains("serving.knative.dev/"))
        && text.lines().any(|l| l.trim_end() == "kind: Service")
}

/// How the service is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceSyntax {
    /// Knative service YAML: `spec.template.spec.timeoutSeconds`.
    Knative,
    /// Terraform `google_cloud_run_v2_service`: `template { timeout = "300s" }`.
    TerraformV2,
    /// Terraform `google_cloud_run_service`: `template { spec { timeout_seconds = 300 } }`.
    TerraformV1,
}

pub fn parse(text: &str) -> Result<Node, crate::formats::SyntaxError> {
    crate::formats::spanned::parse_yaml(text)
}

pub fn parses(path: &Path, text: &str) -> bool {
    match crate::formats::iac::kind(path, text) {
        Some(kind) => crate::formats::iac::parse(kind, text).is_ok(),
        None => parse(text).is_ok(),
    }
}
