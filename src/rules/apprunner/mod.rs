//! AWS App Runner rules (apprunner.yaml). Each file holds one rule; what they share lives in
//! the App Runner model (`formats::apprunner`).

mod context;
mod lint;
mod request_timeout_beyond_limit;
mod schema;
mod websocket_unsupported;

pub use context::*;
pub use lint::*;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;

/// Reported by the loader when apprunner.yaml is not valid YAML.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "APR000",
    name: "syntax-error",
    format: Some(Format::AppRunner),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "apprunner.yaml is not valid YAML (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<AppRunnerContext<'a>>] = &[
    &websocket_unsupported::WebsocketUnsupported,
    &request_timeout_beyond_limit::RequestTimeoutBeyondLimit,
    &schema::Schema,
];
