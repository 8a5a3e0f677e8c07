//! Google Cloud Run rules (service YAML). Each file holds one rule; what they share lives in
//! the Cloud Run model (`formats::cloudrun`).

mod context;
mod lint;
mod websocket_request_timeout;

pub use context::*;
pub use lint::*;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;

/// Reported by the loader when the service YAML is not valid YAML.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "GCR000",
    name: "syntax-error",
    format: Some(Format::CloudRun),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the Cloud Run service YAML is not valid YAML (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<CloudRunContext<'a>>] =
    &[&websocket_request_timeout::WebsocketRequestTimeout];
